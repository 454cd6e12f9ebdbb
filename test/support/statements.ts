/**
 * Records the statements the app sends to the database while a function runs, with the rows
 * each returned: the cost of a request, counted rather than timed.
 */
import type { ApiHarness } from "./api.js";

type Query = (...args: unknown[]) => Promise<unknown>;
const textOf = (q: unknown) => (typeof q === "string" ? q : String((q as { text?: string })?.text ?? ""));

/** One statement sent and how many rows came back. */
export interface Statement {
  sql: string;
  rows: number;
  /**
   * The round trip it went in, counted over the whole log: a statement sent while another of its
   * connection is still unanswered (pipelined) goes in that one's trip.
   */
  trip: number;
}

/**
 * The statements the app sends while `fn` runs, transactions included: on PGlite through its
 * `transaction` handle, on a PostgreSQL server through the pooled client a transaction takes.
 */
export async function recordStatements(api: ApiHarness, fn: () => Promise<unknown>): Promise<Statement[]> {
  // The live notifications of earlier requests are not this one's (they go out up to LIVE_BATCH_MS later).
  await api.app.liveBus?.idle();
  const log: Statement[] = [];
  let trips = 0;
  // Per connection: its statements sent and not yet answered, and the trip they went in.
  const inFlight = new Map<unknown, { pending: number; trip: number }>();
  const spy =
    (query: Query, self: unknown): Query =>
    async (...args) => {
      const flight = inFlight.get(self) ?? { pending: 0, trip: 0 };
      if (flight.pending === 0) flight.trip = ++trips;
      flight.pending++;
      inFlight.set(self, flight);
      const entry = { sql: textOf(args[0]), rows: 0, trip: flight.trip };
      log.push(entry);
      try {
        const result = (await query.apply(self, args)) as { rows?: unknown[] } | undefined;
        entry.rows = Array.isArray(result?.rows) ? result.rows.length : 0;
        return result;
      } finally {
        flight.pending--;
      }
    };
  // biome-ignore lint/suspicious/noExplicitAny: the two drivers' clients differ; only query, transaction and connect are touched
  const client = (api.database.db as any).$client;
  const saved = { query: client.query, transaction: client.transaction, connect: client.connect };
  client.query = spy(saved.query, client);
  if (typeof saved.transaction === "function") {
    client.transaction = (body: (tx: unknown) => Promise<unknown>) =>
      saved.transaction.call(client, (tx: { query: Query }) =>
        body(new Proxy(tx, { get: (t, k) => (k === "query" ? spy(t.query, t) : Reflect.get(t, k)) })),
      );
  }
  if (typeof saved.connect === "function") {
    client.connect = (...args: unknown[]) => {
      // pg's own pool.query checks out a client with a callback: that one is left as it is.
      if (typeof args[0] === "function") return saved.connect.apply(client, args);
      return saved.connect.apply(client, args).then((pooled: { query: Query; __spied?: boolean }) => {
        if (!pooled.__spied) {
          const original = pooled.query;
          pooled.query = (...a: unknown[]) => (recording ? spy(original, pooled)(...a) : original.apply(pooled, a));
          pooled.__spied = true;
        }
        return pooled;
      });
    };
  }
  let recording = true;
  try {
    await fn();
    // This request's own live notification counts, however late it goes.
    await api.app.liveBus?.idle();
  } finally {
    recording = false;
    Object.assign(client, saved);
  }
  return log;
}
