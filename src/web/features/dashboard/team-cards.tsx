/**
 * The team rows of the dashboard: a teams × status heat map (each count a link to the explorer
 * filtered to that team and status) and check-in freshness per team.
 */

import { Anchor, Card, Table, Text, Title } from "@mantine/core";
import { Link } from "@tanstack/react-router";
import { STATUSES, type Status } from "../../../domain/types.js";
import { STATUS_COLOR } from "../../components/status-badge.js";
import { TableFrame } from "../../components/table-frame.js";
import { date, percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { type Dashboard, type DashboardTeamRow, shownStatuses } from "./dashboard-data.js";

function teamLabel(row: DashboardTeamRow, shownTeam: boolean): string {
  if (row.teamId === null) return t("dashboard.noTeam");
  return shownTeam && row.depth === 0 ? t("dashboard.thisTeam", { name: row.name ?? "" }) : (row.name ?? "");
}

function TeamCell({ row, shownTeam }: { row: DashboardTeamRow; shownTeam: boolean }) {
  return (
    <Table.Th scope="row" fw={row.depth <= 1 ? 600 : 400} style={{ paddingLeft: `calc(${row.depth} * 1rem + 0.5rem)` }}>
      {teamLabel(row, shownTeam)}
    </Table.Th>
  );
}

/**
 * A cell's tint: the status colour over the page's background, stronger with a larger share of
 * the largest count. At most 30 %, so the text keeps a contrast of 4.5:1 on every status colour
 * in light and dark (yellow on the dark background is the tightest).
 */
function tint(status: Status, count: number, max: number): string | undefined {
  if (!count || !max) return undefined;
  const strength = Math.round(8 + (count / max) * 22);
  return `color-mix(in srgb, var(--mantine-color-${STATUS_COLOR[status] ?? "gray"}-6) ${strength}%, var(--mantine-color-body))`;
}

export function HeatMapCard({ dashboard, periodId }: { dashboard: Dashboard; periodId: string }) {
  const statuses = shownStatuses(STATUSES);
  const rows = dashboard.teams;
  const max = Math.max(0, ...rows.flatMap((r) => statuses.map((s) => r.statuses[s] ?? 0)));
  const shownTeam = dashboard.teamId !== null;
  return (
    <Card withBorder component="section" aria-labelledby="heat-map-title">
      <Title order={3} size="h5" id="heat-map-title">
        {t("dashboard.heatMap")}
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        {t("dashboard.heatMapHelp")}
      </Text>
      <TableFrame minWidth={520}>
        <Table withColumnBorders data-testid="heat-map">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t("dashboard.team")}</Table.Th>
              {statuses.map((s) => (
                <Table.Th key={s} scope="col" ta="center">
                  {t(`status.${s}`)}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.teamId ?? "none"}>
                <TeamCell row={row} shownTeam={shownTeam} />
                {statuses.map((s) => {
                  const count = row.statuses[s] ?? 0;
                  return (
                    <Table.Td key={s} ta="center" style={{ background: tint(s, count, max) }}>
                      {count > 0 && row.teamId !== null ? (
                        <Anchor
                          component={Link}
                          to="/explorer"
                          search={{ period: periodId, team: row.teamId, status: s } as never}
                          c="var(--mantine-color-text)"
                          underline="always"
                          fw={600}
                          aria-label={t("dashboard.cellLink", {
                            count,
                            team: row.name ?? "",
                            status: t(`status.${s}`),
                          })}
                        >
                          {count}
                        </Anchor>
                      ) : (
                        <Text span size="sm" fw={count ? 600 : 400}>
                          {count}
                        </Text>
                      )}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableFrame>
    </Card>
  );
}

/** Check-in freshness per team; of a closed period (`closedPeriod`: its name), each team's closed objectives instead. */
export function FreshnessCard({ dashboard, closedPeriod }: { dashboard: Dashboard; closedPeriod: string | null }) {
  const shownTeam = dashboard.teamId !== null;
  return (
    <Card withBorder component="section" aria-labelledby="freshness-title">
      <Title order={3} size="h5" id="freshness-title">
        {t("dashboard.freshnessByTeam")}
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        {closedPeriod !== null
          ? t("dashboard.closedHelp", { period: closedPeriod })
          : t("dashboard.freshnessHelp", { count: dashboard.cadenceDays })}
      </Text>
      <Table data-testid="freshness">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">{t("dashboard.team")}</Table.Th>
            <Table.Th scope="col">{t("dashboard.freshShare")}</Table.Th>
            <Table.Th scope="col">{t("dashboard.oldest")}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {dashboard.teams.map((row) => (
            <Table.Tr key={row.teamId ?? "none"}>
              <TeamCell row={row} shownTeam={shownTeam} />
              {closedPeriod !== null ? (
                <Table.Td colSpan={2}>
                  <Text size="sm" c="dimmed">
                    {t("dashboard.closedRow", { count: row.statuses.closed ?? 0 })}
                  </Text>
                </Table.Td>
              ) : row.keyResults === 0 ? (
                <Table.Td colSpan={2}>
                  <Text size="sm" c="dimmed">
                    {t("dashboard.noKeyResults")}
                  </Text>
                </Table.Td>
              ) : (
                <>
                  <Table.Td>
                    <Text size="sm" fw={600} span>
                      {percent(row.fresh / row.keyResults)}
                    </Text>{" "}
                    <Text size="xs" c="dimmed" span>
                      {t("dashboard.freshCount", { fresh: row.fresh, total: row.keyResults })}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" span>
                      {row.oldestCheckInAt ? date(row.oldestCheckInAt) : "—"}
                    </Text>
                    {row.neverCheckedIn > 0 && (
                      <Text size="xs" fw={600} span>
                        {" "}
                        · {t("dashboard.never", { count: row.neverCheckedIn })}
                      </Text>
                    )}
                  </Table.Td>
                </>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
