/**
 * KPI dialogs: create or change a KPI (name, unit, healthy range, owners, linked objectives),
 * record a value, and delete one.
 */
import {
  Alert,
  type ComboboxItem,
  Group,
  MultiSelect,
  type MultiSelectProps,
  Select,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-periods.js";
import { invalidateForChange } from "../../lib/live.js";
import { useObjectivePages, useObjectivesById } from "../../lib/queries.js";
import { PeopleMultiSelect } from "../pickers/pickers.js";

export type Kpi = import("../../lib/types.js").Kpi;

function fieldErrors(error: Error | null): (field: string) => string | undefined {
  const details = error instanceof ApiError ? ((error.details as string[] | null) ?? []) : [];
  return (field) =>
    details
      .find((d) => d.startsWith(`${field}:`))
      ?.slice(field.length + 1)
      .trim();
}

const changed = (queryClient: ReturnType<typeof useQueryClient>, type: string) =>
  invalidateForChange(queryClient, { type, objectType: "kpi" });

/** Objectives found by title on the server; those selected are fetched by id so they always show. */
function ObjectiveMultiSelect({
  value,
  onChange,
  ...rest
}: Omit<MultiSelectProps, "data" | "value" | "onChange"> & { value: string[]; onChange: (v: string[]) => void }) {
  const [search, setSearch] = useState("");
  const [opened, setOpened] = useState(false);
  const [term] = useDebouncedValue(search.trim(), 250);
  const selected = useObjectivesById(value);
  const list = useObjectivePages({ q: term || undefined }, { pageSize: 20, enabled: opened });
  const options: ComboboxItem[] = value.map((id) => ({ value: id, label: selected.get(id)?.title ?? "…" }));
  for (const o of opened ? list.items : []) {
    if (!value.includes(o.id)) options.push({ value: o.id, label: o.title });
  }
  return (
    <MultiSelect
      {...rest}
      searchable
      data={options}
      value={value}
      onChange={onChange}
      searchValue={search}
      onSearchChange={setSearch}
      onDropdownOpen={() => setOpened(true)}
      filter={({ options: o }) => o}
      nothingFoundMessage={list.query.isFetching ? t("common.loading") : t("picker.nothing")}
    />
  );
}

const asText = (v: number | null) => (v === null ? "" : String(v));
const isNumber = (v: string) => v.trim() === "" || /^-?\d+(\.\d+)?$/.test(v.trim());

/** What is wrong with the healthy range as typed, per field, in the words of the form. */
function rangeErrors(min: string, max: string): { healthyMin?: string; healthyMax?: string } {
  if (!isNumber(min)) return { healthyMin: t("kpiEdit.notNumber") };
  if (!isNumber(max)) return { healthyMax: t("kpiEdit.notNumber") };
  if (min.trim() !== "" && max.trim() !== "" && Number(max) < Number(min)) {
    return { healthyMax: t("kpiEdit.maxBelowMin", { min: min.trim() }) };
  }
  return {};
}
const asDecimal = (v: string) => (v.trim() === "" ? null : v.trim());

/** Creates a KPI, or changes `kpi` when given. */
export function KpiDialog({ opened, onClose, kpi }: DialogProps & { kpi?: Kpi }) {
  const queryClient = useQueryClient();
  const blank = {
    name: "",
    description: "",
    unit: "number",
    currency: "",
    healthyMin: "",
    healthyMax: "",
    ownerIds: [] as string[],
    objectiveIds: [] as string[],
  };
  const [form, setForm] = useState(
    kpi
      ? {
          name: kpi.name,
          description: kpi.description,
          unit: kpi.unit,
          currency: kpi.currency ?? "",
          healthyMin: asText(kpi.healthyMin),
          healthyMax: asText(kpi.healthyMax),
          ownerIds: kpi.ownerIds,
          objectiveIds: kpi.objectiveIds,
        }
      : blank,
  );
  const [initial] = useState(form);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: form.name.trim(),
        description: form.description,
        unit: form.unit,
        currency: form.unit === "currency" ? form.currency.trim().toUpperCase() || null : null,
        healthyMin: asDecimal(form.healthyMin),
        healthyMax: asDecimal(form.healthyMax),
        objectiveIds: form.objectiveIds,
        ...(kpi || form.ownerIds.length ? { ownerIds: form.ownerIds } : {}),
      };
      return kpi
        ? api<Kpi>("PATCH", `/kpis/${kpi.id}`, { ...body, version: kpi.version })
        : api<Kpi>("POST", "/kpis", body);
    },
    onSuccess: async (k) => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: kpi ? t("kpiEdit.saved") : t("kpiEdit.created", { name: k.name }),
      });
      await changed(queryClient, kpi ? "kpi.updated" : "kpi.created");
      if (!kpi) setForm(blank);
      onClose();
    },
  });
  const serverErr = fieldErrors(save.error);
  const range = rangeErrors(form.healthyMin, form.healthyMax);
  const err = (field: string) =>
    (field === "healthyMin" || field === "healthyMax" ? range[field] : undefined) ?? serverErr(field);
  const fieldsWithServerError = [
    "name",
    "description",
    "currency",
    "healthyMin",
    "healthyMax",
    "ownerIds",
    "objectiveIds",
  ].filter((f) => serverErr(f));
  const blocker = !form.name.trim()
    ? t("kpiEdit.nameRequired")
    : range.healthyMin || range.healthyMax
      ? t("kpiEdit.fixRange")
      : null;
  const units = ["number", "percent", "currency"].map((u) => ({ value: u, label: t(`kpiEdit.units.${u}`) }));
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={kpi ? t("kpiEdit.editTitle", { name: kpi.name }) : t("kpiEdit.createTitle")}
      discard={{ dirty: JSON.stringify(form) !== JSON.stringify(initial), question: t("okrEdit.discardTitle") }}
      onSubmit={() => {
        if (!blocker) save.mutate();
      }}
      size="lg"
    >
      <TextInput
        label={t("kpiEdit.name")}
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
        required
        error={err("name")}
        data-autofocus
      />
      <Textarea
        label={t("kpiEdit.description")}
        value={form.description}
        onChange={(e) => setForm({ ...form, description: e.currentTarget.value })}
        autosize
        minRows={2}
        error={err("description")}
      />
      <Group grow align="flex-start">
        <Select
          label={t("kpiEdit.unit")}
          data={units}
          value={form.unit}
          onChange={(v) => setForm({ ...form, unit: v ?? "number" })}
          allowDeselect={false}
        />
        {form.unit === "currency" && (
          <TextInput
            label={t("kpiEdit.currency")}
            description={t("kpiEdit.currencyHint")}
            value={form.currency}
            maxLength={3}
            onChange={(e) => setForm({ ...form, currency: e.currentTarget.value })}
            error={err("currency")}
          />
        )}
      </Group>
      <Group grow align="flex-start">
        <TextInput
          label={t("kpiEdit.min")}
          inputMode="decimal"
          value={form.healthyMin}
          onChange={(e) => setForm({ ...form, healthyMin: e.currentTarget.value })}
          error={err("healthyMin")}
        />
        <TextInput
          label={t("kpiEdit.max")}
          inputMode="decimal"
          value={form.healthyMax}
          onChange={(e) => setForm({ ...form, healthyMax: e.currentTarget.value })}
          error={err("healthyMax")}
        />
      </Group>
      <Text size="xs" c="dimmed" mt={-8}>
        {t("kpiEdit.rangeHint")}
      </Text>
      <PeopleMultiSelect
        label={t("kpiEdit.owners")}
        description={t("kpiEdit.ownersHint")}
        value={form.ownerIds}
        onChange={(v) => setForm({ ...form, ownerIds: v })}
        error={err("ownerIds")}
      />
      <ObjectiveMultiSelect
        label={t("kpiEdit.objectives")}
        description={t("kpiEdit.objectivesHint")}
        value={form.objectiveIds}
        onChange={(v) => setForm({ ...form, objectiveIds: v })}
        error={err("objectiveIds")}
      />
      {save.error && fieldsWithServerError.length === 0 && (
        <Alert color="red" title={t("kpiEdit.failed")} role="alert">
          {save.error.message}
        </Alert>
      )}
      <DialogFooter
        onCancel={onClose}
        submitLabel={kpi ? t("kpiEdit.save") : t("kpiEdit.create")}
        loading={save.isPending}
        disabledReason={blocker}
      />
    </FormDialog>
  );
}

/** Records a value of `kpi`, dated now. */
export function KpiValueDialog({ opened, onClose, kpi }: DialogProps & { kpi: Kpi }) {
  const queryClient = useQueryClient();
  const [value, setValue] = useState("");
  const [note, setNote] = useState("");
  const record = useMutation({
    mutationFn: () => api("POST", `/kpis/${kpi.id}/values`, { value: value.trim(), note }),
    onSuccess: async () => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("kpiEdit.recorded"),
      });
      await changed(queryClient, "kpi.valueAdded");
      setValue("");
      setNote("");
      onClose();
    },
  });
  const err = fieldErrors(record.error);
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={t("kpiEdit.recordTitle", { name: kpi.name })}
      discard={{ dirty: value.trim() !== "" || note.trim() !== "", question: t("okrEdit.discardTitle") }}
      onSubmit={() => record.mutate()}
    >
      <TextInput
        label={t("kpiEdit.value")}
        inputMode="decimal"
        value={value}
        onChange={(e) => setValue(e.currentTarget.value)}
        required
        error={err("value")}
        rightSection={kpi.unit === "percent" ? "%" : kpi.unit === "currency" ? kpi.currency : undefined}
        data-autofocus
      />
      <Textarea
        label={t("kpiEdit.note")}
        value={note}
        onChange={(e) => setNote(e.currentTarget.value)}
        autosize
        minRows={2}
      />
      {record.error && !err("value") && (
        <Alert color="red" title={t("kpiEdit.failed")} role="alert">
          {record.error.message}
        </Alert>
      )}
      <DialogFooter
        onCancel={onClose}
        submitLabel={t("kpiEdit.recordSave")}
        loading={record.isPending}
        disabled={!value.trim()}
      />
    </FormDialog>
  );
}

/** Asks before deleting a KPI (to the trash). */
export function KpiDeleteDialog({ kpi, onClose }: { kpi: Kpi | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (k: Kpi) => api("DELETE", `/kpis/${k.id}`),
    onSuccess: async () => {
      await changed(queryClient, "kpi.deleted");
      onClose();
    },
  });
  return (
    <ConfirmDialog
      subject={kpi}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title={kpi ? t("kpiEdit.deleteTitle", { name: kpi.name }) : ""}
      error={remove.error}
      errorTitle={t("kpiEdit.failed")}
      confirmLabel={t("kpiEdit.deleteConfirm")}
      confirmColor="red"
      loading={remove.isPending}
      onConfirm={(k) => remove.mutate(k)}
    >
      {(k) => <Text size="sm">{t("kpiEdit.deleteQuestion", { name: k.name })}</Text>}
    </ConfirmDialog>
  );
}
