import { Badge, Button, Card, Grid, Group, List, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconLock } from "@tabler/icons-react";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useParams } from "@tanstack/react-router";
import { useState } from "react";
import { AppLink } from "../components/app-link.js";
import { CoachPanel } from "../components/coach-panel.js";
import { LoadMore } from "../components/load-more.js";
import { OwnerNames } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { StatusBadge } from "../components/status-badge.js";
import { ObjectiveCloseDialog } from "../features/objectives/objective-close-dialog.js";
import { ObjectiveEditDialog } from "../features/objectives/objective-edit-dialog.js";
import { ProgressBreakdown } from "../features/objectives/progress-breakdown.js";
import { api } from "../lib/api.js";
import { auditLabel } from "../lib/audit.js";
import { dateTime, percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { invalidateForChange } from "../lib/live.js";
import { mayEditObjective, peopleGraphOf } from "../lib/permissions.js";
import {
  fetchAll,
  keys,
  useAlignments,
  useInfiniteList,
  useKeyResult,
  useMe,
  useObjective,
  useTeamsById,
  useUsersById,
} from "../lib/queries.js";
import type { Alignment as AlignmentEdge, AuditEntry, Objective } from "../lib/types.js";
import { ObjectiveCard } from "./home-page.js";

/** The parent's side accepts or declines a child's request to count toward it. */
function PendingRequest({ alignment, label }: { alignment: AlignmentEdge; label: string }) {
  const queryClient = useQueryClient();
  const decide = useMutation({
    mutationFn: (accept: boolean) =>
      accept ? api("POST", `/alignments/${alignment.id}/approve`, {}) : api("DELETE", `/alignments/${alignment.id}`),
    onSuccess: () => void invalidateForChange(queryClient, { type: "alignment.updated", objectType: "alignment" }),
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

/** The people graph the edit rule needs for one objective: its owners' manager chains and its team. */
function useAuthorityGraph(objective: Objective) {
  // Walk up the manager chains a level per render, each person fetched by id (cached).
  const [ids, setIds] = useState<string[]>(objective.ownerIds);
  const people = useUsersById(ids);
  const next = [...people.values()].map((u) => u.managerId).filter((id): id is string => !!id && !ids.includes(id));
  if (next.length) setIds([...ids, ...new Set(next)]);
  const teams = useTeamsById(objective.teamId ? [objective.teamId] : []);
  return peopleGraphOf([...people.values()], [...teams.values()]);
}

/** One end of an alignment, named by its objective or key result (fetched by id, cached). */
function AlignedItem({ type, id, note }: { type: string; id: string; note?: string | undefined }) {
  const objective = useObjective(type === "objective" ? id : "");
  const kr = useKeyResult(type === "keyResult" ? id : "");
  const objectiveId = type === "objective" ? id : kr.data?.objectiveId;
  const label = type === "objective" ? objective.data?.title : kr.data?.title;
  return (
    <List.Item>
      {objectiveId && label ? (
        <AppLink to="/objectives/$objectiveId" params={{ objectiveId }} size="sm">
          {label}
        </AppLink>
      ) : (
        <Text size="sm">{label ?? "…"}</Text>
      )}
      {note && (
        <Text span size="xs" c="dimmed">
          {" "}
          {note}
        </Text>
      )}
    </List.Item>
  );
}

/** The label of an alignment's child, for the accept and decline buttons. */
function RequestItem({ alignment }: { alignment: AlignmentEdge }) {
  const objective = useObjective(alignment.childType === "objective" ? alignment.childId : "");
  const kr = useKeyResult(alignment.childType === "keyResult" ? alignment.childId : "");
  const label = (alignment.childType === "objective" ? objective.data?.title : kr.data?.title) ?? "…";
  return <PendingRequest alignment={alignment} label={label} />;
}

/** How many contributing items show before "show more". */
const CHILDREN_STEP = 20;

function Alignment({ objective }: { objective: Objective }) {
  const me = useMe();
  const graph = useAuthorityGraph(objective);
  const mayDecide = mayEditObjective(me.data, objective, graph);
  const parentsQuery = useAlignments({ childId: objective.id });
  const ownIds = [objective.id, ...objective.keyResults.map((k) => k.id)];
  const below = useQueries({
    queries: ownIds.map((parentId) => ({
      queryKey: keys.alignmentsOf({ parentId }),
      queryFn: () => fetchAll<AlignmentEdge>("/alignments", { parentId }),
    })),
    combine: (results) => results.flatMap((r) => r.data?.items ?? []),
  });
  const [shown, setShown] = useState(CHILDREN_STEP);
  const parents = parentsQuery.data?.items ?? [];
  const children = below.filter((a) => a.state !== "pending");
  const requests = below.filter((a) => a.state === "pending");
  return (
    <Card withBorder>
      <Stack gap="xs">
        <Title order={3} size="h5">
          {t("objective.parents")}
        </Title>
        {parents.length ? (
          <List spacing={4}>
            {parents.map((a) => (
              <AlignedItem
                key={a.id}
                type={a.parentType}
                id={a.parentId}
                note={
                  a.state === "pending" ? t("objective.waiting") : a.contributes ? undefined : t("objective.notCounted")
                }
              />
            ))}
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
                    <RequestItem key={a.id} alignment={a} />
                  ))}
                </List>
              </>
            ) : (
              <List spacing={4}>
                {requests.map((a) => (
                  <AlignedItem key={a.id} type={a.childType} id={a.childId} note={t("objective.waiting")} />
                ))}
              </List>
            )}
          </>
        )}
        <Title order={3} size="h5" mt="sm">
          {t("objective.children")}
          {children.length > 0 && ` (${children.length})`}
        </Title>
        {children.length ? (
          <List spacing={4}>
            {children.slice(0, shown).map((a) => (
              <AlignedItem key={a.id} type={a.childType} id={a.childId} />
            ))}
          </List>
        ) : (
          <Text size="sm" c="dimmed">
            {t("objective.noChildren")}
          </Text>
        )}
        {children.length > shown && (
          <Button variant="subtle" size="xs" onClick={() => setShown((n) => n + 50)}>
            {t("home.dueMore", { count: children.length - shown })}
          </Button>
        )}
      </Stack>
    </Card>
  );
}

function History({ objectiveId }: { objectiveId: string }) {
  const audit = useInfiniteList<AuditEntry>(
    keys.historyOf(objectiveId),
    `/objectives/${objectiveId}/history`,
    {},
    {
      pageSize: 20,
    },
  );
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="xs">
        {t("objective.history")}
      </Title>
      <QueryState query={audit.query} isEmpty={() => audit.items.length === 0}>
        {() => (
          <>
            <List spacing={4} size="sm">
              {audit.items.map((e) => (
                <List.Item key={e.id}>
                  {auditLabel(e)} · {e.actorName ?? t("audit.system")} · {dateTime(e.at)}
                </List.Item>
              ))}
            </List>
            <LoadMore hasMore={audit.hasMore} loading={audit.loadingMore} onLoad={audit.loadMore} auto={false} />
          </>
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
      void invalidateForChange(queryClient, { type: "objective.created", objectType: "objective" });
      void navigate({ to: "/objectives/$objectiveId", params: { objectiveId: copy.id } });
    },
  });
  const reopen = useMutation({
    mutationFn: () => api("POST", `/objectives/${objective.id}/reopen`),
    onSuccess: () => void invalidateForChange(queryClient, { type: "objective.reopened", objectType: "objective" }),
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
    queryKey: keys.initiativesOf(objectiveId),
    queryFn: () =>
      fetchAll<{ id: string; title: string; state: string; progress: number | null }>("/initiatives", { objectiveId }),
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
              <ProgressBreakdown objective={o} />
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
                <Alignment key={o.id} objective={o} />
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
