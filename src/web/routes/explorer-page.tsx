import {
  Button,
  Group,
  Menu,
  MultiSelect,
  RangeSlider,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from "@mantine/core";
import { useDebouncedValue, useMediaQuery } from "@mantine/hooks";
import { notifications } from "@mantine/notifications";
import {
  IconChevronDown,
  IconChevronUp,
  IconDownload,
  IconFileSpreadsheet,
  IconPresentation,
  IconSelector,
} from "@tabler/icons-react";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { STATUSES } from "../../domain/types.js";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { CoachPanel } from "../components/coach-panel.js";
import { LoadMore } from "../components/load-more.js";
import { OwnerText } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { StatusBadge } from "../components/status-badge.js";
import { PHONE_QUERY, TableFrame } from "../components/table-frame.js";
import { VirtualTableBody } from "../components/virtual-table-body.js";
import { ExplorerEmpty } from "../features/explorer/explorer-empty.js";
import { PersonSelect, TeamSelect } from "../features/pickers/pickers.js";
import { download } from "../lib/api.js";
import { toCsv } from "../lib/csv.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { keys, teamLoader, useObjectiveCount, useObjectivePages, userLoader } from "../lib/queries.js";
import type { Objective } from "../lib/types.js";

interface ExplorerSearch {
  period?: string;
  q?: string;
  status?: string;
  level?: string;
  team?: string;
  owner?: string;
  /** Progress range in percent, "min-max". */
  progress?: string;
  /** The column the server sorts by, "-" first for descending (the list's `sort`). */
  sort?: string;
}

const VIEWS_KEY = "okra.explorer.views";

interface SavedView {
  name: string;
  search: ExplorerSearch;
}

function loadViews(): SavedView[] {
  try {
    return JSON.parse(localStorage.getItem(VIEWS_KEY) ?? "[]") as SavedView[];
  } catch {
    return [];
  }
}

type SortKey = "title" | "progress" | "status" | "level";
const SORT_KEYS: readonly SortKey[] = ["title", "progress", "status", "level"];
const sortLabel = (key: SortKey) => t(`common.${key}`);
/**
 * The order until a column is picked: the list's own (organisation, team, then individual
 * objectives), which an index serves at any size; by progress the database sorts the period.
 */
const DEFAULT_SORT = "level";

/** The column and direction of a `sort` value ("-progress"); the default for anything else. */
function sortOf(value: string | undefined): { key: SortKey; desc: boolean } {
  const v = value && SORT_KEYS.includes(value.replace(/^-/, "") as SortKey) ? value : DEFAULT_SORT;
  return { key: v.replace(/^-/, "") as SortKey, desc: v.startsWith("-") };
}

/** A progress range "min-max" in percent; the whole range for anything else. */
function progressRange(value: string | undefined): [number, number] {
  const m = /^(\d{1,3})-(\d{1,3})$/.exec(value ?? "");
  const [min, max] = m ? [Number(m[1]), Number(m[2])] : [0, 100];
  return min <= max && max <= 100 ? [min, max] : [0, 100];
}

/** Rows the explorer asks for at a time. */
const PAGE_SIZE = 200;
const ROW_HEIGHT = 49;

/** Names of people or teams by id: those in the cache, then the rest fetched in batches of a hundred. */
async function namesOf(
  queryClient: QueryClient,
  kind: "users" | "teams",
  ids: Iterable<string>,
): Promise<Map<string, string>> {
  const key = kind === "users" ? keys.user : keys.team;
  const loader = kind === "users" ? userLoader : teamLoader;
  const out = new Map<string, string>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      const found = await queryClient
        .fetchQuery<{ name: string }>({ queryKey: key(id), queryFn: () => loader.load(id), staleTime: 300_000 })
        .catch(() => null);
      if (found) out.set(id, found.name);
    }),
  );
  return out;
}

export function ExplorerPage() {
  const search = useSearch({ strict: false }) as ExplorerSearch;
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { period, periods } = useCurrentPeriod();
  const sort = sortOf(search.sort);
  const phone = useMediaQuery(PHONE_QUERY) ?? false;
  // Only what the server takes: a link or saved view from elsewhere may name a status no longer known.
  const statuses = (search.status ?? "").split(",").filter((x) => (STATUSES as readonly string[]).includes(x));
  const statusKey = statuses.join(",");
  // The search is asked of the server once typing pauses, not on every key.
  const [q] = useDebouncedValue(search.q?.trim(), 300);
  const [minP, maxP] = progressRange(search.progress);
  const ranged = minP > 0 || maxP < 100;
  // The server filters, sorts and pages: a period of any size costs the rows shown.
  const filters = {
    periodId: period?.id,
    q: q || undefined,
    level: search.level,
    teamId: search.team,
    ownerId: search.owner,
    status: statusKey || undefined,
    progress: ranged ? `${minP}-${maxP}` : undefined,
  };
  const { periodId: _p, ...filterOnly } = filters;
  // Clearing the filters also empties the inputs that keep their own text (search, progress range):
  // they start again from the cleared address once it is in place.
  const [cleared, setCleared] = useState(0);
  const clearFilters = () =>
    void navigate({
      to: "/explorer",
      search: (prev: ExplorerSearch) => ({ period: prev.period, sort: prev.sort }),
    } as never).then(() => setCleared((n) => n + 1));
  const objectives = useObjectivePages(
    { ...filters, sort: `${sort.desc ? "-" : ""}${sort.key}` },
    { pageSize: PAGE_SIZE, enabled: !!period },
  );
  // The true number, counted by the server, while the rows load a page at a time.
  const total = useObjectiveCount(filters, !!period);
  const set = (patch: Partial<ExplorerSearch>) =>
    void navigate({ to: "/explorer", search: (prev: ExplorerSearch) => ({ ...prev, ...patch }) } as never);
  const [views, setViews] = useState<SavedView[]>(loadViews);
  const [viewName, setViewName] = useState("");
  const saveView = () => {
    const next = [...views.filter((v) => v.name !== viewName.trim()), { name: viewName.trim(), search }];
    localStorage.setItem(VIEWS_KEY, JSON.stringify(next));
    setViews(next);
    setViewName("");
  };
  const rows = objectives.items;
  const [busy, setBusy] = useState(false);

  const exportCsv = async () => {
    setBusy(true);
    try {
      // Everything that matches, not just the rows loaded so far.
      const items = objectives.hasMore ? await objectives.loadAll() : rows;
      const [people, teams] = await Promise.all([
        namesOf(
          queryClient,
          "users",
          items.flatMap((o) => o.ownerIds),
        ),
        namesOf(
          queryClient,
          "teams",
          items.flatMap((o) => (o.teamId ? [o.teamId] : [])),
        ),
      ]);
      const csv = toCsv([
        ["Objective", "Level", "Team", "Owners", "Progress", "Expected", "Status", "Key results"],
        ...items.map((o) => [
          o.title,
          o.level,
          o.teamId ? (teams.get(o.teamId) ?? "") : "",
          o.ownerIds.map((id) => people.get(id) ?? id).join("; "),
          Number((o.progress * 100).toFixed(1)),
          Number((o.expectedProgress * 100).toFixed(1)),
          o.status,
          o.keyResults.length,
        ]),
      ]);
      const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = `okra-objectives-${period?.name ?? "all"}.csv`.replace(/\s+/g, "-");
      a.click();
      URL.revokeObjectURL(url);
    } finally {
      setBusy(false);
    }
  };
  /** The view's filters as the export endpoints take them (the server applies all of them). */
  const exportQuery = () => {
    const params = new URLSearchParams();
    const add = (k: string, v: string | undefined) => v && params.set(k, v);
    add("periodId", period?.id);
    add("q", search.q?.trim());
    add("level", search.level);
    add("teamId", search.team);
    add("ownerId", search.owner);
    add("status", statusKey || undefined);
    if (ranged) add("progress", `${minP}-${maxP}`);
    add("sort", search.sort);
    return params.toString();
  };
  const serverDownload = (path: string, fallback: string) =>
    download(path, fallback).catch((err: Error) =>
      notifications.show({
        color: "red",
        title: t("explorer.exportFailed"),
        message: err.message,
        closeButtonProps: { "aria-label": t("common.close") },
      }),
    );
  const header = (key: SortKey, label: string) => (
    <Table.Th aria-sort={sort.key === key ? (sort.desc ? "descending" : "ascending") : "none"}>
      <UnstyledButton onClick={() => set({ sort: `${sort.key === key && !sort.desc ? "-" : ""}${key}` })}>
        <Group gap={4} wrap="nowrap">
          <Text fw={600} size="sm">
            {label}
          </Text>
          {sort.key !== key ? (
            <IconSelector size={14} aria-hidden />
          ) : sort.desc ? (
            <IconChevronDown size={14} aria-hidden />
          ) : (
            <IconChevronUp size={14} aria-hidden />
          )}
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
  const count =
    !objectives.hasMore || total.data === undefined
      ? objectives.hasMore
        ? t("explorer.countMore", { count: rows.length })
        : t("explorer.count", { count: rows.length })
      : t("explorer.count", { count: total.data.count });

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("explorer.title")}</Title>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button
              leftSection={<IconDownload size={16} aria-hidden />}
              rightSection={<IconChevronDown size={14} aria-hidden />}
              variant="light"
              loading={busy}
              disabled={!rows.length}
            >
              {t("explorer.export")}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item leftSection={<IconDownload size={16} aria-hidden />} onClick={() => void exportCsv()}>
              {t("explorer.exportCsv")}
            </Menu.Item>
            <Menu.Item
              leftSection={<IconFileSpreadsheet size={16} aria-hidden />}
              onClick={() => void serverDownload(`/exports/okrs?format=xlsx&${exportQuery()}`, "okra-okrs.xlsx")}
            >
              {t("explorer.exportOkrsXlsx")}
            </Menu.Item>
            <Menu.Item
              leftSection={<IconFileSpreadsheet size={16} aria-hidden />}
              onClick={() => void serverDownload(`/exports/okrs?format=csv&${exportQuery()}`, "okra-okrs.csv")}
            >
              {t("explorer.exportOkrsCsv")}
            </Menu.Item>
            {period && (
              <Menu.Item
                leftSection={<IconPresentation size={16} aria-hidden />}
                onClick={() =>
                  void serverDownload(
                    `/exports/deck?periodId=${period.id}${search.team ? `&teamId=${search.team}` : ""}`,
                    "okra-review.pptx",
                  )
                }
              >
                {search.team ? t("explorer.exportDeckTeam") : t("explorer.exportDeck")}
              </Menu.Item>
            )}
          </Menu.Dropdown>
        </Menu>
      </Group>
      <Group align="flex-end" gap="sm" role="search">
        <TextInput
          key={`q${cleared}`}
          label={t("explorer.search")}
          defaultValue={search.q ?? ""}
          onChange={(e) => set({ q: e.currentTarget.value || undefined })}
          w={240}
        />
        <MultiSelect
          label={t("common.status")}
          data={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          value={statuses}
          onChange={(v) => set({ status: v.length ? v.join(",") : undefined })}
          w={260}
          clearable
        />
        <Select
          label={t("common.level")}
          data={["organization", "team", "individual"].map((l) => ({ value: l, label: t(`level.${l}`) }))}
          value={search.level ?? null}
          onChange={(v) => set({ level: v ?? undefined })}
          clearable
          w={160}
        />
        <TeamSelect
          label={t("common.team")}
          value={search.team ?? null}
          onChange={(v) => set({ team: v ?? undefined })}
          clearable
          w={180}
        />
        <PersonSelect
          label={t("common.owners")}
          value={search.owner ?? null}
          onChange={(v) => set({ owner: v ?? undefined })}
          clearable
          w={180}
        />
        <Stack gap={2} w={200}>
          <Text size="sm" fw={500} id="progress-filter">
            {t("explorer.progress", { min: minP, max: maxP })}
          </Text>
          <RangeSlider
            key={`p${cleared}`}
            min={0}
            max={100}
            step={5}
            defaultValue={[minP, maxP]}
            onChangeEnd={([a, b]) => set({ progress: a === 0 && b === 100 ? undefined : `${a}-${b}` })}
            thumbFromLabel={t("explorer.progressFrom")}
            thumbToLabel={t("explorer.progressTo")}
            label={(v) => `${v}%`}
          />
        </Stack>
      </Group>
      <Group align="flex-end" gap="sm">
        <Select
          label={t("explorer.views")}
          placeholder={t("explorer.viewsPlaceholder")}
          data={views.map((v) => v.name)}
          value={null}
          onChange={(name) => {
            const v = views.find((x) => x.name === name);
            if (v) void navigate({ to: "/explorer", search: v.search } as never);
          }}
          w={220}
        />
        <TextInput
          label={t("explorer.viewName")}
          value={viewName}
          onChange={(e) => setViewName(e.currentTarget.value)}
          w={200}
        />
        <Button variant="default" onClick={saveView} disabled={!viewName.trim()}>
          {t("explorer.saveView")}
        </Button>
      </Group>
      <CoachPanel periodId={period?.id} objectiveIds={rows.map((o) => o.id)} limit={6} collapseOnPhone />
      <QueryState
        query={objectives.query}
        isEmpty={() => rows.length === 0 && !objectives.hasMore}
        empty={
          period && (
            <ExplorerEmpty
              period={period}
              periods={periods.data?.items ?? []}
              filters={filterOnly}
              onClear={clearFilters}
              onPickPeriod={(id) => set({ period: id })}
            />
          )
        }
      >
        {() => (
          <>
            <Group justify="space-between" align="end">
              <Text size="sm" c="dimmed" aria-live="polite">
                {count}
              </Text>
              {phone && (
                // On a phone the column headings are out of sight, so the order is chosen here.
                <Select
                  label={t("explorer.sortBy")}
                  size="xs"
                  w={220}
                  allowDeselect={false}
                  value={`${sort.desc ? "-" : ""}${sort.key}`}
                  onChange={(v) => v && set({ sort: v })}
                  data={SORT_KEYS.flatMap((key) => [
                    { value: key, label: t("explorer.sortAscending", { column: sortLabel(key) }) },
                    { value: `-${key}`, label: t("explorer.sortDescending", { column: sortLabel(key) }) },
                  ])}
                />
              )}
            </Group>
            <TableFrame minWidth={800}>
              <Table highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    {header("title", t("common.title"))}
                    {header("level", t("common.level"))}
                    <Table.Th>{t("common.owners")}</Table.Th>
                    {header("progress", t("common.progress"))}
                    {header("status", t("common.status"))}
                  </Table.Tr>
                </Table.Thead>
                <VirtualTableBody rows={rows} getKey={(o) => o.id} estimate={ROW_HEIGHT} renderCells={ObjectiveCells} />
              </Table>
            </TableFrame>
            <LoadMore hasMore={objectives.hasMore} loading={objectives.loadingMore} onLoad={objectives.loadMore} />
          </>
        )}
      </QueryState>
    </Stack>
  );
}

/** One objective's cells in the explorer's table. */
function ObjectiveCells(o: Objective) {
  return (
    <>
      <Table.Td>
        <AppLink to="/objectives/$objectiveId" params={{ objectiveId: o.id }} size="sm">
          {o.title}
        </AppLink>
      </Table.Td>
      <Table.Td>{t(`level.${o.level}`)}</Table.Td>
      <Table.Td>
        <Text size="sm">
          <OwnerText ids={o.ownerIds} />
        </Text>
      </Table.Td>
      <Table.Td w={220}>
        <Group gap="xs" wrap="nowrap">
          <ProgressMeter
            progress={o.progress}
            expected={o.expectedProgress}
            status={o.status}
            label={`${o.title}: ${percent(o.progress)}`}
          />
          <Text size="sm" w={44} ta="right">
            {percent(o.progress)}
          </Text>
        </Group>
      </Table.Td>
      <Table.Td>
        <StatusBadge status={o.status} score={o.score} />
      </Table.Td>
    </>
  );
}
