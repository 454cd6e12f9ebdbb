/**
 * Edit an objective: every field the API lets you change (title, description, level, team,
 * owners, period, committed, private, progress set by hand). Sends the version it started
 * from, so a concurrent change is reported (409) instead of silently overwritten. Publishing
 * a draft and closing are their own actions on the page.
 */
import { Alert, Group, NumberInput, Select, Text, Textarea, TextInput } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import { usePeriods } from "../../lib/queries.js";
import type { Objective } from "../../lib/types.js";
import { saveProblem } from "../key-results/key-result-dialog.js";
import { PeopleMultiSelect, TeamSelect } from "../pickers/pickers.js";
import { LevelSelect, ObjectiveFlags } from "./objective-fields.js";

/** The longest title the API takes (TitleSchema(500)). */
const TITLE_MAX = 500;

export function ObjectiveEditDialog({ objective, opened, onClose }: DialogProps & { objective: Objective }) {
  const queryClient = useQueryClient();
  const periods = usePeriods();
  const [title, setTitle] = useState(objective.title);
  const [description, setDescription] = useState(objective.description);
  const [level, setLevel] = useState(objective.level);
  const [teamId, setTeamId] = useState<string | null>(objective.teamId);
  const [ownerIds, setOwnerIds] = useState(objective.ownerIds);
  const [periodId, setPeriodId] = useState(objective.periodId);
  const [committed, setCommitted] = useState(objective.committed);
  const [isPrivate, setPrivate] = useState(objective.visibility === "private");
  const [override, setOverride] = useState<number | "">(
    objective.progressOverride === null ? "" : Math.round(objective.progressOverride * 100),
  );
  const needsTeam = level === "team" && !teamId;
  const noOwner = ownerIds.length === 0;
  const dirty =
    title !== objective.title ||
    description !== objective.description ||
    level !== objective.level ||
    teamId !== objective.teamId ||
    ownerIds.join() !== objective.ownerIds.join() ||
    periodId !== objective.periodId ||
    committed !== objective.committed ||
    isPrivate !== (objective.visibility === "private") ||
    (override === "" ? null : override / 100) !== objective.progressOverride;
  const titleProblem = !title.trim()
    ? t("okrEdit.problem.title")
    : title.trim().length > TITLE_MAX
      ? t("create.titleTooLong", { max: TITLE_MAX, count: title.trim().length })
      : null;
  const save = useMutation({
    mutationFn: () =>
      api("PATCH", `/objectives/${objective.id}`, {
        version: objective.version,
        title: title.trim(),
        description,
        level,
        teamId,
        ownerIds,
        periodId,
        committed,
        visibility: isPrivate ? "private" : "public",
        progressOverride: override === "" ? null : override / 100,
      }),
    onSettled: () => void invalidateForChange(queryClient, { type: "objective.updated", objectType: "objective" }),
    onSuccess: onClose,
  });
  const periodOptions = (periods.data?.items ?? [])
    .filter((p) => !p.closedAt || p.id === objective.periodId)
    .map((p) => ({ value: p.id, label: p.name }));
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={t("edit.objective")}
      size="lg"
      onSubmit={() => !needsTeam && !noOwner && !titleProblem && save.mutate()}
      discard={{ dirty, question: t("okrEdit.discardTitle") }}
    >
      <TextInput
        data-autofocus
        label={t("common.title")}
        value={title}
        onChange={(e) => setTitle(e.currentTarget.value)}
        required
        error={title.trim().length > TITLE_MAX ? titleProblem : undefined}
      />
      <Textarea
        label={t("edit.description")}
        value={description}
        onChange={(e) => setDescription(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      <Group grow align="flex-start">
        <LevelSelect value={level} onChange={setLevel} />
        <TeamSelect
          label={t("common.team")}
          value={teamId}
          onChange={setTeamId}
          clearable
          error={needsTeam ? t("okrEdit.needsTeam") : undefined}
        />
      </Group>
      <Group grow align="flex-start">
        <PeopleMultiSelect
          label={t("common.owners")}
          value={ownerIds}
          onChange={setOwnerIds}
          error={noOwner ? t("create.ownerMissing") : undefined}
        />
        <Select
          label={t("common.period")}
          data={periodOptions}
          value={periodId}
          onChange={(v) => v && setPeriodId(v)}
          allowDeselect={false}
          searchable
        />
      </Group>
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
      {save.error && (
        <Alert color="red" title={t("okrEdit.failed")} role="alert">
          <Text size="sm">{saveProblem(save.error)}</Text>
        </Alert>
      )}
      <DialogFooter
        onCancel={onClose}
        submitLabel={t("common.save")}
        loading={save.isPending}
        disabled={needsTeam || noOwner || !!titleProblem}
      />
    </FormDialog>
  );
}
