/**
 * Dashboards for the organisation and each team (with the teams under it): status distribution,
 * average progress and progress over time (one `/series` request), and from one `/dashboard`
 * request what changed since last week, a teams × status heat map, check-in freshness per team
 * and the top risks; then the coach's findings. "Present" opens the review's slide show.
 */
import { DonutChart, LineChart } from "@mantine/charts";
import { Button, Card, Group, List, SimpleGrid, Stack, Text, Title, Tooltip } from "@mantine/core";
import { IconPresentation } from "@tabler/icons-react";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { STATUSES } from "../../domain/types.js";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { CoachFinding } from "../components/coach-finding.js";
import { QueryState } from "../components/query-state.js";
import { STATUS_COLOR, StatusBadge } from "../components/status-badge.js";
import { ChangesCard } from "../features/dashboard/changes-card.js";
import { shownStatuses, useDashboard } from "../features/dashboard/dashboard-data.js";
import { FreshnessCard, HeatMapCard } from "../features/dashboard/team-cards.js";
import { TopRisksCard } from "../features/dashboard/top-risks-card.js";
import { TeamSelect } from "../features/pickers/pickers.js";
import { date, percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { useCoachPages, useSeries } from "../lib/queries.js";

export function DashboardPage() {
  const search = useSearch({ strict: false }) as { team?: string };
  const navigate = useNavigate();
  const { period } = useCurrentPeriod();
  const dashboard = useDashboard(period?.id, search.team);
  // The same scope as the dashboard's other cards: a team with the teams under it.
  const series = useSeries(period?.id, search.team, true);
  const coach = useCoachPages(period?.id, search.team);
  const points = series.data?.points ?? [];
  const now = points.at(-1);
  const history = series.data
    ? points.map((p) => ({
        date: date(p.at),
        progress: Math.round(p.progress * 100),
        expected: Math.round(p.expectedProgress * 100),
      }))
    : null;
  const present = () =>
    void navigate({
      to: "/present",
      search: { ...(period ? { period: period.id } : {}), ...(search.team ? { team: search.team } : {}) },
    } as never);

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
          <Tooltip label={t("dashboard.presentHint")}>
            <Button variant="default" leftSection={<IconPresentation size={16} />} onClick={present} disabled={!period}>
              {t("dashboard.present")}
            </Button>
          </Tooltip>
        </Group>
      </Group>
      <QueryState
        query={dashboard}
        isEmpty={(d) => d.teams.every((r) => r.objectives === 0)}
        empty={t("dashboard.noObjectives")}
      >
        {(d) => {
          const counts = shownStatuses(STATUSES)
            .map((s) => ({
              name: t(`status.${s}`),
              value: now?.statuses[s] ?? 0,
              color: `${STATUS_COLOR[s] ?? "gray"}.6`,
            }))
            .filter((c) => c.value > 0);
          const keyResults = d.teams.reduce((n, r) => n + r.keyResults, 0);
          // The period of the data shown (not one just picked and still loading).
          const closedAt = period?.id === d.periodId ? period.closedAt : null;
          const fresh = d.teams.reduce((n, r) => n + r.fresh, 0);
          const teamName = d.teams[0]?.name ?? "";
          return (
            <Stack>
              <Text size="sm" c="dimmed" data-testid="dashboard-scope">
                {!d.teamId
                  ? t("dashboard.scopeOrg")
                  : d.teams.length > 1
                    ? t("dashboard.scopeTeam", { team: teamName, count: d.teams.length - 1 })
                    : t("dashboard.scopeTeamAlone", { team: teamName })}
              </Text>
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
                        {shownStatuses(STATUSES).map((s) =>
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
                  {/* A closed period expects no check-ins: no freshness figure to read as "all up to date". */}
                  {closedAt ? (
                    <>
                      <Text size="xl" fw={700} mt="md">
                        {t("dashboard.closed")}
                      </Text>
                      <Text size="sm" c="dimmed">
                        {t("dashboard.closedOn", { period: period?.name ?? "", date: date(closedAt) })}
                      </Text>
                      <AppLink to="/close" search={{ period: d.periodId } as never} size="sm">
                        {t("dashboard.closedScores")}
                      </AppLink>
                    </>
                  ) : (
                    <>
                      <Text size="xl" fw={700} mt="md">
                        {percent(keyResults ? fresh / keyResults : 1)}
                      </Text>
                      <Text size="sm" c="dimmed">
                        {t("dashboard.stale", { count: keyResults - fresh })}
                      </Text>
                    </>
                  )}
                </Card>
              </SimpleGrid>
              <ChangesCard dashboard={d} />
              <HeatMapCard dashboard={d} periodId={d.periodId} />
              <SimpleGrid cols={{ base: 1, lg: 2 }}>
                <TopRisksCard dashboard={d} />
                <FreshnessCard dashboard={d} closedPeriod={closedAt ? (period?.name ?? "") : null} />
              </SimpleGrid>
              <Card withBorder>
                <Title order={3} size="h5">
                  {t("dashboard.overTime")}
                </Title>
                <Text size="xs" c="dimmed" mb="sm">
                  {t("dashboard.overTimeHelp")}
                </Text>
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
              <Card withBorder>
                <Title order={3} size="h5" mb={d.teamId ? 0 : "sm"}>
                  {t("dashboard.coach")}
                </Title>
                {d.teamId && (
                  <Text size="xs" c="dimmed" mb="sm">
                    {t("dashboard.coachScope", { team: teamName })}
                  </Text>
                )}
                <QueryState
                  query={coach.query}
                  isEmpty={() => coach.items.length === 0}
                  empty={
                    <Text size="sm" c="dimmed">
                      {t("coach.none")}
                    </Text>
                  }
                >
                  {() => (
                    <>
                      <List size="sm" spacing={4}>
                        {coach.items.map((f) => (
                          <CoachFinding key={`${f.checkId}:${f.objectId}`} finding={f} />
                        ))}
                      </List>
                      {coach.hasMore && (
                        <Button variant="subtle" size="xs" mt="xs" onClick={coach.loadMore} loading={coach.loadingMore}>
                          {t("list.loadMore")}
                        </Button>
                      )}
                    </>
                  )}
                </QueryState>
              </Card>
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
