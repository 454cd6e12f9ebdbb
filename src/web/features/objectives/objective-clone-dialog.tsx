/**
 * Clones an objective once asked: which period the copy goes to (open periods only) and its
 * title. The copy is a draft with copies of the key results; progress is not copied.
 */
import { Select, Text, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { DialogFooter } from "../../components/dialog-footer.js";
import { FormDialog } from "../../components/form-dialog.js";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-lifecycle.js";
import { invalidateForChange } from "../../lib/live.js";
import { usePeriods } from "../../lib/queries.js";
import type { Objective } from "../../lib/types.js";
import { saveProblem } from "../key-results/key-result-dialog.js";

/** A draft copy of `objective` in `periodId` titled `title`, with copies of its key results. */
async function cloneObjective(objective: Objective, title: string, periodId: string): Promise<Objective> {
  const copy = await api<Objective>("POST", "/objectives", {
    title,
    description: objective.description,
    level: objective.level,
    teamId: objective.teamId,
    ownerIds: objective.ownerIds,
    periodId,
    committed: objective.committed,
    visibility: objective.visibility,
    state: "draft",
  });
  // Key-result dates belong to the original's period: a copy elsewhere follows its own period.
  const samePeriod = periodId === objective.periodId;
  for (const k of objective.keyResults) {
    await api("POST", `/objectives/${copy.id}/key-results`, {
      title: k.title,
      description: k.description,
      type: k.type,
      unit: k.unit,
      currency: k.currency,
      start: k.start,
      target: k.target,
      baselineConfirmed: k.baselineConfirmed,
      startDate: samePeriod ? k.startDate : null,
      endDate: samePeriod ? k.endDate : null,
      plan: samePeriod ? k.plan : null,
      weight: k.weight,
      ownerIds: k.ownerIds,
      delegateIds: k.delegateIds,
      progressMode: k.progressMode,
      rollup: k.rollup,
    });
  }
  return copy;
}

export function ObjectiveCloneDialog({ objective, onClose }: { objective: Objective; onClose: () => void }) {
  const periods = usePeriods();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState(t("lifecycle.copySuffix", { title: objective.title }));
  const [periodId, setPeriodId] = useState<string | null>(objective.periodId);
  const [missing, setMissing] = useState(false);
  const open = (periods.data?.items ?? []).filter((p) => !p.closedAt || p.id === objective.periodId);
  const clone = useMutation({
    mutationFn: () => cloneObjective(objective, title.trim(), periodId ?? objective.periodId),
    onSuccess: (copy) => {
      void invalidateForChange(queryClient, { type: "objective.created", objectType: "objective" });
      onClose();
      void navigate({ to: "/objectives/$objectiveId", params: { objectiveId: copy.id } });
    },
  });
  return (
    <FormDialog
      opened
      onClose={onClose}
      title={t("lifecycle.cloneTitle", { title: objective.title })}
      onSubmit={() => {
        if (!title.trim()) {
          setMissing(true);
          return;
        }
        if (!clone.isPending) clone.mutate();
      }}
    >
      <Text size="sm">{t("lifecycle.cloneIntro")}</Text>
      <TextInput
        label={t("lifecycle.cloneName")}
        value={title}
        onChange={(e) => {
          setTitle(e.currentTarget.value);
          setMissing(false);
        }}
        error={missing ? t("lifecycle.cloneNameMissing") : undefined}
        withAsterisk
        data-autofocus
      />
      <Select
        label={t("lifecycle.clonePeriod")}
        description={t("lifecycle.clonePeriodHint")}
        data={open.map((p) => ({ value: p.id, label: p.name }))}
        value={periodId}
        onChange={setPeriodId}
        allowDeselect={false}
        searchable
      />
      {clone.error && (
        <Text size="sm" c="red.8" role="alert">
          {saveProblem(clone.error)}
        </Text>
      )}
      <DialogFooter onCancel={onClose} submitLabel={t("lifecycle.cloneSubmit")} loading={clone.isPending} />
    </FormDialog>
  );
}
