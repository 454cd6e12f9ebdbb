/**
 * Alignments: "child contributes to parent" links between objectives and key results,
 * with a weight and a `contributes` flag. The graph stays acyclic.
 */

import { z } from "zod";
import { alignmentRepo, graphQueries, keyResultRepo, objectiveRepo } from "../db/repositories.js";
import { type AlignmentEdge, sameUnitProblem, wouldCreateCycle } from "../domain/alignment.js";
import { AppError } from "../domain/errors.js";
import type { NodeType } from "../domain/types.js";
import { type Actor, checkVersion, missingReference, mutate, read, type Services, type Write } from "./context.js";
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
  return read(svc, actor, async ({ ex, scope }) => {
    const rows = (await alignmentRepo.list(ex, scope)).filter(
      (a) => (!q.childId || a.childId === q.childId) && (!q.parentId || a.parentId === q.parentId),
    );
    return paginate(rows.map(presentAlignment), q.limit, q.cursor);
  });
}

export async function getAlignment(svc: Services, actor: Actor, id: string): Promise<AlignmentView> {
  return read(svc, actor, async ({ ex, scope }) => presentAlignment(await alignmentRepo.get(ex, scope, id)));
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
    await graphQueries.deleteAlignments(w.tx, w.scope, [id]);
    w.touch();
    await w.audit("alignment.deleted", "alignment", id, presentAlignment(row), null);
  });
}
