/**
 * Live updates: committed changes fan out to connected browsers as server-sent events
 * (`GET /api/v1/events`), per organisation. The hub is in-process; on a PostgreSQL server,
 * `live-bus.ts` brings it the writes of the other app instances too.
 *
 * Streams are grouped by the credential that opened them (an API token or a browser session):
 * at most `perCredential` streams per credential and `perOrganization` per organisation; one
 * more is refused with 429 RATE_LIMITED. A stream is only as good as its credential: a
 * credential is checked again — once for all its streams — when a change concerns it
 * (`concerned`: its person, its token, the person who issued its token), and by a periodic
 * sweep that rechecks every credential once per `recheckMs`, a slice at a time with a few
 * lookups in flight, so a crowd of streams never turns into a burst of queries. A stream ends
 * as soon as its credential no longer works. A change reaches a subscriber only when they may
 * see what it concerns (`audienceOf`).
 */
import type { FastifyReply } from "fastify";
import { AppError } from "../domain/errors.js";
import type { Actor, DomainEvent } from "../services/context.js";
import type { Audience, CredentialsConcerned } from "../services/live.service.js";

declare module "fastify" {
  interface FastifyInstance {
    /** The live-update hub (tests wait on `settled()` and read `stats()`). */
    liveEvents: EventHub;
    /** The app's services (the background jobs run with them). */
    services: import("../services/context.js").Services;
  }
}

/** How many live-update streams may be open at once. */
export interface LiveStreamLimits {
  /** Per API token or browser session (a browser holds about six connections per server anyway). */
  perCredential: number;
  /** Per organisation, all credentials together. */
  perOrganization: number;
}

export const DEFAULT_LIVE_STREAM_LIMITS: LiveStreamLimits = { perCredential: 5, perOrganization: 500 };

/** The periodic sweep wakes this many times per recheck interval… */
const SWEEP_SLICES = 10;
/** …and keeps at most this many credential lookups in flight. */
const SWEEP_CONCURRENCY = 4;
/**
 * A change is written to this many streams at a time, letting requests in between: a write to
 * a thousand sockets takes some 15 ms, which a request should not wait behind.
 */
const FANOUT_SLICE = 2;
/** A comment this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 25_000;

type RecheckReason = "onChange" | "periodic";

interface Stream {
  send(frame: string): void;
  end(): void;
}

/** The streams one credential opened, checked again together. */
interface Credential {
  key: string;
  orgId: string;
  userId: string;
  /** The holder as of the last check (their role decides what they hear of). */
  actor: Actor;
  /** Resolves the credential again: a fresh actor, or null once it no longer works. */
  recheck: () => Promise<Actor | null>;
  streams: Set<Stream>;
  /** When its last check started (`performance.now()`); -Infinity: due at the next sweep. */
  checkedAt: number;
  running: Promise<void> | null;
  /** A check queued behind the running one (a change committed after that one started). */
  again: Promise<void> | null;
}

interface Organization {
  credentials: Map<string, Credential>;
  byUser: Map<string, Set<Credential>>;
  streams: number;
}

export interface EventHubOptions {
  audienceOf: (e: DomainEvent) => Promise<Audience>;
  /** Whose credentials a change concerns (null: nobody's). */
  concerned: (e: DomainEvent) => Promise<CredentialsConcerned | null>;
  /** Where a failure to deliver goes (the write has committed; only the stream is affected). */
  onError: (err: unknown) => void;
  /** How often each credential is checked again (default 30 s). */
  recheckMs?: number;
  /** Caps on open streams (defaults: DEFAULT_LIVE_STREAM_LIMITS). */
  limits?: Partial<LiveStreamLimits> | undefined;
}

export interface EventHubStats {
  streams: number;
  credentials: number;
  /** Credential checks made because a change concerned them. */
  rechecksOnChange: number;
  /** Credential checks made by the periodic sweep. */
  rechecksPeriodic: number;
}

export class EventHub {
  private readonly organizations = new Map<string, Organization>();
  /** Per organisation, deliveries run one after another, in commit order. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly limits: LiveStreamLimits;
  private readonly recheckMs: number;
  private readonly counts: Record<RecheckReason, number> = { onChange: 0, periodic: 0 };
  private timers: ReturnType<typeof setInterval>[] = [];
  private sweeping: Promise<void> | null = null;

  constructor(private readonly opts: EventHubOptions) {
    this.limits = { ...DEFAULT_LIVE_STREAM_LIMITS, ...opts.limits };
    this.recheckMs = opts.recheckMs ?? 30_000;
  }

  publish(event: DomainEvent): void {
    if (!this.organizations.has(event.orgId)) return;
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

  /** Stops the periodic sweep and waits for deliveries and checks in flight (before the database closes). */
  async close(): Promise<void> {
    this.stopTimers();
    await this.settled();
    await this.sweeping;
  }

  /** The organisations with a stream open (to tell them all to refetch after live updates were missed). */
  listening(): string[] {
    return [...this.organizations.keys()];
  }

  /** Open streams and credentials, and how many credential checks were made so far. */
  stats(): EventHubStats {
    let streams = 0;
    let credentials = 0;
    for (const o of this.organizations.values()) {
      streams += o.streams;
      credentials += o.credentials.size;
    }
    return { streams, credentials, rechecksOnChange: this.counts.onChange, rechecksPeriodic: this.counts.periodic };
  }

  private async deliver(e: DomainEvent): Promise<void> {
    if (!this.organizations.has(e.orgId)) return;
    const concerned = await this.opts.concerned(e);
    const org = this.organizations.get(e.orgId);
    if (!org) return;
    if (concerned) {
      if (concerned.wholeOrganization) for (const c of org.credentials.values()) c.checkedAt = Number.NEGATIVE_INFINITY;
      const targets = new Set<Credential>();
      for (const userId of concerned.userIds) for (const c of org.byUser.get(userId) ?? []) targets.add(c);
      for (const key of concerned.credentials) {
        const c = org.credentials.get(key);
        if (c) targets.add(c);
      }
      await Promise.all([...targets].map((c) => this.refresh(c, "onChange")));
    }
    if (org.streams === 0) return;
    const audience = await this.opts.audienceOf(e);
    // Only what changed, not which object or who: browsers refetch what they show, with their own access.
    const frame = `event: change\ndata: ${JSON.stringify({ type: e.type, objectType: e.objectType })}\n\n`;
    await this.write(
      [...org.credentials.values()].filter((c) => audience(c.actor)),
      frame,
    );
  }

  /** Writes a frame to every stream of these credentials, a slice at a time. */
  private async write(credentials: Iterable<Credential>, frame: string): Promise<void> {
    let written = 0;
    for (const c of credentials) {
      for (const s of [...c.streams]) {
        s.send(frame);
        if (++written % FANOUT_SLICE === 0) await new Promise((r) => setImmediate(r));
      }
    }
  }

  /** Checks a credential again (once for all its streams); a check asked for while one runs follows it. */
  private refresh(c: Credential, why: RecheckReason): Promise<void> {
    if (c.running) {
      c.again ??= c.running.then(() => {
        c.again = null;
        return this.refresh(c, why);
      });
      return c.again;
    }
    const run = this.check(c, why).finally(() => {
      if (c.running === run) c.running = null;
    });
    c.running = run;
    return run;
  }

  private async check(c: Credential, why: RecheckReason): Promise<void> {
    c.checkedAt = performance.now();
    this.counts[why]++;
    const fresh = await c.recheck().catch(() => null);
    if (!fresh || fresh.orgId !== c.orgId || fresh.userId !== c.userId) {
      for (const s of [...c.streams]) s.end();
    } else {
      c.actor = fresh;
    }
  }

  /** One slice of the periodic recheck: the credentials checked longest ago, a few at a time. */
  private sweep(): void {
    if (this.sweeping) return;
    const now = performance.now();
    const all = [...this.organizations.values()].flatMap((o) => [...o.credentials.values()]);
    const due = all
      .filter((c) => !c.running && now - c.checkedAt >= this.recheckMs)
      .sort((a, b) => a.checkedAt - b.checkedAt)
      // Twice the even share, so that a crowd opened at once spreads out within two rounds.
      .slice(0, Math.ceil((2 * all.length) / SWEEP_SLICES));
    if (due.length === 0) return;
    const work = async () => {
      for (let c = due.shift(); c; c = due.shift()) await this.refresh(c, "periodic");
    };
    const run = Promise.all(Array.from({ length: Math.min(SWEEP_CONCURRENCY, due.length) }, work))
      .then(() => undefined)
      .catch(this.opts.onError)
      .finally(() => {
        this.sweeping = null;
      });
    this.sweeping = run;
  }

  /** The sweep and the heartbeat run while any stream is open. */
  private startTimers(): void {
    if (this.timers.length > 0) return;
    const everyone = () => [...this.organizations.values()].flatMap((o) => [...o.credentials.values()]);
    this.timers = [
      setInterval(() => this.sweep(), Math.max(5, Math.floor(this.recheckMs / SWEEP_SLICES))),
      setInterval(() => void this.write(everyone(), ": ping\n\n").catch(this.opts.onError), HEARTBEAT_MS),
    ];
    for (const t of this.timers) t.unref();
  }

  private stopTimers(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }

  /**
   * Streams the caller's organisation's changes to `reply` until the client goes away or
   * `recheck` (the request's credentials, checked again) stops answering with an actor.
   * `credential` names the token or session (`credentialKey`). Throws RATE_LIMITED, before
   * anything is sent, when that credential or the organisation already has as many streams
   * open as allowed.
   */
  stream(actor: Actor, credential: string, reply: FastifyReply, recheck: () => Promise<Actor | null>): void {
    const orgId = actor.orgId;
    const known = this.organizations.get(orgId);
    const mine = known?.credentials.get(credential)?.streams.size ?? 0;
    if (mine >= this.limits.perCredential) {
      throw new AppError(
        "RATE_LIMITED",
        `Too many live-update streams: ${mine} are already open with this API token or browser session, and the limit is ${this.limits.perCredential}. Close other Okra tabs or GET /api/v1/events connections that use it, then reconnect.`,
        { limit: this.limits.perCredential, per: "credential" },
      );
    }
    if ((known?.streams ?? 0) >= this.limits.perOrganization) {
      throw new AppError(
        "RATE_LIMITED",
        `Too many live-update streams in this organisation: the limit of ${this.limits.perOrganization} open at once is reached. Close Okra tabs and event streams you do not use and reconnect later (pages still work; they just do not refresh on their own), or ask the server's administrator to raise the limit.`,
        { limit: this.limits.perOrganization, per: "organization" },
      );
    }
    const org: Organization = known ?? { credentials: new Map(), byUser: new Map(), streams: 0 };
    this.organizations.set(orgId, org);
    let c = org.credentials.get(credential);
    if (!c) {
      c = {
        key: credential,
        orgId,
        userId: actor.userId,
        actor,
        recheck,
        streams: new Set(),
        checkedAt: performance.now(),
        running: null,
        again: null,
      };
      org.credentials.set(credential, c);
      const ofUser = org.byUser.get(actor.userId) ?? new Set<Credential>();
      ofUser.add(c);
      org.byUser.set(actor.userId, ofUser);
    } else {
      c.actor = actor;
      c.recheck = recheck;
    }
    const holder = c;

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
    const stream: Stream = {
      send: (frame) => {
        if (!ended) res.write(frame);
      },
      end: () => {
        if (ended) return;
        ended = true;
        holder.streams.delete(stream);
        org.streams--;
        if (holder.streams.size === 0 && org.credentials.get(holder.key) === holder) {
          org.credentials.delete(holder.key);
          const ofUser = org.byUser.get(holder.userId);
          ofUser?.delete(holder);
          if (ofUser?.size === 0) org.byUser.delete(holder.userId);
        }
        if (org.streams === 0 && this.organizations.get(orgId) === org) this.organizations.delete(orgId);
        if (this.organizations.size === 0) this.stopTimers();
        res.end();
      },
    };
    holder.streams.add(stream);
    org.streams++;
    this.startTimers();
    res.on("close", stream.end);
    res.on("error", stream.end);
    // A client that left while it was being authenticated must not hold a place under the caps.
    if (!res.socket || res.socket.destroyed) stream.end();
  }
}
