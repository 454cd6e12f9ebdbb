/**
 * A key result's value over time on a real time axis: check-ins sit where their dates fall,
 * the expected path (linear, or the phased plan) runs from the span's start to its end, and
 * the forecast runs from the last check-in to the end with its 80 % interval. Date labels are
 * spaced by time, always include the span's first and last day, and are fewer on narrow screens.
 */
import { LineChart } from "@mantine/charts";
import { Card, Title } from "@mantine/core";
import { useElementSize } from "@mantine/hooks";
import type { Span } from "../../../domain/types.js";
import { QueryState } from "../../components/query-state.js";
import { value } from "../../lib/format.js";
import { t } from "../../lib/i18n.js";
import { useCheckIns } from "../../lib/queries.js";
import type { CheckIn, KeyResult } from "../../lib/types.js";
import { chartRows, timeTicks } from "./chart-rows.js";

/** A short date in the organisation's time zone, with the year when the axis spans two years. */
function dateLabel(ms: number, timeZone: string, withYear: boolean): string {
  return new Intl.DateTimeFormat(undefined, {
    month: "short",
    day: "numeric",
    ...(withYear ? { year: "numeric" } : {}),
    timeZone,
  }).format(new Date(ms));
}

function Chart({ kr, checkIns, span, timeZone }: { kr: KeyResult; checkIns: CheckIn[]; span: Span; timeZone: string }) {
  const { ref, width } = useElementSize();
  const rows = chartRows(kr, checkIns, span);
  if (!rows) return null;
  const from = Math.min(span.startMs, rows[0]!.at);
  const to = Math.max(span.endMs, rows.at(-1)!.at);
  const ticks = timeTicks(from, to, width || 320);
  const withYear = new Date(from).getUTCFullYear() !== new Date(to - 1).getUTCFullYear();
  // The span ends at 00:00 of the day after its last day: label that instant as the last day.
  const label = (v: unknown) => {
    const ms = v instanceof Date ? v.getTime() : Number(v);
    if (!Number.isFinite(ms)) return "";
    return dateLabel(ms >= span.endMs ? ms - 1 : ms, timeZone || "UTC", withYear);
  };
  return (
    <Card withBorder>
      <Title order={3} size="h5" mb="sm">
        {t("keyResult.chart")}
      </Title>
      <div ref={ref} data-testid="kr-chart">
        <LineChart
          h={260}
          data={rows as unknown as Record<string, unknown>[]}
          dataKey="at"
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
          xAxisProps={{
            type: "number",
            scale: "time",
            domain: [from, to],
            ticks,
            interval: 0,
            tickFormatter: label,
            padding: { left: 8, right: 24 },
          }}
          tooltipProps={{ labelFormatter: (v: unknown) => label(v) }}
          referenceLines={[{ y: kr.target ?? 0, label: value(kr, kr.target), color: "grape.5" }]}
          valueFormatter={(v) => value(kr, v)}
        />
      </div>
    </Card>
  );
}

/** The chart of one key result's check-ins over its span; nothing when it has nothing to chart. */
export function KeyResultChart({ kr, span, timeZone }: { kr: KeyResult; span: Span | null; timeZone: string }) {
  const checkIns = useCheckIns(kr.id);
  if (!span) return null;
  return (
    <QueryState query={checkIns}>
      {(c) => <Chart kr={kr} checkIns={c.items} span={span} timeZone={timeZone} />}
    </QueryState>
  );
}
