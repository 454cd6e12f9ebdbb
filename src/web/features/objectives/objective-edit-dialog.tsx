/**
 * Edit an objective or one of its key results. Sends the version it started from, so a
 * concurrent change is reported (409) instead of silently overwritten.
 */
import { Group, NumberInput, Select, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { validateKeyResultTargets } from "../../../domain/progress.js";
import { KR_TYPES, type KrType } from "../../../domain/types.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { KeyResult, Objective } from "../../lib/types.js";
import { PeopleMultiSelect, TeamSelect } from "../pickers/pickers.js";
import { LevelSelect, ObjectiveFlags } from "./objective-fields.js";

function problemText(err: unknown): string {
  if (err instanceof ApiError && err.code === "VERSION_CONFLICT") return t("edit.conflict");
  if (err instanceof ApiError && Array.isArray(err.details)) return (err.details as string[]).join(" ");
  return err instanceof Error ? err.message : String(err);
}

/** Why saving failed, if it did. */
function SaveProblem({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <Text c="red" size="sm" role="alert">
      {problemText(error)}
    </Text>
  );
}

export function ObjectiveEditDialog({ objective, opened, onClose }: DialogProps & { objective: Objective }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(objective.title);
  const [description, setDescription] = useState(objective.description);
  const [level, setLevel] = useState(objective.level);
  const [teamId, setTeamId] = useState<string | null>(objective.teamId);
  const [ownerIds, setOwnerIds] = useState(objective.ownerIds);
  const [committed, setCommitted] = useState(objective.committed);
  const [isPrivate, setPrivate] = useState(objective.visibility === "private");
  const [override, setOverride] = useState<number | "">(
    objective.progressOverride === null ? "" : Math.round(objective.progressOverride * 100),
  );
  const save = useMutation({
    mutationFn: () =>
      api("PATCH", `/objectives/${objective.id}`, {
        version: objective.version,
        title,
        description,
        level,
        teamId,
        ownerIds,
        committed,
        visibility: isPrivate ? "private" : "public",
        progressOverride: override === "" ? null : override / 100,
      }),
    onSettled: () => void invalidateForChange(queryClient, { type: "objective.updated", objectType: "objective" }),
    onSuccess: onClose,
  });
  return (
    <FormDialog opened={opened} onClose={onClose} title={t("edit.objective")} size="lg" onSubmit={() => save.mutate()}>
      <TextInput label={t("common.title")} value={title} onChange={(e) => setTitle(e.currentTarget.value)} required />
      <Textarea
        label={t("edit.description")}
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      <Group grow>
        <LevelSelect value={level} onChange={setLevel} />
        <TeamSelect label={t("common.team")} value={teamId} onChange={setTeamId} clearable />
      </Group>
      <PeopleMultiSelect label={t("common.owners")} value={ownerIds} onChange={setOwnerIds} />
      <ObjectiveFlags
        committed={committed}
        onCommittedChange={setCommitted}
        isPrivate={isPrivate}
        onPrivateChange={setPrivate}
      />
      <NumberInput
        label={t("edit.override")}
        description={t("edit.overrideHelp")}
        value={override}
        onChange={(v) => setOverride(v === "" ? "" : Number(v))}
        min={0}
        max={200}
        suffix=" %"
        hideControls
      />
      <SaveProblem error={save.error} />
      <DialogFooter onCancel={onClose} submitLabel={t("common.save")} loading={save.isPending} />
    </FormDialog>
  );
}

export function KeyResultEditDialog({ kr, opened, onClose }: DialogProps & { kr: KeyResult }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(kr.title);
  const [type, setType] = useState<KrType>(kr.type);
  const [start, setStart] = useState<number | "">(kr.start ?? "");
  const [target, setTarget] = useState<number | "">(kr.target ?? "");
  const [weight, setWeight] = useState<number>(kr.weight);
  const [ownerIds, setOwnerIds] = useState(kr.ownerIds);
  const [delegateIds, setDelegateIds] = useState(kr.delegateIds ?? []);
  const [mode, setMode] = useState(kr.progressMode);
  const [rollup, setRollup] = useState(kr.rollup);
  const problems = validateKeyResultTargets({
    type,
    start: start === "" ? null : start,
    target: target === "" ? null : target,
  });
  const save = useMutation({
    mutationFn: () =>
      api("PATCH", `/key-results/${kr.id}`, {
        version: kr.version,
        title,
        type,
        start: start === "" ? null : start,
        target: target === "" ? null : target,
        weight,
        ownerIds,
        delegateIds,
        progressMode: mode,
        rollup,
      }),
    onSettled: () => void invalidateForChange(queryClient, { type: "keyResult.updated", objectType: "keyResult" }),
    onSuccess: onClose,
  });
  return (
    <FormDialog opened={opened} onClose={onClose} title={t("edit.keyResult")} size="lg" onSubmit={() => save.mutate()}>
      <TextInput label={t("common.title")} value={title} onChange={(e) => setTitle(e.currentTarget.value)} required />
      <Group grow>
        <Select
          label={t("create.type")}
          data={KR_TYPES.map((x) => ({ value: x, label: t(`krType.${x}`) }))}
          value={type}
          onChange={(v) => v && setType(v as KrType)}
          allowDeselect={false}
        />
        <NumberInput label={t("create.start")} value={start} onChange={(v) => setStart(v === "" ? "" : Number(v))} />
        <NumberInput label={t("create.target")} value={target} onChange={(v) => setTarget(v === "" ? "" : Number(v))} />
        <NumberInput label={t("common.weight")} value={weight} min={0} onChange={(v) => setWeight(Number(v) || 0)} />
      </Group>
      {problems.length > 0 && (
        <Text size="sm" c="red" role="alert">
          {problems.join(" ")}
        </Text>
      )}
      <Group grow>
        <Select
          label={t("edit.mode")}
          data={[
            { value: "manual", label: t("edit.manual") },
            { value: "rollup", label: t("edit.rollup") },
          ]}
          value={mode}
          onChange={(v) => v && setMode(v as KeyResult["progressMode"])}
          allowDeselect={false}
        />
        <Select
          label={t("edit.rollupMethod")}
          data={["mean", "sum", "proportional"].map((m) => ({ value: m, label: t(`edit.method.${m}`) }))}
          value={rollup}
          onChange={(v) => v && setRollup(v as KeyResult["rollup"])}
          disabled={mode !== "rollup"}
          allowDeselect={false}
        />
      </Group>
      <PeopleMultiSelect label={t("common.owners")} value={ownerIds} onChange={setOwnerIds} />
      <PeopleMultiSelect
        label={t("edit.delegates")}
        description={t("edit.delegatesHelp")}
        value={delegateIds}
        onChange={setDelegateIds}
      />
      <SaveProblem error={save.error} />
      <DialogFooter
        onCancel={onClose}
        submitLabel={t("common.save")}
        loading={save.isPending}
        disabled={problems.length > 0}
      />
    </FormDialog>
  );
}
