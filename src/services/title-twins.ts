/**
 * The coach's `duplicate` for some objectives of a period, without reading the period: each
 * one's first earlier near-identical objective (as a whole run over the period finds it),
 * looked up in the period's title index (`domain/title-index.ts`, `db/title-token-queries.ts`).
 * The cost follows the objectives asked about and the titles that share their rarest keys,
 * not the period's size.
 */
import type { Db, Executor } from "../db/database.js";
import { coachListQueries } from "../db/list-queries.js";
import { grantOrgScope, type OrgScope } from "../db/org-scope.js";
import { inTransaction } from "../db/repositories.js";
import { type TitleWalk, titleTokenQueries } from "../db/title-token-queries.js";
import type { ObjectiveFacts } from "../domain/access.js";
import { earlierTwinTitles, nearIdenticalTo } from "../domain/coach.js";
import { rarityKeys, type TwinProbe, twinKeys, twinProbe } from "../domain/title-index.js";

/** Key counts above this are "common" alike: ranking them further would read more than it saves. */
const COMMON = 32;
/** Candidates read per objective in the first round; later rounds read more (up to {@link MOST_PER_ROUND}). */
const FIRST_ROUND = 16;
const MOST_PER_ROUND = 256;

/**
 * How the lookup chooses. `wholePerAsked`: a period holding at most this many objectives per
 * objective asked about is compared whole rather than looked up, since a lookup costs about as
 * much as reading and comparing six titles (the explorer's 200 rows in a period of 1,000: 60 ms
 * whole, 74 ms by lookups; bench/list-scale.bench.ts). Tests of the index itself set it to 0.
 */
export const titleTwinTuning = { wholePerAsked: 6 };

/** Queued objectives a read brings into the index before it answers (the rest: {@link catchUpTitleIndexes}). */
const READ_BATCHES = 4;

/**
 * Brings the organisation's title index up to date before a read looks into it, in its own short
 * transaction and only when something is queued: at most a few batches, so that a read after a
 * bulk load or an upgrade does not wait for the whole queue. Answers whether the index is current.
 */
export async function freshTitleIndex(db: Db, scope: OrgScope): Promise<boolean> {
  if (!(await titleTokenQueries.queued(db, scope))) return true;
  return (await inTransaction(db, (tx) => titleTokenQueries.drain(tx, scope, READ_BATCHES))).empty;
}

/**
 * Empties every organisation's queue, a few batches per transaction (at start, in the background:
 * after an upgrade or a bulk load the index is built without a read waiting for it).
 */
export async function catchUpTitleIndexes(db: Db): Promise<void> {
  for (const orgId of await titleTokenQueries.queuedOrganizations(db)) {
    const scope = grantOrgScope(orgId);
    while (!(await inTransaction(db, (tx) => titleTokenQueries.drain(tx, scope, READ_BATCHES))).empty) {}
  }
}

/** An objective `duplicate` is asked about. */
export interface TwinQuery {
  id: string;
  title: string;
  state: string;
  periodId: string | null;
}

/**
 * For each of `objectives` in `periodId` that `duplicate` compares (open, with a title), the
 * title of the first objective created before it in the period (with `teamId`, in that team)
 * that the reader sees, is open and is near-identical to it — the twin a whole run over the
 * period's visible objectives names.
 */
export async function earlierTwins(
  ex: Executor,
  scope: OrgScope,
  periodId: string,
  teamId: string | undefined,
  objectives: readonly TwinQuery[],
  sees: (o: ObjectiveFacts) => boolean,
  /** Whether the index is current ({@link freshTitleIndex}); when not, the period's titles are compared instead. */
  indexCurrent: boolean,
): Promise<Map<string, string>> {
  /** Compares with the period's titles, as a whole run does. */
  const fromWholePeriod = async () => {
    const titles = (await coachListQueries.titlesBetween(ex, scope, periodId, teamId, null, null)).filter(sees);
    const all = earlierTwinTitles(titles);
    return new Map(objectives.flatMap((o) => (all.has(o.id) ? [[o.id, all.get(o.id)!] as const] : [])));
  };
  // Still catching up (a bulk load, an upgrade).
  if (!indexCurrent) return fromWholePeriod();
  const twins = new Map<string, string>();
  const asked = new Map<string, { probe: TwinProbe; matches: (other: string) => boolean }>();
  for (const o of objectives) {
    if (o.state === "closed" || o.periodId !== periodId) continue;
    const probe = twinProbe(o.title);
    if (probe) asked.set(o.id, { probe, matches: nearIdenticalTo(o.title) });
  }
  if (asked.size === 0) return twins;
  // A period small beside the question: reading it costs less than looking each one up, and
  // stays within the answer's cost.
  const wholeUpTo = titleTwinTuning.wholePerAsked * objectives.length;
  if (wholeUpTo > 0 && (await coachListQueries.countUpTo(ex, scope, periodId, teamId, wholeUpTo)) <= wholeUpTo) {
    return fromWholePeriod();
  }

  const rarity = new Set<string>();
  for (const { probe } of asked.values()) for (const key of rarityKeys(probe)) rarity.add(key);
  const counts = await titleTokenQueries.counts(ex, scope, periodId, [...rarity], COMMON);
  let walks: TitleWalk[] = [...asked].map(([id, { probe }]) => ({
    id,
    tokens: twinKeys(probe, (key) => counts.get(key) ?? 0),
    after: null,
  }));

  // Each round reads every walk's next candidates in creation order; a walk ends at its first
  // match (the earliest, since every earlier candidate was checked) or when the index has no more.
  let limit = FIRST_ROUND;
  while (walks.length > 0) {
    const found = await titleTokenQueries.candidates(ex, scope, periodId, walks, limit);
    const next: TitleWalk[] = [];
    for (const walk of walks) {
      const list = found.get(walk.id) ?? [];
      const { matches } = asked.get(walk.id)!;
      const twin = list.find(
        (c) =>
          !c.deleted &&
          c.state !== "closed" &&
          c.periodId === periodId &&
          (teamId === undefined || c.teamId === teamId) &&
          sees(c) &&
          matches(c.title),
      );
      const last = list.at(-1);
      if (twin) twins.set(walk.id, twin.title);
      else if (last && list.length === limit) next.push({ ...walk, after: { createdAt: last.createdAt, id: last.id } });
    }
    walks = next;
    limit = Math.min(MOST_PER_ROUND, limit * 4);
  }
  return twins;
}
