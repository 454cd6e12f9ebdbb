/**
 * Dashboards for the organisation and each team: status distribution, progress against
 * plan and progress over time (all from one `/series` request, over every objective in
 * view), top risks and check-in freshness (from the objectives loaded, a page at a time),
 * and the coach's findings. A full-screen presentation mode for reviews.
 */
import { DonutChart, LineChart } from "@mantine/charts";
import { Button, Card, Group, List, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { IconPresentation } from "@tabler/icons-react";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { STATUSES } from "../../domain/types.js";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { LoadMore } from "../components/load-more.js";
import { QueryState } from "../components/query-state.js";
import { STATUS_COLOR, StatusBadge } from "../components/status-badge.js";
import { TeamSelect } from "../features/pickers/pickers.js";
import { date, percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { useCoach, useObjectivePages, useSeries } from "../lib/queries.js";

const DAY = 86_400_000;
/** Objectives loaded at a time for the risks and the check-in freshness. */
const PAGE_SIZE = 200;

export function DashboardPage() {
  const search = useSearch({ strict: false }) as { team?: string };
  const navigate = useNavigate();
  const { period } = useCurrentPeriod();
  const objectives = useObjectivePages(
    { periodId: period?.id, teamId: search.team },
    { pageSize: PAGE_SIZE, enabled: !!period },
  );
  const series = useSeries(period?.id, search.team);
  const coach = useCoach(period?.id);
  const points = series.data?.points ?? [];
  const now = points.at(-1);
  const history = series.data
    ? points.map((p) => ({
        date: date(p.at),
        progress: Math.round(p.progress * 100),
        expected: Math.round(p.expectedProgress * 100),
      }))
    : null;
  const present = () => void document.documentElement.requestFullscreen?.();

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("dashboard.title")}</Title>
        <Group>
          <TeamSelect
            aria-label={t("common.team")}
            placeholder={t("dashboard.allTeams")}
            value={search.team ?? null}
            onChange={(v) =>
              void navigate({
                to: "/dashboard",
                search: (prev: Record<string, unknown>) => ({ ...prev, team: v ?? undefined }),
              } as never)
            }
            clearable
          />
          <Button variant="default" leftSection={<IconPresentation size={16} />} onClick={present}>
            {t("dashboard.present")}
          </Button>
        </Group>
      </Group>
      <QueryState query={objectives.query} isEmpty={() => objectives.items.length === 0}>
        {() => {
          const live = objectives.items.filter((o) => o.state !== "draft");
          const counts = STATUSES.map((s) => ({
            name: t(`status.${s}`),
            value: now?.statuses[s] ?? 0,
            color: `${STATUS_COLOR[s]}.6`,
          })).filter((c) => c.value > 0);
          const krs = live.flatMap((o) => o.keyResults.map((k) => ({ k, o })));
          const risks = krs
            .filter(({ k }) => k.status === "atRisk" || k.status === "behind")
            .map((x) => ({ ...x, gap: x.k.expectedProgress - Math.min(1, x.k.progress ?? 0) }))
            .sort((a, b) => b.gap - a.gap)
            .slice(0, 8);
          const fresh = krs.filter(({ k }) => k.progressMode === "manual" && !k.closed);
          const stale = fresh.filter(({ k }) => !k.lastCheckInAt || Date.now() - Date.parse(k.lastCheckInAt) > 7 * DAY);
          const partial = objectives.hasMore && (
            <Group gap="xs" mt="xs">
              <Text size="xs" c="dimmed">
                {t("dashboard.fromFirst", { count: objectives.items.length })}
              </Text>
              <LoadMore
                hasMore={objectives.hasMore}
                loading={objectives.loadingMore}
                onLoad={objectives.loadMore}
                auto={false}
              />
            </Group>
          );
          return (
            <Stack>
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                <Card withBorder>
                  <Title order={3} size="h5">
                    {t("dashboard.statuses")}
                  </Title>
                  {now ? (
                    <>
                      <Group justify="center">
                        <DonutChart
                          data={counts}
                          withLabels
                          withTooltip
                          chartLabel={String(now.objectives)}
                          size={160}
                          thickness={26}
                        />
                      </Group>
                      <Group gap="xs" justify="center" mt="xs">
                        {STATUSES.map((s) =>
                          now.statuses[s] ? (
                            <Group key={s} gap={4}>
                              <StatusBadge status={s} />
                              <Text size="sm">{now.statuses[s]}</Text>
                            </Group>
                          ) : null,
                        )}
                      </Group>
                    </>
                  ) : (
                    <SeriesState series={series} />
                  )}
                </Card>
                <Card withBorder>
                  <Title order={3} size="h5">
                    {t("dashboard.progress")}
                  </Title>
                  {now ? (
                    <>
                      <Text size="xl" fw={700} mt="md">
                        {percent(now.progress)}
                      </Text>
                      <Text size="sm" c="dimmed">
                        {t("common.expected", { value: percent(now.expectedProgress) })}
                      </Text>
                    </>
                  ) : (
                    <SeriesState series={series} />
                  )}
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
                  {partial}
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
                  <SeriesState series={series} />
                )}
              </Card>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Card withBorder>
                  <Title order={3} size="h5" mb="sm">
                    {t("dashboard.risks")}
                  </Title>
                  {partial}
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

/** Loading or error in place of a figure that comes from the series. */
function SeriesState({ series }: { series: { isError: boolean; error: Error | null } }) {
  return (
    <Text c="dimmed" size="sm" mt="md">
      {series.isError ? `${t("common.error")}: ${series.error?.message ?? ""}` : t("common.loading")}
    </Text>
  );
}
