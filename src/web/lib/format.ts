/** Number and date formatting for the UI (Intl, the browser's locale). */
import type { KeyResult } from "./types.js";

const pct = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });

/** A fraction as a percent ("73 %"), or "—". */
export function percent(x: number | null | undefined): string {
  return x === null || x === undefined ? "—" : pct.format(x);
}

/** A KR value in its unit. */
export function value(kr: Pick<KeyResult, "unit" | "currency">, v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (kr.unit === "currency" && kr.currency) {
    return new Intl.NumberFormat(undefined, {
      style: "currency",
      currency: kr.currency,
      maximumFractionDigits: Math.abs(v) >= 1000 ? 0 : 2,
    }).format(v);
  }
  const s = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(v);
  return kr.unit === "percent" ? `${s} %` : s;
}

export function date(iso: string | null | undefined): string {
  if (!iso) return "—";
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(iso));
}

export function dateTime(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}
