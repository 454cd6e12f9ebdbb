/** The rows and time ticks of a key result's chart (pure, tested on their own). */
import { expectedProgress } from "../../../domain/status.js";
import type { Span } from "../../../domain/types.js";
import type { CheckIn, KeyResult } from "../../lib/types.js";

/** Room one date label needs, in pixels, gap included. */
const LABEL_PX = 84;

export interface ChartRow {
  at: number;
  value?: number;
  expected?: number;
  forecast?: number;
  low?: number;
  high?: number;
}

/**
 * Evenly spaced instants from `fromMs` to `toMs` (both included), as many as fit in `widthPx`
 * at {@link LABEL_PX} each (at least the two ends).
 */
export function timeTicks(fromMs: number, toMs: number, widthPx: number): number[] {
  if (!(toMs > fromMs)) return [fromMs];
  const n = Math.max(2, Math.min(12, Math.floor(widthPx / LABEL_PX)));
  return Array.from({ length: n }, (_, i) => Math.round(fromMs + ((toMs - fromMs) * i) / (n - 1)));
}

/**
 * The chart's rows, sorted by time: a row per check-in with a value, the expected path's
 * corners (span start, each planned date, span end), and the forecast from the last check-in
 * to the end of the span. Returns null when the key result has nothing to chart.
 */
export function chartRows(kr: KeyResult, checkIns: CheckIn[], span: Span): ChartRow[] | null {
  if (kr.start === null || kr.target === null || !["increase", "decrease"].includes(kr.type)) return null;
  const points = checkIns.filter((c) => c.value !== null).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  if (!points.length) return null;
  const s = kr.start;
  const tg = kr.target;
  const toValue = (p: number) => Number((s + (tg - s) * p).toFixed(4));
  const plan = kr.plan?.length
    ? {
        start: s,
        target: tg,
        points: kr.plan.map((p) => ({ atMs: Date.parse(`${p.date}T00:00:00Z`), value: p.value })),
      }
    : null;
  const rows = new Map<number, ChartRow>();
  const row = (at: number) => {
    let r = rows.get(at);
    if (!r) {
      r = { at };
      rows.set(at, r);
    }
    return r;
  };
  // The expected path is piecewise linear: its corners are all the line needs.
  const corners = [span.startMs, ...(plan?.points.map((p) => p.atMs) ?? []), span.endMs];
  for (const at of corners) {
    if (at >= span.startMs && at <= span.endMs) row(at).expected = toValue(expectedProgress(span, at, plan));
  }
  for (const c of points) row(Date.parse(c.at)).value = c.value as number;
  const f = kr.forecast;
  const last = points.at(-1)!;
  const lastAt = Date.parse(last.at);
  if (f && span.endMs > lastAt) {
    const from = row(lastAt);
    from.forecast = last.value as number;
    from.low = last.value as number;
    from.high = last.value as number;
    const end = row(span.endMs);
    end.forecast = toValue(f.progress);
    if (f.low !== null) end.low = toValue(f.low);
    if (f.high !== null) end.high = toValue(f.high);
  }
  return [...rows.values()].sort((a, b) => a.at - b.at);
}
