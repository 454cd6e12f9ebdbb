/**
 * The team dialog's check-in cadence: follow the parent team (and so, at the top, the
 * organisation), or the team's own — every 1, 2 or 3 weeks or monthly, on a weekday. Sub-teams
 * that follow inherit it (okr-method §7).
 */
import { Fieldset, Group, Select, Stack, Text } from "@mantine/core";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-jobs.js";
import type { Team } from "../../lib/types.js";

export type TeamCadence = Team["cadence"];

export const WEEKDAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export const weekdayOptions = () =>
  WEEKDAY_KEYS.map((d, i) => ({ value: String(i + 1), label: t(`rhythm.days.${d}`) }));

/** The "every" choice a cadence shows as ("inherit" for none). */
const everyOf = (c: TeamCadence) => (c === null ? "inherit" : c.kind === "monthly" ? "monthly" : String(c.everyWeeks));

function cadenceFrom(every: string, weekday: number): TeamCadence {
  if (every === "inherit") return null;
  if (every === "monthly") return { kind: "monthly", weekday };
  return { kind: "weekly", everyWeeks: Number(every) as 1 | 2 | 3, weekday };
}

export function TeamCadenceFields({
  value,
  onChange,
  error,
}: {
  value: TeamCadence;
  onChange: (c: TeamCadence) => void;
  error?: string;
}) {
  const every = everyOf(value);
  const weekday = value?.weekday ?? 1;
  return (
    <Fieldset legend={t("rhythm.teamTitle")} variant="filled">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t("rhythm.teamHelp")}
        </Text>
        <Group grow align="flex-start" wrap="wrap">
          <Select
            label={t("rhythm.every")}
            allowDeselect={false}
            data={[
              { value: "inherit", label: t("rhythm.inherit") },
              { value: "1", label: t("rhythm.week1") },
              { value: "2", label: t("rhythm.week2") },
              { value: "3", label: t("rhythm.week3") },
              { value: "monthly", label: t("rhythm.monthly") },
            ]}
            value={every}
            onChange={(v) => onChange(cadenceFrom(v ?? "inherit", weekday))}
            error={error}
          />
          {value && (
            <Select
              label={t("rhythm.on")}
              allowDeselect={false}
              data={weekdayOptions()}
              value={String(weekday)}
              onChange={(v) => onChange(cadenceFrom(every, Number(v ?? 1)))}
            />
          )}
        </Group>
      </Stack>
    </Fieldset>
  );
}
