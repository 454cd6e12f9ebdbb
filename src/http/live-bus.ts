/**
 * Live updates across app instances on one PostgreSQL server. After a write commits, its
 * events go to this instance's hub at once (as on the embedded database) and, tagged with this
 * instance's id, to `NOTIFY okra_live`; every instance LISTENs on that channel and hands the
 * events of the others to its own hub, where they meet the same audience rules and credential
 * rechecks as local ones. An instance skips its own events when they come back, rather than
 * delivering local ones only through the channel: its own browsers then hear of its writes
 * even while its listening connection is down, without a round trip through the server, and
 * a failed NOTIFY costs only the other instances' refresh.
 *
 * While the listening connection is down (it reconnects with backoff, `notify-bus.ts`), the
 * other instances' changes are lost; once it listens again, every organisation with a stream
 * open here gets one `live.resumed` change, on which browsers refetch what they show.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Database } from "../db/database.js";
import type { DomainEvent } from "../services/context.js";
import type { EventHub } from "./events.js";

export const LIVE_CHANNEL = "okra_live";
/**
 * The least time between two notifications of one instance, in ms: a change reaches the other
 * instances at most this much later, and under load they get one notification per this much
 * time, not one per write.
 */
export const LIVE_BATCH_MS = 10;

const Id = z.string().min(1).max(500);
/**
 * What travels of an event: every field of DomainEvent (`satisfies` makes a field added there
 * fail to compile here until it travels too). The receiver reads the rest from the database.
 */
const EVENT_FIELDS = {
  type: Id,
  objectType: Id,
  objectId: z.string().max(500),
  orgId: Id,
  actorId: Id.nullable(),
  ends: z
    .array(z.strictObject({ type: Id, id: Id }))
    .max(2)
    .optional(),
} satisfies Record<keyof DomainEvent, z.ZodType>;
const WireSchema = z.strictObject({ from: Id, event: z.strictObject(EVENT_FIELDS) });
const FIELD_NAMES = Object.keys(EVENT_FIELDS) as (keyof DomainEvent)[];

/** Where the bus reports (the app's logger). */
export interface LiveBusLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface LiveBus {
  /** This process's tag on what it sends. */
  instanceId: string;
  /** Sends a committed change to the other instances (batched per tick, in commit order). */
  publish(event: DomainEvent): void;
  /** Resolves once everything published so far has been sent. */
  idle(): Promise<void>;
  /** Stops listening and waits for what is being sent. */
  close(): Promise<void>;
}

declare module "fastify" {
  interface FastifyInstance {
    /** The bus to the other app instances; null on the embedded database (tests wait on `idle()`). */
    liveBus: LiveBus | null;
  }
}

/**
 * Connects the hub to the other instances when the database can (a PostgreSQL server), or
 * returns null (the embedded database serves one process). Resolves after the first try to
 * listen: a failure is logged and retried in the background, and the app starts anyway.
 */
export async function connectLiveBus(database: Database, hub: EventHub, log: LiveBusLog): Promise<LiveBus | null> {
  const { listen, notify } = database;
  if (!listen || !notify) return null;
  const instanceId = randomUUID();

  const received = (payload: string) => {
    let wire: z.infer<typeof WireSchema>;
    try {
      const parsed: unknown = JSON.parse(payload);
      // This instance's own events, heard back: published here already, and not checked again.
      if ((parsed as { from?: unknown } | null)?.from === instanceId) return;
      wire = WireSchema.parse(parsed);
    } catch {
      log.warn(
        { channel: LIVE_CHANNEL, bytes: payload.length },
        "ignored a live-update notification that is not Okra's",
      );
      return;
    }
    const { ends, ...rest } = wire.event;
    hub.publish(ends ? { ...rest, ends } : rest);
  };

  const listening = listen.call(database, LIVE_CHANNEL, {
    onMessage: received,
    onListening: ({ reconnected, downMs, attempts }) => {
      if (!reconnected) return;
      log.info(
        { channel: LIVE_CHANNEL, downMs, attempts },
        "live updates from other app instances: listening again; open streams are told to refetch",
      );
      for (const orgId of hub.listening()) {
        hub.publish({ type: "live.resumed", objectType: "live", objectId: "", orgId, actorId: null });
      }
    },
    onDown: (err, retryInMs) =>
      log.warn(
        { channel: LIVE_CHANNEL, err: err.message, retryInMs },
        "live updates from other app instances: lost the listening connection to PostgreSQL, reconnecting",
      ),
  });
  await listening.ready;

  // One statement at a time, so the other instances hear this one's commits in order; what is
  // published while one is on its way goes out together in the next, and under load no sooner
  // than LIVE_BATCH_MS after the one before (one statement carries the events of many writes:
  // each statement costs the server a notification to every listening connection).
  let queue: string[] = [];
  let sending: Promise<void> | null = null;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  const drain = async () => {
    // Gathers what the same turn of the event loop publishes.
    await Promise.resolve();
    while (queue.length) {
      // A timer counts whole milliseconds and may fire a little early: look at the clock again.
      for (let wait = lastSentAt + LIVE_BATCH_MS - performance.now(); wait > 0; ) {
        await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
        wait = lastSentAt + LIVE_BATCH_MS - performance.now();
      }
      const batch = queue;
      queue = [];
      lastSentAt = performance.now();
      try {
        await notify.call(database, LIVE_CHANNEL, batch);
      } catch (err) {
        log.error({ err, events: batch.length }, "could not send live updates to the other app instances");
      }
    }
    sending = null;
  };

  return {
    instanceId,
    publish(event) {
      const fields = Object.fromEntries(FIELD_NAMES.map((k) => [k, event[k]]));
      queue.push(JSON.stringify({ from: instanceId, event: fields }));
      sending ??= drain();
    },
    async idle() {
      while (sending) await sending;
    },
    async close() {
      await listening.close();
      await sending;
    },
  };
}
