/**
 * A closed period stays closed: nothing in it is reopened or checked in on until the period
 * itself is reopened (the period's close summary would go stale otherwise).
 */
import type { PeriodRow } from "../db/repositories.js";
import { AppError } from "../domain/errors.js";

/**
 * Refuses `what` (409 CLOSED) while `period` is closed, naming the period and how to reopen it.
 * `what` finishes "… so <what>": e.g. `the objective "X" cannot be reopened`.
 */
export function assertPeriodOpen(
  period: Pick<PeriodRow, "id" | "name" | "closedAt"> | null | undefined,
  what: string,
): void {
  if (period?.closedAt) {
    throw new AppError(
      "CLOSED",
      `The period "${period.name}" is closed, so ${what}; reopen the period first (POST /periods/${period.id}/reopen).`,
    );
  }
}

/**
 * Refuses to put an objective into a closed period (409 CLOSED): the close scored what the
 * period held, and reopening the period restores only that, so a newcomer would stay open in
 * a closed period. `what` says how it would get there ("created in", "moved to", "continued into").
 */
export function assertPeriodTakesObjectives(period: Pick<PeriodRow, "id" | "name" | "closedAt">, what: string): void {
  if (period.closedAt) {
    throw new AppError(
      "CLOSED",
      `The period "${period.name}" is closed, so no objective can be ${what} it. Pick an open period, or reopen "${period.name}" first (POST /periods/${period.id}/reopen).`,
    );
  }
}
