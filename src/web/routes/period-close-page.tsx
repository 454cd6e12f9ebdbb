/**
 * Close the period: walk through each OKR with its suggested score, score and close it
 * (with the closing note and learnings), postpone what continues, then close the whole
 * period — after seeing what that closes — and read the summary. A closed period can be
 * reopened. Owners and admins close and reopen; each row's actions are offered to those who
 * may edit that objective.
 */

import { Alert, Badge, Button, Card, Group, Select, Stack, Table, Text, Title } from "@mantine/core";
import { IconLockOpen } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { grade, objectiveScore, suggestedKrScore } from "../../domain/scoring.js";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { LoadMore } from "../components/load-more.js";
import { QueryState } from "../components/query-state.js";
import { StatusBadge } from "../components/status-badge.js";
import { TableFrame } from "../components/table-frame.js";
import { ObjectiveCloseDialog } from "../features/objectives/objective-close-dialog.js";
import { type CloseSummary, PeriodCloseDialog, PeriodReopenDialog } from "../features/periods/period-close-dialogs.js";
import { day } from "../features/periods/period-dialogs.js";
import { useEditGraph } from "../features/periods/use-edit-graph.js";
import { api } from "../lib/api.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import "../lib/i18n-periods.js";
import { invalidateForChange } from "../lib/live.js";
import { mayAdminister, mayEditObjective } from "../lib/permissions.js";
import { useMe, useObjectivePages } from "../lib/queries.js";
import type { Objective, Period } from "../lib/types.js";

function Row({ o, periods, current }: { o: Objective; periods: Period[]; current: Period }) {
  const [closing, setClosing] = useState(false);
  const me = useMe();
  const mayEdit = mayEditObjective(me.data, o, useEditGraph(o));
  const [target, setTarget] = useState<string | null>(null);
  const queryClient = useQueryClient();
  const postpone = useMutation({
    mutationFn: () => api("POST", `/objectives/${o.id}/postpone`, { periodId: target }),
    onSuccess: () => void invalidateForChange(queryClient, { type: "objective.postponed", objectType: "objective" }),
  });
  const suggested = objectiveScore(
    o.keyResults
      .filter((k) => k.type !== "baseline")
      .map((k) => ({ score: suggestedKrScore(k.progress), weight: k.weight })),
  );
  return (
    <Table.Tr>
      <Table.Td>
        <AppLink to="/objectives/$objectiveId" params={{ objectiveId: o.id }} size="sm">
          {o.title}
        </AppLink>
      </Table.Td>
      <Table.Td>{percent(o.progress)}</Table.Td>
      <Table.Td>
        <StatusBadge status={o.status} />
      </Table.Td>
      <Table.Td>
        {o.state === "closed" ? (
          <Badge
            variant="light"
            color={grade(o.score ?? 0) === "green" ? "teal" : grade(o.score ?? 0) === "yellow" ? "yellow" : "red"}
          >
            {(o.score ?? 0).toFixed(1)}
          </Badge>
        ) : (
          <Text size="sm">{t("close.suggested", { score: suggested === null ? "—" : suggested.toFixed(1) })}</Text>
        )}
      </Table.Td>
      <Table.Td>
        {o.state !== "closed" && !mayEdit && me.data?.role !== "observer" && (
          <Text size="xs" c="dimmed">
            {t("closing.noEdit")}
          </Text>
        )}
        {o.state !== "closed" && mayEdit && (
          <Stack gap={4}>
            <Group gap="xs" wrap="nowrap">
              <Button
                size="xs"
                variant="light"
                onClick={() => setClosing(true)}
                aria-label={`${t("close.open")}: ${o.title}`}
              >
                {t("close.open")}
              </Button>
              <Select
                size="xs"
                aria-label={`${t("periodClose.postponeTo")}: ${o.title}`}
                placeholder={t("periodClose.postponeTo")}
                data={periods
                  // A closed period takes no new objective (the API refuses it): only open ones are offered.
                  .filter((p) => p.id !== current.id && p.startDate > current.startDate && !p.closedAt)
                  .map((p) => ({ value: p.id, label: p.name }))}
                value={target}
                onChange={setTarget}
                w={140}
              />
              <Button
                size="xs"
                variant="default"
                disabled={!target || postpone.isSuccess}
                loading={postpone.isPending}
                onClick={() => postpone.mutate()}
              >
                {t("periodClose.postpone")}
              </Button>
            </Group>
            {postpone.isSuccess && (
              <Text size="xs" c="teal.9">
                {t("periodClose.postponed")}
              </Text>
            )}
            {postpone.isError && (
              <Text size="xs" c="red.8" role="alert">
                {postpone.error.message}
              </Text>
            )}
          </Stack>
        )}
        {closing && <ObjectiveCloseDialog objective={o} opened={closing} onClose={() => setClosing(false)} />}
      </Table.Td>
    </Table.Tr>
  );
}

export function PeriodClosePage() {
  const { period, periods } = useCurrentPeriod();
  const objectives = useObjectivePages({ periodId: period?.id }, { enabled: !!period });
  const me = useMe();
  const isAdmin = mayAdminister(me.data) && me.data?.access === "write";
  const [summary, setSummary] = useState<CloseSummary | null>(null);
  const [confirming, setConfirming] = useState<"close" | "reopen" | null>(null);
  if (!period) return null;
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("periodClose.title", { period: period.name })}</Title>
        {isAdmin &&
          (period.closedAt ? (
            <Button
              variant="light"
              leftSection={<IconLockOpen size={16} aria-hidden />}
              onClick={() => setConfirming("reopen")}
            >
              {t("closing.reopen")}
            </Button>
          ) : (
            <Button color="red" variant="light" onClick={() => setConfirming("close")}>
              {t("closing.closeAll")}
            </Button>
          ))}
      </Group>
      <Text c="dimmed">{t("periodClose.intro")}</Text>
      {/* Said once for the page: an observer closes nothing, whoever owns what. */}
      {me.data?.role === "observer" && (
        <Alert color="gray" variant="light">
          {t("closing.observer")}
        </Alert>
      )}
      {period.closedAt && (
        <Alert color="gray" variant="light">
          {t("closing.closedOn", { date: day(period.closedAt.slice(0, 10)) })}
        </Alert>
      )}
      {!isAdmin && me.data && (
        <Text size="sm" c="dimmed">
          {t("closing.adminsOnly")}
        </Text>
      )}
      {summary && (
        <Alert color="teal" title={t("periodClose.done")} role="status">
          {t("periodClose.summary", {
            closed: summary.objectivesClosed,
            total: summary.objectivesTotal,
            average: summary.averageScore === null ? "—" : summary.averageScore.toFixed(1),
            green: summary.grades.green,
            yellow: summary.grades.yellow,
            red: summary.grades.red,
          })}
        </Alert>
      )}
      {isAdmin && (
        <>
          <PeriodCloseDialog
            key={`close-${period.id}`}
            period={period}
            opened={confirming === "close"}
            onClose={() => setConfirming(null)}
            onClosed={setSummary}
          />
          <PeriodReopenDialog
            key={`reopen-${period.id}`}
            period={period}
            opened={confirming === "reopen"}
            onClose={() => {
              setConfirming(null);
              setSummary(null);
            }}
          />
        </>
      )}
      <Card withBorder>
        <QueryState query={objectives.query} isEmpty={() => objectives.items.length === 0}>
          {() => (
            <>
              <TableFrame minWidth={900}>
                <Table>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t("common.title")}</Table.Th>
                      <Table.Th>{t("common.progress")}</Table.Th>
                      <Table.Th w={130}>{t("common.status")}</Table.Th>
                      <Table.Th>{t("close.score")}</Table.Th>
                      <Table.Th data-no-label>{t("periodClose.actions")}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {objectives.items
                      .filter((o) => o.state !== "draft")
                      .map((o) => (
                        <Row key={o.id} o={o} periods={periods.data?.items ?? []} current={period} />
                      ))}
                  </Table.Tbody>
                </Table>
              </TableFrame>
              <LoadMore
                hasMore={objectives.hasMore}
                loading={objectives.loadingMore}
                onLoad={objectives.loadMore}
                auto={false}
              />
            </>
          )}
        </QueryState>
      </Card>
    </Stack>
  );
}
