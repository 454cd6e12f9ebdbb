/**
 * A check-in writes only the rows whose figures changed: the same number of statements and of
 * updated rows in an organisation ten times the size (issue #10, "only rows whose figures changed
 * are written"). Every objective here has a forecast, which is where stored figures used to be
 * rewritten on every write (jsonb reorders an object's keys, so the comparison never matched).
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

/**
 * The rows of objectives and key results the transaction of check-in `checkInId` wrote: those
 * whose `xmin` (the id of the transaction that last wrote the row) is that check-in's.
 */
async function rowsWrittenWith(
  api: ApiHarness,
  checkInId: string,
): Promise<{ objectives: number; keyResults: number }> {
  const r = await api.database.db.execute(sql`
    with tx as (select xmin from check_ins where id = ${checkInId})
    select
      (select count(*) from objectives, tx where objectives.xmin = tx.xmin)::int as objectives,
      (select count(*) from key_results, tx where key_results.xmin = tx.xmin)::int as key_results`);
  const rows = ((r as unknown as { rows?: Record<string, number>[] }).rows ?? r) as Record<string, number>[];
  const row = rows[0]!;
  return { objectives: Number(row.objectives), keyResults: Number(row.key_results) };
}

describe.each(DATABASE_KINDS)("what one check-in writes on %s", (kind) => {
  const sizes = [4, 40] as const;
  const apis = new Map<number, { api: ApiHarness; krId: string }>();

  beforeAll(async () => {
    for (const size of sizes) {
      const api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
      const f = factories(api);
      const periodId = (await f.period()).id;
      let krId = "";
      for (let i = 0; i < size; i++) {
        const o = await f.objective(periodId, { title: `Objective ${i}` });
        for (let k = 0; k < 2; k++) {
          const kr = await f.keyResult(o.id, { title: `KR ${i}.${k}`, start: 0, target: 100 });
          await f.checkIn(kr.id, { value: 10 + k, at: "2026-01-20T10:00:00Z" });
          await f.checkIn(kr.id, { value: 30 + i, at: "2026-02-05T10:00:00Z" });
          krId = kr.id;
        }
      }
      apis.set(size, { api, krId });
    }
  }, 300_000);
  afterAll(async () => {
    for (const { api } of apis.values()) await api.close();
  });

  it("updates as many rows in an organisation ten times the size: its key result and its objective", async () => {
    const written = [];
    for (const size of sizes) {
      const { api, krId } = apis.get(size)!;
      const r = await api.call("POST", `/key-results/${krId}/check-ins`, { value: 55 });
      expect(r.status).toBe(201);
      written.push(await rowsWrittenWith(api, r.body.id));
    }
    expect(written[0]).toEqual({ objectives: 1, keyResults: 1 });
    expect(written[1]).toEqual(written[0]);
  });

  it("sends as many statements in an organisation ten times the size", async () => {
    const counts = [];
    for (const size of sizes) {
      const { api, krId } = apis.get(size)!;
      await api.call("GET", "/me"); // the token's last use is recorded at most once a minute
      const log = await recordStatements(api, async () => {
        expect((await api.call("POST", `/key-results/${krId}/check-ins`, { value: 60 })).status).toBe(201);
      });
      // A connection's first check-in also prepares the opening (a look at what is prepared, and
      // the statements): once per connection, not per check-in (test/db/sql-text.test.ts).
      const sent = log.filter((st) => !/^(prepare |select name from pg_prepared_statements)/.test(st.sql));
      counts.push({ statements: sent.length, trips: new Set(sent.map((st) => st.trip)).size });
      if (kind === "postgres") {
        // The check-in's insert and its figures with the audit row go out with the commit.
        const trip = (pattern: RegExp) => sent.find((st) => pattern.test(st.sql))?.trip;
        expect(trip(/^insert into "check_ins"/)).toBe(trip(/^commit$/));
        expect(trip(/^with write_0 as \(update key_results/)).toBe(trip(/^commit$/));
      }
    }
    expect(counts[0]!.statements).toBeGreaterThan(5);
    expect(counts[1]).toEqual(counts[0]);
    // The token's lookup; the chain's objectives locked, their key results, the children below
    // them, the organisation with its periods, the key result's history and its objective's
    // followers; the check-in's insert, the figures with the audit row. On a server begin, the
    // shared lock and the six reads go in one round trip, the insert, the figures and the commit
    // in another, and the live notification (another connection, after the commit) is seen twice,
    // the pool's query and its client's: 5 trips seen, 4 made. Embedded 11 statements, one at a
    // time (PGlite runs one transaction at a time, so no lock, and its begin and commit are not
    // seen here; the six reads run by name between two statements that set the plan mode and
    // restore it).
    if (kind === "postgres") expect(counts[0]!.trips).toBeLessThanOrEqual(5);
    else expect(counts[0]!.statements).toBeLessThanOrEqual(11);
  });
});

describe.each(DATABASE_KINDS)("closing and reopening a period on %s", (kind) => {
  const sizes = [5, 50] as const;
  const apis = new Map<number, { api: ApiHarness; periodId: string }>();

  beforeAll(async () => {
    for (const size of sizes) {
      const api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
      const f = factories(api);
      const periodId = (await f.period()).id;
      for (let i = 0; i < size; i++) {
        const o = await f.objective(periodId, { title: `Objective ${i}` });
        // Objectives that end differently: three scores, and a draft among them.
        const kr = await f.keyResult(o.id, { title: `KR ${i}`, start: 0, target: 100 });
        await f.checkIn(kr.id, { value: [20, 50, 90][i % 3], at: "2026-02-05T10:00:00Z" });
        if (i === 1) await api.call("PATCH", `/objectives/${o.id}`, { state: "draft" });
      }
      apis.set(size, { api, periodId });
    }
  }, 300_000);
  afterAll(async () => {
    for (const { api } of apis.values()) await api.close();
  });

  it("sends as many statements for a period ten times the size, and closes, audits and reopens each objective", async () => {
    const counts: { close: number; reopen: number }[] = [];
    for (const size of sizes) {
      const { api, periodId } = apis.get(size)!;
      await api.call("GET", "/me");
      const close = await recordStatements(api, async () => {
        const r = await api.call("POST", `/periods/${periodId}/close`, { note: "End of the quarter" });
        expect(r.status).toBe(200);
        expect(r.body.objectivesClosed).toBe(size);
      });
      const objectives = (await api.call("GET", `/objectives?periodId=${periodId}&limit=100`)).body.items as {
        state: string;
        score: number | null;
        keyResults: { closed: boolean; score: number | null }[];
      }[];
      expect(objectives.every((o) => o.state === "closed" && o.keyResults.every((k) => k.closed))).toBe(true);
      expect(new Set(objectives.map((o) => o.score))).toEqual(new Set([0.2, 0.5, 0.9]));
      const closedAudits = (await api.call("GET", "/audit?action=objective.closed&limit=500")).body.items as {
        objectId: string;
        after: unknown;
      }[];
      expect(
        new Set(closedAudits.map((a) => a.objectId)).size,
        JSON.stringify(closedAudits.map((a) => a.objectId)),
      ).toBe(size);
      expect(closedAudits).toHaveLength(size);
      expect(closedAudits[0]?.after).toMatchObject({ state: "closed" });
      const reopen = await recordStatements(api, async () => {
        const r = await api.call("POST", `/periods/${periodId}/reopen`);
        expect(r.status).toBe(200);
        expect(r.body.objectivesReopened).toBe(size);
      });
      const back = (await api.call("GET", `/objectives?periodId=${periodId}&limit=100`)).body.items as {
        state: string;
        score: number | null;
      }[];
      expect(back.filter((o) => o.state === "draft")).toHaveLength(1);
      expect(back.filter((o) => o.state === "active")).toHaveLength(size - 1);
      expect(back.every((o) => o.score === null)).toBe(true);
      counts.push({ close: close.length, reopen: reopen.length });
    }
    expect(counts[0]!.close).toBeGreaterThan(5);
    expect(counts[1]).toEqual(counts[0]);
  });
});
