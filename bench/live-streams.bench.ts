/**
 * Request latency under a flood of live-update streams (`GET /api/v1/events`). One observer
 * holds many streams open over real sockets; meanwhile another person creates API tokens
 * (`POST /api/v1/tokens`, a change to tokens that the hub must consider) and reads
 * `GET /api/v1/me`. Each scenario runs on the embedded database and, when PostgreSQL binaries
 * exist, on a throwaway PostgreSQL server; the caps are raised so the flood gets in, and the
 * periodic recheck runs every 2 s (not 30 s) so its sweeps fall inside the measurement.
 *
 *   npm run bench:live  (or: npx tsx bench/live-streams.bench.ts [iterations] [streams] [recheckMs] [paceMs])
 */
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { type Database, openDatabase } from "../src/db/database.js";
import { buildApp } from "../src/http/app.js";
import { bootstrap, createTokenForEmail } from "../src/services/auth.service.js";

const ITERATIONS = Number(process.argv[2] ?? 150);
const STREAMS = Number(process.argv[3] ?? 1000);
const TOKEN = "okra_bench_token_0123456789abcdef";
const RECHECK_MS = Number(process.argv[4] ?? 2_000);
/** One (POST, GET) pair starts every PACE_MS (0: back to back, which saturates the fan-out). */
const PACE_MS = Number(process.argv[5] ?? 50);
const ROUNDS = 3;

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { median: q(0.5), p95: q(0.95) };
}

/**
 * The observer's streams, held by a worker thread (its own event loop, like browsers elsewhere):
 * it opens them one by one over real sockets, reads every event, and says "ready" when all are
 * connected; any message closes them.
 */
const CLIENTS = `
const http = require("node:http");
const { parentPort, workerData } = require("node:worker_threads");
const { port, tokens, count } = workerData;
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const requests = [];
let events = 0;
const open = (token) => new Promise((resolve, reject) => {
  const req = http.get({ host: "127.0.0.1", port, path: "/api/v1/events", headers: { authorization: "Bearer " + token }, agent }, (res) => {
    if (res.statusCode !== 200) return reject(new Error("/events answered " + res.statusCode));
    res.setEncoding("utf8");
    res.once("data", () => resolve());
    res.on("data", (chunk) => { events += chunk.split("event: change").length - 1; });
  });
  req.on("error", reject);
  requests.push(req);
});
(async () => {
  for (let i = 0; i < count; i++) await open(tokens[i % tokens.length]);
  parentPort.postMessage({ ready: true });
})().catch((e) => parentPort.postMessage({ error: e.message }));
parentPort.on("message", () => {
  for (const r of requests) r.destroy();
  agent.destroy();
  parentPort.postMessage({ closed: true, events });
});
`;

function holdStreams(port: number, tokens: string[], count: number) {
  const worker = new Worker(CLIENTS, { eval: true, workerData: { port, tokens, count } });
  const next = () =>
    new Promise<{ ready?: boolean; closed?: boolean; events?: number; error?: string }>((resolve) =>
      worker.once("message", resolve),
    );
  return {
    async ready() {
      const m = await next();
      if (m.error) throw new Error(m.error);
    },
    async close() {
      const done = next();
      worker.postMessage("close");
      const m = await done;
      await worker.terminate();
      return m.events ?? 0;
    },
  };
}

interface Scenario {
  label: string;
  streams: number;
  /** How many observer tokens share the streams. */
  credentials: number;
  /** Held in another organisation: no change of the member's reaches them. */
  elsewhere?: boolean;
}

type App = Awaited<ReturnType<typeof buildApp>>;

/** Times `ITERATIONS / ROUNDS` pairs of (POST /tokens, GET /me) by the member while the scenario's streams are open. */
async function measure(
  app: App,
  port: number,
  member: Record<string, string>,
  tokens: { observer: string[]; elsewhere: string },
  scenario: Scenario,
) {
  const held = scenario.elsewhere ? [tokens.elsewhere] : tokens.observer.slice(0, scenario.credentials);
  const streams = holdStreams(port, held, scenario.streams);
  await streams.ready();
  if (app.liveEvents.stats().streams !== scenario.streams) throw new Error("not every stream is open");
  const before = app.liveEvents.stats();
  const write: number[] = [];
  const read: number[] = [];
  const count = Math.ceil(ITERATIONS / ROUNDS);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    let t = started;
    const w = await app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers: member,
      payload: { name: `bench ${i}`, scope: "read" },
    });
    write.push(performance.now() - t);
    if (w.statusCode !== 201) throw new Error(`POST /tokens answered ${w.statusCode}: ${w.body}`);
    t = performance.now();
    const r = await app.inject({ method: "GET", url: "/api/v1/me", headers: member });
    read.push(performance.now() - t);
    if (r.statusCode !== 200) throw new Error(`GET /me answered ${r.statusCode}: ${r.body}`);
    const rest = PACE_MS - (performance.now() - started);
    if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  }
  await app.liveEvents.settled();
  const after = app.liveEvents.stats();
  await new Promise((r) => setTimeout(r, 300));
  const heard = await streams.close();
  // The server has let go of every stream before the next scenario starts.
  while (app.liveEvents.stats().streams > 0) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  const expected = scenario.elsewhere ? 0 : scenario.streams * count;
  if (heard < expected) console.log(`  (${scenario.label}: the streams heard of ${heard} of ${expected} changes)`);
  return {
    write,
    read,
    onChange: after.rechecksOnChange - before.rechecksOnChange,
    periodic: after.rechecksPeriodic - before.rechecksPeriodic,
  };
}

async function run(label: string, database: Database) {
  await database.migrate();
  await bootstrap(database, { bootstrapToken: TOKEN });
  const app = await buildApp({
    database,
    liveRecheckMs: RECHECK_MS,
    liveStreamLimits: { perCredential: STREAMS, perOrganization: STREAMS },
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const port = (app.server.address() as AddressInfo).port;
  const create = async (name: string, role: string) => {
    const email = `${name}@bench.example`;
    const r = await app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: { authorization: `Bearer ${TOKEN}` },
      payload: { name, email, role, invite: false },
    });
    if (r.statusCode !== 201) throw new Error(`user: ${r.body}`);
    return email;
  };
  const observer = await create("observer", "observer");
  const member = {
    authorization: `Bearer ${(await createTokenForEmail(database, await create("member", "member"))).token}`,
  };
  const tokens = { observer: [] as string[], elsewhere: "" };
  for (let i = 0; i < Math.max(1, STREAMS / 5); i++) {
    tokens.observer.push((await createTokenForEmail(database, observer, { scope: "read" })).token);
  }
  const other = await app.inject({
    method: "POST",
    url: "/api/v1/organizations",
    headers: { authorization: `Bearer ${TOKEN}` },
    payload: { name: "Elsewhere", owner: { name: "Oda", email: "oda@elsewhere.example" } },
  });
  if (other.statusCode !== 201) throw new Error(`organisation: ${other.body}`);
  tokens.elsewhere = (await createTokenForEmail(database, "oda@elsewhere.example", { scope: "read" })).token;
  const n = tokens.observer.length;
  const scenarios: Scenario[] = [
    { label: "no streams", streams: 0, credentials: 1 },
    { label: `${STREAMS} streams, 1 token`, streams: STREAMS, credentials: 1 },
    { label: `${STREAMS} streams, ${n} tokens`, streams: STREAMS, credentials: n },
    { label: `${STREAMS} streams, other org`, streams: STREAMS, credentials: 1, elsewhere: true },
  ];
  // Warm-up (JIT, caches), not counted.
  await measure(app, port, member, tokens, { label: "warm-up", streams: 0, credentials: 1 });
  const totals = scenarios.map(() => ({ write: [] as number[], read: [] as number[], onChange: 0, periodic: 0 }));
  // Rounds alternate the scenarios, so that a busy moment of the machine does not fall on one only.
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, s] of scenarios.entries()) {
      const r = await measure(app, port, member, tokens, s);
      const t = totals[i]!;
      t.write.push(...r.write);
      t.read.push(...r.read);
      t.onChange += r.onChange;
      t.periodic += r.periodic;
    }
  }
  await app.close();
  const fmt = (n: number) => n.toFixed(2).padStart(7);
  const base = { write: stats(totals[0]!.write), read: stats(totals[0]!.read) };
  console.log(
    `${label}: ${totals[0]!.write.length} × (POST /tokens, GET /me) by a member per scenario, in ${ROUNDS} alternating rounds; periodic recheck every ${RECHECK_MS} ms; a pair every ${PACE_MS} ms`,
  );
  for (const [i, s] of scenarios.entries()) {
    const t = totals[i]!;
    const w = stats(t.write);
    const r = stats(t.read);
    console.log(
      `  ${s.label.padEnd(26)} POST /tokens median ${fmt(w.median)} ms p95 ${fmt(w.p95)} ms` +
        ` (×${(w.median / base.write.median).toFixed(2)})` +
        ` | GET /me median ${fmt(r.median)} ms p95 ${fmt(r.p95)} ms (×${(r.median / base.read.median).toFixed(2)})` +
        ` | rechecks: ${t.onChange} on change, ${t.periodic} periodic`,
    );
  }
}

const pglite = await openDatabase({});
try {
  await run("embedded", pglite);
} finally {
  await pglite.close();
}

// @ts-expect-error plain ESM helper without types
const { startThrowawayCluster, findPgBin } = await import("../scripts/pg-cluster.mjs");
if (typeof findPgBin === "function" && !findPgBin()) {
  console.log('postgres: skipped, no PostgreSQL binaries found (install the Debian package "postgresql")');
} else {
  const cluster = await startThrowawayCluster().catch((e: Error) => {
    console.log(`postgres: skipped, ${e.message}`);
    return null;
  });
  if (cluster) {
    const db = await openDatabase({ databaseUrl: cluster.url });
    try {
      await run("postgres", db);
    } finally {
      await db.close();
      await cluster.stop();
    }
  }
}
