/**
 * What the coach reads about stored objectives: `GET /coach` for a period and the review
 * workflow for one draft build their input here, so both judge an objective alike.
 */
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import {
  graphQueries,
  type KeyResultRow,
  keyResultRepo,
  type ObjectiveRow,
  objectiveRepo,
  type PeriodRow,
} from "../db/repositories.js";
import type { CoachObjective } from "../domain/coach.js";
import type { KrType, Level } from "../domain/types.js";
import { type OrgContext, objectiveSpan } from "./evaluation.js";
import type { Figures } from "./okr.service.js";

/**
 * One objective and its key results as the coach sees them, with the figures `f` gives
 * (loaded for the objective), in `period`; `aligned` and `initiativeCount` come from the caller.
 */
export function coachObjectiveOf(
  o: ObjectiveRow,
  krs: readonly KeyResultRow[],
  f: Figures,
  ctx: OrgContext,
  period: Pick<PeriodRow, "startDate" | "endDate">,
  extra: { aligned: boolean; initiativeCount: number },
): CoachObjective {
  return {
    id: o.id,
    title: o.title,
    level: o.level as Level,
    ownerIds: o.ownerIds,
    periodId: o.periodId,
    span: objectiveSpan(o, ctx),
    periodStartDate: period.startDate,
    periodEndDate: period.endDate,
    committed: o.committed,
    state: o.state as CoachObjective["state"],
    score: o.score,
    progress: f.derive("objective", o).progress ?? 0,
    aligned: extra.aligned,
    initiativeCount: extra.initiativeCount,
    keyResults: krs.map((k) => {
      const d = f.derive("keyResult", k);
      return {
        id: k.id,
        title: k.title,
        type: k.type as KrType,
        start: k.start === null ? null : Number(k.start),
        target: k.target === null ? null : Number(k.target),
        ownerIds: k.ownerIds,
        baselineConfirmed: k.baselineConfirmed,
        startDate: k.startDate,
        endDate: k.endDate,
        firstCheckInMs: d.firstCheckInMs,
        lastCheckInMs: d.lastCheckInMs,
        createdMs: k.createdAt.getTime(),
      };
    }),
    createdMs: o.createdAt.getTime(),
  };
}

/**
 * Which of these objectives are aligned under something the caller may see, in any period: for
 * them an objective aligned only under a hidden one is unaligned. Reads these objectives'
 * upward links and their parents' objectives only.
 */
export async function alignedUnderVisible(
  ex: Executor,
  scope: OrgScope,
  objectiveIds: readonly string[],
  sees: (o: ObjectiveRow) => boolean,
): Promise<Set<string>> {
  const edges = await graphQueries.alignmentsAt(ex, scope, "child", { objective: objectiveIds, keyResult: [] });
  const parentKrs = await keyResultRepo.listByIds(
    ex,
    scope,
    edges.filter((e) => e.parentType === "keyResult").map((e) => e.parentId),
  );
  const objectiveOfKr = new Map(parentKrs.map((k) => [k.id, k.objectiveId]));
  const parents = new Map(
    (
      await objectiveRepo.listByIds(ex, scope, [
        ...edges.filter((e) => e.parentType === "objective").map((e) => e.parentId),
        ...objectiveOfKr.values(),
      ])
    ).map((o) => [o.id, o]),
  );
  const aligned = new Set<string>();
  for (const e of edges) {
    const parent = parents.get(e.parentType === "objective" ? e.parentId : (objectiveOfKr.get(e.parentId) ?? ""));
    if (parent && sees(parent)) aligned.add(e.childId);
  }
  return aligned;
}
