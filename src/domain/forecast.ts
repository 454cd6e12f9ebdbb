/**
 * Where a key result is heading (okr-method.md §5): a straight line through its check-ins,
 * read at the end of its span, with an 80 % prediction interval and the chance of reaching
 * the goal. Objectives combine their KRs' forecasts.
 */
import { DAY_MS } from "./periods.js";
import { krOwnProgress } from "./progress.js";
import type { CheckInPoint, Forecast, KrType, Span } from "./types.js";

/** The z of a two-sided 80 % interval (the 90th percentile of the standard normal), as §5 writes it. */
export const Z_80 = 1.2816;

/** Progress that counts as success for an aspirational OKR (§1: ~0.7 is success). */
export const ASPIRATIONAL_GOAL = 0.7;

/** Progress a committed OKR is expected to reach. */
export const COMMITTED_GOAL = 1;

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Beyond this |z| the Maclaurin series needs many terms and the continued fraction converges fast. */
const SERIES_LIMIT = 3;

/** Depth of the continued fraction; at |z| = 3 sixty levels already agree with erfc to ~1e-16. */
const CF_DEPTH = 60;

/**
 * Φ(z), the standard normal cumulative distribution, accurate to about 1e-15 (absolute)
 * everywhere and to about 1e-13 relative in the far tails. Φ(±∞) = 1 / 0; NaN gives NaN.
 *
 * For |z| ≤ 3 it sums the series Φ(z) = ½ + φ(z)·(z + z³/3 + z⁵/(3·5) + z⁷/(3·5·7) + …),
 * whose terms all share z's sign, so nothing cancels. Further out it takes the upper tail
 * Q(x) = φ(x)·R(x) with Mills' ratio R(x) = 1/(x + 1/(x + 2/(x + 3/(x + …)))), evaluated from
 * the bottom up, which keeps tiny tail probabilities precise.
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  const x = Math.abs(z);
  const density = INV_SQRT_2PI * Math.exp(-0.5 * x * x);
  if (x <= SERIES_LIMIT) {
    const z2 = z * z;
    let term = z;
    let sum = z;
    for (let k = 3; Math.abs(term) > 1e-17 * Math.abs(sum); k += 2) {
      term *= z2 / k;
      sum += term;
    }
    return 0.5 + density * sum;
  }
  let denominator = x;
  for (let k = CF_DEPTH; k >= 1; k--) denominator = x + k / denominator;
  const upperTail = density / denominator;
  return z > 0 ? 1 - upperTail : upperTail;
}

/** The key result fields a forecast needs. */
export interface ForecastKr {
  type: KrType;
  start: number | null;
  target: number | null;
  /** Committed OKRs aim at 1.0, aspirational ones at 0.7. */
  committed: boolean;
}

/**
 * The §5 forecast of an `increase` / `decrease` key result at the end of `span`, or null.
 *
 * Null for other types, when start or target is missing (or equal), and when no check-in
 * with a value is dated at or before `min(nowMs, span.endMs)`: never a made-up number.
 * Each point is (days since `span.startMs` as an exact instant, the KR's progress at that
 * value). One point: the line through (0, 0) and it. Two or more: least squares through the
 * points only. `progress` is the line at `x_end = (endMs − startMs) / DAY_MS`, unclamped.
 *
 * For n ≥ 3, `low`/`high` = ŷ ∓ 1.2816·err with err = σ̂·√(1 + 1/n + (x_end − x̄)²/Sxx),
 * σ̂² = SSR/(n − 2), and `probability` = 1 − Φ((goal − ŷ)/err), goal 0.7 (aspirational) or
 * 1.0 (committed). With fewer points they are null.
 *
 * Degenerate histories never yield NaN or Infinity:
 * - one point at x = 0 (the very start): no slope can be drawn, so the line is flat at that
 *   point's progress;
 * - every point at the same instant (Sxx = 0): flat at their mean progress, with no interval
 *   and no probability (the spread says nothing about where the line goes);
 * - err = 0 (the points lie exactly on a line): low = high = ŷ and probability is 1 when
 *   ŷ ≥ goal, else 0.
 */
export function forecastKeyResult(
  kr: ForecastKr,
  span: Span,
  checkIns: readonly CheckInPoint[],
  nowMs: number,
): Forecast | null {
  const f = forecastLine(kr, span, checkIns, nowMs);
  // Values at the edge of what doubles hold can overflow the line: no forecast rather than ±Infinity.
  if (f === null || !Number.isFinite(f.progress)) return null;
  const finite = (x: number | null) => (x === null || Number.isFinite(x) ? x : null);
  return { progress: f.progress, low: finite(f.low), high: finite(f.high), probability: finite(f.probability) };
}

function forecastLine(kr: ForecastKr, span: Span, checkIns: readonly CheckInPoint[], nowMs: number): Forecast | null {
  if (kr.type !== "increase" && kr.type !== "decrease") return null;
  const cutoff = Math.min(nowMs, span.endMs);
  const points: { x: number; y: number }[] = [];
  for (const c of checkIns) {
    if (c.value === null || !Number.isFinite(c.value) || c.atMs > cutoff) continue;
    const y = krOwnProgress(kr, { value: c.value, achieved: null });
    // Null here means start or target is missing or equal: no forecast at all.
    if (y === null) return null;
    points.push({ x: (c.atMs - span.startMs) / DAY_MS, y });
  }
  // Sum in one fixed order: floating-point sums depend on their order, and the same history
  // must give the same forecast to the last bit however the database happened to list it.
  points.sort((a, b) => a.x - b.x || a.y - b.y);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const n = xs.length;
  if (n === 0) return null;
  const xEnd = (span.endMs - span.startMs) / DAY_MS;

  if (n === 1) {
    const x = xs[0]!;
    const y = ys[0]!;
    const progress = x === 0 ? y : (y / x) * xEnd;
    return { progress, low: null, high: null, probability: null };
  }

  let xSum = 0;
  let ySum = 0;
  let xMin = xs[0]!;
  let xMax = xs[0]!;
  for (let i = 0; i < n; i++) {
    xSum += xs[i]!;
    ySum += ys[i]!;
    xMin = Math.min(xMin, xs[i]!);
    xMax = Math.max(xMax, xs[i]!);
  }
  const xMean = xSum / n;
  const yMean = ySum / n;
  // Compare the points themselves: a mean of equal numbers can differ from them in the last bit,
  // which would leave a tiny non-zero Sxx and an absurd slope.
  if (xMin === xMax) return { progress: yMean, low: null, high: null, probability: null };

  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - xMean;
    sxx += dx * dx;
    sxy += dx * (ys[i]! - yMean);
  }
  const slope = sxy / sxx;
  const intercept = yMean - slope * xMean;
  const progress = intercept + slope * xEnd;
  if (n < 3) return { progress, low: null, high: null, probability: null };

  let ssr = 0;
  for (let i = 0; i < n; i++) {
    const residual = ys[i]! - (intercept + slope * xs[i]!);
    ssr += residual * residual;
  }
  const sigma = Math.sqrt(ssr / (n - 2));
  const err = sigma * Math.sqrt(1 + 1 / n + (xEnd - xMean) ** 2 / sxx);
  const goal = kr.committed ? COMMITTED_GOAL : ASPIRATIONAL_GOAL;
  const probability = err === 0 ? (progress >= goal ? 1 : 0) : 1 - normalCdf((goal - progress) / err);
  return { progress, low: progress - Z_80 * err, high: progress + Z_80 * err, probability };
}

/** One key result's forecast and its weight in the objective. */
export interface WeightedForecast {
  forecast: Forecast | null;
  weight: number;
}

/**
 * An objective's forecast (§5): the weighted mean of its key results' forecast progress,
 * over the items that have a forecast and a finite weight > 0; null when none does.
 * `low` / `high` are the weighted means of the bounds when every included item has them,
 * else null. `probability` is always null: the mean of several chances of success is not
 * the chance of anything, and the KRs' errors are not independent, so no sound figure can
 * be derived from theirs.
 */
export function combineForecasts(items: readonly WeightedForecast[]): Forecast | null {
  let weightSum = 0;
  let progressSum = 0;
  let lowSum = 0;
  let highSum = 0;
  let hasBounds = true;
  for (const { forecast, weight } of items) {
    if (forecast === null || !Number.isFinite(weight) || weight <= 0) continue;
    weightSum += weight;
    progressSum += weight * forecast.progress;
    if (forecast.low === null || forecast.high === null) hasBounds = false;
    else {
      lowSum += weight * forecast.low;
      highSum += weight * forecast.high;
    }
  }
  if (weightSum === 0) return null;
  return {
    progress: progressSum / weightSum,
    low: hasBounds ? lowSum / weightSum : null,
    high: hasBounds ? highSum / weightSum : null,
    probability: null,
  };
}
