/** The "Send a test message" button of the chat channels and what it reports per channel. */
import { Alert, Button, Group, Stack, Text } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { api } from "../../lib/api.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-chat.js";
import type { ChatTest } from "../../lib/types.js";

/** One line per channel: delivered, or what went wrong; and whose URL it was when a team inherits one. */
export function ChatTestResults({ results, showSource }: { results: ChatTest["results"]; showSource?: boolean }) {
  if (results.length === 0) {
    return (
      <Alert color="gray" role="status">
        {t("chat.testNone")}
      </Alert>
    );
  }
  return (
    <Stack gap="xs" role="status">
      {results.map((r) => {
        // The server's error names the product already ("Slack refused the message: …").
        const said = r.ok ? t("chat.sent", { kind: t(`chat.kinds.${r.kind}`) }) : (r.error ?? "");
        return (
          <Alert key={`${r.kind}-${r.teamId}`} color={r.ok ? "teal" : "red"} p="xs">
            <Text size="sm">{showSource ? `${t(`chat.from.${r.from}`)} — ${said}` : said}</Text>
          </Alert>
        );
      })}
    </Stack>
  );
}

/**
 * Posts a test message through `path` (`/settings/chat-test` or `/teams/:id/chat-test`) and shows
 * the results. Disabled, with the reason, while nothing is set or changes are unsaved.
 */
export function ChatTestButton({
  path,
  disabledReason,
  showSource,
}: {
  path: string;
  disabledReason?: string | null;
  showSource?: boolean;
}) {
  const test = useMutation({ mutationFn: () => api<ChatTest>("POST", path) });
  return (
    <Stack gap="xs">
      <Group gap="sm">
        <Button
          variant="default"
          onClick={() => test.mutate()}
          loading={test.isPending}
          disabled={!!disabledReason}
          aria-describedby={disabledReason ? "chat-test-why" : undefined}
        >
          {t("chat.test")}
        </Button>
        {disabledReason && (
          <Text size="sm" c="dimmed" id="chat-test-why">
            {disabledReason}
          </Text>
        )}
      </Group>
      {test.data && <ChatTestResults results={test.data.results} showSource={showSource} />}
      {test.error && (
        <Text c="red" role="alert" size="sm">
          {test.error.message}
        </Text>
      )}
    </Stack>
  );
}
