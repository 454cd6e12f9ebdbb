/**
 * The roll-up engine (okr-method.md §3): progress of every objective and KR of an
 * organisation from its KRs' own figures and the alignment graph, in one pass.
 */
import { combineForecasts } from "./forecast.js";
import { clamp01, krOwnProgress } from "./progress.js";
import type { Forecast, KrType, NodeType, ProgressMode, RollupMethod, Unit } from "./types.js";

export interface KrInput {
  id: string;
  objectiveId: string;
  type: KrType;
  unit: Unit;
  currency: string | null;
  start: number | null;
  target: number | null;
  progressMode: ProgressMode;
  rollup: RollupMethod;
  progressOverride: number | null;
  weight: number;
  /** The check-in in force (manual KRs). */
  latest: { value: number | null; achieved: boolean | null } | null;
  firstCheckInMs: number | null;
  forecast: Forecast | null;
}

export interface ObjectiveInput {
  id: string;
  progressOverride: number | null;
}

export interface InitiativeInput {
  objectiveId: string;
  progress: number | null;
  weight: number;
}

export interface AlignmentInput {
  childType: NodeType;
  childId: string;
  parentType: NodeType;
  parentId: string;
  weight: number;
  contributes: boolean;
}

export interface GraphInput {
  objectives: readonly ObjectiveInput[];
  keyResults: readonly KrInput[];
  alignments: readonly AlignmentInput[];
  initiatives: readonly InitiativeInput[];
  /** Whether initiatives count toward their objective's progress (setting, off by default). */
  initiativesCount: boolean;
}

export interface NodeResult {
  /** Unrounded fraction; null for a KR without progress (baseline, no target, empty roll-up). */
  progress: number | null;
  /** A KR's current value (own latest value or start; the sum for a `sum` roll-up); null for objectives. */
  current: number | null;
  /** Earliest check-in among the KRs this node draws from (status rule 3). */
  firstCheckInMs: number | null;
  forecast: Forecast | null;
}

/** The map key of a node. */
export function nodeKey(type: NodeType, id: string): string {
  return `${type}:${id}`;
}

interface Child {
  key: string;
  weight: number;
}

const minMs = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/** Weighted mean of children's clamped progress; children with null progress or weight ≤ 0 are left out. */
function weightedMean(items: readonly { progress: number | null; weight: number }[]): number | null {
  let w = 0;
  let sum = 0;
  for (const it of items) {
    if (it.progress === null || !(it.weight > 0)) continue;
    w += it.weight;
    sum += it.weight * clamp01(it.progress);
  }
  return w === 0 ? null : sum / w;
}

/**
 * Evaluates every objective and KR. Children are evaluated before parents (iteratively,
 * memoised); an edge that would close a loop in bad data is ignored rather than looped on.
 */
export function evaluateGraph(input: GraphInput): Map<string, NodeResult> {
  const krs = new Map(input.keyResults.map((k) => [k.id, k]));
  const objectives = new Map(input.objectives.map((o) => [o.id, o]));
  const exists = (type: NodeType, id: string) => (type === "objective" ? objectives.has(id) : krs.has(id));

  // Contributing children of every node: an objective's own KRs (their weight) plus aligned children (the edge's weight).
  const children = new Map<string, Child[]>();
  const push = (parent: string, child: Child) => {
    const list = children.get(parent);
    if (list) list.push(child);
    else children.set(parent, [child]);
  };
  for (const kr of input.keyResults) {
    if (objectives.has(kr.objectiveId))
      push(nodeKey("objective", kr.objectiveId), { key: nodeKey("keyResult", kr.id), weight: kr.weight });
  }
  for (const a of input.alignments) {
    if (!a.contributes || !exists(a.childType, a.childId) || !exists(a.parentType, a.parentId)) continue;
    push(nodeKey(a.parentType, a.parentId), { key: nodeKey(a.childType, a.childId), weight: a.weight });
  }
  const initiativesByObjective = new Map<string, InitiativeInput[]>();
  if (input.initiativesCount) {
    for (const i of input.initiatives) {
      const list = initiativesByObjective.get(i.objectiveId);
      if (list) list.push(i);
      else initiativesByObjective.set(i.objectiveId, [i]);
    }
  }

  const results = new Map<string, NodeResult>();
  const state = new Map<string, 1 | 2>(); // 1 = on the stack, 2 = done

  const compute = (key: string): NodeResult => {
    const [type, id] = key.split(/:(.*)/s) as [NodeType, string];
    const kids = (children.get(key) ?? []).filter((c) => results.has(c.key));
    if (type === "objective") {
      const o = objectives.get(id)!;
      const items = kids.map((c) => ({ progress: results.get(c.key)!.progress, weight: c.weight }));
      for (const i of initiativesByObjective.get(id) ?? []) items.push({ progress: i.progress, weight: i.weight });
      const computed = weightedMean(items) ?? 0;
      const ownKrs = kids.filter((c) => c.key.startsWith("keyResult:") && krs.get(c.key.slice(10))?.objectiveId === id);
      return {
        progress: o.progressOverride ?? computed,
        current: null,
        firstCheckInMs: kids.reduce<number | null>((m, c) => minMs(m, results.get(c.key)!.firstCheckInMs), null),
        forecast: combineForecasts(ownKrs.map((c) => ({ forecast: results.get(c.key)!.forecast, weight: c.weight }))),
      };
    }
    const kr = krs.get(id)!;
    if (kr.progressMode === "manual") {
      const own = krOwnProgress(kr, kr.latest);
      const value = kr.latest?.value ?? null;
      return {
        progress: kr.progressOverride ?? own,
        current: value ?? (kr.type === "milestone" || kr.type === "baseline" ? null : kr.start),
        firstCheckInMs: kr.firstCheckInMs,
        forecast: kr.forecast,
      };
    }
    const first = kids.reduce<number | null>((m, c) => minMs(m, results.get(c.key)!.firstCheckInMs), null);
    let progress: number | null;
    let current: number | null = null;
    if (kr.rollup === "sum") {
      let sum: number | null = null;
      for (const c of kids) {
        if (!c.key.startsWith("keyResult:")) continue;
        const v = results.get(c.key)!.current;
        if (v !== null) sum = (sum ?? 0) + v;
      }
      current = sum ?? kr.start;
      progress = krOwnProgress(kr, sum === null ? null : { value: sum, achieved: null });
    } else if (kr.rollup === "proportional") {
      // Each KR child weighs its share of the children's total |target − start|.
      const items: { progress: number | null; weight: number }[] = [];
      for (const c of kids) {
        if (!c.key.startsWith("keyResult:")) continue;
        const child = krs.get(c.key.slice(10))!;
        if (child.start === null || child.target === null) continue;
        items.push({ progress: results.get(c.key)!.progress, weight: Math.abs(child.target - child.start) });
      }
      progress = weightedMean(items);
    } else {
      progress = weightedMean(kids.map((c) => ({ progress: results.get(c.key)!.progress, weight: c.weight })));
    }
    return { progress: kr.progressOverride ?? progress, current, firstCheckInMs: first, forecast: null };
  };

  const all = [
    ...input.objectives.map((o) => nodeKey("objective", o.id)),
    ...input.keyResults.map((k) => nodeKey("keyResult", k.id)),
  ];
  for (const root of all) {
    if (state.get(root) === 2) continue;
    // Iterative depth-first post-order so deep chains cannot overflow the stack.
    const stack: { key: string; next: number }[] = [{ key: root, next: 0 }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const kids = children.get(top.key) ?? [];
      if (top.next < kids.length) {
        const child = kids[top.next++]!.key;
        if (!state.has(child)) {
          state.set(child, 1);
          stack.push({ key: child, next: 0 });
        }
        // state 1 here means a loop in the data: the edge is skipped (compute() only reads finished children).
        continue;
      }
      results.set(top.key, compute(top.key));
      state.set(top.key, 2);
      stack.pop();
    }
  }
  return results;
}
