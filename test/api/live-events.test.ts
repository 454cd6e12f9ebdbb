/**
 * The live-update stream (`GET /api/v1/events`, server-sent events) over a real socket:
 * changes concerning a private objective reach only those who may see it, and a stream ends
 * once the credentials that opened it stop working — at once when the change is a revoked
 * token or a deactivated account, and within the recheck interval otherwise.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSessionFor } from "../../src/services/account.service.js";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

interface Listener {
  events: { type: string; objectType: string }[];
  ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

const RECHECK_MS = 150;
const HOUR = 3_600_000;

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
    new Promise<Listener>((resolve, reject) => {
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
        if (res.statusCode !== 200) return reject(new Error(`/events answered ${res.statusCode}`));
        let buffer = "";
        res.setEncoding("utf8");
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
      "objective.updated",
      "objective.created",
      "alignment.created",
      "alignment.deleted",
      "keyResult.created",
      "checkIn.created",
    ];
    expect(types(ola)).toEqual(everything);
    expect(types(admin)).toEqual(everything);
    // Mia hears only of the public objective: not the private one, its key result, its
    // check-in, the edit, nor the alignment that touched its key result, made or deleted.
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
    expect(eve.events.map((e) => e.type)).toEqual(["user.updated", "objective.created"]);
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
    const session = await openSessionFor(api.database, ids.ola!, { nowMs: started, method: "password" });
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
