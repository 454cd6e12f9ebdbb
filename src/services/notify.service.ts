/**
 * Notices to people (#12): the in-app notification centre, the email outbox behind it, each
 * person's preferences, and the one-click unsubscribe link every email carries.
 *
 * A notice is recorded in the transaction of the write that causes it (`notify`), only for
 * active people who may see the objective it concerns — a mention in a comment on a private
 * objective never reaches someone who cannot see that objective, in the app, by email or live.
 * Its email waits in the outbox (`email_state = 'pending'`) and goes after the commit
 * (`deliverEmail`); a job drains the outbox every minute too, so an email a crash or a mail
 * server's hiccup held back still goes, once: each is claimed with `SKIP LOCKED`.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { accountQueries } from "../db/account-queries.js";
import type { Executor } from "../db/database.js";
import { type NotificationRow, notificationQueries, type PreferencesRow } from "../db/notification-queries.js";
import { grantOrgScope, type OrgScope } from "../db/org-scope.js";
import { type ObjectiveRow, objectiveRepo } from "../db/repositories.js";
import { isId } from "../db/table-repository.js";
import { canSeeObjective, isRole } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import { loadViewerGraph } from "./access.js";
import {
  type Actor,
  mutate,
  publicBaseUrl,
  read,
  type Services,
  type Transaction,
  writeTransaction,
} from "./context.js";
import { type MailContent, type MailSection, renderMail } from "./mail-content.js";
import { decodeCursor, encodeCursor } from "./pagination.js";
import {
  NotificationListQuerySchema,
  NotificationPreferencesSchema,
  NotificationReadSchema,
  parseInput,
} from "./schemas.js";

/** A line of a notice: a key result due, a finding. `link` is a path in the web app. */
export interface NoticeItem {
  text: string;
  link?: string | undefined;
  detail?: string | undefined;
  /** The section it belongs to in the email (a digest's "Check-ins due"); consecutive items with one heading form one section. */
  heading?: string | undefined;
}

/** A notice to record. */
export interface NoticeInput {
  userId: string;
  /** reminder, escalation, mention, comment, change, review, digest … */
  kind: string;
  objectType: string;
  objectId: string;
  /** The objective it concerns (who may see it decides who gets it), or null. */
  objectiveId: string | null;
  title: string;
  body?: string;
  /** Path in the web app, starting with `/`. */
  link: string;
  /** Lines listed under the body, each with its own link (a reminder's key results). */
  items?: NoticeItem[];
  /** Send it by email to those whose channel is email (default true). */
  email?: boolean;
}

/** The app's address for links in email and chat (`OKRA_PUBLIC_URL`). */
export function absoluteUrl(svc: Services, path: string): string {
  const base = publicBaseUrl(svc);
  return `${base}${path.startsWith("/") ? path : `/${path}`}`;
}

/**
 * Records notices in the write's transaction and sends their email after it commits. Skips the
 * actor (no one is told of their own doing), inactive people, and anyone who may not see the
 * notice's objective. Returns the recorded rows.
 */
export async function notify(
  svc: Services,
  t: Transaction,
  actorId: string | null,
  notices: readonly NoticeInput[],
): Promise<NotificationRow[]> {
  const wanted = notices.filter((n) => n.userId !== actorId);
  if (wanted.length === 0) return [];
  const found = await notificationQueries.recipientsWithPreferences(
    t.tx,
    t.scope,
    wanted.map((n) => n.userId),
  );
  const people = new Map(found.people.map((p) => [p.id, p]));
  const mayNotSee = await hiddenFrom(
    t.tx,
    t.scope,
    wanted.filter((n) => people.has(n.userId)),
    people,
    t.locked?.objectives,
  );
  const prefs = found.preferences;
  const rows = wanted
    .filter((n) => people.has(n.userId) && !mayNotSee.has(`${n.userId}|${n.objectiveId}`))
    .map((n) => ({
      userId: n.userId,
      kind: n.kind,
      objectType: n.objectType,
      objectId: n.objectId,
      objectiveId: n.objectiveId,
      actorId,
      title: n.title,
      body: n.body ?? "",
      link: n.link,
      items: n.items ?? [],
      emailState: n.email !== false && svc.mailer && prefs.get(n.userId)?.channel === "email" ? "pending" : null,
    }));
  const saved = await notificationQueries.insert(t.tx, t.scope, rows);
  if (saved.length > 0) {
    t.afterCommit(() => {
      for (const userId of new Set(saved.map((r) => r.userId))) {
        svc.emit({
          orgId: t.scope.orgId,
          type: "notification.created",
          objectType: "user",
          objectId: userId,
          actorId,
        });
      }
      if (saved.some((r) => r.emailState === "pending")) {
        // Not awaited: the request answers now; the outbox job retries what this misses.
        void deliverEmail(svc, t.scope.orgId).catch(() => {});
      }
    });
  }
  return saved;
}

/**
 * `userId|objectiveId` of each notice (or person and objective) whose person may not see its
 * (private) objective. `known`: objective rows the write holds already, as they stand (a
 * check-in's locked chain).
 */
export async function hiddenFrom(
  ex: Executor,
  scope: OrgScope,
  notices: readonly Pick<NoticeInput, "userId" | "objectiveId">[],
  people: ReadonlyMap<string, { role: string }>,
  known: readonly ObjectiveRow[] = [],
): Promise<Set<string>> {
  const ids = [...new Set(notices.map((n) => n.objectiveId).filter((id): id is string => id !== null))];
  const out = new Set<string>();
  if (ids.length === 0) return out;
  const held = new Map(known.map((o) => [o.id, o]));
  const unknown = ids.filter((id) => !held.has(id));
  const rows = [...ids.flatMap((id) => held.get(id) ?? []), ...(await objectiveRepo.listByIds(ex, scope, unknown))];
  const secret = rows.filter((o) => o.visibility === "private");
  if (secret.length === 0) return out;
  const byId = new Map(secret.map((o) => [o.id, o]));
  for (const n of notices) {
    const o = n.objectiveId === null ? undefined : byId.get(n.objectiveId);
    if (!o) continue;
    const role = people.get(n.userId)?.role ?? "observer";
    const graph = await loadViewerGraph(ex, scope, n.userId);
    if (!canSeeObjective(graph, { userId: n.userId, role: isRole(role) ? role : "observer" }, o)) {
      out.add(`${n.userId}|${n.objectiveId}`);
    }
  }
  return out;
}

/** How many emails one drain sends at most; the next run takes the rest. */
const OUTBOX_BATCH = 50;
/** Attempts before an email is given up on (marked failed). */
const MAX_EMAIL_ATTEMPTS = 5;

/**
 * Sends the organisation's waiting notice emails. Each is claimed (state `sending`) by one
 * statement that skips rows another instance holds, sent, and marked sent — or returned to the
 * outbox for the next run, and marked failed after 5 attempts. Returns how many went.
 */
export async function deliverEmail(svc: Services, orgId: string): Promise<{ sent: number; failed: number }> {
  const mailer = svc.mailer;
  if (!mailer) return { sent: 0, failed: 0 };
  const scope = grantOrgScope(orgId);
  const ex = svc.database.db;
  let sent = 0;
  let failed = 0;
  for (;;) {
    const batch = await notificationQueries.claimPendingEmail(ex, scope, OUTBOX_BATCH, new Date(svc.now()));
    if (batch.length === 0) break;
    const people = new Map(
      (
        await notificationQueries.recipients(
          ex,
          scope,
          batch.map((n) => n.userId),
        )
      ).map((p) => [p.id, p]),
    );
    for (const n of batch) {
      const person = people.get(n.userId);
      if (!person) {
        await notificationQueries.setEmailState(ex, scope, [n.id], "failed", new Date(svc.now()));
        continue;
      }
      try {
        await mailer.send(
          renderMail({
            to: person.email,
            subject: n.title,
            intro: n.body || n.title,
            sections: mailSections(svc, itemsOf(n)),
            action: { label: n.kind === "reminder" ? "Check in" : "Open in Okra", url: absoluteUrl(svc, n.link) },
            // The digest's own link stops the digest only; every other email's stops email.
            unsubscribe: await unsubscribeLink(svc, ex, orgId, n.userId, n.kind === "digest" ? "digest" : "email"),
          }),
        );
        await notificationQueries.setEmailState(ex, scope, [n.id], "sent", new Date(svc.now()));
        sent++;
      } catch {
        const state = n.emailAttempts >= MAX_EMAIL_ATTEMPTS ? "failed" : "pending";
        await notificationQueries.setEmailState(ex, scope, [n.id], state, new Date(svc.now()));
        if (state === "failed") failed++;
        // The mail server refused or is away: leave the rest for the next run.
        if (state === "pending") return { sent, failed };
      }
    }
    if (batch.length < OUTBOX_BATCH) break;
  }
  return { sent, failed };
}

/** A notice's items as the email's sections: a new section wherever the heading changes. */
function mailSections(svc: Services, items: readonly NoticeItem[]): MailSection[] {
  const sections: MailSection[] = [];
  for (const i of items) {
    let last = sections.at(-1);
    if (!last || last.heading !== i.heading) {
      last = { heading: i.heading, items: [] };
      sections.push(last);
    }
    last.items.push({ text: i.text, url: i.link ? absoluteUrl(svc, i.link) : undefined, detail: i.detail });
  }
  return sections;
}

// ---------------------------------------------------------------------------------------------
// One-click unsubscribe: a signed token naming the organisation, the person and what to stop.

/** What an unsubscribe link stops: every email (the person keeps the app), or the weekly digest. */
export type UnsubscribeWhat = "email" | "digest";

async function unsubscribeSecret(ex: Executor): Promise<string> {
  return accountQueries.instanceSecret(ex, "unsubscribe-links", randomBytes(32).toString("base64url"));
}

const sign = (secret: string, payload: string) => createHmac("sha256", secret).update(payload).digest("base64url");

/** The unsubscribe token for one person and one kind of email (it does not expire). */
export async function unsubscribeToken(ex: Executor, orgId: string, userId: string, what: UnsubscribeWhat) {
  const payload = `${orgId}.${userId}.${what}`;
  return `${Buffer.from(payload).toString("base64url")}.${sign(await unsubscribeSecret(ex), payload)}`;
}

/** The footer of an email: why it came and the one-click link that stops it. */
export async function unsubscribeLink(
  svc: Services,
  ex: Executor,
  orgId: string,
  userId: string,
  what: UnsubscribeWhat,
): Promise<MailContent["unsubscribe"]> {
  const token = await unsubscribeToken(ex, orgId, userId, what);
  return what === "digest"
    ? {
        reason: "You get this weekly digest from Okra.",
        label: "Stop the weekly digest",
        url: absoluteUrl(svc, `/unsubscribe?token=${token}`),
      }
    : {
        reason: "You get this because Okra emails you about your OKRs.",
        label: "Stop these emails (notices stay in the app)",
        url: absoluteUrl(svc, `/unsubscribe?token=${token}`),
      };
}

/**
 * Applies an unsubscribe link (no sign-in: the signed token is the proof): `email` sets the
 * person's channel to the app only, `digest` turns the digest off. Answers what it did; the
 * same link twice is fine. A token that does not verify is 400.
 */
export async function unsubscribe(svc: Services, body: unknown) {
  const token =
    typeof body === "object" && body !== null && "token" in body && typeof body.token === "string" ? body.token : "";
  const [encoded, signature] = token.split(".");
  const payload = encoded ? Buffer.from(encoded, "base64url").toString() : "";
  const [orgId, userId, what] = payload.split(".");
  const expected = payload ? sign(await unsubscribeSecret(svc.database.db), payload) : "";
  const valid =
    Boolean(signature) &&
    expected.length === (signature ?? "").length &&
    timingSafeEqual(Buffer.from(expected), Buffer.from(signature ?? "")) &&
    orgId &&
    userId &&
    (what === "email" || what === "digest");
  if (!valid || !orgId || !userId) {
    throw AppError.validation(["token: is not an unsubscribe link Okra sent; open the link from the email unchanged"]);
  }
  return writeTransaction(svc, { scope: grantOrgScope(orgId), actorId: userId }, async (t) => {
    const current = (await notificationQueries.preferences(t.tx, t.scope, [userId])).get(userId);
    if (!current) throw AppError.validation(["token: is not an unsubscribe link Okra sent"]);
    const next = {
      channel: what === "email" ? "inApp" : current.channel,
      quietDays: current.quietDays,
      digest: what === "digest" ? false : current.digest,
    };
    const saved = await notificationQueries.savePreferences(t.tx, t.scope, userId, next);
    await t.audit("notificationPreferences.unsubscribed", "user", userId, presentPreferences(current), {
      ...presentPreferences(saved),
      via: what,
    });
    return { unsubscribed: what as UnsubscribeWhat, preferences: presentPreferences(saved) };
  });
}

// ---------------------------------------------------------------------------------------------
// The notification centre and preferences of the signed-in person.

export function presentPreferences(p: PreferencesRow) {
  return {
    channel: p.channel === "inApp" ? ("inApp" as const) : ("email" as const),
    quietDays: [...p.quietDays].sort((a, b) => a - b),
    digest: p.digest,
  };
}

function itemsOf(n: NotificationRow): NoticeItem[] {
  return Array.isArray(n.items) ? (n.items as NoticeItem[]) : [];
}

function presentNotification(n: NotificationRow) {
  return {
    id: n.id,
    kind: n.kind,
    objectType: n.objectType,
    objectId: n.objectId,
    objectiveId: n.objectiveId,
    actorId: n.actorId,
    title: n.title,
    body: n.body,
    link: n.link,
    items: itemsOf(n).map((i) => ({ text: i.text, link: i.link ?? null, detail: i.detail ?? null })),
    createdAt: n.createdAt.toISOString(),
    readAt: n.readAt ? n.readAt.toISOString() : null,
  };
}

/** How many unread notices the count looks at; beyond it the count says "at least". */
const UNREAD_CAP = 1000;

/**
 * The caller's notices, newest first, a page at a time, with the unread count. Notices about an
 * objective the caller may no longer see are left out (and not counted).
 */
export async function listNotifications(svc: Services, actor: Actor, query: unknown) {
  const q = parseInput(NotificationListQuerySchema, query, "query");
  return read(svc, actor, async ({ ex, scope, guard }) => {
    let after: { at: string; id: string } | null = null;
    if (q.cursor) {
      const [atIso, id] = decodeCursor(q.cursor).split("|");
      if (!atIso || !id || !isId(id) || Number.isNaN(Date.parse(atIso))) {
        throw AppError.validation(["cursor: is not a cursor this API gave out; pass nextCursor unchanged"]);
      }
      after = { at: atIso, id };
    }
    const limit = q.limit ?? 20;
    const rows = await notificationQueries.page(ex, scope, actor.userId, limit + 1, after, q.unread === "true");
    const keyed = rows.slice(0, limit);
    const page = keyed.map((r) => r.row);
    const unread = await notificationQueries.unread(ex, scope, actor.userId, UNREAD_CAP);
    const visible = await visibility(ex, scope, guard, [
      ...page.map((n) => n.objectiveId),
      ...unread.map((n) => n.objectiveId),
    ]);
    const last = keyed.at(-1);
    return {
      items: page.filter((n) => visible(n.objectiveId)).map(presentNotification),
      unread: unread.filter((n) => visible(n.objectiveId)).length,
      nextCursor: rows.length > limit && last ? encodeCursor(`${last.key}|${last.row.id}`) : null,
    };
  });
}

async function visibility(
  ex: Executor,
  scope: OrgScope,
  guard: {
    seer(): Promise<
      (o: { level: string; teamId: string | null; ownerIds: readonly string[]; visibility: string }) => boolean
    >;
  },
  objectiveIds: readonly (string | null)[],
): Promise<(id: string | null) => boolean> {
  const ids = [...new Set(objectiveIds.filter((id): id is string => id !== null))];
  if (ids.length === 0) return () => true;
  const rows = await objectiveRepo.listByIds(ex, scope, ids);
  const sees = await guard.seer();
  const hidden = new Set(rows.filter((o) => !sees(o)).map((o) => o.id));
  return (id) => id === null || !hidden.has(id);
}

/** Marks the caller's notices read: `{ ids: [...] }`, or `{ all: true }`. Answers how many changed. */
export async function markNotificationsRead(svc: Services, actor: Actor, body: unknown) {
  const input = parseInput(NotificationReadSchema, body);
  return mutate(svc, actor, async (w) => {
    const changed = await notificationQueries.markRead(
      w.tx,
      w.scope,
      actor.userId,
      input.all ? null : (input.ids ?? []),
      new Date(w.nowMs),
    );
    if (changed > 0) {
      w.afterCommit(() =>
        svc.emit({
          orgId: w.scope.orgId,
          type: "notification.read",
          objectType: "user",
          objectId: actor.userId,
          actorId: actor.userId,
        }),
      );
    }
    return { marked: changed };
  });
}

export async function getNotificationPreferences(svc: Services, actor: Actor) {
  return read(svc, actor, async ({ ex, scope }) => {
    const p = (await notificationQueries.preferences(ex, scope, [actor.userId])).get(actor.userId);
    if (!p) throw AppError.notFound("user", actor.userId);
    return presentPreferences(p);
  });
}

/** Changes the caller's own preferences (channel, quiet days, digest). Audited. */
export async function updateNotificationPreferences(svc: Services, actor: Actor, body: unknown) {
  const input = parseInput(NotificationPreferencesSchema, body);
  return mutate(svc, actor, async (w) => {
    const current = (await notificationQueries.preferences(w.tx, w.scope, [actor.userId])).get(actor.userId);
    if (!current) throw AppError.notFound("user", actor.userId);
    const before = presentPreferences(current);
    const saved = await notificationQueries.savePreferences(w.tx, w.scope, actor.userId, {
      channel: input.channel ?? before.channel,
      quietDays: input.quietDays ? [...new Set(input.quietDays)] : before.quietDays,
      digest: input.digest ?? before.digest,
    });
    const after = presentPreferences(saved);
    await w.audit("notificationPreferences.updated", "user", actor.userId, before, after);
    return after;
  });
}
