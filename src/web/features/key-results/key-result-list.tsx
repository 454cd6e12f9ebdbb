/**
 * An objective's key results to manage: add one, move them up or down (buttons, so the
 * keyboard can do it), edit or move one to the trash. Shown only to those who may change
 * something here; each control only where the person may use it.
 */
import { ActionIcon, Button, Card, Group, Stack, Text, Title, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconArrowDown, IconArrowUp, IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { AppLink } from "../../components/app-link.js";
import { api } from "../../lib/api.js";
import { value } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { KeyResult, Objective } from "../../lib/types.js";
import { useObjectiveAccess } from "../objectives/objective-access.js";
import { KeyResultDeleteDialog } from "./key-result-delete-dialog.js";
import { KeyResultDialog, saveProblem } from "./key-result-dialog.js";

/** "from 10 to 40 %", "keep at or above 99.9 %", or the type alone. */
function rangeOf(kr: KeyResult): string {
  if (kr.progressMode === "rollup") return t("keyResult.rollup", { method: t(`edit.method.${kr.rollup}`) });
  if (kr.type === "increase" || kr.type === "decrease")
    return t("keyResult.from", { start: value(kr, kr.start), target: value(kr, kr.target) });
  if (kr.type === "stayAbove" || kr.type === "stayBelow") return `${t(`krType.${kr.type}`)} ${value(kr, kr.target)}`;
  return t(`krType.${kr.type}`);
}

const moveButtonId = (id: string, dir: "up" | "down") => `kr-move-${dir}-${id}`;

export function KeyResultList({ objective }: { objective: Objective }) {
  const access = useObjectiveAccess(objective);
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<KeyResult | null>(null);
  const [deleting, setDeleting] = useState<KeyResult | null>(null);
  // One move at a time (each sends the version it saw); the buttons stay enabled so the keyboard
  // stays on them, and a press meanwhile waits its turn (below).
  const move = useMutation({
    mutationFn: ({ kr, to }: { kr: KeyResult; to: number; dir: "up" | "down" }) =>
      api<KeyResult>("PATCH", `/key-results/${kr.id}`, { position: to, version: kr.version }),
    onSuccess: async (_r, { kr, dir }) => {
      await invalidateForChange(queryClient, { type: "keyResult.updated", objectType: "keyResult" });
      setRefocus({ id: kr.id, dir });
    },
    onError: (err) => {
      notifications.show({ color: "red", title: t("okrEdit.failed"), message: saveProblem(err) });
      void invalidateForChange(queryClient, { type: "keyResult.updated", objectType: "keyResult" });
    },
  });
  // Keep the keyboard where it was once the move is done: on the same button of the row that
  // moved (or its other one, at an end), ready for the next press.
  const [refocus, setRefocus] = useState<{ id: string; dir: "up" | "down" } | null>(null);
  useEffect(() => {
    if (!refocus || move.isPending) return;
    const other = refocus.dir === "up" ? "down" : "up";
    const same = document.getElementById(moveButtonId(refocus.id, refocus.dir)) as HTMLButtonElement | null;
    (same && !same.disabled ? same : document.getElementById(moveButtonId(refocus.id, other)))?.focus();
    setRefocus(null);
  }, [refocus, move.isPending]);
  const open = objective.state !== "closed";
  const krs = objective.keyResults;
  // A press while a move is still saving is kept and made once the list shows the saved order,
  // from where the row is then: a quick second press is never lost, nor sent with a stale version.
  const queued = useRef<{ id: string; dir: "up" | "down" } | null>(null);
  const request = (kr: KeyResult, dir: "up" | "down") => {
    if (move.isPending) {
      queued.current = { id: kr.id, dir };
      return;
    }
    const i = krs.findIndex((k) => k.id === kr.id);
    const to = dir === "up" ? i - 1 : i + 1;
    if (i >= 0 && to >= 0 && to < krs.length) move.mutate({ kr: krs[i] as KeyResult, to, dir });
  };
  useEffect(() => {
    const next = queued.current;
    if (!next || move.isPending) return;
    queued.current = null;
    const kr = krs.find((k) => k.id === next.id);
    if (kr) request(kr, next.dir);
  });
  if (access.loading || !access.contributes || !open) return null;
  if (!access.editsObjective && !krs.some((k) => access.editsKeyResult(k))) return null;
  return (
    <Card withBorder mt="md" component="section" aria-labelledby={`manage-${objective.id}`}>
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h5" id={`manage-${objective.id}`}>
              {t("okrEdit.keyResults")}
            </Title>
            <Text size="xs" c="dimmed">
              {t("okrEdit.keyResultsHelp")}
            </Text>
          </div>
          {access.editsObjective && (
            <Button size="xs" leftSection={<IconPlus size={14} />} onClick={() => setAdding(true)}>
              {t("okrEdit.addKr")}
            </Button>
          )}
        </Group>
        {krs.length === 0 && (
          <Text size="sm" c="dimmed">
            {t("okrEdit.noKeyResults")}
          </Text>
        )}
        <Stack gap={0} component="ol" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {krs.map((kr, i) => {
            const edits = access.editsKeyResult(kr);
            return (
              <Group
                key={kr.id}
                component="li"
                justify="space-between"
                wrap="nowrap"
                gap="xs"
                py={6}
                style={{ borderTop: i ? "1px solid var(--mantine-color-default-border)" : undefined }}
                aria-label={`${kr.title} (${t("okrEdit.place", { place: i + 1, count: krs.length })})`}
              >
                <Stack gap={0} style={{ minWidth: 0 }}>
                  <AppLink
                    to="/key-results/$keyResultId"
                    params={{ keyResultId: kr.id }}
                    size="sm"
                    style={{ overflowWrap: "anywhere" }}
                  >
                    {kr.title}
                  </AppLink>
                  <Text size="xs" c="dimmed">
                    {rangeOf(kr)}
                  </Text>
                </Stack>
                <Group gap={2} wrap="nowrap" style={{ flexShrink: 0 }}>
                  {access.editsObjective && (
                    <>
                      <Tooltip label={t("okrEdit.moveUp", { title: kr.title })} openDelay={400}>
                        <ActionIcon
                          id={moveButtonId(kr.id, "up")}
                          variant="subtle"
                          aria-label={t("okrEdit.moveUp", { title: kr.title })}
                          disabled={i === 0}
                          onClick={() => request(kr, "up")}
                        >
                          <IconArrowUp size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label={t("okrEdit.moveDown", { title: kr.title })} openDelay={400}>
                        <ActionIcon
                          id={moveButtonId(kr.id, "down")}
                          variant="subtle"
                          aria-label={t("okrEdit.moveDown", { title: kr.title })}
                          disabled={i === krs.length - 1}
                          onClick={() => request(kr, "down")}
                        >
                          <IconArrowDown size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </>
                  )}
                  {edits && (
                    <>
                      <Tooltip label={t("okrEdit.editNamed", { title: kr.title })} openDelay={400}>
                        <ActionIcon
                          variant="subtle"
                          aria-label={t("okrEdit.editNamed", { title: kr.title })}
                          onClick={() => setEditing(kr)}
                        >
                          <IconPencil size={16} />
                        </ActionIcon>
                      </Tooltip>
                      <Tooltip label={t("okrEdit.deleteNamed", { title: kr.title })} openDelay={400}>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={t("okrEdit.deleteNamed", { title: kr.title })}
                          onClick={() => setDeleting(kr)}
                        >
                          <IconTrash size={16} />
                        </ActionIcon>
                      </Tooltip>
                    </>
                  )}
                </Group>
              </Group>
            );
          })}
        </Stack>
      </Stack>
      {adding && (
        <KeyResultDialog
          opened
          onClose={() => setAdding(false)}
          objectiveId={objective.id}
          defaultOwners={objective.ownerIds}
        />
      )}
      {editing && <KeyResultDialog key={editing.id} opened kr={editing} onClose={() => setEditing(null)} />}
      <KeyResultDeleteDialog kr={deleting} onClose={() => setDeleting(null)} />
    </Card>
  );
}
