/**
 * What makes up an objective's progress (okr-method §3): its own key results, the objectives
 * and key results aligned to it that contribute, and its initiatives when the organisation
 * counts them, each with its weight, share of the total weight, progress and contribution.
 * Reads the objective's direct children only: the answer's size, never the organisation's.
 */
import type { KeyResultRow, ObjectiveRow } from "../db/repositories.js";
import { graphQueries, keyResultRepo, objectiveRepo } from "../db/repositories.js";
import { progressBreakdown } from "../domain/breakdown.js";
import { type Actor, read, type Services } from "./context.js";
import { figures } from "./okr.service.js";

export interface BreakdownItem {
  type: "keyResult" | "objective" | "initiative";
  id: string;
  title: string;
  /** The objective to open for this item (a key result's own objective). */
  objectiveId: string | null;
  /** `own`: the objective's key result; `aligned`: aligned to it and contributing; `initiative`: its initiative. */
  source: "own" | "aligned" | "initiative";
  weight: number;
  share: number;
  /** The item's own progress, unclamped; null when it has none (a baseline key result). */
  progress: number | null;
  counted: boolean;
  contribution: number;
}

export interface ProgressBreakdown {
  objectiveId: string;
  progress: number;
  /** Set by hand: the progress shown is this, not the roll-up below. */
  progressOverride: number | null;
  /** The roll-up of every counted child (what the progress is without an override). */
  rollup: number;
  items: BreakdownItem[];
  /** Contributing children the caller may not see: how many, and their share of the weight. */
  hidden: { count: number; share: number };
}

/**
 * The breakdown of one objective's progress. Throws NOT_FOUND when the objective does not
 * exist or the caller may not see it. Draft children count nowhere (okr-method §3).
 */
export async function getProgressBreakdown(svc: Services, actor: Actor, id: string): Promise<ProgressBreakdown> {
  return read(svc, actor, async ({ ex, scope, ctx, nowMs, guard }) => {
    const objective = await objectiveRepo.get(ex, scope, id);
    await guard.assertVisible(objective);
    const f = await figures(ex, scope, ctx, nowMs);
    const own = (await graphQueries.keyResultsOf(ex, scope, [id])).sort(
      (a, b) => a.position - b.position || a.createdAt.getTime() - b.createdAt.getTime(),
    );
    const links = (await graphQueries.alignmentsAt(ex, scope, "parent", { objective: [id], keyResult: [] })).filter(
      (a) => a.contributes,
    );
    const childObjectives = new Map(
      (
        await objectiveRepo.listByIds(
          ex,
          scope,
          links.filter((a) => a.childType === "objective").map((a) => a.childId),
        )
      ).map((o) => [o.id, o]),
    );
    const childKrs = new Map(
      (
        await keyResultRepo.listByIds(
          ex,
          scope,
          links.filter((a) => a.childType === "keyResult").map((a) => a.childId),
        )
      ).map((k) => [k.id, k]),
    );
    const krObjectives = new Map(
      (
        await objectiveRepo.listByIds(
          ex,
          scope,
          [...childKrs.values()].map((k) => k.objectiveId).filter((oid) => !childObjectives.has(oid)),
        )
      ).map((o) => [o.id, o]),
    );
    const sees = await guard.seer();
    type Entry = Omit<BreakdownItem, "share" | "counted" | "contribution"> & { visible: boolean };
    const entries: Entry[] = own.map((k) => ({
      type: "keyResult",
      id: k.id,
      title: k.title,
      objectiveId: id,
      source: "own",
      weight: Number(k.weight),
      progress: f.derive("keyResult", k).progress,
      visible: true,
    }));
    for (const a of links) {
      let entry: Entry | null = null;
      if (a.childType === "objective") {
        const o: ObjectiveRow | undefined = childObjectives.get(a.childId);
        if (!o || o.state === "draft") continue;
        const p = f.derive("objective", o).progress;
        entry = {
          type: "objective",
          id: o.id,
          title: o.title,
          objectiveId: o.id,
          source: "aligned",
          weight: 0,
          progress: p,
          visible: sees(o),
        };
      } else {
        const k: KeyResultRow | undefined = childKrs.get(a.childId);
        const ko = k && (childObjectives.get(k.objectiveId) ?? krObjectives.get(k.objectiveId));
        // A key result of this objective already counts once as its own.
        if (!k || !ko || ko.state === "draft" || k.objectiveId === id) continue;
        const p = f.derive("keyResult", k).progress;
        entry = {
          type: "keyResult",
          id: k.id,
          title: k.title,
          objectiveId: ko.id,
          source: "aligned",
          weight: 0,
          progress: p,
          visible: sees(ko),
        };
      }
      entries.push({ ...entry, weight: Number(a.weight) });
    }
    if (ctx.settings.initiativesCount) {
      for (const i of await graphQueries.initiativesOf(ex, scope, [id])) {
        entries.push({
          type: "initiative",
          id: i.id,
          title: i.title,
          objectiveId: id,
          source: "initiative",
          weight: Number(i.weight),
          progress: i.progress,
          visible: true,
        });
      }
    }
    const { lines, total } = progressBreakdown(entries);
    const items: BreakdownItem[] = [];
    const hidden = { count: 0, share: 0 };
    entries.forEach(({ visible, ...e }, i) => {
      const line = lines[i]!;
      if (!visible) {
        hidden.count += 1;
        hidden.share += line.share;
        return;
      }
      items.push({ ...e, share: line.share, counted: line.counted, contribution: line.contribution });
    });
    return {
      objectiveId: id,
      progress: f.derive("objective", objective).progress ?? 0,
      progressOverride: objective.progressOverride,
      rollup: total ?? 0,
      items,
      hidden,
    };
  });
}
