/**
 * `okra checkin` and `okra lint`: either on the database directly (the server machine,
 * server stopped or PostgreSQL), or through a running server's API (`--url`).
 * `okra signin-link` and what `okra serve` prints at start.
 */
import type { Database } from "../db/database.js";
import { DirectoryLockedError } from "../db/directory-lock.js";
import { COACH_CHECKS, type Finding } from "../domain/coach.js";
import { AppError } from "../domain/errors.js";
import { MANUAL_STATUSES, type Status } from "../domain/types.js";
import { STATUS_WORDS, statusFromWords } from "../domain/words.js";
import { type BootstrapResult, createSignInCode } from "../services/auth.service.js";
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
export async function api(url: string, method: string, path: string, body?: unknown): Promise<unknown> {
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
  if (o.status !== undefined) {
    const status = statusFromWords(o.status);
    if (!status || !(MANUAL_STATUSES as readonly string[]).includes(status)) {
      throw AppError.validation([
        `--status: "${o.status}" is not a status you can set; use one of ${MANUAL_STATUSES.map((x) => `"${STATUS_WORDS[x]}"`).join(", ")}`,
      ]);
    }
    body.status = status;
  }
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
  const status = STATUS_WORDS[kr.status as Status] ?? kr.status;
  console.log(`Checked in on "${kr.title}": now ${kr.current ?? "—"} (${pct}), ${status}.`);
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
      const name = COACH_CHECKS.find((c) => c.id === f.checkId)?.name ?? f.checkId;
      console.log(`  ${SEVERITY_MARK[f.severity] ?? f.severity} ${name}: ${f.message}`);
    }
    const count = (s: string) => findings.filter((f) => f.severity === s).length;
    console.log(
      `${findings.length} finding(s): ${count("error")} error, ${count("warn")} warning, ${count("info")} info.`,
    );
  }
  if (findings.some((f) => f.severity === "error")) process.exitCode = 1;
}

/** The one-time sign-in link, as `okra serve` and `okra signin-link` print it. */
export function signInLinkLine(baseUrl: string, link: { email: string; code: string }): string {
  return `Sign in as ${link.email}: ${baseUrl.replace(/\/+$/, "")}/sign-in#code=${link.code}  (one-time, valid 30 minutes)`;
}

/** How to get a sign-in link when the start printed none. */
export function signInLinkHint(kind: Database["kind"]): string {
  return kind === "pglite"
    ? "A one-time sign-in link: start with `npm start -- --signin-link`, or run `npx okra signin-link [--email E]` while the server is stopped (the embedded database admits one process)."
    : "A one-time sign-in link: `npx okra signin-link [--email E]`.";
}

/** What `okra serve` prints once it listens. */
export function serveBanner(b: {
  url: string;
  startedMs: number;
  database: Pick<Database, "kind" | "location">;
  boot: Pick<BootstrapResult, "created" | "adminEmail" | "generatedToken">;
  /** The sign-in link made at this start: on the first start, or when asked (--signin-link). */
  link: { email: string; code: string } | null;
}): string {
  const { url, database, boot, link } = b;
  const lines = [
    "",
    `Okra is running at ${url}  (started in ${Math.round(b.startedMs)} ms)`,
    `  database: ${database.kind === "pglite" ? `embedded, in ${database.location}` : `PostgreSQL server ${database.location}`}`,
    `  web app:  ${url}`,
    `  API:      ${url}/api/v1   reference: ${url}/api/docs`,
  ];
  if (link) lines.push(`  ${signInLinkLine(url, link)}`);
  if (boot.created) {
    lines.push(`  Created the organisation and its admin (${boot.adminEmail}).`);
    if (boot.generatedToken) {
      lines.push(`  Admin API token (shown once, keep it safe): ${boot.generatedToken}`);
    } else {
      lines.push("  The admin's API token is the value of OKRA_BOOTSTRAP_TOKEN.");
    }
    lines.push(`  Try: curl -H "Authorization: Bearer <token>" ${url}/api/v1/objectives`);
  } else {
    lines.push(`  Sign in with your password${link ? " or the link above" : ""}.`);
    if (!link) lines.push(`  ${signInLinkHint(database.kind)}`);
    lines.push(`  API tokens: npx okra token create --email ${boot.adminEmail || "<email>"}`);
  }
  return lines.join("\n");
}

/**
 * `okra signin-link [--email E]`: makes a one-time sign-in link (30 minutes) for the account,
 * or the instance administrator, at the configured public URL. On the embedded database the
 * running server holds the lock: the command then says how to get a link instead.
 */
export async function runSignInLink(o: { email?: string }, withDatabase: WithDatabase): Promise<void> {
  let line: string;
  try {
    line = await withDatabase(async (db, config) =>
      signInLinkLine(config.publicUrl, await createSignInCode(db, Date.now(), o.email)),
    );
  } catch (err) {
    if (!(err instanceof DirectoryLockedError)) throw err;
    throw new AppError(
      "CONFLICT",
      `The embedded database in ${err.dir} is open in another Okra process (pid ${err.holderPid}), most likely the running server, and it admits one process at a time. ` +
        "Stop the server, run `npx okra signin-link` and start it again (the link works for 30 minutes), " +
        "or restart it with `npm start -- --signin-link` (`okra serve --signin-link`) to have it print one. " +
        "On a PostgreSQL server (DATABASE_URL) this command works while Okra runs.",
    );
  }
  console.log(line);
}
