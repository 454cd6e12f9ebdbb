/**
 * Signing in: email and password, single sign-on, the one-time link the server prints,
 * or an API token; and the pages behind emailed links (invitation, password reset).
 */
import {
  Alert,
  Anchor,
  Button,
  Center,
  Code,
  Collapse,
  Divider,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useNavigate } from "@tanstack/react-router";
import { type ReactNode, useEffect, useState } from "react";
import { ApiError, api, auth } from "../lib/api.js";
import { t } from "../lib/i18n.js";

type SignedIn = import("../lib/types.js").SignedIn;
type PasswordResetRequested = import("../lib/types.js").PasswordResetRequested;

const message = (err: unknown) => (err instanceof ApiError ? err.message : String(err));

/** The page to go to after signing in: `?next=` when it is a path of this site. */
function nextPath(): string {
  const next = new URLSearchParams(window.location.search).get("next");
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/";
}

function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w={440} radius="lg">
        <Stack>
          <Title order={1} size="h2">
            {title}
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}

export function SignInPage() {
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [token, setToken] = useState("");
  const [showToken, setShowToken] = useState(false);
  const [error, setError] = useState<string | null>(
    () => new URLSearchParams(window.location.search).get("error") ?? null,
  );
  const [busy, setBusy] = useState(false);
  const done = async (s: SignedIn) => {
    auth.startSession(s.csrfToken);
    await navigate({ to: nextPath() });
  };
  // A one-time link printed by the server: /sign-in#code=… (in the fragment, so it never reaches logs).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs once, on arrival
  useEffect(() => {
    const code = new URLSearchParams(window.location.hash.slice(1)).get("code");
    if (!code) return;
    window.history.replaceState(null, "", window.location.pathname);
    setBusy(true);
    api<SignedIn>("POST", "/auth/exchange", { code })
      .then(done)
      .catch((err) => setError(message(err)))
      .finally(() => setBusy(false));
  }, []);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title={t("signIn.title")}>
      {error && (
        <Alert color="red" role="alert" title={t("signIn.failed")}>
          {error}
        </Alert>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => done(await api<SignedIn>("POST", "/auth/login", { email: email.trim(), password })));
        }}
      >
        <Stack>
          <TextInput
            label={t("signIn.email")}
            type="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            required
            autoFocus
          />
          <PasswordInput
            label={t("signIn.password")}
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            required
          />
          <Button type="submit" loading={busy}>
            {t("signIn.submit")}
          </Button>
          <Anchor href="/forgot-password" size="sm">
            {t("signIn.forgot")}
          </Anchor>
        </Stack>
      </form>
      <Divider label={t("signIn.or")} labelPosition="center" />
      <Button
        variant="default"
        onClick={() => {
          if (!email.trim()) {
            setError(t("signIn.ssoNeedsEmail"));
            return;
          }
          const params = new URLSearchParams({ email: email.trim(), returnTo: nextPath() });
          window.location.assign(`/api/v1/auth/sso/start?${params}`);
        }}
      >
        {t("signIn.sso")}
      </Button>
      <Anchor component="button" type="button" size="sm" onClick={() => setShowToken((v) => !v)}>
        {t("signIn.useToken")}
      </Anchor>
      <Collapse expanded={showToken}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              try {
                await api("GET", "/me", undefined, { token: token.trim() });
              } catch (err) {
                throw new Error(t("signIn.invalid", { message: message(err) }));
              }
              auth.rememberToken(token.trim());
              await navigate({ to: nextPath() });
            });
          }}
        >
          <Stack>
            <Text size="sm" c="dimmed">
              {t("signIn.intro")}
            </Text>
            <Code block>{t("signIn.introCommand")}</Code>
            <PasswordInput label={t("signIn.token")} value={token} onChange={(e) => setToken(e.currentTarget.value)} />
            <Button type="submit" variant="light" loading={busy}>
              {t("signIn.submitToken")}
            </Button>
          </Stack>
        </form>
      </Collapse>
    </Panel>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [canEmail, setCanEmail] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Panel title={t("forgot.title")}>
      {sent ? (
        canEmail ? (
          <Alert color="teal" role="status">
            {t("forgot.sent", { email })}
          </Alert>
        ) : (
          <Alert color="yellow" role="status">
            {t("forgot.noMail")}
          </Alert>
        )
      ) : (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(null);
            try {
              const answer = await api<PasswordResetRequested>("POST", "/auth/forgot-password", {
                email: email.trim(),
              });
              setCanEmail(answer?.canEmail !== false);
              setSent(true);
            } catch (err) {
              setError(message(err));
            } finally {
              setBusy(false);
            }
          }}
        >
          <Stack>
            <Text size="sm">{t("forgot.intro")}</Text>
            <TextInput
              label={t("signIn.email")}
              type="email"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={error}
              required
              autoFocus
            />
            <Button type="submit" loading={busy}>
              {t("forgot.submit")}
            </Button>
          </Stack>
        </form>
      )}
      <Anchor href="/sign-in" size="sm">
        {t("forgot.back")}
      </Anchor>
    </Panel>
  );
}

/** Choosing a password from an emailed link: an invitation (`invite`) or a reset (`reset`). */
export function SetPasswordPage({ purpose }: { purpose: "invite" | "reset" }) {
  const navigate = useNavigate();
  const [linkToken] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get("token") ?? "");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<string | null>(linkToken ? null : t("setPassword.noToken"));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // Keep the secret out of the address bar and history.
    if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
  }, []);
  const mismatch = again.length > 0 && again !== password;
  return (
    <Panel title={purpose === "invite" ? t("setPassword.inviteTitle") : t("setPassword.resetTitle")}>
      <Text size="sm">{purpose === "invite" ? t("setPassword.inviteIntro") : t("setPassword.resetIntro")}</Text>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          if (mismatch) return;
          setBusy(true);
          setError(null);
          try {
            const s = await api<SignedIn>(
              "POST",
              purpose === "invite" ? "/auth/accept-invitation" : "/auth/reset-password",
              { token: linkToken, password, ...(purpose === "invite" && name.trim() ? { name: name.trim() } : {}) },
            );
            auth.startSession(s.csrfToken);
            await navigate({ to: "/" });
          } catch (err) {
            setError(message(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Stack>
          {purpose === "invite" && (
            <TextInput
              label={t("setPassword.name")}
              description={t("setPassword.nameHint")}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
            />
          )}
          <PasswordInput
            label={t("setPassword.password")}
            description={t("setPassword.rules")}
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            minLength={10}
            required
          />
          <PasswordInput
            label={t("setPassword.again")}
            autoComplete="new-password"
            value={again}
            onChange={(e) => setAgain(e.currentTarget.value)}
            error={mismatch ? t("setPassword.mismatch") : null}
            required
          />
          <Button type="submit" loading={busy} disabled={!linkToken}>
            {purpose === "invite" ? t("setPassword.inviteSubmit") : t("setPassword.resetSubmit")}
          </Button>
        </Stack>
      </form>
    </Panel>
  );
}
