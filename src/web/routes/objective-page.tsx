import { Badge, Button, Card, Grid, Group, List, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconLock } from "@tabler/icons-react";
import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useState } from "react";
import { useShowPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { CoachPanel } from "../components/coach-panel.js";
import { ForecastText } from "../components/forecast-text.js";
import { LoadMore } from "../components/load-more.js";
import { OwnerNames } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { ScoreReason } from "../components/score-reason.js";
import { StatusBadge } from "../components/status-badge.js";
import { AlignmentParents } from "../features/alignment/alignment-parents.js";
import { CommentsPanel } from "../features/comments/comments-panel.js";
import { FollowButton } from "../features/comments/follow-button.js";
import { InitiativesPanel } from "../features/initiatives/initiatives-panel.js";
import { KeyResultList } from "../features/key-results/key-result-list.js";
import { useAuthorityGraph } from "../features/objectives/objective-access.js";
import { ObjectiveActions } from "../features/objectives/objective-actions.js";
import { ProgressBreakdown } from "../features/objectives/progress-breakdown.js";
import { ReviewPanel } from "../features/objectives/review-panel.js";
import { api } from "../lib/api.js";
import { auditLabel, auditSubject } from "../lib/audit.js";
import { dateTime, percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { invalidateForChange } from "../lib/live.js";
import { mayEditObjective } from "../lib/permissions.js";
import { fetchAll, keys, useInfiniteList, useKeyResult, useMe, useObjective } from "../lib/queries.js";
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
  const ownIds = [objective.id, ...objective.keyResults.map((k) => k.id)];
  const below = useQueries({
    queries: ownIds.map((parentId) => ({
      queryKey: keys.alignmentsOf({ parentId }),
      queryFn: () => fetchAll<AlignmentEdge>("/alignments", { parentId }),
    })),
    combine: (results) => results.flatMap((r) => r.data?.items ?? []),
  });
  const [shown, setShown] = useState(CHILDREN_STEP);
  // One entry per child: a child aligned to this objective and to one of its key results (or to
  // two of them) is one contributor, not two.
  const byChild = new Map<string, AlignmentEdge[]>();
  for (const a of below) {
    if (a.state === "pending") continue;
    const key = `${a.childType}:${a.childId}`;
    byChild.set(key, [...(byChild.get(key) ?? []), a]);
  }
  const children = [...byChild.values()];
  const requests = below.filter((a) => a.state === "pending");
  return (
    <Card withBorder>
      <Stack gap="xs">
        {requests.length > 0 && (
          <>
            <Title order={3} size="h5">
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
        <Title order={3} size="h5" mt={requests.length > 0 ? "sm" : undefined}>
          {t("objective.children")}
          {children.length > 0 && ` (${children.length})`}
        </Title>
        {children.length ? (
          <List spacing={4}>
            {children.slice(0, shown).map((links) => (
              <AlignedItem
                key={links[0]!.id}
                type={links[0]!.childType}
                id={links[0]!.childId}
                note={
                  links.every((a) => !a.contributes)
                    ? t("objective.childNotCounted")
                    : links.length > 1
                      ? t("objective.childLinks", { count: links.length })
                      : undefined
                }
              />
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
              {audit.items.map((e) => {
                // What else the entry is about, in words (a key result, a link's two ends); not this objective's own name.
                const subject = e.objectId === objectiveId ? "" : auditSubject(e);
                return (
                  <List.Item key={e.id}>
                    {auditLabel(e)}
                    {subject && `: ${subject}`} · {e.actorName ?? t("audit.system")} · {dateTime(e.at)}
                  </List.Item>
                );
              })}
            </List>
            <LoadMore hasMore={audit.hasMore} loading={audit.loadingMore} onLoad={audit.loadMore} auto={false} />
          </>
        )}
      </QueryState>
    </Card>
  );
}

export function ObjectivePage() {
  const { objectiveId } = useParams({ from: "/app/objectives/$objectiveId" });
  const objective = useObjective(objectiveId);
  useShowPeriod(objective.data?.periodId);
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
              {o.state === "draft" && (
                <Text size="sm" c="dimmed">
                  {t("okrEdit.draftHelp")}
                </Text>
              )}
              {o.description && <Text c="dimmed">{o.description}</Text>}
            </Stack>
            <Stack gap={4} align="flex-end">
              <Group gap="xs">
                <Text fw={700} size="xl">
                  {percent(o.progress)}
                </Text>
                <StatusBadge status={o.status} score={o.score} />
              </Group>
              <OwnerNames ids={o.ownerIds} />
              <Group gap="xs" justify="flex-end">
                <FollowButton objectiveId={o.id} />
                <ObjectiveActions objective={o} />
              </Group>
              <ForecastText forecast={o.forecast} status={o.status} />
            </Stack>
          </Group>
          <ProgressMeter
            progress={o.progress}
            expected={o.expectedProgress}
            status={o.status}
            label={`${o.title}: ${percent(o.progress)}`}
          />
          <ReviewPanel objective={o} />
          <Grid>
            <Grid.Col span={{ base: 12, md: 8 }}>
              <ObjectiveCard objective={o} />
              <KeyResultList objective={o} />
              <ProgressBreakdown objective={o} />
              {o.closing && <ClosingCard objective={o} />}
              <CommentsPanel key={`comments-${o.id}`} objectType="objective" objectId={o.id} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 4 }}>
              <Stack>
                <AlignmentParents key={`parents-${o.id}`} objective={o} />
                <Alignment key={o.id} objective={o} />
                <CoachPanel periodId={o.periodId} objectiveIds={[o.id]} />
                <InitiativesPanel objectiveId={o.id} />
                <History objectiveId={o.id} />
              </Stack>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </QueryState>
  );
}

/** How the objective closed: its score (and the one its key results suggested), each key result's, and the notes. */
function ClosingCard({ objective: o }: { objective: Objective }) {
  const closing = o.closing;
  if (!closing) return null;
  const parts = [
    [t("close.note"), closing.note],
    [t("close.learnings"), closing.learnings],
    [t("close.next"), closing.next],
  ].filter(([, text]) => text);
  const scored = o.keyResults.filter((k) => k.score !== null);
  return (
    <Card withBorder mt="md" component="section" aria-labelledby="closing-heading">
      <Title order={3} size="h5" id="closing-heading" mb="xs">
        {t("objective.closed", { score: o.score?.toFixed(1) ?? "—" })}
      </Title>
      {closing.suggestedScore !== null && o.score !== null && closing.suggestedScore !== o.score && (
        <Text size="xs" c="dimmed" mb="xs">
          {t("close.suggested", { score: closing.suggestedScore.toFixed(1) })}
        </Text>
      )}
      {scored.length > 0 && (
        <Stack gap={4} mb="sm">
          {scored.map((k) => (
            <Text key={k.id} size="sm">
              <ScoreReason score={k.score?.toFixed(1) ?? "—"} label={k.title} reason={k.scoreReason} />
            </Text>
          ))}
        </Stack>
      )}
      {parts.map(([label, text]) => (
        <Stack key={label} gap={2} mb="xs">
          <Text size="xs" fw={700} tt="uppercase" c="dimmed">
            {label}
          </Text>
          <Text size="sm" style={{ whiteSpace: "pre-wrap" }}>
            {text}
          </Text>
        </Stack>
      ))}
    </Card>
  );
}
