/**
 * A key result's "Data link" card (#13): its check-in tokens (create — shown once, with a copy
 * button and a curl line —, list, revoke) and its data source (format, URL, JSONPath or cell,
 * "Sync now", the last sync and its error in words). Those who may edit the key result change
 * them; everyone else who sees the key result reads where its value comes from.
 */
import { Alert, Button, Card, Group, List, Select, Stack, Text, TextInput, Title } from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { CopyableCode } from "../../components/copyable-code.js";
import { api } from "../../lib/api.js";
import { dateTime } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import "../../lib/i18n-data-link.js";
import { keys, useSettings } from "../../lib/queries.js";
import type { DataLink, KeyResult, KeyResultToken, KeyResultTokenCreated, Page, SyncOutcome } from "../../lib/types.js";
import { fieldErrors } from "../chat/chat-settings-card.js";

// Under the key result's own key: its live events refetch these too.
const dataLinkKey = (id: string) => [...keys.keyResult(id), "dataLink"] as const;
const tokensKey = (id: string) => [...keys.keyResult(id), "tokens"] as const;

function Tokens({ kr }: { kr: KeyResult }) {
  const queryClient = useQueryClient();
  const tokens = useQuery({
    queryKey: tokensKey(kr.id),
    queryFn: () => api<Page<KeyResultToken>>("GET", `/key-results/${kr.id}/tokens`),
  });
  const [name, setName] = useState("");
  const [created, setCreated] = useState<KeyResultTokenCreated | null>(null);
  const create = useMutation({
    mutationFn: () => api<KeyResultTokenCreated>("POST", `/key-results/${kr.id}/tokens`, { name }),
    onSuccess: (made) => {
      setCreated(made);
      setName("");
      void queryClient.invalidateQueries({ queryKey: tokensKey(kr.id) });
    },
  });
  const revoke = useMutation({
    mutationFn: (tok: KeyResultToken) => api("DELETE", `/key-results/${kr.id}/tokens/${tok.id}`),
    onSuccess: (_r, tok) => {
      if (created?.id === tok.id) setCreated(null);
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("dataLink.revoked", { name: tok.name }),
      });
      void queryClient.invalidateQueries({ queryKey: tokensKey(kr.id) });
    },
  });
  // The server's public address, as every link it gives (OKRA_PUBLIC_URL).
  const origin = useSettings().data?.publicUrl ?? window.location.origin;
  const curl = created
    ? `curl -X POST ${origin}/api/v1/key-results/${kr.id}/push -H "Authorization: Bearer ${created.token}" -H "Content-Type: application/json" -d '{"value": 42}'`
    : "";
  return (
    <Stack gap="xs">
      <Title order={4}>{t("dataLink.tokens")}</Title>
      <Text size="sm" c="dimmed">
        {t("dataLink.tokensHelp")}
      </Text>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Group align="flex-end" gap="xs" wrap="wrap">
          <TextInput
            label={t("dataLink.tokenName")}
            placeholder={t("dataLink.tokenNamePlaceholder")}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldErrors(create.error).name}
            style={{ flex: "1 1 12rem" }}
          />
          <Button type="submit" loading={create.isPending}>
            {t("dataLink.createToken")}
          </Button>
        </Group>
      </form>
      {created && (
        <Alert color="teal" role="status">
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              {t("dataLink.tokenShownOnce")}
            </Text>
            <CopyableCode value={created.token} testId="kr-token-secret" />
            <Text size="sm">{t("dataLink.curl")}</Text>
            <CopyableCode value={curl} testId="kr-token-curl" />
          </Stack>
        </Alert>
      )}
      {tokens.data && tokens.data.items.length === 0 && (
        <Text size="sm" c="dimmed">
          {t("dataLink.noTokens")}
        </Text>
      )}
      {tokens.data && tokens.data.items.length > 0 && (
        <List size="sm" spacing="xs" aria-label={t("dataLink.tokens")}>
          {tokens.data.items.map((tok) => (
            <List.Item key={tok.id}>
              <Group gap="xs" wrap="wrap">
                <Text size="sm" style={{ wordBreak: "break-word" }}>
                  {t("dataLink.tokenLine", {
                    name: tok.name,
                    created: dateTime(tok.createdAt),
                    used: tok.lastUsedAt
                      ? t("dataLink.lastUsed", { at: dateTime(tok.lastUsedAt) })
                      : t("dataLink.neverUsed"),
                  })}
                </Text>
                <Button
                  size="compact-xs"
                  variant="light"
                  color="red"
                  aria-label={t("dataLink.revokeLabel", { name: tok.name })}
                  loading={revoke.isPending && revoke.variables?.id === tok.id}
                  onClick={() => revoke.mutate(tok)}
                >
                  {t("dataLink.revoke")}
                </Button>
              </Group>
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

/** The last sync in words: when, the last good value, and the error when it failed. */
function SyncState({ link }: { link: DataLink }) {
  const s = link.state;
  if (!s) return <Text size="sm">{t("dataLink.neverSynced")}</Text>;
  return (
    <Stack gap={4} data-testid="data-link-state">
      <Text size="sm">
        {t("dataLink.lastSync", { at: dateTime(s.lastSyncAt) })}
        {s.lastValue !== null &&
          s.lastValueAt &&
          ` ${t("dataLink.lastValue", { value: s.lastValue, at: dateTime(s.lastValueAt) })}`}
      </Text>
      {s.error && (
        <Alert color="red" p="xs" role="alert">
          <Text size="sm">{t("dataLink.error", { error: s.error })}</Text>
        </Alert>
      )}
    </Stack>
  );
}

type SourceForm = { kind: "none" | "json" | "csv"; url: string; path: string; cell: string };

function formOf(link: DataLink): SourceForm {
  const s = link.source;
  return {
    kind: s?.kind ?? "none",
    url: s?.url ?? "",
    path: s?.kind === "json" ? s.path : "",
    cell: s?.kind === "csv" ? s.cell : "",
  };
}

function Source({ kr, link }: { kr: KeyResult; link: DataLink }) {
  const queryClient = useQueryClient();
  const form = useForm<SourceForm>({ initialValues: formOf(link) });
  const save = useMutation({
    mutationFn: (v: SourceForm) =>
      api<KeyResult>("PATCH", `/key-results/${kr.id}`, {
        source:
          v.kind === "none"
            ? null
            : v.kind === "json"
              ? { kind: "json", url: v.url, path: v.path }
              : { kind: "csv", url: v.url, cell: v.cell },
      }),
    onSuccess: async () => {
      notifications.show({
        closeButtonProps: { "aria-label": t("common.close") },
        color: "teal",
        message: t("dataLink.saved"),
      });
      const fresh = await api<DataLink>("GET", `/key-results/${kr.id}/data-link`);
      queryClient.setQueryData(dataLinkKey(kr.id), fresh);
      form.setInitialValues(formOf(fresh));
      form.setValues(formOf(fresh));
      form.resetDirty();
      void queryClient.invalidateQueries({ queryKey: keys.keyResult(kr.id) });
    },
    onError: (err) => {
      for (const [field, message] of Object.entries(fieldErrors(err))) {
        form.setFieldError(field.replace(/^source\.?/, "") || "kind", message);
      }
    },
  });
  const sync = useMutation({
    mutationFn: () => api<SyncOutcome>("POST", `/key-results/${kr.id}/sync`),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: keys.keyResult(kr.id) });
      void queryClient.invalidateQueries({ queryKey: keys.checkInsOf(kr.id) });
    },
  });
  const kind = form.values.kind;
  const saved = link.source !== null;
  return (
    <Stack gap="xs">
      <Title order={4}>{t("dataLink.source")}</Title>
      <Text size="sm" c="dimmed">
        {t("dataLink.sourceHelp")}
      </Text>
      <form onSubmit={form.onSubmit((v) => save.mutate(v))}>
        <Stack gap="xs">
          <Select
            label={t("dataLink.kind")}
            data={(["none", "json", "csv"] as const).map((k) => ({ value: k, label: t(`dataLink.kinds.${k}`) }))}
            allowDeselect={false}
            {...form.getInputProps("kind")}
          />
          {kind !== "none" && (
            <TextInput
              type="url"
              label={t("dataLink.url")}
              placeholder={t("dataLink.urlPlaceholder")}
              autoComplete="off"
              spellCheck={false}
              {...form.getInputProps("url")}
            />
          )}
          {kind === "json" && (
            <TextInput
              label={t("dataLink.path")}
              description={t("dataLink.pathHelp")}
              spellCheck={false}
              {...form.getInputProps("path")}
            />
          )}
          {kind === "csv" && (
            <TextInput
              label={t("dataLink.cell")}
              description={t("dataLink.cellHelp")}
              spellCheck={false}
              {...form.getInputProps("cell")}
            />
          )}
          {save.error && Object.keys(fieldErrors(save.error)).length === 0 && (
            <Text c="red" role="alert" size="sm">
              {save.error.message}
            </Text>
          )}
          <Group gap="xs" wrap="wrap">
            <Button type="submit" loading={save.isPending} disabled={!form.isDirty()}>
              {t("dataLink.save")}
            </Button>
            {saved && (
              <Button
                variant="default"
                onClick={() => sync.mutate()}
                loading={sync.isPending}
                disabled={form.isDirty()}
              >
                {t("dataLink.syncNow")}
              </Button>
            )}
          </Group>
          {saved && form.isDirty() && (
            <Text size="sm" c="dimmed">
              {t("dataLink.syncUnsaved")}
            </Text>
          )}
        </Stack>
      </form>
      {/* A failure is shown once, as the last sync's error below. */}
      {sync.data && sync.data.outcome !== "failed" && (
        <Alert color="teal" p="xs" role="status">
          <Text size="sm">
            {t(`dataLink.outcome.${sync.data.outcome}`, { value: sync.data.value, error: sync.data.error })}
          </Text>
        </Alert>
      )}
      {sync.error && (
        <Text c="red" role="alert" size="sm">
          {sync.error.message}
        </Text>
      )}
      {saved && <SyncState link={link} />}
    </Stack>
  );
}

/** The card: tokens and source for those who may edit; where the value comes from for others. */
export function DataLinkCard({ kr }: { kr: KeyResult }) {
  const link = useQuery({
    queryKey: dataLinkKey(kr.id),
    queryFn: () => api<DataLink>("GET", `/key-results/${kr.id}/data-link`),
  });
  const data = link.data;
  if (!data || kr.progressMode !== "manual" || kr.type === "milestone") return null;
  // A closed key result takes no check-ins: its link is shown, not managed.
  if (!data.canEdit || kr.closed) {
    if (!data.source) return null;
    return (
      <Card withBorder component="section" aria-labelledby="data-link-heading">
        <Stack gap="xs">
          <Title order={3} id="data-link-heading">
            {t("dataLink.title")}
          </Title>
          <Text size="sm" style={{ wordBreak: "break-all" }}>
            {t("dataLink.readOnly", { url: data.source.url })}
          </Text>
          <SyncState link={data} />
        </Stack>
      </Card>
    );
  }
  return (
    <Card withBorder component="section" aria-labelledby="data-link-heading">
      <Stack>
        <Stack gap={2}>
          <Title order={3} id="data-link-heading">
            {t("dataLink.title")}
          </Title>
          <Text size="sm" c="dimmed">
            {t("dataLink.intro")}
          </Text>
        </Stack>
        <Tokens kr={kr} />
        <Source key={JSON.stringify(data.source)} kr={kr} link={data} />
      </Stack>
    </Card>
  );
}
