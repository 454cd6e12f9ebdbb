/**
 * Teams (nested, with owners and members) and people (with a manager and teams).
 */
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { Executor } from "../db/database.js";
import { type NamedPosition, namedListQueries } from "../db/list-queries.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  objectiveRepo,
  type TeamRow,
  teamQueries,
  teamRepo,
  type UserRow,
  userQueries,
  userRepo,
} from "../db/repositories.js";
import { objectives, teams as teamsTable } from "../db/schema.js";
import { isAdmin, isRole, personChangeDenial, type Rank } from "../domain/access.js";
import { AppError } from "../domain/errors.js";
import { type InvitationResult, inviteUser, settlePersonChange } from "./account.service.js";
import { assertChatUrls } from "./chat.js";
import {
  type Actor,
  checkParentLink,
  checkVersion,
  credentialSetter,
  missingReference,
  mutate,
  read,
  type Services,
  type Write,
} from "./context.js";
import { cursorScope, DEFAULT_LIMIT, decodeKeyset, encodeKeyset, keyChecks, type Page } from "./pagination.js";
import { presentTeam, presentUser, type SecretUrls } from "./presenters.js";
import {
  NamedListQuerySchema,
  parseInput,
  TeamCreateSchema,
  TeamUpdateSchema,
  type UserCreateSchema,
  UserInviteSchema,
  UserUpdateSchema,
} from "./schemas.js";

export type TeamView = ReturnType<typeof presentTeam>;
export type UserView = ReturnType<typeof presentUser>;

/** Throws NOT_FOUND naming every id in `ids` that is not a person of the organisation. */
export async function requireUsers(ex: Executor, scope: OrgScope, ids: readonly string[] | undefined, field: string) {
  if (!ids?.length) return;
  const found = new Set((await userRepo.listByIds(ex, scope, ids)).map((u) => u.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    throw missingReference(field, "person", missing);
  }
}

async function requireTeams(ex: Executor, scope: OrgScope, ids: readonly string[] | undefined, field: string) {
  if (!ids?.length) return;
  const found = new Set((await teamRepo.listByIds(ex, scope, ids)).map((t) => t.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    throw missingReference(field, "team", missing);
  }
}

type Member = { userId: string; role: string };

/** Whether `actor` reads a team's webhook URLs in clear: admins and the team's owners (they may change them). */
function urlsFor(actor: Actor, members: readonly Member[]): SecretUrls {
  const admin = isRole(actor.role) && isAdmin({ userId: actor.userId, role: actor.role });
  return admin || members.some((m) => m.userId === actor.userId && m.role === "owner") ? "clear" : "hidden";
}

/** The team as the audit trail records it (webhook URLs masked) and as `actor` is answered. */
async function teamViews(
  ex: Executor,
  scope: OrgScope,
  t: TeamRow,
  actor: Actor,
): Promise<{ audited: TeamView; shown: TeamView }> {
  const members = await teamQueries.members(ex, scope, [t.id]);
  return { audited: presentTeam(t, members, "masked"), shown: presentTeam(t, members, urlsFor(actor, members)) };
}

async function checkTeamParent(ex: Executor, scope: OrgScope, id: string | null, parentId: string | null | undefined) {
  await checkParentLink(
    id,
    parentId,
    (x) => teamRepo.find(ex, scope, x),
    (t) => t.parentId,
    {
      field: "parentId",
      noun: "team",
      loopMessage: "a team cannot be nested inside itself or one of its sub-teams",
    },
  );
}

/**
 * ALREADY_EXISTS when another team under the same parent (or another top-level team) already has
 * `name` (trimmed, case-insensitive): two such teams cannot be told apart in any picker. (SCIM
 * groups are stricter: a displayName is unique in the whole organisation, see `scim.service`.)
 */
async function checkTeamNameFree(
  ex: Executor,
  scope: OrgScope,
  name: string,
  parentId: string | null,
  exceptId: string | null,
): Promise<void> {
  const key = name.trim().toLocaleLowerCase();
  const siblings = await teamQueries.children(ex, scope, parentId);
  const other = siblings.find((t) => t.id !== exceptId && t.name.trim().toLocaleLowerCase() === key);
  if (!other) return;
  const parent = parentId ? await teamRepo.find(ex, scope, parentId) : null;
  const where = parent ? `in "${parent.name}"` : "at the top level";
  const said = `a team named "${other.name}" already exists ${where}; choose another name`;
  throw new AppError("ALREADY_EXISTS", `A${said.slice(1)}.`, [`name: ${said}`]);
}

type NameKey = readonly [string, string];
const NAME_KEY = [keyChecks.text, keyChecks.id] as const;

/** One page of a list by name (keyset in SQL: the page costs what it shows). */
async function namedListPage<R extends { name: string; id: string }, T>(
  list: string,
  query: unknown,
  load: (
    after: NamedPosition | null,
    limit: number,
    text: string | undefined,
    ids: readonly string[] | undefined,
  ) => Promise<R[]>,
  present: (rows: R[]) => Promise<T[]>,
): Promise<Page<T>> {
  const q = parseInput(NamedListQuerySchema, query, "query");
  const limit = q.limit ?? DEFAULT_LIMIT;
  const text = q.q?.trim() || undefined;
  const scopeName = cursorScope(list, { q: text, ids: q.ids?.join(",") });
  const after = q.cursor ? decodeKeyset<NameKey>(q.cursor, scopeName, NAME_KEY) : null;
  const rows = await load(after ? { name: after[0], id: after[1] } : null, limit + 1, text, q.ids);
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: await present(shown),
    nextCursor: rows.length > limit && last ? encodeKeyset(scopeName, [last.name, last.id]) : null,
  };
}

export async function listTeams(svc: Services, actor: Actor, query: unknown): Promise<Page<TeamView>> {
  return read(svc, actor, ({ ex, scope }) =>
    namedListPage(
      "teams",
      query,
      (after, limit, text, ids) => namedListQueries.teams(ex, scope, after, limit, text, ids),
      async (rows) => {
        const byTeam = new Map<string, Member[]>();
        const ids = rows.map((t) => t.id);
        for (const m of ids.length ? await teamQueries.members(ex, scope, ids) : []) {
          byTeam.set(m.teamId, [...(byTeam.get(m.teamId) ?? []), m]);
        }
        return rows.map((t) => {
          const members = byTeam.get(t.id) ?? [];
          return presentTeam(t, members, urlsFor(actor, members));
        });
      },
    ),
  );
}

export async function getTeam(svc: Services, actor: Actor, id: string): Promise<TeamView> {
  return read(
    svc,
    actor,
    async ({ ex, scope }) => (await teamViews(ex, scope, await teamRepo.get(ex, scope, id), actor)).shown,
  );
}

/** Creates a team; ALREADY_EXISTS when a team under the same parent has its name. */
export async function createTeam(svc: Services, actor: Actor, body: unknown): Promise<TeamView> {
  const input = parseInput(TeamCreateSchema, body);
  assertChatUrls(input, svc.allowPrivateUrls === true);
  return mutate(svc, actor, async (w) => {
    await checkTeamParent(w.tx, w.scope, null, input.parentId);
    await checkTeamNameFree(w.tx, w.scope, input.name, input.parentId ?? null, null);
    await requireUsers(w.tx, w.scope, input.ownerIds, "ownerIds");
    await requireUsers(w.tx, w.scope, input.memberIds, "memberIds");
    const row = await teamRepo.insert(w.tx, w.scope, {
      name: input.name,
      description: input.description ?? "",
      parentId: input.parentId ?? null,
      cadence: input.cadence ?? null,
      slackWebhookUrl: input.slackWebhookUrl ?? null,
      teamsWebhookUrl: input.teamsWebhookUrl ?? null,
    });
    await teamQueries.setMembers(w.tx, w.scope, row.id, input.ownerIds ?? [], input.memberIds ?? []);
    const view = await teamViews(w.tx, w.scope, row, actor);
    await w.audit("team.created", "team", row.id, null, view.audited);
    return view.shown;
  });
}

/**
 * Changes a team; ALREADY_EXISTS when its new name (or new parent) would give it the name of a
 * team under the same parent. Moving it needs an admin.
 */
export async function updateTeam(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<TeamView> {
  const input = parseInput(TeamUpdateSchema, body);
  assertChatUrls(input, svc.allowPrivateUrls === true);
  return mutate(svc, actor, async (w) => {
    const row = await teamRepo.get(w.tx, w.scope, id);
    await w.guard.assertCanEditTeam(id);
    // Moving a team in the hierarchy reorganises the organisation: admins only.
    if (input.parentId !== undefined && input.parentId !== row.parentId)
      w.guard.assertAdmin("move a team to another parent");
    const before = (await teamViews(w.tx, w.scope, row, actor)).audited;
    await checkVersion(input.version ?? ifMatch, row, () => before);
    if (input.parentId !== undefined) await checkTeamParent(w.tx, w.scope, id, input.parentId);
    const name = input.name ?? row.name;
    const parentId = input.parentId === undefined ? row.parentId : input.parentId;
    if (name.trim().toLocaleLowerCase() !== row.name.trim().toLocaleLowerCase() || parentId !== row.parentId)
      await checkTeamNameFree(w.tx, w.scope, name, parentId, id);
    await requireUsers(w.tx, w.scope, input.ownerIds, "ownerIds");
    await requireUsers(w.tx, w.scope, input.memberIds, "memberIds");
    const updated = await teamRepo.update(w.tx, w.scope, id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
      ...(input.cadence !== undefined ? { cadence: input.cadence } : {}),
      ...(input.slackWebhookUrl !== undefined ? { slackWebhookUrl: input.slackWebhookUrl } : {}),
      ...(input.teamsWebhookUrl !== undefined ? { teamsWebhookUrl: input.teamsWebhookUrl } : {}),
    });
    if (input.ownerIds !== undefined || input.memberIds !== undefined) {
      await teamQueries.setMembers(
        w.tx,
        w.scope,
        id,
        input.ownerIds ?? before.ownerIds,
        input.memberIds ?? before.memberIds,
      );
    }
    const view = await teamViews(w.tx, w.scope, updated, actor);
    await w.audit("team.updated", "team", id, before, view.audited);
    return view.shown;
  });
}

/** Deletes a team that no objective and no sub-team uses (CONFLICT otherwise). */
export async function deleteTeam(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const row = await teamRepo.get(w.tx, w.scope, id);
    const before = (await teamViews(w.tx, w.scope, row, actor)).audited;
    const objs = await objectiveRepo.list(w.tx, w.scope, eq(objectives.teamId, id));
    if (objs.length) {
      throw new AppError(
        "CONFLICT",
        `The team "${row.name}" owns ${objs.length} objective(s); give them to another team or delete them first.`,
      );
    }
    const subTeams = await teamRepo.list(w.tx, w.scope, eq(teamsTable.parentId, id));
    if (subTeams.length) {
      throw new AppError(
        "CONFLICT",
        `The team "${row.name}" has sub-teams (${subTeams.map((t) => t.name).join(", ")}); move or delete them first.`,
      );
    }
    await teamQueries.setMembers(w.tx, w.scope, id, [], []);
    await teamRepo.softDelete(w.tx, w.scope, id, new Date(w.nowMs));
    await w.audit("team.deleted", "team", id, before, null);
  });
}

async function checkManager(ex: Executor, scope: OrgScope, id: string | null, managerId: string | null | undefined) {
  await checkParentLink(
    id,
    managerId,
    (x) => userRepo.find(ex, scope, x),
    (u) => u.managerId,
    {
      field: "managerId",
      noun: "person",
      loopMessage: "a person cannot report to themselves or to someone who reports to them",
    },
  );
}

export async function listUsers(svc: Services, actor: Actor, query: unknown): Promise<Page<UserView>> {
  return read(svc, actor, ({ ex, scope }) =>
    namedListPage(
      "users",
      query,
      (after, limit, text, ids) => namedListQueries.users(ex, scope, after, limit, text, ids),
      async (rows) => {
        const ids = rows.map((u) => u.id);
        const teamIds = ids.length ? await userQueries.teamIdsByUser(ex, scope, ids) : new Map<string, string[]>();
        return rows.map((u) => presentUser(u, teamIds.get(u.id) ?? []));
      },
    ),
  );
}

/** A person's row (for the rules) and their public view (for answers and the audit trail). */
async function loadUser(ex: Executor, scope: OrgScope, id: string): Promise<{ row: UserRow; view: UserView }> {
  const row = await userRepo.get(ex, scope, id);
  return { row, view: presentUser(row, (await userQueries.teamIdsByUser(ex, scope, [id])).get(id) ?? []) };
}

async function userView(ex: Executor, scope: OrgScope, id: string): Promise<UserView> {
  return (await loadUser(ex, scope, id)).view;
}

export async function getUser(svc: Services, actor: Actor, id: string): Promise<UserView> {
  return read(svc, actor, ({ ex, scope }) => userView(ex, scope, id));
}

/** Adds a person and, unless `invite` is false, emails them an invitation to choose a password. */
export async function createUser(
  svc: Services,
  actor: Actor,
  body: unknown,
): Promise<UserView & { invitation?: InvitationResult }> {
  const { invite, ...input } = parseInput(UserInviteSchema, body);
  const view = await addUser(svc, actor, input);
  if (invite === false) return view;
  return { ...view, invitation: await inviteUser(svc, actor, view.id) };
}

async function addUser(svc: Services, actor: Actor, input: z.output<typeof UserCreateSchema>): Promise<UserView> {
  return mutate(svc, actor, async (w) => {
    if (await userQueries.findByEmail(w.tx, w.scope, input.email)) {
      throw new AppError("ALREADY_EXISTS", `A person with the email ${input.email} already exists.`);
    }
    const denial = personChangeDenial(w.actor, null, { role: input.role ?? "member" });
    if (denial) throw new AppError("FORBIDDEN", denial);
    await checkManager(w.tx, w.scope, null, input.managerId);
    await requireTeams(w.tx, w.scope, input.teamIds, "teamIds");
    const row = await userRepo.insert(w.tx, w.scope, {
      name: input.name,
      email: input.email,
      role: input.role ?? "member",
      managerId: input.managerId ?? null,
      // Whoever chose the address receives its reset links.
      emailSetBy: credentialSetter(w.actor),
    });
    await userQueries.setTeams(w.tx, w.scope, row.id, input.teamIds ?? []);
    const view = await userView(w.tx, w.scope, row.id);
    await w.audit("user.created", "user", row.id, null, view);
    return view;
  });
}

export async function updateUser(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<UserView> {
  const input = parseInput(UserUpdateSchema, body);
  return mutate(svc, actor, async (w) => {
    const { row, view: before } = await loadUser(w.tx, w.scope, id);
    checkUserChange(w, { ...before, isInstanceAdmin: row.isInstanceAdmin }, input);
    await checkVersion(input.version ?? ifMatch, before, () => before);
    if (input.email !== undefined && input.email.toLowerCase() !== before.email.toLowerCase()) {
      if (await userQueries.findByEmail(w.tx, w.scope, input.email)) {
        throw new AppError("ALREADY_EXISTS", `A person with the email ${input.email} already exists.`);
      }
    }
    await checkLastOwner(w, before, input);
    if (input.managerId !== undefined) await checkManager(w.tx, w.scope, id, input.managerId);
    await requireTeams(w.tx, w.scope, input.teamIds, "teamIds");
    const { version: _v, teamIds, ...patch } = input;
    await userRepo.update(w.tx, w.scope, id, patch);
    if (teamIds !== undefined) await userQueries.setTeams(w.tx, w.scope, id, teamIds);
    const view = await userView(w.tx, w.scope, id);
    await w.audit("user.updated", "user", id, before, view);
    await settlePersonChange(
      w.tx,
      w.scope,
      id,
      {
        deactivated: input.active === false && before.active,
        role: input.role !== undefined && input.role !== before.role,
        email: input.email !== undefined && input.email.toLowerCase() !== before.email.toLowerCase(),
      },
      w.nowMs,
      w.audit,
      credentialSetter(w.actor),
    );
    return view;
  });
}

/**
 * Who may change a person: owners and admins change names, managers and teams of anyone; a
 * role, an email or deactivation only for people they outrank (`outranks`: admins over members
 * and observers, owners over everyone but the instance administrator), or themselves; only
 * owners grant or take the owner role. Everyone else changes only their own name.
 */
function checkUserChange(
  w: Write,
  before: UserView & Rank,
  input: { role?: string | undefined; active?: boolean | undefined } & Record<string, unknown>,
) {
  const self = before.id === w.actor.userId;
  if (!w.guard.isAdmin) {
    const allowed = new Set(["name", "version"]);
    const asked = Object.keys(input).filter((k) => input[k] !== undefined && !allowed.has(k));
    if (!self) throw new AppError("FORBIDDEN", "Only organisation owners and admins can change other people.");
    if (asked.length) {
      throw new AppError(
        "FORBIDDEN",
        `You can change your own name; ${asked.join(", ")} can only be changed by an organisation owner or admin.`,
      );
    }
    return;
  }
  const denial = personChangeDenial(w.actor, before, {
    role: input.role,
    email: typeof input.email === "string" && input.email.toLowerCase() !== before.email.toLowerCase(),
    active: input.active !== undefined && input.active !== before.active ? input.active : undefined,
  });
  if (denial) throw new AppError("FORBIDDEN", denial);
}

/** An organisation always keeps at least one active owner. */
async function checkLastOwner(
  w: Write,
  before: UserView,
  input: { role?: string | undefined; active?: boolean | undefined },
) {
  const losesOwner =
    before.role === "owner" &&
    before.active &&
    ((input.role !== undefined && input.role !== "owner") || input.active === false);
  if (!losesOwner) return;
  const owners = (await userRepo.list(w.tx, w.scope)).filter((u) => u.role === "owner" && u.active);
  if (owners.length <= 1) {
    throw new AppError("CONFLICT", "This is the organisation's last owner; make someone else an owner first.");
  }
}

/** Deactivates a person (their OKRs and check-ins stay; their tokens stop working). */
export async function deleteUser(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const { row, view: before } = await loadUser(w.tx, w.scope, id);
    if (id === actor.userId)
      throw new AppError("CONFLICT", "You cannot deactivate your own account; ask another admin.");
    checkUserChange(w, { ...before, isInstanceAdmin: row.isInstanceAdmin }, { active: false });
    await checkLastOwner(w, before, { active: false });
    await userRepo.update(w.tx, w.scope, id, { active: false });
    await w.audit("user.deactivated", "user", id, before, { ...before, active: false });
    await settlePersonChange(w.tx, w.scope, id, { deactivated: true }, w.nowMs, w.audit);
  });
}
