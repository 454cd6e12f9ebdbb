/**
 * Data-linked key results (#13).
 *
 * - Push: a key result's own check-in tokens (`okrkr_…`, shown once, stored hashed). A script
 *   posts a value with one (`pushCheckIn`); the check-in is its creator's, through the normal
 *   check-in path, and the audit trail names the token. The token works only for its key
 *   result, only while that key result lives, and only while its creator may still edit it.
 * - Pull: a key result's `source` (set with PATCH /key-results/{id}) is read on a schedule (the
 *   `data-sync` job) and on "sync now"; a new value is recorded as a check-in, an unchanged one
 *   records nothing, and a failure is kept in `source_state` with the last good value.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { dataSourceQueries, type KeyResultTokenRow, keyResultTokenQueries } from "../db/data-link-queries.js";
import { grantOrgScope, type OrgScope } from "../db/org-scope.js";
import { keyResultRepo, objectiveRepo, organizationRepo, userRepo } from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import { hashToken, TOKEN_USE_RESOLUTION_MS } from "./auth.service.js";
import { createCheckIn, recordSourcedCheckIn } from "./check-in.service.js";
import { type Actor, mutate, read, type Services, writeTransaction } from "./context.js";
import {
  type KeyResultSource,
  KeyResultSourceSchema,
  maskSourceUrl,
  readSource,
  SourceReadError,
} from "./data-source.js";
import { sameSource } from "./data-source-schema.js";
import { rhythmOf } from "./rhythm.js";
import { parseInput, TitleSchema } from "./schemas.js";

/** Every key result token starts with this, so a leaked one is recognisable (secret scanners). */
export const KEY_RESULT_TOKEN_PREFIX = "okrkr_";

export const KeyResultTokenCreateSchema = z.strictObject({ name: TitleSchema(200) });

function presentToken(t: KeyResultTokenRow) {
  return {
    id: t.id,
    keyResultId: t.keyResultId,
    name: t.name,
    createdBy: t.createdBy ?? null,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt ? t.lastUsedAt.toISOString() : null,
  };
}

/** What a sync stored: when, the last good value and when it was read, and the error of the last try. */
export interface SourceState {
  lastSyncAt: string;
  lastValue: number | null;
  lastValueAt: string | null;
  error: string | null;
}

function stateOf(raw: unknown): SourceState | null {
  if (!raw || typeof raw !== "object") return null;
  const s = raw as Partial<SourceState>;
  return {
    lastSyncAt: typeof s.lastSyncAt === "string" ? s.lastSyncAt : new Date(0).toISOString(),
    lastValue: typeof s.lastValue === "number" ? s.lastValue : null,
    lastValueAt: typeof s.lastValueAt === "string" ? s.lastValueAt : null,
    error: typeof s.error === "string" ? s.error : null,
  };
}

function sourceOf(raw: unknown): KeyResultSource | null {
  const r = KeyResultSourceSchema.safeParse(raw);
  return r.success ? r.data : null;
}

// ------------------------------------------------------------------ push: tokens

/** Issues a check-in token for a key result (those who may edit it). The secret is in this answer only. */
export async function createKeyResultToken(svc: Services, actor: Actor, keyResultId: string, body: unknown) {
  const input = parseInput(KeyResultTokenCreateSchema, body);
  return mutate(svc, actor, async (w) => {
    const kr = await keyResultRepo.get(w.tx, w.scope, keyResultId);
    const o = await objectiveRepo.get(w.tx, w.scope, kr.objectiveId);
    await w.guard.assertCanEditKeyResult(kr, o);
    const secret = KEY_RESULT_TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const row = await keyResultTokenQueries.insert(w.tx, w.scope, {
      keyResultId,
      name: input.name,
      tokenHash: hashToken(secret),
      createdBy: actor.userId,
      createdAt: new Date(w.nowMs),
    });
    const view = presentToken(row);
    await w.audit("keyResultToken.created", "keyResultToken", row.id, null, view);
    return { ...view, token: secret };
  });
}

/** A key result's live check-in tokens, newest first (never the secrets); those who may edit it. */
export async function listKeyResultTokens(svc: Services, actor: Actor, keyResultId: string) {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const kr = await keyResultRepo.get(ex, scope, keyResultId);
    await guard.assertCanEditKeyResult(kr, await objectiveRepo.get(ex, scope, kr.objectiveId));
    const rows = await keyResultTokenQueries.liveOf(ex, scope, keyResultId);
    return { items: rows.map(presentToken), nextCursor: null };
  });
}

/** Revokes one of a key result's tokens (kept, revoked, for the audit trail); those who may edit it. */
export async function revokeKeyResultToken(svc: Services, actor: Actor, keyResultId: string, tokenId: string) {
  await mutate(svc, actor, async (w) => {
    const kr = await keyResultRepo.get(w.tx, w.scope, keyResultId);
    await w.guard.assertCanEditKeyResult(kr, await objectiveRepo.get(w.tx, w.scope, kr.objectiveId));
    const row = await keyResultTokenQueries.findLive(w.tx, w.scope, keyResultId, tokenId);
    if (!row) throw AppError.notFound("key result token", tokenId);
    await keyResultTokenQueries.revoke(w.tx, w.scope, tokenId, new Date(w.nowMs));
    await w.audit("keyResultToken.revoked", "keyResultToken", tokenId, presentToken(row), null);
  });
}

const invalidToken = (why: string) =>
  new AppError(
    "UNAUTHENTICATED",
    `This key result token is not valid: ${why} Ask someone who may edit the key result for a new one.`,
  );

/**
 * `POST /key-results/{id}/push` with `Authorization: Bearer okrkr_…`: records a check-in on
 * that key result as the token's creator, through the normal check-in path (its validation,
 * roll-ups, notices, live events; the audit names the token). UNAUTHENTICATED for a missing,
 * unknown or revoked token, a deleted key result, or a creator who is deactivated or may no
 * longer edit the key result; FORBIDDEN for a token of another key result.
 */
export async function pushCheckIn(svc: Services, bearer: string | undefined, keyResultId: string, body: unknown) {
  if (!bearer) {
    throw new AppError("UNAUTHENTICATED", 'Send the key result\'s token as "Authorization: Bearer okrkr_…".');
  }
  const db = svc.database.db;
  const token = bearer.startsWith(KEY_RESULT_TOKEN_PREFIX)
    ? await keyResultTokenQueries.findLiveByHash(db, hashToken(bearer))
    : null;
  if (!token) throw invalidToken("it is unknown or was revoked.");
  if (token.keyResultId !== keyResultId) {
    throw new AppError(
      "FORBIDDEN",
      "This token checks in on another key result only; use the URL of the key result it was made for.",
    );
  }
  const scope = grantOrgScope(token.orgId);
  const creator = token.createdBy ? await userRepo.find(db, scope, token.createdBy) : null;
  if (!creator?.active) throw invalidToken("the person who made it is no longer active.");
  const nowMs = svc.now();
  if (!token.lastUsedAt || nowMs - token.lastUsedAt.getTime() >= TOKEN_USE_RESOLUTION_MS) {
    // Bookkeeping on the way in, like an API token's use: no audit, no lock.
    await keyResultTokenQueries.touch(db, scope, token.id, new Date(nowMs), new Date(nowMs - TOKEN_USE_RESOLUTION_MS));
  }
  const actor: Actor = {
    userId: creator.id,
    orgId: creator.orgId,
    scope,
    role: creator.role,
    access: "write",
    isInstanceAdmin: creator.isInstanceAdmin,
  };
  try {
    return await createCheckIn(svc, actor, keyResultId, body, {
      keyResultToken: { id: token.id, name: token.name },
    });
  } catch (err) {
    // Checked on use: the key result is gone, or its creator may no longer edit it.
    if (err instanceof AppError && err.code === "NOT_FOUND") throw invalidToken("its key result was deleted.");
    if (err instanceof AppError && err.code === "FORBIDDEN") {
      throw invalidToken("the person who made it may no longer edit the key result.");
    }
    throw err;
  }
}

// ------------------------------------------------------------------ pull: sources

/** What the data-link card shows: the source (its full URL only to those who may edit) and the last sync. */
export async function getDataLink(svc: Services, actor: Actor, keyResultId: string) {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const kr = await keyResultRepo.get(ex, scope, keyResultId);
    const o = await objectiveRepo.get(ex, scope, kr.objectiveId);
    await guard.assertVisible(o, "key result", keyResultId);
    const canEdit = await guard.assertCanEditKeyResult(kr, o).then(
      () => true,
      () => false,
    );
    const source = sourceOf(kr.source);
    return {
      keyResultId,
      canEdit,
      source: source && (canEdit ? source : { ...source, url: maskSourceUrl(source.url) }),
      state: source ? stateOf(kr.sourceState) : null,
    };
  });
}

/** What one sync did. */
export interface SyncOutcome {
  keyResultId: string;
  /** recorded: a check-in with the new value; unchanged: the value was the key result's already; failed: see error. */
  outcome: "recorded" | "unchanged" | "failed";
  value: number | null;
  error: string | null;
  checkInId: string | null;
  state: SourceState;
}

/**
 * Reads one key result's source and records what it found (outside any transaction while it
 * fetches). A value different from the key result's current one becomes a check-in; the
 * same value records nothing but the time; a failure (or a value the check-in rules refuse)
 * is stored as the error, keeping the last good value.
 */
async function syncOne(
  svc: Services,
  scope: OrgScope,
  keyResultId: string,
  source: KeyResultSource,
): Promise<SyncOutcome> {
  let value: string | null = null;
  let error: string | null = null;
  try {
    value = await readSource(source, { allowPrivate: svc.allowPrivateUrls === true });
  } catch (err) {
    if (!(err instanceof SourceReadError)) throw err;
    error = err.message;
  }
  const host = (() => {
    try {
      return new URL(source.url).host;
    } catch {
      return "";
    }
  })();
  const write = () =>
    writeTransaction(
      svc,
      { scope, actorId: null },
      async (t): Promise<SyncOutcome | null> => {
        const kr =
          t.locked?.keyResults.find((k) => k.id === keyResultId) ??
          (await keyResultRepo.get(t.tx, t.scope, keyResultId));
        // The source changed (or went) while it was read: what was read is not its value.
        if (!sameSource(kr.source, source)) return null;
        const before = stateOf(kr.sourceState);
        const nowIso = new Date(t.nowMs).toISOString();
        let outcome: SyncOutcome["outcome"] = "failed";
        let checkInId: string | null = null;
        if (value !== null) {
          if (kr.latestValue !== null && Number(kr.latestValue) === Number(value)) {
            outcome = "unchanged";
          } else {
            try {
              const view = await recordSourcedCheckIn(t, keyResultId, value, `Read from ${host}`, {
                dataSource: { kind: source.kind, host },
              });
              checkInId = view.id;
              outcome = "recorded";
            } catch (err) {
              if (!(err instanceof AppError)) throw err;
              error = `The value ${value} could not be recorded: ${err.message}`;
            }
          }
        }
        const ok = outcome !== "failed";
        const state: SourceState = {
          lastSyncAt: nowIso,
          lastValue: ok ? Number(value) : (before?.lastValue ?? null),
          lastValueAt: ok ? nowIso : (before?.lastValueAt ?? null),
          error: ok ? null : error,
        };
        await dataSourceQueries.setState(t.tx, t.scope, keyResultId, state);
        return { keyResultId, outcome, value: ok ? Number(value) : null, error: state.error, checkInId, state };
      },
      { figuresOf: [keyResultId] },
    );
  const done = await write();
  if (!done) throw new AppError("CONFLICT", "The key result's source changed while it was being read; sync again.");
  return done;
}

/** "Sync now": reads the key result's source at once and answers what happened (those who may edit it). */
export async function syncKeyResultNow(svc: Services, actor: Actor, keyResultId: string): Promise<SyncOutcome> {
  const source = await read(svc, actor, async ({ ex, scope, guard }) => {
    const kr = await keyResultRepo.get(ex, scope, keyResultId);
    await guard.assertCanEditKeyResult(kr, await objectiveRepo.get(ex, scope, kr.objectiveId));
    const s = sourceOf(kr.source);
    if (!s) {
      throw new AppError(
        "CONFLICT",
        'This key result has no data source; set one first with PATCH /key-results/{id} { "source": { … } }.',
      );
    }
    return s;
  });
  if (actor.access !== "write") {
    throw new AppError("FORBIDDEN", 'This API token is read-only; create a token with scope "write" to make changes.');
  }
  return syncOne(svc, actor.scope, keyResultId, source);
}

/** How many data-linked key results the sync job reads per page. */
const SYNC_PAGE = 100;

/** A key result read this long before its interval is up still counts as read (the job's ticks drift). */
const SYNC_SLACK_MS = 2 * 60_000;

/**
 * The `data-sync` job for one organisation: reads each live data-linked key result of an open
 * objective that is due under the organisation's `dataSyncMinutes` (every one when `force`d, as
 * "run now" is), a page at a time, and records what each source answered. One failing source
 * is counted and stored on its key result; it never stops the others.
 */
export async function runDataSync(svc: Services, orgId: string, opts: { nowMs: number; force: boolean }) {
  const scope = grantOrgScope(orgId);
  const summary = { checked: 0, recorded: 0, unchanged: 0, failed: 0 };
  let syncedBefore: Date | undefined;
  if (!opts.force) {
    const every = rhythmOf(await organizationRepo.get(svc.database.db, scope)).dataSyncMinutes;
    if (every === 0) return summary;
    syncedBefore = new Date(opts.nowMs - every * 60_000 + SYNC_SLACK_MS);
  }
  let after: string | null = null;
  for (;;) {
    const page = await dataSourceQueries.page(svc.database.db, scope, after, SYNC_PAGE, syncedBefore);
    for (const row of page) {
      const source = sourceOf(row.source);
      if (!source) continue;
      summary.checked++;
      try {
        const r = await syncOne(svc, scope, row.id, source);
        summary[r.outcome]++;
      } catch {
        summary.failed++;
      }
    }
    if (page.length < SYNC_PAGE) break;
    after = page.at(-1)?.id ?? null;
  }
  return summary;
}
