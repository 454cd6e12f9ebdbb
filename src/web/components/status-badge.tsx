import { Badge } from "@mantine/core";
import type { Status } from "../../domain/types.js";
import { t } from "../lib/i18n.js";

export const STATUS_COLOR: Record<Status, string> = {
  draft: "grape",
  notStarted: "gray",
  onTrack: "teal",
  behind: "yellow",
  atRisk: "red",
  closed: "blue",
};

/**
 * The status as a coloured label (colour is never the only cue: the word is always there); a
 * closed item with a score shows it ("Closed 0.7").
 */
export function StatusBadge({ status, score = null }: { status: Status; score?: number | null }) {
  return (
    // Never squeezed: a status cut to "AT R…" says nothing.
    <Badge color={STATUS_COLOR[status]} variant="light" radius="sm" style={{ flexShrink: 0, overflow: "visible" }}>
      {t(`status.${status}`)}
      {status === "closed" && score !== null ? ` ${score.toFixed(1)}` : ""}
    </Badge>
  );
}
