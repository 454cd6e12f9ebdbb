/**
 * Live updates: committed changes fan out to connected browsers as server-sent events
 * (`GET /api/v1/events`), per organisation. In-process: with several app instances, each
 * instance tells its own clients about the writes it made.
 */
import { EventEmitter } from "node:events";
import type { FastifyReply } from "fastify";
import type { DomainEvent } from "../services/context.js";

export class EventHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(event: DomainEvent): void {
    this.emitter.emit(event.orgId, event);
  }

  /** Streams the organisation's events to `reply` until the client goes away. */
  stream(orgId: string, reply: FastifyReply): void {
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write(": connected\n\n");
    // Only what changed, not which object or who: a private objective's id must not reach
    // people who may not see it. Browsers refetch what they show, with their own access.
    const send = (e: DomainEvent) => {
      res.write(`event: change\ndata: ${JSON.stringify({ type: e.type, objectType: e.objectType })}\n\n`);
    };
    // A comment every 25 s keeps proxies from closing an idle stream.
    const heartbeat = setInterval(() => res.write(": ping\n\n"), 25_000);
    this.emitter.on(orgId, send);
    const stop = () => {
      clearInterval(heartbeat);
      this.emitter.off(orgId, send);
    };
    res.on("close", stop);
    res.on("error", stop);
  }
}
