/** Teams (nested, with owners and members) and people (with their manager and teams), and each team's progress. */

import { Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconUserPlus, IconUsersPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { LoadMore } from "../components/load-more.js";
import { OwnerNames, OwnerText } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { TableFrame } from "../components/table-frame.js";
import { TableHead } from "../components/table-head.js";
import { VirtualTableBody } from "../components/virtual-table-body.js";
import { InvitePersonDialog, PersonActions } from "../features/people/person-dialogs.js";
import { TeamDialog } from "../features/people/team-dialog.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { mayAdminister, mayManagePerson } from "../lib/permissions.js";
import { useMe, useSeries, useTeamList, useTeamsById, useUserList } from "../lib/queries.js";
import type { Team } from "../lib/types.js";

/** Team names by id (each fetched once, cached). */
function TeamNames({ ids }: { ids: string[] }) {
  const byId = useTeamsById(ids);
  return <>{ids.map((id) => byId.get(id)?.name ?? "…").join(", ")}</>;
}

/** A team's progress this period, over all its objectives (from the last point of its series). */
function TeamProgress({ team, periodId }: { team: Team; periodId: string | undefined }) {
  const series = useSeries(periodId, team.id);
  const now = series.data?.points.at(-1);
  if (!now || now.objectives === 0) return null;
  return (
    <>
      <ProgressMeter
        progress={now.progress}
        expected={now.expectedProgress}
        status={
          now.progress >= now.expectedProgress
            ? "onTrack"
            : now.expectedProgress - now.progress <= 0.25
              ? "behind"
              : "atRisk"
        }
        label={`${team.name}: ${percent(now.progress)}`}
      />
      <Text size="xs">
        {t("people.objectives", { count: now.objectives })} · {percent(now.progress)}
      </Text>
    </>
  );
}

export function PeoplePage() {
  const teams = useTeamList("", 30);
  const [text, setText] = useState("");
  const [q] = useDebouncedValue(text.trim(), 300);
  const users = useUserList(q, 50);
  const me = useMe();
  const isAdmin = mayAdminister(me.data);
  const [inviting, setInviting] = useState(false);
  const [creatingTeam, setCreatingTeam] = useState(false);
  const [editingTeam, setEditingTeam] = useState<Team | null>(null);
  const myId = me.data?.user.id ?? "";
  const { period } = useCurrentPeriod();
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("people.title")}</Title>
        {isAdmin && (
          <Group gap="sm">
            <Button variant="default" leftSection={<IconUsersPlus size={18} />} onClick={() => setCreatingTeam(true)}>
              {t("teams.create")}
            </Button>
            <Button leftSection={<IconUserPlus size={18} />} onClick={() => setInviting(true)}>
              {t("people.invite")}
            </Button>
          </Group>
        )}
      </Group>
      {creatingTeam && <TeamDialog opened onClose={() => setCreatingTeam(false)} canMove={isAdmin} />}
      {editingTeam && <TeamDialog team={editingTeam} opened onClose={() => setEditingTeam(null)} canMove={isAdmin} />}
      <InvitePersonDialog
        opened={inviting}
        onClose={() => setInviting(false)}
        canGrantOwner={me.data?.role === "owner"}
      />
      <section aria-labelledby="teams-heading">
        <Title order={3} size="h4" id="teams-heading" mb="xs">
          {t("people.teams")}
          {/* No count until the first page is in: "(0)" would read as if there were none. */}
          {teams.query.data && ` (${teams.countLabel})`}
        </Title>
        <QueryState query={teams.query} isEmpty={() => teams.items.length === 0}>
          {() => (
            <>
              <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
                {teams.items.map((tm) => (
                  <Card withBorder key={tm.id} component="article" aria-labelledby={`team-${tm.id}`}>
                    <Stack gap="xs">
                      <Group justify="space-between">
                        <Text fw={600} id={`team-${tm.id}`}>
                          {tm.name}
                        </Text>
                        {tm.parentId && (
                          <Badge variant="outline" size="sm">
                            {t("people.partOf", { team: "" })}
                            <TeamNames ids={[tm.parentId]} />
                          </Badge>
                        )}
                      </Group>
                      <OwnerNames ids={tm.memberIds} />
                      <Text size="sm" c="dimmed">
                        {t("people.members", { count: tm.memberIds.length })} · {t("people.ownedBy")}{" "}
                        <OwnerText ids={tm.ownerIds} />
                      </Text>
                      <TeamProgress team={tm} periodId={period?.id} />
                      <Group justify="space-between">
                        <AppLink to="/dashboard" search={{ team: tm.id }} size="sm">
                          {t("people.dashboard")}
                        </AppLink>
                        {(isAdmin || tm.ownerIds.includes(myId)) && (
                          <Button
                            size="xs"
                            variant="subtle"
                            onClick={() => setEditingTeam(tm)}
                            aria-label={t("teams.editNamed", { name: tm.name })}
                          >
                            {t("teams.editButton")}
                          </Button>
                        )}
                      </Group>
                    </Stack>
                  </Card>
                ))}
              </SimpleGrid>
              <LoadMore hasMore={teams.hasMore} loading={teams.loadingMore} onLoad={teams.loadMore} auto={false} />
            </>
          )}
        </QueryState>
      </section>
      <section aria-labelledby="people-heading">
        <Group justify="space-between" align="flex-end" mb="xs">
          <Title order={3} size="h4" id="people-heading">
            {t("people.people")}
            {users.query.data && ` (${users.countLabel})`}
          </Title>
          <TextInput label={t("people.search")} value={text} onChange={(e) => setText(e.currentTarget.value)} w={260} />
        </Group>
        <QueryState query={users.query} isEmpty={() => users.items.length === 0}>
          {() => (
            <>
              <TableFrame minWidth={700}>
                <Table striped>
                  <TableHead
                    columns={[
                      t("people.name"),
                      t("people.email"),
                      t("people.manager"),
                      t("people.teams"),
                      t("people.role"),
                    ]}
                    actions={isAdmin ? t("people.actions") : undefined}
                  />
                  <VirtualTableBody
                    rows={users.items}
                    getKey={(u) => u.id}
                    estimate={45}
                    renderCells={(u) => (
                      <>
                        <Table.Td>
                          <AppLink to="/explorer" search={{ owner: u.id }} size="sm">
                            {u.name}
                          </AppLink>
                        </Table.Td>
                        <Table.Td>{u.email}</Table.Td>
                        <Table.Td>{u.managerId ? <OwnerText ids={[u.managerId]} /> : ""}</Table.Td>
                        <Table.Td>
                          <TeamNames ids={u.teamIds} />
                        </Table.Td>
                        <Table.Td>{u.active ? t(`roles.${u.role}`) : t("people.inactive")}</Table.Td>
                        {isAdmin && (
                          <Table.Td>
                            {me.data && (
                              <PersonActions
                                user={u}
                                me={me.data}
                                canManage={mayManagePerson(me.data, u)}
                                canGrantOwner={me.data.role === "owner"}
                              />
                            )}
                          </Table.Td>
                        )}
                      </>
                    )}
                  />
                </Table>
              </TableFrame>
              <LoadMore hasMore={users.hasMore} loading={users.loadingMore} onLoad={users.loadMore} />
            </>
          )}
        </QueryState>
      </section>
    </Stack>
  );
}
