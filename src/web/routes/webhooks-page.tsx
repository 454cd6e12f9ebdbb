/**
 * Outbound webhooks (owners and admins, #13): create one (its signing secret is shown once, with
 * a copy button), turn it on or off, change its events, give it a new secret, delete it, and read
 * each webhook's delivery log with a "Replay" button per delivery.
 */
import "../lib/i18n-webhooks.js";
import { Alert, Badge, Button, Card, Checkbox, Group, Stack, Switch, Text, TextInput, Title } from "@mantine/core";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { z } from "zod";
import type * as C from "../../contract/index.js";
import { ConfirmDialog } from "../components/confirm-dialog.js";
import { CopyableCode } from "../components/copyable-code.js";
import { DisabledWithReason } from "../components/disabled-reason.js";
import { QueryState } from "../components/query-state.js";
import { AdminsOnly } from "../features/admin/admins-only.js";
import { type ApiError, api, get } from "../lib/api.js";
import { dateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";

type Webhook = z.infer<typeof C.WebhookShape>;
type WebhookWithSecret = z.infer<typeof C.WebhookWithSecretShape>;
type Delivery = z.infer<typeof C.WebhookDeliveryShape>;
type DeliveryPage = z.infer<typeof C.WebhookDeliveryPageShape>;

const EVENTS = [
  ["checkIn.created", "checkIn"],
  ["status.changed", "status"],
  ["objective.closed", "closed"],
  ["comment.created", "comment"],
] as const;

const eventLabel = (event: string) => {
  const key = EVENTS.find(([e]) => e === event)?.[1];
  return key ? t(`webhooks.event.${key}`) : event;
};

const STATE_COLOR: Record<Delivery["state"], string> = {
  pending: "yellow",
  sending: "blue",
  sent: "teal",
  failed: "red",
};

const FIELD_LABEL: Record<string, string> = {
  url: "webhooks.url",
  events: "webhooks.events",
  description: "webhooks.description",
};
const sentence = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The server's `field: message` details of a failed request, split: the URL's own problem (shown
 * at the field), and the rest as lines that name their field by its label, else the message.
 */
function problems(err: Error | null): { url: string | null; other: string | null } {
  if (!err) return { url: null, other: null };
  const details = (err as ApiError).details;
  if (!Array.isArray(details) || details.length === 0) return { url: null, other: err.message };
  let url: string | null = null;
  const other: string[] = [];
  for (const line of details.map(String)) {
    const [, field = "", message = line] = /^([\w.]+):\s*(.*)$/s.exec(line) ?? [];
    if (field === "url") url = sentence(message);
    else other.push(FIELD_LABEL[field] ? `${t(FIELD_LABEL[field])}: ${message}` : line);
  }
  return { url, other: other.length ? other.join("\n") : null };
}

function EventChecks({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  return (
    <Checkbox.Group
      label={t("webhooks.events")}
      value={value}
      onChange={onChange}
      error={value.length === 0 ? t("webhooks.noEvents") : undefined}
    >
      <Group gap="md" mt={4}>
        {EVENTS.map(([event, key]) => (
          <Checkbox key={event} value={event} label={t(`webhooks.event.${key}`)} />
        ))}
      </Group>
    </Checkbox.Group>
  );
}

function CreateCard({ onCreated }: { onCreated: (w: WebhookWithSecret) => void }) {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<string[]>(["checkIn.created"]);
  const [description, setDescription] = useState("");
  const create = useMutation({
    mutationFn: () => api<WebhookWithSecret>("POST", "/webhooks", { url: url.trim(), events, description }),
    onSuccess: (w) => {
      setUrl("");
      setDescription("");
      onCreated(w);
      void queryClient.invalidateQueries({ queryKey: ["webhooks"] });
    },
  });
  const blocker = !url.trim() ? t("webhooks.needUrl") : events.length === 0 ? t("webhooks.needEvents") : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!blocker) create.mutate();
  };
  const problem = problems(create.error);
  return (
    <Card withBorder component="section" aria-labelledby="webhook-new">
      <form onSubmit={submit}>
        <Stack gap="sm">
          <Title order={3} size="h5" id="webhook-new">
            {t("webhooks.newTitle")}
          </Title>
          <TextInput
            label={t("webhooks.url")}
            placeholder={t("webhooks.urlHint")}
            value={url}
            onChange={(e) => {
              setUrl(e.currentTarget.value);
              // The server's verdict was on the old address: it no longer applies.
              if (create.error) create.reset();
            }}
            error={problem.url}
            required
          />
          <EventChecks value={events} onChange={setEvents} />
          <TextInput
            label={t("webhooks.description")}
            placeholder={t("webhooks.descriptionHint")}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
          {problem.other && (
            <Alert color="red" style={{ whiteSpace: "pre-line" }}>
              {problem.other}
            </Alert>
          )}
          <Group>
            {blocker ? (
              <DisabledWithReason reason={blocker}>{t("webhooks.create")}</DisabledWithReason>
            ) : (
              <Button type="submit" loading={create.isPending}>
                {t("webhooks.create")}
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function DeliveryRow({ hookId, d }: { hookId: string; d: Delivery }) {
  const queryClient = useQueryClient();
  const replay = useMutation({
    mutationFn: () => api<Delivery>("POST", `/webhooks/${hookId}/deliveries/${d.id}/replay`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["webhookDeliveries", hookId] }),
  });
  return (
    <Card withBorder padding="xs" data-testid="webhook-delivery">
      <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <Group gap="xs" wrap="wrap">
            <Badge color={STATE_COLOR[d.state]} variant="light">
              {t(`webhooks.state.${d.state}`)}
            </Badge>
            <Text size="sm" fw={600}>
              {eventLabel(d.event)}
            </Text>
            {d.replayOf && (
              <Badge color="gray" variant="outline" size="sm">
                {t("webhooks.replayOf")}
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed">
            {dateTime(d.createdAt)} · {t("webhooks.attempts", { count: d.attempts })}
            {d.responseStatus !== null && ` · ${t("webhooks.answered", { status: d.responseStatus })}`}
            {d.nextAttemptAt && d.attempts > 0 && ` · ${t("webhooks.next", { at: dateTime(d.nextAttemptAt) })}`}
          </Text>
          {d.error && (
            <Text size="xs" c="red" style={{ overflowWrap: "anywhere" }}>
              {d.error}
            </Text>
          )}
          {replay.error && (
            <Text size="xs" c="red">
              {replay.error.message}
            </Text>
          )}
        </Stack>
        <Button
          size="xs"
          variant="light"
          loading={replay.isPending}
          disabled={replay.isSuccess}
          aria-label={t("webhooks.replayLabel", { event: eventLabel(d.event), at: dateTime(d.createdAt) })}
          onClick={() => replay.mutate()}
        >
          {replay.isSuccess ? t("webhooks.replayed") : t("webhooks.replay")}
        </Button>
      </Group>
    </Card>
  );
}

function DeliveryLog({ hookId }: { hookId: string }) {
  const log = useInfiniteQuery({
    queryKey: ["webhookDeliveries", hookId],
    queryFn: ({ pageParam }) =>
      get<DeliveryPage>(
        `/webhooks/${hookId}/deliveries?limit=20${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // A new delivery is posted in the background: look again while some are on their way.
    refetchInterval: (q) =>
      q.state.data?.pages.some((p) => p.items.some((d) => d.state === "pending" || d.state === "sending"))
        ? 3000
        : false,
  });
  const items = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Stack gap="xs" aria-label={t("webhooks.log")}>
      {log.isLoading && <Text size="sm">…</Text>}
      {log.error && <Alert color="red">{log.error.message}</Alert>}
      {!log.isLoading && items.length === 0 && (
        <Text size="sm" c="dimmed">
          {t("webhooks.noDeliveries")}
        </Text>
      )}
      {items.map((d) => (
        <DeliveryRow key={d.id} hookId={hookId} d={d} />
      ))}
      {log.hasNextPage && (
        <Group>
          <Button size="xs" variant="subtle" loading={log.isFetchingNextPage} onClick={() => log.fetchNextPage()}>
            {t("webhooks.more")}
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function WebhookCard({ hook, onSecret }: { hook: Webhook; onSecret: (w: WebhookWithSecret) => void }) {
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<string[]>(hook.events);
  const [showLog, setShowLog] = useState(false);
  const [asking, setAsking] = useState<"delete" | "rotate" | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["webhooks"] });
  const patch = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      api<Webhook>("PATCH", `/webhooks/${hook.id}`, { ...body, version: hook.version }),
    onSettled: refresh,
  });
  const remove = useMutation({
    mutationFn: () => api("DELETE", `/webhooks/${hook.id}`),
    onSuccess: () => setAsking(null),
    onSettled: refresh,
  });
  const rotate = useMutation({
    mutationFn: () => api<WebhookWithSecret>("POST", `/webhooks/${hook.id}/rotate-secret`),
    onSuccess: (w) => {
      setAsking(null);
      onSecret(w);
    },
    onSettled: refresh,
  });
  const eventsChanged = [...events].sort().join() !== [...hook.events].sort().join();
  return (
    <Card withBorder component="section" aria-label={hook.url} data-testid="webhook-card">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
            <Text fw={600} ff="monospace" size="sm" style={{ overflowWrap: "anywhere" }}>
              {hook.url}
            </Text>
            {hook.description && (
              <Text size="sm" c="dimmed">
                {hook.description}
              </Text>
            )}
          </Stack>
          <Switch
            checked={hook.active}
            label={hook.active ? t("webhooks.active") : t("webhooks.off")}
            aria-label={t("webhooks.activeLabel", { url: hook.url })}
            disabled={patch.isPending}
            onChange={(e) => patch.mutate({ active: e.currentTarget.checked })}
          />
        </Group>
        <EventChecks value={events} onChange={setEvents} />
        {patch.error && (
          <Alert color="red" style={{ whiteSpace: "pre-line" }}>
            {[problems(patch.error).url, problems(patch.error).other].filter(Boolean).join("\n")}
          </Alert>
        )}
        <Group gap="xs" wrap="wrap">
          {eventsChanged &&
            (events.length === 0 ? (
              <DisabledWithReason size="xs" reason={t("webhooks.needEvents")}>
                {t("webhooks.saveEvents")}
              </DisabledWithReason>
            ) : (
              <Button size="xs" onClick={() => patch.mutate({ events })}>
                {t("webhooks.saveEvents")}
              </Button>
            ))}
          <Button size="xs" variant="light" onClick={() => setShowLog((v) => !v)} aria-expanded={showLog}>
            {showLog ? t("webhooks.hideLog") : t("webhooks.log")}
          </Button>
          <Button size="xs" variant="light" color="gray" onClick={() => setAsking("rotate")}>
            {t("webhooks.rotate")}
          </Button>
          <Button size="xs" variant="light" color="red" onClick={() => setAsking("delete")}>
            {t("webhooks.delete")}
          </Button>
        </Group>
        {showLog && <DeliveryLog hookId={hook.id} />}
      </Stack>
      <ConfirmDialog
        subject={asking === "delete" ? hook : null}
        onClose={() => setAsking(null)}
        title={t("webhooks.deleteTitle")}
        error={remove.error}
        confirmLabel={t("webhooks.delete")}
        confirmColor="red"
        loading={remove.isPending}
        onConfirm={() => remove.mutate()}
      >
        {(h) => <Text size="sm">{t("webhooks.deleteConfirm", { url: h.url })}</Text>}
      </ConfirmDialog>
      <ConfirmDialog
        subject={asking === "rotate" ? hook : null}
        onClose={() => setAsking(null)}
        title={t("webhooks.rotateTitle")}
        error={rotate.error}
        confirmLabel={t("webhooks.rotate")}
        loading={rotate.isPending}
        onConfirm={() => rotate.mutate()}
      >
        {() => <Text size="sm">{t("webhooks.rotateConfirm")}</Text>}
      </ConfirmDialog>
    </Card>
  );
}

export function WebhooksPage() {
  return (
    <AdminsOnly title={t("webhooks.title")}>
      <Webhooks />
    </AdminsOnly>
  );
}

/** The webhooks themselves: asked for only once the guard let an owner or admin through. */
function Webhooks() {
  const hooks = useQuery({ queryKey: ["webhooks"], queryFn: () => get<{ items: Webhook[] }>("/webhooks") });
  const [secret, setSecret] = useState<WebhookWithSecret | null>(null);
  return (
    <Stack>
      <Title order={2}>{t("webhooks.title")}</Title>
      <Text c="dimmed">{t("webhooks.intro")}</Text>
      {secret && (
        <Alert color="teal" title={t("webhooks.secretOnce")} data-testid="webhook-secret">
          <Stack gap="xs">
            <Text size="sm" style={{ overflowWrap: "anywhere" }}>
              {secret.url}
            </Text>
            <CopyableCode value={secret.secret} testId="webhook-secret-value" />
            <Text size="sm">{t("webhooks.secretOnceHint")}</Text>
            <Group>
              <Button size="xs" variant="light" onClick={() => setSecret(null)}>
                {t("webhooks.dismiss")}
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
      <CreateCard onCreated={setSecret} />
      <QueryState query={hooks} isEmpty={(d) => d.items.length === 0} empty={t("webhooks.none")}>
        {(d) => (
          <Stack>
            {d.items.map((h) => (
              <WebhookCard key={h.id} hook={h} onSecret={setSecret} />
            ))}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
