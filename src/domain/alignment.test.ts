import { describe, expect, it } from "vitest";
import { type AlignmentEdge, sameUnitProblem, wouldCreateCycle } from "./alignment.js";

const e = (
  childType: AlignmentEdge["childType"],
  childId: string,
  parentType: AlignmentEdge["parentType"],
  parentId: string,
): AlignmentEdge => ({
  childType,
  childId,
  parentType,
  parentId,
});

describe("wouldCreateCycle (§1)", () => {
  // org objective O has KR OK; team objective T (KR TK) aligns under OK; person P aligns under TK.
  const krs = new Map([
    ["OK", "O"],
    ["TK", "T"],
    ["PK", "P"],
  ]);
  const existing = [e("objective", "T", "keyResult", "OK"), e("objective", "P", "keyResult", "TK")];
  it.each([
    ["O under TK (through its own KR)", e("objective", "O", "keyResult", "TK"), true],
    ["O under PK (three levels)", e("objective", "O", "keyResult", "PK"), true],
    ["an objective under itself", e("objective", "O", "objective", "O"), true],
    ["an objective under its own KR", e("objective", "T", "keyResult", "TK"), true],
    ["a second parent elsewhere", e("objective", "P", "keyResult", "OK"), false],
    ["a KR under another objective", e("keyResult", "PK", "objective", "O"), false],
  ])("%s → %s", (_n, candidate, cycle) => {
    expect(wouldCreateCycle(existing, krs, candidate)).toBe(cycle);
  });
  it("counts non-contributing links too (they are in the list it is given)", () => {
    expect(
      wouldCreateCycle([e("objective", "B", "objective", "A")], new Map(), e("objective", "A", "objective", "B")),
    ).toBe(true);
  });
  it("is fast on long chains", () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => e("objective", `o${i + 1}`, "objective", `o${i}`));
    expect(wouldCreateCycle(chain, new Map(), e("objective", "o0", "objective", "o20000"))).toBe(true);
  });
});

describe("sameUnitProblem", () => {
  it("accepts the same unit and currency and explains a mismatch", () => {
    expect(sameUnitProblem({ unit: "number", currency: null }, { unit: "number", currency: null })).toBeNull();
    expect(sameUnitProblem({ unit: "currency", currency: "EUR" }, { unit: "currency", currency: "EUR" })).toBeNull();
    expect(
      sameUnitProblem({ unit: "currency", currency: "EUR" }, { unit: "currency", currency: "USD", title: "US sales" }),
    ).toMatch(/EUR.*"US sales".*USD/);
    expect(sameUnitProblem({ unit: "percent", currency: null }, { unit: "number", currency: null })).toMatch(/percent/);
  });
});
