import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AlignmentEdge, sameUnitProblem, wouldCreateCycle } from "./alignment.js";
import type { NodeType } from "./types.js";

function edge(childType: NodeType, childId: string, parentType: NodeType, parentId: string): AlignmentEdge {
  return { childType, childId, parentType, parentId };
}

/** Kahn's algorithm, independent of the code under test: true when the edges (plus KR → objective) have no loop. */
function isAcyclic(edges: readonly AlignmentEdge[], krToObjective: ReadonlyMap<string, string>): boolean {
  const all = [
    ...edges.map((e) => [`${e.childType}:${e.childId}`, `${e.parentType}:${e.parentId}`] as const),
    ...[...krToObjective].map(([kr, o]) => [`keyResult:${kr}`, `objective:${o}`] as const),
  ];
  const indegree = new Map<string, number>();
  const out = new Map<string, string[]>();
  for (const [from, to] of all) {
    indegree.set(from, indegree.get(from) ?? 0);
    indegree.set(to, (indegree.get(to) ?? 0) + 1);
    out.set(from, [...(out.get(from) ?? []), to]);
  }
  const ready = [...indegree].filter(([, d]) => d === 0).map(([n]) => n);
  let removed = 0;
  while (ready.length > 0) {
    const n = ready.pop()!;
    removed++;
    for (const to of out.get(n) ?? []) {
      const d = indegree.get(to)! - 1;
      indegree.set(to, d);
      if (d === 0) ready.push(to);
    }
  }
  return removed === indegree.size;
}

describe("wouldCreateCycle (§1)", () => {
  // Org objective O has KR OK; team objective T (KR TK) aligns under OK; person objective P (KR PK) under TK.
  // Upward paths: PK → P → TK → T → OK → O.
  const krToObjective = new Map([
    ["OK", "O"],
    ["TK", "T"],
    ["PK", "P"],
  ]);
  const existing = [edge("objective", "T", "keyResult", "OK"), edge("objective", "P", "keyResult", "TK")];

  it.each([
    ["O under TK: TK → T → OK → O already, so O → TK closes a loop", edge("objective", "O", "keyResult", "TK"), true],
    ["O under PK (three levels down)", edge("objective", "O", "keyResult", "PK"), true],
    ["OK under PK: PK → P → TK → T → OK", edge("keyResult", "OK", "keyResult", "PK"), true],
    ["T under its own KR TK (TK → T)", edge("objective", "T", "keyResult", "TK"), true],
    ["an objective under itself", edge("objective", "O", "objective", "O"), true],
    ["a KR under itself", edge("keyResult", "OK", "keyResult", "OK"), true],
    ["a KR under its own objective (it already counts there)", edge("keyResult", "PK", "objective", "P"), true],
    ["P gets a second parent, OK (multiple alignment)", edge("objective", "P", "keyResult", "OK"), false],
    ["PK under the org objective", edge("keyResult", "PK", "objective", "O"), false],
    ["TK under OK (nothing leads from OK down to TK)", edge("keyResult", "TK", "keyResult", "OK"), false],
    ["an unknown objective under O", edge("objective", "X", "objective", "O"), false],
  ])("%s → %s", (_name, candidate, expected) => {
    expect(wouldCreateCycle(existing, krToObjective, candidate)).toBe(expected);
  });

  it("counts links that do not contribute (the caller passes every alignment)", () => {
    expect(
      wouldCreateCycle([edge("objective", "B", "objective", "A")], new Map(), edge("objective", "A", "objective", "B")),
    ).toBe(true);
  });

  it("tells a key result from an objective with the same id", () => {
    // keyResult:X → objective:Y; objective:X is a different node, so objective:Y under objective:X is fine.
    expect(wouldCreateCycle([], new Map([["X", "Y"]]), edge("objective", "Y", "objective", "X"))).toBe(false);
    expect(wouldCreateCycle([], new Map([["X", "Y"]]), edge("objective", "Y", "keyResult", "X"))).toBe(true);
  });

  it("walks a 20,000-long chain without recursion", () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => edge("objective", `o${i + 1}`, "objective", `o${i}`));
    expect(wouldCreateCycle(chain, new Map(), edge("objective", "o0", "objective", "o20000"))).toBe(true);
    expect(wouldCreateCycle(chain, new Map(), edge("objective", "o20000", "objective", "o0"))).toBe(false);
  });

  it("keeps a graph acyclic when every accepted edge is added, and refuses only real loops", () => {
    const id = fc.integer({ min: 0, max: 7 }).map(String);
    const ref = fc.record({ type: fc.constantFrom<NodeType>("objective", "keyResult"), id });
    fc.assert(
      fc.property(
        fc.array(id, { minLength: 8, maxLength: 8 }),
        fc.array(fc.record({ child: ref, parent: ref }), { maxLength: 40 }),
        (objectiveOfKr, candidates) => {
          const krToObjective = new Map(objectiveOfKr.map((o, kr) => [String(kr), o]));
          const edges: AlignmentEdge[] = [];
          for (const { child, parent } of candidates) {
            const candidate = edge(child.type, child.id, parent.type, parent.id);
            const refused = wouldCreateCycle(edges, krToObjective, candidate);
            const underOwnObjective =
              child.type === "keyResult" && parent.type === "objective" && krToObjective.get(child.id) === parent.id;
            // Outside the own-objective rule, refusal is exactly "adding it would leave a loop".
            if (!underOwnObjective) expect(refused).toBe(!isAcyclic([...edges, candidate], krToObjective));
            else expect(refused).toBe(true);
            if (!refused) edges.push(candidate);
          }
          expect(isAcyclic(edges, krToObjective)).toBe(true);
        },
      ),
    );
  });
});

describe("sameUnitProblem (§3: only the same unit under a sum KR)", () => {
  it.each([
    [
      { unit: "number", currency: null },
      { unit: "number", currency: null },
    ],
    [
      { unit: "percent", currency: null },
      { unit: "percent", currency: null },
    ],
    [
      { unit: "currency", currency: "EUR" },
      { unit: "currency", currency: "EUR" },
    ],
    [
      { unit: "currency", currency: "eur" },
      { unit: "currency", currency: "EUR" },
    ],
  ])("a sum parent %o accepts child %o", (parent, child) => {
    expect(sameUnitProblem(parent, child)).toBeNull();
  });

  it.each([
    [
      { unit: "currency", currency: "EUR", title: "Revenue" },
      { unit: "currency", currency: "USD", title: "US sales" },
      '"US sales" is measured in currency USD but "Revenue" adds up its children\'s values in currency EUR; align a key result measured in currency EUR, or change the parent\'s roll-up to "mean" or "proportional"',
    ],
    [
      { unit: "percent", currency: null },
      { unit: "number", currency: null },
      'this key result is measured in unit "number" but the parent adds up its children\'s values in percent; align a key result measured in percent, or change the parent\'s roll-up to "mean" or "proportional"',
    ],
    [
      { unit: "number", currency: null, title: "Signups" },
      { unit: "currency", currency: null },
      'this key result is measured in a currency with no code but "Signups" adds up its children\'s values in unit "number"; align a key result measured in unit "number", or change the parent\'s roll-up to "mean" or "proportional"',
    ],
  ])("a sum parent %o refuses child %o", (parent, child, message) => {
    expect(sameUnitProblem(parent, child)).toBe(message);
  });
});
