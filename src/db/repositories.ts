/**
 * Repositories: every query the services run. Each takes an OrgScope and filters by it.
 * Database errors are translated here (unique violation → ALREADY_EXISTS).
 */
import {
  and,
  asc,
  desc,
  eq,
  gt,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  or,
  type RelationalSchemaConfig,
  type SQL,
  sql,
  type TablesRelationalConfig,
} from "drizzle-orm";
import { NodePgSession, type NodePgSessionOptions, NodePgTransaction } from "drizzle-orm/node-postgres";
import { alias, PgDialect } from "drizzle-orm/pg-core";
import type pg from "pg";
import { AppError } from "../domain/errors.js";
import { followersOf } from "./comment-queries.js";
import type { Db, Executor } from "./database.js";
import type { OrgScope } from "./org-scope.js";
import * as s from "./schema.js";
import {
  buildStatement,
  DEFAULT_PLANS,
  ensurePrepared,
  executeText,
  forgetPrepared,
  GENERIC_PLANS,
  holdingWrites,
  memoPerDb,
  type PreparedText,
  preparedText,
  type Raw,
  runBuilt,
  runNamed,
  runStatements,
  shapeOf,
  uuidArray,
  uuidLiteral,
} from "./sql-text.js";
import { isId, tableRepository } from "./table-repository.js";

export type OrganizationRow = typeof s.organizations.$inferSelect;
export type UserRow = typeof s.users.$inferSelect;
export type TeamRow = typeof s.teams.$inferSelect;
export type PeriodRow = typeof s.periods.$inferSelect;
export type ObjectiveRow = typeof s.objectives.$inferSelect;
export type KeyResultRow = typeof s.keyResults.$inferSelect;
export type InitiativeRow = typeof s.initiatives.$inferSelect;
export type AlignmentRow = typeof s.alignments.$inferSelect;
export type CheckInRow = typeof s.checkIns.$inferSelect;
/** What a key result's figures are computed from, of one check-in. */
export type CheckInFigures = Pick<
  CheckInRow,
  "keyResultId" | "at" | "createdAt" | "value" | "achieved" | "status" | "confidence"
>;
export type KpiRow = typeof s.kpis.$inferSelect;
export type KpiValueRow = typeof s.kpiValues.$inferSelect;
export type TokenRow = typeof s.apiTokens.$inferSelect;
export type AuditRow = typeof s.auditEvents.$inferSelect;
/** A credential's issuer as it is now (for `credentialHolds`). */
export type IssuerRow = Pick<UserRow, "id" | "role" | "active" | "isInstanceAdmin">;

export const userRepo = tableRepository(s.users, "user");
export const teamRepo = tableRepository(s.teams, "team");
export const periodRepo = tableRepository(s.periods, "period");
export const objectiveRepo = tableRepository(s.objectives, "objective");
export const keyResultRepo = tableRepository(s.keyResults, "key result");
export const initiativeRepo = tableRepository(s.initiatives, "initiative");
export const alignmentRepo = tableRepository(s.alignments, "alignment");
export const checkInRepo = tableRepository(s.checkIns, "check-in");
export const kpiRepo = tableRepository(s.kpis, "KPI");

/**
 * Takes the organisation's write lock for the rest of the transaction. `exclusive` (structural
 * changes: alignments, periods, settings, people…) waits for every other writer of the
 * organisation and keeps them out; `shared` (check-ins) only keeps exclusive writers out, so
 * check-ins run side by side and order themselves by the rows they lock (`openChainWrite`).
 */
export async function lockOrganization(
  ex: Executor,
  scope: OrgScope,
  mode: "exclusive" | "shared" = "exclusive",
): Promise<void> {
  await ex.execute(sql.raw(lockText(scope, mode)));
}

/**
 * The statement taking the organisation's lock (see `lockOrganization`), keyed by its id as
 * written (checked a uuid first): the one key exclusive and shared writers meet on.
 */
function lockText(scope: OrgScope, mode: "exclusive" | "shared"): string {
  uuidLiteral(scope.orgId);
  const fn = mode === "exclusive" ? "pg_advisory_xact_lock" : "pg_advisory_xact_lock_shared";
  return `select ${fn}(hashtextextended('${scope.orgId}'::text, 0))`;
}

const objectiveShape = shapeOf(s.objectives);
const keyResultShape = shapeOf(s.keyResults);
const organizationShape = shapeOf(s.organizations);
const periodShape = shapeOf(s.periods);

/**
 * What a roll-up reads of a child objective it does not recompute: its stored figures, and
 * how it is counted. The parents' own rows are read whole; their children (a department's
 * objective may have dozens) only in these columns.
 */
const childObjectiveShape = shapeOf(s.objectives, ["id", "progressOverride", "progress", "firstCheckInAt", "forecast"]);
/** What a roll-up reads of a child key result it does not recompute (see `childObjectiveShape`). */
const childKeyResultShape = shapeOf(s.keyResults, [
  "id",
  "objectiveId",
  "type",
  "unit",
  "currency",
  "start",
  "target",
  "progressMode",
  "rollup",
  "progressOverride",
  "weight",
  "latestValue",
  "achieved",
  "manualStatus",
  "firstCheckInAt",
  "lastCheckInAt",
  "forecast",
  "progress",
  "current",
]);
/** What a roll-up reads of an alignment below the chain: its two ends and how it counts. */
const childAlignmentShape = shapeOf(s.alignments, [
  "id",
  "childType",
  "childId",
  "parentType",
  "parentId",
  "weight",
  "contributes",
]);
export type ChildAlignmentRow = NonNullable<ReturnType<typeof childAlignmentShape.read>>;
export type ChildObjectiveRow = NonNullable<ReturnType<typeof childObjectiveShape.read>>;
export type ChildKeyResultRow = NonNullable<ReturnType<typeof childKeyResultShape.read>>;

/** An alignment with its child's row (null when the child is deleted): one direct child of a roll-up. */
export interface ChildRow {
  alignment: ChildAlignmentRow;
  objective: ChildObjectiveRow | null;
  keyResult: ChildKeyResultRow | null;
}

/**
 * `with recursive up(type, id)`: these key results and everything they count toward — a key
 * result's objective and, upward through alignments, every objective and key result above. One
 * recursive query, walking the edge indexes; a statement may add CTEs after it (`, name as …`).
 * `org` and `keyResultIds` (a uuid array) are SQL: literals, or a prepared statement's parameters.
 */
function chainText(org: string, keyResultIds: string): string {
  return `with recursive up(type, id) as (
      select 'keyResult'::text, k.id from key_results k
        where k.org_id = ${org} and k.deleted_at is null and k.id = any(${keyResultIds})
      union
      select e.type, e.id from up cross join lateral (
        select a.parent_type::text as type, a.parent_id as id from alignments a
          where a.org_id = ${org} and a.child_type = up.type and a.child_id = up.id
        union all
        select 'objective'::text, k.objective_id from key_results k
          where up.type = 'keyResult' and k.org_id = ${org} and k.id = up.id and k.deleted_at is null
      ) e
    )`;
}

/** The chain's live objectives (`live_o`) after `chainText`. */
const liveObjectives = (org: string) =>
  `live_o as (select o.id from objectives o
      where o.org_id = ${org} and o.deleted_at is null and o.id = any(array(select id from up where type = 'objective')))`;

/** Whether the objective row `x` is a draft, or a draft closed with its period (never a commitment). */
const isDraftText = (x: string) =>
  `(${x}.state = 'draft' or (${x}.state = 'closed' and ${x}.closing->>'previousState' = 'draft'))`;

/**
 * The counting alignments below these parents (SQL arrays of objective and key result ids: an
 * array is computed once and then looked up through the parent index, where `in (select …)` of
 * a CTE may be planned as a join over all the organisation's alignments), each
 * with its child's row: drafts and their key results count in no roll-up (okr-method §3
 * "Drafts"). Scalar subqueries look the child up by its primary key: a NOT EXISTS here may be
 * planned as an anti-join over every objective of the organisation.
 */
function childrenText(org: string, objectiveIds: string, keyResultIds: string): string {
  return `select ${childAlignmentShape.list("a", "a.")}, ${childObjectiveShape.list("co", "o.")}, ${childKeyResultShape.list("ck", "k.")}
    from alignments a
    left join objectives co on a.child_type = 'objective' and co.org_id = a.org_id and co.id = a.child_id and co.deleted_at is null
    left join key_results ck on a.child_type = 'keyResult' and ck.org_id = a.org_id and ck.id = a.child_id and ck.deleted_at is null
    where a.org_id = ${org}
      and ((a.parent_type = 'objective' and a.parent_id = any(${objectiveIds}))
        or (a.parent_type = 'keyResult' and a.parent_id = any(${keyResultIds})))
      and (case a.child_type
        when 'objective' then (select ${isDraftText("x")} from objectives x where x.id = a.child_id and x.org_id = a.org_id)
        else (select ${isDraftText("x")} from key_results y join objectives x on x.id = y.objective_id and x.org_id = y.org_id
          where y.id = a.child_id and y.org_id = a.org_id)
      end) is not true`;
}

function readChildren(rows: readonly Record<string, unknown>[]): ChildRow[] {
  return rows.map((r) => ({
    alignment: childAlignmentShape.read(r, "a.")!,
    objective: childObjectiveShape.read(r, "o."),
    keyResult: childKeyResultShape.read(r, "k."),
  }));
}

/** The organisation and its live periods, oldest first; with `hooks`, the events its active webhooks subscribe to. */
function orgWithPeriodsText(org: string, hooks: boolean): string {
  const events = hooks
    ? `, (select coalesce(array_agg(distinct e), '{}') from webhooks w cross join unnest(w.events) as e
        where w.org_id = ${org} and w.active and w.deleted_at is null) as "hooks"`
    : "";
  return `select ${organizationShape.list("g", "g.")}, ${periodShape.list("p", "p.")}${events}
    from organizations g left join periods p on p.org_id = g.id and p.deleted_at is null
    where g.id = ${org} order by p.created_at, p.id`;
}

/** What `orgWithPeriodsText` answers, read; NOT_FOUND when the organisation is gone. */
export interface OrgWithPeriods {
  org: OrganizationRow;
  periods: PeriodRow[];
  /** The events its active webhooks subscribe to; null when not asked for. */
  webhookEvents: string[] | null;
}

function readOrgWithPeriods(scope: OrgScope, rows: readonly Record<string, unknown>[]): OrgWithPeriods {
  const first = rows[0];
  const org = first && organizationShape.read(first, "g.");
  if (!first || !org) throw AppError.notFound("organisation", scope.orgId);
  return {
    org,
    periods: rows.flatMap((r) => periodShape.read(r, "p.") ?? []),
    webhookEvents: "hooks" in first ? ((first.hooks as string[] | null) ?? []) : null,
  };
}

/** What a write on the figures of some key results opens with (`openChainWrite`). */
export interface OpenedChain extends OrgWithPeriods {
  /** The key results named, as they stand once locked. */
  keyResults: KeyResultRow[];
  /** The objectives of the chain, locked, in id order. */
  objectives: ObjectiveRow[];
  /** Every key result of those objectives (the chain's among them). */
  siblings: KeyResultRow[];
  /** The counting alignments below the chain, with their children's rows. */
  children: ChildRow[];
  /** With `checkIn`: what a new check-in on the one key result named is recorded against. */
  checkIn?: CheckInBasis;
}

/**
 * What a check-in on a key result is recorded against, read under its chain's locks: the key
 * result's live check-ins (its figures' history), and who follows its objective (whom the
 * check-in's notice goes to).
 */
export interface CheckInBasis {
  history: CheckInRecord[];
  followers: string[];
}

/** One check-in of a key result's history: its figures and its id (`checkInOrder`'s last key). */
export type CheckInRecord = CheckInFigures & Pick<CheckInRow, "id">;

/**
 * Opens a write that changes only these key results' own figures (a check-in): takes the
 * organisation's lock in shared mode (structure cannot change until the commit), locks the
 * objectives of the chain (these key results and everything they count toward) in id order —
 * one global order, so writers locking overlapping chains never deadlock — and reads, as they
 * stand once locked, the key results of those objectives (the chain's flagged), the counting
 * children below the chain, and the organisation with its periods.
 *
 * With `checkIn` it also reads, for the one key result named, its live check-ins and who follows
 * its objective (`CheckInBasis`): what a check-in is recorded against, so that the check-in's
 * own writes need no answer and can go out with the commit (`holdingWrites`).
 *
 * On a PostgreSQL server (`server`) these are five statements (seven with `checkIn`) in one
 * round trip (see sql-text.ts), whatever the chain's depth. The embedded database runs one transaction at a
 * time (PGlite queues them), so there is nothing to wait for there: it takes no advisory lock,
 * and runs the reads one after another, each with the ids the one before found (simpler to plan).
 *
 * Key result rows are not locked: every key result of the chain belongs to an objective of the
 * chain (`chainText` adds each one's objective), and the only writers that change figures
 * beside the structure's exclusive lock are these chain writes, which lock those objectives
 * first. A child below the chain changes its figures only by a write that counts toward the
 * chain, which waits for these locks too.
 */
export async function openChainWrite(
  ex: Executor,
  scope: OrgScope,
  keyResultIds: readonly string[],
  options: {
    server: boolean;
    webhookEvents: boolean;
    /** The embedded database's one connection (its `Database`), to prepare the reads on. */
    embedded?: object;
    /** On a server: the transaction is not begun yet (`inDeferredTransaction`); the opening begins it. */
    begin?: boolean;
    /** The write records a check-in on the one key result named: read its basis too (`OpenedChain.checkIn`). */
    checkIn?: boolean;
  },
): Promise<OpenedChain> {
  const org = uuidLiteral(scope.orgId);
  const ids = keyResultIds.filter(isId);
  const lock = lockText(scope, "shared");
  const begin = options.server && options.begin ? [BEGIN] : [];
  if (!ids.length) {
    const orgRead = orgWithPeriodsText(org, options.webhookEvents);
    const rows = await runStatements(ex, options.server, options.server ? [...begin, lock, orgRead] : [orgRead]);
    return { ...readOrgWithPeriods(scope, rows.at(-1)!), keyResults: [], objectives: [], siblings: [], children: [] };
  }
  const checkIn = options.checkIn === true;
  if (checkIn && ids.length !== 1) throw new Error("a check-in's opening names one key result");
  let objectiveRows: Raw[];
  let keyResultRows: Raw[];
  let childRows: Raw[];
  let orgRows: Raw[];
  let basisRows: Raw[][] = [];
  let chainKeyResults: Set<unknown>;
  if (options.server) {
    [[objectiveRows, keyResultRows, childRows, orgRows], basisRows] = await openOnServer(
      ex,
      [...begin, lock],
      org,
      uuidArray(ids),
      { webhookEvents: options.webhookEvents, checkIn },
    );
    chainKeyResults = new Set(keyResultRows.filter((r) => r.in_chain === true).map((r) => r.id));
  } else {
    // In process, one statement after another: each takes the ids the one before found, and is simpler to plan.
    const reads = embeddedOpening(options.webhookEvents);
    const [lockRead, keyResultsRead, childrenRead, orgRead] = [reads[0]!, reads[1]!, reads[2]!, reads[3]!];
    const basisReads = checkIn ? checkInBasisReads() : [];
    const { run, done } = await embeddedRunner(ex, [...reads, ...basisReads], options.embedded);
    try {
      objectiveRows = await run(lockRead, [org, uuidArray(ids)]);
      const objectiveIds = objectiveRows.map((r) => r.id as string);
      keyResultRows = await run(keyResultsRead, [org, uuidArray(objectiveIds)]);
      const named = new Set((objectiveRows[0]?.chain_key_results as unknown[] | undefined) ?? []);
      chainKeyResults = new Set(keyResultRows.filter((r) => named.has(r.id)).map((r) => r.id));
      const liveKeyResults = [...chainKeyResults] as string[];
      childRows = await run(childrenRead, [org, uuidArray(objectiveIds), uuidArray(liveKeyResults)]);
      orgRows = await run(orgRead, [org]);
      for (const read of basisReads) basisRows.push(await run(read, [org, uuidArray(ids)]));
      await done();
    } catch (err) {
      forgetPrepared(ex, options.embedded);
      throw err;
    }
  }
  const objectives = objectiveRows.map((r) => objectiveShape.read(r, "")!);
  const siblings = objectives.length ? keyResultRows.map((r) => keyResultShape.read(r, "")!) : [];
  return {
    ...readOrgWithPeriods(scope, orgRows),
    keyResults: siblings.filter((k) => chainKeyResults.has(k.id)),
    objectives,
    siblings,
    children: objectives.length ? readChildren(childRows) : [],
    ...(checkIn && { checkIn: readCheckInBasis(basisRows) }),
  };
}

/** What a check-in's history is read in (`CheckInRecord`). */
const historyShape = shapeOf(s.checkIns, [
  "id",
  "keyResultId",
  "at",
  "createdAt",
  "value",
  "achieved",
  "status",
  "confidence",
]);

/**
 * A check-in's basis (`CheckInBasis`) as two reads with `$1` the organisation and `$2` the one
 * key result (a uuid array): its live check-ins in `checkInOrder`, and who follows its objective.
 */
function checkInBasisTexts(org: string, keyResultIds: string): [string, string] {
  const objective = sql.raw(
    `(select k.objective_id from key_results k where k.org_id = ${org} and k.id = (${keyResultIds})[1])`,
  );
  return [
    `select ${historyShape.list("c", "")} from check_ins c
      where c.org_id = ${org} and c.key_result_id = (${keyResultIds})[1] and c.deleted_at is null
      order by c.at, c.created_at, c.id`,
    new PgDialect().sqlToQuery(followersOf(sql.raw(org), objective)).sql,
  ];
}

/** `checkInBasisTexts` prepared, for the opening on either database. */
const checkInBasisReads = once(() => checkInBasisTexts("$1", "$2").map((text) => openingRead("uuid, uuid[]", text)));

function readCheckInBasis([historyRows, followerRows]: Raw[][]): CheckInBasis {
  return {
    history: (historyRows ?? []).map((r) => historyShape.read(r, "")!),
    followers: (followerRows ?? []).map((r) => r.user_id as string),
  };
}

/** The chain's objectives, locked in id order (`also`: more columns). */
const lockChainObjectives = (org: string, keyResultIds: string, also: string) =>
  `${chainText(org, keyResultIds)} select ${objectiveShape.list("o", "")}${also} from objectives o
      where o.org_id = ${org} and o.deleted_at is null and o.id = any(array(select id from up where type = 'objective'))
      order by o.id for update of o`;

/** The live key results of these objectives (a uuid array), in their order. */
const keyResultsOfText = (org: string, objectiveIds: string, also: string) =>
  `select ${keyResultShape.list("k", "")}${also}
      from key_results k
      where k.org_id = ${org} and k.deleted_at is null and k.objective_id = any(${objectiveIds})
      order by k.position, k.created_at`;

/**
 * The opening's reads on a server, after its locks: the chain's objectives locked, their key
 * results (the chain's flagged `in_chain`), the children below the chain, and the organisation
 * with its periods. Each finds the chain again: the rows the locks took are not known to the next.
 */
function serverOpeningTexts(org: string, keyResultIds: string, hooks: boolean): string[] {
  const live = `${chainText(org, keyResultIds)}, ${liveObjectives(org)}, live_k as (select k.id from key_results k
      where k.org_id = ${org} and k.deleted_at is null and k.objective_id = any(array(select id from live_o))
        and k.id = any(array(select id from up where type = 'keyResult')))`;
  return [
    lockChainObjectives(org, keyResultIds, ""),
    `${live} ${keyResultsOfText(org, "array(select id from live_o)", `, k.id in (select id from live_k) as "in_chain"`)}`,
    `${live} ${childrenText(org, "array(select id from live_o)", "array(select id from live_k)")}`,
    orgWithPeriodsText(org, hooks),
  ];
}

/** One of the opening's reads: its text with parameters `$1…` (`$1` the organisation), and prepared. */
interface OpeningRead {
  text: string;
  prepared: PreparedText;
}

function openingRead(types: string, text: string): OpeningRead {
  return { text, prepared: preparedText(types, text) };
}

/** The read as text with these arguments (SQL literals) written in: for an executor with no one connection. */
function asText(read: OpeningRead, args: readonly string[]): string {
  return read.text.replace(/\$(\d+)/g, (_, n) => args[Number(n) - 1]!);
}

/** `build` on first use, then the same answer. */
function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    built ??= { value: build() };
    return built.value;
  };
}

/** `build` once for each answer of whether webhooks are read. */
function perHooks<T>(build: (hooks: boolean) => T): (hooks: boolean) => T {
  const built = new Map<boolean, T>();
  return (hooks) => {
    if (!built.has(hooks)) built.set(hooks, build(hooks));
    return built.get(hooks)!;
  };
}

/**
 * The opening's reads on the embedded database, one after another, each with what the one before
 * found: the chain's objectives locked (with the chain's key results), their key results, the
 * children below them, and the organisation with its periods.
 */
const embeddedOpening = perHooks((hooks) => {
  const chainIds = `, array(select id from up where type = 'keyResult') as "chain_key_results"`;
  return [
    openingRead("uuid, uuid[]", lockChainObjectives("$1", "$2", chainIds)),
    openingRead("uuid, uuid[]", keyResultsOfText("$1", "$2", "")),
    openingRead("uuid, uuid[], uuid[]", childrenText("$1", "$2", "$3")),
    openingRead("uuid", orgWithPeriodsText("$1", hooks)),
  ];
});

/**
 * Runs the embedded opening's reads by name with generic plans (as `openOnServer` does), or,
 * with no connection named to prepare on, as text. `done` restores the plan mode for the rest
 * of the transaction.
 */
async function embeddedRunner(ex: Executor, reads: readonly OpeningRead[], embedded: object | undefined) {
  const byName =
    embedded !== undefined &&
    (await ensurePrepared(
      ex,
      reads.map((r) => r.prepared),
      embedded,
    ));
  const one = async (text: string) => (await runStatements(ex, false, [text]))[0]!;
  if (byName) await one(GENERIC_PLANS);
  return {
    run: (read: OpeningRead, args: readonly string[]) =>
      one(byName ? executeText(read.prepared, args) : asText(read, args)),
    done: async () => {
      if (byName) await one(DEFAULT_PLANS);
    },
  };
}

/** `serverOpeningTexts` with `$1` the organisation and `$2` the key results. */
const serverOpening = perHooks((hooks) =>
  serverOpeningTexts("$1", "$2", hooks).map((text) => openingRead("uuid, uuid[]", text)),
);

/**
 * Sends the opening on a server as one message: the organisation's shared lock, then the four
 * reads of `serverOpeningTexts` (and a check-in's two, `checkInBasisTexts`), run by name where
 * they are prepared on the connection.
 *
 * They run with generic plans (`plan_cache_mode`): left to itself the server plans them again on
 * every run, because a plan made for the given ids looks cheaper than one made for any ids;
 * planning them cost more than running them. The mode holds for the rest of the transaction:
 * what follows a chain's opening is the write's own statements (its insert, its figures and
 * audit rows, `runNamed`), prepared by name and written by key, which the server would
 * otherwise also plan again on every run.
 */
async function openOnServer(
  ex: Executor,
  /** What goes before the reads: the shared lock, after `begin` when the message begins the transaction. */
  first: readonly string[],
  org: string,
  keyResultIds: string,
  options: { webhookEvents: boolean; checkIn: boolean },
): Promise<[[Raw[], Raw[], Raw[], Raw[]], Raw[][]]> {
  const reads = [...serverOpening(options.webhookEvents), ...(options.checkIn ? checkInBasisReads() : [])];
  const split = (rows: Raw[][]): [[Raw[], Raw[], Raw[], Raw[]], Raw[][]] => {
    const answers = rows.slice(-reads.length);
    return [[answers[0]!, answers[1]!, answers[2]!, answers[3]!], answers.slice(4)];
  };
  const args = [org, keyResultIds];
  const byName = await ensurePrepared(
    ex,
    reads.map((r) => r.prepared),
  );
  if (!byName) return split(await runStatements(ex, true, [...first, ...reads.map((r) => asText(r, args))]));
  try {
    return split(
      await runStatements(ex, true, [...first, GENERIC_PLANS, ...reads.map((r) => executeText(r.prepared, args))]),
    );
  } catch (err) {
    // Perhaps a statement was gone (deallocated, or a pooler moved the session): look again next time.
    forgetPrepared(ex);
    throw err;
  }
}

/** Runs `fn` in one transaction, translating unique violations. */
export async function inTransaction<T>(db: Db, fn: (tx: Executor) => Promise<T>): Promise<T> {
  try {
    return await db.transaction(fn);
  } catch (err) {
    throw translateDbError(err);
  }
}

/** The statement that begins a transaction `inDeferredTransaction` leaves to its first message. */
const BEGIN = "begin";

/**
 * `inTransaction` on a PostgreSQL server for a write whose first message is a batch of its own
 * (a chain write's opening, `openChainWrite` with `begin`): `BEGIN` goes out with that batch,
 * not alone, which saves a round trip. `fn` must begin the transaction with its first statement.
 * The same transaction drizzle's `db.transaction` makes (its session and transaction classes),
 * on a connection of the pool.
 */
export async function inDeferredTransaction<T>(db: Db, fn: (tx: Executor) => Promise<T>): Promise<T> {
  // drizzle's own parts: what `db.transaction` builds, minus its `begin`.
  const { dialect, schema, options } = (db as unknown as { session: DrizzleSessionParts }).session;
  const pool = (db as unknown as { $client: pg.Pool }).$client;
  const client = await pool.connect();
  // Its last writes go out with its commit (`holdingWrites`).
  const holding = holdingWrites(client);
  const tx = new NodePgTransaction(dialect, new NodePgSession(holding.client, dialect, schema, options), schema);
  let broken: Error | undefined;
  try {
    const result = await fn(tx as unknown as Executor);
    await tx.execute(sql.raw("commit"));
    return result;
  } catch (err) {
    holding.drop();
    // Also when the transaction never began (its first message failed): then the server only warns.
    await tx.execute(sql.raw("rollback")).catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw translateDbError(err);
  } finally {
    // A connection that could not roll back is broken: the pool must not hand it out again.
    client.release(broken);
  }
}

/** What `inDeferredTransaction` takes from drizzle's session of a node-postgres database. */
interface DrizzleSessionParts {
  dialect: PgDialect;
  schema: RelationalSchemaConfig<TablesRelationalConfig> | undefined;
  options: NodePgSessionOptions;
}

/** Maps database errors to AppError; never lets SQL text reach a client. */
export function translateDbError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; cause?: { code?: string }; constraint?: string };
  const code = e.code ?? e.cause?.code;
  if (code === "23505") return new AppError("ALREADY_EXISTS", "An object with the same unique value already exists.");
  if (code === "22003") return AppError.validation(["value: the number is too large to store"]);
  return err;
}

// ---------------------------------------------------------------- organisations

export const organizationRepo = {
  async count(db: Executor): Promise<number> {
    const rows = await db.select({ n: sql<number>`count(*)::int` }).from(s.organizations);
    return Number(rows[0]?.n ?? 0);
  },
  async insert(db: Executor, name: string, settings: Record<string, unknown> = {}): Promise<OrganizationRow> {
    const rows = await db.insert(s.organizations).values({ name, settings }).returning();
    return rows[0]!;
  },
  async get(db: Executor, scope: OrgScope): Promise<OrganizationRow> {
    const rows = await db.select().from(s.organizations).where(eq(s.organizations.id, scope.orgId));
    if (!rows[0]) throw AppError.notFound("organisation", scope.orgId);
    return rows[0];
  },
  /**
   * The organisation and its live periods (oldest first) in one statement. With `webhookEvents`,
   * also the events its active webhooks subscribe to, so that a write with nothing subscribed
   * never looks for subscriptions.
   */
  async withPeriods(db: Executor, scope: OrgScope, options: { webhookEvents?: boolean } = {}): Promise<OrgWithPeriods> {
    const [rows] = await runStatements(db, false, [
      orgWithPeriodsText(uuidLiteral(scope.orgId), !!options.webhookEvents),
    ]);
    return readOrgWithPeriods(scope, rows!);
  },
  /** Asks for (an instant) or clears (null, only if still `expected`) a background recompute. */
  async setRecomputeRequested(
    db: Executor,
    scope: OrgScope,
    at: Date | null,
    expected?: Date | null,
  ): Promise<boolean> {
    const rows = await db
      .update(s.organizations)
      .set({ recomputeRequestedAt: at })
      .where(
        and(
          eq(s.organizations.id, scope.orgId),
          expected === undefined
            ? undefined
            : expected === null
              ? isNull(s.organizations.recomputeRequestedAt)
              : eq(s.organizations.recomputeRequestedAt, expected),
        ),
      )
      .returning({ id: s.organizations.id });
    return rows.length > 0;
  },
  /** How many live key results the organisation has. */
  async keyResultCount(db: Executor, scope: OrgScope): Promise<number> {
    const rows = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(s.keyResults)
      .where(and(eq(s.keyResults.orgId, scope.orgId), isNull(s.keyResults.deletedAt)));
    return Number(rows[0]?.n ?? 0);
  },
  /** The next `limit` live key result ids after `after`, in id order (a background recompute's pages). */
  async keyResultIdsAfter(db: Executor, scope: OrgScope, after: string | null, limit: number): Promise<string[]> {
    const rows = await db
      .select({ id: s.keyResults.id })
      .from(s.keyResults)
      .where(
        and(
          eq(s.keyResults.orgId, scope.orgId),
          isNull(s.keyResults.deletedAt),
          after ? gt(s.keyResults.id, after) : undefined,
        ),
      )
      .orderBy(asc(s.keyResults.id))
      .limit(limit);
    return rows.map((r) => r.id);
  },
  async updateSettings(
    db: Executor,
    scope: OrgScope,
    settings: Record<string, unknown>,
    name?: string,
  ): Promise<OrganizationRow> {
    const rows = await db
      .update(s.organizations)
      .set({ settings, ...(name ? { name } : {}), version: sql`${s.organizations.version} + 1`, updatedAt: new Date() })
      .where(eq(s.organizations.id, scope.orgId))
      .returning();
    return rows[0]!;
  },
};

// ---------------------------------------------------------------- users, teams, tokens

export const userQueries = {
  async findByEmail(ex: Executor, scope: OrgScope, email: string): Promise<UserRow | null> {
    const rows = await ex
      .select()
      .from(s.users)
      .where(and(eq(s.users.orgId, scope.orgId), sql`lower(${s.users.email}) = lower(${email})`))
      .limit(1);
    return rows[0] ?? null;
  },
  /** Team ids per user. */
  async teamIdsByUser(ex: Executor, scope: OrgScope, userIds?: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await ex
      .select({ userId: s.teamMembers.userId, teamId: s.teamMembers.teamId })
      .from(s.teamMembers)
      .innerJoin(s.teams, and(eq(s.teams.id, s.teamMembers.teamId), isNull(s.teams.deletedAt)))
      .where(
        and(
          eq(s.teamMembers.orgId, scope.orgId),
          userIds
            ? inArray(s.teamMembers.userId, userIds.filter(isId).concat(["00000000-0000-0000-0000-000000000000"]))
            : undefined,
        ),
      )
      .orderBy(asc(s.teams.name));
    const map = new Map<string, string[]>();
    for (const r of rows) map.set(r.userId, [...(map.get(r.userId) ?? []), r.teamId]);
    return map;
  },
  async setTeams(ex: Executor, scope: OrgScope, userId: string, teamIds: readonly string[]): Promise<void> {
    const existing = await ex
      .select()
      .from(s.teamMembers)
      .where(and(eq(s.teamMembers.orgId, scope.orgId), eq(s.teamMembers.userId, userId)));
    const keep = new Set(teamIds);
    for (const m of existing) {
      if (!keep.has(m.teamId)) {
        await ex
          .delete(s.teamMembers)
          .where(
            and(
              eq(s.teamMembers.orgId, scope.orgId),
              eq(s.teamMembers.teamId, m.teamId),
              eq(s.teamMembers.userId, userId),
            ),
          );
      }
    }
    const have = new Set(existing.map((m) => m.teamId));
    const add = teamIds.filter((t) => !have.has(t));
    if (add.length) {
      await ex
        .insert(s.teamMembers)
        .values(add.map((teamId) => ({ orgId: scope.orgId, teamId, userId, role: "member" })));
    }
  },
};

export const teamQueries = {
  /** The live teams directly under `parentId` (null: the top-level teams). */
  async children(ex: Executor, scope: OrgScope, parentId: string | null) {
    return teamRepo.list(ex, scope, parentId ? eq(s.teams.parentId, parentId) : isNull(s.teams.parentId));
  },
  async members(ex: Executor, scope: OrgScope, teamIds?: readonly string[]) {
    return ex
      .select()
      .from(s.teamMembers)
      .where(
        and(
          eq(s.teamMembers.orgId, scope.orgId),
          teamIds ? inArray(s.teamMembers.teamId, [...teamIds, "00000000-0000-0000-0000-000000000000"]) : undefined,
        ),
      );
  },
  /** Replaces a team's member list; `ownerIds` get role owner (owners are members too). */
  async setMembers(
    ex: Executor,
    scope: OrgScope,
    teamId: string,
    ownerIds: readonly string[],
    memberIds: readonly string[],
  ): Promise<void> {
    await ex.delete(s.teamMembers).where(and(eq(s.teamMembers.orgId, scope.orgId), eq(s.teamMembers.teamId, teamId)));
    const owners = new Set(ownerIds);
    const all = [...new Set([...ownerIds, ...memberIds])];
    if (all.length) {
      await ex
        .insert(s.teamMembers)
        .values(
          all.map((userId) => ({ orgId: scope.orgId, teamId, userId, role: owners.has(userId) ? "owner" : "member" })),
        );
    }
  },
};

/**
 * `tokenRepo.findByHash`'s query, built once per database and prepared by name: every request
 * with an API token runs it, and a server then plans it once per connection, not per request.
 */
const tokenByHash = memoPerDb((db) => {
  const issuer = alias(s.users, "issuer");
  // unscoped: authentication by the bearer secret, which is what names the organisation
  return db
    .select({
      token: s.apiTokens,
      user: s.users,
      issuer: { id: issuer.id, role: issuer.role, active: issuer.active, isInstanceAdmin: issuer.isInstanceAdmin },
    })
    .from(s.apiTokens)
    .innerJoin(s.users, and(eq(s.users.id, s.apiTokens.userId), eq(s.users.orgId, s.apiTokens.orgId)))
    .leftJoin(issuer, and(eq(issuer.id, s.apiTokens.createdBy), eq(issuer.orgId, s.apiTokens.orgId)))
    .where(and(eq(s.apiTokens.tokenHash, sql.placeholder("tokenHash")), isNull(s.apiTokens.revokedAt)))
    .limit(1)
    .prepare("okra-token-by-hash");
});

export const tokenRepo = {
  async insert(
    ex: Executor,
    scope: OrgScope,
    values: { userId: string; name: string; tokenHash: string; scope: string; createdBy?: string | null },
  ): Promise<TokenRow> {
    const rows = await ex
      .insert(s.apiTokens)
      .values({ ...values, orgId: scope.orgId })
      .returning();
    return rows[0]!;
  },
  /**
   * The live token with this hash, its user and (when someone else issued it) its issuer as they
   * are now, across organisations (authentication).
   */
  async findByHash(
    db: Db,
    tokenHash: string,
  ): Promise<{ token: TokenRow; user: UserRow; issuer: IssuerRow | null } | null> {
    const rows = await tokenByHash(db).execute({ tokenHash });
    const row = rows[0];
    if (!row) return null;
    // An issuer that is no longer a person of the organisation vouches for nothing.
    const gone = { id: row.token.createdBy ?? "", role: "observer", active: false, isInstanceAdmin: false };
    return { ...row, issuer: row.token.createdBy ? (row.issuer ?? gone) : null };
  },
  /** Whether any token, live or revoked, has this hash (the bootstrap token's state at start). */
  async statusByHash(ex: Executor, tokenHash: string): Promise<"live" | "revoked" | null> {
    // unscoped: the bootstrap token is known before any organisation is chosen
    const [row] = await ex
      .select({ revokedAt: s.apiTokens.revokedAt })
      .from(s.apiTokens)
      .where(eq(s.apiTokens.tokenHash, tokenHash))
      .limit(1);
    if (!row) return null;
    return row.revokedAt ? "revoked" : "live";
  },
};

// ---------------------------------------------------------------- OKR graph

/** The facts the access rules need: who manages whom, who owns and belongs to which team. */
export const accessQueries = {
  async people(ex: Executor, scope: OrgScope) {
    const users = await ex
      .select({ id: s.users.id, managerId: s.users.managerId })
      .from(s.users)
      .where(eq(s.users.orgId, scope.orgId));
    const members = await ex
      .select({ teamId: s.teamMembers.teamId, userId: s.teamMembers.userId, role: s.teamMembers.role })
      .from(s.teamMembers)
      .innerJoin(s.teams, and(eq(s.teams.id, s.teamMembers.teamId), isNull(s.teams.deletedAt)))
      .where(eq(s.teamMembers.orgId, scope.orgId));
    return { users, members };
  },
  /**
   * What the rules need to know about one viewer: everyone who reports to them, directly or
   * down the chain (with their manager), and the viewer's own team memberships. Costs the
   * viewer's part of the organisation, not all of it.
   */
  async viewerPeople(ex: Executor, scope: OrgScope, viewerId: string) {
    if (!isId(viewerId)) return { reports: [], memberships: [] };
    const reports = (await ex.execute(sql`
      with recursive below(id, manager_id) as (
        select u.id, u.manager_id from users u where u.org_id = ${scope.orgId} and u.manager_id = ${viewerId}::uuid
        union
        select u.id, u.manager_id from users u join below b on u.manager_id = b.id where u.org_id = ${scope.orgId}
      )
      select id, manager_id from below`)) as unknown as { rows: { id: string; manager_id: string }[] };
    const memberships = await ex
      .select({ teamId: s.teamMembers.teamId, role: s.teamMembers.role })
      .from(s.teamMembers)
      .innerJoin(s.teams, and(eq(s.teams.id, s.teamMembers.teamId), isNull(s.teams.deletedAt)))
      .where(and(eq(s.teamMembers.orgId, scope.orgId), eq(s.teamMembers.userId, viewerId)));
    return {
      reports: reports.rows.map((r) => ({ id: r.id, managerId: r.manager_id })),
      memberships,
    };
  },
  /** The organisation's private objectives (usually few): the only ones a reader might not see. */
  async privateObjectives(ex: Executor, scope: OrgScope) {
    return ex
      .select({
        id: s.objectives.id,
        level: s.objectives.level,
        teamId: s.objectives.teamId,
        ownerIds: s.objectives.ownerIds,
        visibility: s.objectives.visibility,
      })
      .from(s.objectives)
      .where(
        and(
          eq(s.objectives.orgId, scope.orgId),
          eq(s.objectives.visibility, "private"),
          isNull(s.objectives.deletedAt),
        ),
      );
  },
};

/** The derived figures a recomputation writes (numbers as decimal strings, as the columns hold them). */
export interface DerivedValues {
  progress: number | null;
  current?: string | null;
  latestValue?: string | null;
  achieved?: boolean | null;
  manualStatus?: string | null;
  firstCheckInAt: Date | null;
  lastCheckInAt: Date | null;
  forecast: unknown;
}

/**
 * An alignment's child is not a draft objective nor a key result of one: a draft contributes to
 * no parent's roll-up until it is published (okr-method §3 "Drafts").
 */
function childNotDraft(): SQL {
  const a = s.alignments;
  const o = s.objectives;
  const k = s.keyResults;
  // A draft closed with its period stays out too: it was never a commitment (closing.previousState).
  const isDraft = sql`(${o.state} = 'draft' or (${o.state} = 'closed' and ${o.closing}->>'previousState' = 'draft'))`;
  // Scalar subqueries, looked up row by row through the primary keys: a NOT EXISTS here may be
  // planned as an anti-join over every objective of the organisation.
  return sql`(case ${a.childType}
    when 'objective' then (select ${isDraft} from ${o} where ${o.id} = ${a.childId} and ${o.orgId} = ${a.orgId})
    else (select ${isDraft} from ${k} join ${o} on ${o.id} = ${k.objectiveId} and ${o.orgId} = ${k.orgId}
      where ${k.id} = ${a.childId} and ${k.orgId} = ${a.orgId})
  end) is not true`;
}

export const graphQueries = {
  /** Whether the organisation holds any objective (the trash aside). */
  async hasObjectives(ex: Executor, scope: OrgScope): Promise<boolean> {
    const o = s.objectives;
    const rows = await ex
      .select({ id: o.id })
      .from(o)
      .where(and(eq(o.orgId, scope.orgId), isNull(o.deletedAt)))
      .limit(1);
    return rows.length > 0;
  },
  /** A page of the active objectives of these periods, by id after `afterId` (a job walks them all this way). */
  async activeObjectivesPage(
    ex: Executor,
    scope: OrgScope,
    periodIds: readonly string[],
    afterId: string | null,
    limit: number,
  ): Promise<ObjectiveRow[]> {
    const ids = periodIds.filter(isId);
    if (!ids.length) return [];
    const o = s.objectives;
    return ex
      .select()
      .from(o)
      .where(
        and(
          eq(o.orgId, scope.orgId),
          isNull(o.deletedAt),
          eq(o.state, "active"),
          inArray(o.periodId, ids),
          afterId ? gt(o.id, afterId) : undefined,
        ),
      )
      .orderBy(asc(o.id))
      .limit(limit);
  },
  async objectivesByPeriods(ex: Executor, scope: OrgScope, periodIds: readonly string[]): Promise<ObjectiveRow[]> {
    const ids = periodIds.filter(isId);
    if (!ids.length) return [];
    return objectiveRepo.list(ex, scope, inArray(s.objectives.periodId, ids));
  },
  /** The live initiatives of these objectives. */
  async initiativesOf(ex: Executor, scope: OrgScope, objectiveIds: readonly string[]): Promise<InitiativeRow[]> {
    const ids = objectiveIds.filter(isId);
    if (!ids.length) return [];
    return initiativeRepo.list(ex, scope, inArray(s.initiatives.objectiveId, ids));
  },
  /** The closed, scored live objectives of these periods: only what a score history needs. */
  async closedScores(
    ex: Executor,
    scope: OrgScope,
    periodIds: readonly string[],
  ): Promise<
    Pick<ObjectiveRow, "id" | "periodId" | "state" | "score" | "ownerIds" | "level" | "teamId" | "visibility">[]
  > {
    const ids = periodIds.filter(isId);
    if (!ids.length) return [];
    const o = s.objectives;
    return ex
      .select({
        id: o.id,
        periodId: o.periodId,
        state: o.state,
        score: o.score,
        ownerIds: o.ownerIds,
        level: o.level,
        teamId: o.teamId,
        visibility: o.visibility,
      })
      .from(o)
      .where(
        and(
          eq(o.orgId, scope.orgId),
          isNull(o.deletedAt),
          inArray(o.periodId, ids),
          eq(o.state, "closed"),
          isNotNull(o.score),
        ),
      );
  },
  /** The live objectives of a team in these periods. */
  async objectivesOfTeam(
    ex: Executor,
    scope: OrgScope,
    periodIds: readonly string[],
    teamId: string,
  ): Promise<ObjectiveRow[]> {
    const ids = periodIds.filter(isId);
    if (!ids.length || !isId(teamId)) return [];
    return objectiveRepo.list(ex, scope, and(inArray(s.objectives.periodId, ids), eq(s.objectives.teamId, teamId)));
  },
  /** The live objectives of one period, of one team when `teamId` is given. */
  async objectivesOfPeriod(
    ex: Executor,
    scope: OrgScope,
    periodId: string,
    teamId?: string | readonly string[] | undefined,
  ): Promise<ObjectiveRow[]> {
    // One team, or several (a team and the teams under it).
    const teamIds = teamId === undefined ? undefined : (typeof teamId === "string" ? [teamId] : teamId).filter(isId);
    if (!isId(periodId) || teamIds?.length === 0) return [];
    return objectiveRepo.list(
      ex,
      scope,
      and(
        eq(s.objectives.periodId, periodId),
        teamIds === undefined ? undefined : inArray(s.objectives.teamId, teamIds),
      ),
    );
  },
  /** The live objectives that continue `objectiveId` (postponed copies) in `periodId`. */
  async continuations(ex: Executor, scope: OrgScope, objectiveId: string, periodId: string): Promise<ObjectiveRow[]> {
    if (!isId(objectiveId) || !isId(periodId)) return [];
    const o = s.objectives;
    return ex
      .select()
      .from(o)
      .where(
        and(eq(o.orgId, scope.orgId), isNull(o.deletedAt), eq(o.continuedFrom, objectiveId), eq(o.periodId, periodId)),
      );
  },
  async keyResultsOf(ex: Executor, scope: OrgScope, objectiveIds: readonly string[]): Promise<KeyResultRow[]> {
    const ids = objectiveIds.filter(isId);
    if (!ids.length) return [];
    return ex
      .select()
      .from(s.keyResults)
      .where(
        and(
          eq(s.keyResults.orgId, scope.orgId),
          isNull(s.keyResults.deletedAt),
          inArray(s.keyResults.objectiveId, ids),
        ),
      )
      .orderBy(asc(s.keyResults.position), asc(s.keyResults.createdAt));
  },
  async allKeyResults(ex: Executor, scope: OrgScope): Promise<KeyResultRow[]> {
    return ex
      .select()
      .from(s.keyResults)
      .where(and(eq(s.keyResults.orgId, scope.orgId), isNull(s.keyResults.deletedAt)))
      .orderBy(asc(s.keyResults.position), asc(s.keyResults.createdAt));
  },
  async allObjectives(ex: Executor, scope: OrgScope): Promise<ObjectiveRow[]> {
    return objectiveRepo.list(ex, scope);
  },
  /** The organisation's alignments whose child counts in roll-ups: not a draft (see `alignmentsAt`'s `counting`). */
  async countingAlignments(ex: Executor, scope: OrgScope): Promise<AlignmentRow[]> {
    return ex
      .select()
      .from(s.alignments)
      .where(and(eq(s.alignments.orgId, scope.orgId), childNotDraft()));
  },
  async allInitiatives(ex: Executor, scope: OrgScope): Promise<InitiativeRow[]> {
    return initiativeRepo.list(ex, scope);
  },
  /**
   * Alignments whose child (`end: "child"`) or parent (`end: "parent"`) is one of these nodes,
   * by type and id (the form the edge and parent indexes take). `counting`: only those whose
   * child counts in roll-ups, leaving out drafts and their key results (okr-method §3 "Drafts").
   */
  async alignmentsAt(
    ex: Executor,
    scope: OrgScope,
    end: "child" | "parent",
    nodes: { objective: readonly string[]; keyResult: readonly string[] },
    options: { counting?: boolean } = {},
  ): Promise<AlignmentRow[]> {
    const a = s.alignments;
    const [typeCol, idCol] = end === "child" ? [a.childType, a.childId] : [a.parentType, a.parentId];
    const parts = (["objective", "keyResult"] as const)
      .map((type) => ({ type, ids: nodes[type].filter(isId) }))
      .filter((p) => p.ids.length > 0)
      .map((p) => and(eq(typeCol, p.type), inArray(idCol, p.ids)));
    if (!parts.length) return [];
    return ex
      .select()
      .from(a)
      .where(and(eq(a.orgId, scope.orgId), or(...parts), options.counting ? childNotDraft() : undefined));
  },
  /**
   * `alignmentsAt(…, "parent", nodes, { counting: true })`, each alignment with its child's row
   * (null when the child is deleted): the direct children a roll-up reads, in one statement.
   */
  async childrenAt(
    ex: Executor,
    scope: OrgScope,
    nodes: { objective: readonly string[]; keyResult: readonly string[] },
  ): Promise<ChildRow[]> {
    const objectiveIds = nodes.objective.filter(isId);
    const keyResultIds = nodes.keyResult.filter(isId);
    if (!objectiveIds.length && !keyResultIds.length) return [];
    const text = childrenText(uuidLiteral(scope.orgId), uuidArray(objectiveIds), uuidArray(keyResultIds));
    const [rows] = await runStatements(ex, false, [text]);
    return readChildren(rows!);
  },
  /** Alignments touching any of these nodes (as child or parent). */
  async alignmentsTouching(ex: Executor, scope: OrgScope, ids: readonly string[]): Promise<AlignmentRow[]> {
    const valid = ids.filter(isId);
    if (!valid.length) return [];
    return ex
      .select()
      .from(s.alignments)
      .where(
        and(
          eq(s.alignments.orgId, scope.orgId),
          or(inArray(s.alignments.childId, valid), inArray(s.alignments.parentId, valid)),
        ),
      );
  },
  async deleteAlignments(ex: Executor, scope: OrgScope, ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await ex.delete(s.alignments).where(and(eq(s.alignments.orgId, scope.orgId), inArray(s.alignments.id, [...ids])));
  },
  /**
   * Writes the derived figures of several rows of one table in one statement per 500 rows
   * (`derivedUpdate`): a check-in's chain is written at once, not row by row.
   */
  async updateDerivedMany(
    ex: Executor,
    scope: OrgScope,
    type: "objective" | "keyResult",
    items: readonly { id: string; values: DerivedValues }[],
  ): Promise<void> {
    for (let i = 0; i < items.length; i += 500) {
      await runNamed(ex, derivedUpdate(scope, type, items.slice(i, i + 500)));
    }
  },
  /**
   * `updateDerivedMany` for key results and objectives together, with `also` (other writes of
   * the transaction, such as its audit rows): one statement when they fit in one (a check-in's
   * chain), each write a data-modifying `with`.
   */
  async updateDerivedBoth(
    ex: Executor,
    scope: OrgScope,
    keyResults: readonly { id: string; values: DerivedValues }[],
    objectives: readonly { id: string; values: DerivedValues }[],
    also: SQL | null = null,
  ): Promise<void> {
    if (keyResults.length <= 500 && objectives.length <= 500) {
      const writes = [
        ...(keyResults.length ? [derivedUpdate(scope, "keyResult", keyResults)] : []),
        ...(objectives.length ? [derivedUpdate(scope, "objective", objectives)] : []),
        ...(also ? [also] : []),
      ];
      if (writes.length === 1) await runNamed(ex, writes[0]!);
      if (writes.length > 1) {
        const named = writes.map((w, i) => sql`${sql.raw(`write_${i}`)} as (${w})`);
        await runNamed(ex, sql`with ${sql.join(named, sql`, `)} select 1`);
      }
      return;
    }
    await graphQueries.updateDerivedMany(ex, scope, "keyResult", keyResults);
    await graphQueries.updateDerivedMany(ex, scope, "objective", objectives);
    if (also) await runNamed(ex, also);
  },
};

/**
 * One update of derived figures (see `updateDerivedMany`): the rows travel as one array per
 * column (`unnest`), so the text is the same for any number of rows and is prepared once per
 * connection (`runNamed`).
 */
function derivedUpdate(
  scope: OrgScope,
  type: "objective" | "keyResult",
  items: readonly { id: string; values: DerivedValues }[],
): SQL {
  const column = <T>(pick: (v: DerivedValues) => T) => sql.param(items.map((i) => pick(i.values)));
  const ids = sql.param(items.map((i) => i.id));
  const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
  const json = (v: DerivedValues) =>
    v.forecast === null || v.forecast === undefined ? null : JSON.stringify(v.forecast);
  const firstAt = column((v) => iso(v.firstCheckInAt));
  const lastAt = column((v) => iso(v.lastCheckInAt));
  const forecast = column(json);
  if (type === "objective") {
    return sql`update objectives t set progress = v.progress, first_check_in_at = v.first_at,
          last_check_in_at = v.last_at, forecast = v.forecast
          from unnest(${ids}::uuid[], ${column((v) => v.progress ?? 0)}::float8[], ${firstAt}::timestamptz[],
            ${lastAt}::timestamptz[], ${forecast}::jsonb[]) as v(id, progress, first_at, last_at, forecast)
          where t.org_id = ${scope.orgId} and t.id = v.id`;
  }
  return sql`update key_results t set progress = v.progress, current = v.current,
          latest_value = v.latest_value, achieved = v.achieved, manual_status = v.manual_status,
          first_check_in_at = v.first_at, last_check_in_at = v.last_at, forecast = v.forecast
          from unnest(${ids}::uuid[], ${column((v) => v.progress ?? null)}::float8[], ${column((v) => v.current ?? null)}::numeric[],
            ${column((v) => v.latestValue ?? null)}::numeric[], ${column((v) => v.achieved ?? null)}::boolean[],
            ${column((v) => v.manualStatus ?? null)}::text[], ${firstAt}::timestamptz[], ${lastAt}::timestamptz[],
            ${forecast}::jsonb[])
            as v(id, progress, current, latest_value, achieved, manual_status, first_at, last_at, forecast)
          where t.org_id = ${scope.orgId} and t.id = v.id`;
}

/** Live check-ins of these key results (all when null) dated at or before `untilMs` (all when null). */
function liveCheckInsOf(scope: OrgScope, keyResultIds: readonly string[] | null, untilMs: number | null) {
  const c = s.checkIns;
  return and(
    eq(c.orgId, scope.orgId),
    isNull(c.deletedAt),
    keyResultIds ? inArray(c.keyResultId, keyResultIds.filter(isId)) : undefined,
    untilMs === null ? undefined : lte(c.at, new Date(untilMs)),
  );
}

/** Oldest first; the id settles ties of date and recording, so every computation sees the same order. */
const checkInOrder = [asc(s.checkIns.at), asc(s.checkIns.createdAt), asc(s.checkIns.id)];

/** `checkInQueries.insert`'s statement, built once (`buildStatement`). */
const checkInInsert = once(() => {
  const p = (name: string) => sql.placeholder(name);
  return buildStatement(sql`insert into ${s.checkIns} (id, org_id, key_result_id, value, achieved, status, confidence,
      note, author_id, at, version, created_at, updated_at)
    values (${p("id")}::uuid, ${p("org")}::uuid, ${p("keyResult")}::uuid, ${p("value")}::numeric, ${p("achieved")}::boolean,
      ${p("status")}::text, ${p("confidence")}::smallint, ${p("note")}::text, ${p("author")}::uuid,
      ${p("at")}::timestamptz, ${p("version")}::integer, ${p("createdAt")}::timestamptz, ${p("updatedAt")}::timestamptz)`);
});

export const checkInQueries = {
  /**
   * Inserts a check-in given whole (its id, times and version chosen by the caller), as a write
   * whose answer is not read: in a chain write on a server it goes out with the commit
   * (`holdingWrites`).
   */
  async insert(ex: Executor, scope: OrgScope, row: Omit<CheckInRow, "orgId" | "deletedAt">): Promise<void> {
    await runBuilt(ex, checkInInsert(), {
      id: row.id,
      org: scope.orgId,
      keyResult: row.keyResultId,
      value: row.value,
      achieved: row.achieved,
      status: row.status,
      confidence: row.confidence,
      note: row.note,
      author: row.authorId,
      at: row.at.toISOString(),
      version: row.version,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    });
  },
  /** A check-in's basis (`CheckInBasis`) when its write's opening did not read it. */
  async basisFor(ex: Executor, scope: OrgScope, keyResultId: string): Promise<CheckInBasis> {
    const reads = checkInBasisTexts(uuidLiteral(scope.orgId), uuidArray([keyResultId]));
    return readCheckInBasis(await runStatements(ex, false, reads));
  },
  /** Live check-ins of these key results dated at or before `untilMs` (all when null), oldest first. */
  async forKeyResults(
    ex: Executor,
    scope: OrgScope,
    keyResultIds: readonly string[] | null,
    untilMs: number | null = null,
  ): Promise<CheckInRow[]> {
    if (keyResultIds && keyResultIds.length === 0) return [];
    return ex
      .select()
      .from(s.checkIns)
      .where(liveCheckInsOf(scope, keyResultIds, untilMs))
      .orderBy(...checkInOrder);
  },
  /**
   * `forKeyResults` with only what a key result's figures are computed from (no note, author or
   * bookkeeping): what a recomputation reads, for a key result's whole history.
   */
  async figuresFor(
    ex: Executor,
    scope: OrgScope,
    keyResultIds: readonly string[],
    untilMs: number | null = null,
  ): Promise<CheckInFigures[]> {
    if (!keyResultIds.some(isId)) return [];
    const { keyResultId, at, createdAt, value, achieved, status, confidence } = s.checkIns;
    return ex
      .select({ keyResultId, at, createdAt, value, achieved, status, confidence })
      .from(s.checkIns)
      .where(liveCheckInsOf(scope, keyResultIds, untilMs))
      .orderBy(...checkInOrder);
  },
  /** One page of a key result's check-ins, newest first. */
  async page(
    ex: Executor,
    scope: OrgScope,
    keyResultId: string,
    limit: number,
    after: { at: Date; id: string } | null,
  ): Promise<CheckInRow[]> {
    const cursor: SQL | undefined = after
      ? or(sql`${s.checkIns.at} < ${after.at}`, and(eq(s.checkIns.at, after.at), sql`${s.checkIns.id} < ${after.id}`))
      : undefined;
    return ex
      .select()
      .from(s.checkIns)
      .where(
        and(
          eq(s.checkIns.orgId, scope.orgId),
          eq(s.checkIns.keyResultId, keyResultId),
          isNull(s.checkIns.deletedAt),
          cursor,
        ),
      )
      .orderBy(desc(s.checkIns.at), desc(s.checkIns.id))
      .limit(limit);
  },
  async addRevision(
    ex: Executor,
    scope: OrgScope,
    row: CheckInRow,
    change: "edit" | "delete",
    actorId: string | null,
  ): Promise<void> {
    await ex.insert(s.checkInRevisions).values({
      orgId: scope.orgId,
      checkInId: row.id,
      version: row.version,
      snapshot: row,
      replacedBy: actorId,
      change,
    });
  },
};

type KpiValueInsert = { kpiId: string; value: string; at: Date; note: string; authorId: string | null };

export const kpiValueRepo = {
  async insert(ex: Executor, scope: OrgScope, v: KpiValueInsert): Promise<KpiValueRow> {
    return (await kpiValueRepo.insertMany(ex, scope, [v]))[0]!;
  },
  /** Inserts readings in statements of at most a thousand; returns them in order. */
  async insertMany(ex: Executor, scope: OrgScope, values: readonly KpiValueInsert[]): Promise<KpiValueRow[]> {
    const out: KpiValueRow[] = [];
    for (let i = 0; i < values.length; i += 1000) {
      const part = values.slice(i, i + 1000).map((v) => ({ ...v, orgId: scope.orgId }));
      out.push(...(await ex.insert(s.kpiValues).values(part).returning()));
    }
    return out;
  },
  async forKpis(ex: Executor, scope: OrgScope, kpiIds: readonly string[]): Promise<KpiValueRow[]> {
    if (!kpiIds.length) return [];
    return ex
      .select()
      .from(s.kpiValues)
      .where(and(eq(s.kpiValues.orgId, scope.orgId), inArray(s.kpiValues.kpiId, [...kpiIds])))
      .orderBy(asc(s.kpiValues.at), asc(s.kpiValues.createdAt));
  },
};

// ---------------------------------------------------------------- audit

const ZERO_ID = "00000000-0000-0000-0000-000000000000";

/** What an objective's history gathers: ids of its parts, deleted ones included, and its alignment events. */
export const historyQueries = {
  /** Its key results' ids, deleted ones included. */
  async keyResultIds(ex: Executor, scope: OrgScope, objectiveId: string): Promise<string[]> {
    const rows = await ex
      .select({ id: s.keyResults.id })
      .from(s.keyResults)
      .where(and(eq(s.keyResults.orgId, scope.orgId), eq(s.keyResults.objectiveId, objectiveId)));
    return rows.map((r) => r.id);
  },
  /** Ids of the check-ins on these key results, deleted ones included. */
  async checkInIds(ex: Executor, scope: OrgScope, keyResultIds: readonly string[]): Promise<string[]> {
    if (!keyResultIds.length) return [];
    const rows = await ex
      .select({ id: s.checkIns.id })
      .from(s.checkIns)
      .where(and(eq(s.checkIns.orgId, scope.orgId), inArray(s.checkIns.keyResultId, [...keyResultIds])));
    return rows.map((r) => r.id);
  },
  /** Audit events of alignments that had one of these nodes at either end (before or after). */
  async alignmentEvents(ex: Executor, scope: OrgScope, nodeIds: readonly string[]): Promise<AuditRow[]> {
    if (!nodeIds.length) return [];
    const ids = sql`array[${sql.join(
      nodeIds.map((id) => sql`${id}`),
      sql`, `,
    )}]::text[]`;
    const e = s.auditEvents;
    return ex
      .select()
      .from(e)
      .where(
        and(
          eq(e.orgId, scope.orgId),
          eq(e.objectType, "alignment"),
          or(
            sql`${e.before}->>'childId' = any(${ids})`,
            sql`${e.before}->>'parentId' = any(${ids})`,
            sql`${e.after}->>'childId' = any(${ids})`,
            sql`${e.after}->>'parentId' = any(${ids})`,
          ),
        ),
      );
  },
};

/** Clean-up after the organisation's trash is emptied: what pointed at erased rows. */
export const purgeQueries = {
  /** Erases check-ins (and their earlier versions) whose key result no longer exists. */
  async orphanCheckIns(ex: Executor, scope: OrgScope): Promise<number> {
    await ex.execute(
      sql`delete from check_in_revisions r where r.org_id = ${scope.orgId} and not exists (select 1 from check_ins c where c.id = r.check_in_id and exists (select 1 from key_results k where k.id = c.key_result_id))`,
    );
    const gone = await ex
      .delete(s.checkIns)
      .where(
        and(
          eq(s.checkIns.orgId, scope.orgId),
          sql`not exists (select 1 from key_results k where k.id = ${s.checkIns.keyResultId})`,
        ),
      )
      .returning({ id: s.checkIns.id });
    return gone.length;
  },
  /** Drops links from KPIs to objectives that no longer exist. */
  async orphanKpiLinks(ex: Executor, scope: OrgScope): Promise<void> {
    await ex.execute(
      sql`update kpis set objective_ids = coalesce((select array_agg(o) from unnest(kpis.objective_ids) o where exists (select 1 from objectives x where x.id = o)), '{}'::uuid[]) where kpis.org_id = ${scope.orgId} and exists (select 1 from unnest(kpis.objective_ids) o where not exists (select 1 from objectives x where x.id = o))`,
    );
  },
};

export interface AuditFilter {
  objectType?: string | undefined;
  objectId?: string | undefined;
  /** Events about any of these objects. */
  objectIds?: readonly string[] | undefined;
  actorId?: string | undefined;
  /** An action, or a prefix of one ("objective." for every objective event). */
  action?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Continue after this event id (in the chosen order). */
  afterId?: number | undefined;
  order?: "asc" | "desc" | undefined;
  /**
   * Order by when each event happened, then by id, rather than by id (the order recorded): for
   * a history that holds events recorded after the fact with their own time (the demo's).
   */
  byTime?: boolean | undefined;
  limit: number;
}

export interface AuditEntry {
  actorId: string | null;
  action: string;
  objectType: string;
  objectId: string;
  before: unknown;
  after: unknown;
  /** When it happened; default the transaction's time (seeded history passes its own). */
  at?: Date | undefined;
}

export const auditRepo = {
  /** Records one change, or several in one insert. */
  async record(ex: Executor, scope: OrgScope, entries: AuditEntry | readonly AuditEntry[]): Promise<void> {
    const list = Array.isArray(entries) ? entries : [entries as AuditEntry];
    if (!list.length) return;
    await runNamed(ex, auditRepo.insertSql(scope, list));
  },
  /**
   * The insert `record` sends, as SQL to send with other writes (`graphQueries.updateDerivedBoth`):
   * the rows travel as one array per column, in order, so the text is the same for any number.
   */
  insertSql(scope: OrgScope, list: readonly AuditEntry[]): SQL {
    const column = <T>(pick: (e: AuditEntry) => T) => sql.param(list.map(pick));
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
    return sql`insert into audit_events (org_id, actor_id, at, action, object_type, object_id, before, after)
      select ${scope.orgId}, e.actor_id, coalesce(e.at, now()), e.action, e.object_type, e.object_id, e.before, e.after
      from unnest(${column((e) => e.actorId)}::uuid[], ${column((e) => e.at?.toISOString() ?? null)}::timestamptz[],
        ${column((e) => e.action)}::text[], ${column((e) => e.objectType)}::text[], ${column((e) => e.objectId)}::uuid[],
        ${column((e) => json(e.before))}::jsonb[], ${column((e) => json(e.after))}::jsonb[])
        with ordinality as e(actor_id, at, action, object_type, object_id, before, after, n)
      order by e.n`;
  },
  async list(ex: Executor, scope: OrgScope, f: AuditFilter): Promise<AuditRow[]> {
    const desc_ = f.order === "desc";
    const ids = f.objectIds?.filter(isId);
    return ex
      .select()
      .from(s.auditEvents)
      .where(
        and(
          eq(s.auditEvents.orgId, scope.orgId),
          f.objectType ? eq(s.auditEvents.objectType, f.objectType) : undefined,
          f.objectId ? eq(s.auditEvents.objectId, isId(f.objectId) ? f.objectId : ZERO_ID) : undefined,
          ids ? (ids.length ? inArray(s.auditEvents.objectId, ids) : sql`false`) : undefined,
          f.actorId ? eq(s.auditEvents.actorId, isId(f.actorId) ? f.actorId : ZERO_ID) : undefined,
          f.action ? sql`${s.auditEvents.action} like ${`${f.action.replace(/[%_\\]/g, "\\$&")}%`}` : undefined,
          f.from ? gte(s.auditEvents.at, f.from) : undefined,
          f.to ? lt(s.auditEvents.at, f.to) : undefined,
          f.afterId === undefined
            ? undefined
            : f.byTime
              ? // The cursor's own time, read here: a JavaScript date would drop its microseconds.
                sql`(${s.auditEvents.at}, ${s.auditEvents.id}) ${sql.raw(desc_ ? "<" : ">")} (select a.at, a.id from audit_events a where a.org_id = ${scope.orgId} and a.id = ${f.afterId})`
              : (desc_ ? lt : gt)(s.auditEvents.id, f.afterId),
        ),
      )
      .orderBy(
        ...(f.byTime ? [desc_ ? desc(s.auditEvents.at) : asc(s.auditEvents.at)] : []),
        desc_ ? desc(s.auditEvents.id) : asc(s.auditEvents.id),
      )
      .limit(f.limit);
  },
  /** The newest event of `action` on an object (e.g. the deletion that put it in the trash). */
  async latest(ex: Executor, scope: OrgScope, objectId: string, action: string): Promise<AuditRow | null> {
    const rows = await ex
      .select()
      .from(s.auditEvents)
      .where(
        and(
          eq(s.auditEvents.orgId, scope.orgId),
          eq(s.auditEvents.objectId, objectId),
          eq(s.auditEvents.action, action),
        ),
      )
      .orderBy(desc(s.auditEvents.id))
      .limit(1);
    return rows[0] ?? null;
  },
};
