/**
 * The roll-up engine (okr-method.md §3): the progress, current value, first check-in and
 * forecast of every objective and key result of an organisation, from the key results' own
 * figures and the alignment graph, each node evaluated once, children before parents.
 */
import { combineForecasts } from "./forecast.js";
import { clamp01, krOwnProgress } from "./progress.js";
import type { Forecast, KrType, NodeType, ProgressMode, RollupMethod, Unit } from "./types.js";

/** A key result as the engine reads it. */
export interface KrInput {
  id: string;
  objectiveId: string;
  type: KrType;
  unit: Unit;
  currency: string | null;
  start: number | null;
  target: number | null;
  /** `manual`: progress from its own check-ins; `rollup`: from the children aligned to it. */
  progressMode: ProgressMode;
  /** How a roll-up KR combines its children (read only in `rollup` mode). */
  rollup: RollupMethod;
  /** Progress set by hand; replaces the computed progress for the KR and its parents while non-null. */
  progressOverride: number | null;
  /** Weight among its objective's own key results (relative; ≤ 0 leaves it out). */
  weight: number;
  /** The check-in in force (read for manual KRs), or null when there is none. */
  latest: { value: number | null; achieved: boolean | null } | null;
  /** Its own earliest check-in (read for manual KRs). */
  firstCheckInMs: number | null;
  /** Its own forecast (read for manual KRs). */
  forecast: Forecast | null;
}

/** An objective as the engine reads it. */
export interface ObjectiveInput {
  id: string;
  /** Progress set by hand; replaces the computed progress for the objective and its parents while non-null. */
  progressOverride: number | null;
}

/** An initiative; it counts toward its objective only when `GraphInput.initiativesCount` is on. */
export interface InitiativeInput {
  objectiveId: string;
  /** Null: no progress reported, left out. */
  progress: number | null;
  weight: number;
}

/** An alignment "child contributes to parent". */
export interface AlignmentInput {
  childType: NodeType;
  childId: string;
  parentType: NodeType;
  parentId: string;
  /** Relative weight in the parent; ≤ 0 leaves the child out. */
  weight: number;
  /** False: aligned for the map only, not counted. */
  contributes: boolean;
}

/** The whole graph of one organisation. Ids are unique within their kind. */
export interface GraphInput {
  objectives: readonly ObjectiveInput[];
  keyResults: readonly KrInput[];
  alignments: readonly AlignmentInput[];
  initiatives: readonly InitiativeInput[];
  /** Whether initiatives count toward their objective's progress (setting, off by default). */
  initiativesCount: boolean;
  /**
   * Nodes whose figures are given rather than evaluated (a part of the graph: its edge, whose own
   * children were not loaded). A fixed node still needs its entry in `objectives`/`keyResults`.
   */
  fixed?: ReadonlyMap<string, NodeResult>;
}

/** The computed figures of one node. */
export interface NodeResult {
  /** Unrounded fraction, unclamped for the node itself; null for a KR without progress (baseline, targetless). */
  progress: number | null;
  /** A KR's current value (latest value or start; the total for a `sum` roll-up); null for objectives and `mean`/`proportional` KRs. */
  current: number | null;
  /** Earliest check-in on the node (manual KR) or on the KRs it draws from, transitively (status rule 3). */
  firstCheckInMs: number | null;
  /** Manual increase/decrease KR: as given; objective: its own KRs' forecasts combined; roll-up KR: null. */
  forecast: Forecast | null;
}

/** The key of a node in the result map: `"objective:<id>"` or `"keyResult:<id>"`. */
export function nodeKey(type: NodeType, id: string): string {
  return `${type}:${id}`;
}

/** A counted link from a parent to one child. */
interface Link {
  child: string;
  weight: number;
}

type GraphNode = { kind: "objective"; objective: ObjectiveInput } | { kind: "keyResult"; kr: KrInput };

function countsAsWeight(w: number): boolean {
  return Number.isFinite(w) && w > 0;
}

function earlier(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * Σ wᵢ·clamp(pᵢ) / Σ wᵢ over the items with a non-null progress and a weight > 0; null when
 * none is left. The result is kept within the children's range so that rounding cannot make,
 * say, a mean of children at 1 read as over-achieved.
 */
function weightedMean(items: readonly { progress: number | null; weight: number }[]): number | null {
  let weightSum = 0;
  let sum = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const { progress, weight } of items) {
    if (progress === null || Number.isNaN(progress) || !countsAsWeight(weight)) continue;
    const p = clamp01(progress);
    weightSum += weight;
    sum += weight * p;
    lo = Math.min(lo, p);
    hi = Math.max(hi, p);
  }
  if (weightSum === 0) return null;
  return Math.min(hi, Math.max(lo, sum / weightSum));
}

function byChildKey(a: Link, b: Link): number {
  if (a.child !== b.child) return a.child < b.child ? -1 : 1;
  return a.weight - b.weight;
}

/**
 * Evaluates every objective and key result of the graph (§3) and returns one entry per node,
 * keyed by {@link nodeKey}.
 *
 * - Manual KR: progress = its own §2 progress from `latest`; current = latest value, else its
 *   start (null for milestone and baseline KRs without a value); first check-in and forecast
 *   as given.
 * - Objective: weighted mean of its children's progress, each clamped to [0, 1]: its own KRs
 *   (weight = `kr.weight`), every child aligned to it with `contributes` (weight = the
 *   alignment's), and, when `initiativesCount`, its initiatives with a progress. Children whose
 *   progress is null are left out; with nothing left the progress is 0. Its forecast combines
 *   its own KRs' forecasts (weights `kr.weight`).
 * - Roll-up KR, over the children aligned to it with `contributes`:
 *   - `mean`: the weighted mean as above; 0 with nothing to count (as for an objective).
 *   - `sum`: current = Σ of the KR children's current values (unclamped, weights ignored, null
 *     currents skipped, objective children ignored), progress = §2 with that as the value and
 *     the KR's own start and target. When no child has a value it reads as a KR without a
 *     check-in: current = its start, progress from the start.
 *   - `proportional`: weighted mean where each KR child weighs |t − s| / Σ|t − s|. Children
 *     without both start and target, with t = s, or without progress, and objective children,
 *     have no span to weigh by and are left out; 0 with nothing left.
 *   A roll-up KR has no forecast; `current` is null for `mean` and `proportional`.
 * - A non-null `progressOverride` replaces the node's progress, for itself and its parents.
 * - First check-in of an objective or roll-up KR: the earliest over the KRs it draws from,
 *   transitively through its own KRs and contributing alignments of weight > 0, whatever the
 *   method (a roll-up KR's own check-ins do not count).
 *
 * Link rules where §3 is silent: a link whose weight is 0, negative or not finite counts
 * nowhere, in every method including `sum` (weight 0 means "switched off"); an alignment of a
 * KR under its own objective is ignored (the KR already counts there once); alignments to or
 * from unknown nodes are ignored. A child counts in every parent it contributes to.
 *
 * Each node is evaluated once, by an iterative depth-first walk (no recursion, so 10,000-deep
 * chains are fine). Nodes and children are visited in key order, so the result does not depend
 * on the order of the input arrays. Should a loop have slipped into the data despite the
 * alignment check, the link that closes it in that walk is ignored for that parent, so the
 * evaluation always ends.
 */
export function evaluateGraph(input: GraphInput): Map<string, NodeResult> {
  const nodes = new Map<string, GraphNode>();
  for (const objective of input.objectives)
    nodes.set(nodeKey("objective", objective.id), { kind: "objective", objective });
  for (const kr of input.keyResults) nodes.set(nodeKey("keyResult", kr.id), { kind: "keyResult", kr });

  // Only what a node's value depends on: a manual KR reads its own check-ins, so nothing aligned
  // under it is a dependency (and links through it cannot form a loop that matters).
  const links = new Map<string, Link[]>();
  const addLink = (parent: string, link: Link) => {
    const list = links.get(parent);
    if (list) list.push(link);
    else links.set(parent, [link]);
  };
  for (const kr of input.keyResults) {
    const parent = nodeKey("objective", kr.objectiveId);
    if (nodes.has(parent) && countsAsWeight(kr.weight)) {
      addLink(parent, { child: nodeKey("keyResult", kr.id), weight: kr.weight });
    }
  }
  for (const a of input.alignments) {
    if (!a.contributes || !countsAsWeight(a.weight)) continue;
    const child = nodeKey(a.childType, a.childId);
    const parent = nodeKey(a.parentType, a.parentId);
    const parentNode = nodes.get(parent);
    const childNode = nodes.get(child);
    if (!parentNode || !childNode) continue;
    if (parentNode.kind === "keyResult" && parentNode.kr.progressMode !== "rollup") continue;
    if (childNode.kind === "keyResult" && parentNode.kind === "objective" && childNode.kr.objectiveId === a.parentId) {
      continue;
    }
    addLink(parent, { child, weight: a.weight });
  }
  // Key order fixes the summation order and which link a loop loses, whatever the input order.
  for (const list of links.values()) list.sort(byChildKey);

  const ownKrs = new Map<string, KrInput[]>();
  for (const kr of [...input.keyResults].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const list = ownKrs.get(kr.objectiveId);
    if (list) list.push(kr);
    else ownKrs.set(kr.objectiveId, [kr]);
  }

  const initiativesOf = new Map<string, { progress: number | null; weight: number }[]>();
  if (input.initiativesCount) {
    for (const i of input.initiatives) {
      const list = initiativesOf.get(i.objectiveId);
      if (list) list.push(i);
      else initiativesOf.set(i.objectiveId, [i]);
    }
    // Initiatives have no id here; a fixed order keeps the floating-point sum independent of the input order.
    for (const list of initiativesOf.values()) {
      list.sort(
        (a, b) =>
          (a.progress ?? Number.NEGATIVE_INFINITY) - (b.progress ?? Number.NEGATIVE_INFINITY) || a.weight - b.weight,
      );
    }
  }

  const results = new Map<string, NodeResult>();

  const evaluate = (key: string, node: GraphNode): NodeResult => {
    // Post-order: every child is done here, except one still on the walk's stack (a loop), left out.
    const counted: { link: Link; result: NodeResult }[] = [];
    let first: number | null = null;
    for (const link of links.get(key) ?? []) {
      const result = results.get(link.child);
      if (!result) continue;
      counted.push({ link, result });
      first = earlier(first, result.firstCheckInMs);
    }
    const asItems = () => counted.map(({ link, result }) => ({ progress: result.progress, weight: link.weight }));

    if (node.kind === "objective") {
      const { objective } = node;
      const items = asItems();
      for (const i of initiativesOf.get(objective.id) ?? []) items.push(i);
      const ownForecasts = (ownKrs.get(objective.id) ?? []).map((k) => ({
        forecast: k.progressMode === "manual" ? k.forecast : null,
        weight: k.weight,
      }));
      return {
        progress: objective.progressOverride ?? weightedMean(items) ?? 0,
        current: null,
        firstCheckInMs: first,
        forecast: combineForecasts(ownForecasts),
      };
    }

    const { kr } = node;
    const startAsCurrent = kr.type === "milestone" || kr.type === "baseline" ? null : kr.start;
    if (kr.progressMode === "manual") {
      return {
        progress: kr.progressOverride ?? krOwnProgress(kr, kr.latest),
        current: kr.latest?.value ?? startAsCurrent,
        firstCheckInMs: kr.firstCheckInMs,
        forecast: kr.forecast,
      };
    }

    let progress: number | null;
    let current: number | null = null;
    if (kr.rollup === "sum") {
      let total: number | null = null;
      for (const { link, result } of counted) {
        if (nodes.get(link.child)?.kind !== "keyResult" || result.current === null) continue;
        total = (total ?? 0) + result.current;
      }
      current = total ?? startAsCurrent;
      progress = krOwnProgress(kr, total === null ? null : { value: total, achieved: null });
    } else if (kr.rollup === "proportional") {
      const items: { progress: number | null; weight: number }[] = [];
      for (const { link, result } of counted) {
        const child = nodes.get(link.child);
        if (child?.kind !== "keyResult" || child.kr.start === null || child.kr.target === null) continue;
        // The share |t − s| / Σ|t − s| is what weightedMean computes when the weight is |t − s|.
        items.push({ progress: result.progress, weight: Math.abs(child.kr.target - child.kr.start) });
      }
      progress = weightedMean(items) ?? 0;
    } else {
      progress = weightedMean(asItems()) ?? 0;
    }
    return { progress: kr.progressOverride ?? progress, current, firstCheckInMs: first, forecast: null };
  };

  // A node is "seen" from the moment the walk enters it; `results` tells the finished ones apart.
  const seen = new Set<string>();
  // A fixed node is done from the start: its figures are given, and nothing under it is walked.
  for (const [key, result] of input.fixed ?? []) {
    if (!nodes.has(key)) continue;
    seen.add(key);
    results.set(key, result);
  }
  const roots = [...nodes.keys()].sort();
  for (const root of roots) {
    if (seen.has(root)) continue;
    seen.add(root);
    const stack: { key: string; next: number }[] = [{ key: root, next: 0 }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const children = links.get(frame.key) ?? [];
      if (frame.next < children.length) {
        const child = children[frame.next++]!.child;
        if (!seen.has(child)) {
          seen.add(child);
          stack.push({ key: child, next: 0 });
        }
        continue;
      }
      results.set(frame.key, evaluate(frame.key, nodes.get(frame.key)!));
      stack.pop();
    }
  }
  return results;
}
