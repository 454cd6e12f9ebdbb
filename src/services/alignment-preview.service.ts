/**
 * A preview of an alignment change: what adding, changing, accepting or removing an alignment
 * would do to the progress and status of the parent and of everything above it, before saving.
 *
 * The change is rehearsed: the real use case runs (`createAlignment`, `updateAlignment`,
 * `approveAlignment`, `deleteAlignment`), with its permission checks, validation and the
 * incremental recompute of the write path, and then the transaction is rolled back
 * (`WriteOptions.rehearsal`). So the answer is what saving would produce, and every refusal is
 * the one saving would give. It reads the parent's chain twice (before and after), never the
 * organisation.
 */
import { z } from "zod";
import { alignmentRepo, keyResultRepo, objectiveRepo } from "../db/repositories.js";
import type { NodeType, Status } from "../domain/types.js";
import { createGuard } from "./access.js";
import {
  approveAlignment,
  createAlignment,
  deleteAlignment,
  speaksForParent,
  updateAlignment,
} from "./alignment.service.js";
import { type Actor, type Rehearsal, RehearsalDone, type Services, type Transaction } from "./context.js";
import { storedDerived, walkUp } from "./evaluation.js";
import { type presentAlignment, presentKeyResult, presentObjective } from "./presenters.js";
import {
  AlignmentApproveSchema,
  AlignmentCreateSchema,
  AlignmentUpdateSchema,
  IdSchema,
  parseInput,
} from "./schemas.js";

/** The change to preview: the body the real request would send, with which request it is. */
export const AlignmentPreviewSchema = z.discriminatedUnion("action", [
  AlignmentCreateSchema.extend({ action: z.literal("add") }),
  AlignmentUpdateSchema.extend({ action: z.literal("update"), alignmentId: IdSchema }),
  AlignmentApproveSchema.extend({ action: z.literal("approve"), alignmentId: IdSchema }),
  z.strictObject({ action: z.literal("remove"), alignmentId: IdSchema }),
]);

interface Figures {
  progress: number | null;
  status: Status;
}

export interface AlignmentPreview {
  /** What the alignment would be after the change: counting (`active`), waiting for the parent's side, or gone. */
  outcome: "active" | "pending" | "removed";
  /** Whether the caller speaks for the parent (sets weights and what counts toward it). */
  speaksForParent: boolean;
  /** The parent first, then what it counts toward, nearest first (those the caller may see). */
  parents: {
    type: NodeType;
    id: string;
    title: string;
    /** 0 for the alignment's parent, 1 for what it counts toward directly, and so on. */
    depth: number;
    before: Figures;
    after: Figures;
  }[];
}

interface Node {
  type: NodeType;
  id: string;
  depth: number;
}

/** The node and everything it counts toward, nearest first (breadth first over the chain). */
async function chainFrom(t: Transaction, start: { type: NodeType; id: string }): Promise<Node[]> {
  const byType = (type: NodeType) => (start.type === type ? [start.id] : []);
  const up = await walkUp(t.tx, t.scope, byType("keyResult"), byType("objective"));
  const parentsOf = new Map<string, { type: NodeType; id: string }[]>();
  const link = (from: string, to: { type: NodeType; id: string }) =>
    parentsOf.set(from, [...(parentsOf.get(from) ?? []), to]);
  for (const e of up.edges) link(`${e.childType}:${e.childId}`, { type: e.parentType as NodeType, id: e.parentId });
  for (const [kr, objective] of up.krObjective) link(`keyResult:${kr}`, { type: "objective", id: objective });
  const seen = new Set([`${start.type}:${start.id}`]);
  const order: Node[] = [{ ...start, depth: 0 }];
  for (let i = 0; i < order.length; i++) {
    const node = order[i]!;
    for (const p of parentsOf.get(`${node.type}:${node.id}`) ?? []) {
      const key = `${p.type}:${p.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      order.push({ ...p, depth: node.depth + 1 });
    }
  }
  return order;
}

/** The figures of these nodes as a read would show them now (stored progress, status at the clock). */
async function figuresOf(t: Transaction, nodes: readonly Node[]) {
  const ids = (type: NodeType) => nodes.filter((n) => n.type === type).map((n) => n.id);
  const krs = await keyResultRepo.listByIds(t.tx, t.scope, ids("keyResult"));
  const objectiveIds = new Set([...ids("objective"), ...krs.map((k) => k.objectiveId)]);
  const objectives = new Map((await objectiveRepo.listByIds(t.tx, t.scope, [...objectiveIds])).map((o) => [o.id, o]));
  const out = new Map<string, Figures & { title: string }>();
  for (const o of objectives.values()) {
    const v = presentObjective(o, storedDerived("objective", o), t.ctx, t.nowMs);
    out.set(`objective:${o.id}`, { title: o.title, progress: v.progress, status: v.status });
  }
  for (const kr of krs) {
    const o = objectives.get(kr.objectiveId);
    if (!o) continue;
    const v = presentKeyResult(kr, o, storedDerived("keyResult", kr), t.ctx, t.nowMs);
    out.set(`keyResult:${kr.id}`, { title: kr.title, progress: v.progress, status: v.status });
  }
  return out;
}

/**
 * What the change would do to each parent's progress and status. Refuses exactly as the change
 * itself would (NOT_FOUND, FORBIDDEN, VALIDATION, ALIGNMENT_CYCLE, ALREADY_EXISTS, CONFLICT,
 * VERSION_CONFLICT); stores nothing.
 */
export async function previewAlignment(svc: Services, actor: Actor, body: unknown): Promise<AlignmentPreview> {
  const input = parseInput(AlignmentPreviewSchema, body);
  let chain: Node[] = [];
  let before = new Map<string, Figures & { title: string }>();
  const result: { answer?: AlignmentPreview } = {};
  let parent: { type: NodeType; id: string } | null = null;
  const rehearsal: Rehearsal = {
    async before(t) {
      if (input.action === "add") {
        parent = { type: input.parentType, id: input.parentId };
      } else {
        // An alignment that does not exist: the change itself answers NOT_FOUND.
        const row = await alignmentRepo.find(t.tx, t.scope, input.alignmentId);
        if (row) parent = { type: row.parentType as NodeType, id: row.parentId };
      }
      if (!parent) return;
      chain = await chainFrom(t, parent);
      before = await figuresOf(t, chain);
    },
    async after(t, out) {
      const guard = createGuard(t.tx, actor.scope, actor, t.org);
      const w = { ...t, actor, guard };
      const hidden = await guard.hiddenNodes();
      const after = await figuresOf(t, chain);
      const view = out as ReturnType<typeof presentAlignment> | undefined;
      result.answer = {
        outcome: view ? (view.state === "pending" ? "pending" : "active") : "removed",
        speaksForParent: parent ? await speaksForParent(w, parent.type, parent.id) : false,
        parents: chain.flatMap((n) => {
          const key = `${n.type}:${n.id}`;
          const was = before.get(key);
          const now = after.get(key);
          if (!was || !now || hidden.has(n.id)) return [];
          return [
            {
              type: n.type,
              id: n.id,
              title: now.title,
              depth: n.depth,
              before: { progress: was.progress, status: was.status },
              after: { progress: now.progress, status: now.status },
            },
          ];
        }),
      };
    },
  };
  const options = { rehearsal };
  try {
    if (input.action === "add") {
      const { action: _a, ...change } = input;
      await createAlignment(svc, actor, change, options);
    } else if (input.action === "update") {
      const { action: _a, alignmentId, ...change } = input;
      await updateAlignment(svc, actor, alignmentId, change, undefined, options);
    } else if (input.action === "approve") {
      const { action: _a, alignmentId, ...change } = input;
      await approveAlignment(svc, actor, alignmentId, change, undefined, options);
    } else {
      await deleteAlignment(svc, actor, input.alignmentId, options);
    }
  } catch (err) {
    if (!(err instanceof RehearsalDone)) throw err;
  }
  if (!result.answer) throw new Error("the rehearsed alignment change ended without its preview");
  return result.answer;
}
