/** Teams (nested, with owners and members) and people (with their manager and teams), and each team's progress. */
import { Badge, Button, Card, Group, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { IconUserPlus, IconUsersPlus } from "@tabler/icons-react";
import { useState } from "react";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { OwnerNames } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { TableHead } from "../components/table-head.js";
import { InvitePersonDialog, PersonActions } from "../features/people/person-dialogs.js";
import { TeamDialog } from "../features/people/team-dialog.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { mayAdminister, mayManagePerson } from "../lib/permissions.js";
import { useMe, useObjectives, useTeams, useUsers } from "../lib/queries.js";
import type { Team } from "../lib/types.js";

export function PeoplePage() {
  const teams = useTeams();
  const users = useUsers();
  const me = useMe();
  const isAdmin = mayAdminister(me.data);
  const [inviting, setInviting] = useState(false);
  const [creatingTeam, setCreatingTeam] = useState(false);
  const [editingTeam, setEditingTeam] = useState<Team | null>(null);
  const myId = me.data?.user.id ?? "";
  const { period } = useCurrentPeriod();
  const objectives = useObjectives({ periodId: period?.id });
  const userName = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));
  const teamName = new Map((teams.data?.items ?? []).map((x) => [x.id, x.name]));
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
        </Title>
        <QueryState query={teams} isEmpty={(d) => d.items.length === 0}>
          {(d) => (
            <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
              {d.items.map((tm) => {
                const own = (objectives.data?.items ?? []).filter((o) => o.teamId === tm.id && o.state !== "draft");
                const progress = own.length ? own.reduce((s, o) => s + Math.min(1, o.progress), 0) / own.length : null;
                const expected = own.length ? own.reduce((s, o) => s + o.expectedProgress, 0) / own.length : 0;
                return (
                  <Card withBorder key={tm.id} component="article" aria-labelledby={`team-${tm.id}`}>
                    <Stack gap="xs">
                      <Group justify="space-between">
                        <Text fw={600} id={`team-${tm.id}`}>
                          {tm.name}
                        </Text>
                        {tm.parentId && (
                          <Badge variant="outline" size="sm">
                            {t("people.partOf", { team: teamName.get(tm.parentId) ?? "" })}
                          </Badge>
                        )}
                      </Group>
                      <OwnerNames ids={tm.memberIds} />
                      <Text size="sm" c="dimmed">
                        {t("people.members", { count: tm.memberIds.length })} ·{" "}
                        {t("people.owners", { names: tm.ownerIds.map((id) => userName.get(id) ?? "").join(", ") })}
                      </Text>
                      {progress !== null && (
                        <>
                          <ProgressMeter
                            progress={progress}
                            expected={expected}
                            status={
                              progress >= expected ? "onTrack" : expected - progress <= 0.25 ? "behind" : "atRisk"
                            }
                            label={`${tm.name}: ${percent(progress)}`}
                          />
                          <Text size="xs">
                            {t("people.objectives", { count: own.length })} · {percent(progress)}
                          </Text>
                        </>
                      )}
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
                );
              })}
            </SimpleGrid>
          )}
        </QueryState>
      </section>
      <section aria-labelledby="people-heading">
        <Title order={3} size="h4" id="people-heading" mb="xs">
          {t("people.people")}
        </Title>
        <QueryState query={users}>
          {(d) => (
            <Table.ScrollContainer minWidth={700}>
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
                <Table.Tbody>
                  {d.items.map((u) => (
                    <Table.Tr key={u.id}>
                      <Table.Td>
                        <AppLink to="/explorer" search={{ owner: u.id }} size="sm">
                          {u.name}
                        </AppLink>
                      </Table.Td>
                      <Table.Td>{u.email}</Table.Td>
                      <Table.Td>{u.managerId ? userName.get(u.managerId) : ""}</Table.Td>
                      <Table.Td>{u.teamIds.map((id) => teamName.get(id)).join(", ")}</Table.Td>
                      <Table.Td>{u.active ? t(`roles.${u.role}`) : t("people.inactive")}</Table.Td>
                      {isAdmin && (
                        <Table.Td>
                          {mayManagePerson(me.data, u) && (
                            <PersonActions
                              user={u}
                              myId={me.data?.user.id ?? ""}
                              canGrantOwner={me.data?.role === "owner"}
                            />
                          )}
                        </Table.Td>
                      )}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </QueryState>
      </section>
    </Stack>
  );
}
