/**
 * The title index never misses a twin: for random pairs of titles that the coach's rule calls
 * near-identical (typos, insertions, deletions, words reordered or one of many changed, long
 * and short titles, accents), the keys the later one looks up — chosen by any counts — always
 * meet a key the earlier one is stored under.
 */
import { describe, expect, it } from "vitest";
import { nearIdenticalTitles } from "./coach.js";
import { seededRandom } from "./seeded-random.js";
import { titleIndexKeys, twinKeys, twinProbe } from "./title-index.js";

const WORDS =
  "grow reduce churn revenue the of for in partner onboarding self serve billing platform reliability hire cloud spend release every region customer delight nordic payroll accountants mobile engagement quality café résumé".split(
    " ",
  );

function randomTitle(rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * (rnd() < 0.2 ? 30 : 9));
  return Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(" ");
}

/** `title` with a few random edits (substitutions, insertions, deletions), words swapped or changed. */
function mutate(title: string, rnd: () => number): string {
  const r = rnd();
  if (r < 0.15) {
    const words = title.split(" ");
    for (let k = words.length - 1; k > 0; k--) {
      const j = Math.floor(rnd() * (k + 1));
      [words[k], words[j]] = [words[j]!, words[k]!];
    }
    return words.join(" ");
  }
  if (r < 0.3) {
    const words = title.split(" ");
    words[Math.floor(rnd() * words.length)] = WORDS[Math.floor(rnd() * WORDS.length)]!;
    return words.join(" ");
  }
  let out = title;
  const edits = Math.floor(rnd() * (1 + title.length / 8));
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * (out.length + 1));
    const ch = "abcdefghijklmnopqrstuvwxyz "[Math.floor(rnd() * 27)]!;
    const op = rnd();
    out =
      op < 0.34
        ? out.slice(0, at) + ch + out.slice(at + 1)
        : op < 0.67
          ? out.slice(0, at) + ch + out.slice(at)
          : out.slice(0, at) + out.slice(at + 1);
  }
  return rnd() < 0.1 ? out.toUpperCase() : out;
}

describe("the title index", () => {
  it("finds every near-identical pair, whatever the counts, over 20,000 random pairs", () => {
    const rnd = seededRandom(99);
    let near = 0;
    let long = 0;
    for (let n = 0; n < 20_000; n++) {
      const a = randomTitle(rnd);
      const b = mutate(a, rnd);
      if (!nearIdenticalTitles(a, b)) continue;
      near++;
      if (a.length > 100) long++;
      const stored = new Set(titleIndexKeys(a));
      const probe = twinProbe(b);
      expect(probe, b).not.toBeNull();
      // Counts that make any choice: random numbers per key.
      const counts = new Map<string, number>();
      const count = (k: string) => {
        if (!counts.has(k)) counts.set(k, Math.floor(rnd() * 50));
        return counts.get(k)!;
      };
      const looked = twinKeys(probe!, count);
      expect(
        looked.some((k) => stored.has(k)),
        `"${b}" must find "${a}"`,
      ).toBe(true);
    }
    // The pairs cover the rule's cases, long titles among them.
    expect(near).toBeGreaterThan(5_000);
    expect(long).toBeGreaterThan(100);
  });

  it("stores nothing for a title that normalises to nothing, and looks nothing up for it", () => {
    expect(titleIndexKeys("?!")).toEqual([]);
    expect(twinProbe("  ")).toBeNull();
  });
});
