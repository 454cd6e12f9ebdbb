/**
 * Where an email's unsubscribe link lands (no sign-in: the signed token is the proof). It
 * unsubscribes on one press of a button, not on load: mail scanners and link previews open
 * links by themselves, and must not unsubscribe anyone. Mail clients that support one-click
 * unsubscribe (RFC 8058) post to the API directly and never show this page.
 */
import { Alert, Anchor, Button, Center, Paper, Stack, Text, Title } from "@mantine/core";
import { useMutation } from "@tanstack/react-query";
import { Link, useSearch } from "@tanstack/react-router";
import { ApiError, api } from "../lib/api.js";
import { t } from "../lib/i18n.js";
import type { Unsubscribed } from "../lib/types.js";

export function UnsubscribePage() {
  const { token } = useSearch({ from: "/unsubscribe" });
  const stop = useMutation({
    mutationFn: () => api<Unsubscribed>("POST", "/auth/unsubscribe", { token }),
  });
  const done = stop.data;
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={460} maw="100%" radius="lg">
        <Stack>
          <Title order={1} size="h2">
            {t("notices.unsubscribe.title")}
          </Title>
          {!token ? (
            <Alert color="red" role="alert">
              {t("notices.unsubscribe.noToken")}
            </Alert>
          ) : done ? (
            <Alert color="teal" role="status" title={t("notices.unsubscribe.done")}>
              {done.unsubscribed === "email" ? t("notices.unsubscribe.doneEmail") : t("notices.unsubscribe.doneDigest")}
            </Alert>
          ) : (
            <>
              <Text size="sm">{t("notices.unsubscribe.intro")}</Text>
              {stop.error && (
                <Alert color="red" role="alert" title={t("notices.unsubscribe.failed")}>
                  {stop.error instanceof ApiError ? stop.error.message : String(stop.error)}
                </Alert>
              )}
              <Button onClick={() => stop.mutate()} loading={stop.isPending}>
                {t("notices.unsubscribe.confirm")}
              </Button>
            </>
          )}
          <Anchor component={Link} to="/profile" hash="notifications" size="sm">
            {t("notices.unsubscribe.preferences")}
          </Anchor>
        </Stack>
      </Paper>
    </Center>
  );
}
