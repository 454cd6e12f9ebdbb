/**
 * The statements a check-in opens with are written as SQL text (src/db/sql-text.ts): only
 * checked uuids go into the text, rows read back through the schema's own decoders equal what
 * drizzle's query builder reads, several statements in one round trip answer each its rows and
 * see what the ones before did, and the opening of a chain write answers the same rows whether
 * it goes in one round trip or one statement after another. On a PostgreSQL server the opening's
 * statements are prepared once per connection and run by name.
 */
import { randomUUID } from "node:crypto";
import { eq, getTableName } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantOrgScope, type OrgScope } from "../../src/db/org-scope.js";
import {
  alignmentRepo,
  type CheckInBasis,
  checkInQueries,
  checkInRepo,
  graphQueries,
  keyResultRepo,
  type OpenedChain,
  objectiveRepo,
  openChainWrite,
  organizationRepo,
  periodRepo,
} from "../../src/db/repositories.js";
import * as s from "../../src/db/schema.js";
import { runStatements, shapeOf, uuidArray, uuidLiteral } from "../../src/db/sql-text.js";
import { type ApiHarness, factories, orgIdOf, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe("uuid literals", () => {
  it("writes a uuid and refuses anything else", () => {
    const id = "0b9e7a4c-1f2d-4e5a-9b8c-7d6e5f4a3b2c";
    expect(uuidLiteral(id)).toBe(`'${id}'::uuid`);
    expect(uuidArray([])).toBe("'{}'::uuid[]");
    for (const bad of [
      "",
      "x",
      `${id}'; drop table objectives; --`,
      "0b9e7a4c-1f2d-4e5a-9b8c-7d6e5f4a3b2",
      `'${id}'`,
      `${id}\\`,
    ]) {
      expect(() => uuidLiteral(bad)).toThrow(/not a uuid/);
    }
  });
});

describe.each(DATABASE_KINDS)("statements written as text on %s", (kind) => {
  let api: ApiHarness;
  let scope: OrgScope;
  const ids = { period: "", parent: "", child: "", kr: "", parentKr: "", alignment: "", checkIn: "" };
  const server = kind === "postgres";

  beforeAll(async () => {
    api = await startApi(kind);
    scope = grantOrgScope(await orgIdOf(api));
    const f = factories(api);
    ids.period = (await f.period()).id;
    ids.parent = (await f.objective(ids.period, { title: "Parent", description: "Why it matters" })).id;
    ids.parentKr = (
      await f.keyResult(ids.parent, { title: "Revenue", unit: "currency", currency: "EUR", target: 12.5 })
    ).id;
    const me = (await api.call("GET", "/me")).body.user.id as string;
    ids.child = (await f.objective(ids.period, { title: "Child", level: "team", ownerIds: [me] })).id;
    ids.kr = (await f.keyResult(ids.child, { title: "Speed", start: 0.25, target: 99.75, unit: "percent" })).id;
    ids.checkIn = (await f.checkIn(ids.kr, { value: 33.5, confidence: 7, note: 'It\'s going — "well"' })).id;
    ids.alignment = (await f.align("objective", ids.child, "objective", ids.parent, { weight: 2.5 })).id;
    await f.checkIn(ids.kr, { value: 40 });
  }, 120_000);
  afterAll(() => api?.close());

  it("reads rows back as drizzle's query builder does: dates, numerics, arrays, JSON", async () => {
    const db = api.database.db;
    const cases = [
      { table: s.objectives, id: ids.child, expected: await objectiveRepo.get(db, scope, ids.child) },
      { table: s.keyResults, id: ids.kr, expected: await keyResultRepo.get(db, scope, ids.kr) },
      { table: s.alignments, id: ids.alignment, expected: await alignmentRepo.get(db, scope, ids.alignment) },
      { table: s.checkIns, id: ids.checkIn, expected: await checkInRepo.get(db, scope, ids.checkIn) },
      { table: s.periods, id: ids.period, expected: await periodRepo.get(db, scope, ids.period) },
    ];
    for (const { table, id, expected } of cases) {
      const shape = shapeOf(table);
      const [rows] = await runStatements(db, false, [
        `select ${shape.list("t", "x.")} from ${getTableName(table)} t where t.id = ${uuidLiteral(id)}`,
      ]);
      expect(shape.read(rows![0]!, "x.")).toEqual(expected);
    }
    const [org] = await db.select().from(s.organizations).where(eq(s.organizations.id, scope.orgId));
    const read = await organizationRepo.withPeriods(db, scope, { webhookEvents: true });
    expect(read.org).toEqual(org);
    expect(read.periods).toEqual(await periodRepo.list(db, scope));
    expect(read.webhookEvents).toEqual([]);
    // An outer join that found nothing is no row.
    expect(shapeOf(s.objectives).read({ "x.id": null }, "x.")).toBeNull();
  });

  it("runs several statements, each seeing what the ones before did", async () => {
    const answers = await api.database.db.transaction((tx) =>
      runStatements(tx, server, [
        "create temporary table scratch (n int) on commit drop",
        "insert into scratch values (1), (2)",
        "select sum(n)::int as total from scratch",
        "select 'two' as word",
      ]),
    );
    expect(answers).toHaveLength(4);
    expect(answers[2]).toEqual([{ total: 3 }]);
    expect(answers[3]).toEqual([{ word: "two" }]);
  });

  it("opens a check-in with its key result's history as a recomputation reads it, and its objective's followers", async () => {
    const db = api.database.db;
    const me = (await api.call("GET", "/me")).body.user.id as string;
    // Dated between the two check-ins already there, and at the same instant as one of them.
    for (const at of [new Date(api.clock.now - 86_400_000), new Date(api.clock.now)]) {
      const id = randomUUID();
      const seen = await db
        .transaction(async (tx) => {
          const row = { id, keyResultId: ids.kr, value: "12.50", achieved: null, status: null, confidence: 3 };
          await checkInQueries.insert(tx, scope, {
            ...row,
            note: "",
            authorId: me,
            at,
            version: 1,
            createdAt: at,
            updatedAt: at,
          });
          const opened = await openChainWrite(tx, scope, [ids.kr], { server, webhookEvents: false, checkIn: true });
          const fallback = await checkInQueries.basisFor(tx, scope, ids.kr);
          const read = await checkInQueries.figuresFor(tx, scope, [ids.kr]);
          throw Object.assign(new Error("rollback"), { opened, fallback, read });
        })
        .catch((e: { opened: OpenedChain; fallback: CheckInBasis; read: unknown }) => e);
      const { opened, fallback, read } = seen as unknown as {
        opened: OpenedChain;
        fallback: CheckInBasis;
        read: unknown;
      };
      const basis = opened.checkIn!;
      expect(basis.history.map(({ id: _, ...figures }) => figures)).toEqual(read);
      expect(basis.history).toHaveLength(3);
      expect(basis.history.find((c) => c.id === id)).toMatchObject({ value: "12.50", confidence: 3, at });
      expect(basis.followers).toEqual([me]);
      expect(fallback).toEqual(basis);
    }
    // Only a check-in's write reads it.
    const plain = await db.transaction((tx) => openChainWrite(tx, scope, [ids.kr], { server, webhookEvents: false }));
    expect(plain.checkIn).toBeUndefined();
  });

  it("opens a chain write with the chain's rows, its children and the organisation", async () => {
    const db = api.database.db;
    const opened = await db.transaction((tx) => openChainWrite(tx, scope, [ids.kr], { server, webhookEvents: true }));
    expect(opened.objectives.map((o) => o.id)).toEqual([ids.parent, ids.child].sort());
    expect(opened.objectives).toEqual(await objectiveRepo.listByIds(db, scope, [ids.parent, ids.child]).then(byId));
    expect(opened.keyResults).toEqual([await keyResultRepo.get(db, scope, ids.kr)]);
    expect(opened.siblings.map((k) => k.id).sort()).toEqual([ids.kr, ids.parentKr].sort());
    expect(opened.children).toEqual(
      await graphQueries.childrenAt(db, scope, { objective: [ids.parent, ids.child], keyResult: [ids.kr] }),
    );
    expect(opened.children.map((c) => c.objective?.id)).toEqual([ids.child]);
    // A child is read only in the columns a roll-up takes from it, as stored.
    const child = (await objectiveRepo.get(db, scope, ids.child))!;
    expect(opened.children[0]!.objective).toStrictEqual({
      id: child.id,
      progressOverride: child.progressOverride,
      progress: child.progress,
      firstCheckInAt: child.firstCheckInAt,
      forecast: child.forecast,
    });
    // Its alignment too: its two ends and how it counts.
    const alignment = await alignmentRepo.get(db, scope, ids.alignment);
    expect(opened.children[0]!.alignment).toStrictEqual({
      id: alignment.id,
      childType: alignment.childType,
      childId: alignment.childId,
      parentType: alignment.parentType,
      parentId: alignment.parentId,
      weight: alignment.weight,
      contributes: alignment.contributes,
    });
    expect(opened.org.id).toBe(scope.orgId);
    expect(opened.periods.map((p) => p.id)).toEqual([ids.period]);
    if (server) {
      // One round trip or one statement after another: the same answer.
      const apart = await db.transaction((tx) =>
        openChainWrite(tx, scope, [ids.kr], { server: false, webhookEvents: true }),
      );
      expect(apart).toEqual(opened);
      // With no one connection to prepare on (the pool itself), the statements go as text.
      expect(await openChainWrite(db, scope, [ids.kr], { server: true, webhookEvents: true })).toEqual(opened);
    }
    if (!server) {
      // Prepared on the embedded database's one connection and run by name: the same answer,
      // and again once the statements are gone (the failed opening makes it look again).
      const byName = () =>
        db.transaction((tx) =>
          openChainWrite(tx, scope, [ids.kr], { server: false, webhookEvents: true, embedded: api.database }),
        );
      expect(await byName()).toEqual(opened);
      const prepared = async () =>
        (await runStatements(db, false, ["select name from pg_prepared_statements where left(name, 5) = 'okra_'"]))[0]!;
      // The opening's four, and a check-in's two more when one was made on this connection.
      expect((await prepared()).length).toBeGreaterThanOrEqual(4);
      expect(await byName()).toEqual(opened);
      await runStatements(db, false, ["deallocate all"]);
      await expect(byName()).rejects.toThrow();
      expect(await byName()).toEqual(opened);
      expect(await prepared()).toHaveLength(4);
    }
    // Ids that are no ids open nothing, and still read the organisation.
    const none = await db.transaction((tx) => openChainWrite(tx, scope, ["nope"], { server, webhookEvents: false }));
    expect(none.objectives).toEqual([]);
    expect(none.webhookEvents).toBeNull();
    expect(none.org.id).toBe(scope.orgId);
  });
});

describe.runIf(DATABASE_KINDS.includes("postgres"))("the opening's prepared statements on postgres", () => {
  let api: ApiHarness;
  let scope: OrgScope;
  let krId = "";

  beforeAll(async () => {
    api = await startApi("postgres");
    scope = grantOrgScope(await orgIdOf(api));
    const f = factories(api);
    const period = (await f.period()).id;
    const parent = (await f.objective(period, { title: "Parent" })).id;
    const child = (await f.objective(period, { title: "Child" })).id;
    await f.align("objective", child, "objective", parent);
    krId = (await f.keyResult(child, { title: "Speed", target: 10 })).id;
    await f.checkIn(krId, { value: 4 });
  }, 120_000);
  afterAll(() => api?.close());

  it("prepares them once per connection, runs them by name, and prepares them again once they are gone", async () => {
    // A connection of its own: one from the pool may already hold the statements (the set-up's
    // check-in prepared them, and its writes', on whichever connection it took).
    const pool = (api.database.db as unknown as { $client: pg.Pool }).$client;
    const client = new pg.Client(pool.options);
    await client.connect();
    try {
      const sent: string[] = [];
      const query = client.query.bind(client);
      (client as unknown as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
        sent.push(typeof config === "string" ? config : String((config as { text?: unknown }).text));
        return (query as (...a: unknown[]) => unknown)(config, ...rest);
      };
      const db = drizzle(client, { schema: s });
      const open = () =>
        db.transaction((tx) => openChainWrite(tx as never, scope, [krId], { server: true, webhookEvents: true }));
      const prepared = async () =>
        (await query("select name from pg_prepared_statements where left(name, 5) = 'okra_' order by name")).rows;
      const textual = await api.database.db.transaction((tx) =>
        openChainWrite(tx, scope, [krId], { server: false, webhookEvents: true }),
      );

      const first = await open();
      expect(first).toEqual(textual);
      expect(await prepared()).toHaveLength(4);
      expect(sent.filter((t) => t.startsWith("prepare "))).toHaveLength(1);

      sent.length = 0;
      expect(await open()).toEqual(textual);
      // begin, the opening in one message (by name, with generic plans), commit: nothing prepared again.
      expect(sent).toHaveLength(3);
      expect(sent[1]).toMatch(
        /^select pg_advisory_xact_lock_shared.*;\nset local plan_cache_mode = force_generic_plan;\n/,
      );
      expect(sent[1]!.match(/\nexecute okra_/g)).toHaveLength(4);

      // Gone from the connection (a pooler that moved the session would do the same): the next
      // opening fails, and the one after looks and prepares them again.
      await query("deallocate all");
      await expect(open()).rejects.toThrow();
      sent.length = 0;
      expect(await open()).toEqual(textual);
      expect(sent.some((t) => t.includes("pg_prepared_statements"))).toBe(true);
      expect(await prepared()).toHaveLength(4);
    } finally {
      await client.end();
    }
  });
});

function byId<T extends { id: string }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
