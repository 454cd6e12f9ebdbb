/**
 * Add a key result to an objective, or edit one: every field the API takes (title,
 * description, how it is measured, start, target, unit, currency, dates, phased plan,
 * owners, delegates, where progress comes from, weight). An edit sends the version it
 * started from, so a concurrent change is reported (409) instead of overwritten.
 */
import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { IconPlus, IconTrash } from "@tabler/icons-react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { validateKeyResultTargets } from "../../../domain/progress.js";
import { KR_TYPES, type KrType } from "../../../domain/types.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import { invalidateForChange } from "../../lib/live.js";
import type { KeyResult } from "../../lib/types.js";
import { PeopleMultiSelect } from "../pickers/pickers.js";

/** The longest title the API takes (TitleSchema(500)). */
const TITLE_MAX = 500;
const UNITS = ["number", "percent", "currency"] as const;
const METHODS = ["mean", "sum", "proportional"] as const;

type Num = number | "";
interface PlanRow {
  key: number;
  date: string;
  value: Num;
}

interface KrForm {
  title: string;
  description: string;
  type: KrType;
  unit: KeyResult["unit"];
  currency: string;
  start: Num;
  target: Num;
  baselineConfirmed: boolean;
  startDate: string;
  endDate: string;
  plan: PlanRow[];
  ownerIds: string[];
  delegateIds: string[];
  progressMode: KeyResult["progressMode"];
  rollup: KeyResult["rollup"];
  override: Num;
  weight: number;
}

let nextKey = 0;
const numOrNull = (v: Num) => (v === "" ? null : v);
const toNum = (v: string | number): Num => (v === "" ? "" : Number(v));

function formOf(kr: KeyResult | null, defaultOwners: string[]): KrForm {
  return {
    title: kr?.title ?? "",
    description: kr?.description ?? "",
    type: kr?.type ?? "increase",
    unit: kr?.unit ?? "number",
    currency: kr?.currency ?? "",
    start: kr?.start ?? "",
    target: kr?.target ?? "",
    baselineConfirmed: kr?.baselineConfirmed ?? true,
    startDate: kr?.startDate ?? "",
    endDate: kr?.endDate ?? "",
    plan: (kr?.plan ?? []).map((p) => ({ key: nextKey++, date: p.date, value: p.value })),
    ownerIds: kr?.ownerIds ?? defaultOwners,
    delegateIds: kr?.delegateIds ?? [],
    progressMode: kr?.progressMode ?? "manual",
    rollup: kr?.rollup ?? "mean",
    override: kr?.progressOverride == null ? "" : Math.round(kr.progressOverride * 1000) / 10,
    weight: kr?.weight ?? 1,
  };
}

/** Which fields the type uses: a start for "from → to" and baselines, a target for all but milestones and baselines. */
const usesStart = (type: KrType) => type === "increase" || type === "decrease" || type === "baseline";
const usesTarget = (type: KrType) => type !== "milestone" && type !== "baseline";
const usesPlan = (type: KrType) => type === "increase" || type === "decrease";

/** What is wrong with the form, in plain words, by field (empty when it can be saved). */
export function krFormProblems(f: KrForm): string[] {
  const out: string[] = [];
  const title = f.title.trim();
  if (!title) out.push(t("okrEdit.problem.title"));
  else if (title.length > TITLE_MAX) out.push(t("okrEdit.problem.titleLong", { max: TITLE_MAX, count: title.length }));
  const start = usesStart(f.type) ? numOrNull(f.start) : null;
  const target = usesTarget(f.type) ? numOrNull(f.target) : null;
  // The domain decides; the words here say it without the API's names.
  const found = validateKeyResultTargets({ type: f.type, start, target });
  if (found.some((p) => p.startsWith("start:"))) out.push(t("okrEdit.problem.start"));
  if (found.some((p) => p.startsWith("target:"))) {
    if (target === null) out.push(t("okrEdit.problem.target"));
    else if (start === target) out.push(t("okrEdit.problem.same"));
    else out.push(t(f.type === "increase" ? "okrEdit.problem.increase" : "okrEdit.problem.decrease"));
  }
  if (f.unit === "currency" && !/^[A-Z]{3}$/.test(f.currency)) out.push(t("okrEdit.problem.currency"));
  if (f.startDate && f.endDate && f.endDate < f.startDate) out.push(t("okrEdit.problem.dates"));
  if (usesPlan(f.type) && f.plan.length) {
    const dates = f.plan.map((p) => p.date);
    if (f.plan.some((p) => !p.date || p.value === "") || new Set(dates).size !== dates.length)
      out.push(t("okrEdit.problem.plan"));
  }
  if (f.progressMode === "rollup" && f.rollup === "sum" && (f.type === "milestone" || f.type === "baseline"))
    out.push(t("okrEdit.problem.sum"));
  return out;
}

/** The request body: every field, with those the type does not use cleared. */
function bodyOf(f: KrForm) {
  const plan = usesPlan(f.type) ? f.plan.map((p) => ({ date: p.date, value: p.value as number })) : [];
  return {
    title: f.title.trim(),
    description: f.description,
    type: f.type,
    unit: f.unit,
    currency: f.unit === "currency" ? f.currency : null,
    start: usesStart(f.type) ? numOrNull(f.start) : null,
    target: usesTarget(f.type) ? numOrNull(f.target) : null,
    baselineConfirmed: f.baselineConfirmed,
    startDate: f.startDate || null,
    endDate: f.endDate || null,
    plan: plan.length ? [...plan].sort((a, b) => a.date.localeCompare(b.date)) : null,
    ownerIds: f.ownerIds,
    delegateIds: f.delegateIds,
    progressMode: f.progressMode,
    rollup: f.rollup,
    progressOverride: f.progressMode === "rollup" && f.override !== "" ? f.override / 100 : null,
    weight: f.weight,
  };
}

/** Why saving failed: the server's message and each bad field, or the conflict in plain words. */
export function saveProblem(err: unknown): string {
  if (err instanceof ApiError && err.code === "VERSION_CONFLICT") return t("okrEdit.conflict");
  if (err instanceof ApiError && Array.isArray(err.details) && err.details.length)
    return [err.message, ...(err.details as string[])].join(" ");
  return err instanceof Error ? err.message : String(err);
}

/** The dialog: `kr` to edit one, or `objectiveId` (with its owners as the default) to add one. */
export function KeyResultDialog({
  opened,
  onClose,
  kr,
  objectiveId,
  defaultOwners = [],
}: DialogProps & { kr?: KeyResult; objectiveId?: string; defaultOwners?: string[] }) {
  const queryClient = useQueryClient();
  const [initial] = useState<KrForm>(() => formOf(kr ?? null, defaultOwners));
  const [form, setForm] = useState<KrForm>(initial);
  const [touched, setTouched] = useState(!!kr);
  const set = (patch: Partial<KrForm>) => {
    setTouched(true);
    setForm((f) => ({ ...f, ...patch }));
  };
  const setPlan = (key: number, patch: Partial<PlanRow>) =>
    set({ plan: form.plan.map((p) => (p.key === key ? { ...p, ...patch } : p)) });
  const problems = krFormProblems(form);
  const save = useMutation({
    mutationFn: () =>
      kr
        ? api<KeyResult>("PATCH", `/key-results/${kr.id}`, { version: kr.version, ...bodyOf(form) })
        : api<KeyResult>("POST", `/objectives/${objectiveId}/key-results`, bodyOf(form)),
    onSettled: () =>
      void invalidateForChange(queryClient, {
        type: kr ? "keyResult.updated" : "keyResult.created",
        objectType: "keyResult",
      }),
    onSuccess: onClose,
  });
  const unitSuffix =
    form.unit === "percent" ? " %" : form.unit === "currency" && form.currency ? ` ${form.currency}` : "";
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={kr ? t("edit.keyResult") : t("okrEdit.addKrTitle")}
      size="lg"
      onSubmit={() => problems.length === 0 && save.mutate()}
      discard={{
        dirty: JSON.stringify(form) !== JSON.stringify(initial),
        question: t(kr ? "okrEdit.discardTitle" : "okrEdit.discardKrTitle"),
      }}
    >
      <TextInput
        label={t("common.title")}
        value={form.title}
        onChange={(e) => set({ title: e.currentTarget.value })}
        required
        data-autofocus
      />
      <Textarea
        label={t("okrEdit.description")}
        value={form.description}
        onChange={(e) => set({ description: e.currentTarget.value })}
        autosize
        minRows={2}
      />
      <Select
        label={t("okrEdit.type")}
        description={t(`okrEdit.typeHelp.${form.type}`)}
        data={KR_TYPES.map((x) => ({ value: x, label: t(`krType.${x}`) }))}
        value={form.type}
        onChange={(v) => v && set({ type: v as KrType })}
        allowDeselect={false}
      />
      <Group grow align="flex-start">
        {usesStart(form.type) && (
          <NumberInput
            label={t("okrEdit.start")}
            value={form.start}
            onChange={(v) => set({ start: toNum(v) })}
            suffix={unitSuffix}
          />
        )}
        {usesTarget(form.type) && (
          <NumberInput
            label={
              form.type === "stayAbove" || form.type === "stayBelow" ? t("okrEdit.threshold") : t("okrEdit.target")
            }
            value={form.target}
            onChange={(v) => set({ target: toNum(v) })}
            suffix={unitSuffix}
          />
        )}
        <Select
          label={t("okrEdit.unit")}
          data={UNITS.map((u) => ({ value: u, label: t(`unit.${u}`) }))}
          value={form.unit}
          onChange={(v) => v && set({ unit: v as KrForm["unit"] })}
          allowDeselect={false}
        />
        {form.unit === "currency" && (
          <TextInput
            label={t("okrEdit.currency")}
            description={t("okrEdit.currencyHelp")}
            value={form.currency}
            maxLength={3}
            onChange={(e) => set({ currency: e.currentTarget.value.toUpperCase() })}
          />
        )}
      </Group>
      {usesStart(form.type) && (
        <Checkbox
          label={t("okrEdit.baselineConfirmed")}
          checked={form.baselineConfirmed}
          onChange={(e) => set({ baselineConfirmed: e.currentTarget.checked })}
        />
      )}
      <Group grow align="flex-start">
        <TextInput
          type="date"
          label={t("okrEdit.startDate")}
          description={t("okrEdit.datesHelp")}
          value={form.startDate}
          onChange={(e) => set({ startDate: e.currentTarget.value })}
        />
        <TextInput
          type="date"
          label={t("okrEdit.endDate")}
          description={t("okrEdit.datesHelp")}
          value={form.endDate}
          onChange={(e) => set({ endDate: e.currentTarget.value })}
        />
      </Group>
      {usesPlan(form.type) && (
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t("okrEdit.plan")}
          </Text>
          <Text size="xs" c="dimmed">
            {t("okrEdit.planHelp")}
          </Text>
          {form.plan.map((p) => (
            <Group key={p.key} gap="xs" align="flex-end" wrap="nowrap">
              <TextInput
                type="date"
                label={t("okrEdit.planDate")}
                value={p.date}
                onChange={(e) => setPlan(p.key, { date: e.currentTarget.value })}
              />
              <NumberInput
                label={t("okrEdit.planValue")}
                value={p.value}
                onChange={(v) => setPlan(p.key, { value: toNum(v) })}
                suffix={unitSuffix}
              />
              <ActionIcon
                variant="subtle"
                color="red"
                mb={4}
                aria-label={t("okrEdit.removePlanPoint", { date: p.date || "…" })}
                onClick={() => set({ plan: form.plan.filter((x) => x.key !== p.key) })}
              >
                <IconTrash size={16} />
              </ActionIcon>
            </Group>
          ))}
          <Group>
            <Button
              variant="subtle"
              size="xs"
              leftSection={<IconPlus size={14} />}
              onClick={() => set({ plan: [...form.plan, { key: nextKey++, date: "", value: "" }] })}
            >
              {t("okrEdit.addPlanPoint")}
            </Button>
          </Group>
        </Stack>
      )}
      <PeopleMultiSelect label={t("okrEdit.owners")} value={form.ownerIds} onChange={(ownerIds) => set({ ownerIds })} />
      <PeopleMultiSelect
        label={t("okrEdit.delegates")}
        description={t("okrEdit.delegatesHelp")}
        value={form.delegateIds}
        onChange={(delegateIds) => set({ delegateIds })}
      />
      <Group grow align="flex-start">
        <Select
          label={t("okrEdit.mode")}
          data={[
            { value: "manual", label: t("okrEdit.modeManual") },
            { value: "rollup", label: t("okrEdit.modeRollup") },
          ]}
          value={form.progressMode}
          onChange={(v) => v && set({ progressMode: v as KrForm["progressMode"] })}
          allowDeselect={false}
        />
        <NumberInput
          label={t("okrEdit.weight")}
          description={t("okrEdit.weightHelp")}
          value={form.weight}
          min={0}
          onChange={(v) => set({ weight: Number(v) || 0 })}
        />
      </Group>
      {form.progressMode === "rollup" && (
        <Group grow align="flex-start">
          <Select
            label={t("okrEdit.method")}
            description={t(`okrEdit.methodHelp.${form.rollup}`)}
            data={METHODS.map((m) => ({ value: m, label: t(`edit.method.${m}`) }))}
            value={form.rollup}
            onChange={(v) => v && set({ rollup: v as KrForm["rollup"] })}
            allowDeselect={false}
          />
          <NumberInput
            label={t("okrEdit.override")}
            description={t("okrEdit.overrideHelp")}
            value={form.override}
            onChange={(v) => set({ override: toNum(v) })}
            min={0}
            max={1000}
            suffix=" %"
            hideControls
          />
        </Group>
      )}
      {touched && problems.length > 0 && (
        <Alert color="yellow" role="alert">
          <Stack gap={2}>
            {problems.map((p) => (
              <Text key={p} size="sm">
                {p}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
      {save.error && (
        <Alert color="red" title={t("okrEdit.failed")} role="alert">
          {saveProblem(save.error)}
        </Alert>
      )}
      <DialogFooter
        onCancel={onClose}
        submitLabel={kr ? t("common.save") : t("okrEdit.create")}
        loading={save.isPending}
        disabled={problems.length > 0}
      />
    </FormDialog>
  );
}
