/**
 * The settings page's "Chat" section: the organisation's Slack and Microsoft Teams webhook URLs
 * (admins edit them and send a test message; everyone else sees only whether each is set, as
 * the server answers them no URL).
 */
import { Button, Card, Group, List, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-chat.js";
import { keys } from "../../lib/queries.js";
import type { Settings } from "../../lib/types.js";
import { ChatTestButton } from "./chat-test.js";

/** `field: message` details of a 400, by field. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return {};
  const out: Record<string, string> = {};
  for (const d of err.details as string[]) {
    const [path, ...msg] = d.split(": ");
    if (path) out[path] = msg.join(": ");
  }
  return out;
}

function ChatStatus({ settings }: { settings: Settings }) {
  const state = (on: boolean) => (on ? t("chat.set") : t("chat.notSet"));
  return (
    <Stack gap="xs">
      <List size="sm">
        <List.Item>
          {t("chat.status", { kind: t("chat.kinds.slack"), state: state(settings.slackConfigured) })}
        </List.Item>
        <List.Item>
          {t("chat.status", { kind: t("chat.kinds.teams"), state: state(settings.teamsConfigured) })}
        </List.Item>
      </List>
      <Text size="sm" c="dimmed">
        {t("chat.hiddenUrls")}
      </Text>
    </Stack>
  );
}

function ChatForm({ settings }: { settings: Settings }) {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { slackWebhookUrl: settings.slackWebhookUrl ?? "", teamsWebhookUrl: settings.teamsWebhookUrl ?? "" },
  });
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      api<Settings>("PATCH", "/settings", {
        slackWebhookUrl: v.slackWebhookUrl.trim() || null,
        teamsWebhookUrl: v.teamsWebhookUrl.trim() || null,
      }),
    onSuccess: (saved) => {
      form.setInitialValues({
        slackWebhookUrl: saved.slackWebhookUrl ?? "",
        teamsWebhookUrl: saved.teamsWebhookUrl ?? "",
      });
      form.resetDirty();
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("chat.saved"),
      });
      void queryClient.invalidateQueries({ queryKey: keys.settings });
    },
    onError: (err) => {
      for (const [field, message] of Object.entries(fieldErrors(err))) form.setFieldError(field, message);
    },
  });
  const current = save.data ?? settings;
  const savedSome = current.slackConfigured || current.teamsConfigured;
  const reason = form.isDirty() ? t("chat.testUnsaved") : savedSome ? null : t("chat.testNothing");
  const otherError = save.error && Object.keys(fieldErrors(save.error)).length === 0 ? save.error.message : null;
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
      <Stack>
        <TextInput
          type="url"
          label={t("chat.slack")}
          description={t("chat.slackHelp")}
          placeholder={t("chat.slackPlaceholder")}
          autoComplete="off"
          spellCheck={false}
          {...form.getInputProps("slackWebhookUrl")}
        />
        <TextInput
          type="url"
          label={t("chat.teams")}
          description={t("chat.teamsHelp")}
          placeholder={t("chat.teamsPlaceholder")}
          autoComplete="off"
          spellCheck={false}
          {...form.getInputProps("teamsWebhookUrl")}
        />
        {otherError && (
          <Text c="red" role="alert" size="sm">
            {otherError}
          </Text>
        )}
        <Group>
          <Button type="submit" loading={save.isPending}>
            {t("chat.save")}
          </Button>
        </Group>
        <ChatTestButton path="/settings/chat-test" disabledReason={reason} />
      </Stack>
    </form>
  );
}

/** The "Chat" card of the settings page. */
export function ChatSettingsCard({ settings, editable }: { settings: Settings; editable: boolean }) {
  return (
    <Card withBorder maw={640} component="section" aria-labelledby="chat-heading">
      <Stack>
        <div>
          <Title order={3} size="h5" id="chat-heading">
            {t("chat.title")}
          </Title>
          <Text size="sm" c="dimmed">
            {t("chat.intro")}
          </Text>
        </div>
        {editable ? <ChatForm settings={settings} /> : <ChatStatus settings={settings} />}
      </Stack>
    </Card>
  );
}
