/**
 * The audit trail (owners and admins): every change, newest first, filtered by object type,
 * person, action (prefix) and dates kept in the URL; each entry opens onto the fields it
 * changed (old → new) and the full before/after; "Load more" follows the cursor; the
 * filtered trail downloads as CSV.
 */
import { TableFrame } from "../components/table-frame.js";
import "../lib/i18n-admin.js";
import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  CloseButton,
  Code,
  Collapse,
  Group,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconChevronDown, IconChevronRight, IconDownload, IconFilterOff } from "@tabler/icons-react";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { Fragment, type ReactNode, useEffect, useRef, useState } from "react";
import { AppLink } from "../components/app-link.js";
import { QueryState } from "../components/query-state.js";
import { AdminsOnly } from "../features/admin/admins-only.js";
import { PersonSelect } from "../features/pickers/pickers.js";
import { api, get } from "../lib/api.js";
import { type AuditRef, auditLabel, auditObjectName, auditRefName, shortId } from "../lib/audit.js";
import { dateTime } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import type { AuditEntry, Page } from "../lib/types.js";

/** The object types the filter offers. */
const AUDIT_OBJECT_TYPES = [
  "objective",
  "keyResult",
  "checkIn",
  "alignment",
  "initiative",
  "kpi",
  "team",
  "period",
  "user",
  "organization",
] as const;

const PAGE_SIZE = 50;

/** The filters, as kept in the URL. Dates are calendar days (YYYY-MM-DD) in the browser's zone. */
interface AuditSearch {
  period?: string;
  objectType?: string;
  objectId?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : undefined);
const isDay = (v: string | undefined): v is string => !!v && /^\d{4}-\d{2}-\d{2}$/.test(v);

/** Local midnight of a YYYY-MM-DD day, plus `addDays`, as an ISO instant. */
function dayStart(day: string, addDays = 0): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d + addDays).toISOString();
}

/** The API query for the filters (without paging). `to` is inclusive: up to the next midnight. */
function filterParams(s: AuditSearch): URLSearchParams {
  const p = new URLSearchParams({ order: "desc" });
  if (s.objectType) p.set("objectType", s.objectType);
  if (s.objectId) p.set("objectId", s.objectId);
  if (s.actor) p.set("actorId", s.actor);
  if (s.action?.trim()) p.set("action", s.action.trim());
  if (isDay(s.from)) p.set("from", dayStart(s.from));
  if (isDay(s.to)) p.set("to", dayStart(s.to, 1));
  return p;
}

function typeLabel(type: string): string {
  return t(`admin.objectTypes.${type}`, { defaultValue: type });
}

interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

const asRecord = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

/**
 * The fields that differ between two snapshots (top-level keys, values compared as JSON).
 * A creation lists every field it set, a deletion every field it had.
 */
function changedFields(before: unknown, after: unknown): FieldChange[] {
  const b = asRecord(before);
  const a = asRecord(after);
  if (!b && !a) {
    return JSON.stringify(before ?? null) === JSON.stringify(after ?? null) ? [] : [{ field: "", before, after }];
  }
  const keys = [...new Set([...Object.keys(b ?? {}), ...Object.keys(a ?? {})])];
  const out: FieldChange[] = [];
  for (const field of keys) {
    const x = b?.[field];
    const y = a?.[field];
    if (JSON.stringify(x ?? null) === JSON.stringify(y ?? null)) continue;
    out.push({ field, before: x, after: y });
  }
  return out;
}

function Value({ v }: { v: unknown }) {
  if (v === undefined || v === null || v === "") {
    return (
      <Text span size="sm" c="dimmed">
        {t("admin.audit.empty")}
      </Text>
    );
  }
  if (typeof v === "object") {
    return (
      <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
        {JSON.stringify(v, null, 2)}
      </Code>
    );
  }
  return (
    <Text span size="sm" style={{ whiteSpace: "pre-wrap", wordBreak: "break-word" }}>
      {String(v)}
    </Text>
  );
}

function EntryDetails({ entry, onOnlyThis }: { entry: AuditEntry; onOnlyThis: () => void }) {
  const [json, setJson] = useState(false);
  const changes = changedFields(entry.before, entry.after);
  return (
    <Stack gap="sm" py="xs">
      <Group justify="space-between" wrap="wrap">
        <Text size="sm" fw={600}>
          {changes.length ? t("admin.audit.changedFields", { count: changes.length }) : t("admin.audit.noChange")}
        </Text>
        <Group gap="xs">
          <Button size="xs" variant="subtle" onClick={onOnlyThis}>
            {t("admin.audit.onlyThisObject")}
          </Button>
          <Button size="xs" variant="subtle" onClick={() => setJson((v) => !v)} aria-expanded={json}>
            {json ? t("admin.audit.hideJson") : t("admin.audit.showJson")}
          </Button>
        </Group>
      </Group>
      {changes.length > 0 && (
        <Table withTableBorder withColumnBorders layout="fixed" aria-label={t("admin.audit.details")}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w="22%">{t("admin.audit.field")}</Table.Th>
              <Table.Th>{t("admin.audit.before")}</Table.Th>
              <Table.Th>{t("admin.audit.after")}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {changes.map((c) => (
              <Table.Tr key={c.field}>
                <Table.Td>
                  <Code>{c.field || "—"}</Code>
                </Table.Td>
                <Table.Td>
                  <Value v={c.before} />
                </Table.Td>
                <Table.Td>
                  <Value v={c.after} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Collapse expanded={json}>
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          {(["before", "after"] as const).map((side) => (
            <Stack gap={4} key={side}>
              <Text size="sm" fw={600}>
                {t(side === "before" ? "admin.audit.jsonBefore" : "admin.audit.jsonAfter")}
              </Text>
              <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-word", maxHeight: 480, overflow: "auto" }}>
                {JSON.stringify(entry[side] ?? null, null, 2)}
              </Code>
            </Stack>
          ))}
        </SimpleGrid>
      </Collapse>
    </Stack>
  );
}

/** A related object: a link while it exists and the reader may see it, else its words. */
function RefName({ r }: { r: AuditRef }) {
  const text = auditRefName(r);
  if (r.id && !r.deleted && !r.hidden && r.type === "objective") {
    return (
      <AppLink to="/objectives/$objectiveId" params={{ objectiveId: r.id }} size="sm">
        {text}
      </AppLink>
    );
  }
  if (r.id && !r.deleted && !r.hidden && r.type === "keyResult") {
    return (
      <AppLink to="/key-results/$keyResultId" params={{ keyResultId: r.id }} size="sm">
        {text}
      </AppLink>
    );
  }
  return (
    <Text span size="sm" fs={r.name ? undefined : "italic"}>
      {text}
    </Text>
  );
}

/** A sentence with one object in it (`{{name}}` in the translation), the object as a node. */
function Sentence({ template, children }: { template: string; children: ReactNode }) {
  const [before = "", after = ""] = t(template, { name: "\u0000" }).split("\u0000");
  return (
    <Text size="sm">
      {before}
      {children}
      {after}
    </Text>
  );
}

/** The object in words (its name, or "deleted <kind>"), what else it is about, and its id beside. */
function ObjectCell({ entry }: { entry: AuditEntry }) {
  const name = auditObjectName(entry);
  const own = entry.objectType === "follow" ? "objective" : entry.objectType;
  const self: AuditRef | null = name
    ? {
        role: "objective",
        type: own,
        id: entry.objectId,
        name,
        deleted: entry.objectDeleted,
        hidden: false,
      }
    : null;
  const child = entry.related.find((r) => r.role === "child");
  const parent = entry.related.find((r) => r.role === "parent");
  const other = child && parent ? undefined : entry.related[0];
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {typeLabel(entry.objectType)}
      </Text>
      {self &&
        (entry.objectDeleted ? (
          <Text size="sm" fs={entry.objectName ? undefined : "italic"}>
            {name}
          </Text>
        ) : (
          <div>
            <RefName r={self} />
          </div>
        ))}
      {child && parent && (
        <Text size="sm">
          <RefName r={child} /> → <RefName r={parent} />
        </Text>
      )}
      {other && (
        <Sentence template={other.role === "account" ? "audit.names.forAccount" : "audit.names.on"}>
          <RefName r={other} />
        </Sentence>
      )}
      <Text size="xs" c="dimmed" ff="monospace" title={entry.objectId}>
        {t("audit.names.id", { id: shortId(entry.objectId) })}
      </Text>
    </Stack>
  );
}

function AuditTrail() {
  const search = useSearch({ strict: false }) as Record<string, unknown>;
  const navigate = useNavigate();
  const filters: AuditSearch = {
    objectType: str(search.objectType),
    objectId: str(search.objectId),
    actor: str(search.actor),
    action: str(search.action),
    from: str(search.from),
    to: str(search.to),
  };
  const set = (patch: Partial<AuditSearch>) =>
    void navigate({
      to: "/admin/audit",
      search: (prev: AuditSearch) => ({ ...prev, ...patch }),
      replace: true,
    } as never);
  // The action filter follows typing after a short pause (one request, not one per key).
  const [action, setAction] = useState(filters.action ?? "");
  const sent = useRef(filters.action);
  useEffect(() => {
    // Only a change from elsewhere (back, forward, a link) overwrites what is being typed.
    if (filters.action !== sent.current) {
      sent.current = filters.action;
      setAction(filters.action ?? "");
    }
  }, [filters.action]);
  useEffect(() => {
    if ((filters.action ?? "") === action) return;
    const id = setTimeout(() => {
      sent.current = action || undefined;
      set({ action: action || undefined });
    }, 350);
    return () => clearTimeout(id);
  });
  const badRange = isDay(filters.from) && isDay(filters.to) && filters.to < filters.from;
  const params = filterParams(badRange ? { ...filters, to: undefined } : filters);
  const qs = params.toString();
  const trail = useInfiniteQuery({
    queryKey: ["audit", qs],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      get<Page<AuditEntry>>(
        `/audit?${qs}&limit=${PAGE_SIZE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const [open, setOpen] = useState<Set<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const [exporting, setExporting] = useState(false);
  const exportCsv = async () => {
    setExporting(true);
    try {
      const csv = await api<string>("GET", `/audit/export?format=csv&${qs}`);
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `okra-audit-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      notifications.show({
        color: "red",
        closeButtonProps: { "aria-label": t("common.close") },
        message: t("admin.audit.exportFailed", { message: (err as Error).message }),
      });
    } finally {
      setExporting(false);
    }
  };
  const anyFilter = Object.values(filters).some(Boolean);
  const items = trail.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={2}>{t("admin.audit.title")}</Title>
          <Text size="sm" c="dimmed">
            {t("admin.audit.intro")}
          </Text>
        </div>
        <Button leftSection={<IconDownload size={16} />} variant="light" onClick={exportCsv} loading={exporting}>
          {t("admin.audit.export")}
        </Button>
      </Group>
      <Card withBorder component="section" aria-label={t("admin.audit.filters")} role="search">
        <Group align="flex-end" gap="sm">
          <Select
            label={t("admin.audit.objectType")}
            placeholder={t("admin.audit.anyType")}
            data={AUDIT_OBJECT_TYPES.map((v) => ({ value: v, label: typeLabel(v) }))}
            value={filters.objectType ?? null}
            onChange={(v) => set({ objectType: v ?? undefined })}
            clearable
            w={170}
          />
          <PersonSelect
            label={t("admin.audit.person")}
            placeholder={t("admin.audit.anyone")}
            value={filters.actor ?? null}
            onChange={(v) => set({ actor: v ?? undefined })}
            clearable
            w={190}
          />
          <TextInput
            label={t("admin.audit.action")}
            placeholder={t("admin.audit.actionHint")}
            value={action}
            onChange={(e) => setAction(e.currentTarget.value)}
            w={190}
          />
          <TextInput
            type="date"
            label={t("admin.audit.from")}
            value={filters.from ?? ""}
            onChange={(e) => set({ from: e.currentTarget.value || undefined })}
            w={160}
          />
          <TextInput
            type="date"
            label={t("admin.audit.to")}
            value={filters.to ?? ""}
            min={filters.from}
            onChange={(e) => set({ to: e.currentTarget.value || undefined })}
            error={badRange ? t("admin.audit.toBeforeFrom") : undefined}
            w={160}
          />
          {anyFilter && (
            <Button
              variant="subtle"
              leftSection={<IconFilterOff size={16} />}
              onClick={() => {
                setAction("");
                void navigate({
                  to: "/admin/audit",
                  search: (prev: AuditSearch) => (prev.period ? { period: prev.period } : {}),
                  replace: true,
                } as never);
              }}
            >
              {t("admin.audit.reset")}
            </Button>
          )}
        </Group>
        {filters.objectId && (
          <Group mt="sm" gap={4}>
            <Badge variant="light" size="lg" radius="sm" style={{ textTransform: "none" }}>
              {t("admin.audit.objectId", { id: filters.objectId })}
            </Badge>
            <CloseButton
              size="sm"
              aria-label={t("admin.audit.clearObject")}
              onClick={() => set({ objectId: undefined })}
            />
          </Group>
        )}
      </Card>
      <QueryState
        query={trail}
        isEmpty={(d) => d.pages.every((p) => p.items.length === 0)}
        empty={t("admin.audit.none")}
      >
        {() => (
          <Stack>
            <Text size="sm" c="dimmed" aria-live="polite">
              {t("admin.audit.shown", { count: items.length })}
            </Text>
            <TableFrame minWidth={760}>
              <Table verticalSpacing="xs" aria-label={t("admin.audit.caption")}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={44}>
                      <VisuallyHidden>{t("admin.audit.details")}</VisuallyHidden>
                    </Table.Th>
                    <Table.Th w={180}>{t("admin.audit.when")}</Table.Th>
                    <Table.Th w={180}>{t("admin.audit.who")}</Table.Th>
                    <Table.Th>{t("admin.audit.what")}</Table.Th>
                    <Table.Th>{t("admin.audit.object")}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((e) => {
                    const expanded = open.has(e.id);
                    const what = auditLabel(e);
                    const when = dateTime(e.at);
                    return (
                      <Fragment key={e.id}>
                        <Table.Tr>
                          <Table.Td data-row-toggle>
                            <ActionIcon
                              variant="subtle"
                              color="gray"
                              onClick={() => toggle(e.id)}
                              aria-expanded={expanded}
                              aria-controls={expanded ? `audit-details-${e.id}` : undefined}
                              aria-label={t("admin.audit.showDetails", { what, when })}
                            >
                              {expanded ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
                            </ActionIcon>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm" style={{ whiteSpace: "nowrap" }}>
                              {when}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            <Text size="sm">{e.actorName ?? t("admin.audit.system")}</Text>
                          </Table.Td>
                          <Table.Td>
                            <div>
                              <Text size="sm">{what}</Text>
                              <Text size="xs" c="dimmed" ff="monospace">
                                {e.action}
                              </Text>
                            </div>
                          </Table.Td>
                          <Table.Td>
                            <ObjectCell entry={e} />
                          </Table.Td>
                        </Table.Tr>
                        {expanded && (
                          <Table.Tr id={`audit-details-${e.id}`}>
                            <Table.Td />
                            <Table.Td colSpan={4}>
                              <EntryDetails
                                entry={e}
                                onOnlyThis={() => set({ objectId: e.objectId, objectType: e.objectType })}
                              />
                            </Table.Td>
                          </Table.Tr>
                        )}
                      </Fragment>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </TableFrame>
            {trail.hasNextPage && (
              <Group justify="center">
                <Button variant="default" onClick={() => void trail.fetchNextPage()} loading={trail.isFetchingNextPage}>
                  {t("admin.audit.loadMore")}
                </Button>
              </Group>
            )}
            {trail.isFetchNextPageError && (
              <Alert color="red" role="alert">
                {trail.error?.message}
              </Alert>
            )}
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}

export function AuditPage() {
  return (
    <AdminsOnly title={t("admin.audit.title")}>
      <AuditTrail />
    </AdminsOnly>
  );
}
