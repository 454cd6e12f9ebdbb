/** My profile: my name, my password, my notifications, where I am signed in, and my API tokens. */
import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  PasswordInput,
  SegmentedControl,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { CopyableCode } from "../components/copyable-code.js";
import { QueryState } from "../components/query-state.js";
import { TableFrame } from "../components/table-frame.js";
import { TableHead } from "../components/table-head.js";
import { NotificationPreferencesCard } from "../features/notifications/notification-preferences-card.js";
import { ApiError, api, auth } from "../lib/api.js";
import { dateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { invalidateForChange } from "../lib/live.js";
import { fetchAll, useMe } from "../lib/queries.js";

type Session = import("../lib/types.js").Session;

type ApiToken = import("../lib/types.js").ApiToken;

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : err ? String(err) : null);

/** A short, readable name for a browser from its user agent. */
function browserName(ua: string): string {
  const known = ["Edg", "Firefox", "Chrome", "Safari"].find((b) => ua.includes(b));
  const os = ["Windows", "Mac OS", "Android", "iPhone", "Linux"].find((o) => ua.includes(o));
  if (!known) return ua.slice(0, 40) || t("profile.unknownBrowser");
  return `${known === "Edg" ? "Edge" : known}${os ? ` · ${os}` : ""}`;
}

function NameCard() {
  const me = useMe();
  const queryClient = useQueryClient();
  const [name, setName] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => api("PATCH", `/users/${me.data?.user.id}`, { name: (name ?? "").trim() }),
    onSuccess: async () => {
      auth.refresh();
      setName(null);
      await invalidateForChange(queryClient, { type: "user.updated", objectType: "user" });
      notifications.show({ message: t("profile.saved"), color: "teal" });
    },
  });
  if (!me.data) return null;
  return (
    <Card withBorder component="section" aria-labelledby="profile-you">
      <Title order={3} size="h4" id="profile-you" mb="sm">
        {t("profile.you")}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Stack gap="sm">
          <TextInput
            label={t("profile.name")}
            value={name ?? me.data.user.name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errorText(save.error)}
            required
          />
          <Text size="sm">
            {t("profile.email")}: <strong>{me.data.user.email}</strong> · {t("profile.role")}:{" "}
            <Badge variant="light">{t(`roles.${me.data.role}`)}</Badge> · {me.data.organization.name}
          </Text>
          <Group>
            <Button type="submit" loading={save.isPending} disabled={name === null || !name.trim()}>
              {t("profile.saveName")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function PasswordCard() {
  const me = useMe();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = useMutation({
    mutationFn: () =>
      api("POST", "/me/password", { ...(me.data?.hasPassword ? { currentPassword: current } : {}), newPassword: next }),
    onSuccess: () => {
      auth.refresh();
      setCurrent("");
      setNext("");
      notifications.show({ message: t("profile.passwordSaved"), color: "teal" });
    },
  });
  const details = change.error instanceof ApiError ? (change.error.details as string[] | null) : null;
  const fieldError = (field: string) =>
    details
      ?.find((d) => d.startsWith(`${field}:`))
      ?.slice(field.length + 1)
      .trim() ?? null;
  return (
    <Card withBorder component="section" aria-labelledby="profile-password">
      <Title order={3} size="h4" id="profile-password" mb="sm">
        {me.data?.hasPassword ? t("profile.changePassword") : t("profile.setPassword")}
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate();
        }}
      >
        <Stack gap="sm">
          {me.data?.hasPassword && (
            <PasswordInput
              label={t("profile.currentPassword")}
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
              error={fieldError("currentPassword")}
              required
            />
          )}
          <PasswordInput
            label={t("profile.newPassword")}
            description={t("setPassword.rules")}
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            error={fieldError("newPassword") ?? (details ? null : errorText(change.error))}
            required
          />
          <Text size="xs" c="dimmed">
            {t("profile.passwordEffect")}
          </Text>
          <Group>
            <Button type="submit" loading={change.isPending}>
              {t("profile.savePassword")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function SessionsCard() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const sessions = useQuery({ queryKey: ["sessions"], queryFn: () => fetchAll<Session>("/sessions") });
  const end = useMutation({
    mutationFn: (id: string) => api("DELETE", `/sessions/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["sessions"] }),
  });
  const everywhere = useMutation({
    mutationFn: () => api("POST", "/auth/sign-out-everywhere"),
    onSuccess: async () => {
      await auth.signOut();
      queryClient.clear();
      await navigate({ to: "/sign-in" });
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="profile-sessions">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4" id="profile-sessions">
          {t("profile.sessions")}
        </Title>
        <Button variant="light" color="red" onClick={() => everywhere.mutate()} loading={everywhere.isPending}>
          {t("profile.signOutEverywhere")}
        </Button>
      </Group>
      <QueryState query={sessions} isEmpty={(d) => d.items.length === 0} empty={t("profile.noSessions")}>
        {(d) => (
          <TableFrame minWidth={520}>
            <Table>
              <TableHead
                columns={[t("profile.browser"), t("profile.signedIn"), t("profile.lastSeen")]}
                actions={t("profile.actions")}
              />
              <Table.Tbody>
                {d.items.map((s) => (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      {browserName(s.userAgent)}{" "}
                      {s.current && (
                        <Badge size="sm" variant="light" color="teal">
                          {t("profile.thisSession")}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>
                      {dateTime(s.createdAt)} · {t(`profile.method.${s.method}`, { defaultValue: s.method })}
                    </Table.Td>
                    <Table.Td>{dateTime(s.lastSeenAt)}</Table.Td>
                    <Table.Td>
                      {!s.current && (
                        <Button size="xs" variant="subtle" color="red" onClick={() => end.mutate(s.id)}>
                          {t("profile.endSession")}
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableFrame>
        )}
      </QueryState>
    </Card>
  );
}

function TokensCard() {
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: () => fetchAll<ApiToken>("/tokens") });
  const [name, setName] = useState("");
  const [scope, setScope] = useState<"read" | "write">("read");
  const [issued, setIssued] = useState<string | null>(null);
  const [nameMissing, setNameMissing] = useState(false);
  const create = useMutation({
    mutationFn: () => api<ApiToken & { token: string }>("POST", "/tokens", { name: name.trim(), scope }),
    onSuccess: async (r) => {
      setIssued(r.token);
      setName("");
      await queryClient.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api("DELETE", `/tokens/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["tokens"] }),
  });
  return (
    <Card withBorder component="section" aria-labelledby="profile-tokens">
      <Title order={3} size="h4" id="profile-tokens" mb="xs">
        {t("profile.tokens")}
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {t("profile.tokensIntro")}
      </Text>
      {issued && (
        <Alert color="yellow" title={t("profile.tokenOnce")} mb="sm" role="status">
          <CopyableCode value={issued} testId="issued-token" />
        </Alert>
      )}
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) setNameMissing(true);
          else create.mutate();
        }}
      >
        <Group align="flex-end" mb="md">
          <TextInput
            label={t("profile.tokenName")}
            placeholder={t("profile.tokenNameHint")}
            value={name}
            onChange={(e) => {
              setName(e.currentTarget.value);
              setNameMissing(false);
            }}
            error={nameMissing ? t("profile.tokenNameRequired") : errorText(create.error)}
            required
          />
          <SegmentedControl
            aria-label={t("profile.tokenScope")}
            value={scope}
            onChange={(v) => setScope(v as "read" | "write")}
            data={[
              { value: "read", label: t("profile.scope.read") },
              { value: "write", label: t("profile.scope.write") },
            ]}
          />
          <Button type="submit" loading={create.isPending}>
            {t("profile.createToken")}
          </Button>
        </Group>
      </form>
      <QueryState query={tokens} isEmpty={(d) => d.items.length === 0} empty={t("profile.noTokens")}>
        {(d) => (
          <TableFrame minWidth={520}>
            <Table>
              <TableHead
                columns={[t("profile.tokenName"), t("profile.tokenScope"), t("profile.created"), t("profile.lastUsed")]}
                actions={t("profile.actions")}
              />
              <Table.Tbody>
                {d.items.map((tk) => (
                  <Table.Tr key={tk.id}>
                    <Table.Td>{tk.name}</Table.Td>
                    <Table.Td>{t(`profile.scope.${tk.scope}`)}</Table.Td>
                    <Table.Td>{dateTime(tk.createdAt)}</Table.Td>
                    <Table.Td>{tk.lastUsedAt ? dateTime(tk.lastUsedAt) : t("profile.never")}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="red"
                        onClick={() => revoke.mutate(tk.id)}
                        aria-label={t("profile.revokeNamed", { name: tk.name })}
                      >
                        {t("profile.revoke")}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableFrame>
        )}
      </QueryState>
    </Card>
  );
}

export function ProfilePage() {
  const me = useMe();
  return (
    <Stack maw={900}>
      <Title order={2}>{t("profile.title")}</Title>
      <NameCard />
      <PasswordCard />
      <NotificationPreferencesCard />
      {me.data?.authMethod === "session" && <SessionsCard />}
      <TokensCard />
    </Stack>
  );
}
