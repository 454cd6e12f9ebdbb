/**
 * What the explorer says when nothing matches: whose or which objectives are missing in which
 * period, the other periods that do hold matching objectives (one count each), and a way to
 * clear the filters.
 */
import { Button, Card, Group, Stack, Text } from "@mantine/core";
import { useQueries } from "@tanstack/react-query";
import { t } from "../../lib/i18n.js";
import { objectiveCountQuery, type Params, useTeamsById, useUsersById } from "../../lib/queries.js";
import type { Period } from "../../lib/types.js";

/** Other periods counted for matches: the latest ones, a bounded number of small requests. */
const OTHER_PERIODS = 12;

export interface ExplorerFilters extends Params {
  q?: string | undefined;
  level?: string | undefined;
  teamId?: string | undefined;
  ownerId?: string | undefined;
  status?: string | undefined;
  progress?: string | undefined;
}

export function ExplorerEmpty({
  period,
  periods,
  filters,
  onClear,
  onPickPeriod,
}: {
  period: Period;
  periods: readonly Period[];
  filters: ExplorerFilters;
  onClear: () => void;
  onPickPeriod: (periodId: string) => void;
}) {
  const owner = useUsersById(filters.ownerId ? [filters.ownerId] : []).get(filters.ownerId ?? "");
  const team = useTeamsById(filters.teamId ? [filters.teamId] : []).get(filters.teamId ?? "");
  const used = Object.entries(filters).filter(([, v]) => v !== undefined && v !== "");
  const only = used.length === 1 ? used[0]![0] : null;
  const others = [...periods]
    .filter((p) => p.id !== period.id)
    .sort((a, b) => b.startDate.localeCompare(a.startDate))
    .slice(0, OTHER_PERIODS);
  const counts = useQueries({ queries: others.map((p) => objectiveCountQuery({ ...filters, periodId: p.id })) });
  const elsewhere = others.map((p, i) => ({ p, count: counts[i]?.data?.count ?? 0 })).filter((x) => x.count > 0);
  const counting = counts.some((c) => c.isPending);

  const what =
    used.length === 0
      ? t("explorer.emptyPeriod", { period: period.name })
      : only === "ownerId" && owner
        ? t("explorer.emptyOwner", { name: owner.name, period: period.name })
        : only === "teamId" && team
          ? t("explorer.emptyTeam", { name: team.name, period: period.name })
          : t("explorer.emptyFiltered", { period: period.name });
  return (
    <Card withBorder role="status">
      <Stack gap="sm" align="flex-start">
        <Text fw={600}>{what}</Text>
        {elsewhere.length > 0 ? (
          <Stack gap={4}>
            <Text size="sm" c="dimmed">
              {used.length ? t("explorer.emptyElsewhereFiltered") : t("explorer.emptyElsewhere")}
            </Text>
            <Group gap="xs">
              {elsewhere.map(({ p, count }) => (
                <Button key={p.id} size="xs" variant="light" onClick={() => onPickPeriod(p.id)}>
                  {t("explorer.emptyInPeriod", { period: p.name, count })}
                </Button>
              ))}
            </Group>
          </Stack>
        ) : (
          !counting && (
            <Text size="sm" c="dimmed">
              {used.length ? t("explorer.emptyNowhereFiltered") : t("explorer.emptyNowhere")}
            </Text>
          )
        )}
        {used.length > 0 && (
          <Button size="xs" variant="default" onClick={onClear}>
            {t("explorer.clearFilters")}
          </Button>
        )}
      </Stack>
    </Card>
  );
}
