/**
 * Rules of the alignment graph (okr-method.md §1, §3): it stays acyclic, and a `sum`
 * roll-up only adds up key results measured in the same unit.
 */
import type { NodeType, Unit } from "./types.js";

/** A link "child contributes to parent", without its weight and `contributes` flag (they do not matter for loops). */
export interface AlignmentEdge {
  childType: NodeType;
  childId: string;
  parentType: NodeType;
  parentId: string;
}

function refKey(type: NodeType, id: string): string {
  return `${type}:${id}`;
}

/**
 * Whether adding `candidate` to the graph would close a loop (§1). The graph holds every
 * alignment in `existing` (contributing or not: pass them all) plus an edge from each key
 * result to its own objective, taken from `krToObjective` (KR id → objective id).
 *
 * True for a self-loop, for any candidate whose parent already reaches its child by going
 * upward, and for a key result aligned under its own objective: that KR already counts
 * there, and a second path would count it twice.
 *
 * An iterative depth-first search (no recursion, so deep chains are fine), linear in the size of the graph.
 */
export function wouldCreateCycle(
  existing: readonly AlignmentEdge[],
  krToObjective: ReadonlyMap<string, string>,
  candidate: AlignmentEdge,
): boolean {
  const child = refKey(candidate.childType, candidate.childId);
  const parent = refKey(candidate.parentType, candidate.parentId);
  if (child === parent) return true;
  if (
    candidate.childType === "keyResult" &&
    candidate.parentType === "objective" &&
    krToObjective.get(candidate.childId) === candidate.parentId
  ) {
    return true;
  }

  const parentsOf = new Map<string, string[]>();
  const link = (from: string, to: string) => {
    const list = parentsOf.get(from);
    if (list) list.push(to);
    else parentsOf.set(from, [to]);
  };
  for (const e of existing) link(refKey(e.childType, e.childId), refKey(e.parentType, e.parentId));
  for (const [kr, objective] of krToObjective) link(refKey("keyResult", kr), refKey("objective", objective));

  // The new edge closes a loop exactly when the child is already an ancestor of the parent.
  const seen = new Set<string>([parent]);
  const pending = [parent];
  while (pending.length > 0) {
    const node = pending.pop()!;
    for (const up of parentsOf.get(node) ?? []) {
      if (up === child) return true;
      if (!seen.has(up)) {
        seen.add(up);
        pending.push(up);
      }
    }
  }
  return false;
}

/** A key result's measuring unit as `sameUnitProblem` reads it (a database row fits too). */
export interface UnitOf {
  /** A {@link Unit}; any string is accepted so database rows can be passed as they are. */
  unit: Unit | string;
  /** ISO 4217 code when `unit` is `currency`. */
  currency: string | null;
  /** Used in the message when present. */
  title?: string;
}

function describeUnit(x: UnitOf): string {
  if (x.unit === "currency") return x.currency ? `currency ${x.currency}` : "a currency with no code";
  return x.unit === "percent" ? "percent" : `unit "${x.unit}"`;
}

/**
 * Why `child` may not align under `parent`, a KR that rolls up by `sum` (§3: only key
 * results of the same unit, and for money the same currency, may be added up), or null
 * when they match. Currency codes compare case-insensitively.
 */
export function sameUnitProblem(parent: UnitOf, child: UnitOf): string | null {
  const sameCurrency =
    parent.unit !== "currency" || (parent.currency ?? "").toUpperCase() === (child.currency ?? "").toUpperCase();
  if (parent.unit === child.unit && sameCurrency) return null;
  const who = child.title ? `"${child.title}"` : "this key result";
  const into = parent.title ? `"${parent.title}"` : "the parent";
  return `${who} is measured in ${describeUnit(child)} but ${into} adds up its children's values in ${describeUnit(parent)}; align a key result measured in ${describeUnit(parent)}, or change the parent's roll-up to "mean" or "proportional"`;
}
