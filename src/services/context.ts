/**
 * What every use case receives: the database, the clock, the event sink, and the
 * authenticated caller. `mutate` wraps a write use case in one transaction with the
 * organisation lock, the roll-up recomputation and the audit trail.
 */
import type { SQL } from "drizzle-orm";
import type { Database, Db, Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  type AuditEntry,
  auditRepo,
  type CheckInBasis,
  type CheckInFigures,
  inDeferredTransaction,
  inTransaction,
  lockOrganization,
  type OrganizationRow,
  openChainWrite,
} from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import { createGuard, type Guard } from "./access.js";
import {
  ancestorIds,
  type ChainRows,
  loadOrgAndContext,
  type NodeIds,
  type OrgContext,
  orgAndContext,
  recomputeStored,
  type StatusChange,
} from "./evaluation.js";
import { type Announced, isWebhookEvent, queueWebhooks } from "./webhook-queue.js";

/** A change worth telling live clients about (server-sent events in the web app). */
export interface DomainEvent {
  orgId: string;
  type: string;
  objectType: string;
  objectId: string;
  actorId: string | null;
  /** An alignment's two ends, known at write time: a deleted alignment leaves no row to look up. */
  ends?: { type: string; id: string }[];
}

/** The ends of an alignment as audited (`presentAlignment`), or undefined for anything else. */
function alignmentEnds(objectType: string, audited: unknown): DomainEvent["ends"] {
  if (objectType !== "alignment" || !audited || typeof audited !== "object") return undefined;
  const a = audited as Partial<Record<"childType" | "childId" | "parentType" | "parentId", string>>;
  if (!a.childType || !a.childId || !a.parentType || !a.parentId) return undefined;
  return [
    { type: a.childType, id: a.childId },
    { type: a.parentType, id: a.parentId },
  ];
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (List-Unsubscribe). */
  headers?: Record<string, string>;
}

/** Sends email (an SMTP relay in production, a local SMTP server in tests). */
export interface Mailer {
  send(msg: MailMessage): Promise<void>;
}

/** Where links point when no public address is configured (tests; the CLI always sets one). */
const DEFAULT_PUBLIC_URL = "http://localhost:3000";

/**
 * The address every link the server writes starts with (emails, the SSO redirect URI, SCIM
 * locations), without a trailing slash: the configured `OKRA_PUBLIC_URL`, never a request's
 * Host header, which a client chooses (a reset link pointing at someone else's site).
 */
export function publicBaseUrl(svc: Pick<Services, "publicUrl">): string {
  return (svc.publicUrl ?? DEFAULT_PUBLIC_URL).replace(/\/+$/, "");
}

export interface Services {
  database: Database;
  /** Epoch milliseconds; tests pass a fixed clock. */
  now: () => number;
  /** Called after a write transaction commits. */
  emit: (event: DomainEvent) => void;
  /** Outgoing mail; without it, invitation and reset links are handed to the admin instead. */
  mailer?: Mailer | undefined;
  /** The address people reach the web app at, for links in emails (e.g. https://okr.example.com). */
  publicUrl?: string | undefined;
  /**
   * Let requests to URLs others chose (SSO discovery, …) reach loopback, private and
   * link-local addresses (OKRA_ALLOW_PRIVATE_URLS); off by default (see outbound.ts).
   */
  allowPrivateUrls?: boolean | undefined;
  /**
   * Above this many key results, a settings change that every stored figure depends on (time
   * zone, initiatives counting) recomputes them in the background (`recomputeInBackground`)
   * instead of in its own transaction. Default 2,000.
   */
  backgroundRecomputeAbove?: number | undefined;
  /**
   * A write these services run inside (an OKR file's apply runs many use cases in one): each
   * use case's write joins it — its lock, audit trail, live events and webhooks — and the
   * figures it touches are recomputed once, by the enclosing write. Reads and writes take the
   * organisation (settings, periods) as it holds them: whoever changes periods or settings
   * inside it hands on a fresh one.
   */
  enclosing?: Transaction | undefined;
}

/** The authenticated caller. */
export interface Actor {
  userId: string;
  orgId: string;
  scope: OrgScope;
  role: string;
  /** What the credential allows: `read` tokens cannot write. */
  access: "read" | "write";
  /** The server's instance administrator (may create organisations). */
  isInstanceAdmin: boolean;
  /**
   * Who issued the API token this request came with, when not its own account: such a caller
   * acts only while the issuer outranks them, so what they make (another token) stays bound to
   * that issuer, and they cannot set the account's password.
   */
  issuedBy?: string | null | undefined;
  /** The browser session this request came with, when it was not an API token. */
  sessionId?: string | undefined;
  /** That session's CSRF token (cookie-authenticated writes echo it). */
  csrfToken?: string | undefined;
}

/**
 * Who, as far as credentials go, makes a change an actor makes: the issuer of the token they act
 * with when someone else issued it, else the actor.
 */
export function credentialSetter(actor: Pick<Actor, "userId" | "issuedBy">): string {
  return actor.issuedBy ?? actor.userId;
}

/** What every write works through, inside its transaction: people, SCIM, SSO and accounts as well as OKRs. */
export interface Transaction {
  tx: Executor;
  scope: OrgScope;
  org: OrganizationRow;
  ctx: OrgContext;
  nowMs: number;
  /** With `figuresOf`: the rows of the chain the write locked, as they stood once locked. */
  locked?: ChainRows | undefined;
  /** With `checkIn`: what the check-in is recorded against, read under the chain's locks. */
  checkInBasis?: CheckInBasis | undefined;
  /**
   * The events the organisation's active webhooks subscribe to, as they stood when the write
   * began (webhooks change only under the exclusive lock); undefined when not read.
   */
  webhookEvents?: ReadonlySet<string> | undefined;
  /** Records one change in the audit trail (before/after are the API shapes or rows) and its live event. */
  audit(action: string, objectType: string, objectId: string, before: unknown, after: unknown): Promise<void>;
  /**
   * Records many changes as `audit` does each, in one insert per thousand (a period's close).
   * An entry's `actorId` and `at` replace the write's actor and time: for history written as
   * its authors made it (the demo's seeded check-ins), not for anything a person does now.
   */
  auditMany(entries: readonly AuditInput[]): Promise<void>;
  /**
   * Marks stored figures for recomputation before the commit. `keyResultIds`: key results whose
   * own figures changed (check-ins, span, targets, type). `nodes`: objectives and key results
   * whose roll-up inputs changed (an alignment under them, a weight, a child published or
   * deleted). Both are recomputed with everything they count toward; with neither, the whole
   * organisation is (settings, periods). `history`: key results' whole live history as it now
   * stands, when the write read it already (a check-in's insert answers it), so that the
   * recomputation does not read it again.
   */
  touch(
    keyResultIds?: readonly string[],
    nodes?: Partial<NodeIds>,
    history?: ReadonlyMap<string, readonly CheckInFigures[]>,
  ): void;
  /**
   * Runs `fn` once the transaction has committed (never after a rollback or a rehearsal): what
   * must not happen for a write that did not land, such as sending the email of a notice.
   * A failure there is the caller's to report; it does not undo the committed write.
   */
  afterCommit(fn: () => void | Promise<void>): void;
  /**
   * Recomputes now the figures touched so far, rather than at the end: for a write that reads
   * them afterwards (an OKR file closes objectives after recording their history). Not for a
   * write with `figuresOf`.
   */
  settle(): Promise<void>;
}

/** One change for the audit trail (see `Transaction.auditMany`). */
export interface AuditInput {
  action: string;
  objectType: string;
  objectId: string;
  before: unknown;
  after: unknown;
  /** Who made it, when that is not the write's actor (seeded history). */
  actorId?: string | null | undefined;
  /** When it was made, when that is not now (seeded history). */
  at?: Date | undefined;
}

/** The handle a write use case of a signed-in caller works through. */
export interface Write extends Transaction {
  actor: Actor;
  /** The caller's access rules (see access.ts). */
  guard: Guard;
}

/** Who a write is recorded as. */
export interface WriteSubject {
  scope: OrgScope;
  /** The person the audit trail and live events name; null for the system (SCIM, SSO, a link sent by email). */
  actorId: string | null;
  /** Added to every audit record's `after` (e.g. `{ via: "scim" }`). */
  auditMark?: Record<string, unknown> | undefined;
}

/** The handle a read use case works through. */
export interface Reader {
  ex: Executor;
  scope: OrgScope;
  org: OrganizationRow;
  ctx: OrgContext;
  nowMs: number;
  guard: Guard;
}

/** Runs a read use case (no transaction needed: one consistent snapshot is not required for a single read). */
export async function read<T>(svc: Services, actor: Actor, fn: (r: Reader) => Promise<T>): Promise<T> {
  const ex = svc.database.db;
  const { org, ctx } = svc.enclosing ?? (await loadOrgAndContext(ex, actor.scope));
  return fn({ ex, scope: actor.scope, org, ctx, nowMs: svc.now(), guard: createGuard(ex, actor.scope, actor, org) });
}

/** Above this many changed nodes, a write recomputes the whole organisation. */
const WHOLE_ABOVE = 2000;

/** How a write locks. */
export interface WriteOptions {
  /**
   * The write changes only these key results' own figures (a check-in): it takes the
   * organisation's lock in shared mode and locks the rows of these key results and of
   * everything they count toward, in one global order (`openChainWrite`), so check-ins on
   * unrelated parts of the organisation run side by side and those sharing an ancestor
   * queue on it. Without it the write takes the organisation's lock exclusively.
   */
  figuresOf?: readonly string[];
  /**
   * With `figuresOf` naming one key result: the write records a check-in on it, and its opening
   * also reads the key result's history and who follows its objective (`Transaction.checkInBasis`).
   */
  checkIn?: boolean;
  /**
   * A rehearsal (a preview of the write): `before` runs once the lock is held, before the
   * write; `after` once its figures are recomputed, with what the write returned. Then everything is rolled back and
   * `writeTransaction` throws `RehearsalDone`: nothing is stored, audited or announced.
   */
  rehearsal?: Rehearsal;
}

/** The hooks of a rehearsed write (see `WriteOptions.rehearsal`). */
export interface Rehearsal {
  before(t: Transaction): Promise<void>;
  after(t: Transaction, out: unknown): Promise<void>;
}

/** Thrown by a rehearsed write once its `after` hook ran: the transaction was rolled back. */
export class RehearsalDone extends Error {
  constructor() {
    super("rehearsal rolled back");
  }
}

/**
 * Runs a write use case of a signed-in caller in one transaction (see `writeTransaction`),
 * refusing read-only credentials and giving `fn` the caller's access rules.
 */
export async function mutate<T>(
  svc: Services,
  actor: Actor,
  fn: (w: Write) => Promise<T>,
  options: WriteOptions = {},
): Promise<T> {
  if (actor.access !== "write") {
    throw new AppError("FORBIDDEN", 'This API token is read-only; create a token with scope "write" to make changes.');
  }
  return writeTransaction(
    svc,
    { scope: actor.scope, actorId: actor.userId },
    (t) => fn({ ...t, actor, guard: createGuard(t.tx, actor.scope, actor, t.org) }),
    options,
  );
}

/**
 * The one write path: runs `fn` in one transaction under the organisation's write lock (see
 * `WriteOptions`), recomputes the stored figures it touched, and records its audit events —
 * all or nothing. Live events go out only after the commit.
 */
export async function writeTransaction<T>(
  svc: Services,
  subject: WriteSubject,
  fn: (t: Transaction) => Promise<T>,
  options: WriteOptions = {},
): Promise<T> {
  if (svc.enclosing) return joinWrite(svc, svc.enclosing, fn);
  const { scope, actorId } = subject;
  const events: DomainEvent[] = [];
  const committed: (() => void | Promise<void>)[] = [];
  // What outbound webhooks may carry: the audited events they subscribe to, and status changes.
  const announced: Announced[] = [];
  const statusChanges: StatusChange[] = [];
  const figuresOf = options.figuresOf;
  const server = svc.database.kind === "postgres";
  // A chain write's opening is one message on a server: it begins the transaction too.
  const transaction = figuresOf && server ? inDeferredTransaction : inTransaction;
  const result = await transaction(svc.database.db, async (tx) => {
    let chain: ChainRows | undefined;
    let checkInBasis: CheckInBasis | undefined;
    let opened: ReturnType<typeof orgAndContext>;
    if (figuresOf) {
      // Structure cannot change under the shared lock, so the chain found now holds to the commit.
      const { keyResults, objectives, siblings, children, checkIn, ...orgRows } = await openChainWrite(
        tx,
        scope,
        figuresOf,
        {
          server,
          begin: server,
          webhookEvents: true,
          checkIn: options.checkIn === true,
          // The embedded database is one connection: the opening's reads are prepared on it.
          ...(server ? {} : { embedded: svc.database }),
        },
      );
      chain = { keyResults, objectives, siblings, children };
      checkInBasis = checkIn;
      opened = orgAndContext(orgRows);
    } else {
      await lockOrganization(tx, scope);
      opened = await loadOrgAndContext(tx, scope, { webhookEvents: true });
    }
    const { org, ctx, webhookEvents } = opened;
    let touched = false;
    // A change naming nothing (settings, periods) recomputes the whole graph.
    let whole = false;
    const changedKrs = new Set<string>();
    const changedNodes = { objective: new Set<string>(), keyResult: new Set<string>() };
    const knownHistory = new Map<string, readonly CheckInFigures[]>();
    // Audit rows wait to be sent with the recomputed figures at the end (sent by the thousand when more).
    const pendingAudit: AuditEntry[] = [];
    const auditMany: Transaction["auditMany"] = async (entries) => {
      const rows = entries.map(({ action, objectType, objectId, before, after, ...stamp }) => {
        const marked = subject.auditMark ? { ...(isRecord(after) ? after : {}), ...subject.auditMark } : after;
        const ends = alignmentEnds(objectType, before ?? after);
        events.push({ orgId: scope.orgId, type: action, objectType, objectId, actorId, ...(ends && { ends }) });
        if (isWebhookEvent(action)) announced.push({ event: action, objectType, objectId, after });
        const by = stamp.actorId === undefined ? actorId : stamp.actorId;
        return { actorId: by, action, objectType, objectId, before, after: marked, at: stamp.at };
      });
      for (const row of rows) {
        pendingAudit.push(row);
        if (pendingAudit.length >= 1000) await auditRepo.record(tx, scope, pendingAudit.splice(0));
      }
    };
    const t: Transaction = {
      tx,
      scope,
      org,
      ctx,
      nowMs: svc.now(),
      locked: chain,
      checkInBasis,
      webhookEvents,
      async audit(action, objectType, objectId, before, after) {
        await auditMany([{ action, objectType, objectId, before, after }]);
      },
      auditMany,

      touch(keyResultIds = [], nodes = {}, history) {
        const named = [...keyResultIds, ...(nodes.objective ?? []), ...(nodes.keyResult ?? [])];
        if (figuresOf && (named.length === 0 || named.some((id) => !figuresOf.includes(id)))) {
          // A programming error: the write locked only these key results' chain.
          throw new Error("this write declared figuresOf and may touch only those key results");
        }
        touched = true;
        if (named.length === 0) whole = true;
        for (const id of keyResultIds) {
          changedKrs.add(id);
          // Only the history handed over with this touch is known to be current.
          const rows = history?.get(id);
          if (rows) knownHistory.set(id, rows);
          else knownHistory.delete(id);
        }
        for (const id of nodes.objective ?? []) changedNodes.objective.add(id);
        for (const id of nodes.keyResult ?? []) changedNodes.keyResult.add(id);
      },
      afterCommit(fn) {
        committed.push(fn);
      },
      settle: () => recompute(false),
    };
    /** Recomputes what was touched; `withAudit`: sends the waiting audit rows with the figures (or alone). */
    const recompute = async (withAudit: boolean) => {
      const audit = withAudit ? pendingAudit.splice(0) : [];
      if (touched) await recomputeTouched(audit.length ? auditRepo.insertSql(scope, audit) : null);
      else await auditRepo.record(tx, scope, audit);
      touched = false;
      whole = false;
      changedKrs.clear();
      knownHistory.clear();
      changedNodes.objective.clear();
      changedNodes.keyResult.clear();
    };
    const recomputeTouched = async (also: SQL | null) => {
      if (chain) {
        // The chain's rows were read under their locks, and the write changed none of their figures.
        await recomputeStored(
          tx,
          scope,
          ctx,
          [...changedKrs],
          t.nowMs,
          false,
          chain,
          statusChanges,
          also,
          knownHistory,
        );
        return;
      }
      // Periods or settings may have changed inside `fn`: recompute over the fresh context.
      const { ctx: freshCtx } = await loadOrgAndContext(tx, scope);
      // A change reaching this many nodes (a period's dates, a bulk load) recomputes everything:
      // walking up from each would cost more, and would send lists of ids too long for one query.
      const named = changedKrs.size + changedNodes.objective.size + changedNodes.keyResult.size;
      if (named > WHOLE_ABOVE) whole = true;
      const part = whole
        ? undefined
        : await ancestorIds(tx, scope, [...changedKrs, ...changedNodes.keyResult], [...changedNodes.objective]);
      await recomputeStored(
        tx,
        scope,
        freshCtx,
        [...changedKrs],
        t.nowMs,
        whole,
        part,
        statusChanges,
        also,
        knownHistory,
      );
    };
    await options.rehearsal?.before(t);
    const out = await fn(t);
    await recompute(true);
    if (options.rehearsal) {
      await options.rehearsal.after(t, out);
      throw new RehearsalDone();
    }
    await queueWebhooks(svc, t, announced, statusChanges);
    return out;
  });
  for (const e of events) {
    try {
      svc.emit(e);
    } catch {
      // A failing listener must not turn a committed write into an error.
    }
  }
  for (const fn of committed) {
    try {
      await fn();
    } catch {
      // Committed is committed: what follows (an email) is retried by its own job.
    }
  }
  return result;
}

/**
 * A use case's write inside an enclosing one: no transaction or lock of its own (the enclosing
 * write holds the organisation's), the enclosing audit trail, touch and organisation.
 */
function joinWrite<T>(svc: Services, outer: Transaction, fn: (t: Transaction) => Promise<T>): Promise<T> {
  return fn({ ...outer, nowMs: svc.now(), locked: undefined, checkInBasis: undefined });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Throws VERSION_CONFLICT when `expected` is given and is not the row's current version.
 * `currentState` builds the details only when there is a conflict (it may query).
 */
export async function checkVersion(
  expected: number | undefined,
  current: { version: number },
  currentState: () => unknown,
): Promise<void> {
  if (expected !== undefined && expected !== current.version) {
    throw new AppError(
      "VERSION_CONFLICT",
      `This object was changed by someone else: you sent version ${expected}, the current version is ${current.version}. Reload it, reapply your change and send the current version.`,
      { current: await currentState() },
    );
  }
}

/**
 * NOT_FOUND for ids in a request body that name no object of the organisation (the
 * contract answers 404 for any such id); `details` says which field, as "path: message".
 */
export function missingReference(field: string, noun: string, ids: readonly string[]): AppError {
  const problems = ids.map((id) => `${field}: no ${noun} with id ${JSON.stringify(id)} exists in this organisation`);
  return new AppError("NOT_FOUND", problems.join("; "), problems);
}

/**
 * Checks a new parent link in a hierarchy (teams, periods, managers): the parent must
 * exist (NOT_FOUND otherwise) and must not be the item itself or one of its descendants
 * (VALIDATION with `loopMessage`). `find` loads a node by id; `up` names its parent.
 */
export async function checkParentLink<T extends { id: string }>(
  itemId: string | null,
  parentId: string | null | undefined,
  find: (id: string) => Promise<T | null>,
  up: (node: T) => string | null,
  problem: { field: string; noun: string; loopMessage: string },
): Promise<void> {
  if (!parentId) return;
  let cur = await find(parentId);
  if (!cur) throw missingReference(problem.field, problem.noun, [parentId]);
  const seen = new Set<string>();
  while (cur && !seen.has(cur.id)) {
    if (cur.id === itemId) throw AppError.validation([`${problem.field}: ${problem.loopMessage}`]);
    seen.add(cur.id);
    const next = up(cur);
    cur = next ? await find(next) : null;
  }
}

/**
 * The services the use cases run on inside the outer write: each use case's write joins it
 * (`Services.enclosing`: the outer transaction, lock and audit trail; figures recomputed once,
 * at the end), reads see it, and no email leaves before the commit (notices stay in the outbox).
 */
export function joinedServices(svc: Services, w: Write, events: DomainEvent[]): Services {
  return {
    ...svc,
    database: { ...svc.database, db: w.tx as unknown as Db },
    enclosing: w,
    emit: (e) => events.push(e),
    mailer: undefined,
  };
}

/** Runs a use case for the item at `path`, naming that path in each problem it reports. */
export async function namingPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError && Array.isArray(err.details)) {
      const details = (err.details as unknown[]).map(
        (d) => `${path}${String(d).startsWith("[") ? "" : "."}${String(d)}`,
      );
      throw new AppError(err.code, `${path}: ${err.message}`, details);
    }
    if (err instanceof AppError) throw new AppError(err.code, `${path}: ${err.message}`, [`${path}: ${err.message}`]);
    throw err;
  }
}
