/**
 * Following an objective (#12, collaboration). Its owners and everyone who commented on it (or
 * on its key results and their check-ins) follow it without asking; anyone who may see it may
 * follow it too, and anyone may stop — a stop holds until they follow again, even if they
 * comment later. Followers get a `change` notice when the objective or its key results change
 * meaningfully: a check-in, a title, target or state change, a close or reopen.
 *
 * Observers may follow: it changes only what reaches them.
 */
import { commentQueries } from "../db/comment-queries.js";
import { objectiveRepo } from "../db/repositories.js";
import { type Actor, mutate, read, type Services, type Transaction } from "./context.js";
import { type NoticeInput, notify } from "./notify.service.js";

/** What a change notice says and where it leads. */
export interface ChangeNotice {
  title: string;
  body?: string;
  /** Path in the web app (`/objectives/…`, `/key-results/…`). */
  link: string;
  /** The object that changed (default: the objective). */
  objectType?: string;
  objectId?: string;
}

/**
 * Tells the followers of an objective (except the actor) of a change, inside the write's
 * transaction: one indexed query for the followers (none when the write read them already:
 * `known`), and nothing more when there are none but the actor. Followers who may not see the
 * objective (it became private) are skipped by `notify`.
 */
export async function notifyFollowers(
  svc: Services,
  t: Transaction,
  actorId: string | null,
  objectiveId: string,
  notice: ChangeNotice,
  known?: readonly string[],
): Promise<void> {
  const followers = (known ?? (await commentQueries.followers(t.tx, t.scope, objectiveId))).filter(
    (id) => id !== actorId,
  );
  if (followers.length === 0) return;
  await notify(
    svc,
    t,
    actorId,
    followers.map((userId) => changeNotice(userId, objectiveId, notice)),
  );
}

function changeNotice(userId: string, objectiveId: string, n: ChangeNotice): NoticeInput {
  return {
    userId,
    kind: "change",
    objectType: n.objectType ?? "objective",
    objectId: n.objectId ?? objectiveId,
    objectiveId,
    title: n.title,
    ...(n.body !== undefined && { body: n.body }),
    link: n.link,
  };
}

/** Whether the caller follows the objective, and why. 404 when they may not see it. */
export async function getFollowing(svc: Services, actor: Actor, objectiveId: string) {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const o = await objectiveRepo.get(ex, scope, objectiveId);
    await guard.assertVisible(o);
    return commentQueries.followState(ex, scope, o.id, o.ownerIds, actor.userId);
  });
}

/**
 * Starts (`true`) or stops (`false`) following an objective for the caller. Audited
 * (`follow.started` / `follow.stopped`); answers the new state. 404 when they may not see it.
 */
export async function setFollowing(svc: Services, actor: Actor, objectiveId: string, following: boolean) {
  return mutate(svc, actor, async (w) => {
    const o = await objectiveRepo.get(w.tx, w.scope, objectiveId);
    await w.guard.assertVisible(o);
    const before = await commentQueries.followState(w.tx, w.scope, o.id, o.ownerIds, actor.userId);
    await commentQueries.setFollowing(w.tx, w.scope, o.id, actor.userId, following, new Date(w.nowMs));
    const after = await commentQueries.followState(w.tx, w.scope, o.id, o.ownerIds, actor.userId);
    await w.audit(following ? "follow.started" : "follow.stopped", "follow", o.id, before, {
      ...after,
      userId: actor.userId,
    });
    return after;
  });
}

/**
 * The labels of the fields whose values differ between two versions of a row, in the order of
 * `labels` (values compared as JSON: numeric strings, arrays, null).
 */
export function changedFields<T extends object>(
  before: T,
  after: T,
  labels: Partial<Record<keyof T, string>>,
): string[] {
  const out: string[] = [];
  for (const [key, label] of Object.entries(labels) as [keyof T, string][]) {
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) out.push(label);
  }
  return out;
}
