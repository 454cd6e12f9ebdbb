import {
  Button,
  Group,
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
import { IconDownload, IconSelector } from "@tabler/icons-react";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useMemo, useState } from "react";
import { STATUSES } from "../../domain/types.js";
import { useCurrentPeriod } from "../app.js";
import { AppLink } from "../components/app-link.js";
import { CoachPanel } from "../components/coach-panel.js";
import { OwnerText } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { StatusBadge } from "../components/status-badge.js";
import { toCsv } from "../lib/csv.js";
import { percent } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { useObjectives, useTeamOptions, useTeams, useUserOptions, useUsers } from "../lib/queries.js";
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

export function ExplorerPage() {
  const search = useSearch({ strict: false }) as ExplorerSearch;
  const navigate = useNavigate();
  const { period } = useCurrentPeriod();
  const teams = useTeams();
  const teamOptions = useTeamOptions();
  const users = useUsers();
  const userOptions = useUserOptions();
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "progress", desc: true });
  const objectives = useObjectives({
    periodId: period?.id,
    q: search.q,
    level: search.level,
    teamId: search.team,
    ownerId: search.owner,
  });
  const set = (patch: Partial<ExplorerSearch>) =>
    void navigate({ to: "/explorer", search: (prev: ExplorerSearch) => ({ ...prev, ...patch }) } as never);
  const statusKey = search.status ?? "";
  const statuses = statusKey ? statusKey.split(",") : [];
  const [minP, maxP] = (search.progress ?? "0-100").split("-").map(Number) as [number, number];
  const [views, setViews] = useState<SavedView[]>(loadViews);
  const [viewName, setViewName] = useState("");
  const saveView = () => {
    const next = [...views.filter((v) => v.name !== viewName.trim()), { name: viewName.trim(), search }];
    localStorage.setItem(VIEWS_KEY, JSON.stringify(next));
    setViews(next);
    setViewName("");
  };
  const rows = useMemo(() => {
    const wanted = statusKey ? statusKey.split(",") : [];
    const items = (objectives.data?.items ?? []).filter(
      (o) =>
        (!wanted.length || wanted.includes(o.status)) &&
        o.progress * 100 >= minP - 1e-9 &&
        Math.min(o.progress, 10) * 100 <= (maxP >= 100 ? Number.POSITIVE_INFINITY : maxP + 1e-9),
    );
    const dir = sort.desc ? -1 : 1;
    return [...items].sort((a, b) => {
      const k = sort.key;
      const va = k === "progress" ? a.progress : k === "status" ? STATUSES.indexOf(a.status) : a[k];
      const vb = k === "progress" ? b.progress : k === "status" ? STATUSES.indexOf(b.status) : b[k];
      return (va < vb ? -1 : va > vb ? 1 : 0) * dir;
    });
  }, [objectives.data, statusKey, sort, minP, maxP]);
  const userName = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));
  const teamName = new Map((teams.data?.items ?? []).map((tm) => [tm.id, tm.name]));

  const exportCsv = (items: Objective[]) => {
    const csv = toCsv([
      ["Objective", "Level", "Team", "Owners", "Progress", "Expected", "Status", "Key results"],
      ...items.map((o) => [
        o.title,
        o.level,
        o.teamId ? (teamName.get(o.teamId) ?? "") : "",
        o.ownerIds.map((id) => userName.get(id) ?? id).join("; "),
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
  };
  const header = (key: SortKey, label: string) => (
    <Table.Th aria-sort={sort.key === key ? (sort.desc ? "descending" : "ascending") : "none"}>
      <UnstyledButton onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }))}>
        <Group gap={4} wrap="nowrap">
          <Text fw={600} size="sm">
            {label}
          </Text>
          <IconSelector size={14} aria-hidden />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("explorer.title")}</Title>
        <Button
          leftSection={<IconDownload size={16} />}
          variant="light"
          onClick={() => exportCsv(rows)}
          disabled={!rows.length}
        >
          {t("explorer.export")}
        </Button>
      </Group>
      <Group align="flex-end" gap="sm" role="search">
        <TextInput
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
        <Select
          label={t("common.team")}
          data={teamOptions}
          value={search.team ?? null}
          onChange={(v) => set({ team: v ?? undefined })}
          clearable
          searchable
          w={180}
        />
        <Select
          label={t("common.owners")}
          data={userOptions}
          value={search.owner ?? null}
          onChange={(v) => set({ owner: v ?? undefined })}
          clearable
          searchable
          w={180}
        />
        <Stack gap={2} w={200}>
          <Text size="sm" fw={500} id="progress-filter">
            {t("explorer.progress", { min: minP, max: maxP })}
          </Text>
          <RangeSlider
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
      <CoachPanel
        periodId={period?.id}
        objectIds={new Set(rows.flatMap((o) => [o.id, ...o.keyResults.map((k) => k.id)]))}
        limit={6}
      />
      <QueryState query={objectives}>
        {() => (
          <>
            <Text size="sm" c="dimmed" aria-live="polite">
              {t("explorer.count", { count: rows.length })}
            </Text>
            <Table.ScrollContainer minWidth={800}>
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
                <Table.Tbody>
                  {rows.map((o) => (
                    <Table.Tr key={o.id}>
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
                        <StatusBadge status={o.status} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </>
        )}
      </QueryState>
    </Stack>
  );
}
