/**
 * Presentation mode for the quarterly review: a title slide, then one slide per published
 * objective of the period (of a team when one is chosen) — title, owners, progress, status,
 * its key results with a small trend of their check-ins, and the latest note. Moves with
 * ←/→, Page Up/Page Down, Home/End; Escape leaves. Fills the window without full screen;
 * a button asks for full screen too. Objectives load a page at a time as the slides reach them.
 */
import { Sparkline } from "@mantine/charts";
import {
  ActionIcon,
  Badge,
  Box,
  Button,
  Center,
  Group,
  Loader,
  Paper,
  Stack,
  Text,
  Title,
  Tooltip,
} from "@mantine/core";
import { IconArrowsMaximize, IconArrowsMinimize, IconChevronLeft, IconChevronRight, IconX } from "@tabler/icons-react";
import { useQueries } from "@tanstack/react-query";
import { useNavigate, useSearch } from "@tanstack/react-router";
import { useCallback, useEffect, useState } from "react";
import { useCurrentPeriod } from "../app.js";
import { OwnerText } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { StatusBadge } from "../components/status-badge.js";
import { dateTime, percent } from "../lib/format.js";
import { applyTerminology, t } from "../lib/i18n.js";
import { fetchAll, keys, useObjectivePages, useSettings, useTeamsById, useUsersById } from "../lib/queries.js";
import type { CheckIn, KeyResult, Objective } from "../lib/types.js";

const PAGE_SIZE = 50;

export function PresentPage() {
  const search = useSearch({ strict: false }) as { team?: string };
  const navigate = useNavigate();
  const settings = useSettings();
  applyTerminology(settings.data?.terminology as Parameters<typeof applyTerminology>[0]);
  const { period } = useCurrentPeriod();
  const list = useObjectivePages(
    { periodId: period?.id, teamId: search.team },
    { pageSize: PAGE_SIZE, enabled: !!period },
  );
  const team = useTeamsById(search.team ? [search.team] : []).get(search.team ?? "");
  const objectives = list.items.filter((o) => o.state !== "draft");
  const total = objectives.length + 1;
  const [index, setIndex] = useState(0);
  const [fullscreen, setFullscreen] = useState(false);
  const { hasMore, loadMore, loadAll } = list;

  const leave = useCallback(
    () =>
      void navigate({
        to: "/dashboard",
        search: { ...(period ? { period: period.id } : {}), ...(search.team ? { team: search.team } : {}) },
      } as never),
    [navigate, period, search.team],
  );
  const go = useCallback(
    (to: number | "end") => {
      if (to === "end") {
        if (hasMore) void loadAll().then(() => setIndex(Number.MAX_SAFE_INTEGER));
        setIndex(Number.MAX_SAFE_INTEGER);
        return;
      }
      setIndex(Math.max(0, to));
    },
    [hasMore, loadAll],
  );
  const current = Math.min(index, total - 1);
  // The next page loads as the slides reach the last objective loaded.
  useEffect(() => {
    if (current >= total - 2 && hasMore) loadMore();
  }, [current, total, hasMore, loadMore]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable=true]")) return;
      if (e.key === "ArrowRight" || e.key === "PageDown") go(current + 1 > total - 1 ? total - 1 : current + 1);
      else if (e.key === "ArrowLeft" || e.key === "PageUp") go(current - 1);
      else if (e.key === "Home") go(0);
      else if (e.key === "End") go("end");
      else if (e.key === "Escape" && !document.fullscreenElement) leave();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [go, current, total, leave]);

  useEffect(() => {
    const onChange = () => setFullscreen(!!document.fullscreenElement);
    document.addEventListener("fullscreenchange", onChange);
    return () => document.removeEventListener("fullscreenchange", onChange);
  }, []);
  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void document.documentElement.requestFullscreen?.().catch(() => {});
  };

  const objective = current > 0 ? objectives[current - 1] : undefined;
  const counter = t("present.counter", { current: current + 1, total: `${total}${hasMore ? "+" : ""}` });
  return (
    <Box mih="100vh" bg="var(--mantine-color-body)" style={{ display: "flex", flexDirection: "column" }}>
      <Group component="header" justify="space-between" px="md" py="xs" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Tooltip label={t("present.leave")}>
            <ActionIcon variant="subtle" color="gray" size="lg" onClick={leave} aria-label={t("present.leave")}>
              <IconX size={20} />
            </ActionIcon>
          </Tooltip>
          <Text size="sm" c="dimmed" visibleFrom="sm">
            {t("present.help")}
          </Text>
        </Group>
        <Group gap="xs" wrap="nowrap">
          <Tooltip label={fullscreen ? t("present.exitFullscreen") : t("present.fullscreen")}>
            <Button
              variant="default"
              size="xs"
              onClick={toggleFullscreen}
              leftSection={fullscreen ? <IconArrowsMinimize size={16} /> : <IconArrowsMaximize size={16} />}
            >
              {fullscreen ? t("present.exitFullscreen") : t("present.fullscreen")}
            </Button>
          </Tooltip>
        </Group>
      </Group>
      <Box component="main" px={{ base: "md", sm: "xl" }} py="md" style={{ flex: 1 }}>
        <Box maw={1100} mx="auto" aria-live="polite" aria-atomic="false" data-testid="slide">
          {list.query.isPending && period ? (
            <Center py="xl" role="status" aria-label={t("common.loading")}>
              <Loader size="sm" aria-hidden />
            </Center>
          ) : objective ? (
            <ObjectiveSlide key={objective.id} objective={objective} />
          ) : (
            <Stack gap="lg" py="xl">
              <Title order={1} fz={{ base: 32, sm: 48 }}>
                {t("present.title")}
              </Title>
              <Text fz={{ base: "lg", sm: 28 }}>{period?.name ?? ""}</Text>
              <Text fz={{ base: "md", sm: 22 }} c="dimmed">
                {team?.name ?? t("present.whole")} · {t("present.objectives", { count: objectives.length })}
                {hasMore ? "+" : ""}
              </Text>
              {objectives.length === 0 && !list.query.isPending && <Text>{t("present.empty")}</Text>}
            </Stack>
          )}
        </Box>
      </Box>
      <Group component="footer" justify="center" gap="md" py="sm">
        <Tooltip label={t("present.previous")}>
          <ActionIcon
            variant="default"
            size="lg"
            onClick={() => go(current - 1)}
            disabled={current === 0}
            aria-label={t("present.previous")}
          >
            <IconChevronLeft size={20} />
          </ActionIcon>
        </Tooltip>
        <Text size="sm" data-testid="slide-counter" aria-live="polite">
          {counter}
        </Text>
        <Tooltip label={t("present.next")}>
          <ActionIcon
            variant="default"
            size="lg"
            onClick={() => go(current + 1)}
            disabled={current >= total - 1}
            aria-label={t("present.next")}
          >
            <IconChevronRight size={20} />
          </ActionIcon>
        </Tooltip>
      </Group>
    </Box>
  );
}

/** One objective: its figures, its key results with their trends, and the latest note. */
function ObjectiveSlide({ objective }: { objective: Objective }) {
  const krs = objective.keyResults;
  const checkIns = useQueries({
    queries: krs.map((k) => ({
      queryKey: keys.checkInsOf(k.id),
      queryFn: () => fetchAll<CheckIn>(`/key-results/${k.id}/check-ins`),
    })),
  });
  const byKr = new Map(krs.map((k, i) => [k.id, checkIns[i]?.data?.items]));
  const latest = checkIns
    .flatMap((q) => q.data?.items ?? [])
    .filter((c) => c.note.trim())
    .sort((a, b) => b.at.localeCompare(a.at))[0];
  const author = useUsersById(latest?.authorId ? [latest.authorId] : []).get(latest?.authorId ?? "");
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <Title order={1} fz={{ base: 26, sm: 40 }} style={{ overflowWrap: "anywhere" }}>
          {objective.title}
        </Title>
        <Text fz={{ base: "md", sm: "lg" }} c="dimmed">
          {objective.ownerIds.length === 1 ? t("present.owner") : t("present.owners")}:{" "}
          <OwnerText ids={objective.ownerIds} />
        </Text>
      </Stack>
      <Group gap="lg" align="center" wrap="wrap">
        <Text fz={{ base: 36, sm: 56 }} fw={700} lh={1}>
          {percent(objective.progress)}
        </Text>
        <Stack gap={6} style={{ flex: 1, minWidth: 200 }}>
          <StatusBadge status={objective.status} />
          <ProgressMeter
            progress={objective.progress}
            expected={objective.expectedProgress}
            status={objective.status}
            label={`${t("common.progress")}: ${objective.title}`}
          />
          <Text size="sm" c="dimmed">
            {t("common.expected", { value: percent(objective.expectedProgress) })}
          </Text>
        </Stack>
      </Group>
      <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: "none" }}>
        {krs.length === 0 && (
          <Text component="li" c="dimmed">
            {t("present.noKeyResults")}
          </Text>
        )}
        {krs.map((k) => (
          <KeyResultLine key={k.id} kr={k} checkIns={byKr.get(k.id)} />
        ))}
      </Stack>
      <Paper withBorder p="md" radius="md">
        <Text fw={600} size="sm" mb={4}>
          {t("present.latestNote")}
        </Text>
        {latest ? (
          <>
            <Text fz={{ base: "md", sm: "lg" }} style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {latest.note}
            </Text>
            <Text size="sm" c="dimmed" mt={4}>
              {[author?.name, dateTime(latest.at)].filter(Boolean).join(" · ")}
            </Text>
          </>
        ) : (
          <Text c="dimmed">{t("present.noNote")}</Text>
        )}
      </Paper>
    </Stack>
  );
}

function KeyResultLine({ kr, checkIns }: { kr: KeyResult; checkIns: CheckIn[] | undefined }) {
  const values = (checkIns ?? [])
    .slice()
    .sort((a, b) => a.at.localeCompare(b.at))
    .map((c) => (c.value ?? (c.achieved ? 1 : 0)) as number);
  return (
    <Box component="li">
      <Paper withBorder p="sm" radius="md">
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Stack gap={2} style={{ flex: "1 1 260px", minWidth: 0 }}>
            <Text fw={500} fz={{ base: "md", sm: "lg" }} style={{ overflowWrap: "anywhere" }}>
              {kr.title}
            </Text>
            <Group gap="xs">
              <StatusBadge status={kr.status} />
              <Badge variant="outline" color="gray" radius="sm">
                {percent(kr.progress)}
              </Badge>
            </Group>
          </Stack>
          <Box w={{ base: "100%", sm: 220 }}>
            {values.length >= 2 ? (
              <Sparkline
                h={48}
                data={values}
                curveType="linear"
                color="teal.7"
                fillOpacity={0.25}
                strokeWidth={2}
                role="img"
                aria-label={t("present.trend", { title: kr.title })}
              />
            ) : (
              <Text size="sm" c="dimmed">
                {values.length === 1 ? percent(kr.progress) : t("present.noTrend")}
              </Text>
            )}
          </Box>
        </Group>
      </Paper>
    </Box>
  );
}
