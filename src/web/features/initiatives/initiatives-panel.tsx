/**
 * An objective's initiatives (the work we believe moves its key results): listed for everyone;
 * added, changed and deleted by those who may plan work on it — the objective's editors,
 * an initiative's own owners for that initiative — as the server decides (initiative.service.ts).
 */
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Group,
  NumberInput,
  Progress,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconPencil, IconPlus, IconTrash } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { OwnerNames } from "../../components/owner-names.js";
import { QueryState } from "../../components/query-state.js";
import { ApiError, api } from "../../lib/api.js";
import { percent } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-periods.js";
import { invalidateForChange } from "../../lib/live.js";
import { mayAdminister, mayContribute, mayEditObjective } from "../../lib/permissions.js";
import { fetchAll, keys, useMe, useObjective } from "../../lib/queries.js";
import type { Objective } from "../../lib/types.js";
import { useEditGraph } from "../periods/use-edit-graph.js";
import { PeopleMultiSelect } from "../pickers/pickers.js";

type Initiative = import("../../lib/types.js").Initiative;

const STATES = ["planned", "inProgress", "done", "cancelled"] as const;
const STATE_COLOR: Record<string, string> = { planned: "gray", inProgress: "blue", done: "teal", cancelled: "red" };

function day(isoDate: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(`${isoDate}T00:00:00Z`),
  );
}

function InitiativeDialog({
  opened,
  onClose,
  objective,
  initiative,
}: DialogProps & { objective: Objective; initiative?: Initiative }) {
  const queryClient = useQueryClient();
  const blank = {
    title: "",
    description: "",
    ownerIds: [] as string[],
    state: "planned",
    progress: "" as number | string,
    keyResultId: null as string | null,
    startDate: "",
    endDate: "",
  };
  const [form, setForm] = useState(
    initiative
      ? {
          title: initiative.title,
          description: initiative.description,
          ownerIds: initiative.ownerIds,
          state: initiative.state,
          progress: initiative.progress === null ? "" : Math.round(initiative.progress * 1000) / 10,
          keyResultId: initiative.keyResultId,
          startDate: initiative.startDate ?? "",
          endDate: initiative.endDate ?? "",
        }
      : blank,
  );
  const [initial] = useState(form);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        title: form.title.trim(),
        description: form.description,
        ownerIds: form.ownerIds,
        state: form.state,
        progress: typeof form.progress === "number" ? form.progress / 100 : null,
        keyResultId: form.keyResultId,
        startDate: form.startDate || null,
        endDate: form.endDate || null,
      };
      return initiative
        ? api("PATCH", `/initiatives/${initiative.id}`, { ...body, version: initiative.version })
        : api("POST", "/initiatives", { ...body, objectiveId: objective.id });
    },
    onSuccess: async () => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: initiative ? t("initiativesPanel.saved") : t("initiativesPanel.created"),
      });
      await invalidateForChange(queryClient, {
        type: initiative ? "initiative.updated" : "initiative.created",
        objectType: "initiative",
      });
      if (!initiative) setForm(blank);
      onClose();
    },
  });
  const details = save.error instanceof ApiError ? ((save.error.details as string[] | null) ?? []) : [];
  const err = (f: string) =>
    details
      .find((d) => d.startsWith(`${f}:`))
      ?.slice(f.length + 1)
      .trim();
  const orderError =
    form.startDate && form.endDate && form.endDate < form.startDate ? t("initiativesPanel.datesOrder") : undefined;
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={
        initiative ? t("initiativesPanel.editTitle", { title: initiative.title }) : t("initiativesPanel.createTitle")
      }
      discard={{ dirty: JSON.stringify(form) !== JSON.stringify(initial), question: t("okrEdit.discardTitle") }}
      onSubmit={() => save.mutate()}
      size="lg"
    >
      <TextInput
        label={t("initiativesPanel.name")}
        value={form.title}
        onChange={(e) => setForm({ ...form, title: e.currentTarget.value })}
        required
        error={err("title")}
        data-autofocus
      />
      <Textarea
        label={t("initiativesPanel.description")}
        value={form.description}
        onChange={(e) => setForm({ ...form, description: e.currentTarget.value })}
        autosize
        minRows={2}
        error={err("description")}
      />
      <PeopleMultiSelect
        label={t("initiativesPanel.owners")}
        value={form.ownerIds}
        onChange={(v) => setForm({ ...form, ownerIds: v })}
        error={err("ownerIds")}
      />
      <Group grow align="flex-start">
        <Select
          label={t("initiativesPanel.state")}
          data={STATES.map((s) => ({ value: s, label: t(`initiativesPanel.states.${s}`) }))}
          value={form.state}
          onChange={(v) => setForm({ ...form, state: v ?? "planned" })}
          allowDeselect={false}
        />
        <NumberInput
          label={t("initiativesPanel.progress")}
          description={t("initiativesPanel.progressHint")}
          value={form.progress}
          onChange={(v) => setForm({ ...form, progress: v })}
          min={0}
          max={100}
          clampBehavior="strict"
          error={err("progress")}
        />
      </Group>
      <Select
        label={t("initiativesPanel.keyResult")}
        placeholder={t("initiativesPanel.noKeyResult")}
        data={objective.keyResults.map((k) => ({ value: k.id, label: k.title }))}
        value={form.keyResultId}
        onChange={(v) => setForm({ ...form, keyResultId: v })}
        clearable
        error={err("keyResultId")}
      />
      <Group grow align="flex-start">
        <TextInput
          type="date"
          label={t("initiativesPanel.start")}
          value={form.startDate}
          onChange={(e) => setForm({ ...form, startDate: e.currentTarget.value })}
          error={err("startDate")}
        />
        <TextInput
          type="date"
          label={t("initiativesPanel.due")}
          value={form.endDate}
          onChange={(e) => setForm({ ...form, endDate: e.currentTarget.value })}
          error={err("endDate") ?? orderError}
        />
      </Group>
      {save.error && details.length === 0 && (
        <Alert color="red" title={t("initiativesPanel.failed")} role="alert">
          {save.error.message}
        </Alert>
      )}
      <DialogFooter
        onCancel={onClose}
        submitLabel={initiative ? t("initiativesPanel.save") : t("initiativesPanel.create")}
        loading={save.isPending}
        disabled={!form.title.trim() || !!orderError}
      />
    </FormDialog>
  );
}

function DeleteInitiative({ initiative, onClose }: { initiative: Initiative | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (i: Initiative) => api("DELETE", `/initiatives/${i.id}`),
    onSuccess: async () => {
      await invalidateForChange(queryClient, { type: "initiative.deleted", objectType: "initiative" });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      subject={initiative}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title={initiative ? t("initiativesPanel.deleteTitle", { title: initiative.title }) : ""}
      error={remove.error}
      errorTitle={t("initiativesPanel.failed")}
      confirmLabel={t("initiativesPanel.deleteConfirm")}
      confirmColor="red"
      loading={remove.isPending}
      onConfirm={(i) => remove.mutate(i)}
    >
      {(i) => <Text size="sm">{t("initiativesPanel.deleteQuestion", { title: i.title })}</Text>}
    </ConfirmDialog>
  );
}

function Panel({ objective }: { objective: Objective }) {
  const me = useMe();
  const graph = useEditGraph(objective);
  const mayPlan = objective.state !== "closed" && mayEditObjective(me.data, objective, graph);
  const mayChange = (i: Initiative) =>
    objective.state !== "closed" &&
    (mayPlan ||
      (mayContribute(me.data) && (mayAdminister(me.data) || (!!me.data && i.ownerIds.includes(me.data.user.id)))));
  const initiatives = useQuery({
    queryKey: keys.initiativesOf(objective.id),
    queryFn: () => fetchAll<Initiative>("/initiatives", { objectiveId: objective.id }),
  });
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Initiative | null>(null);
  const [deleting, setDeleting] = useState<Initiative | null>(null);
  const krTitle = new Map(objective.keyResults.map((k) => [k.id, k.title]));
  return (
    <Card withBorder>
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          {t("initiativesPanel.title")}
        </Title>
        {mayPlan ? (
          <Button
            size="xs"
            variant="light"
            leftSection={<IconPlus size={14} aria-hidden />}
            onClick={() => setCreating(true)}
          >
            {t("initiativesPanel.add")}
          </Button>
        ) : (
          objective.state !== "closed" &&
          mayContribute(me.data) && (
            <Tooltip label={t("initiativesPanel.noPlan")} multiline w={260}>
              <Button size="xs" variant="light" leftSection={<IconPlus size={14} aria-hidden />} disabled data-disabled>
                {t("initiativesPanel.add")}
              </Button>
            </Tooltip>
          )
        )}
      </Group>
      <QueryState query={initiatives} isEmpty={(d) => d.items.length === 0} empty={t("initiativesPanel.none")}>
        {(d) => (
          <Stack gap="sm">
            {d.items.map((i) => (
              <Stack key={i.id} gap={4}>
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <Stack gap={2} style={{ minWidth: 0 }}>
                    <Text size="sm" fw={500} style={{ overflowWrap: "anywhere" }}>
                      {i.title}
                    </Text>
                    <Group gap={6}>
                      <Badge size="sm" variant="light" color={STATE_COLOR[i.state] ?? "gray"}>
                        {t(`initiativesPanel.states.${i.state}`)}
                      </Badge>
                      {i.endDate && (
                        <Text size="xs" c="dimmed">
                          {t("initiativesPanel.dueShort", { date: day(i.endDate) })}
                        </Text>
                      )}
                      {i.keyResultId && krTitle.has(i.keyResultId) && (
                        <Text size="xs" c="dimmed">
                          → {krTitle.get(i.keyResultId)}
                        </Text>
                      )}
                    </Group>
                    {i.ownerIds.length > 0 && <OwnerNames ids={i.ownerIds} />}
                  </Stack>
                  {mayChange(i) && (
                    <Group gap={4} wrap="nowrap">
                      <ActionIcon
                        variant="subtle"
                        onClick={() => setEditing(i)}
                        aria-label={t("initiativesPanel.editLabel", { title: i.title })}
                      >
                        <IconPencil size={16} aria-hidden />
                      </ActionIcon>
                      <ActionIcon
                        variant="subtle"
                        color="red"
                        onClick={() => setDeleting(i)}
                        aria-label={t("initiativesPanel.deleteLabel", { title: i.title })}
                      >
                        <IconTrash size={16} aria-hidden />
                      </ActionIcon>
                    </Group>
                  )}
                </Group>
                {i.progress !== null && (
                  <Group gap="xs" wrap="nowrap">
                    <Progress
                      value={i.progress * 100}
                      size="sm"
                      style={{ flex: 1 }}
                      aria-label={`${t("initiativesPanel.progress")}: ${i.title}`}
                    />
                    <Text size="xs">{percent(i.progress)}</Text>
                  </Group>
                )}
              </Stack>
            ))}
          </Stack>
        )}
      </QueryState>
      {creating && <InitiativeDialog opened objective={objective} onClose={() => setCreating(false)} />}
      {editing && (
        <InitiativeDialog
          key={editing.id}
          opened
          objective={objective}
          initiative={editing}
          onClose={() => setEditing(null)}
        />
      )}
      <DeleteInitiative initiative={deleting} onClose={() => setDeleting(null)} />
    </Card>
  );
}

/** The initiatives card of an objective's page. */
export function InitiativesPanel({ objectiveId }: { objectiveId: string }) {
  const objective = useObjective(objectiveId);
  return objective.data ? <Panel objective={objective.data} /> : null;
}
