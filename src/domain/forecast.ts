/**
 * Forecast of a key result's progress at the end of its span (okr-method.md §5):
 * least squares through the check-ins, an 80 % prediction interval and the chance of
 * reaching the goal.
 */
import { DAY_MS } from "./periods.js";
import { krOwnProgress } from "./progress.js";
import type { CheckInPoint, Forecast, KrType, Span } from "./types.js";

/** z for a two-sided 80 % interval. */
const Z80 = 1.2816;

/**
 * The standard normal CDF Φ(z), to double precision (Hart's 1968 rational approximation
 * of the lower tail, as published by G. West, 2005).
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const x = Math.abs(z);
  let tail: number;
  if (x > 37) tail = 0;
  else if (x < 7.07106781186547) {
    const e = Math.exp((-x * x) / 2);
    const num = horner(
      x,
      [
        3.52624965998911e-2, 0.700383064443688, 6.37396220353165, 33.912866078383, 112.079291497871, 221.213596169931,
        220.206867912376,
      ],
    );
    const den = horner(
      x,
      [
        8.83883476483184e-2, 1.75566716318264, 16.064177579207, 86.7807322029461, 296.564248779674, 637.333633378831,
        793.826512519948, 440.413735824752,
      ],
    );
    tail = (e * num) / den;
  } else {
    const e = Math.exp((-x * x) / 2);
    const cf = x + 1 / (x + 2 / (x + 3 / (x + 4 / (x + 0.65))));
    tail = e / cf / 2.506628274631;
  }
  return z > 0 ? 1 - tail : tail;
}

/** Evaluates a polynomial with coefficients from the highest degree down. */
function horner(x: number, coefficients: readonly number[]): number {
  let acc = 0;
  for (const c of coefficients) acc = acc * x + c;
  return acc;
}

/**
 * The forecast of an increase/decrease KR, or null (other types, missing start/target,
 * no check-in). Points are check-ins with a value dated at or before min(now, end).
 */
export function forecastKeyResult(
  kr: { type: KrType; start: number | null; target: number | null; committed: boolean },
  span: Span,
  checkIns: readonly CheckInPoint[],
  nowMs: number,
): Forecast | null {
  if (kr.type !== "increase" && kr.type !== "decrease") return null;
  if (kr.start === null || kr.target === null || kr.start === kr.target) return null;
  const cutoff = Math.min(nowMs, span.endMs);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const c of checkIns) {
    if (c.value === null || c.atMs > cutoff) continue;
    const p = krOwnProgress(kr, { value: c.value, achieved: null });
    if (p === null) continue;
    xs.push((c.atMs - span.startMs) / DAY_MS);
    ys.push(p);
  }
  const n = xs.length;
  if (n === 0) return null;
  const xEnd = (span.endMs - span.startMs) / DAY_MS;
  if (n === 1) {
    const x = xs[0]!;
    const y = ys[0]!;
    // A single check-in at the very start gives no slope: hold its progress flat.
    const progress = x === 0 ? y : (y / x) * xEnd;
    return { progress, low: null, high: null, probability: null };
  }
  const xMean = xs.reduce((a, b) => a + b, 0) / n;
  const yMean = ys.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - xMean) ** 2;
    sxy += (xs[i]! - xMean) * (ys[i]! - yMean);
  }
  if (sxx === 0) {
    // Every check-in at one instant: no trend to extend, hold the mean flat.
    return { progress: yMean, low: null, high: null, probability: null };
  }
  const slope = sxy / sxx;
  const intercept = yMean - slope * xMean;
  const yHat = intercept + slope * xEnd;
  if (n < 3) return { progress: yHat, low: null, high: null, probability: null };
  let ssr = 0;
  for (let i = 0; i < n; i++) ssr += (ys[i]! - (intercept + slope * xs[i]!)) ** 2;
  const sigma = Math.sqrt(ssr / (n - 2));
  const err = sigma * Math.sqrt(1 + 1 / n + (xEnd - xMean) ** 2 / sxx);
  const goal = kr.committed ? 1 : 0.7;
  const probability = err === 0 ? (yHat >= goal ? 1 : 0) : 1 - normalCdf((goal - yHat) / err);
  return { progress: yHat, low: yHat - Z80 * err, high: yHat + Z80 * err, probability };
}

/**
 * An objective's forecast: the weighted mean of its KRs' forecasts (those that have one,
 * weight > 0). low/high are weighted means when every included KR has them. The
 * probability is left null: a mean of probabilities is not the probability of anything.
 */
export function combineForecasts(items: readonly { forecast: Forecast | null; weight: number }[]): Forecast | null {
  let w = 0;
  let p = 0;
  let lo = 0;
  let hi = 0;
  let bounds = true;
  for (const it of items) {
    if (!it.forecast || !(it.weight > 0)) continue;
    w += it.weight;
    p += it.weight * it.forecast.progress;
    if (it.forecast.low === null || it.forecast.high === null) bounds = false;
    else {
      lo += it.weight * it.forecast.low;
      hi += it.weight * it.forecast.high;
    }
  }
  if (w === 0) return null;
  return { progress: p / w, low: bounds ? lo / w : null, high: bounds ? hi / w : null, probability: null };
}
