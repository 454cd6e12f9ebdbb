/**
 * The method's values in plain words, for every place people read them outside the web app's
 * translations (the CLI, the coach's messages): never the API's ids such as `stayAbove`.
 */
import type { KrType, Status } from "./types.js";

export const STATUS_WORDS: Readonly<Record<Status, string>> = {
  draft: "draft",
  notStarted: "not started",
  onTrack: "on track",
  behind: "behind",
  atRisk: "at risk",
  closed: "closed",
};

export const KR_TYPE_WORDS: Readonly<Record<KrType, string>> = {
  increase: "increase",
  decrease: "decrease",
  stayAbove: "stay above",
  stayBelow: "stay below",
  milestone: "milestone",
  baseline: "baseline",
};

/**
 * The status a person typed ("on track", "on-track", "At risk" or the id itself), as the API's
 * id; undefined when it is none of them.
 */
export function statusFromWords(text: string): Status | undefined {
  const wanted = text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, " ");
  for (const [id, words] of Object.entries(STATUS_WORDS) as [Status, string][]) {
    if (wanted === words || wanted === id.toLowerCase()) return id;
  }
  return undefined;
}
