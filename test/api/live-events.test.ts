/**
 * The live-update stream (`GET /api/v1/events`, server-sent events) over a real socket:
 * changes concerning a private objective reach only those who may see it, and a stream ends
 * once the credentials that opened it stop working — at once when the change is a revoked
 * token or a deactivated account, and within the recheck interval otherwise. Streams are
 * capped per credential and per organisation, and a change rechecks only the credentials it
 * concerns: as many checks with 200 streams open as with 10.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openSessionFor } from "../../src/services/account.service.js";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, orgIdOf, servicesOf, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

interface Listener {
  events: { type: string; objectType: string }[];
  ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

const RECHECK_MS = 150;
const HOUR = 3_600_000;

/**
 * Opens the stream on `port` with these headers and resolves once the server has answered;
 * rejects with the status and body when it refuses. Every listener lands in `open`.
 */
function connect(port: number, headers: Record<string, string>, open: Listener[]): Promise<Listener> {
  return new Promise<Listener>((resolve, reject) => {
    const events: Listener["events"] = [];
    let ended = false;
    let markEnded: () => void = () => {};
    const endedP = new Promise<void>((r) => {
      markEnded = () => {
        ended = true;
        r();
      };
    });
    const req = http.get({ host: "127.0.0.1", port, path: "/api/v1/events", headers }, (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      if (res.statusCode !== 200) {
        res.on("data", (chunk: string) => {
          buffer += chunk;
        });
        res.on("end", () => reject(new Error(`/events answered ${res.statusCode}: ${buffer}`)));
        return;
      }
      res.on("data", (chunk: string) => {
        buffer += chunk;
        const blocks = buffer.split("\n\n");
        buffer = blocks.pop() ?? "";
        for (const block of blocks) {
          const data = block.split("\n").find((l) => l.startsWith("data: "));
          if (data) events.push(JSON.parse(data.slice(6)));
          if (block.startsWith(": connected")) resolve(listener);
        }
      });
      res.on("end", markEnded);
      res.on("close", markEnded);
    });
    req.on("error", () => markEnded());
    const listener: Listener = { events, ended: endedP, isEnded: () => ended, close: () => req.destroy() };
    open.push(listener);
  });
}

/** The refusal of a stream the server would not open: its status and error body. */
async function refusal(opening: Promise<Listener>) {
  const err = await opening.then(
    () => null,
    (e: Error) => e,
  );
  const m = /^\/events answered (\d+): (.*)$/s.exec(err?.message ?? "");
  if (!m) throw new Error(`expected a refusal, got ${err ? err.message : "an open stream"}`);
  return { status: Number(m[1]), body: JSON.parse(m[2]!) };
}

describe.each(DATABASE_KINDS)("live updates on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let port: number;
  let periodId: string;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const open: Listener[] = [];

  /** Opens the stream with an API token (or other headers) and resolves once the server has answered. */
  const listen = (token: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
    connect(port, headers, open);

  /** Waits until every change so far has gone out, and the sockets have carried it. */
  const delivered = async () => {
    await api.app.liveEvents.settled();
    await new Promise((r) => setTimeout(r, 50));
  };
  const as = (who: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${tokens[who]}` });

  beforeAll(async () => {
    api = await startApi(kind, undefined, {
      liveRecheckMs: RECHECK_MS,
      sessionPolicy: { idleMs: 2 * HOUR, maxMs: 10 * HOUR },
    });
    await api.app.listen({ port: 0, host: "127.0.0.1" });
    port = (api.app.server.address() as AddressInfo).port;
    f = factories(api);
    periodId = (await f.period()).id;
    // So that a private key result may align under a public objective (an alignment to tell of).
    expect((await api.call("PATCH", "/settings", { privateUnderPublic: true })).status).toBe(200);
    for (const who of ["ola", "mia", "max", "eve"]) {
      const email = `${who}@live.example`;
      ids[who] = (await api.call("POST", "/users", { name: who, email, role: "member", invite: false })).body.id;
      tokens[who] = (await createTokenForEmail(api.database, email)).token;
    }
  });
  afterAll(async () => {
    for (const l of open) l.close();
    await api?.close();
  });

  it("tells of a private objective's changes only those who may see it", async () => {
    const ola = await listen(tokens.ola!);
    const mia = await listen(tokens.mia!);
    const admin = await listen(api.token);
    const secret = await f.objective(periodId, {
      title: "Acquire a competitor",
      level: "individual",
      ownerIds: [ids.ola],
      visibility: "private",
    });
    const kr = await f.keyResult(secret.id, { ownerIds: [ids.ola] });
    await f.checkIn(kr.id, { value: 10 });
    // A check-in token made for its key result, and revoked.
    const made = await api.call("POST", `/key-results/${kr.id}/tokens`, { name: "sheet" });
    expect(made.status).toBe(201);
    expect((await api.call("DELETE", `/key-results/${kr.id}/tokens/${made.body.id}`)).status).toBe(204);
    expect((await as("ola", "PATCH", `/objectives/${secret.id}`, { title: "Acquire two competitors" })).status).toBe(
      200,
    );
    const open = await f.objective(periodId, { title: "Ship the mobile app" });
    const link = await f.align("keyResult", kr.id, "objective", open.id);
    // Alignments are deleted for good: who may hear of it is settled when it is written.
    expect((await api.call("DELETE", `/alignments/${link.id}`)).status).toBe(204);
    await f.checkIn((await f.keyResult(open.id)).id, { value: 5 });
    await delivered();

    const types = (l: Listener) => l.events.map((e) => e.type);
    const everything = [
      "objective.created",
      "keyResult.created",
      "checkIn.created",
      "keyResultToken.created",
      "keyResultToken.revoked",
      "objective.updated",
      "objective.created",
      "alignment.created",
      "alignment.deleted",
      "keyResult.created",
      "checkIn.created",
    ];
    // Ola owns the objective, so she follows it: the admin's check-in on its key result is a
    // notice to her too, and her centre hears of it (#12).
    expect(types(ola)).toEqual([...everything.slice(0, 3), "notification.created", ...everything.slice(3)]);
    expect(types(admin)).toEqual(everything);
    // Mia hears only of the public objective: not the private one, its key result, its
    // check-in, its check-in token, the edit, nor the alignment that touched its key result, made or deleted.
    expect(types(mia)).toEqual(["objective.created", "keyResult.created", "checkIn.created"]);
    // Nothing says which object changed, or who changed it.
    for (const e of [...ola.events, ...mia.events]) expect(Object.keys(e).sort()).toEqual(["objectType", "type"]);
  });

  it("ends the stream at once when its token is revoked", async () => {
    const mia = await listen(tokens.mia!);
    const [mine] = (await as("mia", "GET", "/tokens")).body.items;
    expect((await as("mia", "DELETE", `/tokens/${mine.id}`)).status).toBe(204);
    await api.app.liveEvents.settled();
    await mia.ended;
    expect(mia.isEnded()).toBe(true);
  });

  it("ends the stream at once when the account is deactivated, and keeps the others", async () => {
    const max = await listen(tokens.max!);
    const eve = await listen(tokens.eve!);
    expect((await api.call("PATCH", `/users/${ids.max}`, { active: false })).status).toBe(200);
    await api.app.liveEvents.settled();
    await max.ended;
    await f.objective(periodId, { title: "Open a second office" });
    await delivered();
    expect(eve.isEnded()).toBe(false);
    expect(eve.events.map((e) => e.type)).toEqual(["user.updated", "user.credentialsRevoked", "objective.created"]);
  });

  it("checks the credentials again on a timer, so a change that sends no event still ends the stream", async () => {
    const eve = await listen(tokens.eve!);
    // Revoked behind the API's back: no event tells the hub.
    await api.database.db.execute(sql`update api_tokens set revoked_at = now() where user_id = ${ids.eve}`);
    const started = Date.now();
    await eve.ended;
    expect(Date.now() - started).toBeLessThan(RECHECK_MS * 20);
  });

  it("does not count an open stream as activity: its session still idles out, and the stream ends", async () => {
    const started = api.clock.now;
    const session = await openSessionFor(
      servicesOf(api),
      { orgId: await orgIdOf(api), userId: ids.ola! },
      { nowMs: started, method: "password" },
    );
    const tab = await listen("", { cookie: `okra_session=${session.token}` });
    // An hour and a half later, with many rechecks in between, the session is still fine…
    api.clock.now = started + 1.5 * HOUR;
    await new Promise((r) => setTimeout(r, RECHECK_MS * 4));
    expect(tab.isEnded()).toBe(false);
    // …but the rechecks did not keep it alive: two hours after its last real use, it is over.
    api.clock.now = started + 2 * HOUR + 1000;
    await tab.ended;
    api.clock.now = started;
  });

  it("refuses to open a stream without valid credentials", async () => {
    await expect(listen("okra_not_a_token")).rejects.toThrow("/events answered 401");
  });
});

describe.each(DATABASE_KINDS)("live stream caps and targeted rechecks on %s", (kind) => {
  const LIMITS = { perCredential: 2, perOrganization: 5 };
  let api: ApiHarness;
  let port: number;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const open: Listener[] = [];
  const listen = (token: string) => connect(port, { authorization: `Bearer ${token}` }, open);
  const as = (token: string, method: string, url: string, body?: unknown) =>
    api.call(method, url, body, { authorization: `Bearer ${token}` });
  /** Polls until the hub agrees (the server sees a closed socket a moment after the client). */
  const until = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!ok()) throw new Error(`still waiting for ${what}`);
  };
  const rechecksOnChange = () => api.app.liveEvents.stats().rechecksOnChange;

  beforeAll(async () => {
    // No periodic recheck during these tests: every check counted is one a change asked for.
    api = await startApi(kind, undefined, { liveRecheckMs: HOUR, liveStreamLimits: LIMITS });
    await api.app.listen({ port: 0, host: "127.0.0.1" });
    port = (api.app.server.address() as AddressInfo).port;
    for (const [who, role] of [
      ["ola", "member"],
      ["mia", "member"],
      ["eve", "member"],
      ["obs", "observer"],
      ["ada", "admin"],
    ] as const) {
      const email = `${who}@caps.example`;
      ids[who] = (await api.call("POST", "/users", { name: who, email, role, invite: false })).body.id;
      tokens[who] = (await createTokenForEmail(api.database, email)).token;
    }
  });
  afterEach(async () => {
    for (const l of open.splice(0)) l.close();
    await until("every stream to close", () => api.app.liveEvents.stats().streams === 0);
  });
  afterAll(async () => {
    await api?.close();
  });

  it("refuses one stream more than the cap per credential with 429, saying the limit and what to do", async () => {
    const first = await listen(tokens.ola!);
    await listen(tokens.ola!);
    const refused = await refusal(listen(tokens.ola!));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("RATE_LIMITED");
    expect(refused.body.error.message).toContain("the limit is 2");
    expect(refused.body.error.message).toContain("Close other Okra tabs");
    expect(refused.body.error.details).toEqual({ limit: 2, per: "credential" });
    // The cap is per credential: Ola's second token still gets a stream.
    const other = (await as(tokens.ola!, "POST", "/tokens", { name: "second" })).body.token;
    await listen(other);
    // Closing a stream frees its place.
    first.close();
    await until("the closed stream to leave", () => api.app.liveEvents.stats().streams === 2);
    await listen(tokens.ola!);
  });

  it("refuses one stream more than the cap per organisation with 429, saying the limit", async () => {
    await listen(tokens.ola!);
    await listen(tokens.ola!);
    await listen(tokens.mia!);
    await listen(tokens.mia!);
    const last = await listen(tokens.eve!);
    const refused = await refusal(listen(tokens.obs!));
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe("RATE_LIMITED");
    expect(refused.body.error.message).toContain("limit of 5");
    expect(refused.body.error.details).toEqual({ limit: 5, per: "organization" });
    last.close();
    await until("the closed stream to leave", () => api.app.liveEvents.stats().streams === 4);
    await listen(tokens.obs!);
  });

  it("ends only the streams of a revoked token, after one check", async () => {
    const a = await as(tokens.ola!, "POST", "/tokens", { name: "tab A" });
    const b = await as(tokens.ola!, "POST", "/tokens", { name: "tab B" });
    const onA = [await listen(a.body.token), await listen(a.body.token)];
    const onB = await listen(b.body.token);
    const mia = await listen(tokens.mia!);
    const before = rechecksOnChange();
    expect((await as(tokens.ola!, "DELETE", `/tokens/${a.body.id}`)).status).toBe(204);
    await api.app.liveEvents.settled();
    await Promise.all(onA.map((l) => l.ended));
    expect(rechecksOnChange() - before).toBe(1);
    const f = factories(api);
    await f.objective((await f.period()).id, { title: "Still listening" });
    await api.app.liveEvents.settled();
    await until("the change to arrive", () => onB.events.length > 1 && mia.events.length > 1);
    expect(onB.isEnded()).toBe(false);
    expect(mia.isEnded()).toBe(false);
  });

  it("ends a stream once the person who issued its token no longer outranks its account", async () => {
    const issued = await as(tokens.ada!, "POST", `/users/${ids.obs}/tokens`, { name: "from Ada", scope: "read" });
    expect(issued.status).toBe(201);
    const tab = await listen(issued.body.token);
    const own = await listen(tokens.obs!);
    // Ada, demoted to member, no longer outranks the observer: the token she issued stops working.
    expect((await api.call("PATCH", `/users/${ids.ada}`, { role: "member" })).status).toBe(200);
    await api.app.liveEvents.settled();
    await tab.ended;
    expect(own.isEnded()).toBe(false);
  });
});

describe.each(DATABASE_KINDS)("live stream rechecks at 10 and 200 streams on %s", (kind) => {
  let api: ApiHarness;
  let port: number;
  const ids: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const open: Listener[] = [];
  const rechecksOnChange = () => api.app.liveEvents.stats().rechecksOnChange;

  beforeAll(async () => {
    api = await startApi(kind, undefined, {
      liveRecheckMs: HOUR,
      liveStreamLimits: { perCredential: 250, perOrganization: 300 },
    });
    await api.app.listen({ port: 0, host: "127.0.0.1" });
    port = (api.app.server.address() as AddressInfo).port;
    for (const [who, role] of [
      ["obs", "observer"],
      ["mia", "member"],
    ] as const) {
      const email = `${who}@flood.example`;
      ids[who] = (await api.call("POST", "/users", { name: who, email, role, invite: false })).body.id;
      tokens[who] = (await createTokenForEmail(api.database, email)).token;
    }
  });
  afterAll(async () => {
    for (const l of open) l.close();
    await api?.close();
  });

  /** The credential checks each change makes, with `n` streams open from one observer's token. */
  const checksPerChange = async (n: number, round: number) => {
    const observer = open.filter((l) => l !== open[0]);
    while (observer.length < n) observer.push(await connect(port, { authorization: `Bearer ${tokens.obs}` }, open));
    expect(api.app.liveEvents.stats().streams).toBe(n + 1);
    const counted = async (change: () => Promise<{ status: number }>) => {
      const before = rechecksOnChange();
      expect((await change()).status).toBeLessThan(300);
      await api.app.liveEvents.settled();
      return rechecksOnChange() - before;
    };
    const checks = {
      // A new token concerns no open stream.
      myNewToken: await counted(() =>
        api.call("POST", "/tokens", { name: `round ${round}` }, { authorization: `Bearer ${tokens.mia}` }),
      ),
      tokenForObserver: await counted(() => api.call("POST", `/users/${ids.obs}/tokens`, { name: `r${round}` })),
      // Another person's role: their one stream, not the observer's crowd.
      miasRole: await counted(() =>
        api.call("PATCH", `/users/${ids.mia}`, { role: round === 1 ? "observer" : "member" }),
      ),
      // The observer's own change: one check of their token, for all n streams.
      observersName: await counted(() => api.call("PATCH", `/users/${ids.obs}`, { name: `obs ${round}` })),
    };
    await new Promise((r) => setTimeout(r, 50));
    for (const l of observer) {
      expect(l.isEnded()).toBe(false);
      // Each heard of the last change, the observer's own.
      expect(l.events.at(-1)).toEqual({ type: "user.updated", objectType: "user" });
    }
    return checks;
  };

  it("checks again only the credentials a change concerns: as many checks at 200 streams as at 10", async () => {
    await connect(port, { authorization: `Bearer ${tokens.mia}` }, open);
    const at10 = await checksPerChange(10, 1);
    const at200 = await checksPerChange(200, 2);
    expect(at10).toEqual({ myNewToken: 0, tokenForObserver: 0, miasRole: 1, observersName: 1 });
    expect(at200).toEqual(at10);
  });
});
