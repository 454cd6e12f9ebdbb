/**
 * PostgreSQL notifications (LISTEN / NOTIFY) between app instances on one server.
 *
 * A listener holds a connection of its own, opened for it alone: a pooled client would go back
 * to the pool, serve other queries and lose its LISTEN when the pool replaces it. When that
 * connection drops (a restart, a failover, `pg_terminate_backend`) or stops answering its
 * ping, the listener opens another after a growing delay and listens again; what was sent in
 * between is lost, which its owner hears (`onListening` with `reconnected`) so it can make up
 * for it. Sending goes through the pool, several payloads in one statement.
 */
import pg from "pg";

/** PostgreSQL refuses a payload of 8000 bytes or more. */
export const NOTIFY_PAYLOAD_MAX_BYTES = 7999;

/** What a listener tells its owner. */
export interface ListenHandlers {
  /** A notification arrived on the channel. */
  onMessage(payload: string): void;
  /**
   * The listener listens (again). `reconnected`: it had dropped or failed to connect before,
   * for `downMs`, and `attempts` tries; notifications sent meanwhile were lost.
   */
  onListening(info: { reconnected: boolean; downMs: number; attempts: number }): void;
  /** The connection dropped or could not be opened; another try follows in `retryInMs`. */
  onDown(err: Error, retryInMs: number): void;
}

export interface ListenOptions {
  /** First delay before reconnecting (default 200 ms); it doubles per failed try… */
  minDelayMs?: number;
  /** …up to this (default 15 s). */
  maxDelayMs?: number;
  /** How often the idle connection is asked `select 1`, to notice one that silently died (default 30 s). */
  pingMs?: number;
}

/** A running listener. */
export interface Listening {
  /** Settles after the first try to listen, whether it worked or not (failures keep retrying). */
  ready: Promise<void>;
  /** Stops listening and closes the connection. */
  close(): Promise<void>;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Listens for notifications on `channel` over a dedicated connection made from `connection`,
 * reconnecting with backoff until closed. Throws when the channel is not a plain lower-case
 * identifier (it is written into the LISTEN statement).
 */
export function listenOn(
  connection: pg.ClientConfig,
  channel: string,
  handlers: ListenHandlers,
  options: ListenOptions = {},
): Listening {
  if (!CHANNEL_NAME.test(channel)) throw new Error(`Not a channel name: ${JSON.stringify(channel)}`);
  const minDelay = options.minDelayMs ?? 200;
  const maxDelay = options.maxDelayMs ?? 15_000;
  const pingMs = options.pingMs ?? 30_000;
  let closed = false;
  let client: pg.Client | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let ping: ReturnType<typeof setInterval> | null = null;
  let everListened = false;
  let attempts = 0;
  let downSince: number | null = null;
  let settleReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    settleReady = resolve;
  });

  const stopPing = () => {
    if (ping) clearInterval(ping);
    ping = null;
  };

  const lost = (c: pg.Client, err: Error) => {
    if (client === c) client = null;
    stopPing();
    c.removeAllListeners("notification");
    c.end().catch(() => {});
    settleReady();
    if (closed) return;
    downSince ??= Date.now();
    // Jitter keeps instances that lost the server together from all coming back at one instant.
    const delay = Math.min(maxDelay, minDelay * 2 ** attempts) * (0.75 + Math.random() * 0.5);
    attempts++;
    handlers.onDown(err, Math.round(delay));
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, delay);
    retry.unref();
  };

  const connect = async () => {
    if (closed) return;
    // TCP keepalive after 10 s idle, so the system too notices a peer that vanished.
    const c = new pg.Client({
      ...connection,
      application_name: "okra-live-listener",
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client = c;
    let failed = false;
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      lost(c, err);
    };
    c.on("error", fail);
    c.on("end", () => fail(new Error("the server closed the connection")));
    c.on("notification", (n) => {
      if (n.channel === channel && n.payload !== undefined) handlers.onMessage(n.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    if (failed) return;
    if (closed) {
      await c.end().catch(() => {});
      return;
    }
    const info = {
      reconnected: everListened || attempts > 0,
      downMs: downSince ? Date.now() - downSince : 0,
      attempts,
    };
    everListened = true;
    attempts = 0;
    downSince = null;
    ping = setInterval(() => {
      let answered = false;
      const late = setTimeout(() => {
        if (!answered) fail(new Error(`no answer to a ping within ${pingMs / 2} ms`));
      }, pingMs / 2);
      late.unref();
      c.query("select 1").then(
        () => {
          answered = true;
          clearTimeout(late);
        },
        (err: Error) => {
          clearTimeout(late);
          fail(err);
        },
      );
    }, pingMs);
    ping.unref();
    settleReady();
    handlers.onListening(info);
  };

  void connect();
  return {
    ready,
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      stopPing();
      const c = client;
      client = null;
      settleReady();
      if (c) {
        c.removeAllListeners("notification");
        await c.end().catch(() => {});
      }
    },
  };
}

/**
 * Sends each payload as a notification on `channel`, in order, in one statement (its own
 * transaction: call it after the write committed). Throws when the database refuses, or when a
 * payload is NOTIFY_PAYLOAD_MAX_BYTES or longer.
 */
export async function notifyAll(pool: pg.Pool, channel: string, payloads: readonly string[]): Promise<void> {
  if (payloads.length === 0) return;
  const long = payloads.find((p) => Buffer.byteLength(p) > NOTIFY_PAYLOAD_MAX_BYTES);
  if (long !== undefined) {
    throw new Error(
      `A notification payload of ${Buffer.byteLength(long)} bytes is over PostgreSQL's limit of ${NOTIFY_PAYLOAD_MAX_BYTES}`,
    );
  }
  await pool.query("select pg_notify($1, p) from unnest($2::text[]) as p", [channel, payloads]);
}
