/**
 * Live updates across app instances: two real `okra serve` processes on one PostgreSQL
 * database. A change made through instance A reaches the streams open on instance B within a
 * second (LISTEN/NOTIFY, `http/live-bus.ts`), under the same audience rules as on A: a private
 * objective's changes do not reach a member on B who may not see it. An instance does not tell
 * its own streams of its own changes twice, and a listening connection the server ends
 * (`pg_terminate_backend`) is opened again, after which the streams are told to refetch.
 * PostgreSQL only (the embedded database serves one process).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ADMIN_URL = process.env.OKRA_TEST_DATABASE_URL;
const ROOT = path.resolve(import.meta.dirname, "../..");
const ADMIN_TOKEN = "okra_live_bus_admin_token_0123456789";
const DAY = 86_400_000;

interface Heard {
  type: string;
  objectType: string;
  at: number;
}

interface Stream {
  events: Heard[];
  close(): void;
}

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  output: string[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts `okra serve` on this database and resolves once it answers /healthz. */
async function startInstance(name: string, databaseUrl: string, dataDir: string): Promise<Instance> {
  const port = await freePort();
  const output: string[] = [];
  const child = spawn(process.execPath, [path.join(ROOT, "bin", "okra.js"), "serve"], {
    cwd: ROOT,
    // Its own process group: bin/okra.js runs the server as a child, and both must stop.
    detached: true,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      OKRA_DATA_DIR: dataDir,
      OKRA_BOOTSTRAP_TOKEN: ADMIN_TOKEN,
      OKRA_RESPONSE_CHECK: "fail",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.setEncoding("utf8").on("data", (d: string) => output.push(d));
  child.stderr?.setEncoding("utf8").on("data", (d: string) => output.push(d));
  const instance = { name, port, child, output };
  await until(
    `instance ${name} to answer /healthz`,
    async () => {
      if (child.exitCode !== null) throw new Error(`instance ${name} exited: ${output.join("")}`);
      return fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok || undefined,
        () => undefined,
      );
    },
    150_000,
  );
  return instance;
}

function stopInstance(i: Instance | undefined): void {
  if (i?.child.pid && i.child.exitCode === null) {
    try {
      process.kill(-i.child.pid, "SIGTERM");
    } catch {
      // Already gone.
    }
  }
}

/** Opens the event stream on an instance and resolves once the server has answered. */
function openStream(port: number, token: string, open: Stream[]): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const events: Heard[] = [];
    const req = http.get(
      { host: "127.0.0.1", port, path: "/api/v1/events", headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`/events answered ${res.statusCode}`));
          return;
        }
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          const blocks = buffer.split("\n\n");
          buffer = blocks.pop() ?? "";
          for (const block of blocks) {
            const data = block.split("\n").find((l) => l.startsWith("data: "));
            if (data) events.push({ ...JSON.parse(data.slice(6)), at: performance.now() });
            if (block.startsWith(": connected")) resolve(stream);
          }
        });
      },
    );
    req.on("error", reject);
    const stream: Stream = { events, close: () => req.destroy() };
    open.push(stream);
  });
}

const types = (s: Stream) => s.events.map((e) => e.type);

describe.skipIf(!ADMIN_URL)("live updates across two app instances on one PostgreSQL server", () => {
  const name = `okra_t_live_${randomBytes(5).toString("hex")}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "okra-live-bus-"));
  const open: Stream[] = [];
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  let databaseUrl: string;
  let a: Instance;
  let b: Instance;

  /** Calls instance `on`'s API as `who` (default the admin). */
  const call = async (on: Instance, method: string, url: string, body?: unknown, token = ADMIN_TOKEN) => {
    const res = await fetch(`http://127.0.0.1:${on.port}/api/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { "content-type": "application/json" }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const create = async (on: Instance, url: string, body: unknown) => {
    const r = await call(on, "POST", url, body);
    if (r.status !== 201) throw new Error(`POST ${url} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as { id: string; token?: string };
  };
  const admin = async (sql: string, params: unknown[] = []) => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  const listeners = async () =>
    Number(
      (
        await admin(
          "select count(*) as n from pg_stat_activity where datname = current_database() and application_name = 'okra-live-listener'",
        )
      )[0]?.n,
    );

  beforeAll(async () => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    const url = new URL(ADMIN_URL!);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    // One after the other: the first migrates, bootstraps and (on a fresh clone) builds the web app.
    a = await startInstance("A", databaseUrl, path.join(dataDir, "a"));
    b = await startInstance("B", databaseUrl, path.join(dataDir, "b"));

    const today = new Date();
    const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    ids.period = (
      await create(a, "/periods", {
        name: "Now",
        kind: "custom",
        startDate: iso(today.getTime() - 30 * DAY),
        endDate: iso(today.getTime() + 60 * DAY),
      })
    ).id;
    for (const who of ["ola", "mia"]) {
      ids[who] = (
        await create(a, "/users", { name: who, email: `${who}@live-bus.example`, role: "member", invite: false })
      ).id;
      tokens[who] = (await create(a, `/users/${ids[who]}/tokens`, { name: "live" })).token!;
    }
    const objective = await create(a, "/objectives", {
      title: "Delight our customers",
      level: "organization",
      periodId: ids.period,
    });
    ids.kr = (
      await create(a, `/objectives/${objective.id}/key-results`, {
        title: "Raise NPS",
        type: "increase",
        start: 0,
        target: 100,
      })
    ).id;
  }, 300_000);

  afterAll(async () => {
    for (const s of open) s.close();
    stopInstance(a);
    stopInstance(b);
    await Promise.all(
      [a, b].map((i) =>
        i && i.child.exitCode === null ? new Promise((r) => i.child.once("exit", r)) : Promise.resolve(),
      ),
    );
    if (ADMIN_URL) {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it("brings a check-in made through A to a stream on B within a second, and back", async () => {
    const onB = await openStream(b.port, tokens.mia!, open);
    const onA = await openStream(a.port, tokens.mia!, open);
    const sent = await call(a, "POST", `/key-results/${ids.kr}/check-ins`, { value: 40 });
    const committed = performance.now();
    expect(sent.status).toBe(201);
    const heard = await until(
      "B's stream to hear of the check-in",
      () => onB.events.find((e) => e.type === "checkIn.created"),
      5_000,
    );
    expect(heard.objectType).toBe("checkIn");
    expect(heard.at - committed).toBeLessThan(1_000);

    // The other way round: B's change reaches A.
    expect((await call(b, "POST", `/key-results/${ids.kr}/check-ins`, { value: 45 })).status).toBe(201);
    await until("A's stream to hear of B's check-in", () => types(onA).length === 2 || undefined, 5_000);
    // Give a second copy (A's own change, back through the channel) the time to arrive: none does.
    await new Promise((r) => setTimeout(r, 300));
    expect(types(onA)).toEqual(["checkIn.created", "checkIn.created"]);
    expect(types(onB)).toEqual(["checkIn.created", "checkIn.created"]);
  });

  it("keeps a private objective's changes from a member on B who may not see it", async () => {
    const mia = await openStream(b.port, tokens.mia!, open);
    const ola = await openStream(b.port, tokens.ola!, open);
    const boss = await openStream(b.port, ADMIN_TOKEN, open);
    const secret = await create(a, "/objectives", {
      title: "Acquire a competitor",
      level: "individual",
      ownerIds: [ids.ola],
      visibility: "private",
      periodId: ids.period,
    });
    const kr = await create(a, `/objectives/${secret.id}/key-results`, {
      title: "Sign the term sheet",
      type: "increase",
      start: 0,
      target: 1,
      ownerIds: [ids.ola],
    });
    expect((await call(a, "POST", `/key-results/${kr.id}/check-ins`, { value: 0.5 }, tokens.ola)).status).toBe(201);
    // Then a public change: once Mia hears of it, she would have heard of the private ones before it.
    expect((await call(a, "POST", `/key-results/${ids.kr}/check-ins`, { value: 50 })).status).toBe(201);
    const secretOnes = ["objective.created", "keyResult.created", "checkIn.created"];
    await until("the admin's stream on B to hear of all four", () => boss.events.length === 4 || undefined, 5_000);
    await until("Mia's stream on B to hear of the public check-in", () => mia.events.length >= 1 || undefined, 5_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(types(boss)).toEqual([...secretOnes, "checkIn.created"]);
    expect(types(ola)).toEqual([...secretOnes, "checkIn.created"]);
    expect(types(mia)).toEqual(["checkIn.created"]);
  });

  it("listens again after the server ends the listening connections, and tells open streams to refetch", async () => {
    expect(await listeners()).toBe(2);
    const onB = await openStream(b.port, tokens.mia!, open);
    const ended = await admin(
      "select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and application_name = 'okra-live-listener'",
    );
    expect(ended.map((r) => r.ended)).toEqual([true, true]);
    await until("both instances to listen again", async () => (await listeners()) === 2 || undefined, 10_000);
    const resumed = await until(
      "B's stream to be told to refetch",
      () => onB.events.find((e) => e.type === "live.resumed"),
      5_000,
    );
    expect(resumed.objectType).toBe("live");
    const log = () => b.output.join("");
    expect(log()).toMatch(/lost the listening connection to PostgreSQL, reconnecting/);
    expect(log()).toMatch(/listening again/);

    expect((await call(a, "POST", `/key-results/${ids.kr}/check-ins`, { value: 55 })).status).toBe(201);
    const committed = performance.now();
    const heard = await until(
      "B's stream to hear of A's check-in after the reconnect",
      () => onB.events.find((e) => e.type === "checkIn.created"),
      5_000,
    );
    expect(heard.at - committed).toBeLessThan(1_000);
  });
});

if (!ADMIN_URL) {
  describe("live updates across app instances", () => {
    it.skip("needs PostgreSQL (set OKRA_TEST_DATABASE_URL, or run npm run test:pg)", () => {});
  });
}
