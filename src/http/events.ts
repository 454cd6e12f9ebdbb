/**
 * Live updates: committed changes fan out to connected browsers as server-sent events
 * (`GET /api/v1/events`), per organisation. In-process: with several app instances, each
 * instance tells its own clients about the writes it made.
 *
 * A stream is only as good as the credentials that opened it: they are checked again whenever a
 * person or a token changes (at once) and every `recheckMs` (a session that was signed out or
 * idled out), and the stream ends as soon as they no longer work. A change reaches
 * a subscriber only when they may see what it concerns (`audienceOf`).
 */
import type { FastifyReply } from "fastify";
import type { Actor, DomainEvent } from "../services/context.js";
import type { Audience } from "../services/live.service.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The live-update hub (tests wait on `settled()`). */
    liveEvents: EventHub;
  }
}

/** Changes after which a subscriber's access may differ: check their credentials again first. */
const ACCESS_CHANGES = new Set(["user", "token", "organization"]);

interface Subscriber {
  actor: Actor;
  /** Checks the credentials again: keeps the fresh actor, or ends the stream. */
  refresh(): Promise<void>;
  send(e: DomainEvent): void;
  readonly ended: boolean;
}

export interface EventHubOptions {
  audienceOf: (e: DomainEvent) => Promise<Audience>;
  /** Where a failure to deliver goes (the write has committed; only the stream is affected). */
  onError: (err: unknown) => void;
  /** How often each stream's credentials are checked again (default 30 s). */
  recheckMs?: number;
}

export class EventHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  /** Per organisation, deliveries run one after another, in commit order. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly opts: EventHubOptions) {}

  publish(event: DomainEvent): void {
    if (!this.subscribers.get(event.orgId)?.size) return;
    const previous = this.queues.get(event.orgId) ?? Promise.resolve();
    const next = previous.then(() => this.deliver(event)).catch(this.opts.onError);
    this.queues.set(event.orgId, next);
    void next.then(() => {
      if (this.queues.get(event.orgId) === next) this.queues.delete(event.orgId);
    });
  }

  /** Resolves once every change published so far has been delivered (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.queues.values());
  }

  private async deliver(e: DomainEvent): Promise<void> {
    const subs = [...(this.subscribers.get(e.orgId) ?? [])];
    if (subs.length === 0) return;
    if (ACCESS_CHANGES.has(e.objectType)) await Promise.all(subs.map((s) => s.refresh()));
    const audience = await this.opts.audienceOf(e);
    for (const s of subs) if (!s.ended && audience(s.actor)) s.send(e);
  }

  /**
   * Streams the caller's organisation's changes to `reply` until the client goes away or
   * `recheck` (the request's credentials, checked again) stops answering with an actor.
   */
  stream(actor: Actor, reply: FastifyReply, recheck: () => Promise<Actor | null>): void {
    const orgId = actor.orgId;
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write(": connected\n\n");
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(heartbeat);
      clearInterval(rechecking);
      this.subscribers.get(orgId)?.delete(sub);
      if (this.subscribers.get(orgId)?.size === 0) this.subscribers.delete(orgId);
      res.end();
    };
    const sub: Subscriber = {
      actor,
      get ended() {
        return ended;
      },
      async refresh() {
        const fresh = await recheck().catch(() => null);
        if (!fresh || fresh.orgId !== orgId || fresh.userId !== actor.userId) end();
        else sub.actor = fresh;
      },
      // Only what changed, not which object or who: browsers refetch what they show, with their own access.
      send(e) {
        res.write(`event: change\ndata: ${JSON.stringify({ type: e.type, objectType: e.objectType })}\n\n`);
      },
    };
    // A comment every 25 s keeps proxies from closing an idle stream.
    const heartbeat = setInterval(() => res.write(": ping\n\n"), 25_000);
    const rechecking = setInterval(() => void sub.refresh(), this.opts.recheckMs ?? 30_000);
    heartbeat.unref();
    rechecking.unref();
    const set = this.subscribers.get(orgId) ?? new Set<Subscriber>();
    set.add(sub);
    this.subscribers.set(orgId, set);
    res.on("close", end);
    res.on("error", end);
  }
}
