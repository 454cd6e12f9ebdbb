/**
 * A chain write's transaction on a PostgreSQL server (`inDeferredTransaction`): its `begin` goes
 * out with its first message, what it writes commits or rolls back whole, a failure in that
 * first message leaves no transaction open on the connection, and a connection that breaks
 * inside it is not handed out again. Its statements prepared by name (`runNamed`) stay
 * prepared on the connection. PostgreSQL only: the embedded database has no pool.
 */
import { sql } from "drizzle-orm";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { inDeferredTransaction } from "../../src/db/repositories.js";
import { runNamed, runStatements } from "../../src/db/sql-text.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

describe.runIf(DATABASE_KINDS.includes("postgres"))("a transaction begun by its first message", () => {
  let database: Database;
  let pool: pg.Pool;
  const count = async () => {
    const [rows] = await runStatements(database.db, false, ["select count(*)::int as n from deferred_probe"]);
    return Number(rows![0]!.n);
  };

  /** Every connection of the pool is out of any transaction: a transaction's `now()` is its start, not the statement's. */
  const expectNoConnectionInATransaction = async () => {
    const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    try {
      for (const c of clients) {
        const { rows } = await c.query("select now() = statement_timestamp() as outside");
        expect(rows[0].outside).toBe(true);
      }
    } finally {
      for (const c of clients) c.release();
    }
  };

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
    pool = (database.db as unknown as { $client: pg.Pool }).$client;
    await runStatements(database.db, false, ["create table deferred_probe (n int primary key)"]);
  });
  afterAll(async () => {
    await database?.close();
  });

  it("commits what it wrote, its begin sent with its first message", async () => {
    const before = await count();
    const inside = await inDeferredTransaction(database.db, async (tx) => {
      const [, , rows] = await runStatements(tx, true, [
        "begin",
        "insert into deferred_probe values (1)",
        "select txid_current_if_assigned() is not null as in_transaction",
      ]);
      await runNamed(tx, sql`insert into deferred_probe values (${2})`);
      return rows![0]!.in_transaction;
    });
    expect(inside).toBe(true);
    expect(await count()).toBe(before + 2);
  });

  it("rolls back whole when it fails after its first message", async () => {
    const before = await count();
    await expect(
      inDeferredTransaction(database.db, async (tx) => {
        await runStatements(tx, true, ["begin", "insert into deferred_probe values (10)"]);
        await runNamed(tx, sql`insert into deferred_probe values (${11})`);
        throw new Error("the use case refused");
      }),
    ).rejects.toThrow("the use case refused");
    expect(await count()).toBe(before);
  });

  it("leaves no transaction open when its first message fails, and the connection serves again", async () => {
    const before = await count();
    // drizzle names the query it failed and keeps the server's error as the cause.
    await expect(
      inDeferredTransaction(database.db, async (tx) => {
        await runStatements(tx, true, ["begin", "insert into deferred_probe values (20)", "select 1 / 0"]);
      }),
    ).rejects.toMatchObject({ cause: { code: "22012" } });
    // Failing before anything was sent: the rollback finds no transaction, and only warns.
    await expect(
      inDeferredTransaction(database.db, async () => {
        throw new Error("refused before any statement");
      }),
    ).rejects.toThrow("refused before any statement");
    expect(await count()).toBe(before);
    await expectNoConnectionInATransaction();
  });

  it("does not hand out again a connection that broke inside it", async () => {
    let pid = 0;
    await expect(
      inDeferredTransaction(database.db, async (tx) => {
        const [, rows] = await runStatements(tx, true, ["begin", "select pg_backend_pid() as pid"]);
        pid = Number(rows![0]!.pid);
        // Another connection ends this one, as a failover or an administrator would.
        await runStatements(database.db, false, [`select pg_terminate_backend(${pid})`]);
        await runStatements(tx, true, ["select 1"]);
      }),
    ).rejects.toThrow();
    // The pool opens a fresh connection rather than reusing the dead one.
    const pids = new Set<number>();
    const clients = await Promise.all(Array.from({ length: 4 }, () => pool.connect()));
    try {
      for (const c of clients) pids.add(Number((await c.query("select pg_backend_pid() as pid")).rows[0].pid));
    } finally {
      for (const c of clients) c.release();
    }
    expect(pids.has(pid)).toBe(false);
    expect(await count()).toBeGreaterThanOrEqual(0);
  });

  it("prepares a named statement once per connection", async () => {
    const statement = (n: number) => sql`insert into deferred_probe values (${n})`;
    const client = await pool.connect();
    try {
      const names = async () =>
        (await client.query("select name from pg_prepared_statements where name like 'okra-%'")).rows.length;
      const before = await names();
      const rows = await count();
      const tx = (await import("drizzle-orm/node-postgres")).drizzle(client);
      for (let i = 0; i < 3; i++) await runNamed(tx as never, statement(100 + i));
      expect(await names()).toBe(before + 1);
      expect(await count()).toBe(rows + 3);
    } finally {
      client.release();
    }
  });

  /** Runs `fn` with the connection the next transaction takes spied on: each statement and how many were unanswered when it went. */
  async function watchingTheConnection<T>(fn: () => Promise<T>) {
    const sent: { text: string; unanswered: number }[] = [];
    let unanswered = 0;
    const spy = (client: pg.PoolClient) => {
      const query = client.query;
      client.query = ((...args: Parameters<typeof query>) => {
        const text = typeof args[0] === "string" ? args[0] : String((args[0] as { text?: string }).text);
        sent.push({ text, unanswered: unanswered++ });
        return (query.apply(client, args) as unknown as Promise<unknown>).finally(() => unanswered--);
      }) as typeof query;
      return () => {
        client.query = query;
      };
    };
    let restore = () => {};
    pool.once("acquire", (client) => {
      restore = spy(client);
    });
    try {
      return { result: await fn().catch((err: unknown) => err), sent };
    } finally {
      restore();
    }
  }

  it("sends its last writes with its commit, one round trip, and a read after them sees them", async () => {
    const before = await count();
    const { result, sent } = await watchingTheConnection(() =>
      inDeferredTransaction(database.db, async (tx) => {
        await runStatements(tx, true, ["begin", "insert into deferred_probe values (30)"]);
        await runNamed(tx, sql`insert into deferred_probe values (${31})`);
        // Held: a read goes out with it, and sees it.
        const [rows] = await runStatements(tx, true, [
          "select count(*)::int as n from deferred_probe where n >= 30 and n < 40",
        ]);
        await runNamed(tx, sql`insert into deferred_probe values (${32})`);
        await runNamed(tx, sql`insert into deferred_probe values (${33})`);
        return Number(rows![0]!.n);
      }),
    );
    expect(result).toBe(2);
    expect(await count()).toBe(before + 4);
    // The two last inserts and the commit went out together: each sent before the one before was answered.
    const last = sent.slice(-3);
    expect(last.map((st) => st.text)).toEqual([
      expect.stringMatching(/^insert/),
      expect.stringMatching(/^insert/),
      "commit",
    ]);
    expect(last.map((st) => st.unanswered)).toEqual([0, 1, 2]);
  });

  it("rolls back whole when a write sent with its commit fails, with that write's error, and the connection serves again", async () => {
    const before = await count();
    const { result } = await watchingTheConnection(() =>
      inDeferredTransaction(database.db, async (tx) => {
        await runStatements(tx, true, ["begin", "insert into deferred_probe values (40)"]);
        await runNamed(tx, sql`insert into deferred_probe values (${41})`);
        // The same key again: fails on the server, only once sent with the commit.
        await runNamed(tx, sql`insert into deferred_probe values (${41})`);
        await runNamed(tx, sql`insert into deferred_probe values (${42})`);
      }),
    );
    expect(result).toMatchObject({ code: "ALREADY_EXISTS" });
    expect(await count()).toBe(before);
    await expectNoConnectionInATransaction();
  });

  it("never sends the writes it held when it fails before its commit", async () => {
    const before = await count();
    const { result, sent } = await watchingTheConnection(() =>
      inDeferredTransaction(database.db, async (tx) => {
        await runStatements(tx, true, ["begin", "insert into deferred_probe values (50)"]);
        await runNamed(tx, sql`insert into deferred_probe values (${51})`);
        throw new Error("the use case refused");
      }),
    );
    expect(result).toMatchObject({ message: "the use case refused" });
    expect(sent.map((st) => st.text)).toEqual([expect.stringMatching(/^begin/), "rollback"]);
    expect(await count()).toBe(before);
  });
});
