/** The team dialog's chat channels: the team's own Slack and Microsoft Teams URLs and a test. */
import { Fieldset, Stack, Text, TextInput } from "@mantine/core";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-chat.js";
import { ChatTestButton } from "./chat-test.js";

export function TeamChatFields({
  slackWebhookUrl,
  teamsWebhookUrl,
  onChange,
  errorOf,
  testPath,
  unsaved,
}: {
  slackWebhookUrl: string;
  teamsWebhookUrl: string;
  onChange: (v: { slackWebhookUrl?: string; teamsWebhookUrl?: string }) => void;
  errorOf: (field: string) => string | undefined;
  /** `/teams/:id/chat-test` for a saved team; null while creating one. */
  testPath: string | null;
  /** Whether the URLs differ from the saved ones (the test uses the saved ones). */
  unsaved: boolean;
}) {
  return (
    <Fieldset legend={t("chat.title")} variant="filled">
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t("chat.teamIntro")}
        </Text>
        <TextInput
          type="url"
          label={t("chat.slack")}
          placeholder={t("chat.slackPlaceholder")}
          autoComplete="off"
          spellCheck={false}
          value={slackWebhookUrl}
          onChange={(e) => onChange({ slackWebhookUrl: e.currentTarget.value })}
          error={errorOf("slackWebhookUrl")}
        />
        <TextInput
          type="url"
          label={t("chat.teams")}
          placeholder={t("chat.teamsPlaceholder")}
          autoComplete="off"
          spellCheck={false}
          value={teamsWebhookUrl}
          onChange={(e) => onChange({ teamsWebhookUrl: e.currentTarget.value })}
          error={errorOf("teamsWebhookUrl")}
        />
        {testPath && (
          <ChatTestButton path={testPath} disabledReason={unsaved ? t("chat.testUnsaved") : null} showSource />
        )}
      </Stack>
    </Fieldset>
  );
}
