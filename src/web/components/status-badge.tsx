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

/** The status as a coloured label (colour is never the only cue: the word is always there). */
export function StatusBadge({ status }: { status: Status }) {
  return (
    // Never squeezed: a status cut to "AT R…" says nothing.
    <Badge color={STATUS_COLOR[status]} variant="light" radius="sm" style={{ flexShrink: 0, overflow: "visible" }}>
      {t(`status.${status}`)}
    </Badge>
  );
}
