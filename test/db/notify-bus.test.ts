/**
 * The PostgreSQL adapter's notifications (`notify-bus.ts`): payloads sent in one statement
 * arrive in order at every listener, one too long is refused before anything is sent, a
 * listening connection the server ends is opened again, and closing the database closes its
 * listeners. PostgreSQL only: the embedded database has neither `listen` nor `notify`.
 */
import net from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/database.js";
import { type ListenHandlers, listenOn } from "../../src/db/notify-bus.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

const onPostgres = DATABASE_KINDS.includes("postgres");

interface Ear {
  heard: string[];
  ups: { reconnected: boolean; attempts: number }[];
  downs: string[];
  handlers: ListenHandlers;
}

function ear(): Ear {
  const e: Ear = {
    heard: [],
    ups: [],
    downs: [],
    handlers: {
      onMessage: (p) => e.heard.push(p),
      onListening: ({ reconnected, attempts }) => e.ups.push({ reconnected, attempts }),
      onDown: (err) => e.downs.push(err.message),
    },
  };
  return e;
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!onPostgres)("PostgreSQL notifications between processes", () => {
  let database: Database;
  const listenerCount = async (db: Database) => {
    const r = (await db.db.execute(
      sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'okra-live-listener'`,
    )) as unknown as { rows: { n: number }[] };
    return r.rows[0]!.n;
  };

  beforeAll(async () => {
    database = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await database?.close();
  });

  it("delivers a batch in order to every listener, and refuses a payload PostgreSQL would", async () => {
    const one = ear();
    const two = ear();
    const l1 = database.listen!("okra_test", one.handlers);
    const l2 = database.listen!("okra_test", two.handlers);
    await Promise.all([l1.ready, l2.ready]);
    expect(one.ups).toEqual([{ reconnected: false, attempts: 0 }]);
    await database.notify!("okra_test", ["a", "b", "c"]);
    await database.notify!("okra_other", ["elsewhere"]);
    await until("both listeners to hear three", () => one.heard.length === 3 && two.heard.length === 3);
    expect(one.heard).toEqual(["a", "b", "c"]);
    expect(two.heard).toEqual(["a", "b", "c"]);

    await expect(database.notify!("okra_test", ["d", "x".repeat(8000)])).rejects.toThrow(
      /over PostgreSQL's limit of 7999/,
    );
    await database.notify!("okra_test", ["e"]);
    await until("the next payload", () => one.heard.length === 4);
    expect(one.heard.at(-1)).toBe("e");
    await l1.close();
    await l2.close();
    expect(() => database.listen!("drop table x; --", one.handlers)).toThrow(/Not a channel name/);
  });

  it("opens the connection again after the server ends it", async () => {
    const e = ear();
    const l = database.listen!("okra_test", e.handlers, { minDelayMs: 20 });
    await l.ready;
    await database.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and application_name = 'okra-live-listener'`,
    );
    await until("the listener to be back", () => e.ups.length === 2);
    expect(e.downs.length).toBeGreaterThanOrEqual(1);
    expect(e.ups[1]).toMatchObject({ reconnected: true });
    await database.notify!("okra_test", ["after"]);
    await until("a payload after the reconnect", () => e.heard.includes("after"));
    await l.close();
  });

  it("notices a connection that silently stopped answering, by its ping, and opens another", async () => {
    // A TCP proxy to the server that can go silent, as a dead network path does: no error, no end.
    const server = new URL(process.env.OKRA_TEST_DATABASE_URL!);
    let silent = false;
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((inbound) => {
      const outbound = net.connect(Number(server.port), server.hostname);
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on("error", () => {});
        s.on("close", () => sockets.delete(s));
      }
      inbound.on("data", (d) => silent || outbound.write(d));
      outbound.on("data", (d) => silent || inbound.write(d));
      inbound.on("end", () => outbound.end());
      outbound.on("end", () => inbound.end());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const url = new URL(
      (database.db as unknown as { $client: { options: { connectionString: string } } }).$client.options
        .connectionString,
    );
    url.host = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    const e = ear();
    const l = listenOn({ connectionString: url.toString() }, "okra_test", e.handlers, { minDelayMs: 20, pingMs: 200 });
    try {
      await l.ready;
      silent = true;
      await until("the silent connection to be given up", () => e.downs.length >= 1);
      expect(e.downs[0]).toMatch(/no answer to a ping within 100 ms/);
      silent = false;
      await until("the listener to be back", () => e.ups.length === 2);
      await database.notify!("okra_test", ["through"]);
      await until("a payload over the new connection", () => e.heard.includes("through"));
    } finally {
      await l.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => proxy.close(r));
    }
  });

  it("closes its listeners with the database", async () => {
    const other = await openTestDatabase("postgres");
    const e = ear();
    await other.listen!("okra_test", e.handlers).ready;
    expect(await listenerCount(other)).toBe(1);
    // Closing drops the test database (with force): a listener left open would be cut off and
    // report it, and then try to reconnect to a database that is gone.
    await other.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(e.downs).toEqual([]);
  });
});

if (!onPostgres) {
  describe("PostgreSQL notifications between processes", () => {
    it.skip("needs PostgreSQL (set OKRA_TEST_DATABASE_URL, or run npm run test:pg)", () => {});
  });
}
