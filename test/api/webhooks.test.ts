/**
 * Outbound webhooks end to end (#13), against a real HTTP receiver on 127.0.0.1 (the instance
 * allows private URLs, as one posting to a relay on its own network would): subscriptions and
 * their secret (shown once, never read back, never audited), the signature checked with the
 * recipe of docs/webhooks.md, retries with backoff until `failed`, replay, the delivery log's
 * pages, who may manage webhooks, and a private objective never reaching a webhook whose
 * creator cannot see it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import type { Services } from "../../src/services/context.js";
import { runJobForOrganization } from "../../src/services/jobs.service.js";
import { statusChangesOverTime } from "../../src/services/status-watch.service.js";
import { webhookUrlProblems } from "../../src/services/webhook.service.js";
import { deliverWebhooks } from "../../src/services/webhook-delivery.js";
import { type ApiHarness, factories, orgIdOf, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

interface Hit {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A receiver: /ok… answers 200, /fail… 500 "boom"; every post is recorded with its raw body. */
async function startHookReceiver() {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const path = req.url ?? "";
      hits.push({ path, headers: req.headers, body });
      if (path.startsWith("/ok")) res.writeHead(200).end("thanks");
      else res.writeHead(500, { "content-type": "text/plain" }).end("boom");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The verification recipe of docs/webhooks.md, written out again here. */
function verify(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const id = String(headers["webhook-id"]);
  const ts = String(headers["webhook-timestamp"]);
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${ts}.${body}`).digest("base64");
  return String(headers["webhook-signature"])
    .split(" ")
    .some((sig) => {
      const [version, value] = sig.split(",");
      return version === "v1" && value !== undefined && value.length === expected.length
        ? timingSafeEqual(Buffer.from(value), Buffer.from(expected))
        : false;
    });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe.each(DATABASE_KINDS)("outbound webhooks (%s)", (kind) => {
  let api: ApiHarness;
  let receiver: Awaited<ReturnType<typeof startHookReceiver>>;
  let svc: Services;
  let orgId: string;
  let periodId: string;
  let memberToken: string;
  let observerToken: string;
  let carl: { id: string; token: string };
  let ownerId: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    receiver = await startHookReceiver();
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), { allowPrivateUrls: true });
    svc = { database: api.database, now: () => api.clock.now, emit: () => {}, allowPrivateUrls: true };
    orgId = await orgIdOf(api);
    const f = factories(api);
    periodId = (await f.period()).id;
    await f.user({ name: "Mo Member", email: "mo@hooks.example" });
    await f.user({ name: "Obi Observer", email: "obi@hooks.example", role: "observer" });
    ownerId = (await f.user({ name: "Pia Private", email: "pia@hooks.example" })).id;
    const c = await f.user({ name: "Carl Admin", email: "carl@hooks.example", role: "admin" });
    memberToken = (await createTokenForEmail(api.database, "mo@hooks.example")).token;
    observerToken = (await createTokenForEmail(api.database, "obi@hooks.example")).token;
    carl = { id: c.id, token: (await createTokenForEmail(api.database, "carl@hooks.example")).token };
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await receiver?.close();
  });

  const create = async (body: Record<string, unknown>, token?: string) => {
    const r = await api.call("POST", "/webhooks", body, token ? as(token) : {});
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; secret: string; version: number };
  };
  // biome-ignore lint/suspicious/noExplicitAny: the delivery log as JSON, checked field by field
  const log = async (id: string): Promise<any[]> =>
    (await api.call("GET", `/webhooks/${id}/deliveries?limit=200`)).body.items;
  const objectiveWithKr = async (over: Record<string, unknown> = {}) => {
    const f = factories(api);
    const o = await f.objective(periodId, { title: "Grow the community", ...over });
    const kr = await f.keyResult(o.id, { title: "Weekly active members", start: 0, target: 100 });
    return { o, kr };
  };

  it("lets only owners and admins manage webhooks (members and observers get 403)", async () => {
    for (const token of [memberToken, observerToken]) {
      expect((await api.call("GET", "/webhooks", undefined, as(token))).status).toBe(403);
      const r = await api.call(
        "POST",
        "/webhooks",
        { url: `${receiver.base}/ok`, events: ["checkIn.created"] },
        as(token),
      );
      expect(r.status).toBe(403);
    }
    const made = await create({ url: `${receiver.base}/ok/carl-check`, events: ["comment.created"] }, carl.token);
    expect((await api.call("DELETE", `/webhooks/${made.id}`, undefined, as(memberToken))).status).toBe(403);
    expect((await api.call("DELETE", `/webhooks/${made.id}`, undefined, as(carl.token))).status).toBe(204);
    expect((await api.call("GET", `/webhooks/${made.id}/deliveries`)).status).toBe(404);
  });

  it("refuses bad URLs and events with path: message details", async () => {
    const bad = await api.call("POST", "/webhooks", { url: "ftp://files.example/x", events: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/^events: /), expect.stringMatching(/^url: must start with/)]),
    );
    const unknown = await api.call("POST", "/webhooks", { url: `${receiver.base}/ok`, events: ["objective.deleted"] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0]).toMatch(/^events\.0: must be one of checkIn\.created/);
    // Without private URLs allowed: https only, and public hosts only.
    expect(webhookUrlProblems("url", "http://hooks.example.com/x", false)[0]).toMatch(/^url: must start with https/);
    expect(webhookUrlProblems("url", "https://127.0.0.1/x", false)[0]).toMatch(/^url: must reach a public address/);
    expect(webhookUrlProblems("url", "https://[::1]/x", false)[0]).toMatch(/public address/);
    expect(webhookUrlProblems("url", "https://10.1.2.3/x", false)[0]).toMatch(/public address/);
    expect(webhookUrlProblems("url", "https://metadata.internal/x", false)[0]).toMatch(/public address/);
    expect(webhookUrlProblems("url", "https://u:p@hooks.example.com/x", false)[0]).toMatch(/user name/);
    expect(webhookUrlProblems("url", "https://hooks.example.com/okra", false)).toEqual([]);
  });

  it("shows the signing secret once: never in reads, never in the audit trail, a new one on rotation", async () => {
    const made = await create({ url: `${receiver.base}/ok/secret`, events: ["checkIn.created"], description: "CI" });
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const list = await api.call("GET", "/webhooks");
    const listed = list.body.items.find((w: { id: string }) => w.id === made.id);
    expect(listed).toMatchObject({ description: "CI", active: true, events: ["checkIn.created"] });
    expect(JSON.stringify(list.body)).not.toContain(made.secret);
    const rotated = await api.call("POST", `/webhooks/${made.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(made.secret);
    const patched = await api.call("PATCH", `/webhooks/${made.id}`, { active: false, version: rotated.body.version });
    expect(patched.status).toBe(200);
    expect(JSON.stringify(patched.body)).not.toContain("whsec_");
    const stale = await api.call("PATCH", `/webhooks/${made.id}`, { active: true, version: made.version });
    expect(stale.status).toBe(409);
    const audit = JSON.stringify((await api.call("GET", "/audit?limit=500")).body);
    expect(audit).toContain("webhook.secretRotated");
    expect(audit).not.toContain(made.secret);
    expect(audit).not.toContain(rotated.body.secret);
    expect(audit).not.toContain("whsec_");
    // The URL is audited masked too.
    expect(audit).not.toContain("/ok/secret");
  });

  it("posts a check-in and the status it changed, signed as docs/webhooks.md verifies", async () => {
    const made = await create({ url: `${receiver.base}/ok/signed`, events: ["checkIn.created", "status.changed"] });
    const { o, kr } = await objectiveWithKr();
    const ci = await factories(api).checkIn(kr.id, { value: 50, note: "Halfway" });
    // The check-in, and the status of its key result and of its objective: halfway with half the
    // quarter gone is no longer at risk, only behind.
    const hits = await until("three events", async () => {
      const h = receiver.hits.filter((x) => x.path === "/ok/signed");
      return h.length >= 3 && h;
    });
    for (const hit of hits) {
      expect(hit.headers["content-type"]).toBe("application/json");
      expect(verify(made.secret, hit.headers, hit.body)).toBe(true);
      // Any change to the body breaks the signature.
      expect(verify(made.secret, hit.headers, `${hit.body} `)).toBe(false);
      expect(verify(made.secret, { ...hit.headers, "webhook-timestamp": "1" }, hit.body)).toBe(false);
      expect(Number(hit.headers["webhook-timestamp"])).toBe(Math.floor(api.clock.now / 1000));
      const body = JSON.parse(hit.body);
      expect(body).toMatchObject({ id: hit.headers["webhook-id"], organizationId: orgId });
      expect(Object.keys(body).sort()).toEqual(["createdAt", "data", "event", "id", "organizationId"]);
    }
    const byEvent = new Map(hits.map((h) => [JSON.parse(h.body).event, JSON.parse(h.body).data]));
    expect(byEvent.get("checkIn.created")).toMatchObject({
      checkIn: { id: ci.id, value: 50, note: "Halfway", keyResultId: kr.id },
      keyResult: { id: kr.id, title: "Weekly active members" },
      objective: { id: o.id, title: "Grow the community" },
    });
    const changed = hits
      .map((h) => JSON.parse(h.body))
      .filter((b) => b.event === "status.changed")
      .map((b) => b.data);
    expect(changed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ objectType: "keyResult", id: kr.id, from: "atRisk", to: "behind", progress: 0.5 }),
        expect.objectContaining({ objectType: "objective", id: o.id, from: "atRisk", to: "behind" }),
      ]),
    );
    expect(changed).toHaveLength(2);
    await until("the log to say sent", async () => (await log(made.id)).every((d) => d.state === "sent"));
    const entries = await log(made.id);
    expect(entries.length).toBe(hits.length);
    expect(entries[0]).toMatchObject({
      state: "sent",
      attempts: 1,
      responseStatus: 200,
      error: null,
      nextAttemptAt: null,
    });
  });

  it("announces statuses that time alone moved, in the hour they moved", async () => {
    const hook = await create({ url: `${receiver.base}/ok/over-time`, events: ["status.changed"] });
    const start = api.clock.now;
    const { o, kr } = await objectiveWithKr({ title: "Keep pace with time" });
    // 70 % on 15 February, with half the quarter gone: on track, for now.
    await factories(api).checkIn(kr.id, { value: 70 });
    // Writes announce their own changes (creating the key result, the check-in); time's are
    // those from on track to behind.
    const movedByTime = () =>
      receiver.hits
        .filter((h) => h.path === "/ok/over-time")
        .map((h) => JSON.parse(h.body))
        .filter((b) => b.data.objective.id === o.id && b.data.from === "onTrack" && b.data.to === "behind");
    const ours = <C extends { id: string }>(changes: C[]) => changes.filter((c) => c.id === kr.id || c.id === o.id);
    const month = await statusChangesOverTime(svc, orgId, start, start + 28 * DAY);
    expect(ours(month.changes).map((c) => [c.objectType, c.from, c.to])).toEqual([
      ["objective", "onTrack", "behind"],
      ["keyResult", "onTrack", "behind"],
    ]);
    // The hour it crosses: halve the month until an hour is left.
    let lo = start;
    let hi = start + 28 * DAY;
    while (hi - lo > HOUR) {
      const mid = lo + Math.floor((hi - lo) / 2 / HOUR) * HOUR;
      if (ours((await statusChangesOverTime(svc, orgId, lo, mid)).changes).length) hi = mid;
      else lo = mid;
    }
    // The writes' own deliveries are settled before the clock jumps ahead (else their leases
    // would look expired and they would be sent again).
    await until("the writes' deliveries sent", async () => {
      const entries = await log(hook.id);
      return entries.length >= 2 && entries.every((d) => d.state === "sent");
    });
    expect(movedByTime()).toEqual([]);
    api.clock.now = hi;
    const run = await runJobForOrganization(svc, "status-watch", orgId, "schedule");
    expect(run).toMatchObject({ name: "status-watch", ok: true, summary: { changed: expect.any(Number) } });
    const hits = await until("both status changes", async () => {
      const h = movedByTime();
      return h.length >= 2 && h;
    });
    expect(hits.map((b) => [b.event, b.data.objectType, b.data.id, b.data.from, b.data.to])).toEqual(
      expect.arrayContaining([
        ["status.changed", "objective", o.id, "onTrack", "behind"],
        ["status.changed", "keyResult", kr.id, "onTrack", "behind"],
      ]),
    );
    expect(hits).toHaveLength(2);
    // An hour later nothing more has moved: the run is kept only as "nothing to do", and nothing is sent.
    let quiet = hi + 2 * HOUR;
    while ((await statusChangesOverTime(svc, orgId, quiet - HOUR, quiet)).changes.length) quiet += HOUR;
    api.clock.now = quiet;
    expect(await runJobForOrganization(svc, "status-watch", orgId, "schedule")).toMatchObject({
      idle: true,
      summary: { changed: 0 },
    });
    api.clock.now = start;
  });

  it("retries a failing receiver after 30 s, 2, 8, 32 and 128 min, then marks the delivery failed", async () => {
    const made = await create({ url: `${receiver.base}/fail/retry`, events: ["checkIn.created"] });
    const { kr } = await objectiveWithKr({ title: "Retry me" });
    await factories(api).checkIn(kr.id, { value: 10 });
    const first = await until("the first attempt", async () => {
      const [d] = await log(made.id);
      return d && d.state === "pending" && d.attempts === 1 && d;
    });
    expect(first.responseStatus).toBe(500);
    expect(first.error).toContain('answered 500 Internal Server Error — "boom"');
    const waits: number[] = [];
    let d = first;
    while (d.state === "pending") {
      const next = Date.parse(d.nextAttemptAt);
      waits.push(next - api.clock.now);
      api.clock.now = next - 1000;
      // Not due yet: nothing is posted.
      expect(await deliverWebhooks(svc, orgId)).toEqual({ sent: 0, retrying: 0, failed: 0 });
      api.clock.now = next;
      if (d.attempts < 5) await deliverWebhooks(svc, orgId);
      else {
        // The last one through the `webhooks` job, as an admin's "Run now" (and the schedule) runs it.
        const run = await api.call("POST", "/jobs/webhooks/run");
        expect(run.status).toBe(200);
        expect(run.body.summary).toEqual({ sent: 0, retrying: 0, failed: 1 });
      }
      [d] = await log(made.id);
    }
    expect(waits).toEqual([30_000, 120_000, 480_000, 1_920_000, 7_680_000]);
    expect(d).toMatchObject({ state: "failed", attempts: 6, responseStatus: 500, nextAttemptAt: null });
    expect(receiver.hits.filter((h) => h.path === "/fail/retry")).toHaveLength(6);
    // Every attempt carries the same message id, each with its own timestamp.
    const ids = new Set(receiver.hits.filter((h) => h.path === "/fail/retry").map((h) => h.headers["webhook-id"]));
    expect(ids.size).toBe(1);
  });

  it("replays a delivery as a new one with the same message, and pages the log by cursor", async () => {
    const made = await create({ url: `${receiver.base}/ok/replay`, events: ["comment.created"] });
    const { o } = await objectiveWithKr({ title: "Talk about it" });
    for (const body of ["One", "Two", "Three"]) {
      api.clock.now += 1000;
      expect((await api.call("POST", "/comments", { objectType: "objective", objectId: o.id, body })).status).toBe(201);
    }
    await until("three sent", async () => {
      const l = await log(made.id);
      return l.length === 3 && l.every((x) => x.state === "sent");
    });
    const [latest] = await log(made.id);
    expect(latest.payload.data.comment.body).toBe("Three");
    const replay = await api.call("POST", `/webhooks/${made.id}/deliveries/${latest.id}/replay`);
    expect(replay.status).toBe(201);
    expect(replay.body).toMatchObject({ replayOf: latest.id, event: "comment.created", state: "pending" });
    const hits = await until("the replay", async () => {
      const h = receiver.hits.filter((x) => x.path === "/ok/replay");
      return h.length === 4 && h;
    });
    expect(hits[3]?.body).toBe(JSON.stringify(latest.payload));
    expect(hits[3]?.headers["webhook-id"]).toBe(latest.payload.id);
    expect(verify(made.secret, hits[3]!.headers, hits[3]!.body)).toBe(true);
    const missing = await api.call(
      "POST",
      `/webhooks/${made.id}/deliveries/00000000-0000-4000-8000-000000000000/replay`,
    );
    expect(missing.status).toBe(404);

    // Two at a time, newest first, no repeats.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await api.call(
        "GET",
        `/webhooks/${made.id}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
      );
      expect(r.status).toBe(200);
      seen.push(...r.body.items.map((x) => x.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(new Set(seen).size).toBe(4);
    expect((await api.call("GET", `/webhooks/${made.id}/deliveries?cursor=garbage`)).status).toBe(400);
  });

  it("never sends a private objective's check-in to a webhook whose creator cannot see it", async () => {
    const carls = await create({ url: `${receiver.base}/ok/carl`, events: ["checkIn.created"] }, carl.token);
    const adas = await create({ url: `${receiver.base}/ok/ada`, events: ["checkIn.created"] });
    // Carl is an admin when he subscribes, a member later: his webhook sees what he sees now.
    expect((await api.call("PATCH", `/users/${carl.id}`, { role: "member" })).status).toBe(200);
    const secret = await objectiveWithKr({ title: "Secret acquisition", visibility: "private", ownerIds: [ownerId] });
    const open = await objectiveWithKr({ title: "Open roadmap" });
    await factories(api).checkIn(secret.kr.id, { value: 70 });
    await factories(api).checkIn(open.kr.id, { value: 40 });
    await until(
      "Ada's two deliveries",
      async () => (await log(adas.id)).filter((d) => d.state === "sent").length === 2,
    );
    const carlsLog = await log(carls.id);
    expect(carlsLog).toHaveLength(1);
    expect(carlsLog[0].payload.data.objective.id).toBe(open.o.id);
    await until("Carl's delivery", async () => receiver.hits.some((h) => h.path === "/ok/carl"));
    const toCarl = receiver.hits.filter((h) => h.path === "/ok/carl").map((h) => h.body);
    expect(toCarl.join("\n")).not.toContain("Secret acquisition");
    expect(toCarl.join("\n")).not.toContain(secret.o.id);
    // Once the open objective turns private, Carl's delivery about it may not be replayed either.
    const hidden = await api.call("PATCH", `/objectives/${open.o.id}`, { visibility: "private", ownerIds: [ownerId] });
    expect(hidden.status).toBe(200);
    const refused = await api.call("POST", `/webhooks/${carls.id}/deliveries/${carlsLog[0].id}/replay`);
    expect(refused.status).toBe(409);
    expect(await log(carls.id)).toHaveLength(1);
    expect((await api.call("PATCH", `/users/${carl.id}`, { role: "admin" })).status).toBe(200);
  });

  it("queues nothing for an inactive webhook, or for events it did not subscribe to", async () => {
    const off = await create({ url: `${receiver.base}/ok/off`, events: ["checkIn.created"], active: false });
    const closes = await create({ url: `${receiver.base}/ok/closes`, events: ["objective.closed"] });
    const { o, kr } = await objectiveWithKr({ title: "Quiet one" });
    await factories(api).checkIn(kr.id, { value: 20 });
    expect((await api.call("POST", `/objectives/${o.id}/close`, {})).status).toBe(200);
    const closed = await until("the close", async () => {
      const l = await log(closes.id);
      return l.length === 1 && l[0].state === "sent" && l;
    });
    expect(closed[0].payload.data.objective).toMatchObject({ id: o.id, title: "Quiet one" });
    expect(await log(off.id)).toEqual([]);
  });
});
