import { Button, Center, Paper, PasswordInput, Stack, Text, Title } from "@mantine/core";
import { useNavigate } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { ApiError, api, auth } from "../lib/api.js";
import { t } from "../lib/i18n.js";

export function SignInPage() {
  const navigate = useNavigate();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A one-time link printed by the server: /sign-in#code=… (in the fragment, so it never reaches logs).
  useEffect(() => {
    const code = new URLSearchParams(window.location.hash.slice(1)).get("code");
    if (!code) return;
    window.history.replaceState(null, "", window.location.pathname);
    setBusy(true);
    api<{ token: string }>("POST", "/auth/exchange", { code })
      .then(async ({ token: issued }) => {
        auth.signIn(issued);
        await navigate({ to: "/" });
      })
      .catch((err) => setError(err instanceof ApiError ? err.message : String(err)))
      .finally(() => setBusy(false));
  }, [navigate]);
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={440} radius="lg">
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            try {
              await api("GET", "/me", undefined, { token: token.trim() });
              auth.signIn(token.trim());
              const next = new URLSearchParams(window.location.search).get("next");
              await navigate({ to: next?.startsWith("/") && !next.startsWith("//") ? next : "/" });
            } catch (err) {
              setError(t("signIn.invalid", { message: err instanceof ApiError ? err.message : String(err) }));
            } finally {
              setBusy(false);
            }
          }}
        >
          <Stack>
            <Title order={1} size="h2">
              {t("signIn.title")}
            </Title>
            <Text size="sm" c="dimmed">
              {t("signIn.intro")}
            </Text>
            <PasswordInput
              label={t("signIn.token")}
              value={token}
              onChange={(e) => setToken(e.currentTarget.value)}
              error={error}
              required
              autoFocus
            />
            <Button type="submit" loading={busy}>
              {t("signIn.submit")}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
