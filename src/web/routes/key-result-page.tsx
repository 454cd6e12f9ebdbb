import { LineChart } from "@mantine/charts";
import { Badge, Button, Card, Group, Stack, Text, Title } from "@mantine/core";
import { useParams } from "@tanstack/react-router";
import { useState } from "react";
import { periodSpan } from "../../domain/periods.js";
import { expectedProgress } from "../../domain/status.js";
import type { Span } from "../../domain/types.js";
import { AppLink } from "../components/app-link.js";
import { OwnerNames } from "../components/owner-names.js";
import { ProgressMeter } from "../components/progress-meter.js";
import { QueryState } from "../components/query-state.js";
import { StatusBadge } from "../components/status-badge.js";
import { AlignmentParents } from "../features/alignment/alignment-parents.js";
import { CheckInDialog } from "../features/check-in/check-in-dialog.js";
import { CheckInHistory } from "../features/check-in/check-in-history.js";
import { KeyResultActions } from "../features/key-results/key-result-actions.js";
import { date, percent, value } from "../lib/format.js";
import { t } from "../lib/i18n.js";
import { mayCheckIn } from "../lib/permissions.js";
import { useCheckIns, useKeyResult, useMe, useObjective, usePeriods, useSettings } from "../lib/queries.js";
import type { CheckIn, KeyResult } from "../lib/types.js";

/** Value over time with the expected path (linear or phased, by the domain's rule) and the target. */
function ValueChart({ kr, checkIns, span }: { kr: KeyResult; checkIns: CheckIn[]; span: Span | null }) {
  if (kr.start === null || kr.target === null || !["increase", "decrease"].includes(kr.type) || !span) return null;
  const points = [...checkIns].reverse().filter((c) => c.value !== null);
  if (!points.length) return null;
  const s = kr.start;
  const tg = kr.target;
  const plan = kr.plan?.length
    ? {
        start: s,
        target: tg,
        points: kr.plan.map((p) => ({ atMs: Date.parse(`${p.date}T00:00:00Z`), value: p.value })),
      }
    : null;
  type Row = { date: string; value: number | null; expected: number; forecast?: number; low?: number; high?: number };
  const data: Row[] = points.map((c) => {
    const e = expectedProgress(span, Date.parse(c.at), plan);
    return { date: date(c.at), value: c.value, expected: Number((s + (tg - s) * e).toFixed(4)) };
  });
  // The forecast: from the last check-in to the end of the span, with its 80 % interval.
  const f = kr.forecast;
  const last = data.at(-1);
  if (f && last && span.endMs > Date.parse(points.at(-1)!.at)) {
    const toValue = (p: number) => Number((s + (tg - s) * p).toFixed(4));
    last.forecast = last.value ?? undefined;
    last.low = last.value ?? undefined;
    last.high = last.value ?? undefined;
    data.push({
      date: date(new Date(span.endMs - 1).toISOString()),
      value: null,
      expected: tg,
      forecast: toValue(f.progress),
      ...(f.low !== null ? { low: toValue(f.low) } : {}),
      ...(f.high !== null ? { high: toValue(f.high) } : {}),
    });
  }
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="sm">
        {t("keyResult.chart")}
      </Title>
      <LineChart
        h={260}
        data={data}
        dataKey="date"
        series={[
          { name: "value", label: t("keyResult.value"), color: "teal.6" },
          { name: "expected", label: t("keyResult.planned"), color: "gray.6", strokeDasharray: "5 5" },
          { name: "forecast", label: t("common.forecast"), color: "violet.6", strokeDasharray: "2 4" },
          { name: "low", label: t("keyResult.low"), color: "violet.3", strokeDasharray: "1 4" },
          { name: "high", label: t("keyResult.high"), color: "violet.3", strokeDasharray: "1 4" },
        ]}
        connectNulls
        curveType="linear"
        withLegend
        referenceLines={[{ y: tg, label: value(kr, tg), color: "grape.5" }]}
        valueFormatter={(v) => value(kr, v)}
      />
    </Card>
  );
}

export function KeyResultPage() {
  const { keyResultId } = useParams({ from: "/app/key-results/$keyResultId" });
  const kr = useKeyResult(keyResultId);
  const checkIns = useCheckIns(keyResultId);
  const objective = useObjective(kr.data?.objectiveId ?? "");
  const periods = usePeriods();
  const settings = useSettings();
  const [open, setOpen] = useState(false);
  const me = useMe();
  const period = periods.data?.items.find((p) => p.id === objective.data?.periodId);
  const tz = settings.data?.timeZone ?? "UTC";
  const span =
    period && kr.data ? periodSpan(kr.data.startDate ?? period.startDate, kr.data.endDate ?? period.endDate, tz) : null;
  return (
    <QueryState query={kr}>
      {(k) => (
        <Stack>
          <Group justify="space-between" align="flex-start">
            <Stack gap={4}>
              {objective.data && (
                <AppLink to="/objectives/$objectiveId" params={{ objectiveId: k.objectiveId }} size="sm">
                  ← {objective.data.title}
                </AppLink>
              )}
              <Title order={2}>{k.title}</Title>
              <Group gap="xs">
                <Badge variant="outline">{t(`krType.${k.type}`)}</Badge>
                <Text size="sm" c="dimmed">
                  {k.progressMode === "rollup"
                    ? t("keyResult.rollup", { method: t(`edit.method.${k.rollup}`) })
                    : t("keyResult.from", { start: value(k, k.start), target: value(k, k.target) })}
                </Text>
              </Group>
            </Stack>
            <Stack gap={4} align="flex-end">
              <Group gap="xs">
                <Text fw={700} size="xl">
                  {percent(k.progress)}
                </Text>
                <StatusBadge status={k.status} />
              </Group>
              <OwnerNames ids={k.ownerIds} />
              {k.forecast && (
                <Text size="xs" c="dimmed">
                  {t("common.forecast")}: {percent(k.forecast.progress)}
                  {k.forecast.low !== null &&
                    k.forecast.high !== null &&
                    ` (${percent(k.forecast.low)}–${percent(k.forecast.high)})`}
                </Text>
              )}
              <Group gap="xs">
                {objective.data && <KeyResultActions kr={k} objective={objective.data} />}
                {k.progressMode === "manual" &&
                  !k.closed &&
                  objective.data &&
                  mayCheckIn(me.data, k, objective.data) && (
                    <Button onClick={() => setOpen(true)} size="sm">
                      {t("home.checkIn")}
                    </Button>
                  )}
              </Group>
            </Stack>
          </Group>
          <ProgressMeter
            progress={k.progress}
            expected={k.expectedProgress}
            status={k.status}
            label={`${k.title}: ${percent(k.progress)}`}
          />
          <AlignmentParents key={`parents-${k.id}`} keyResult={k} />
          <QueryState query={checkIns}>{(c) => <ValueChart kr={k} checkIns={c.items} span={span} />}</QueryState>
          <CheckInHistory kr={k} checkIns={checkIns} />
          {open && <CheckInDialog kr={k} objective={objective.data} opened={open} onClose={() => setOpen(false)} />}
        </Stack>
      )}
    </QueryState>
  );
}
