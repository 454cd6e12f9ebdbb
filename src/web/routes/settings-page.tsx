/**
 * Organisation settings: name, time zone, status thresholds, cadence, whether initiatives
 * count, and terminology (rename Objective / Key result / Initiative).
 */
import {
  Alert,
  Button,
  Card,
  Group,
  NumberInput,
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
import { useEffect } from "react";
import { QueryState } from "../components/query-state.js";
import { ChatSettingsCard } from "../features/chat/chat-settings-card.js";
import { ApiError, api } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import "../lib/i18n-review.js";
import { weekdayOptions } from "../features/people/team-cadence-fields.js";
import { mayAdminister } from "../lib/permissions.js";
import { useMe, useSettings } from "../lib/queries.js";
import type { Settings } from "../lib/types.js";

// Browsers list the canonical zones only: "UTC" (the default) is not among them, and a Select
// shows nothing for a value missing from its data.
const ZONES: string[] = [
  "UTC",
  ...(
    (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? []
  ).filter((z) => z !== "UTC"),
];

function SettingsForm({ settings, editable }: { settings: Settings; editable: boolean }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: {
      name: settings.name,
      timeZone: settings.timeZone,
      notStartedGraceDays: settings.notStartedGraceDays,
      behindThreshold: Math.round(settings.behindThreshold * 100),
      cadenceDays: settings.cadenceDays,
      checkInGraceDays: settings.checkInGraceDays ?? 14,
      initiativesCount: settings.initiativesCount,
      membersCreateTeamOkrs: settings.membersCreateTeamOkrs ?? true,
      privateUnderPublic: settings.privateUnderPublic ?? false,
      reviewWorkflow: settings.reviewWorkflow ?? false,
      cadenceEvery: settings.cadence.kind === "monthly" ? "monthly" : String(settings.cadence.everyWeeks),
      cadenceWeekday: String(settings.cadence.weekday),
      reminderHour: settings.reminderHour,
      digestWeekday: String(settings.digestWeekday),
      escalateAfterMissed: settings.escalateAfterMissed,
      dataSyncMinutes: String(settings.dataSyncMinutes ?? 60),
      objective: settings.terminology?.objective ?? "Objective",
      keyResult: settings.terminology?.keyResult ?? "Key result",
      initiative: settings.terminology?.initiative ?? "Initiative",
    },
    validate: {
      name: (v) => (v.trim() ? null : "Give the organisation a name"),
      objective: (v) => (v.trim() ? null : "Required"),
      keyResult: (v) => (v.trim() ? null : "Required"),
      initiative: (v) => (v.trim() ? null : "Required"),
    },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      api("PATCH", "/settings", {
        name: v.name,
        timeZone: v.timeZone,
        notStartedGraceDays: v.notStartedGraceDays,
        behindThreshold: v.behindThreshold / 100,
        cadenceDays: v.cadenceDays,
        checkInGraceDays: v.checkInGraceDays,
        initiativesCount: v.initiativesCount,
        membersCreateTeamOkrs: v.membersCreateTeamOkrs,
        privateUnderPublic: v.privateUnderPublic,
        reviewWorkflow: v.reviewWorkflow,
        cadence:
          v.cadenceEvery === "monthly"
            ? { kind: "monthly", weekday: Number(v.cadenceWeekday) }
            : { kind: "weekly", everyWeeks: Number(v.cadenceEvery), weekday: Number(v.cadenceWeekday) },
        reminderHour: v.reminderHour,
        digestWeekday: Number(v.digestWeekday),
        escalateAfterMissed: v.escalateAfterMissed,
        dataSyncMinutes: Number(v.dataSyncMinutes),
        terminology: { objective: v.objective.trim(), keyResult: v.keyResult.trim(), initiative: v.initiative.trim() },
      }),
    onSuccess: () => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("settings.saved"),
      });
      // Thresholds, time zone and terminology change every figure and label: refetch everything.
      void queryClient.invalidateQueries();
    },
    onError: (err) => {
      if (err instanceof ApiError && Array.isArray(err.details)) {
        for (const d of err.details as string[]) {
          const [path, ...msg] = d.split(": ");
          const field = path?.split(".").at(-1);
          if (field) form.setFieldError(field, msg.join(": "));
        }
      }
    },
  });
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
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
              <NumberInput
                label={t("settings.grace")}
                min={0}
                max={90}
                hideControls
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
              <NumberInput
                label={t("settings.cadence")}
                min={1}
                max={92}
                hideControls
                {...form.getInputProps("cadenceDays")}
              />
              <NumberInput
                label={t("settings.checkInGrace")}
                min={0}
                max={366}
                hideControls
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
                <NumberInput
                  label={t("rhythm.reminderHour")}
                  description={t("rhythm.reminderHourHelp")}
                  min={0}
                  max={23}
                  hideControls
                  {...form.getInputProps("reminderHour")}
                />
                <Select
                  label={t("rhythm.digestWeekday")}
                  allowDeselect={false}
                  data={weekdayOptions()}
                  {...form.getInputProps("digestWeekday")}
                />
                <NumberInput
                  label={t("rhythm.escalate")}
                  description={t("rhythm.escalateHelp")}
                  min={0}
                  max={10}
                  hideControls
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
