/**
 * Alignments: "child contributes to parent" links between objectives and key results,
 * with a weight and a `contributes` flag. The graph stays acyclic.
 *
 * A parent's progress is its owners' to shape: aligning a contributing child needs edit rights
 * on the parent. Without them the alignment is made `pending` (stored as not contributing) until
 * someone who may edit the parent accepts it (`approveAlignment`) or removes it; the weights of
 * a parent's children are likewise set from the parent's side only.
 */

import { z } from "zod";
import { alignmentListQueries } from "../db/list-queries.js";
import {
  type AlignmentRow,
  alignmentRepo,
  graphQueries,
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  objectiveRepo,
} from "../db/repositories.js";
import { canEditKeyResult, canEditObjective } from "../domain/access.js";
import { type AlignmentEdge, sameUnitProblem, wouldCreateCycle } from "../domain/alignment.js";
import { AppError } from "../domain/errors.js";
import type { NodeType } from "../domain/types.js";
import { forbidden } from "./access.js";
import {
  type Actor,
  checkVersion,
  missingReference,
  mutate,
  read,
  type Services,
  type Write,
  type WriteOptions,
} from "./context.js";
import { walkUp } from "./evaluation.js";
import { parentObjective } from "./okr.service.js";
import { createdListPage, type Page } from "./pagination.js";
import { presentAlignment } from "./presenters.js";
import {
  AlignmentApproveSchema,
  AlignmentCreateSchema,
  AlignmentUpdateSchema,
  PageQuerySchema,
  parseInput,
} from "./schemas.js";

export type AlignmentView = ReturnType<typeof presentAlignment>;

/** `mutate` with how the write runs given first (a preview rehearses it: alignment-preview.service.ts). */
const mutateWith =
  (options: WriteOptions) =>
  <T>(svc: Services, actor: Actor, fn: (w: Write) => Promise<T>): Promise<T> =>
    mutate(svc, actor, fn, options);

const AlignmentListQuery = PageQuerySchema.extend({
  childId: z.string().optional(),
  parentId: z.string().optional(),
  state: z.enum(["active", "pending"]).optional(),
});

/** Alignments (between objects the caller may see), oldest first; one keyset page read in SQL. */
export async function listAlignments(svc: Services, actor: Actor, query: unknown): Promise<Page<AlignmentView>> {
  const q = parseInput(AlignmentListQuery, query, "query");
  const filter = { childId: q.childId, parentId: q.parentId, state: q.state };
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const hiddenNodeIds = [...(await guard.hiddenNodes())];
    return createdListPage(
      "alignments",
      filter,
      q,
      (after, limit) => alignmentListQueries.page(ex, scope, { ...filter, hiddenNodeIds }, after, limit),
      (rows) => rows.map(presentAlignment),
    );
  });
}

export async function getAlignment(svc: Services, actor: Actor, id: string): Promise<AlignmentView> {
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const row = await alignmentRepo.get(ex, scope, id);
    const hidden = await guard.hiddenNodes();
    if (hidden.has(row.childId) || hidden.has(row.parentId)) throw AppError.notFound("alignment", id);
    return presentAlignment(row);
  });
}

/** The objectives at both ends of an alignment (a key result's objective for KR nodes). */
async function ends(w: Write, row: { childType: string; childId: string; parentType: string; parentId: string }) {
  return {
    child: await parentObjective(w, row.childType, row.childId),
    parent: await parentObjective(w, row.parentType, row.parentId),
  };
}

/**
 * Whether the caller may edit the parent end of an alignment (its objective, or the key result:
 * which its own owners may edit too), and so decide what counts toward it and how much.
 */
async function mayEditParent(w: Write, parentType: string, parentId: string, parentObjective: ObjectiveRow | null) {
  if (!parentObjective) return false;
  const g = await w.guard.graph();
  if (parentType === "keyResult") {
    const kr = await keyResultRepo.find(w.tx, w.scope, parentId);
    return kr !== null && canEditKeyResult(g, w.guard.viewer, kr, parentObjective);
  }
  return canEditObjective(g, w.guard.viewer, parentObjective);
}

/**
 * Whether the caller speaks for the parent end of an alignment (may edit it): what they align
 * under it counts at once; anything else waits for that side as `pending`.
 */
export async function speaksForParent(w: Write, parentType: string, parentId: string): Promise<boolean> {
  return mayEditParent(w, parentType, parentId, await parentObjective(w, parentType, parentId));
}

/**
 * Changing or removing an alignment: whoever may edit the child's or the parent's objective.
 * Returns whether the caller speaks for the parent's side.
 */
async function assertCanChange(w: Write, row: AlignmentRow): Promise<{ parentSide: boolean }> {
  const { child, parent } = await ends(w, row);
  const g = await w.guard.graph();
  const hidden = await w.guard.hiddenNodes();
  if (hidden.has(row.childId) || hidden.has(row.parentId)) throw AppError.notFound("alignment", row.id);
  const parentSide = await mayEditParent(w, row.parentType, row.parentId, parent);
  if (!parentSide && !(child !== null && canEditObjective(g, w.guard.viewer, child))) {
    throw forbidden(
      "You cannot change this alignment: only those who may edit the aligned objective or the one it aligns under can.",
    );
  }
  return { parentSide };
}

const WEIGHTS_ARE_THE_PARENTS =
  "The weights of an objective's or key result's children are set by those who may edit it (its owners); leave weight out, and they can set it when they accept.";

/**
 * A node named in a request with the objective it belongs to (itself, or the key result's).
 * A node the caller may not see gets the same NOT_FOUND as an id that does not exist,
 * naming the field and the id they sent.
 */
async function loadNode(w: Write, type: NodeType, id: string, field: string) {
  const noun = type === "objective" ? "objective" : "key result";
  const keyResult = type === "keyResult" ? await keyResultRepo.find(w.tx, w.scope, id) : null;
  const owner =
    type === "objective" || keyResult
      ? await objectiveRepo.find(w.tx, w.scope, keyResult ? keyResult.objectiveId : id)
      : null;
  if (!owner || (await w.guard.hidden()).has(owner.id)) throw missingReference(field, noun, [id]);
  return { objective: type === "objective" ? owner : null, keyResult, owner };
}

/**
 * What a loop check of `candidate` needs: a loop through it runs upward from its parent, so the
 * links above the parent and each key result's objective there (and the child's own, when the
 * child is a key result). Reads what lies above the parent, not the organisation.
 */
export async function aboveParent(
  w: Write,
  candidate: AlignmentEdge,
  childKr: Pick<KeyResultRow, "id" | "objectiveId"> | null,
): Promise<{ edges: AlignmentEdge[]; krToObjective: Map<string, string> }> {
  const byType = (type: NodeType) => (candidate.parentType === type ? [candidate.parentId] : []);
  const above = await walkUp(w.tx, w.scope, byType("keyResult"), byType("objective"));
  const edges = above.edges.map((a) => ({
    childType: a.childType as NodeType,
    childId: a.childId,
    parentType: a.parentType as NodeType,
    parentId: a.parentId,
  }));
  if (childKr) above.krObjective.set(childKr.id, childKr.objectiveId);
  return { edges, krToObjective: above.krObjective };
}

/** Whether `candidate`'s child is already aligned under its parent. */
export async function alreadyAligned(w: Write, candidate: AlignmentEdge): Promise<boolean> {
  const ofChild = (type: NodeType) => (candidate.childType === type ? [candidate.childId] : []);
  const fromChild = await graphQueries.alignmentsAt(w.tx, w.scope, "child", {
    objective: ofChild("objective"),
    keyResult: ofChild("keyResult"),
  });
  return fromChild.some((e) => e.parentType === candidate.parentType && e.parentId === candidate.parentId);
}

export async function createAlignment(
  svc: Services,
  actor: Actor,
  body: unknown,
  options: WriteOptions = {},
): Promise<AlignmentView> {
  const input = parseInput(AlignmentCreateSchema, body);
  return mutateWith(options)(svc, actor, async (w) => {
    // Both ends are looked up (404) before any permission is checked: a 403 about the child
    // must not tell a hidden parent from one that does not exist.
    const child = await loadNode(w, input.childType, input.childId, "childId");
    const parent = await loadNode(w, input.parentType, input.parentId, "parentId");
    const childObj = child.owner;
    const parentObj = parent.owner;
    await w.guard.assertCanEditObjective(childObj);
    if (childObj.visibility === "private" && parentObj.visibility !== "private" && !w.guard.rules.privateUnderPublic) {
      throw AppError.validation([
        `parentId: "${childObj.title}" is private and "${parentObj.title}" is public; a private objective cannot align under a public one (its progress would show through). Make it public, or ask an admin to allow it in settings (privateUnderPublic).`,
      ]);
    }
    if (child.keyResult && parent.objective && child.keyResult.objectiveId === parent.objective.id) {
      throw AppError.validation([
        "parentId: a key result already counts toward its own objective; align it under another objective or key result",
      ]);
    }
    const pkr = parent.keyResult;
    if (pkr && pkr.progressMode === "rollup" && pkr.rollup === "sum") {
      if (!child.keyResult) {
        throw AppError.validation([
          `childType: only key results can align under "${pkr.title}", which sums its children's values; align the objective's key results instead`,
        ]);
      }
      const problem = sameUnitProblem(pkr, child.keyResult);
      if (problem) throw AppError.validation([`childId: ${problem}`]);
    }
    const candidate: AlignmentEdge = {
      childType: input.childType,
      childId: input.childId,
      parentType: input.parentType,
      parentId: input.parentId,
    };
    const { edges, krToObjective } = await aboveParent(w, candidate, child.keyResult);
    if (wouldCreateCycle(edges, krToObjective, candidate)) {
      // The loop must stay refused even through what the caller may not see, but it must not name it.
      const path = redactHidden(loopPath(edges, krToObjective, candidate), await w.guard.hiddenNodes());
      const unseen = path.some((n) => n.type === "hidden")
        ? " Part of that loop runs through objectives you cannot see."
        : "";
      throw new AppError(
        "ALIGNMENT_CYCLE",
        `This alignment would close a loop: the parent already contributes (directly or through other items) to the child.${unseen} Align the child under something that is not one of its own descendants.`,
        { candidate, path },
      );
    }
    if (await alreadyAligned(w, candidate)) {
      throw new AppError(
        "ALREADY_EXISTS",
        "This child is already aligned under this parent; change the existing alignment instead.",
      );
    }
    // Counting toward a parent needs the parent's side: without it, the alignment waits for them.
    const parentSide = await mayEditParent(w, input.parentType, input.parentId, parentObj);
    if (!parentSide && input.weight !== undefined && Number(input.weight) !== 1)
      throw forbidden(WEIGHTS_ARE_THE_PARENTS);
    const pending = !parentSide && (input.contributes ?? true);
    const row = await alignmentRepo.insert(w.tx, w.scope, {
      childType: input.childType,
      childId: input.childId,
      parentType: input.parentType,
      parentId: input.parentId,
      weight: input.weight ?? "1",
      contributes: pending ? false : (input.contributes ?? true),
      state: pending ? "pending" : "active",
    });
    if (!pending) w.touch([], { [row.parentType]: [row.parentId] });
    const view = presentAlignment(row);
    await w.audit(pending ? "alignment.requested" : "alignment.created", "alignment", row.id, null, view);
    return view;
  });
}

type PathNode = { type: NodeType; id: string } | { type: "hidden" };

/**
 * The loop `candidate` would close, as the nodes from its parent up to its child (the way the
 * parent already contributes to the child), following alignments and each key result's link to
 * its own objective. Only called when `wouldCreateCycle` said yes; a loop with no upward path
 * (a self-loop) is just its two ends.
 */
function loopPath(
  edges: readonly AlignmentEdge[],
  krToObjective: ReadonlyMap<string, string>,
  candidate: AlignmentEdge,
): { type: NodeType; id: string }[] {
  const key = (type: NodeType, id: string) => `${type}:${id}`;
  const parentsOf = new Map<string, { type: NodeType; id: string }[]>();
  const link = (fromType: NodeType, fromId: string, to: { type: NodeType; id: string }) => {
    const k = key(fromType, fromId);
    parentsOf.set(k, [...(parentsOf.get(k) ?? []), to]);
  };
  for (const e of edges) link(e.childType, e.childId, { type: e.parentType, id: e.parentId });
  for (const [kr, objective] of krToObjective) link("keyResult", kr, { type: "objective", id: objective });
  const start = { type: candidate.parentType, id: candidate.parentId };
  const goal = key(candidate.childType, candidate.childId);
  // Breadth first, so the loop reported is a shortest one.
  const cameFrom = new Map<string, { type: NodeType; id: string } | null>([[key(start.type, start.id), null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    for (const up of parentsOf.get(key(node.type, node.id)) ?? []) {
      const k = key(up.type, up.id);
      if (cameFrom.has(k)) continue;
      cameFrom.set(k, node);
      if (k === goal) {
        const path = [up];
        for (let at = cameFrom.get(k); at; at = cameFrom.get(key(at.type, at.id))) path.unshift(at);
        return path;
      }
      queue.push(up);
    }
  }
  const end = { type: candidate.childType, id: candidate.childId };
  return key(start.type, start.id) === goal ? [start] : [start, end];
}

/** The path with each stretch of nodes the caller may not see folded into one `{type: "hidden"}`. */
function redactHidden(path: { type: NodeType; id: string }[], hidden: ReadonlySet<string>): PathNode[] {
  const out: PathNode[] = [];
  for (const n of path) {
    if (!hidden.has(n.id)) out.push(n);
    else if (out.at(-1)?.type !== "hidden") out.push({ type: "hidden" });
  }
  return out;
}

/** Stores a change to an alignment, marks the roll-ups for recomputation and audits it as `action`. */
async function saveAlignment(
  w: Write,
  row: AlignmentRow,
  patch: Partial<Pick<AlignmentRow, "weight" | "contributes" | "state">>,
  action: string,
): Promise<AlignmentView> {
  const updated = await alignmentRepo.update(w.tx, w.scope, row.id, patch);
  w.touch([], { [row.parentType]: [row.parentId] });
  const view = presentAlignment(updated);
  await w.audit(action, "alignment", row.id, presentAlignment(row), view);
  return view;
}

export async function updateAlignment(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
  options: WriteOptions = {},
): Promise<AlignmentView> {
  const input = parseInput(AlignmentUpdateSchema, body);
  return mutateWith(options)(svc, actor, async (w) => {
    const row = await alignmentRepo.get(w.tx, w.scope, id);
    const { parentSide } = await assertCanChange(w, row);
    await checkVersion(input.version ?? ifMatch, row, () => presentAlignment(row));
    const { version: _v, ...patch } = input;
    if (!parentSide && patch.weight !== undefined && Number(patch.weight) !== Number(row.weight)) {
      throw forbidden(WEIGHTS_ARE_THE_PARENTS);
    }
    // From the child's side, asking to count again makes it a request; withdrawing needs nobody's say.
    const asks = !parentSide && patch.contributes === true && (row.state === "pending" || !row.contributes);
    const state = asks ? "pending" : patch.contributes === undefined ? row.state : "active";
    const contributes = asks ? false : (patch.contributes ?? row.contributes);
    return saveAlignment(w, row, { ...patch, contributes, state }, "alignment.updated");
  });
}

export async function deleteAlignment(
  svc: Services,
  actor: Actor,
  id: string,
  options: WriteOptions = {},
): Promise<void> {
  await mutateWith(options)(svc, actor, async (w) => {
    const row = await alignmentRepo.get(w.tx, w.scope, id);
    await assertCanChange(w, row);
    await graphQueries.deleteAlignments(w.tx, w.scope, [id]);
    w.touch([], { [row.parentType]: [row.parentId] });
    await w.audit("alignment.deleted", "alignment", id, presentAlignment(row), null);
  });
}

/**
 * Accepts a pending alignment: from now on the child counts toward the parent, with the weight
 * given (or the one asked for). Only those who may edit the parent (FORBIDDEN otherwise);
 * CONFLICT when the alignment is not pending.
 */
export async function approveAlignment(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
  options: WriteOptions = {},
): Promise<AlignmentView> {
  const input = parseInput(AlignmentApproveSchema, body ?? {});
  return mutateWith(options)(svc, actor, async (w) => {
    const row = await alignmentRepo.get(w.tx, w.scope, id);
    const { parentSide } = await assertCanChange(w, row);
    if (!parentSide) {
      throw forbidden("Only those who may edit the objective or key result it aligns under can accept this alignment.");
    }
    if (row.state !== "pending") {
      throw new AppError(
        "CONFLICT",
        "This alignment is not waiting for approval; change its weight or contribution instead.",
      );
    }
    await checkVersion(input.version ?? ifMatch, row, () => presentAlignment(row));
    const weight = input.weight !== undefined ? { weight: input.weight } : {};
    return saveAlignment(w, row, { state: "active", contributes: true, ...weight }, "alignment.approved");
  });
}
