/**
 * Organisation settings: name, time zone, status thresholds, cadence, whether initiatives
 * count, and terminology (rename Objective / Key result / Initiative).
 */
import {
  Alert,
  Button,
  Card,
  Group,
  Select,
  SimpleGrid,
  Slider,
  Stack,
  Switch,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import "../lib/i18n-jobs.js";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { QueryState } from "../components/query-state.js";
import { ChatSettingsCard } from "../features/chat/chat-settings-card.js";
import { ApiError, api } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import "../lib/i18n-review.js";
import "../lib/i18n-settings.js";
import { weekdayOptions } from "../features/people/team-cadence-fields.js";
import { mayAdminister } from "../lib/permissions.js";
import { useMe, useSettings } from "../lib/queries.js";
import type { Settings } from "../lib/types.js";
import { numberOf, wholeNumberProblem } from "../lib/whole-number.js";

// Browsers list the canonical zones only: "UTC" (the default) is not among them, and a Select
// shows nothing for a value missing from its data.
const ZONES: string[] = [
  "UTC",
  ...(
    (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? []
  ).filter((z) => z !== "UTC"),
];

/**
 * The whole-number settings and the range each allows (the API's, src/services/schemas.ts). They
 * are typed as text and checked as typed: nothing is clamped or dropped on the way.
 */
const WHOLE_NUMBERS = {
  notStartedGraceDays: { min: 0, max: 90 },
  cadenceDays: { min: 1, max: 92 },
  checkInGraceDays: { min: 0, max: 366 },
  reminderHour: { min: 0, max: 23 },
  escalateAfterMissed: { min: 0, max: 10 },
} as const;
type WholeNumberField = keyof typeof WHOLE_NUMBERS;

/** The form's fields in the order they stand on the page: the first one wrong is the one selected. */
const FIELD_ORDER = [
  "name",
  "timeZone",
  "notStartedGraceDays",
  "behindThreshold",
  "cadenceDays",
  "checkInGraceDays",
  "cadenceEvery",
  "cadenceWeekday",
  "reminderHour",
  "digestWeekday",
  "escalateAfterMissed",
  "dataSyncMinutes",
  "objective",
  "keyResult",
  "initiative",
] as const;
type FieldName = (typeof FIELD_ORDER)[number];

/** The form field an API problem's path names ("cadence.weekday" → cadenceWeekday), or null. */
function fieldOfPath(path: string): FieldName | null {
  if (path === "cadence.everyWeeks" || path === "cadence.kind" || path === "cadence") return "cadenceEvery";
  if (path === "cadence.weekday") return "cadenceWeekday";
  const last = path.split(".").at(-1) ?? "";
  return (FIELD_ORDER as readonly string[]).includes(last) ? (last as FieldName) : null;
}

const fieldName = (f: FieldName) => t(`settingsForm.names.${f}`);

/** What was wrong when the settings were not saved: the fields marked, and problems no field shows. */
interface NotSaved {
  fields: FieldName[];
  other: string[];
}

function wholeNumberRule(field: WholeNumberField) {
  const { min, max } = WHOLE_NUMBERS[field];
  return (v: string) => wholeNumberProblem(v, fieldName(field), min, max);
}

function SettingsForm({ settings, editable }: { settings: Settings; editable: boolean }) {
  const queryClient = useQueryClient();
  const [notSaved, setNotSaved] = useState<NotSaved | null>(null);
  const form = useForm({
    initialValues: {
      name: settings.name,
      timeZone: settings.timeZone,
      notStartedGraceDays: String(settings.notStartedGraceDays),
      behindThreshold: Math.round(settings.behindThreshold * 100),
      cadenceDays: String(settings.cadenceDays),
      checkInGraceDays: String(settings.checkInGraceDays ?? 14),
      initiativesCount: settings.initiativesCount,
      membersCreateTeamOkrs: settings.membersCreateTeamOkrs ?? true,
      privateUnderPublic: settings.privateUnderPublic ?? false,
      reviewWorkflow: settings.reviewWorkflow ?? false,
      cadenceEvery: settings.cadence.kind === "monthly" ? "monthly" : String(settings.cadence.everyWeeks),
      cadenceWeekday: String(settings.cadence.weekday),
      reminderHour: String(settings.reminderHour),
      digestWeekday: String(settings.digestWeekday),
      escalateAfterMissed: String(settings.escalateAfterMissed),
      dataSyncMinutes: String(settings.dataSyncMinutes ?? 60),
      objective: settings.terminology?.objective ?? "Objective",
      keyResult: settings.terminology?.keyResult ?? "Key result",
      initiative: settings.terminology?.initiative ?? "Initiative",
    },
    validate: {
      name: (v) => (v.trim() ? null : t("settingsForm.nameMissing")),
      notStartedGraceDays: wholeNumberRule("notStartedGraceDays"),
      cadenceDays: wholeNumberRule("cadenceDays"),
      checkInGraceDays: wholeNumberRule("checkInGraceDays"),
      reminderHour: wholeNumberRule("reminderHour"),
      escalateAfterMissed: wholeNumberRule("escalateAfterMissed"),
      objective: (v) => (v.trim() ? null : t("settingsForm.wordMissing", { word: "Objective" })),
      keyResult: (v) => (v.trim() ? null : t("settingsForm.wordMissing", { word: "Key result" })),
      initiative: (v) => (v.trim() ? null : t("settingsForm.wordMissing", { word: "Initiative" })),
    },
  });
  /** Says the settings were not saved and why, and takes the person to the first field to fix. */
  const refuse = (fields: FieldName[], other: string[]) => {
    const marked = FIELD_ORDER.filter((f) => fields.includes(f));
    setNotSaved({ fields: marked, other });
    notifications.show({
      closeButtonProps: { "aria-label": t("common.close") },
      color: "red",
      message: t("settingsForm.notSavedBecause", {
        why: marked.length
          ? t("settingsForm.notSavedFields", { count: marked.length, names: marked.map(fieldName).join(", ") })
          : other.join(" "),
      }),
    });
    const first = marked[0];
    const node = first ? form.getInputNode(first) : null;
    if (node) {
      node.scrollIntoView({ block: "center" });
      node.focus({ preventScroll: true });
    }
  };
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      api("PATCH", "/settings", {
        name: v.name,
        timeZone: v.timeZone,
        notStartedGraceDays: numberOf(v.notStartedGraceDays),
        behindThreshold: v.behindThreshold / 100,
        cadenceDays: numberOf(v.cadenceDays),
        checkInGraceDays: numberOf(v.checkInGraceDays),
        initiativesCount: v.initiativesCount,
        membersCreateTeamOkrs: v.membersCreateTeamOkrs,
        privateUnderPublic: v.privateUnderPublic,
        reviewWorkflow: v.reviewWorkflow,
        cadence:
          v.cadenceEvery === "monthly"
            ? { kind: "monthly", weekday: Number(v.cadenceWeekday) }
            : { kind: "weekly", everyWeeks: Number(v.cadenceEvery), weekday: Number(v.cadenceWeekday) },
        reminderHour: numberOf(v.reminderHour),
        digestWeekday: Number(v.digestWeekday),
        escalateAfterMissed: numberOf(v.escalateAfterMissed),
        dataSyncMinutes: Number(v.dataSyncMinutes),
        terminology: { objective: v.objective.trim(), keyResult: v.keyResult.trim(), initiative: v.initiative.trim() },
      }),
    onSuccess: () => {
      setNotSaved(null);
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("settings.saved"),
      });
      // Thresholds, time zone and terminology change every figure and label: refetch everything.
      void queryClient.invalidateQueries();
    },
    onError: (err) => {
      if (!(err instanceof ApiError && Array.isArray(err.details))) {
        setNotSaved(null);
        return;
      }
      const fields: FieldName[] = [];
      const other: string[] = [];
      for (const d of err.details as string[]) {
        const [path = "", ...msg] = d.split(": ");
        const field = fieldOfPath(path);
        if (field) {
          form.setFieldError(field, `${fieldName(field)} ${msg.join(": ")}`);
          fields.push(field);
        } else other.push(d);
      }
      refuse(fields, other);
    },
  });
  return (
    <form
      onSubmit={form.onSubmit(
        (v) => save.mutate(v),
        (errors) =>
          refuse(
            FIELD_ORDER.filter((f) => errors[f]),
            [],
          ),
      )}
    >
      {/* A native fieldset: disabled, it disables every field inside (people who may not change settings still read them). */}
      <fieldset disabled={!editable} style={{ border: 0, padding: 0, margin: 0, minWidth: 0 }}>
        <Stack maw={640}>
          <Card withBorder>
            <Stack>
              <TextInput label={t("settings.name")} {...form.getInputProps("name")} />
              <Select
                label={t("settings.timeZone")}
                description={t("settings.timeZoneHelp")}
                data={ZONES}
                searchable
                {...form.getInputProps("timeZone")}
                allowDeselect={false}
              />
              <TextInput
                label={t("settings.grace")}
                inputMode="numeric"
                {...form.getInputProps("notStartedGraceDays")}
              />
              <Stack gap={4}>
                <Text size="sm" fw={500} id="behind-label">
                  {t("settings.behind")}: {form.values.behindThreshold}
                </Text>
                <Text size="xs" c="dimmed">
                  {t("settings.behindHelp")}
                </Text>
                <Slider
                  min={5}
                  max={50}
                  step={5}
                  thumbLabel={t("settings.behind")}
                  {...form.getInputProps("behindThreshold")}
                />
              </Stack>
              <TextInput label={t("settings.cadence")} inputMode="numeric" {...form.getInputProps("cadenceDays")} />
              <TextInput
                label={t("settings.checkInGrace")}
                inputMode="numeric"
                {...form.getInputProps("checkInGraceDays")}
              />
              <Switch
                label={t("settings.initiatives")}
                {...form.getInputProps("initiativesCount", { type: "checkbox" })}
              />
              <Switch
                label={t("settings.membersCreate")}
                description={t("settings.membersCreateHelp")}
                {...form.getInputProps("membersCreateTeamOkrs", { type: "checkbox" })}
              />
              <Switch
                label={t("settings.privateUnderPublic")}
                description={t("settings.privateUnderPublicHelp")}
                {...form.getInputProps("privateUnderPublic", { type: "checkbox" })}
              />
              <Switch
                label={t("review.setting")}
                description={t("review.settingHelp")}
                {...form.getInputProps("reviewWorkflow", { type: "checkbox" })}
              />
            </Stack>
          </Card>
          <Card withBorder component="section" aria-labelledby="settings-rhythm">
            <Stack>
              <div>
                <Title order={3} size="h5" id="settings-rhythm">
                  {t("rhythm.title")}
                </Title>
                <Text size="sm" c="dimmed">
                  {t("rhythm.help")}
                </Text>
              </div>
              <Group grow align="flex-start" wrap="wrap">
                <Select
                  label={t("rhythm.every")}
                  allowDeselect={false}
                  data={[
                    { value: "1", label: t("rhythm.week1") },
                    { value: "2", label: t("rhythm.week2") },
                    { value: "3", label: t("rhythm.week3") },
                    { value: "monthly", label: t("rhythm.monthly") },
                  ]}
                  {...form.getInputProps("cadenceEvery")}
                />
                <Select
                  label={t("rhythm.on")}
                  allowDeselect={false}
                  data={weekdayOptions()}
                  {...form.getInputProps("cadenceWeekday")}
                />
              </Group>
              {/* One field a row on a phone: three abreast would cut the weekday short. */}
              <SimpleGrid cols={{ base: 1, xs: 3 }}>
                <TextInput
                  label={t("rhythm.reminderHour")}
                  description={t("rhythm.reminderHourHelp")}
                  inputMode="numeric"
                  {...form.getInputProps("reminderHour")}
                />
                <Select
                  label={t("rhythm.digestWeekday")}
                  allowDeselect={false}
                  data={weekdayOptions()}
                  {...form.getInputProps("digestWeekday")}
                />
                <TextInput
                  label={t("rhythm.escalate")}
                  description={t("rhythm.escalateHelp")}
                  inputMode="numeric"
                  {...form.getInputProps("escalateAfterMissed")}
                />
              </SimpleGrid>
              <Select
                label={t("rhythm.dataSync")}
                description={t("rhythm.dataSyncHelp")}
                allowDeselect={false}
                data={["15", "60", "360", "1440", "0"].map((m) => ({
                  value: m,
                  label: t(`rhythm.dataSyncEvery.${m}`),
                }))}
                {...form.getInputProps("dataSyncMinutes")}
              />
            </Stack>
          </Card>
          <Card withBorder>
            <Stack>
              <div>
                <Title order={3} size="h5">
                  {t("settings.terminology")}
                </Title>
                <Text size="sm" c="dimmed">
                  {t("settings.terminologyHelp")}
                </Text>
              </div>
              <Group grow>
                <TextInput label={t("settings.objective")} {...form.getInputProps("objective")} />
                <TextInput label={t("settings.keyResult")} {...form.getInputProps("keyResult")} />
                <TextInput label={t("settings.initiative")} {...form.getInputProps("initiative")} />
              </Group>
            </Stack>
          </Card>
          {save.error && !(save.error instanceof ApiError && Array.isArray(save.error.details)) && (
            <Text c="red" role="alert">
              {save.error.message}
            </Text>
          )}
          {notSaved && (
            <Alert color="red" role="alert" title={t("settingsForm.notSaved")}>
              {notSaved.fields.length > 0 &&
                t("settingsForm.notSavedFields", {
                  count: notSaved.fields.length,
                  names: notSaved.fields.map(fieldName).join(", "),
                })}
              {notSaved.other.map((o) => (
                <Text key={o} size="sm">
                  {o}
                </Text>
              ))}
            </Alert>
          )}
          {editable && (
            <Group>
              <Button type="submit" loading={save.isPending}>
                {t("common.save")}
              </Button>
            </Group>
          )}
        </Stack>
      </fieldset>
    </form>
  );
}

export function SettingsPage() {
  const settings = useSettings();
  const me = useMe();
  const editable = mayAdminister(me.data);
  const recompute = settings.data?.recompute;
  // While figures are recomputed in the background, check again every few seconds.
  useEffect(() => {
    if (!recompute) return;
    const timer = setInterval(() => void settings.refetch(), 3000);
    return () => clearInterval(timer);
  }, [recompute, settings.refetch]);
  return (
    <Stack>
      <Title order={2}>{t("settings.title")}</Title>
      {recompute && (
        <Alert color="blue" role="status">
          {recompute.done !== null && recompute.total !== null
            ? t("settings.recomputing", {
                done: recompute.done.toLocaleString(),
                total: recompute.total.toLocaleString(),
              })
            : t("settings.recomputingQueued")}
        </Alert>
      )}
      {me.data && !editable && (
        <Alert color="gray" role="note">
          {t("settings.readOnly")}
        </Alert>
      )}
      <QueryState query={settings}>
        {(s) => (
          <>
            <SettingsForm settings={s} editable={editable} />
            <ChatSettingsCard settings={s} editable={editable} />
          </>
        )}
      </QueryState>
    </Stack>
  );
}
