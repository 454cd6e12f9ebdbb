/**
 * `okra checkin` and `okra lint`: either on the database directly (the server machine,
 * server stopped or PostgreSQL), or through a running server's API (`--url`).
 */
import type { Database } from "../db/database.js";
import type { Finding } from "../domain/coach.js";
import { AppError } from "../domain/errors.js";
import { createCheckIn } from "../services/check-in.service.js";
import type { Actor, Services } from "../services/context.js";
import { getKeyResult } from "../services/okr.service.js";
import { listPeriods } from "../services/period.service.js";
import { getCoach } from "../services/view.service.js";
import type { Config } from "./config.js";

type WithDatabase = <T>(fn: (db: Database, config: Config) => Promise<T>) => Promise<T>;
type AdminActor = (db: Database, email?: string) => Promise<Actor>;

function services(database: Database): Services {
  return { database, now: Date.now, emit: () => {} };
}

/** A tiny client for the running server's API. */
async function api(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const token = process.env.OKRA_TOKEN;
  if (!token) throw new AppError("UNAUTHENTICATED", "Set OKRA_TOKEN to an API token to use --url.");
  const res = await fetch(new URL(`/api/v1${path}`, url), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json().catch(() => null)) as {
    error?: { code: string; message: string; details?: unknown };
  } | null;
  if (!res.ok) {
    const e = json?.error;
    throw new AppError(
      (e?.code as never) ?? "INTERNAL",
      e?.message ?? `The server answered ${res.status}.`,
      e?.details,
    );
  }
  return json;
}

function checkInBody(value: string, o: { note?: string; confidence?: string; status?: string }) {
  const v = value.trim().toLowerCase();
  const milestone = ["achieved", "done", "yes", "not-achieved", "no"].includes(v);
  const body: Record<string, unknown> = milestone ? { achieved: ["achieved", "done", "yes"].includes(v) } : { value };
  if (o.note !== undefined) body.note = o.note;
  if (o.confidence !== undefined) {
    const c = Number(o.confidence);
    if (!Number.isInteger(c)) throw AppError.validation(["--confidence: must be a whole number from 1 to 10"]);
    body.confidence = c;
  }
  if (o.status !== undefined) body.status = o.status;
  return body;
}

interface KrSummary {
  title: string;
  current: number | null;
  progress: number | null;
  status: string;
  unit: string;
}

function printCheckIn(kr: KrSummary) {
  const pct = kr.progress === null ? "—" : `${Math.round(kr.progress * 1000) / 10} %`;
  console.log(`Checked in on "${kr.title}": now ${kr.current ?? "—"} (${pct}), status ${kr.status}.`);
}

export async function runCheckIn(
  id: string,
  value: string,
  o: { note?: string; confidence?: string; status?: string; as?: string; url?: string },
  withDatabase: WithDatabase,
  adminActor: AdminActor,
): Promise<void> {
  const body = checkInBody(value, o);
  const url = o.url ?? process.env.OKRA_URL;
  if (url) {
    await api(url, "POST", `/key-results/${encodeURIComponent(id)}/check-ins`, body);
    printCheckIn((await api(url, "GET", `/key-results/${encodeURIComponent(id)}`)) as KrSummary);
    return;
  }
  await withDatabase(async (db) => {
    const actor = await adminActor(db, o.as);
    await createCheckIn(services(db), actor, id, body);
    printCheckIn(await getKeyResult(services(db), actor, id, {}));
  });
}

interface PeriodLite {
  id: string;
  name: string;
  kind: string;
  startDate: string;
  endDate: string;
}

/** The period a name or id designates, or the current quarter (else current period, else latest). */
export function pickPeriod(periods: PeriodLite[], wanted: string | undefined, today: string): PeriodLite {
  if (wanted) {
    const p =
      periods.find((x) => x.id === wanted) ?? periods.find((x) => x.name.toLowerCase() === wanted.toLowerCase());
    if (!p) {
      throw new AppError(
        "NOT_FOUND",
        `No period is called or has the id "${wanted}". Periods: ${periods.map((x) => x.name).join(", ") || "none"}.`,
      );
    }
    return p;
  }
  const current = periods.filter((p) => p.startDate <= today && today <= p.endDate);
  const p = current.find((x) => x.kind === "quarter") ?? current[0] ?? periods.at(-1);
  if (!p) throw new AppError("NOT_FOUND", "There are no periods yet; create one first (POST /api/v1/periods).");
  return p;
}

const SEVERITY_MARK: Record<string, string> = { error: "error", warn: "warn ", info: "info " };

export async function runLint(
  o: { period?: string; json?: boolean; url?: string },
  withDatabase: WithDatabase,
  adminActor: AdminActor,
): Promise<void> {
  const today = new Date().toISOString().slice(0, 10);
  const url = o.url ?? process.env.OKRA_URL;
  let period: PeriodLite;
  let findings: Finding[];
  if (url) {
    const periods = ((await api(url, "GET", "/periods?limit=500")) as { items: PeriodLite[] }).items;
    period = pickPeriod(periods, o.period, today);
    findings = ((await api(url, "GET", `/coach?periodId=${period.id}`)) as { items: Finding[] }).items;
  } else {
    [period, findings] = await withDatabase(async (db) => {
      const actor = await adminActor(db);
      const periods = (await listPeriods(services(db), actor, { limit: "500" })).items;
      const p = pickPeriod(periods, o.period, today);
      return [p, (await getCoach(services(db), actor, { periodId: p.id })).items] as const;
    });
  }
  if (o.json) {
    console.log(JSON.stringify({ period: period.name, findings }, null, 2));
  } else {
    console.log(`Coach findings for ${period.name} (${period.startDate} – ${period.endDate}):`);
    for (const f of findings) {
      console.log(`  ${SEVERITY_MARK[f.severity] ?? f.severity} ${f.checkId.padEnd(18)} ${f.message}`);
    }
    const count = (s: string) => findings.filter((f) => f.severity === s).length;
    console.log(
      `${findings.length} finding(s): ${count("error")} error, ${count("warn")} warning, ${count("info")} info.`,
    );
  }
  if (findings.some((f) => f.severity === "error")) process.exitCode = 1;
}
