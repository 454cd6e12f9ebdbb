import { Badge, Button, Card, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useParams } from "@tanstack/react-router";
import { useState } from "react";
import { periodSpan } from "../../domain/periods.js";
import { AppLink } from "../components/app-link.js";
import { OwnerNames, OwnerText } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { StatusBadge } from "../components/status-badge.js";
import { TableHead } from "../components/table-head.js";
import { CheckInDialog } from "../features/check-in/check-in-dialog.js";
import { CheckInEditDialog } from "../features/check-in/check-in-edit-dialog.js";
import { KeyResultChart } from "../features/key-results/key-result-chart.js";
import { KeyResultEditDialog } from "../features/objectives/objective-edit-dialog.js";
import { api } from "../lib/api.js";
import { dateTime, percent, value } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { invalidateForChange } from "../lib/live.js";
import { mayCheckIn, mayContribute } from "../lib/permissions.js";
import { useCheckIns, useKeyResult, useMe, useObjective, usePeriods, useSettings } from "../lib/queries.js";
import type { CheckIn } from "../lib/types.js";

export function KeyResultPage() {
  const { keyResultId } = useParams({ from: "/app/key-results/$keyResultId" });
  const kr = useKeyResult(keyResultId);
  const checkIns = useCheckIns(keyResultId);
  const objective = useObjective(kr.data?.objectiveId ?? "");
  const periods = usePeriods();
  const settings = useSettings();
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState(false);
  const [editingCheckIn, setEditingCheckIn] = useState<CheckIn | null>(null);
  const me = useMe();
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => api("DELETE", `/check-ins/${id}`),
    onSettled: () => void invalidateForChange(queryClient, { type: "checkIn.deleted", objectType: "checkIn" }),
  });
  const period = periods.data?.items.find((p) => p.id === objective.data?.periodId);
  const tz = settings.data?.timeZone ?? "UTC";
  const span =
    period && kr.data ? periodSpan(kr.data.startDate ?? period.startDate, kr.data.endDate ?? period.endDate, tz) : null;
  return (
    <QueryState query={kr}>
      {(k) => (
        <Stack>
          <Group justify="space-between" align="flex-start">
            <Stack gap={4}>
              {objective.data && (
                <AppLink to="/objectives/$objectiveId" params={{ objectiveId: k.objectiveId }} size="sm">
                  ← {objective.data.title}
                </AppLink>
              )}
              <Title order={2}>{k.title}</Title>
              <Group gap="xs">
                <Badge variant="outline">{k.type}</Badge>
                <Text size="sm" c="dimmed">
                  {k.progressMode === "rollup"
                    ? t("keyResult.rollup", { method: k.rollup })
                    : t("keyResult.from", { start: value(k, k.start), target: value(k, k.target) })}
                </Text>
              </Group>
            </Stack>
            <Stack gap={4} align="flex-end">
              <Group gap="xs">
                <Text fw={700} size="xl">
                  {percent(k.progress)}
                </Text>
                <StatusBadge status={k.status} />
              </Group>
              <OwnerNames ids={k.ownerIds} />
              {k.forecast && (
                <Text size="xs" c="dimmed">
                  {t("common.forecast")}: {percent(k.forecast.progress)}
                  {k.forecast.low !== null &&
                    k.forecast.high !== null &&
                    ` (${percent(k.forecast.low)}–${percent(k.forecast.high)})`}
                </Text>
              )}
              <Group gap="xs">
                {!k.closed && mayContribute(me.data) && (
                  <Button variant="default" size="sm" onClick={() => setEditing(true)}>
                    {t("edit.open")}
                  </Button>
                )}
                {k.progressMode === "manual" &&
                  !k.closed &&
                  objective.data &&
                  mayCheckIn(me.data, k, objective.data) && (
                    <Button onClick={() => setOpen(true)} size="sm">
                      {t("home.checkIn")}
                    </Button>
                  )}
              </Group>
            </Stack>
          </Group>
          <ProgressMeter
            progress={k.progress}
            expected={k.expectedProgress}
            status={k.status}
            label={`${k.title}: ${percent(k.progress)}`}
          />
          <KeyResultChart kr={k} span={span} timeZone={tz} />
          <Card withBorder>
            <Title order={3} size="h5" mb="sm">
              {t("keyResult.checkIns")}
            </Title>
            <QueryState query={checkIns} isEmpty={(d) => d.items.length === 0} empty={t("keyResult.noCheckIns")}>
              {(d) => (
                <Table striped highlightOnHover>
                  <TableHead
                    columns={[
                      "Date",
                      t("keyResult.value"),
                      t("common.status"),
                      t("checkIn.confidence"),
                      t("checkIn.note"),
                      t("keyResult.author"),
                    ]}
                    actions={t("periodClose.actions")}
                  />
                  <Table.Tbody>
                    {d.items.map((c) => (
                      <Table.Tr key={c.id}>
                        <Table.Td>{dateTime(c.at)}</Table.Td>
                        <Table.Td>{k.type === "milestone" ? (c.achieved ? "✓" : "—") : value(k, c.value)}</Table.Td>
                        <Table.Td>{c.status ? <StatusBadge status={c.status} /> : ""}</Table.Td>
                        <Table.Td>{c.confidence ?? ""}</Table.Td>
                        <Table.Td>{c.note}</Table.Td>
                        <Table.Td>
                          <OwnerText ids={c.authorId ? [c.authorId] : []} />
                        </Table.Td>
                        <Table.Td>
                          {c.authorId === me.data?.user.id && !k.closed && (
                            <Group gap={4} wrap="nowrap">
                              <Button
                                size="compact-xs"
                                variant="subtle"
                                onClick={() => setEditingCheckIn(c)}
                                aria-label={`${t("edit.editCheckIn")}: ${dateTime(c.at)}`}
                              >
                                {t("edit.open")}
                              </Button>
                              <Button
                                size="compact-xs"
                                variant="subtle"
                                color="red"
                                onClick={() => window.confirm(t("edit.deleteCheckIn")) && remove.mutate(c.id)}
                                aria-label={`${t("edit.deleteCheckIn")}: ${dateTime(c.at)}`}
                              >
                                {t("edit.delete")}
                              </Button>
                            </Group>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </QueryState>
          </Card>
          {editingCheckIn && (
            <CheckInEditDialog kr={k} checkIn={editingCheckIn} opened onClose={() => setEditingCheckIn(null)} />
          )}
          {editing && <KeyResultEditDialog kr={k} opened={editing} onClose={() => setEditing(false)} />}
          {open && <CheckInDialog kr={k} objective={objective.data} opened={open} onClose={() => setOpen(false)} />}
        </Stack>
      )}
    </QueryState>
  );
}
