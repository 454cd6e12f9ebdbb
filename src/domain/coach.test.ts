import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COACH_CHECKS,
  type CoachInput,
  type CoachKeyResult,
  type CoachObjective,
  type Finding,
  nearIdenticalTitles,
  okrSentence,
  runCoach,
} from "./coach.js";
import { DAY_MS, periodSpan } from "./periods.js";
import { DEFAULT_SETTINGS } from "./types.js";

// Q1 2026 in UTC: 90 days from 2026-01-01 00:00; the default "now" is day 25.
const q1 = periodSpan("2026-01-01", "2026-03-31", "UTC");
const day = (d: number) => q1.startMs + d * DAY_MS;

let seq = 0;
const HEALTHY_KR_TITLES = ["Net revenue retention", "Weekly active teams", "Median days to first dashboard"];

/** A well-formed increase KR, checked in on day 2 and day 20. */
function kr(over: Partial<CoachKeyResult> = {}): CoachKeyResult {
  seq++;
  return {
    id: `kr-${seq}`,
    title: HEALTHY_KR_TITLES[seq % 3]!,
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

/** A well-formed active organisation objective in Q1 with three good KRs. */
function objective(over: Partial<CoachObjective> = {}): CoachObjective {
  seq++;
  return {
    id: `o-${seq}`,
    title: "Make customers love our product",
    level: "organization",
    ownerIds: ["u1"],
    periodId: "q1",
    span: q1,
    periodStartDate: "2026-01-01",
    periodEndDate: "2026-03-31",
    committed: false,
    state: "active",
    score: null,
    progress: 0.2,
    aligned: true,
    initiativeCount: 2,
    keyResults: [kr(), kr(), kr()],
    ...over,
  };
}

const withKr = (over: Partial<CoachKeyResult>, objOver: Partial<CoachObjective> = {}) =>
  objective({ keyResults: [kr(over), kr(), kr()], ...objOver });

const DISTINCT_TITLES = [
  "Delight our customers",
  "Hire great engineers",
  "Open the EMEA market",
  "Simplify our pricing",
  "Make the platform boringly reliable",
  "Grow a team people recommend",
];

interface Scenario {
  objectives: CoachObjective[];
  nowMs?: number;
  history?: Map<string, number[]>;
}

function run(s: Scenario | CoachObjective[]): Finding[] {
  const sc = Array.isArray(s) ? { objectives: s } : s;
  const input: CoachInput = { objectives: sc.objectives, nowMs: sc.nowMs ?? day(25), settings: DEFAULT_SETTINGS };
  if (sc.history) input.ownerScoreHistory = sc.history;
  return runCoach(input);
}
const ids = (fs: Finding[]) => fs.map((f) => f.checkId);

describe("COACH_CHECKS", () => {
  it("lists the 18 checks of §8 in the table's order with their severities", () => {
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

  it("opens every reason with the principle it serves", () => {
    const names = { focus: "Focus", measurability: "Measurability", ownership: "Ownership", alignment: "Alignment" };
    for (const c of COACH_CHECKS) {
      const expected = c.principle === "outcomes" ? "Outcomes over output" : names[c.principle];
      expect(c.reason.startsWith(`${expected}:`), c.id).toBe(true);
    }
  });
});

describe("runCoach: a well-formed set", () => {
  it("finds nothing", () => {
    expect(run([objective(), objective({ title: "Hire great engineers" })])).toEqual([]);
  });
});

// One scenario that must raise the check, one that must not, for every id.
const cases: Record<string, { positive: Scenario; negative: Scenario }> = {
  "kr-measurable": {
    positive: { objectives: [withKr({ target: null })] },
    // stayAbove needs only a target; a milestone needs neither
    negative: {
      objectives: [
        objective({
          keyResults: [kr({ type: "stayAbove", start: null }), kr({ type: "baseline", start: 40, target: null }), kr()],
        }),
      ],
    },
  },
  "kr-owner": {
    positive: { objectives: [withKr({ ownerIds: [] })] },
    negative: { objectives: [withKr({ ownerIds: ["u7"] })] },
  },
  "objective-owner": {
    positive: { objectives: [objective({ ownerIds: [] })] },
    negative: { objectives: [objective({ ownerIds: ["team-lead"] })] },
  },
  "objective-period": {
    positive: { objectives: [objective({ periodId: null, span: null, periodStartDate: null, periodEndDate: null })] },
    negative: { objectives: [objective({ periodId: "2026" })] },
  },
  "kr-count": {
    positive: { objectives: [objective({ keyResults: [kr()] })] },
    // 2 is tolerated
    negative: { objectives: [objective({ keyResults: [kr(), kr()] })] },
  },
  "objective-count": {
    // six open objectives for u1 in q1
    positive: { objectives: DISTINCT_TITLES.map((title) => objective({ title })) },
    // five open ones plus a closed one
    negative: {
      objectives: DISTINCT_TITLES.map((title, i) => objective({ title, ...(i === 5 ? { state: "closed" } : {}) })),
    },
  },
  "initiative-count": {
    positive: { objectives: [objective({ initiativeCount: 6 })] },
    negative: { objectives: [objective({ initiativeCount: 5 })] },
  },
  "objective-numeric": {
    positive: { objectives: [objective({ title: "Grow revenue 20%" })] },
    negative: { objectives: [objective({ title: "Grow revenue faster than the market" })] },
  },
  "kr-task-like": {
    positive: { objectives: [withKr({ title: "Launch the new pricing page" })] },
    negative: { objectives: [withKr({ title: "Trial to paid conversion" })] },
  },
  "kr-baseline": {
    positive: { objectives: [withKr({ baselineConfirmed: false })] },
    // only from–to KRs have a start value to confirm
    negative: { objectives: [withKr({ type: "stayBelow", start: null, baselineConfirmed: false })] },
  },
  "objective-too-long": {
    positive: { objectives: [objective({ title: "A".repeat(121) })] },
    negative: { objectives: [objective({ title: "A".repeat(120) })] },
  },
  unaligned: {
    positive: { objectives: [objective({ level: "team", aligned: false })] },
    negative: { objectives: [objective({ level: "organization", aligned: false })] },
  },
  "period-mismatch": {
    positive: { objectives: [withKr({ endDate: "2026-04-15" })] },
    // the period's own first and last dates are inside
    negative: { objectives: [withKr({ startDate: "2026-01-01", endDate: "2026-03-31" })] },
  },
  stale: {
    // day 25 − day 17.9 = 7.1 days > 7
    positive: { objectives: [withKr({ lastCheckInMs: day(17.9) })] },
    // day 25 − day 18 = 7 days, not longer than the cadence
    negative: { objectives: [withKr({ lastCheckInMs: day(18) })] },
  },
  "too-safe": {
    positive: { objectives: [objective({ state: "closed", score: 0.9 })] },
    negative: { objectives: [objective({ state: "closed", score: 0.9, committed: true })] },
  },
  "no-progress": {
    // the midpoint of Q1 is day 45
    positive: { objectives: [objective({ progress: 0 })], nowMs: day(45) },
    negative: { objectives: [objective({ progress: 0 })], nowMs: day(45) - 1 },
  },
  "no-check-in": {
    positive: { objectives: [withKr({ firstCheckInMs: null, lastCheckInMs: null })], nowMs: day(7) },
    negative: { objectives: [withKr({ firstCheckInMs: null, lastCheckInMs: null })], nowMs: day(7) - 1 },
  },
  duplicate: {
    positive: {
      objectives: [objective({ title: "Delight our customers" }), objective({ title: "Delight our customers!" })],
    },
    negative: {
      objectives: [objective({ title: "Delight our customers" }), objective({ title: "Delight our investors" })],
    },
  },
};

describe("runCoach: every check, positive and negative", () => {
  it("covers every id", () => {
    expect(Object.keys(cases).sort()).toEqual(COACH_CHECKS.map((c) => c.id).sort());
  });

  it.each(Object.entries(cases))("%s flags when its rule applies", (id, { positive }) => {
    const findings = run(positive).filter((f) => f.checkId === id);
    expect(findings).toHaveLength(1);
    const f = findings[0]!;
    const check = COACH_CHECKS.find((c) => c.id === id)!;
    expect(f.severity).toBe(check.severity);
    expect(f.reason).toBe(check.reason);
    expect(f.message.length).toBeGreaterThan(30);
  });

  it.each(Object.entries(cases))("%s stays quiet when it does not", (id, { negative }) => {
    expect(ids(run(negative))).not.toContain(id);
  });
});

describe("runCoach: check details", () => {
  it("kr-measurable names what is missing", () => {
    const [f] = run([withKr({ start: null, target: null, baselineConfirmed: false })]);
    expect(f!.checkId).toBe("kr-measurable");
    expect(f!.message).toContain("without a start value or a target");
    // kr-baseline stays quiet when there is no start value at all
    expect(ids(run([withKr({ start: null, baselineConfirmed: false })]))).toEqual(["kr-measurable"]);
    expect(ids(run([withKr({ type: "stayAbove", target: null })]))).toEqual(["kr-measurable"]);
    expect(ids(run([withKr({ type: "decrease", start: 10, target: null })]))).toEqual(["kr-measurable"]);
  });

  it("kr-count flags 0, 1 and 6 KRs with the count, and keeps 2 to 5", () => {
    const count = (n: number) => run([objective({ keyResults: Array.from({ length: n }, () => kr()) })]);
    expect(count(0)[0]!.message).toContain("0 key results");
    expect(count(1)[0]!.message).toContain("1 key result.");
    expect(count(6)[0]!.message).toContain("6 key results");
    for (const n of [2, 3, 4, 5]) expect(ids(count(n))).toEqual([]);
  });

  it("objective-count is per owner and per period, on the user", () => {
    const six = (periodId: string, owner: string) =>
      DISTINCT_TITLES.map((title) => objective({ title, periodId, ownerIds: [owner] }));
    const findings = run([...six("q1", "u1"), ...six("q1", "u2").slice(0, 5)]).filter(
      (f) => f.checkId === "objective-count",
    );
    expect(findings.map((f) => `${f.objectType}:${f.objectId}`)).toEqual(["user:u1"]);
    expect(findings[0]!.message).toContain("6 open objectives");
    expect(findings[0]!.message).toContain("2026-01-01 – 2026-03-31");
    // three in q1 and three in q2: five or fewer in each period
    const split = DISTINCT_TITLES.map((title, i) => objective({ title, periodId: i < 3 ? "q1" : "q2" }));
    expect(ids(run(split))).not.toContain("objective-count");
    // drafts count: the owner is still on the hook for them
    const drafts = DISTINCT_TITLES.map((title) => objective({ title, state: "draft" }));
    expect(ids(run(drafts))).toContain("objective-count");
  });

  it.each([
    ["Grow revenue 20%", "20%"],
    ["Reach 1,000 customers", "1,000"],
    ["Be the #1 choice in Q3", "1"],
    ["Win 100 % of renewals", "100 %"],
    ["Grow revenue 3x in Q4", "3"],
    ["Reach 10k weekly users", "10"],
  ])("objective-numeric quotes the figure in %s", (title, figure) => {
    const f = run([objective({ title })]).find((x) => x.checkId === "objective-numeric")!;
    expect(f.message).toContain(`contains "${figure}"`);
  });

  it.each([
    "Make e2e tests trustworthy",
    "Win B2B deals in Q3",
    "Serve every page over IPv6",
    "Earn the trust of H1 hires",
  ])("objective-numeric sees no figure in the names and words of %s", (title) => {
    expect(ids(run([objective({ title })]))).not.toContain("objective-numeric");
  });

  it.each([
    ["Write 12 new guides", true],
    ["We will launch the partner portal", true],
    ["Set up the data warehouse", true],
    ["Roll  out SSO to every customer", true],
    ["HOLD quarterly business reviews", true],
    ["Organise a user conference", true],
    ["Releases shipped on the two-week train", false], // "shipped" is not "ship"
    ["Weekly active users", false],
    ["Household penetration", false], // "hold" only as a whole word
    ["Trial to paid conversion", false],
    ["Design reviews completed on time", false], // a noun, not an order
    ["Accounts that we migrate to the new plan", false],
  ])("kr-task-like: %s → %s", (title, flagged) => {
    expect(ids(run([withKr({ title })])).includes("kr-task-like")).toBe(flagged);
  });

  it("kr-task-like flags a milestone whatever its wording", () => {
    const f = run([withKr({ type: "milestone", title: "SOC 2 report", start: null, target: null })]);
    expect(ids(f)).toEqual(["kr-task-like"]);
    expect(f[0]!.message).toContain("milestone");
  });

  it("objective-too-long counts characters, not UTF-16 units", () => {
    // 120 emoji are 240 UTF-16 units but 120 characters
    expect(ids(run([objective({ title: "🚀".repeat(120) })]))).not.toContain("objective-too-long");
    expect(
      run([objective({ title: "🚀".repeat(121) })]).find((f) => f.checkId === "objective-too-long")!.message,
    ).toContain("121 characters");
  });

  it("unaligned applies to individual objectives too", () => {
    expect(ids(run([objective({ level: "individual", aligned: false })]))).toEqual(["unaligned"]);
    expect(ids(run([objective({ level: "team", aligned: true })]))).toEqual([]);
  });

  it.each([
    [{ startDate: "2025-12-15" }, true, "2025-12-15"],
    [{ startDate: "2026-04-02", endDate: "2026-04-30" }, true, "2026-04-02, 2026-04-30"],
    [{ endDate: "2026-03-31" }, false, ""],
    [{ startDate: "2026-02-01", endDate: "2026-02-28" }, false, ""],
  ])("period-mismatch for %o → %s", (dates, flagged, quoted) => {
    const f = run([withKr(dates)]).filter((x) => x.checkId === "period-mismatch");
    expect(f.length > 0).toBe(flagged);
    if (flagged) expect(f[0]!.message).toContain(`(${quoted})`);
  });

  it("period-mismatch needs the period's dates", () => {
    expect(ids(run([withKr({ endDate: "2026-04-15" }, { periodStartDate: null, periodEndDate: null })]))).toEqual([]);
  });

  it("stale gives the numbers and stops outside the span", () => {
    // last check-in day 10, now day 25: 15 days ago
    const f = run([withKr({ lastCheckInMs: day(10) })]).find((x) => x.checkId === "stale")!;
    expect(f.message).toContain("15 days ago");
    expect(f.message).toContain("every 7 days");
    // after the end of Q1 a stale KR is no longer chased
    expect(ids(run({ objectives: [withKr({ lastCheckInMs: day(10) })], nowMs: day(95) }))).toEqual([]);
    // a KR that never had a check-in is no-check-in, not stale
    expect(ids(run([withKr({ firstCheckInMs: null, lastCheckInMs: null })]))).toEqual(["no-check-in"]);
  });

  it("stale follows the cadence setting", () => {
    const o = withKr({ lastCheckInMs: day(10) });
    const findings = runCoach({ objectives: [o], nowMs: day(25), settings: { ...DEFAULT_SETTINGS, cadenceDays: 14 } });
    // 15 days > 14
    expect(ids(findings)).toEqual(["stale"]);
    const fine = runCoach({ objectives: [o], nowMs: day(24), settings: { ...DEFAULT_SETTINGS, cadenceDays: 14 } });
    expect(ids(fine)).toEqual([]);
  });

  it("no-check-in counts from the KR's own start date", () => {
    // The KR starts on 2026-02-01 (day 31): at day 35 it is inside its grace, at day 38 past it.
    // The other two KRs were checked in on day 34, so they stay fresh throughout.
    const fresh = () => kr({ lastCheckInMs: day(34) });
    const late = objective({
      keyResults: [kr({ startDate: "2026-02-01", firstCheckInMs: null, lastCheckInMs: null }), fresh(), fresh()],
    });
    expect(ids(run({ objectives: [late], nowMs: day(35) }))).toEqual([]);
    const f = run({ objectives: [late], nowMs: day(38) });
    expect(ids(f)).toEqual(["no-check-in"]);
    expect(f[0]!.message).toContain("7 days");
  });

  it("no-check-in counts from creation when the KR was added mid-period", () => {
    const fresh = () => kr({ lastCheckInMs: day(34) });
    const added = (createdMs: number) =>
      objective({ keyResults: [kr({ firstCheckInMs: null, lastCheckInMs: null, createdMs }), fresh(), fresh()] });
    // Added on day 30: quiet at day 35, flagged at day 38 with the days counted from its creation.
    expect(ids(run({ objectives: [added(day(30))], nowMs: day(35) }))).toEqual([]);
    const f = run({ objectives: [added(day(30))], nowMs: day(38) });
    expect(ids(f)).toEqual(["no-check-in"]);
    expect(f[0]!.message).toContain("8 days since it was added");
    // Created before the start: counted from the start, as before.
    expect(run({ objectives: [added(day(-10))], nowMs: day(38) })[0]!.message).toContain("since it started");
  });

  it("no-check-in ignores check-ins dated after now and keeps flagging after the end until closed", () => {
    expect(ids(run([withKr({ firstCheckInMs: day(30), lastCheckInMs: day(30) })]))).toEqual(["no-check-in"]);
    expect(ids(run({ objectives: [withKr({ firstCheckInMs: null, lastCheckInMs: null })], nowMs: day(100) }))).toEqual([
      "no-check-in",
    ]);
  });

  it("no-progress gives the share of the period elapsed", () => {
    // day 60 of 90: 66.7 % → "67 %"
    const fresh = () => [kr({ lastCheckInMs: day(59) }), kr({ lastCheckInMs: day(59) })];
    const findings = run({ objectives: [objective({ progress: 0, keyResults: fresh() })], nowMs: day(60) });
    expect(ids(findings)).toEqual(["no-progress"]);
    expect(findings[0]!.message).toContain("67 %");
    expect(ids(run({ objectives: [objective({ progress: 0.01, keyResults: fresh() })], nowMs: day(60) }))).toEqual([]);
  });

  it("no-progress leaves out an objective created in the second half of its period", () => {
    const fresh = () => [kr({ lastCheckInMs: day(59) }), kr({ lastCheckInMs: day(59) })];
    const late = objective({ progress: 0, keyResults: fresh(), createdMs: day(50) });
    expect(ids(run({ objectives: [late], nowMs: day(60) }))).toEqual([]);
    const early = objective({ progress: 0, keyResults: fresh(), createdMs: day(40) });
    expect(ids(run({ objectives: [early], nowMs: day(60) }))).toEqual(["no-progress"]);
  });

  it("too-safe on a closed aspirational objective reads the one-decimal score", () => {
    expect(ids(run([objective({ state: "closed", score: 1 })]))).toEqual(["too-safe"]);
    // 0.84 scores 0.8, which is not above 0.8
    expect(ids(run([objective({ state: "closed", score: 0.84 })]))).toEqual([]);
    expect(ids(run([objective({ state: "closed", score: null })]))).toEqual([]);
  });

  it("too-safe flags an owner whose last two periods both averaged ≥ 0.9", () => {
    const history = new Map([
      ["u1", [0.5, 0.9, 0.95]], // last two: 0.9, 0.95 → flagged
      ["u2", [0.95, 0.9, 0.8]], // last two: 0.9, 0.8 → not
      ["u3", [0.99]], // only one period → not
      ["u4", [2.7 / 3, 0.9]], // 0.9 with binary noise still counts
    ]);
    const users = run({ objectives: [objective()], history }).filter((f) => f.objectType === "user");
    expect(users.map((f) => `${f.checkId}:${f.objectId}`)).toEqual(["too-safe:u1", "too-safe:u4"]);
    expect(users[0]!.message).toContain("0.90 and then 0.95");
  });

  it.each([
    ["Delight our customers", "delight our customers", true], // case
    ["Delight our customers", "Delight  our customers.", true], // spaces and punctuation
    ["Improve e-mail onboarding", "Improve email onboarding", true], // hyphen
    ["Delight our customers and partners", "Delight our partners and customers", true], // word order (Jaccard 1)
    ["Make every dashboard feel instant", "Make every dashboard feel instantt", true], // typo: 1 edit in 34
    ["Become the analytics tool teams choose", "Become the analytics tool teams chose", true], // 1 edit in 38
    // 20 characters, 2 typos: 1 − 2/20 = 0.9 → duplicate; 3 typos: 0.85 → not
    ["Reduce churn in EMEA", "Reduce churn on EMIA", true],
    ["Reduce churn in EMEA", "Reduce chorn on EMIA", false],
    // 9 shared words of 10 in all: Jaccard 9/10 = 0.9 → duplicate (Levenshtein: 16 edits in 58, far off)
    ["Win more deals in the mid market this year", "Win more deals in the mid market this year internationally", true],
    // 8 shared words of 9: Jaccard 0.889 → not a duplicate
    ["Win more deals in the mid market now", "Win more deals in the mid market now internationally", false],
    ["Delight our customers", "Delight our investors", false],
    ["Grow revenue", "Grow profit", false],
  ])("duplicate: %s vs %s → %s", (a, b, flagged) => {
    expect(ids(run([objective({ title: a }), objective({ title: b })])).includes("duplicate")).toBe(flagged);
  });

  it("duplicate on one-word titles agrees with a plain Levenshtein: 10·distance ≤ longer length", () => {
    const levenshtein = (a: string, b: string): number => {
      let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
      for (let i = 1; i <= a.length; i++) {
        const cur = [i];
        for (let j = 1; j <= b.length; j++) {
          cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
        }
        prev = cur;
      }
      return prev[b.length]!;
    };
    // One word each (no spaces), so the word-set measure only matches equal titles.
    const word = fc.string({ unit: fc.constantFrom("a", "b", "c"), minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(
        word,
        fc.array(fc.tuple(fc.nat(40), fc.constantFrom("a", "b", "c", "")), { maxLength: 5 }),
        (a, edits) => {
          // Derive b from a by a few substitutions/deletions so that near misses are common.
          const chars = [...a];
          for (const [at, c] of edits) chars.splice(at % (chars.length + 1), 1, ...(c ? [c] : []));
          const b = chars.join("") || "a";
          const expected = 10 * levenshtein(a, b) <= Math.max(a.length, b.length);
          const flagged = ids(run([objective({ title: a }), objective({ title: b })])).includes("duplicate");
          expect(flagged).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("duplicate flags the later objective, names the earlier one, and stays within a period", () => {
    const first = objective({ title: "Delight our customers" });
    const second = objective({ title: "Delight our customers!" });
    const f = run([first, second]).filter((x) => x.checkId === "duplicate");
    expect(f.map((x) => x.objectId)).toEqual([second.id]);
    expect(f[0]!.message).toContain('"Delight our customers"');
    // same title in another period, or without a period: not a duplicate
    const other = objective({ title: "Delight our customers", periodId: "q2" });
    expect(ids(run([first, other]))).not.toContain("duplicate");
    const loose = { periodId: null, span: null, periodStartDate: null, periodEndDate: null };
    const twoLoose = [objective({ title: "Grow", ...loose }), objective({ title: "Grow", ...loose })];
    expect(ids(run(twoLoose))).not.toContain("duplicate");
    // a closed objective is not compared
    expect(ids(run([objective({ title: "Delight our customers", state: "closed" }), second]))).not.toContain(
      "duplicate",
    );
  });
});

describe("runCoach: duplicates in a large period", () => {
  /** Titles made to be near one another: a few phrases, each copied with typos, shuffles and noise. */
  const PHRASES = [
    "Delight our enterprise customers",
    "Grow net revenue retention in EMEA",
    "Ship the mobile app people open every morning",
    "Cut onboarding time in half",
    "Make every dashboard feel instant",
    "Hire",
    "Go up",
  ];
  const variant = fc
    .tuple(
      fc.constantFrom(...PHRASES),
      fc.array(
        fc.tuple(
          fc.nat(60),
          fc.constantFrom("insert", "delete", "replace", "shuffle", "noise"),
          fc.constantFrom("a", "e", "x", " ", "é", "-", "1"),
        ),
        { maxLength: 4 },
      ),
    )
    .map(([phrase, edits]) => {
      let t = phrase;
      for (const [at, kind, c] of edits) {
        const i = at % (t.length + 1);
        if (kind === "insert") t = t.slice(0, i) + c + t.slice(i);
        else if (kind === "delete") t = t.slice(0, i) + t.slice(i + 1);
        else if (kind === "replace") t = t.slice(0, i) + c + t.slice(i + 1);
        else if (kind === "shuffle") t = t.split(" ").reverse().join(" ");
        else t = `${t.toUpperCase()}!`;
      }
      return t;
    });

  it("names, for each objective, the first earlier one a comparison of every pair would", () => {
    fc.assert(
      fc.property(fc.array(variant, { minLength: 2, maxLength: 60 }), (titles) => {
        const objectives = titles.map((title) => objective({ title }));
        const found = new Map(
          run(objectives)
            .filter((f) => f.checkId === "duplicate")
            .map((f) => [f.objectId, f.message]),
        );
        for (const [i, o] of objectives.entries()) {
          const twin = titles.slice(0, i).find((earlier) => nearIdenticalTitles(earlier, o.title));
          if (twin === undefined) expect(found.has(o.id), o.title).toBe(false);
          else {
            // The message the pair alone gives: it names the earlier title.
            const pair = run([objective({ title: twin }), objective({ title: o.title })]).find(
              (f) => f.checkId === "duplicate",
            );
            expect(found.get(o.id), o.title).toBe(pair?.message);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("runCoach: scope and order", () => {
  it("a closed objective gets only too-safe", () => {
    const closed = objective({
      state: "closed",
      score: 0.9,
      ownerIds: [],
      title: "Grow revenue 20%",
      level: "team",
      aligned: false,
      progress: 0,
      keyResults: [kr({ ownerIds: [], firstCheckInMs: null, lastCheckInMs: null, title: "Write 12 guides" })],
    });
    expect(ids(run({ objectives: [closed], nowMs: day(60) }))).toEqual(["too-safe"]);
  });

  it("a draft gets structural checks but no time-based ones", () => {
    const draft = objective({
      state: "draft",
      progress: 0,
      ownerIds: [],
      keyResults: [kr({ firstCheckInMs: null, lastCheckInMs: null }), kr({ lastCheckInMs: day(1) }), kr()],
    });
    expect(ids(run({ objectives: [draft], nowMs: day(60) }))).toEqual(["objective-owner"]);
  });

  it("orders findings by objective, then its KRs, each in table order, then people", () => {
    const a = objective({
      title: "Grow revenue 20%",
      level: "team",
      aligned: false,
      ownerIds: [],
      keyResults: [kr({ ownerIds: [], target: null }), kr({ title: "Write 12 guides", baselineConfirmed: false })],
    });
    const b = objective({ title: "Grow revenue 20 %", initiativeCount: 9 });
    const history = new Map([["u9", [0.9, 0.9]]]);
    const findings = run({ objectives: [a, b], history });
    expect(findings.map((f) => `${f.checkId}@${f.objectId}`)).toEqual([
      `objective-owner@${a.id}`,
      `objective-numeric@${a.id}`,
      `unaligned@${a.id}`,
      `kr-measurable@${a.keyResults[0]!.id}`,
      `kr-owner@${a.keyResults[0]!.id}`,
      `kr-task-like@${a.keyResults[1]!.id}`,
      `kr-baseline@${a.keyResults[1]!.id}`,
      `initiative-count@${b.id}`,
      `objective-numeric@${b.id}`,
      `duplicate@${b.id}`,
      "too-safe@u9",
    ]);
    // deterministic: the same input gives the same output
    expect(run({ objectives: [a, b], history })).toEqual(findings);
  });

  it("quotes the title in messages", () => {
    const f = run([objective({ ownerIds: [], title: "Delight our customers" })]);
    expect(f[0]!.message).toContain('"Delight our customers"');
  });

  it("does not throw on half-finished input", () => {
    const odd = objective({
      title: "",
      span: { startMs: day(10), endMs: day(10) },
      keyResults: [
        kr({ startDate: "2026-02-30", endDate: "not a date", firstCheckInMs: null, lastCheckInMs: null }),
        kr({ start: Number.NaN, endDate: "9999-12-31" }),
      ],
    });
    expect(() => run([odd])).not.toThrow();
    expect(() =>
      runCoach({
        objectives: [withKr({ startDate: "2026-02-01" })],
        nowMs: day(40),
        settings: { ...DEFAULT_SETTINGS, timeZone: "Mars/Base" },
      }),
    ).not.toThrow();
  });
});

describe("okrSentence", () => {
  it.each<[string, string, string[], string[], string]>([
    [
      "objective, two KRs and an initiative",
      "Delight our customers",
      ["NPS from 30 to 50", "Churn below 2 %"],
      ["Onboarding revamp"],
      "I will delight our customers as measured by NPS from 30 to 50 and churn below 2 % via onboarding revamp.",
    ],
    [
      "three KRs: commas and a final and; no initiatives: no via",
      "Grow the business",
      ["Net revenue retention", "Weekly active teams", "Gross margin"],
      [],
      "I will grow the business as measured by net revenue retention, weekly active teams and gross margin.",
    ],
    ["no KRs and no initiatives", "Grow the business.", [], [], "I will grow the business."],
    [
      "acronyms and inner capitals kept; trailing punctuation dropped; blanks skipped",
      "  Ship iOS delight!  ",
      ["ARR from EMEA.", " ", "iOS rating"],
      ["A/B tests", "Pricing page"],
      "I will ship iOS delight as measured by ARR from EMEA and iOS rating via A/B tests and pricing page.",
    ],
    [
      "a title that already says I will",
      "I will Make the platform reliable",
      ["Uptime"],
      [],
      "I will make the platform reliable as measured by uptime.",
    ],
    [
      "the article A is lower-cased",
      "A mobile app people open daily",
      ["Daily active users"],
      ["Morning digest", "Widgets", "Offline mode"],
      "I will a mobile app people open daily as measured by daily active users via morning digest, widgets and offline mode.",
    ],
  ])("%s", (_name, objectiveTitle, krs, initiatives, sentence) => {
    expect(okrSentence(objectiveTitle, krs, initiatives)).toBe(sentence);
  });
});
