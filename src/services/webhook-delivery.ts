/**
 * Posts queued webhook deliveries (#13), signed the Standard Webhooks way (docs/webhooks.md):
 *
 * - headers `webhook-id` (the event's id: the same on every retry and replay, so a receiver can
 *   drop duplicates), `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`
 *   `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed with the secret's bytes (the
 *   base64 after `whsec_`);
 * - through the outbound guard (public addresses only unless the instance allows private ones,
 *   no redirects, a 10-second deadline);
 * - a 2xx answer is `sent`; anything else is retried after 30 s, 2 min, 8 min, 32 min and
 *   128 min, and the sixth failed attempt is `failed`.
 *
 * Each due row is claimed with `SKIP LOCKED` (state `sending`, leased for ten minutes, after which
 * a claim whose process died is taken again), so two instances never post the same attempt.
 */
import { createHmac, randomBytes } from "node:crypto";
import { grantOrgScope, type OrgScope } from "../db/org-scope.js";
import { type WebhookDeliveryRow, type WebhookRow, webhookQueries } from "../db/webhook-queries.js";
import type { Services } from "./context.js";
import { createOutboundFetch, type OutboundFetch } from "./outbound.js";

/** Attempts before a delivery is given up on. */
export const WEBHOOK_MAX_ATTEMPTS = 6;
/** The wait after the first failed attempt; each later one waits four times longer. */
export const WEBHOOK_FIRST_RETRY_MS = 30_000;
/** How long one post may take (DNS, connection, answer). */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** How long a claim holds a row; past it, a claim whose process died is taken again. */
const LEASE_MS = 10 * 60_000;
/** Deliveries claimed at once, and posted side by side. */
const BATCH = 10;

/** The prefix of a signing secret; the rest is its 32 bytes in base64. */
const SECRET_PREFIX = "whsec_";

/** A new signing secret: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

/** The `webhook-signature` value of a message: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/** When the next attempt after `attempts` failed ones is due. */
export function nextAttemptAfter(attempts: number, nowMs: number): Date {
  return new Date(nowMs + WEBHOOK_FIRST_RETRY_MS * 4 ** Math.max(0, attempts - 1));
}

/** How one attempt went. */
interface Outcome {
  ok: boolean;
  status: number | null;
  error: string | null;
}

async function post(fetcher: OutboundFetch, hook: WebhookRow, d: WebhookDeliveryRow, nowMs: number): Promise<Outcome> {
  const envelope = d.payload as { id?: unknown };
  const messageId = typeof envelope.id === "string" ? envelope.id : d.id;
  const body = JSON.stringify(d.payload);
  const timestamp = Math.floor(nowMs / 1000);
  let res: Response;
  try {
    res = await fetcher(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "Okra-Webhooks/1",
        "webhook-id": messageId,
        "webhook-timestamp": String(timestamp),
        "webhook-signature": signWebhook(hook.secret, messageId, timestamp, body),
      },
      body,
    });
  } catch {
    // One message whatever went wrong (outbound.ts): a refused address reads like a closed port.
    return {
      ok: false,
      status: null,
      error:
        "The receiver could not be reached: no answer within 10 seconds, the connection failed, or the address is not a public one.",
    };
  }
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, error: null };
  const said = (await res.text().catch(() => "")).replace(/\s+/g, " ").trim().slice(0, 200);
  const redirect = res.status >= 300 && res.status < 400 ? " (redirects are not followed: use the final URL)" : "";
  return {
    ok: false,
    status: res.status,
    error: `The receiver answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${redirect}${said ? ` — "${said}"` : ""}.`,
  };
}

async function attempt(
  svc: Services,
  scope: OrgScope,
  fetcher: OutboundFetch,
  hooks: ReadonlyMap<string, WebhookRow>,
  d: WebhookDeliveryRow,
): Promise<"sent" | "pending" | "failed"> {
  const hook = hooks.get(d.webhookId);
  let outcome: Outcome;
  if (!hook || hook.deletedAt) outcome = { ok: false, status: null, error: "The webhook was deleted." };
  else if (!hook.active) outcome = { ok: false, status: null, error: "The webhook was turned off." };
  else outcome = await post(fetcher, hook, d, svc.now());
  const nowMs = svc.now();
  const gone = !hook || hook.deletedAt !== null || !hook.active;
  const state = outcome.ok ? "sent" : gone || d.attempts >= WEBHOOK_MAX_ATTEMPTS ? "failed" : "pending";
  await webhookQueries.settle(svc.database.db, scope, d.id, {
    state,
    responseStatus: outcome.status,
    error: outcome.error,
    nextAttemptAt: state === "pending" ? nextAttemptAfter(d.attempts, nowMs) : new Date(nowMs),
    deliveredAt: outcome.ok ? new Date(nowMs) : null,
  });
  return state;
}

/**
 * Posts the organisation's due webhook deliveries, ten at a time side by side, until none is
 * due. Answers how many were sent, will be retried, and failed for good.
 */
export async function deliverWebhooks(
  svc: Services,
  orgId: string,
): Promise<{ sent: number; retrying: number; failed: number }> {
  const scope = grantOrgScope(orgId);
  const ex = svc.database.db;
  const fetcher = createOutboundFetch({
    allowPrivate: svc.allowPrivateUrls === true,
    timeoutMs: WEBHOOK_TIMEOUT_MS,
    maxBytes: 65_536,
  });
  const counts = { sent: 0, retrying: 0, failed: 0 };
  for (;;) {
    const nowMs = svc.now();
    const batch = await webhookQueries.claimDue(ex, scope, BATCH, new Date(nowMs), new Date(nowMs + LEASE_MS));
    if (batch.length === 0) break;
    const hooks = new Map(
      (
        await webhookQueries.anyByIds(
          ex,
          scope,
          batch.map((d) => d.webhookId),
        )
      ).map((h) => [h.id, h]),
    );
    const states = await Promise.all(batch.map((d) => attempt(svc, scope, fetcher, hooks, d)));
    for (const s of states) counts[s === "pending" ? "retrying" : s]++;
    if (batch.length < BATCH) break;
  }
  return counts;
}
