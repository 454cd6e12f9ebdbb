/**
 * Dashboards for the organisation and each team: status distribution, progress against
 * plan, top risks, check-in freshness, progress over time (from `asOf` reads, one a week),
 * and the coach's findings. A full-screen presentation mode for reviews.
 */
import { DonutChart, LineChart } from "@mantine/charts";
import { Button, Card, Group, List, Select, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { IconPresentation } from "@tabler/icons-react";
import { useQueries } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { STATUSES } from "../../domain/types.js";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { QueryState } from "../components/query-state.js";
import { STATUS_COLOR, StatusBadge } from "../components/status-badge.js";
import { get } from "../lib/api.js";
import { date, percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { useCoach, useObjectives, useTeamOptions } from "../lib/queries.js";
import type { Objective, Page, Period } from "../lib/types.js";

const DAY = 86_400_000;

/** Mean progress and mean expected progress of the objectives in view, each week of the period up to today. */
function useProgressOverTime(period: Period | undefined, teamId: string | undefined) {
  const weeks: string[] = [];
  if (period) {
    const start = Date.parse(`${period.startDate}T00:00:00Z`);
    // Rounded to the hour: a key that changed on every render would refetch forever.
    const end = Math.min(Math.floor(Date.now() / 3_600_000) * 3_600_000, Date.parse(`${period.endDate}T23:59:59Z`));
    for (let at = start + 7 * DAY; at <= end; at += 7 * DAY) weeks.push(new Date(at).toISOString());
    weeks.push(new Date(end).toISOString());
  }
  return useQueries({
    queries: weeks.map((asOf) => ({
      queryKey: ["objectives", { periodId: period?.id, teamId, asOf }],
      queryFn: () =>
        get<Page<Objective>>(
          `/objectives?limit=500&periodId=${period?.id}${teamId ? `&teamId=${teamId}` : ""}&asOf=${encodeURIComponent(asOf)}`,
        ),
      staleTime: 5 * 60_000,
    })),
    combine: (results) =>
      results.every((r) => r.data)
        ? weeks.map((asOf, i) => {
            const items = results[i]!.data!.items.filter((o) => o.state !== "draft");
            const mean = (f: (o: Objective) => number) =>
              items.length ? items.reduce((s, o) => s + f(o), 0) / items.length : 0;
            return {
              date: date(asOf),
              progress: Math.round(mean((o) => Math.min(1, o.progress)) * 100),
              expected: Math.round(mean((o) => o.expectedProgress) * 100),
            };
          })
        : null,
  });
}

export function DashboardPage() {
  const search = useSearch({ strict: false }) as { team?: string };
  const navigate = useNavigate();
  const { period } = useCurrentPeriod();
  const teamOptions = useTeamOptions();
  const objectives = useObjectives({ periodId: period?.id, teamId: search.team });
  const coach = useCoach(period?.id);
  const history = useProgressOverTime(period, search.team);
  const present = () => void document.documentElement.requestFullscreen?.();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("dashboard.title")}</Title>
        <Group>
          <Select
            aria-label={t("common.team")}
            placeholder={t("dashboard.allTeams")}
            data={teamOptions}
            value={search.team ?? null}
            onChange={(v) =>
              void navigate({
                to: "/dashboard",
                search: (prev: Record<string, unknown>) => ({ ...prev, team: v ?? undefined }),
              } as never)
            }
            clearable
            searchable
          />
          <Button variant="default" leftSection={<IconPresentation size={16} />} onClick={present}>
            {t("dashboard.present")}
          </Button>
        </Group>
      </Group>
      <QueryState query={objectives} isEmpty={(d) => d.items.length === 0}>
        {(d) => {
          const live = d.items.filter((o) => o.state !== "draft");
          const counts = STATUSES.map((s) => ({
            name: t(`status.${s}`),
            value: live.filter((o) => o.status === s).length,
            color: `${STATUS_COLOR[s]}.6`,
          })).filter((c) => c.value > 0);
          const krs = live.flatMap((o) => o.keyResults.map((k) => ({ k, o })));
          const risks = krs
            .filter(({ k }) => k.status === "atRisk" || k.status === "behind")
            .sort(
              (a, b) =>
                b.k.expectedProgress -
                Math.min(1, b.k.progress ?? 0) -
                (a.k.expectedProgress - Math.min(1, a.k.progress ?? 0)),
            )
            .slice(0, 8);
          const fresh = krs.filter(({ k }) => k.progressMode === "manual" && !k.closed);
          const stale = fresh.filter(({ k }) => !k.lastCheckInAt || Date.now() - Date.parse(k.lastCheckInAt) > 7 * DAY);
          const mean = (f: (o: Objective) => number) =>
            live.length ? live.reduce((s, o) => s + f(o), 0) / live.length : 0;
          return (
            <Stack>
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                <Card withBorder>
                  <Title order={3} size="h5">
                    {t("dashboard.statuses")}
                  </Title>
                  <Group justify="center">
                    <DonutChart
                      data={counts}
                      withLabels
                      withTooltip
                      chartLabel={String(live.length)}
                      size={160}
                      thickness={26}
                    />
                  </Group>
                  <Group gap="xs" justify="center" mt="xs">
                    {STATUSES.map((s) => {
                      const n = live.filter((o) => o.status === s).length;
                      return n ? (
                        <Group key={s} gap={4}>
                          <StatusBadge status={s} />
                          <Text size="sm">{n}</Text>
                        </Group>
                      ) : null;
                    })}
                  </Group>
                </Card>
                <Card withBorder>
                  <Title order={3} size="h5">
                    {t("dashboard.progress")}
                  </Title>
                  <Text size="xl" fw={700} mt="md">
                    {percent(mean((o) => Math.min(1, o.progress)))}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {t("common.expected", { value: percent(mean((o) => o.expectedProgress)) })}
                  </Text>
                </Card>
                <Card withBorder>
                  <Title order={3} size="h5">
                    {t("dashboard.freshness")}
                  </Title>
                  <Text size="xl" fw={700} mt="md">
                    {percent(fresh.length ? 1 - stale.length / fresh.length : 1)}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {t("dashboard.stale", { count: stale.length })}
                  </Text>
                </Card>
              </SimpleGrid>
              <Card withBorder>
                <Title order={3} size="h5" mb="sm">
                  {t("dashboard.overTime")}
                </Title>
                {history ? (
                  <LineChart
                    h={220}
                    data={history}
                    dataKey="date"
                    unit="%"
                    series={[
                      { name: "progress", label: t("common.progress"), color: "teal.7" },
                      { name: "expected", label: t("keyResult.planned"), color: "gray.6", strokeDasharray: "5 5" },
                    ]}
                    withLegend
                  />
                ) : (
                  <Text c="dimmed">{t("common.loading")}</Text>
                )}
              </Card>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Card withBorder>
                  <Title order={3} size="h5" mb="sm">
                    {t("dashboard.risks")}
                  </Title>
                  <Table>
                    <Table.Tbody>
                      {risks.map(({ k }) => (
                        <Table.Tr key={k.id}>
                          <Table.Td>
                            <AppLink to="/key-results/$keyResultId" params={{ keyResultId: k.id }} size="sm">
                              {k.title}
                            </AppLink>
                          </Table.Td>
                          <Table.Td>{percent(k.progress)}</Table.Td>
                          <Table.Td>
                            <StatusBadge status={k.status} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Card>
                <Card withBorder>
                  <Title order={3} size="h5" mb="sm">
                    {t("dashboard.coach")}
                  </Title>
                  <QueryState query={coach} isEmpty={(c) => c.items.length === 0}>
                    {(c) => (
                      <List size="sm" spacing={4}>
                        {c.items.slice(0, 12).map((f) => (
                          <List.Item key={`${f.checkId}:${f.objectId}`}>
                            <Text span size="sm" fw={600}>
                              {f.checkId}
                            </Text>{" "}
                            {f.message}{" "}
                            <Text span size="xs" c="dimmed">
                              {f.reason}
                            </Text>
                          </List.Item>
                        ))}
                      </List>
                    )}
                  </QueryState>
                </Card>
              </SimpleGrid>
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
