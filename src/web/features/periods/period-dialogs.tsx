/**
 * The admin's dialogs for periods: a year with its quarters in one step, a custom period,
 * changing a period's name and dates, and deleting an empty one.
 */
import { Alert, NumberInput, Select, Text, TextInput } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { yearWithQuarters } from "../../../domain/period-calendar.js";
import { ConfirmDialog } from "../../components/confirm-dialog.js";
import { DialogFooter } from "../../components/dialog-footer.js";
import { type DialogProps, FormDialog } from "../../components/form-dialog.js";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-periods.js";
import { invalidateForChange } from "../../lib/live.js";
import type { Period } from "../../lib/types.js";

/** A calendar date (YYYY-MM-DD) in words, read as that day wherever the browser is. */
export function day(isoDate: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(`${isoDate}T00:00:00Z`),
  );
}

/** The message of each field the server refused, by field name. */
function fieldErrors(error: Error | null): (field: string) => string | undefined {
  const details = error instanceof ApiError ? ((error.details as string[] | null) ?? []) : [];
  return (field) =>
    details
      .find((d) => d.startsWith(`${field}:`))
      ?.slice(field.length + 1)
      .trim();
}

function FailedAlert({ error, title }: { error: Error | null; title: string }) {
  if (!error) return null;
  return (
    <Alert color="red" title={title} role="alert">
      {error.message}
    </Alert>
  );
}

/** The months' names in the browser's language, January first. */
const MONTHS = Array.from({ length: 12 }, (_, i) =>
  new Intl.DateTimeFormat(undefined, { month: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2000, i, 1))),
);

const changed = (queryClient: ReturnType<typeof useQueryClient>, type: string) =>
  invalidateForChange(queryClient, { type, objectType: "period" });

/** A year and its four quarters, from the first of a chosen month. */
export function YearDialog({ opened, onClose }: DialogProps) {
  const queryClient = useQueryClient();
  const [year, setYear] = useState<number | string>(new Date().getFullYear() + 1);
  const [startMonth, setStartMonth] = useState("1");
  const [name, setName] = useState("");
  const valid = typeof year === "number" && Number.isInteger(year) && year >= 1900 && year <= 9998;
  const plan = valid ? yearWithQuarters(year, Number(startMonth), name.trim() || undefined) : null;
  const save = useMutation({
    mutationFn: () =>
      api<{ year: Period }>("POST", "/periods/years", {
        year,
        startMonth: Number(startMonth),
        ...(name.trim() ? { name: name.trim() } : {}),
      }),
    onSuccess: async (r) => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("periods.yearCreated", { name: r.year.name }),
      });
      await changed(queryClient, "period.created");
      setName("");
      onClose();
    },
  });
  const err = fieldErrors(save.error);
  return (
    <FormDialog opened={opened} onClose={onClose} title={t("periods.addYear")} onSubmit={() => save.mutate()}>
      <Text size="sm">{t("periods.yearHint")}</Text>
      <NumberInput
        label={t("periods.year")}
        value={year}
        onChange={setYear}
        min={1900}
        max={9998}
        allowDecimal={false}
        required
        error={err("year")}
        data-autofocus
      />
      <Select
        label={t("periods.startMonth")}
        data={MONTHS.map((m, i) => ({ value: String(i + 1), label: m }))}
        value={startMonth}
        onChange={(v) => setStartMonth(v ?? "1")}
        allowDeselect={false}
        error={err("startMonth")}
      />
      <TextInput
        label={t("periods.yearName")}
        description={t("periods.yearNameHint", {
          name: plan && !name.trim() ? plan.year.name : valid ? String(year) : "—",
        })}
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={err("name")}
      />
      {plan && (
        <Text size="sm" c="dimmed" component="ul" m={0} pl="md">
          {[plan.year, ...plan.quarters].map((p) => (
            <li key={p.name}>
              {t("periods.yearPreview", { name: p.name, from: day(p.startDate), to: day(p.endDate) })}
            </li>
          ))}
        </Text>
      )}
      <FailedAlert error={save.error} title={t("periods.failed")} />
      <DialogFooter
        onCancel={onClose}
        submitLabel={t("periods.createYear")}
        loading={save.isPending}
        disabled={!valid}
      />
    </FormDialog>
  );
}

/** A custom period (or a change to any period's name, dates and parent when `period` is given). */
export function PeriodDialog({
  opened,
  onClose,
  period,
  periods,
}: DialogProps & { period?: Period; periods: Period[] }) {
  const queryClient = useQueryClient();
  const blank = { name: "", startDate: "", endDate: "", parentId: null as string | null };
  const [form, setForm] = useState(
    period
      ? { name: period.name, startDate: period.startDate, endDate: period.endDate, parentId: period.parentId }
      : blank,
  );
  const [initial] = useState(form);
  const save = useMutation({
    mutationFn: () =>
      period
        ? api<Period>("PATCH", `/periods/${period.id}`, { ...form, name: form.name.trim() })
        : api<Period>("POST", "/periods", { ...form, name: form.name.trim(), kind: "custom" }),
    onSuccess: async (p) => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: period ? t("periods.saved") : t("periods.created", { name: p.name }),
      });
      await changed(queryClient, period ? "period.updated" : "period.created");
      if (!period) setForm(blank);
      onClose();
    },
  });
  const err = fieldErrors(save.error);
  const orderError =
    form.startDate && form.endDate && form.endDate < form.startDate ? t("periods.datesOrder") : undefined;
  const parents = periods.filter((p) => p.id !== period?.id && p.parentId !== period?.id);
  return (
    <FormDialog
      opened={opened}
      onClose={onClose}
      title={period ? t("periods.editTitle", { name: period.name }) : t("periods.addCustom")}
      discard={{ dirty: JSON.stringify(form) !== JSON.stringify(initial), question: t("okrEdit.discardTitle") }}
      onSubmit={() => save.mutate()}
    >
      <TextInput
        label={t("periods.name")}
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
        required
        error={err("name")}
        data-autofocus
      />
      <TextInput
        type="date"
        label={t("periods.from")}
        value={form.startDate}
        onChange={(e) => setForm({ ...form, startDate: e.currentTarget.value })}
        required
        error={err("startDate")}
      />
      <TextInput
        type="date"
        label={t("periods.to")}
        value={form.endDate}
        onChange={(e) => setForm({ ...form, endDate: e.currentTarget.value })}
        required
        error={err("endDate") ?? orderError}
        description={period ? t("periods.datesHelp") : undefined}
      />
      <Select
        label={t("periods.partOf")}
        placeholder={t("periods.noParent")}
        data={parents.map((p) => ({ value: p.id, label: p.name }))}
        value={form.parentId}
        onChange={(v) => setForm({ ...form, parentId: v })}
        clearable
        error={err("parentId")}
      />
      {/* A refusal shown at its field is not repeated below. */}
      <FailedAlert
        error={["name", "startDate", "endDate", "parentId"].some((f) => err(f)) ? null : save.error}
        title={t("periods.failed")}
      />
      <DialogFooter
        onCancel={onClose}
        submitLabel={period ? t("periods.save") : t("periods.create")}
        loading={save.isPending}
        disabled={!form.name.trim() || !form.startDate || !form.endDate || !!orderError}
      />
    </FormDialog>
  );
}

/** Asks before deleting a period; the server's refusal (objectives or sub-periods in it) is shown as it says it. */
export function PeriodDeleteDialog({ period, onClose }: { period: Period | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (p: Period) => api("DELETE", `/periods/${p.id}`),
    onSuccess: async (_r, p) => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("periods.deleted", { name: p.name }),
      });
      await changed(queryClient, "period.deleted");
      onClose();
    },
  });
  return (
    <ConfirmDialog
      subject={period}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title={period ? t("periods.deleteTitle", { name: period.name }) : ""}
      error={remove.error}
      errorTitle={t("periods.deleteRefused")}
      confirmLabel={t("periods.deleteConfirm")}
      confirmColor="red"
      loading={remove.isPending}
      onConfirm={(p) => remove.mutate(p)}
    >
      {(p) => (
        <Text size="sm">
          {t("periods.deleteQuestion", { name: p.name, from: day(p.startDate), to: day(p.endDate) })}
        </Text>
      )}
    </ConfirmDialog>
  );
}
