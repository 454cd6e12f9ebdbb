/**
 * Alignments: "child contributes to parent" links between objectives and key results,
 * with a weight and a `contributes` flag. The graph stays acyclic.
 */

import { z } from "zod";
import { type AlignmentRow, alignmentRepo, graphQueries, keyResultRepo, objectiveRepo } from "../db/repositories.js";
import { canEditObjective } from "../domain/access.js";
import { type AlignmentEdge, sameUnitProblem, wouldCreateCycle } from "../domain/alignment.js";
import { AppError } from "../domain/errors.js";
import type { NodeType } from "../domain/types.js";
import { forbidden } from "./access.js";
import { type Actor, checkVersion, missingReference, mutate, read, type Services, type Write } from "./context.js";
import { parentObjective } from "./okr.service.js";
import { type Page, paginate } from "./pagination.js";
import { presentAlignment } from "./presenters.js";
import { AlignmentCreateSchema, AlignmentUpdateSchema, PageQuerySchema, parseInput } from "./schemas.js";

export type AlignmentView = ReturnType<typeof presentAlignment>;

const AlignmentListQuery = PageQuerySchema.extend({
  childId: z.string().optional(),
  parentId: z.string().optional(),
});

export async function listAlignments(svc: Services, actor: Actor, query: unknown): Promise<Page<AlignmentView>> {
  const q = parseInput(AlignmentListQuery, query, "query");
  return read(svc, actor, async ({ ex, scope, guard }) => {
    const hidden = await guard.hiddenNodes();
    const rows = (await alignmentRepo.list(ex, scope)).filter(
      (a) =>
        (!q.childId || a.childId === q.childId) &&
        (!q.parentId || a.parentId === q.parentId) &&
        !hidden.has(a.childId) &&
        !hidden.has(a.parentId),
    );
    return paginate(rows.map(presentAlignment), q.limit, q.cursor);
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

/** Changing or removing an alignment: whoever may edit the child's or the parent's objective. */
async function assertCanChange(w: Write, row: AlignmentRow) {
  const { child, parent } = await ends(w, row);
  const g = await w.guard.graph();
  const hidden = await w.guard.hiddenNodes();
  if (hidden.has(row.childId) || hidden.has(row.parentId)) throw AppError.notFound("alignment", row.id);
  const may = [child, parent].some((o) => o !== null && canEditObjective(g, w.guard.viewer, o));
  if (!may) {
    throw forbidden(
      "You cannot change this alignment: only those who may edit the aligned objective or the one it aligns under can.",
    );
  }
}

async function loadNode(w: Write, type: NodeType, id: string, field: string) {
  if (type === "objective") {
    const o = await objectiveRepo.find(w.tx, w.scope, id);
    if (!o) throw missingReference(field, "objective", [id]);
    return { objective: o, keyResult: null };
  }
  const kr = await keyResultRepo.find(w.tx, w.scope, id);
  if (!kr) throw missingReference(field, "key result", [id]);
  return { objective: null, keyResult: kr };
}

export async function createAlignment(svc: Services, actor: Actor, body: unknown): Promise<AlignmentView> {
  const input = parseInput(AlignmentCreateSchema, body);
  return mutate(svc, actor, async (w) => {
    const child = await loadNode(w, input.childType, input.childId, "childId");
    const parent = await loadNode(w, input.parentType, input.parentId, "parentId");
    const { child: childObj, parent: parentObj } = await ends(w, input);
    if (childObj) await w.guard.assertCanEditObjective(childObj);
    if (parentObj && (await w.guard.hidden()).has(parentObj.id)) {
      throw missingReference("parentId", input.parentType === "objective" ? "objective" : "key result", [
        input.parentId,
      ]);
    }
    if (
      childObj?.visibility === "private" &&
      parentObj &&
      parentObj.visibility !== "private" &&
      !w.guard.rules.privateUnderPublic
    ) {
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
    const existing = await alignmentRepo.list(w.tx, w.scope);
    const krs = await graphQueries.allKeyResults(w.tx, w.scope);
    const candidate: AlignmentEdge = {
      childType: input.childType,
      childId: input.childId,
      parentType: input.parentType,
      parentId: input.parentId,
    };
    const edges = existing.map((a) => ({
      childType: a.childType as NodeType,
      childId: a.childId,
      parentType: a.parentType as NodeType,
      parentId: a.parentId,
    }));
    if (wouldCreateCycle(edges, new Map(krs.map((k) => [k.id, k.objectiveId])), candidate)) {
      throw new AppError(
        "ALIGNMENT_CYCLE",
        "This alignment would close a loop: the parent already contributes (directly or through other items) to the child. Align the child under something that is not one of its own descendants.",
        { candidate },
      );
    }
    if (edges.some((e) => e.childId === candidate.childId && e.parentId === candidate.parentId)) {
      throw new AppError(
        "ALREADY_EXISTS",
        "This child is already aligned under this parent; change the existing alignment instead.",
      );
    }
    const row = await alignmentRepo.insert(w.tx, w.scope, {
      childType: input.childType,
      childId: input.childId,
      parentType: input.parentType,
      parentId: input.parentId,
      weight: input.weight ?? "1",
      contributes: input.contributes ?? true,
    });
    w.touch();
    const view = presentAlignment(row);
    await w.audit("alignment.created", "alignment", row.id, null, view);
    return view;
  });
}

export async function updateAlignment(
  svc: Services,
  actor: Actor,
  id: string,
  body: unknown,
  ifMatch?: number,
): Promise<AlignmentView> {
  const input = parseInput(AlignmentUpdateSchema, body);
  return mutate(svc, actor, async (w) => {
    const row = await alignmentRepo.get(w.tx, w.scope, id);
    await assertCanChange(w, row);
    await checkVersion(input.version ?? ifMatch, row, () => presentAlignment(row));
    const { version: _v, ...patch } = input;
    const updated = await alignmentRepo.update(w.tx, w.scope, id, patch);
    w.touch();
    const view = presentAlignment(updated);
    await w.audit("alignment.updated", "alignment", id, presentAlignment(row), view);
    return view;
  });
}

export async function deleteAlignment(svc: Services, actor: Actor, id: string): Promise<void> {
  await mutate(svc, actor, async (w) => {
    const row = await alignmentRepo.get(w.tx, w.scope, id);
    await assertCanChange(w, row);
    await graphQueries.deleteAlignments(w.tx, w.scope, [id]);
    w.touch();
    await w.audit("alignment.deleted", "alignment", id, presentAlignment(row), null);
  });
}
