import { Badge, Button, Card, Grid, Group, List, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconLock } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { AppLink } from "../components/app-link.js";
import { CoachPanel } from "../components/coach-panel.js";
import { OwnerNames } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { StatusBadge } from "../components/status-badge.js";
import { ObjectiveCloseDialog } from "../features/objectives/objective-close-dialog.js";
import { ObjectiveEditDialog } from "../features/objectives/objective-edit-dialog.js";
import { api, get } from "../lib/api.js";
import { auditLabel } from "../lib/audit.js";
import { dateTime, percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { mayEditObjective, peopleGraphOf } from "../lib/permissions.js";
import { useAlignments, useMe, useObjective, useObjectives, useTeams, useUsers } from "../lib/queries.js";
import type { Alignment as AlignmentEdge, AuditEntry, Objective, Page } from "../lib/types.js";
import { ObjectiveCard } from "./home-page.js";

/** The parent's side accepts or declines a child's request to count toward it. */
function PendingRequest({ alignment, label }: { alignment: AlignmentEdge; label: string }) {
  const queryClient = useQueryClient();
  const decide = useMutation({
    mutationFn: (accept: boolean) =>
      accept ? api("POST", `/alignments/${alignment.id}/approve`, {}) : api("DELETE", `/alignments/${alignment.id}`),
    onSuccess: () => void queryClient.invalidateQueries(),
    onError: (err: Error) => notifications.show({ color: "red", message: err.message }),
  });
  return (
    <List.Item>
      <Group gap="xs" wrap="wrap">
        <Text size="sm">{label}</Text>
        <Button
          size="compact-xs"
          onClick={() => decide.mutate(true)}
          loading={decide.isPending}
          aria-label={t("objective.acceptLabel", { title: label })}
        >
          {t("objective.accept")}
        </Button>
        <Button
          size="compact-xs"
          variant="default"
          onClick={() => decide.mutate(false)}
          disabled={decide.isPending}
          aria-label={t("objective.declineLabel", { title: label })}
        >
          {t("objective.decline")}
        </Button>
      </Group>
    </List.Item>
  );
}

function Alignment({ objective }: { objective: Objective }) {
  const alignments = useAlignments();
  const me = useMe();
  const users = useUsers();
  const teams = useTeams();
  const mayDecide = mayEditObjective(
    me.data,
    objective,
    peopleGraphOf(users.data?.items ?? [], teams.data?.items ?? []),
  );
  const all = useObjectives({});
  const objectives = all.data?.items ?? [];
  const krOwner = new Map(objectives.flatMap((o) => o.keyResults.map((k) => [k.id, { kr: k, o }] as const)));
  const titleOf = (type: string, id: string) =>
    type === "objective" ? objectives.find((o) => o.id === id) : krOwner.get(id)?.o;
  const labelOf = (type: string, id: string) =>
    type === "objective" ? objectives.find((o) => o.id === id)?.title : krOwner.get(id)?.kr.title;
  const ownIds = new Set([objective.id, ...objective.keyResults.map((k) => k.id)]);
  const edges = alignments.data?.items ?? [];
  const parents = edges.filter((a) => a.childId === objective.id);
  const children = edges.filter((a) => ownIds.has(a.parentId) && a.state !== "pending");
  const requests = edges.filter((a) => ownIds.has(a.parentId) && a.state === "pending");
  const item = (type: string, id: string, note?: string) => {
    const target = titleOf(type, id);
    return (
      <List.Item key={`${type}${id}`}>
        {target ? (
          <AppLink to="/objectives/$objectiveId" params={{ objectiveId: target.id }} size="sm">
            {labelOf(type, id)}
          </AppLink>
        ) : (
          <Text size="sm">{labelOf(type, id) ?? "…"}</Text>
        )}
        {note && (
          <Text span size="xs" c="dimmed">
            {" "}
            {note}
          </Text>
        )}
      </List.Item>
    );
  };
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={3} size="h5">
          {t("objective.parents")}
        </Title>
        {parents.length ? (
          <List spacing={4}>
            {parents.map((a) =>
              item(
                a.parentType,
                a.parentId,
                a.state === "pending" ? t("objective.waiting") : a.contributes ? undefined : t("objective.notCounted"),
              ),
            )}
          </List>
        ) : (
          <Text size="sm" c="dimmed">
            {t("objective.noParents")}
          </Text>
        )}
        {requests.length > 0 && (
          <>
            <Title order={3} size="h5" mt="sm">
              {t("objective.requests")}
            </Title>
            {mayDecide ? (
              <>
                <Text size="xs" c="dimmed">
                  {t("objective.requestsHelp")}
                </Text>
                <List spacing={4}>
                  {requests.map((a) => (
                    <PendingRequest key={a.id} alignment={a} label={labelOf(a.childType, a.childId) ?? "…"} />
                  ))}
                </List>
              </>
            ) : (
              <List spacing={4}>{requests.map((a) => item(a.childType, a.childId, t("objective.waiting")))}</List>
            )}
          </>
        )}
        <Title order={3} size="h5" mt="sm">
          {t("objective.children")}
        </Title>
        {children.length ? (
          <List spacing={4}>{children.map((a) => item(a.childType, a.childId))}</List>
        ) : (
          <Text size="sm" c="dimmed">
            {t("objective.noChildren")}
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function History({ objectiveId }: { objectiveId: string }) {
  const audit = useQuery({
    queryKey: ["audit", objectiveId],
    queryFn: () => get<Page<AuditEntry>>(`/objectives/${objectiveId}/history?limit=50`),
  });
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        {t("objective.history")}
      </Title>
      <QueryState query={audit} isEmpty={(d) => d.items.length === 0}>
        {(d) => (
          <List spacing={4} size="sm">
            {d.items.map((e) => (
              <List.Item key={e.id}>
                {auditLabel(e)} · {e.actorName ?? t("audit.system")} · {dateTime(e.at)}
              </List.Item>
            ))}
          </List>
        )}
      </QueryState>
    </Card>
  );
}

function Lifecycle({ objective }: { objective: Objective }) {
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const clone = useMutation({
    mutationFn: async () => {
      const copy = await api<Objective>("POST", "/objectives", {
        title: `${objective.title} (copy)`,
        description: objective.description,
        level: objective.level,
        teamId: objective.teamId,
        ownerIds: objective.ownerIds,
        periodId: objective.periodId,
        committed: objective.committed,
        state: "draft",
      });
      for (const k of objective.keyResults) {
        await api("POST", `/objectives/${copy.id}/key-results`, {
          title: k.title,
          type: k.type,
          unit: k.unit,
          currency: k.currency,
          start: k.start,
          target: k.target,
          weight: k.weight,
          ownerIds: k.ownerIds,
          progressMode: k.progressMode,
          rollup: k.rollup,
        });
      }
      return copy;
    },
    onSuccess: (copy) => {
      void queryClient.invalidateQueries();
      void navigate({ to: "/objectives/$objectiveId", params: { objectiveId: copy.id } });
    },
  });
  const reopen = useMutation({
    mutationFn: () => api("POST", `/objectives/${objective.id}/reopen`),
    onSuccess: () => void queryClient.invalidateQueries(),
  });
  if (objective.state === "closed") {
    return (
      <Button variant="default" size="xs" onClick={() => reopen.mutate()} loading={reopen.isPending}>
        {t("close.reopen")}
      </Button>
    );
  }
  return (
    <Group gap="xs">
      <Button variant="default" size="xs" onClick={() => setEditing(true)}>
        {t("edit.open")}
      </Button>
      <Button variant="default" size="xs" onClick={() => clone.mutate()} loading={clone.isPending}>
        {t("edit.clone")}
      </Button>
      <Button variant="light" size="xs" onClick={() => setOpen(true)}>
        {t("close.open")}
      </Button>
      {open && <ObjectiveCloseDialog objective={objective} opened={open} onClose={() => setOpen(false)} />}
      {editing && <ObjectiveEditDialog objective={objective} opened={editing} onClose={() => setEditing(false)} />}
    </Group>
  );
}

function Initiatives({ objectiveId }: { objectiveId: string }) {
  const initiatives = useQuery({
    queryKey: ["initiatives", objectiveId],
    queryFn: () =>
      get<Page<{ id: string; title: string; state: string; progress: number | null }>>(
        `/initiatives?objectiveId=${objectiveId}`,
      ),
  });
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        {t("objective.initiatives")}
      </Title>
      <QueryState query={initiatives} isEmpty={(d) => d.items.length === 0} empty={t("objective.noInitiatives")}>
        {(d) => (
          <List spacing={4} size="sm">
            {d.items.map((i) => (
              <List.Item key={i.id}>
                {i.title}{" "}
                <Text span size="xs" c="dimmed">
                  {i.state}
                  {i.progress !== null ? ` · ${percent(i.progress)}` : ""}
                </Text>
              </List.Item>
            ))}
          </List>
        )}
      </QueryState>
    </Card>
  );
}

export function ObjectivePage() {
  const { objectiveId } = useParams({ from: "/app/objectives/$objectiveId" });
  const objective = useObjective(objectiveId);
  return (
    <QueryState query={objective}>
      {(o) => (
        <Stack>
          <Group justify="space-between" align="flex-start">
            <Stack gap={4}>
              <Group gap="xs">
                <Badge variant="outline">{t(`level.${o.level}`)}</Badge>
                <Badge variant="dot" color={o.committed ? "grape" : "gray"}>
                  {o.committed ? t("objective.committed") : t("objective.aspirational")}
                </Badge>
                {o.visibility === "private" && (
                  <Badge color="dark" variant="light" leftSection={<IconLock size={12} aria-hidden />}>
                    {t("objective.privateBadge")}
                  </Badge>
                )}
                {o.state === "closed" && (
                  <Badge color="blue">{t("objective.closed", { score: o.score?.toFixed(1) ?? "—" })}</Badge>
                )}
              </Group>
              <Title order={2}>{o.title}</Title>
              {o.description && <Text c="dimmed">{o.description}</Text>}
            </Stack>
            <Stack gap={4} align="flex-end">
              <Group gap="xs">
                <Text fw={700} size="xl">
                  {percent(o.progress)}
                </Text>
                <StatusBadge status={o.status} />
              </Group>
              <OwnerNames ids={o.ownerIds} />
              <Lifecycle objective={o} />
              {o.forecast && (
                <Text size="xs" c="dimmed">
                  {t("common.forecast")}: {percent(o.forecast.progress)}
                </Text>
              )}
            </Stack>
          </Group>
          <ProgressMeter
            progress={o.progress}
            expected={o.expectedProgress}
            status={o.status}
            label={`${o.title}: ${percent(o.progress)}`}
          />
          <Grid>
            <Grid.Col span={{ base: 12, md: 8 }}>
              <ObjectiveCard objective={o} />
              {o.closing && (o.closing.note || o.closing.learnings) && (
                <Card withBorder mt="md">
                  <Text size="sm">{o.closing.note}</Text>
                  <Text size="sm" c="dimmed">
                    {o.closing.learnings}
                  </Text>
                </Card>
              )}
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 4 }}>
              <Stack>
                <Alignment objective={o} />
                <CoachPanel periodId={o.periodId} objectIds={new Set([o.id, ...o.keyResults.map((k) => k.id)])} />
                <Initiatives objectiveId={o.id} />
                <History objectiveId={o.id} />
              </Stack>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </QueryState>
  );
}
