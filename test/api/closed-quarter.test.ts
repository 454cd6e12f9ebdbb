/**
 * A closed quarter stays closed: no one reopens one of its objectives on their own (409 CLOSED
 * naming the period), and no check-in reaches its key results by any path (by hand, a key
 * result's token, a data source, an imported history, an edit or deletion of an old one). A
 * period close tells each owner once what it scored, and where a continued copy went.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { recordCheckInHistory } from "../../src/services/check-in.service.js";
import { type ApiHarness, factories, servicesOf, startApi } from "../support/api.js";
import { adminActorOf } from "../support/cli-actor.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

describe.each(DATABASE_KINDS)("a closed quarter stays closed (%s)", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let zara: { id: string };
  let tomas: { id: string };
  let zaraToken: string;
  let tomasToken: string;
  let source: http.Server;
  let sourceUrl: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const notices = async (token: string) =>
    (await api.call("GET", "/notifications?limit=50", undefined, as(token))).body;

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 11, 5, 12), { allowPrivateUrls: true });
    f = factories(api);
    zara = await f.user({ name: "Zara Ahmed", email: "zara@q.example", role: "member" });
    tomas = await f.user({ name: "Tomás Ferreira", email: "tomas@q.example", role: "member" });
    zaraToken = (await createTokenForEmail(api.database, "zara@q.example")).token;
    tomasToken = (await createTokenForEmail(api.database, "tomas@q.example")).token;
    source = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ signups: 7 }));
    });
    await new Promise<void>((resolve) => source.listen(0, "127.0.0.1", resolve));
    sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}/m.json`;
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await new Promise((resolve) => source?.close(resolve));
  });

  it("refuses reopening an objective of a closed period to its owner and to admins, naming the period", async () => {
    const p = await f.period({ name: "Walk sprint", kind: "custom", startDate: "2026-11-01", endDate: "2026-12-15" });
    const o = await f.objective(p.id, { title: "Become fluent in the query planner", ownerIds: [zara.id] });
    const kr = await f.keyResult(o.id, { title: "Plans read", ownerIds: [zara.id] });
    await f.checkIn(kr.id, { value: 20, at: "2026-11-20T10:00:00Z" });
    expect((await api.call("POST", `/periods/${p.id}/close`, {})).status).toBe(200);
    const summary = (await api.call("GET", `/periods/${p.id}/close-preview`)).body;

    for (const token of [zaraToken, undefined]) {
      const r = await api.call("POST", `/objectives/${o.id}/reopen`, undefined, token ? as(token) : {});
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("CLOSED");
      expect(r.body.error.message).toBe(
        `The period "Walk sprint" is closed, so the objective "Become fluent in the query planner" cannot be reopened on its own; reopen the period first (POST /periods/${p.id}/reopen).`,
      );
    }
    // A check-in on the closed objective points at the period, not at a reopen that is refused.
    const c = await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 3 }, as(zaraToken));
    expect(c.status).toBe(409);
    expect(c.body.error.message).toContain('The period "Walk sprint" is closed');
    // Nothing moved: the close summary still holds.
    expect((await api.call("GET", `/objectives/${o.id}`)).body).toMatchObject({ state: "closed", score: 0.2 });
    expect((await api.call("GET", `/periods/${p.id}/close-preview`)).body).toEqual(summary);

    // Once the period is reopened the objective is open, and a close of it alone reopens as before.
    expect((await api.call("POST", `/periods/${p.id}/reopen`)).status).toBe(200);
    expect((await api.call("POST", `/objectives/${o.id}/close`, {}, as(zaraToken))).status).toBe(200);
    expect((await api.call("POST", `/objectives/${o.id}/reopen`, undefined, as(zaraToken))).status).toBe(200);
  });

  it("takes no check-in by any path on a key result whose objective's period is closed", async () => {
    const p = await f.period({ name: "Sprint 49", kind: "custom", startDate: "2026-11-01", endDate: "2026-12-15" });
    const o = await f.objective(p.id, { title: "Grow signups", ownerIds: [zara.id] });
    const kr = await f.keyResult(o.id, { title: "Signups", ownerIds: [zara.id] });
    const linked = await f.keyResult(o.id, { title: "Visits" });
    const old = await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 10 }, as(zaraToken));
    expect(old.status).toBe(201);
    const token = (await api.call("POST", `/key-results/${kr.id}/tokens`, { name: "CI" }, as(zaraToken))).body.token;
    const set = await api.call("PATCH", `/key-results/${linked.id}`, {
      source: { kind: "json", url: sourceUrl, path: "$.signups" },
    });
    expect(set.status).toBe(200);
    expect((await api.call("POST", `/periods/${p.id}/close`, {})).status).toBe(200);
    // As an earlier version left it: an objective reopened on its own while its period stayed closed.
    await api.database.db.execute(sql`update objectives set state = 'active', score = null where id = ${o.id}`);
    await api.database.db.execute(sql`update key_results set closed = false where objective_id = ${o.id}`);

    const refusals = [
      await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 12 }, as(zaraToken)),
      await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 12 }),
      await api.call("PATCH", `/check-ins/${old.body.id}`, { value: 11 }, as(zaraToken)),
      await api.call("DELETE", `/check-ins/${old.body.id}`, undefined, as(zaraToken)),
    ];
    const pushed = await api.app.inject({
      method: "POST",
      url: `/api/v1/key-results/${kr.id}/push`,
      headers: as(token),
      payload: { value: 13 },
    });
    expect([...refusals.map((r) => r.status), pushed.statusCode]).toEqual([409, 409, 409, 409, 409]);
    for (const body of [...refusals.map((r) => r.body), pushed.json()]) {
      expect(body.error).toMatchObject({
        code: "CLOSED",
        message: `The period "Sprint 49" is closed, so the key result "Signups" takes no check-ins or changes to them; reopen the period first (POST /periods/${p.id}/reopen).`,
      });
    }

    const synced = await api.call("POST", `/key-results/${linked.id}/sync`);
    expect(synced.body).toMatchObject({ outcome: "failed", checkInId: null });
    expect(synced.body.error).toContain('The period "Sprint 49" is closed');

    const admin = await adminActorOf(api.database);
    const imported = await recordCheckInHistory(servicesOf(api), admin, [
      { keyResultId: kr.id, history: [{ body: { value: 14, at: "2026-11-25T10:00:00Z" } }] },
    ]).catch((e: unknown) => e);
    expect(imported).toMatchObject({ code: "CLOSED", message: expect.stringContaining('"Sprint 49" is closed') });

    // Nothing was recorded by any of them.
    const history = (await api.call("GET", `/key-results/${kr.id}/check-ins`)).body.items;
    expect(history.map((c: { value: number }) => c.value)).toEqual([10]);
    expect((await api.call("GET", `/key-results/${linked.id}/check-ins`)).body.items).toEqual([]);
  });

  it("tells each owner once what the period close scored, and where a continued copy went", async () => {
    const p = await f.period({ name: "Walk sprint 2", kind: "custom", startDate: "2026-11-01", endDate: "2026-12-15" });
    const next = await f.period({ name: "Q1 2027", startDate: "2027-01-01", endDate: "2027-03-31" });
    const fluent = await f.objective(p.id, { title: "Become fluent", ownerIds: [zara.id] });
    await f.checkIn((await f.keyResult(fluent.id, { ownerIds: [zara.id] })).id, { value: 20 });
    const retire = await f.objective(p.id, { title: "Retire the legacy scheduler", ownerIds: [tomas.id] });
    await f.checkIn((await f.keyResult(retire.id, { ownerIds: [tomas.id] })).id, { value: 20 });
    const shared = await f.objective(p.id, { title: "Cut build times", ownerIds: [tomas.id, zara.id] });
    await f.checkIn((await f.keyResult(shared.id)).id, { value: 60 });
    // Private to Tomás: only he (and admins) may see it, so Zara, a co-owner of nothing here, hears nothing of it.
    await f.objective(p.id, { title: "Tomás's secret plan", ownerIds: [tomas.id], visibility: "private" });
    // A draft was no commitment: closing it with the period scores nothing for its owner.
    await f.objective(p.id, { title: "Zara's idea", ownerIds: [zara.id], state: "draft" });
    const copy = await api.call("POST", `/objectives/${retire.id}/postpone`, { periodId: next.id });
    expect(copy.status).toBe(201);
    const before = { zara: (await notices(zaraToken)).items.length, tomas: (await notices(tomasToken)).items.length };

    expect((await api.call("POST", `/periods/${p.id}/close`, {})).status).toBe(200);

    const zaraNew = (await notices(zaraToken)).items.slice(0, (await notices(zaraToken)).items.length - before.zara);
    expect(zaraNew).toHaveLength(1);
    expect(zaraNew[0]).toMatchObject({
      title: "Walk sprint 2 was closed: your 2 objectives were scored",
      link: `/?period=${p.id}`,
    });
    expect(zaraNew[0].body).toBe('"Become fluent": 0.2; "Cut build times": 0.6');

    const tomasNew = (await notices(tomasToken)).items.slice(
      0,
      (await notices(tomasToken)).items.length - before.tomas,
    );
    expect(tomasNew).toHaveLength(1);
    expect(tomasNew[0].title).toBe("Walk sprint 2 was closed: your 3 objectives were scored");
    expect(tomasNew[0].body).toContain('"Retire the legacy scheduler": 0.2 (continued in Q1 2027)');
    expect(tomasNew[0].body).toContain('"Tomás\'s secret plan": not scored');
  });

  it("leaves out of an owner's notice the objectives and copies they may not see", async () => {
    const p = await f.period({
      name: "Private sprint",
      kind: "custom",
      startDate: "2026-11-01",
      endDate: "2026-12-15",
    });
    const next = await f.period({ name: "Q2 2027", startDate: "2027-04-01", endDate: "2027-06-30" });
    const team = await f.team({ name: "Quiet team", ownerIds: [tomas.id] });
    // Zara is named an owner of a private team objective, yet has no authority over it: Tomás owns the team.
    const open = await f.objective(p.id, { title: "Open work", ownerIds: [zara.id] });
    const copy = (await api.call("POST", `/objectives/${open.id}/postpone`, { periodId: next.id })).body;
    // The copy turned private under a team she is not in.
    await api.database.db.execute(
      sql`update objectives set visibility = 'private', owner_ids = ${`{${tomas.id}}`}::uuid[], level = 'team', team_id = ${team.id} where id = ${copy.id}`,
    );
    const before = (await notices(zaraToken)).items.length;
    expect((await api.call("POST", `/periods/${p.id}/close`, {})).status).toBe(200);
    const fresh = (await notices(zaraToken)).items.slice(0, (await notices(zaraToken)).items.length - before);
    expect(fresh).toHaveLength(1);
    expect(fresh[0].body).toBe('"Open work": not scored');
  });
});

describe.each(DATABASE_KINDS)("the period close notice at size (%s)", (kind) => {
  it("tells every owner in as many statements for a period ten times the size", async () => {
    const counts: number[] = [];
    for (const size of [5, 50]) {
      const api = await startApi(kind, Date.UTC(2026, 11, 5, 12));
      try {
        const f = factories(api);
        const p = await f.period({
          name: "Big sprint",
          kind: "custom",
          startDate: "2026-11-01",
          endDate: "2026-12-15",
        });
        const next = await f.period({ name: "Next", startDate: "2027-01-01", endDate: "2027-03-31" });
        const tokens: string[] = [];
        for (let i = 0; i < size; i++) {
          const u = await f.user({ name: `Owner ${i}`, email: `owner${i}@big.example`, role: "member" });
          if (i < 2) tokens.push((await createTokenForEmail(api.database, `owner${i}@big.example`)).token);
          // Each owner: an objective of their own, every third private, every fourth continued.
          const o = await f.objective(p.id, {
            title: `Objective ${i}`,
            ownerIds: [u.id],
            visibility: i % 3 === 0 ? "private" : "public",
          });
          await f.checkIn((await f.keyResult(o.id)).id, { value: 50 });
          if (i % 4 === 0) await api.call("POST", `/objectives/${o.id}/postpone`, { periodId: next.id });
        }
        await api.call("GET", "/me");
        const log = await recordStatements(api, async () => {
          expect((await api.call("POST", `/periods/${p.id}/close`, {})).status).toBe(200);
        });
        counts.push(log.length);
        const closeNotices = async (token: string | undefined) =>
          (await api.call("GET", "/notifications", undefined, { authorization: `Bearer ${token}` })).body.items.filter(
            (n: { title: string }) => n.title.startsWith("Big sprint"),
          );
        const first = await closeNotices(tokens[0]);
        expect(first.map((n: { title: string }) => n.title)).toEqual([
          'Big sprint was closed: your objective "Objective 0": 0.5',
        ]);
        expect(first[0].body).toBe('"Objective 0": 0.5 (continued in Next)');
        const second = await closeNotices(tokens[1]);
        expect(second.map((n: { body: string }) => n.body)).toEqual(['"Objective 1": 0.5']);
      } finally {
        await api.close();
      }
    }
    expect(counts[1]).toBe(counts[0]);
  }, 300_000);
});
