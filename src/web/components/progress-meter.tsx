import { Box, Progress, Tooltip } from "@mantine/core";
import type { Status } from "../../domain/types.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { STATUS_COLOR } from "./status-badge.js";

/** Progress bar with a marker where the item should be by now. */
export function ProgressMeter({
  progress,
  expected,
  status,
  label,
}: {
  progress: number | null;
  expected: number;
  status: Status;
  label: string;
}) {
  const p = Math.max(0, Math.min(1, progress ?? 0));
  return (
    <Tooltip label={`${percent(progress)} · ${t("common.expected", { value: percent(expected) })}`}>
      <Box pos="relative" w="100%">
        <Progress value={p * 100} color={STATUS_COLOR[status]} size="lg" radius="sm" aria-label={label} />
        <Box
          aria-hidden
          pos="absolute"
          top={-3}
          h={18}
          w={2}
          bg="var(--mantine-color-text)"
          style={{ left: `calc(${Math.min(1, Math.max(0, expected)) * 100}% - 1px)`, opacity: 0.6 }}
        />
      </Box>
    </Tooltip>
  );
}
