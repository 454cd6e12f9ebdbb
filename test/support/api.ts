/**
 * In-process API harness: a real database, the real Fastify app (`inject`), a bootstrap
 * admin token, a settable clock, and small factories.
 */
import type { FastifyInstance } from "fastify";
import type { Database } from "../../src/db/database.js";
import { type AppOptions, buildApp } from "../../src/http/app.js";
import { bootstrap } from "../../src/services/auth.service.js";
import type { Services } from "../../src/services/context.js";
import { type DatabaseKind, openTestDatabase } from "./databases.js";

// Test bodies are arbitrary JSON; each test asserts the fields it reads.
// biome-ignore lint/suspicious/noExplicitAny: see above
export interface Response<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

export interface ApiHarness {
  app: FastifyInstance;
  database: Database;
  token: string;
  /** The app's clock (epoch ms); assign to move time. */
  clock: { now: number };
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are arbitrary JSON
  call<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>;
  close(): Promise<void>;
}

export const ADMIN_TOKEN = "okra_test_admin_token_0123456789";

/** Starts the app on a fresh database of `kind`, with a bootstrap admin and the clock at `nowMs`. */
export async function startApi(
  kind: DatabaseKind,
  nowMs = Date.UTC(2026, 1, 15, 12),
  options: Partial<Omit<AppOptions, "database" | "now">> = {},
): Promise<ApiHarness> {
  const database = await openTestDatabase(kind);
  await bootstrap(database, { bootstrapToken: ADMIN_TOKEN, adminEmail: "admin@example.com", adminName: "Ada Admin" });
  const clock = { now: nowMs };
  // Every answer is checked against its route's declared shape (src/contract): a mismatch fails the test.
  const app = await buildApp({ database, now: () => clock.now, responseCheck: "fail", ...options });
  return {
    app,
    database,
    token: ADMIN_TOKEN,
    clock,
    async call(method, url, body, headers = {}) {
      const res = await app.inject({
        method: method as never,
        url: url.startsWith("/api") || url.startsWith("/healthz") ? url : `/api/v1${url}`,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers },
        ...(body !== undefined ? { payload: body as never } : {}),
      });
      const contract = res.statusCode === 500 ? contractViolation(res.body) : null;
      if (contract) throw new Error(contract);
      return {
        status: res.statusCode,
        body: (res.body
          ? res.headers["content-type"]?.toString().includes("json")
            ? res.json()
            : res.body
          : null) as never,
        headers: res.headers as Record<string, unknown>,
      };
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}

/** The message of a 500 that says an answer broke the API contract (see http/contract.ts), else null. */
function contractViolation(body: string): string | null {
  try {
    const err = (JSON.parse(body) as { error?: { message?: string; details?: { contract?: unknown } } }).error;
    return err?.details?.contract ? (err.message ?? "the answer does not match its contract") : null;
  } catch {
    return null;
  }
}

/** Factories: POST the resource with sensible defaults, assert 201, return the body. */
export function factories(api: ApiHarness) {
  const create = async (url: string, body: Record<string, unknown>) => {
    const r = await api.call("POST", url, body);
    if (r.status !== 201) throw new Error(`POST ${url} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    period: (over: Record<string, unknown> = {}) =>
      create("/periods", { name: "Q1 2026", kind: "quarter", startDate: "2026-01-01", endDate: "2026-03-31", ...over }),
    /** A team-level objective without a `teamId` gets a team of its own (the API needs one). */
    objective: async (periodId: string, over: Record<string, unknown> = {}) => {
      const teamId =
        over.level === "team" && over.teamId === undefined
          ? (await create("/teams", { name: `Team of ${String(over.title ?? "an objective")}` })).id
          : over.teamId;
      return create("/objectives", {
        title: "Delight our customers",
        level: "organization",
        periodId,
        ...over,
        ...(teamId !== undefined && { teamId }),
      });
    },
    keyResult: (objectiveId: string, over: Record<string, unknown> = {}) =>
      create(`/objectives/${objectiveId}/key-results`, {
        title: "Raise NPS",
        type: "increase",
        start: 0,
        target: 100,
        ...over,
      }),
    checkIn: (keyResultId: string, over: Record<string, unknown> = {}) =>
      create(`/key-results/${keyResultId}/check-ins`, { value: 50, ...over }),
    align: (
      childType: string,
      childId: string,
      parentType: string,
      parentId: string,
      over: Record<string, unknown> = {},
    ) => create("/alignments", { childType, childId, parentType, parentId, ...over }),
    team: (over: Record<string, unknown> = {}) => create("/teams", { name: "Platform", ...over }),
    user: (over: Record<string, unknown> = {}) =>
      create("/users", { name: "Bo Builder", email: `bo${Math.random()}@example.com`, ...over }),
  };
}

/** The services a test calls a service function with directly (the app's clock; no live listeners). */
export function servicesOf(api: ApiHarness): Services {
  return { database: api.database, now: () => api.clock.now, emit: () => {} };
}

/** The bootstrap admin's organisation. */
export async function orgIdOf(api: ApiHarness): Promise<string> {
  return (await api.call("GET", "/me")).body.organization.id;
}
