/**
 * Alignment graph rules (okr-method.md §1, §3): no loops, and `sum` roll-ups only over
 * key results of the same unit.
 */
import type { NodeType, Unit } from "./types.js";

export interface AlignmentEdge {
  childType: NodeType;
  childId: string;
  parentType: NodeType;
  parentId: string;
}

/**
 * Whether adding `candidate` would close a loop. The graph holds every alignment
 * (contributing or not) plus an edge from each KR to its own objective.
 */
export function wouldCreateCycle(
  existing: readonly AlignmentEdge[],
  krToObjective: ReadonlyMap<string, string>,
  candidate: AlignmentEdge,
): boolean {
  const key = (type: NodeType, id: string) => `${type}:${id}`;
  const up = new Map<string, string[]>();
  const add = (from: string, to: string) => {
    const list = up.get(from);
    if (list) list.push(to);
    else up.set(from, [to]);
  };
  for (const e of existing) add(key(e.childType, e.childId), key(e.parentType, e.parentId));
  for (const [kr, objective] of krToObjective) add(key("keyResult", kr), key("objective", objective));
  // A loop exists iff the child is reachable upward from the new parent (or is the parent).
  const target = key(candidate.childType, candidate.childId);
  const start = key(candidate.parentType, candidate.parentId);
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length) {
    const node = stack.pop()!;
    if (node === target) return true;
    for (const next of up.get(node) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}

/** Why `child` may not align under the `sum` KR `parent` (different unit or currency), or null. */
export function sameUnitProblem(
  parent: { unit: Unit | string; currency: string | null; title?: string },
  child: { unit: Unit | string; currency: string | null; title?: string },
): string | null {
  const label = (x: { unit: string; currency: string | null }) =>
    x.unit === "currency" ? `currency ${x.currency ?? "?"}` : x.unit;
  if (parent.unit !== child.unit || (parent.unit === "currency" && parent.currency !== child.currency)) {
    return `a key result that sums its children needs children in the same unit: the parent is in ${label(parent)}, ${
      child.title ? `"${child.title}"` : "the child"
    } is in ${label(child)}`;
  }
  return null;
}
