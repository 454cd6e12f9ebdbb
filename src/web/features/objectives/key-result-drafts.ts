/**
 * The key-result rows of the new-objective form: which are spare (left blank, so left out) and
 * what keeps a filled one from being created, named so the form can say it.
 */
import { validateKeyResultTargets } from "../../../domain/progress.js";
import type { KrType } from "../../../domain/types.js";

export interface KrFigures {
  title: string;
  type: KrType;
  start: number | "";
  target: number | "";
}

export type KrField = "title" | "start" | "target";

export interface KrGaps {
  /** Fields it still needs, in the form's order. */
  missing: KrField[];
  /** Figures that are there but do not fit its type (the method's own wording). */
  problems: string[];
}

const num = (v: number | "") => (v === "" ? null : v);

/** A row with no title and no figures: a spare the form offers, not sent and not in the way. */
export function isBlankDraft(k: KrFigures): boolean {
  return !k.title.trim() && k.start === "" && k.target === "";
}

/** What a row still needs before it can be created; none for a spare row. */
export function draftGaps(k: KrFigures): KrGaps {
  if (isBlankDraft(k)) return { missing: [], problems: [] };
  const missing: KrField[] = [];
  if (!k.title.trim()) missing.push("title");
  const moves = k.type === "increase" || k.type === "decrease";
  if (moves && k.start === "") missing.push("start");
  if ((moves || k.type === "stayAbove" || k.type === "stayBelow") && k.target === "") missing.push("target");
  // A missing figure is said once, as missing; the method's checks then speak only of figures given.
  const problems = missing.some((f) => f !== "title")
    ? []
    : validateKeyResultTargets({ type: k.type, start: num(k.start), target: num(k.target) });
  return { missing, problems };
}
