/**
 * The live bus between app instances (`http/live-bus.ts`) on one PostgreSQL server: every event
 * one instance publishes reaches the other in the order published, its own never come back to
 * it, and events published while a notification is on its way go out together in the next one
 * (under load one statement carries many writes' events, not one each), and no sooner than
 * LIVE_BATCH_MS after the one before. PostgreSQL only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../src/db/database.js";
import type { EventHub } from "../../src/http/events.js";
import { connectLiveBus, LIVE_BATCH_MS, type LiveBus } from "../../src/http/live-bus.js";
import type { DomainEvent } from "../../src/services/context.js";
import { DATABASE_KINDS, openTestDatabase } from "../support/databases.js";

const onPostgres = DATABASE_KINDS.includes("postgres");

/** A hub that only remembers what it was handed. */
function recordingHub(): { hub: EventHub; heard: DomainEvent[] } {
  const heard: DomainEvent[] = [];
  const hub = { publish: (e: DomainEvent) => heard.push(e), listening: () => [] } as unknown as EventHub;
  return { hub, heard };
}

const quietLog = { info() {}, warn() {}, error() {} };

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!onPostgres)("the live bus between app instances", () => {
  let a: Database;
  let b: Database;
  let busA: LiveBus;
  let busB: LiveBus;
  const hubA = recordingHub();
  const hubB = recordingHub();
  /** The statements A sent to the channel, with how many events each carried. */
  const sent: number[] = [];

  beforeAll(async () => {
    a = await openTestDatabase("postgres");
    // A second instance: its own pool and listening connection on the same database.
    b = await openDatabase({ databaseUrl: a.location, poolSize: 2 });
    const notify = a.notify!;
    a.notify = async (channel, payloads) => {
      sent.push(payloads.length);
      // A slow server: what is published meanwhile has to wait for this one.
      await new Promise((r) => setTimeout(r, 30));
      await notify.call(a, channel, payloads);
    };
    busA = (await connectLiveBus(a, hubA.hub, quietLog))!;
    busB = (await connectLiveBus(b, hubB.hub, quietLog))!;
  });
  afterAll(async () => {
    await busA?.close();
    await busB?.close();
    await b?.close();
    await a?.close();
  });

  const event = (n: number): DomainEvent => ({
    orgId: "org-1",
    type: "checkIn.created",
    objectType: "checkIn",
    objectId: `check-in-${n}`,
    actorId: n % 2 ? "person-1" : null,
  });

  it("delivers every event in order, never back to its sender, many to one statement under load", async () => {
    let n = 0;
    // Ten bursts of 20, one every 5 ms: most arrive while a notification is on its way.
    for (let burst = 0; burst < 10; burst++) {
      for (let i = 0; i < 20; i++) busA.publish(event(n++));
      await new Promise((r) => setTimeout(r, 5));
    }
    await until("B to hear all 200 events", () => hubB.heard.length >= 200);
    expect(hubB.heard.map((e) => e.objectId)).toEqual(Array.from({ length: 200 }, (_, k) => `check-in-${k}`));
    expect(hubB.heard[1]).toEqual(event(1));
    expect(sent.reduce((x, y) => x + y, 0)).toBe(200);
    // The first burst goes alone; the others wait behind a notification on its way, and join up.
    expect(sent.length).toBeLessThan(10);
    // A hears nothing back of its own.
    await new Promise((r) => setTimeout(r, 200));
    expect(hubA.heard).toEqual([]);
  });

  it("sends one notification per LIVE_BATCH_MS at most while events keep coming, on a quick server too", async () => {
    // A third instance, its notifications counted and not slowed.
    const c = await openDatabase({ databaseUrl: a.location, poolSize: 2 });
    const counted: number[] = [];
    const sentAt: number[] = [];
    const notify = c.notify!;
    c.notify = async (channel, payloads) => {
      counted.push(payloads.length);
      sentAt.push(performance.now());
      await notify.call(c, channel, payloads);
    };
    const busC = (await connectLiveBus(c, recordingHub().hub, quietLog))!;
    try {
      const heardBefore = hubB.heard.length;
      const started = performance.now();
      // One event about every millisecond, as writes under load commit; a notification on a quiet
      // local server is answered well within that, so without the wait each would go alone.
      for (let i = 0; i < 60; i++) {
        busC.publish(event(1000 + i));
        await new Promise((r) => setTimeout(r, 1));
      }
      const elapsed = performance.now() - started;
      await until("B to hear C's 60 events", () => hubB.heard.length >= heardBefore + 60);
      expect(hubB.heard.slice(heardBefore).map((e) => e.objectId)).toEqual(
        Array.from({ length: 60 }, (_, k) => `check-in-${1000 + k}`),
      );
      expect(counted.reduce((x, y) => x + y, 0)).toBe(60);
      // One at once, then one per LIVE_BATCH_MS at most, the last up to LIVE_BATCH_MS after publishing ended.
      expect(counted.length).toBeLessThanOrEqual(Math.floor(elapsed / LIVE_BATCH_MS) + 2);
      // Each at least LIVE_BATCH_MS after the one before (a timer alone fires up to a millisecond early).
      const gaps = sentAt.slice(1).map((t, k) => t - sentAt[k]!);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(LIVE_BATCH_MS - 0.1);
    } finally {
      await busC.close();
      await c.close();
    }
  });
});
