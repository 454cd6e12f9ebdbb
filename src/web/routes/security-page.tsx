/**
 * Sign-on and provisioning (owners and admins): SCIM tokens for Okta or Entra ID (the
 * secret shown once, revocable) with the base URL to give them, and the organisation's
 * single sign-on (OpenID Connect) settings with the redirect URI to register.
 */
import { TableFrame } from "../components/table-frame.js";
import "../lib/i18n-admin.js";
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  CopyButton,
  Group,
  PasswordInput,
  Radio,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
  Title,
  Tooltip,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconCheck, IconCopy, IconKey, IconShieldLock } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { QueryState } from "../components/query-state.js";
import { TableHead } from "../components/table-head.js";
import { AdminsOnly } from "../features/admin/admins-only.js";
import { ApiError, api, get } from "../lib/api.js";
import { dateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { useMe, useSettings } from "../lib/queries.js";
import type { Page } from "../lib/types.js";

type ScimToken = import("../lib/types.js").ScimToken;

type SsoConfig = import("../lib/types.js").SsoConfig;

const SSO_FIELDS = ["enabled", "issuer", "clientId", "clientSecret", "allowedDomains", "defaultRole"] as const;
type SsoField = (typeof SSO_FIELDS)[number];

/**
 * An address on the server as links give it: under its public address (OKRA_PUBLIC_URL, from
 * the settings), which may differ from the one this browser reached it at. Empty while loading.
 */
function usePublicLink(path: string): string {
  const publicUrl = useSettings().data?.publicUrl;
  return publicUrl ? `${publicUrl}${path}` : "";
}

/** A read-only value with a copy button (URLs to paste at the provider, a new token). */
function CopyField({ label, value, description }: { label: string; value: string; description?: string }) {
  return (
    <TextInput
      label={label}
      description={description}
      value={value}
      readOnly
      onFocus={(e) => e.currentTarget.select()}
      styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)" } }}
      rightSection={
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? t("admin.copied") : t("admin.copy")} withArrow>
              <ActionIcon
                variant="subtle"
                color={copied ? "teal" : "gray"}
                onClick={copy}
                aria-label={t("admin.copyLabel", { what: label })}
              >
                {copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      }
    />
  );
}

function ScimSection() {
  // Issuing a SCIM token is an owner's (it provisions every account); admins see and revoke them.
  const isOwner = useMe().data?.role === "owner";
  const baseUrl = usePublicLink("/scim/v2");
  const queryClient = useQueryClient();
  const tokens = useQuery({ queryKey: ["scimTokens"], queryFn: () => get<Page<ScimToken>>("/scim-tokens") });
  const [name, setName] = useState("");
  const [issued, setIssued] = useState<(ScimToken & { token: string }) | null>(null);
  const [revoking, setRevoking] = useState<ScimToken | null>(null);
  const create = useMutation({
    mutationFn: () => api<ScimToken & { token: string }>("POST", "/scim-tokens", { name: name.trim() }),
    onSuccess: async (r) => {
      setIssued(r);
      setName("");
      await queryClient.invalidateQueries({ queryKey: ["scimTokens"] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api("DELETE", `/scim-tokens/${id}`),
    onSuccess: async (_r, id) => {
      if (issued?.id === id) setIssued(null);
      setRevoking(null);
      notifications.show({
        color: "teal",
        closeButtonProps: { "aria-label": t("common.close") },
        message: t("admin.security.revoked"),
      });
      await queryClient.invalidateQueries({ queryKey: ["scimTokens"] });
    },
  });
  const closeRevoke = () => {
    revoke.reset();
    setRevoking(null);
  };
  const createError =
    create.error instanceof ApiError && Array.isArray(create.error.details)
      ? (create.error.details as string[]).map((d) => d.replace(/^name: /, "")).join(" ")
      : create.error?.message;
  return (
    <Card withBorder component="section" aria-labelledby="scim-heading" padding="lg">
      <Stack>
        <div>
          <Group gap="xs">
            <IconKey size={20} aria-hidden />
            <Title order={3} size="h4" id="scim-heading">
              {t("admin.security.scim")}
            </Title>
          </Group>
          <Text size="sm" c="dimmed" mt={4}>
            {t("admin.security.scimIntro")}
          </Text>
        </div>
        <CopyField label={t("admin.security.baseUrl")} description={t("admin.security.baseUrlHint")} value={baseUrl} />
        {issued && (
          <Alert
            color="yellow"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title={t("admin.security.tokenOnce")}
            role="status"
          >
            <Stack gap="xs">
              <CopyField label={t("admin.security.newToken")} value={issued.token} />
              <Text size="sm">{t("admin.security.tokenOnceHint")}</Text>
              <Group>
                <Button size="xs" variant="default" onClick={() => setIssued(null)}>
                  {t("admin.security.done")}
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) create.mutate();
          }}
        >
          <Group align="flex-start">
            <TextInput
              label={t("admin.security.tokenName")}
              placeholder={t("admin.security.tokenNameHint")}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={createError}
              maxLength={200}
              required
              w={280}
            />
            <Button type="submit" mt={25} loading={create.isPending} disabled={!name.trim() || !isOwner}>
              {t("admin.security.create")}
            </Button>
          </Group>
          {!isOwner && (
            <Text size="sm" c="dimmed" mt="xs">
              {t("admin.security.scimOwnersOnly")}
            </Text>
          )}
        </form>
        <div>
          <Title order={4} size="h5" mb="xs" id="scim-tokens-heading">
            {t("admin.security.tokens")}
          </Title>
          <QueryState query={tokens} isEmpty={(d) => d.items.length === 0} empty={t("admin.security.noTokens")}>
            {(d) => (
              <TableFrame minWidth={560}>
                <Table aria-labelledby="scim-tokens-heading">
                  <TableHead
                    columns={[t("admin.security.tokenName"), t("admin.security.created"), t("admin.security.lastUsed")]}
                    actions={{ label: t("admin.actions"), w: 110 }}
                  />
                  <Table.Tbody>
                    {d.items.map((tk) => (
                      <Table.Tr key={tk.id}>
                        <Table.Td>{tk.name}</Table.Td>
                        <Table.Td>{dateTime(tk.createdAt)}</Table.Td>
                        <Table.Td>{tk.lastUsedAt ? dateTime(tk.lastUsedAt) : t("admin.never")}</Table.Td>
                        <Table.Td>
                          <Button
                            size="xs"
                            variant="light"
                            color="red"
                            onClick={() => setRevoking(tk)}
                            aria-label={t("admin.security.revokeLabel", { name: tk.name })}
                          >
                            {t("admin.security.revoke")}
                          </Button>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </TableFrame>
            )}
          </QueryState>
        </div>
      </Stack>
      <ConfirmDialog
        subject={revoking}
        onClose={closeRevoke}
        title={t("admin.security.revokeTitle")}
        error={revoke.error}
        confirmLabel={t("admin.security.revoke")}
        confirmColor="red"
        loading={revoke.isPending}
        onConfirm={(tk) => revoke.mutate(tk.id)}
      >
        {(tk) => <Text size="sm">{t("admin.security.revokeConfirm", { name: tk.name })}</Text>}
      </ConfirmDialog>
    </Card>
  );
}

/** Splits the server's `details` ("field: message", "allowedDomains.2: message") by form field. */
function fieldErrors(
  details: string[],
  domains: string[],
): { fields: Partial<Record<SsoField, string>>; rest: string[] } {
  const fields: Partial<Record<SsoField, string>> = {};
  const rest: string[] = [];
  for (const d of details) {
    const at = d.indexOf(": ");
    const path = at > 0 ? d.slice(0, at) : "";
    const message = at > 0 ? d.slice(at + 2) : d;
    const [head, index] = path.split(".");
    const field = SSO_FIELDS.find((f) => f === head);
    if (!field) {
      rest.push(d);
      continue;
    }
    const text =
      field === "allowedDomains" && index !== undefined ? `${domains[Number(index)] ?? index}: ${message}` : message;
    fields[field] = fields[field] ? `${fields[field]} ${text}` : text;
  }
  return { fields, rest };
}

function SsoForm({ config }: { config: SsoConfig | null }) {
  const isOwner = useMe().data?.role === "owner";
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: {
      enabled: config?.enabled ?? false,
      issuer: config?.issuer ?? "",
      clientId: config?.clientId ?? "",
      clientSecret: "",
      removeSecret: false,
      allowedDomains: config?.allowedDomains ?? [],
      defaultRole: config?.defaultRole ?? "member",
    },
    validate: {
      issuer: (v) => (v.trim() ? null : t("admin.security.required")),
      clientId: (v) => (v.trim() ? null : t("admin.security.required")),
    },
  });
  const [otherErrors, setOtherErrors] = useState<string[]>([]);
  const save = useMutation({
    mutationFn: (v: typeof form.values) =>
      api<SsoConfig>("PUT", "/sso", {
        enabled: v.enabled,
        issuer: v.issuer.trim(),
        clientId: v.clientId.trim(),
        // Empty keeps the stored secret; "" (on request) removes it.
        ...(v.clientSecret ? { clientSecret: v.clientSecret } : v.removeSecret ? { clientSecret: "" } : {}),
        allowedDomains: v.allowedDomains.map((d) => d.trim()).filter(Boolean),
        defaultRole: v.defaultRole,
        ...(typeof config?.version === "number" ? { version: config.version } : {}),
      }),
    onMutate: () => setOtherErrors([]),
    onSuccess: async () => {
      notifications.show({
        color: "teal",
        closeButtonProps: { "aria-label": t("common.close") },
        message: t("admin.security.saved"),
      });
      await queryClient.invalidateQueries({ queryKey: ["sso"] });
    },
    onError: (err) => {
      if (err instanceof ApiError && Array.isArray(err.details)) {
        const { fields, rest } = fieldErrors(err.details as string[], form.values.allowedDomains);
        form.setErrors(fields);
        setOtherErrors(rest);
      } else if (err instanceof ApiError && err.code === "VERSION_CONFLICT") {
        void queryClient.invalidateQueries({ queryKey: ["sso"] });
      }
    },
  });
  const fallbackRedirectUri = usePublicLink("/api/v1/auth/sso/callback");
  const redirectUri = config?.redirectUri ?? fallbackRedirectUri;
  const generalError =
    save.error && !(save.error instanceof ApiError && Array.isArray(save.error.details)) ? save.error.message : null;
  return (
    <form onSubmit={form.onSubmit((v) => save.mutate(v))} noValidate>
      <Stack>
        <CopyField
          label={t("admin.security.redirectUri")}
          description={t("admin.security.redirectUriHint")}
          value={redirectUri}
        />
        {!config && (
          <Text size="sm" c="dimmed">
            {t("admin.security.notConfigured")}
          </Text>
        )}
        <Switch
          label={t("admin.security.enabled")}
          description={t("admin.security.enabledHint")}
          {...form.getInputProps("enabled", { type: "checkbox" })}
        />
        <TextInput
          label={t("admin.security.issuer")}
          description={t("admin.security.issuerHint")}
          placeholder="https://login.example.com"
          required
          {...form.getInputProps("issuer")}
        />
        <Group grow align="flex-start">
          <TextInput label={t("admin.security.clientId")} required {...form.getInputProps("clientId")} />
          <PasswordInput
            label={t("admin.security.clientSecret")}
            description={
              config?.hasClientSecret ? t("admin.security.clientSecretKeep") : t("admin.security.clientSecretNone")
            }
            autoComplete="new-password"
            {...form.getInputProps("clientSecret")}
          />
        </Group>
        {config?.hasClientSecret && (
          <Checkbox
            label={t("admin.security.removeSecret")}
            disabled={!!form.values.clientSecret}
            {...form.getInputProps("removeSecret", { type: "checkbox" })}
          />
        )}
        <TagsInput
          label={t("admin.security.domains")}
          description={t("admin.security.domainsHint")}
          placeholder={form.values.allowedDomains.length ? undefined : t("admin.security.domainsPlaceholder")}
          splitChars={[",", " ", ";"]}
          acceptValueOnBlur
          clearable
          {...form.getInputProps("allowedDomains")}
        />
        <Radio.Group label={t("admin.security.defaultRole")} {...form.getInputProps("defaultRole")}>
          <Group mt={6}>
            <Radio value="member" label={t("admin.security.roles.member")} />
            <Radio value="observer" label={t("admin.security.roles.observer")} />
          </Group>
        </Radio.Group>
        {(generalError || otherErrors.length > 0) && (
          <Alert color="red" title={t("common.error")} role="alert">
            <Stack gap={4}>
              {generalError && <Text size="sm">{generalError}</Text>}
              {otherErrors.map((e) => (
                <Text size="sm" key={e}>
                  {e}
                </Text>
              ))}
            </Stack>
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={save.isPending} disabled={!isOwner}>
            {t("admin.security.save")}
          </Button>
          {!isOwner && (
            <Text size="sm" c="dimmed">
              {t("admin.security.ownersOnly")}
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

function SsoSection() {
  // Never configured: 404 (or an empty answer); both mean "start from a blank form".
  const sso = useQuery({
    queryKey: ["sso"],
    queryFn: async () => {
      try {
        const c = await get<SsoConfig | "" | null>("/sso");
        return c && typeof c === "object" && "issuer" in c ? c : null;
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
  return (
    <Card withBorder component="section" aria-labelledby="sso-heading" padding="lg">
      <Stack>
        <div>
          <Group gap="xs" justify="space-between">
            <Group gap="xs">
              <IconShieldLock size={20} aria-hidden />
              <Title order={3} size="h4" id="sso-heading">
                {t("admin.security.sso")}
              </Title>
            </Group>
            {sso.data !== undefined && (
              <Badge variant="light" color={sso.data?.enabled ? "teal" : "gray"} radius="sm">
                {sso.data?.enabled ? t("admin.security.status.on") : t("admin.security.status.off")}
              </Badge>
            )}
          </Group>
          <Text size="sm" c="dimmed" mt={4}>
            {t("admin.security.ssoIntro")}
          </Text>
        </div>
        <QueryState query={sso}>
          {(config) => <SsoForm key={`${config?.version ?? "new"}`} config={config} />}
        </QueryState>
      </Stack>
    </Card>
  );
}

function Security() {
  return (
    <Stack maw={900}>
      <Title order={2}>{t("admin.security.title")}</Title>
      <ScimSection />
      <SsoSection />
    </Stack>
  );
}

export function SecurityPage() {
  return (
    <AdminsOnly title={t("admin.security.title")}>
      <Security />
    </AdminsOnly>
  );
}
