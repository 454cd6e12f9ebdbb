import { describe, expect, it } from "vitest";
import { COACH_CHECKS, type CoachKeyResult, type CoachObjective, okrSentence, runCoach } from "./coach.js";
import { DAY_MS, periodSpan } from "./periods.js";
import { DEFAULT_SETTINGS } from "./types.js";

const span = periodSpan("2026-01-01", "2026-03-31", "UTC");
const day = (d: number) => span.startMs + d * DAY_MS;

let n = 0;
function kr(over: Partial<CoachKeyResult> = {}): CoachKeyResult {
  n++;
  return {
    id: `kr${n}`,
    title: `Net revenue retention ${n}`,
    type: "increase",
    start: 100,
    target: 120,
    ownerIds: ["u1"],
    baselineConfirmed: true,
    startDate: null,
    endDate: null,
    firstCheckInMs: day(2),
    lastCheckInMs: day(20),
    ...over,
  };
}
function objective(over: Partial<CoachObjective> = {}): CoachObjective {
  n++;
  return {
    id: `o${n}`,
    title: `Make customers love us ${"abcdefghij"[n % 10]}${n}x`.replace(/\d/g, ""),
    level: "organization",
    ownerIds: ["u1"],
    periodId: "q1",
    span,
    periodStartDate: "2026-01-01",
    periodEndDate: "2026-03-31",
    committed: false,
    state: "active",
    score: null,
    progress: 0.2,
    aligned: true,
    initiativeCount: 0,
    keyResults: [kr(), kr(), kr()],
    ...over,
  };
}
const run = (objectives: CoachObjective[], nowMs = day(25), history?: Map<string, number[]>) =>
  runCoach({ objectives, nowMs, settings: DEFAULT_SETTINGS, ...(history ? { ownerScoreHistory: history } : {}) });
const ids = (findings: { checkId: string }[]) => findings.map((f) => f.checkId);

describe("the coach (§8)", () => {
  it("has all 18 checks with their severities", () => {
    expect(COACH_CHECKS.map((c) => `${c.id}:${c.severity}`)).toEqual([
      "kr-measurable:error",
      "kr-owner:warn",
      "objective-owner:error",
      "objective-period:error",
      "kr-count:warn",
      "objective-count:warn",
      "initiative-count:info",
      "objective-numeric:info",
      "kr-task-like:warn",
      "kr-baseline:warn",
      "objective-too-long:info",
      "unaligned:warn",
      "period-mismatch:warn",
      "stale:warn",
      "too-safe:info",
      "no-progress:warn",
      "no-check-in:warn",
      "duplicate:info",
    ]);
  });

  it("finds nothing in a well-formed OKR", () => {
    expect(run([objective({ title: "Make customers love us" })])).toEqual([]);
  });

  const positives: [string, () => CoachObjective[], number?][] = [
    ["kr-measurable", () => [objective({ keyResults: [kr({ target: null }), kr(), kr()] })]],
    ["kr-owner", () => [objective({ keyResults: [kr({ ownerIds: [] }), kr(), kr()] })]],
    ["objective-owner", () => [objective({ ownerIds: [] })]],
    ["objective-period", () => [objective({ periodId: null, span: null, periodStartDate: null, periodEndDate: null })]],
    ["kr-count", () => [objective({ keyResults: [kr()] })]],
    [
      "objective-count",
      () =>
        Array.from({ length: 6 }, (_, i) => objective({ title: `Distinct goal ${"abcdef"[i]}`.replace(/\d/g, "") })),
    ],
    ["initiative-count", () => [objective({ initiativeCount: 6 })]],
    ["objective-numeric", () => [objective({ title: "Grow revenue 20%" })]],
    ["kr-task-like", () => [objective({ keyResults: [kr({ title: "Launch the new pricing page" }), kr(), kr()] })]],
    ["kr-baseline", () => [objective({ keyResults: [kr({ baselineConfirmed: false }), kr(), kr()] })]],
    ["objective-too-long", () => [objective({ title: "A".repeat(121) })]],
    ["unaligned", () => [objective({ level: "team", aligned: false })]],
    ["period-mismatch", () => [objective({ keyResults: [kr({ endDate: "2026-04-15" }), kr(), kr()] })]],
    ["stale", () => [objective({ keyResults: [kr({ lastCheckInMs: day(10) }), kr(), kr()] })]],
    ["too-safe", () => [objective({ state: "closed", score: 0.9 })]],
    ["no-progress", () => [objective({ progress: 0 })], day(46)],
    ["no-check-in", () => [objective({ keyResults: [kr({ firstCheckInMs: null, lastCheckInMs: null }), kr(), kr()] })]],
    [
      "duplicate",
      () => [objective({ title: "Delight our customers" }), objective({ title: "Delight our customers!" })],
    ],
  ];
  it.each(positives)("%s flags when its rule applies", (id, build, now) => {
    const findings = run(build(), now);
    expect(ids(findings)).toContain(id);
    const f = findings.find((x) => x.checkId === id)!;
    expect(f.message.length).toBeGreaterThan(20);
    expect(f.reason).toMatch(/^(Focus|Measurability|Ownership|Alignment|Outcomes)/);
  });

  const negatives: [string, () => CoachObjective[], number?][] = [
    ["kr-measurable", () => [objective({ keyResults: [kr({ type: "stayAbove", start: null }), kr(), kr()] })]],
    ["kr-owner", () => [objective()]],
    ["objective-owner", () => [objective({ ownerIds: ["u2"] })]],
    ["objective-period", () => [objective()]],
    ["kr-count", () => [objective({ keyResults: [kr(), kr()] })]],
    [
      "objective-count",
      () => Array.from({ length: 5 }, (_, i) => objective({ title: `Distinct goal ${"abcde"[i]}`.replace(/\d/g, "") })),
    ],
    ["initiative-count", () => [objective({ initiativeCount: 5 })]],
    ["objective-numeric", () => [objective({ title: "Grow revenue" })]],
    ["kr-task-like", () => [objective({ keyResults: [kr({ title: "Weekly active teams" }), kr(), kr()] })]],
    [
      "kr-baseline",
      () => [objective({ keyResults: [kr({ type: "stayAbove", start: null, baselineConfirmed: false }), kr(), kr()] })],
    ],
    ["objective-too-long", () => [objective({ title: "A".repeat(120) })]],
    ["unaligned", () => [objective({ level: "organization", aligned: false })]],
    [
      "period-mismatch",
      () => [objective({ keyResults: [kr({ startDate: "2026-01-01", endDate: "2026-03-31" }), kr(), kr()] })],
    ],
    ["stale", () => [objective({ keyResults: [kr({ lastCheckInMs: day(18) }), kr(), kr()] })]],
    ["too-safe", () => [objective({ state: "closed", score: 0.9, committed: true })]],
    ["no-progress", () => [objective({ progress: 0 })], day(44)],
    [
      "no-check-in",
      () => [objective({ keyResults: [kr({ firstCheckInMs: null, lastCheckInMs: null }), kr(), kr()] })],
      day(6),
    ],
    ["duplicate", () => [objective({ title: "Delight our customers" }), objective({ title: "Hire great engineers" })]],
  ];
  it.each(negatives)("%s stays quiet when its rule does not apply", (id, build, now) => {
    expect(ids(run(build(), now))).not.toContain(id);
  });

  it("flags an owner whose OKRs averaged ≥ 0.9 two periods running", () => {
    const history = new Map([
      ["u1", [0.5, 0.9, 0.95]],
      ["u2", [0.9, 0.8]],
    ]);
    const users = run([objective({ title: "Make customers love us" })], day(25), history).filter(
      (f) => f.objectType === "user",
    );
    expect(users.map((f) => `${f.checkId}:${f.objectId}`)).toEqual(["too-safe:u1"]);
  });

  it("treats a milestone as task-like", () => {
    const o = objective({
      keyResults: [kr({ type: "milestone", title: "SOC 2 report", start: null, target: null }), kr(), kr()],
    });
    expect(ids(run([o]))).toContain("kr-task-like");
  });
});

describe("okrSentence", () => {
  it("reads as one line", () => {
    expect(okrSentence("Delight our customers", ["NPS from 30 to 50", "Churn below 2 %"], ["Onboarding revamp"])).toBe(
      "I will delight our customers as measured by NPS from 30 to 50 and churn below 2 % via onboarding revamp.",
    );
    expect(okrSentence("Grow", ["Aa", "Bb", "Cc"], [])).toBe("I will grow as measured by aa, bb and cc.");
  });
});

describe("kr-task-like wording", () => {
  it.each([
    ["Write 12 new guides", true],
    ["We will launch the partner portal", true],
    ["Set up the data warehouse", true],
    ["Design reviews completed on time", false],
    ["Releases shipped on the two-week train", false],
    ["Weekly active users", false],
  ])("%s → %s", (title, flagged) => {
    const o = objective({ keyResults: [kr({ title }), kr(), kr()] });
    expect(ids(run([o])).includes("kr-task-like")).toBe(flagged);
  });
});
