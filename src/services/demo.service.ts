/**
 * The demo workspace: a fictional mid-size B2B software company, Fernhill, with teams,
 * people, a year and its quarters, three levels of aligned OKRs of every kind, and a
 * weekly check-in history up to now, so statuses, forecasts and charts show something
 * real. Written for Okra; deterministic for a given `nowMs`.
 */
import type { Database } from "../db/database.js";
import {
  alignmentRepo,
  checkInRepo,
  initiativeRepo,
  keyResultRepo,
  kpiRepo,
  kpiValueRepo,
  objectiveRepo,
  type PeriodRow,
  periodRepo,
  teamQueries,
  teamRepo,
  userQueries,
  userRepo,
} from "../db/repositories.js";
import { DAY_MS } from "../domain/periods.js";
import { clamp01, krOwnProgress } from "../domain/progress.js";
import { objectiveScore, suggestedKrScore } from "../domain/scoring.js";
import type { KrType, ManualStatus } from "../domain/types.js";
import { type Actor, mutate, type Services, type Write } from "./context.js";

/** A small seeded PRNG (mulberry32): the same demo for the same `nowMs`. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PEOPLE: [key: string, name: string, manager: string | null, teams: string[]][] = [
  ["maya", "Maya Lindqvist", null, []],
  ["tomas", "Tomás Ferreira", "maya", ["eng"]],
  ["aisha", "Aisha Rahman", "tomas", ["platform"]],
  ["jonas", "Jonas Becker", "aisha", ["platform"]],
  ["mei", "Mei Tanaka", "aisha", ["platform"]],
  ["kofi", "Kofi Mensah", "tomas", ["mobile"]],
  ["lucia", "Lucía Romero", "kofi", ["mobile"]],
  ["ravi", "Ravi Iyer", "kofi", ["mobile"]],
  ["hannah", "Hannah Schulz", "maya", ["sales"]],
  ["diego", "Diego Alvarez", "hannah", ["sales"]],
  ["priya", "Priya Nair", "hannah", ["sales"]],
  ["sam", "Sam O'Connell", "hannah", ["sales"]],
  ["elena", "Elena Petrova", "maya", ["marketing"]],
  ["noah", "Noah Williams", "elena", ["marketing"]],
  ["chloe", "Chloé Martin", "elena", ["marketing"]],
  ["yusuf", "Yusuf Demir", "maya", ["cs"]],
  ["grace", "Grace Kim", "yusuf", ["cs"]],
  ["oliver", "Oliver Brown", "yusuf", ["cs"]],
  ["fatima", "Fatima Zahra", "yusuf", ["cs"]],
  ["ines", "Inês Costa", "maya", ["people"]],
  ["leo", "Leo Novak", "ines", ["people"]],
  ["zara", "Zara Ahmed", "tomas", ["eng"]],
  ["ben", "Ben Clarke", "hannah", ["sales"]],
  ["nora", "Nora Jensen", "elena", ["marketing"]],
];

const TEAMS: [key: string, name: string, parent: string | null, owner: string, description: string][] = [
  ["eng", "Engineering", null, "tomas", "Builds and runs the Fernhill analytics platform."],
  ["platform", "Platform", "eng", "aisha", "Data pipeline, APIs and reliability."],
  ["mobile", "Mobile", "eng", "kofi", "The iOS and Android dashboards."],
  ["sales", "Sales", null, "hannah", "New business and expansion."],
  ["marketing", "Marketing", null, "elena", "Demand, brand and product marketing."],
  ["cs", "Customer Success", null, "yusuf", "Onboarding, support and renewals."],
  ["people", "People", null, "ines", "Hiring, growth and culture."],
];

/**
 * A KR line: title, type, start, target, owners, and how its history goes:
 * a pace (1 = exactly on plan, below 1 behind, above 1 ahead), "none" (never checked
 * in) or "stale" (stopped checking in weeks ago). Without a pace it takes one from a cycle.
 */
interface KrSpec {
  /** Names the KR for alignments (objective `alignTo` and KR `alignTo` entries). */
  key?: string;
  title: string;
  type: KrType;
  start?: number;
  target?: number;
  owners: string[];
  pace?: number | "none" | "stale";
  unit?: "number" | "percent" | "currency";
  currency?: string;
  weight?: number;
  /** A roll-up KR: its progress comes from what aligns to it, so it gets no check-ins. */
  rollup?: "mean" | "sum" | "proportional";
  /** Phased targets: a slow first quarter, then the straight line. */
  phased?: boolean;
  baselineConfirmed?: boolean;
  /** Runs over the current quarter inside a yearly objective. */
  quarterDates?: boolean;
  /** KR keys this KR contributes to (alignment keyResult → keyResult). */
  alignTo?: string[];
  /** Milestones: the fraction of the span at which it was reached (never, when absent). */
  achievedAt?: number;
  /** A manual status its owner put on the latest check-in. */
  lastStatus?: ManualStatus;
}

interface ObjectiveSpec {
  key: string;
  title: string;
  description?: string;
  level: "organization" | "team" | "individual";
  team?: string;
  owners: string[];
  /** "next" is the quarter after the current one (the current one in Q4). */
  period: "year" | "current" | "previous" | "next";
  committed?: boolean;
  draft?: boolean;
  /** KR keys this objective aligns under (first = main parent), or objective keys with "o:". */
  alignTo?: string[];
  krs: KrSpec[];
  initiatives?: [string, number][];
  /** Previous-quarter objectives: closed with this note. */
  closing?: { note: string; learnings: string; next: string };
}

const OBJECTIVES: ObjectiveSpec[] = [
  // ------------------------------------------------------------ organisation (the year)
  {
    key: "growth",
    title: "Become the analytics tool mid-market teams choose first",
    level: "organization",
    owners: ["maya"],
    period: "year",
    description: "We win when a 200-person company evaluates tools and picks us without a bake-off.",
    krs: [
      {
        key: "arr",
        title: "New ARR booked this quarter",
        type: "increase",
        start: 0,
        target: 2_250_000,
        unit: "currency",
        currency: "EUR",
        owners: ["hannah"],
        rollup: "sum",
        quarterDates: true,
      },
      {
        key: "logos",
        title: "Mid-market customers",
        type: "increase",
        start: 310,
        target: 450,
        owners: ["hannah"],
        pace: 0.92,
      },
      {
        key: "winrate",
        title: "Competitive win rate",
        type: "increase",
        start: 22,
        target: 35,
        unit: "percent",
        owners: ["diego"],
        pace: 1.05,
      },
    ],
  },
  {
    key: "love",
    title: "Customers get value in their first week",
    level: "organization",
    owners: ["yusuf"],
    period: "year",
    krs: [
      {
        key: "ttv",
        title: "Median days to first dashboard",
        type: "decrease",
        start: 12,
        target: 3,
        owners: ["grace"],
        pace: 0.85,
      },
      {
        key: "nrr",
        title: "Net revenue retention",
        type: "increase",
        start: 104,
        target: 115,
        unit: "percent",
        owners: ["yusuf"],
        pace: 0.7,
      },
      {
        key: "csat",
        title: "Support satisfaction stays at or above 92 %",
        type: "stayAbove",
        target: 92,
        unit: "percent",
        owners: ["oliver"],
        weight: 0.5,
      },
    ],
  },
  {
    key: "reliable",
    title: "A platform customers never have to think about",
    level: "organization",
    owners: ["tomas"],
    period: "year",
    committed: true,
    krs: [
      {
        key: "uptime",
        title: "Monthly uptime stays at or above 99.9 %",
        type: "stayAbove",
        target: 99.9,
        unit: "percent",
        owners: ["aisha"],
      },
      {
        key: "p95",
        title: "Dashboard load time p95 in ms",
        type: "decrease",
        start: 2400,
        target: 900,
        owners: ["jonas"],
        pace: 1.1,
      },
      {
        key: "sev1",
        title: "Sev-1 incidents per quarter stay at or below 1",
        type: "stayBelow",
        target: 1,
        owners: ["tomas"],
      },
    ],
  },
  {
    key: "brand",
    title: "Be known for honest, useful analytics advice",
    level: "organization",
    owners: ["elena"],
    period: "year",
    krs: [
      {
        key: "mql",
        title: "Marketing-qualified leads per quarter",
        type: "increase",
        start: 900,
        target: 1500,
        owners: ["elena"],
        rollup: "mean",
      },
      {
        key: "organic",
        title: "Organic sign-ups per month",
        type: "increase",
        start: 380,
        target: 700,
        owners: ["noah"],
        pace: 1.15,
        phased: true,
      },
      {
        key: "aware",
        title: "Aided brand awareness in our segment",
        type: "baseline",
        unit: "percent",
        owners: ["chloe"],
        baselineConfirmed: false,
      },
    ],
  },
  {
    key: "team",
    title: "Grow a team people recommend to their friends",
    level: "organization",
    owners: ["ines", "maya"],
    period: "year",
    krs: [
      { key: "enps", title: "Employee NPS", type: "increase", start: 18, target: 40, owners: ["ines"], pace: 0.95 },
      {
        key: "regret",
        title: "Regretted attrition",
        type: "decrease",
        start: 9,
        target: 5,
        unit: "percent",
        owners: ["ines"],
        pace: 0.6,
      },
      {
        key: "referrals",
        title: "Share of hires from referrals",
        type: "increase",
        start: 15,
        target: 35,
        unit: "percent",
        owners: ["leo"],
        pace: 1.0,
      },
    ],
  },

  // ------------------------------------------------------------ teams (the current quarter)
  {
    key: "salesEmea",
    title: "Make EMEA our strongest region",
    level: "team",
    team: "sales",
    owners: ["hannah"],
    period: "current",
    alignTo: ["logos"],
    krs: [
      {
        key: "arrEmea",
        alignTo: ["arr"],
        title: "New ARR from EMEA",
        type: "increase",
        start: 0,
        target: 1_100_000,
        unit: "currency",
        currency: "EUR",
        owners: ["diego"],
        pace: 0.9,
      },
      {
        title: "Qualified pipeline in EMEA",
        type: "increase",
        start: 1_500_000,
        target: 4_000_000,
        unit: "currency",
        currency: "EUR",
        owners: ["diego", "sam"],
        pace: 1.05,
      },
      { title: "Average sales cycle in days", type: "decrease", start: 74, target: 55, owners: ["sam"], pace: 0.8 },
    ],
    initiatives: [
      ["Partner programme with two Nordic resellers", 0.4],
      ["Localised German demo environment", 0.8],
    ],
  },
  {
    key: "salesNa",
    title: "Open North America with repeatable wins",
    level: "team",
    team: "sales",
    owners: ["hannah", "priya"],
    period: "current",
    alignTo: ["logos", "winrate"],
    krs: [
      {
        key: "arrNa",
        alignTo: ["arr"],
        title: "New ARR from North America",
        type: "increase",
        start: 0,
        target: 700_000,
        unit: "currency",
        currency: "EUR",
        owners: ["priya"],
        pace: 0.55,
      },
      {
        title: "Reference customers in North America",
        type: "increase",
        start: 2,
        target: 8,
        owners: ["priya"],
        pace: 0.7,
        lastStatus: "atRisk",
      },
      {
        title: "Win rate against the incumbent",
        type: "increase",
        start: 18,
        target: 30,
        unit: "percent",
        owners: ["ben"],
        pace: 0.95,
      },
    ],
  },
  {
    key: "salesExp",
    title: "Expand inside the accounts we already have",
    level: "team",
    team: "sales",
    owners: ["ben"],
    period: "current",
    alignTo: ["nrr"],
    krs: [
      {
        key: "arrExp",
        alignTo: ["arr"],
        title: "Expansion ARR",
        type: "increase",
        start: 0,
        target: 450_000,
        unit: "currency",
        currency: "EUR",
        owners: ["ben"],
        pace: 1.2,
      },
      {
        title: "Accounts using three or more modules",
        type: "increase",
        start: 64,
        target: 110,
        owners: ["ben", "grace"],
        pace: 1.0,
      },
    ],
  },
  {
    key: "mktDemand",
    title: "Fill the funnel with buyers who fit",
    level: "team",
    team: "marketing",
    owners: ["elena"],
    period: "current",
    alignTo: ["mql"],
    committed: true,
    krs: [
      {
        title: "MQLs from the mid-market segment",
        type: "increase",
        start: 0,
        target: 1400,
        owners: ["noah"],
        pace: 1.05,
      },
      {
        title: "MQL to opportunity conversion",
        type: "increase",
        start: 11,
        target: 16,
        unit: "percent",
        owners: ["nora"],
        pace: 0.75,
      },
      {
        title: "Cost per opportunity in euros",
        type: "decrease",
        start: 1450,
        target: 1100,
        unit: "currency",
        currency: "EUR",
        owners: ["nora"],
        pace: 1.1,
      },
    ],
    initiatives: [
      ["Quarterly benchmark report", 0.6],
      ["Webinar series with customers", 0.3],
    ],
  },
  {
    key: "mktContent",
    title: "Publish the guides our buyers actually read",
    level: "team",
    team: "marketing",
    owners: ["chloe"],
    period: "current",
    alignTo: ["mql", "organic"],
    krs: [
      {
        title: "Monthly readers of the analytics guides",
        type: "increase",
        start: 12_000,
        target: 30_000,
        owners: ["chloe"],
        pace: 1.3,
      },
      {
        title: "Sign-ups attributed to guides",
        type: "increase",
        start: 40,
        target: 160,
        owners: ["chloe", "noah"],
        pace: 0.9,
      },
      { title: "Write 12 new guides", type: "increase", start: 0, target: 12, owners: ["chloe"], pace: 1.0 },
    ],
  },
  {
    key: "csOnboard",
    title: "Onboarding that feels effortless",
    level: "team",
    team: "cs",
    owners: ["grace"],
    period: "current",
    alignTo: ["ttv"],
    krs: [
      {
        key: "onbDays",
        title: "Median onboarding time in days",
        type: "decrease",
        start: 9,
        target: 4,
        owners: ["grace"],
        pace: 0.9,
      },
      {
        title: "New customers completing the setup checklist",
        type: "increase",
        start: 48,
        target: 80,
        unit: "percent",
        owners: ["fatima"],
        pace: 1.1,
      },
      {
        title: "Onboarding tickets per new customer",
        type: "decrease",
        start: 5.5,
        target: 3,
        owners: ["oliver"],
        pace: "stale",
      },
    ],
    initiatives: [
      ["Guided setup wizard", 0.7],
      ["Office hours twice a week", 1],
    ],
  },
  {
    key: "csRenew",
    title: "Renew every customer who gets value",
    level: "team",
    team: "cs",
    owners: ["yusuf"],
    period: "current",
    alignTo: ["nrr"],
    committed: true,
    krs: [
      {
        title: "Gross revenue retention",
        type: "increase",
        start: 88,
        target: 93,
        unit: "percent",
        owners: ["yusuf"],
        pace: 0.6,
      },
      {
        title: "At-risk accounts with a recovery plan",
        type: "increase",
        start: 30,
        target: 100,
        unit: "percent",
        owners: ["fatima"],
        pace: 1.15,
      },
      {
        title: "Renewal forecast accuracy stays within 5 points",
        type: "stayBelow",
        target: 5,
        unit: "percent",
        owners: ["yusuf"],
      },
      {
        key: "kept",
        title: "ARR kept in accounts flagged at risk",
        type: "increase",
        start: 0,
        target: 400_000,
        unit: "currency",
        currency: "EUR",
        owners: ["yusuf", "fatima"],
        rollup: "proportional",
      },
    ],
  },
  {
    key: "platPerf",
    title: "Make every dashboard feel instant",
    level: "team",
    team: "platform",
    owners: ["aisha"],
    period: "current",
    alignTo: ["p95"],
    krs: [
      {
        key: "queryP95",
        title: "Query engine p95 in ms",
        type: "decrease",
        start: 1800,
        target: 600,
        owners: ["jonas"],
        pace: 1.1,
      },
      {
        title: "Cache hit rate",
        type: "increase",
        start: 61,
        target: 85,
        unit: "percent",
        owners: ["mei"],
        pace: 0.95,
      },
      {
        title: "Dashboards over 3 s at p95",
        type: "decrease",
        start: 140,
        target: 20,
        owners: ["jonas", "mei"],
        pace: 0.8,
      },
    ],
  },
  {
    key: "platRel",
    title: "Run the platform without surprises",
    level: "team",
    team: "platform",
    owners: ["aisha"],
    period: "current",
    alignTo: ["uptime", "sev1"],
    committed: true,
    krs: [
      {
        title: "Ingestion uptime stays at or above 99.95 %",
        type: "stayAbove",
        target: 99.95,
        unit: "percent",
        owners: ["mei"],
      },
      {
        title: "Mean time to recover in minutes",
        type: "decrease",
        start: 95,
        target: 30,
        owners: ["aisha"],
        pace: 0.5,
      },
      {
        title: "Services with tested runbooks",
        type: "increase",
        start: 40,
        target: 100,
        unit: "percent",
        owners: ["jonas"],
        pace: "none",
      },
      { title: "Migrate billing to the new event bus", type: "milestone", owners: ["mei"], achievedAt: 0.3 },
    ],
  },
  {
    key: "mobile",
    title: "A mobile app people open every morning",
    level: "team",
    team: "mobile",
    owners: ["kofi"],
    period: "current",
    alignTo: ["ttv", "o:love"],
    krs: [
      {
        key: "mau",
        title: "Mobile weekly active users",
        type: "increase",
        start: 2100,
        target: 5000,
        owners: ["kofi"],
        pace: 1.0,
      },
      {
        title: "Crash-free sessions stay at or above 99.5 %",
        type: "stayAbove",
        target: 99.5,
        unit: "percent",
        owners: ["ravi"],
      },
      { title: "App store rating", type: "increase", start: 3.9, target: 4.5, owners: ["lucia"], pace: 0.85 },
    ],
  },
  {
    key: "engHiring",
    title: "Staff the teams we need for next year",
    level: "team",
    team: "eng",
    owners: ["tomas"],
    period: "current",
    alignTo: ["referrals"],
    krs: [
      {
        title: "Engineering offers accepted",
        type: "increase",
        start: 0,
        target: 9,
        owners: ["tomas", "leo"],
        pace: 0.65,
      },
      {
        title: "Median days from application to offer",
        type: "decrease",
        start: 41,
        target: 25,
        owners: ["zara"],
        pace: 1.0,
      },
      {
        title: "Candidates rating the process 4+ of 5",
        type: "increase",
        start: 70,
        target: 90,
        unit: "percent",
        owners: ["zara"],
        pace: 1.05,
      },
    ],
  },
  {
    key: "peopleGrowth",
    title: "Everyone knows how to grow here",
    level: "team",
    team: "people",
    owners: ["ines"],
    period: "current",
    alignTo: ["enps", "regret"],
    krs: [
      {
        title: "People with a written growth plan",
        type: "increase",
        start: 35,
        target: 90,
        unit: "percent",
        owners: ["leo"],
        pace: 1.1,
      },
      {
        title: "Managers trained in career conversations",
        type: "increase",
        start: 4,
        target: 14,
        owners: ["ines"],
        pace: 0.9,
      },
      { title: "Launch the new career framework", type: "milestone", owners: ["ines"], achievedAt: 0.4 },
    ],
  },
  {
    key: "draftIdea",
    title: "Explore a self-serve plan for small teams",
    level: "team",
    team: "marketing",
    // Next quarter's idea, drafted and not yet taken on: the coach asks for an owner.
    owners: [],
    period: "next",
    draft: true,
    alignTo: ["logos"],
    krs: [
      { title: "Self-serve trials started", type: "increase", start: 0, target: 300, owners: ["noah"], pace: "none" },
      { title: "Trial to paid conversion", type: "baseline", owners: ["noah"], baselineConfirmed: false, pace: "none" },
    ],
  },

  // ------------------------------------------------------------ individuals (the current quarter)
  {
    key: "iDiego",
    title: "Close the three largest EMEA deals",
    level: "individual",
    owners: ["diego"],
    period: "current",
    alignTo: ["arrEmea"],
    krs: [
      {
        title: "Signed ARR from top-three deals",
        type: "increase",
        start: 0,
        target: 600_000,
        unit: "currency",
        currency: "EUR",
        owners: ["diego"],
        pace: 0.85,
      },
      { title: "Executive sponsors engaged", type: "increase", start: 1, target: 3, owners: ["diego"], pace: 1.1 },
      {
        title: "Forecast accuracy on my deals",
        type: "increase",
        start: 60,
        target: 85,
        unit: "percent",
        owners: ["diego"],
        pace: 0.8,
      },
    ],
  },
  {
    key: "iPriya",
    title: "Land our first Fortune 1000 logo",
    level: "individual",
    owners: ["priya"],
    period: "current",
    alignTo: ["arrNa"],
    krs: [
      { title: "Fortune 1000 contract signed", type: "milestone", owners: ["priya"] },
      {
        title: "Qualified Fortune 1000 opportunities",
        type: "increase",
        start: 1,
        target: 6,
        owners: ["priya"],
        pace: 0.6,
      },
      {
        title: "Champions identified in target accounts",
        type: "increase",
        start: 0,
        target: 10,
        owners: ["priya"],
        pace: 0.9,
      },
    ],
  },
  {
    key: "iBen",
    title: "Grow my book of accounts",
    level: "individual",
    owners: ["ben"],
    period: "current",
    alignTo: ["arrExp"],
    krs: [
      {
        title: "Expansion ARR in my accounts",
        type: "increase",
        start: 0,
        target: 200_000,
        unit: "currency",
        currency: "EUR",
        owners: ["ben"],
        pace: 1.25,
        weight: 3,
      },
      { title: "Quarterly business reviews held", type: "increase", start: 0, target: 12, owners: ["ben"], pace: 1.0 },
      {
        title: "Accounts with a mapped expansion path",
        type: "increase",
        start: 10,
        target: 40,
        unit: "percent",
        owners: ["ben"],
        pace: 1.1,
      },
    ],
  },
  {
    key: "iJonas",
    title: "Rebuild the query planner",
    level: "individual",
    owners: ["jonas"],
    period: "current",
    alignTo: ["queryP95"],
    krs: [
      {
        title: "Queries served by the new planner",
        type: "increase",
        start: 0,
        target: 100,
        unit: "percent",
        owners: ["jonas"],
        pace: 1.05,
      },
      { title: "Planner regressions found in production", type: "stayBelow", target: 2, owners: ["jonas"] },
      {
        title: "Slow-query reports from customers per week",
        type: "decrease",
        start: 25,
        target: 5,
        owners: ["jonas"],
        pace: 0.95,
      },
    ],
  },
  {
    key: "iMei",
    title: "Make caching boringly reliable",
    level: "individual",
    owners: ["mei"],
    period: "current",
    alignTo: ["queryP95"],
    krs: [
      { title: "Cache invalidation bugs open", type: "decrease", start: 14, target: 2, owners: ["mei"], pace: 0.9 },
      {
        title: "Warm-cache coverage of top dashboards",
        type: "increase",
        start: 50,
        target: 95,
        unit: "percent",
        owners: ["mei"],
        pace: 1.0,
      },
      { title: "Cache memory per tenant in MB", type: "decrease", start: 512, target: 256, owners: ["mei"], pace: 0.7 },
    ],
  },
  {
    key: "iLucia",
    title: "Ship an app people rate highly",
    level: "individual",
    owners: ["lucia"],
    period: "current",
    alignTo: ["mau"],
    krs: [
      { title: "In-app feedback score", type: "increase", start: 3.7, target: 4.4, owners: ["lucia"], pace: 0.8 },
      {
        title: "Time to first chart on mobile in seconds",
        type: "decrease",
        start: 6,
        target: 2,
        owners: ["lucia", "ravi"],
        pace: 1.1,
      },
      {
        title: "Users who enable the morning digest",
        type: "increase",
        start: 10,
        target: 45,
        unit: "percent",
        owners: ["lucia"],
        pace: 1.0,
      },
    ],
  },
  {
    key: "iGrace",
    title: "Halve the wait for a first dashboard",
    level: "individual",
    owners: ["grace"],
    period: "current",
    alignTo: ["onbDays", "ttv"],
    krs: [
      {
        title: "Customers live within 5 days",
        type: "increase",
        start: 35,
        target: 70,
        unit: "percent",
        owners: ["grace"],
        pace: 0.95,
      },
      {
        title: "Setup calls needed per customer",
        type: "decrease",
        start: 3,
        target: 1,
        owners: ["grace"],
        pace: "stale",
      },
      {
        title: "Data sources connected in week one",
        type: "increase",
        start: 1.5,
        target: 3,
        owners: ["grace"],
        pace: 0.9,
      },
    ],
  },
  {
    key: "iNoah",
    title: "Make search our best channel",
    level: "individual",
    owners: ["noah"],
    period: "current",
    alignTo: ["organic"],
    krs: [
      {
        title: "Top-3 rankings for our core keywords",
        type: "increase",
        start: 8,
        target: 25,
        owners: ["noah"],
        pace: 1.2,
      },
      {
        title: "Organic visit to sign-up rate",
        type: "increase",
        start: 1.2,
        target: 2,
        unit: "percent",
        owners: ["noah"],
        pace: 0.7,
      },
      {
        title: "Backlinks from analytics publications",
        type: "increase",
        start: 40,
        target: 90,
        owners: ["noah"],
        pace: 1.0,
      },
    ],
  },
  {
    key: "iLeo",
    title: "Make referrals our first hiring channel",
    level: "individual",
    owners: ["leo"],
    period: "current",
    alignTo: ["referrals"],
    krs: [
      { title: "Referred candidates per month", type: "increase", start: 6, target: 20, owners: ["leo"], pace: 0.9 },
      {
        title: "Referral bonus paid within 30 days",
        type: "increase",
        start: 40,
        target: 100,
        unit: "percent",
        owners: [],
        pace: 1.0,
      },
      {
        title: "Employees who referred someone this year",
        type: "increase",
        start: 12,
        target: 30,
        unit: "percent",
        owners: ["leo"],
        pace: 0.85,
      },
    ],
  },
  {
    key: "iOliver",
    title: "Answer every customer the same day",
    level: "individual",
    owners: ["oliver"],
    period: "current",
    alignTo: ["csat"],
    krs: [
      {
        title: "Tickets answered within 8 hours",
        type: "increase",
        start: 71,
        target: 95,
        unit: "percent",
        owners: ["oliver"],
        pace: 1.0,
      },
      { title: "Backlog older than a week", type: "decrease", start: 60, target: 5, owners: ["oliver"], pace: "none" },
      {
        title: "Answers reused from the help centre",
        type: "increase",
        start: 20,
        target: 50,
        unit: "percent",
        owners: ["oliver"],
        pace: 1.05,
        // The 20 % start is an estimate nobody has measured yet.
        baselineConfirmed: false,
      },
      {
        title: "ARR kept after support escalations",
        type: "increase",
        start: 0,
        target: 60_000,
        unit: "currency",
        currency: "EUR",
        owners: ["oliver"],
        pace: 1.1,
        alignTo: ["kept"],
      },
    ],
  },
  {
    key: "iKofi",
    title: "Build the mobile team's rhythm",
    level: "individual",
    owners: ["kofi"],
    period: "current",
    alignTo: ["mau"],
    krs: [
      {
        title: "Releases shipped on the two-week train",
        type: "increase",
        start: 0,
        target: 6,
        owners: ["kofi"],
        pace: 1.0,
      },
      { title: "Release rollbacks", type: "stayBelow", target: 1, owners: ["kofi"] },
      {
        title: "Automated UI test coverage",
        type: "increase",
        start: 20,
        target: 60,
        unit: "percent",
        owners: ["ravi"],
        pace: 0.75,
      },
      {
        title: "Design reviews completed on time",
        type: "increase",
        start: 50,
        target: 90,
        unit: "percent",
        owners: ["lucia"],
        pace: 1.1,
      },
      { title: "Accessibility issues open", type: "decrease", start: 30, target: 5, owners: ["ravi"], pace: 0.9 },
      { title: "Beta testers enrolled", type: "increase", start: 100, target: 400, owners: ["kofi"], pace: 1.2 },
    ],
  },

  {
    key: "iZara",
    title: "Make our hiring loop fast and fair",
    level: "individual",
    owners: ["zara"],
    period: "current",
    alignTo: ["o:engHiring"],
    krs: [
      {
        title: "Interviewers trained on the new rubric",
        type: "increase",
        start: 5,
        target: 30,
        owners: ["zara"],
        pace: 1.1,
      },
      {
        title: "Days from final interview to decision",
        type: "decrease",
        start: 6,
        target: 2,
        owners: ["zara"],
        pace: 0.9,
      },
      {
        title: "Candidates who get written feedback",
        type: "increase",
        start: 30,
        target: 100,
        unit: "percent",
        owners: ["zara"],
        pace: 0.8,
      },
    ],
  },
  {
    key: "iFatima",
    title: "Catch churn risk before the renewal call",
    level: "individual",
    owners: ["fatima"],
    period: "current",
    alignTo: ["o:csRenew"],
    krs: [
      {
        title: "ARR kept in my flagged accounts",
        type: "increase",
        start: 0,
        target: 250_000,
        unit: "currency",
        currency: "EUR",
        owners: ["fatima"],
        pace: 0.8,
        alignTo: ["kept"],
      },
      {
        title: "Risk flags raised 90+ days before renewal",
        type: "increase",
        start: 20,
        target: 75,
        unit: "percent",
        owners: ["fatima"],
        pace: 0.7,
      },
      { title: "Surprise churns", type: "stayBelow", target: 1, owners: ["fatima"] },
    ],
  },
  {
    key: "iNora",
    title: "Spend every marketing euro where it converts",
    level: "individual",
    owners: ["nora"],
    period: "current",
    alignTo: ["o:mktDemand"],
    krs: [
      {
        title: "Budget on channels with known payback",
        type: "increase",
        start: 45,
        target: 80,
        unit: "percent",
        owners: ["nora"],
        pace: 1.05,
      },
      { title: "Days to see campaign results", type: "decrease", start: 21, target: 7, owners: ["nora"], pace: 0.85 },
      {
        title: "Attribution coverage of opportunities",
        type: "increase",
        start: 50,
        target: 85,
        unit: "percent",
        owners: ["nora"],
        pace: 0.95,
      },
    ],
  },
  {
    key: "iRavi",
    title: "A crash-free, accessible app",
    level: "individual",
    owners: ["ravi"],
    period: "current",
    alignTo: ["mau"],
    krs: [
      {
        title: "Crash reports per thousand sessions",
        type: "decrease",
        start: 8,
        target: 2,
        owners: ["ravi"],
        pace: 1.1,
      },
      {
        title: "Screens passing the accessibility audit",
        type: "increase",
        start: 40,
        target: 100,
        unit: "percent",
        owners: ["ravi"],
        pace: 0.75,
      },
      { title: "Ship the offline mode", type: "milestone", owners: ["ravi"], lastStatus: "onTrack" },
    ],
  },
  {
    key: "iSam",
    title: "Shorten my sales cycle",
    level: "individual",
    owners: ["sam"],
    period: "current",
    alignTo: ["o:salesEmea"],
    krs: [
      {
        title: "Deals with a mutual action plan",
        type: "increase",
        start: 20,
        target: 80,
        unit: "percent",
        owners: ["sam"],
        pace: 1.0,
      },
      { title: "Days from demo to proposal", type: "decrease", start: 18, target: 7, owners: ["sam"], pace: 0.9 },
      {
        title: "Proposals accepted first time",
        type: "increase",
        start: 35,
        target: 60,
        unit: "percent",
        owners: ["sam"],
        pace: 1.15,
      },
    ],
  },
  {
    key: "iChloe",
    title: "Turn our guides into a resource people bookmark",
    level: "individual",
    owners: ["chloe"],
    period: "current",
    alignTo: ["o:mktContent"],
    krs: [
      {
        title: "Returning readers",
        type: "increase",
        start: 18,
        target: 35,
        unit: "percent",
        owners: ["chloe"],
        pace: 1.0,
      },
      {
        title: "Average time on guide pages in minutes",
        type: "increase",
        start: 2.1,
        target: 4,
        owners: ["chloe"],
        pace: 1.2,
      },
      {
        title: "Newsletter subscribers from guides",
        type: "increase",
        start: 900,
        target: 2500,
        owners: ["chloe"],
        pace: 0.85,
      },
    ],
  },
  {
    key: "salesEnable",
    title: "Give every seller a playbook that works",
    level: "team",
    team: "sales",
    owners: ["hannah", "diego"],
    period: "current",
    alignTo: ["winrate"],
    krs: [
      {
        title: "Sellers certified on the new playbook",
        type: "increase",
        start: 0,
        target: 14,
        owners: ["hannah"],
        pace: 1.05,
      },
      {
        title: "Ramp time of new sellers in days",
        type: "decrease",
        start: 120,
        target: 75,
        owners: ["diego"],
        pace: 0.8,
      },
      {
        title: "Calls reviewed with the team each week",
        type: "increase",
        start: 2,
        target: 10,
        owners: ["diego"],
        pace: 1.0,
      },
    ],
  },

  // ------------------------------------------------------------ the previous quarter, closed
  {
    key: "pPricing",
    title: "Simplify our pricing",
    level: "team",
    team: "marketing",
    owners: ["elena"],
    period: "previous",
    alignTo: ["winrate"],
    closing: {
      note: "New pricing live in all regions.",
      learnings: "Customers wanted fewer tiers, not lower prices.",
      next: "Measure discounting in Q4.",
    },
    krs: [
      {
        title: "Deals closed without custom discounts",
        type: "increase",
        start: 40,
        target: 70,
        unit: "percent",
        owners: ["nora"],
        pace: 0.9,
      },
      {
        title: "Pricing page to trial conversion",
        type: "increase",
        start: 2,
        target: 4,
        unit: "percent",
        owners: ["noah"],
        pace: 1.05,
      },
      {
        title: "Sales questions about pricing per week",
        type: "decrease",
        start: 30,
        target: 10,
        owners: ["elena"],
        pace: 0.7,
      },
    ],
  },
  {
    key: "pSoc2",
    title: "Earn the trust of security-minded buyers",
    level: "team",
    team: "platform",
    owners: ["aisha"],
    period: "previous",
    committed: true,
    alignTo: ["uptime"],
    closing: {
      note: "Audit passed with two minor findings.",
      learnings: "Evidence collection should be automated from day one.",
      next: "Automate evidence for the next audit.",
    },
    krs: [
      {
        title: "Security questionnaires answered within 3 days",
        type: "increase",
        start: 30,
        target: 90,
        unit: "percent",
        owners: ["mei"],
        pace: 1.0,
      },
      { title: "Critical vulnerabilities open", type: "decrease", start: 7, target: 0, owners: ["jonas"], pace: 1.0 },
    ],
  },
  {
    key: "pOnboard",
    title: "Understand why onboarding stalls",
    level: "team",
    team: "cs",
    owners: ["grace"],
    period: "previous",
    alignTo: ["ttv"],
    closing: {
      note: "We found the three biggest blockers.",
      learnings: "Data connections, not training, slow customers down.",
      next: "Build the setup wizard.",
    },
    krs: [
      {
        title: "Customers interviewed about onboarding",
        type: "increase",
        start: 0,
        target: 30,
        owners: ["grace"],
        pace: 1.1,
      },
      {
        title: "Stalled onboardings with a known cause",
        type: "increase",
        start: 20,
        target: 80,
        unit: "percent",
        owners: ["fatima"],
        pace: 0.85,
      },
    ],
  },
  {
    key: "pHiring",
    title: "Hire the first mobile team",
    level: "team",
    team: "mobile",
    owners: ["kofi"],
    period: "previous",
    alignTo: ["referrals"],
    closing: {
      note: "Two of three roles filled.",
      learnings: "Senior mobile engineers need a faster process.",
      next: "Continue with the last role.",
    },
    krs: [
      { title: "Mobile engineers hired", type: "increase", start: 0, target: 3, owners: ["kofi"], pace: 0.6 },
      {
        title: "Offer acceptance rate",
        type: "increase",
        start: 50,
        target: 80,
        unit: "percent",
        owners: ["leo"],
        pace: 0.5,
      },
    ],
  },
];

const NOTES = [
  "Steady week.",
  "Two deals moved forward, one slipped to next week.",
  "Blocked on another team; raised it in the weekly sync.",
  "Figure taken from the Monday report.",
  "Better than expected after the release.",
  "Public holiday, a quieter week.",
  "The new routine is starting to pay off.",
  "Corrected last week's number after an audit of the data.",
  "Good signal from customer calls this week.",
  "Half the team was at the offsite.",
];

/** KPIs watched all year: name, unit, healthy min/max, where it starts, weekly drift, owner, team, objective. */
const KPIS: [
  string,
  "number" | "percent" | "currency",
  number | null,
  number | null,
  number,
  number,
  string,
  string,
  string,
][] = [
  ["Platform uptime", "percent", 99.9, null, 99.96, 0.03, "aisha", "platform", "reliable"],
  ["Open support tickets", "number", null, 120, 90, 9, "yusuf", "cs", "love"],
  ["Monthly net burn", "currency", null, 900_000, 780_000, 25_000, "maya", "", "growth"],
  ["Weekly active accounts", "number", 400, null, 430, 12, "kofi", "mobile", "growth"],
];

const HOUR_MS = 3_600_000;
const ISO_DAY = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A time box as instants: `endMs` is the end of its last day (exclusive). */
interface Box {
  id: string;
  startMs: number;
  endMs: number;
}

interface PeriodSet {
  year: Box;
  current: Box;
  /** The quarter before the current one; null in the first quarter. */
  previous: Box | null;
  /** The quarter after the current one; null in the fourth quarter. */
  next: Box | null;
}

/** The current UTC year and its four quarters; existing periods with the same dates are reused. */
async function createPeriods(w: Write, nowMs: number): Promise<PeriodSet> {
  const y = new Date(nowMs).getUTCFullYear();
  const qi = Math.floor(new Date(nowMs).getUTCMonth() / 3);
  const existing = await periodRepo.list(w.tx, w.scope);
  const ensure = async (
    name: string,
    kind: "year" | "quarter",
    startMs: number,
    endMs: number,
    parentId: string | null,
    closedAt: Date | null,
  ): Promise<Box> => {
    const startDate = ISO_DAY(startMs);
    const endDate = ISO_DAY(endMs - DAY_MS);
    const found: PeriodRow | undefined = existing.find(
      (p) => p.kind === kind && p.startDate === startDate && p.endDate === endDate,
    );
    const row =
      found ?? (await periodRepo.insert(w.tx, w.scope, { name, kind, startDate, endDate, parentId, closedAt }));
    return { id: row.id, startMs, endMs };
  };
  const year = await ensure(String(y), "year", Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1), null, null);
  const quarters: Box[] = [];
  for (let q = 0; q < 4; q++) {
    const endMs = Date.UTC(y, q * 3 + 3, 1);
    // The previous quarter was closed in its first working days after the end.
    const closedAt = q === qi - 1 ? new Date(endMs + 2 * DAY_MS + 15 * HOUR_MS) : null;
    quarters.push(await ensure(`Q${q + 1} ${y}`, "quarter", Date.UTC(y, q * 3, 1), endMs, year.id, closedAt));
  }
  return { year, current: quarters[qi]!, previous: qi > 0 ? quarters[qi - 1]! : null, next: quarters[qi + 1] ?? null };
}

/** Rounds like a person would report it: whole numbers for large ranges, else two decimals. */
function reportable(spec: KrSpec, x: number): number {
  const s = spec.start ?? 0;
  const t = spec.target ?? s;
  const whole = Number.isInteger(s) && Number.isInteger(t) && Math.abs(t - s) >= 10;
  return Number(x.toFixed(whole ? 0 : 2));
}

/**
 * The check-in moments of one KR: weekly on `weekday` (0 = Sunday) between 09:00 and
 * 17:00 UTC, from the first such day of the span up to `untilMs` (inclusive).
 */
function weeklyMoments(startMs: number, untilMs: number, weekday: number, rand: () => number): number[] {
  let day = startMs;
  while (new Date(day).getUTCDay() !== weekday) day += DAY_MS;
  const out: number[] = [];
  for (; day <= untilMs; day += 7 * DAY_MS) {
    const at = day + 9 * HOUR_MS + Math.floor(rand() * 8 * 60) * 60_000;
    if (at <= untilMs) out.push(at);
  }
  return out;
}

type CheckInInsert = Parameters<typeof checkInRepo.insert>[2];

/** Builds one KR's check-in history (not yet stored); the values follow its pace toward the target. */
function history(
  k: KrSpec,
  span: Box,
  nowMs: number,
  ordinal: number,
  authorId: string,
  keyResultId: string,
  rand: () => number,
): CheckInInsert[] {
  const PACES = [1.05, 0.9, 1.0, 0.75, 1.15, 0.6, 0.95];
  const pace = k.pace ?? PACES[ordinal % PACES.length]!;
  if (pace === "none") return [];
  const speed = pace === "stale" ? 0.8 : pace;
  const until = Math.min(nowMs, span.endMs - 1);
  // A stale KR stopped being updated three to four weeks ago.
  const stopAt = pace === "stale" ? nowMs - 22 * DAY_MS : until;
  const weekday = [1, 2, 1, 4, 3, 1, 5, 2][ordinal % 8]!;
  const moments = weeklyMoments(span.startMs, stopAt, weekday, rand);
  const weekFrac = (7 * DAY_MS) / (span.endMs - span.startMs);
  const s = k.start ?? 0;
  const t = k.target ?? s;
  const rows: CheckInInsert[] = [];
  let confidence = Math.round(5 + (speed - 0.85) * 12);
  for (const [i, at] of moments.entries()) {
    const f = (at - span.startMs) / (span.endMs - span.startMs);
    let value: number | null = null;
    let achieved: boolean | null = null;
    switch (k.type) {
      case "milestone":
        achieved = k.achievedAt !== undefined && f >= k.achievedAt;
        break;
      case "stayAbove":
        // Mostly comfortably above the line, with the odd dip below it.
        value = t + (rand() < 0.85 ? rand() * 0.08 : -0.05 - rand() * 0.25);
        break;
      case "stayBelow":
        value = rand() < 0.8 ? Math.floor(rand() * (t + 1)) : t + 1;
        break;
      case "baseline":
        // Measuring first: readings scatter around a level nobody has committed to yet.
        value = 30 + rand() * 6;
        break;
      default: {
        // Teams on pace report a little ahead of the straight line (the line keeps moving
        // until the next check-in); noise of about half a week's progress keeps the path
        // believable and mostly monotone.
        const noise = (rand() - 0.5) * weekFrac * 1.2 * speed;
        value = s + (t - s) * Math.min(1.3, Math.max(0, (f + weekFrac) * speed + noise));
      }
    }
    confidence = Math.max(1, Math.min(10, confidence + (rand() < 0.3 ? (speed >= 0.9 ? 1 : -1) : 0)));
    const last = i === moments.length - 1;
    // Rarely, an owner who is slipping says so by hand.
    const status = last && k.lastStatus ? k.lastStatus : speed < 0.8 && f > 0.3 && rand() < 0.05 ? "behind" : null;
    const stamp = new Date(at);
    rows.push({
      keyResultId,
      value: value === null ? null : String(reportable(k, value)),
      achieved,
      status,
      confidence,
      note:
        i === 0 && k.type !== "milestone"
          ? "First reading of the period."
          : rand() < 0.22
            ? NOTES[Math.floor(rand() * NOTES.length)]!
            : "",
      authorId,
      at: stamp,
      createdAt: stamp,
      updatedAt: stamp,
    });
  }
  return rows;
}

/** The own progress a KR ends with after `rows` (for closing scores). */
function finalProgress(k: KrSpec, rows: readonly CheckInInsert[]): number | null {
  const last = rows[rows.length - 1];
  return krOwnProgress(
    { type: k.type, start: k.start ?? null, target: k.target ?? null },
    last
      ? {
          value: last.value === null || last.value === undefined ? null : Number(last.value),
          achieved: last.achieved ?? null,
        }
      : null,
  );
}

/**
 * Loads the demo workspace of Fernhill, a fictional B2B analytics company, into the
 * actor's organisation: 24 people under a CEO, seven teams (Engineering with Platform
 * and Mobile), the current UTC year and its quarters, about 40 objectives on three
 * aligned levels with about 120 key results of every type, weekly check-ins up to
 * `nowMs`, initiatives, KPIs, and the previous quarter closed with scores.
 *
 * Runs in one write transaction (all or nothing) and recomputes the stored roll-ups.
 * Deterministic: the same `nowMs` gives the same workspace. When the organisation
 * already holds an objective it changes nothing and returns `loaded: false`. The
 * admin `actor` stays as it is; periods with the same dates and people with the same
 * emails are reused rather than duplicated.
 */
export async function loadDemo(
  database: Database,
  actor: Actor,
  nowMs: number,
): Promise<{ loaded: boolean; summary: string }> {
  const svc: Services = { database, now: () => nowMs, emit: () => {} };
  return mutate(svc, actor, async (w) => {
    if ((await objectiveRepo.list(w.tx, w.scope)).length > 0) {
      return { loaded: false, summary: "the workspace already holds objectives" };
    }
    const rand = prng(Math.floor(nowMs / 60_000) ^ 0x0c7a);
    const periods = await createPeriods(w, nowMs);

    // People (managers come before their reports in PEOPLE), then teams with owners and members.
    const userIds = new Map<string, string>();
    for (const [key, name, managerKey] of PEOPLE) {
      const email = `${key}@fernhill.example`;
      const found = await userQueries.findByEmail(w.tx, w.scope, email);
      const row =
        found ??
        (await userRepo.insert(w.tx, w.scope, {
          name,
          email,
          role: key === "maya" ? "admin" : "member",
          managerId: managerKey ? userIds.get(managerKey)! : null,
        }));
      userIds.set(key, row.id);
    }
    const user = (key: string) => userIds.get(key)!;
    const users = (keys: readonly string[]) => keys.map(user);
    const teamIds = new Map<string, string>();
    for (const [key, name, parent, owner, description] of TEAMS) {
      const row = await teamRepo.insert(w.tx, w.scope, {
        name,
        description,
        parentId: parent ? teamIds.get(parent)! : null,
      });
      teamIds.set(key, row.id);
      await teamQueries.setMembers(w.tx, w.scope, row.id, [user(owner)], []);
    }
    // Members join from their side; setTeams keeps the owner rows of the teams they lead.
    for (const [key, , , teams] of PEOPLE) {
      const led = TEAMS.filter((t) => t[3] === key).map((t) => t[0]);
      const ids = [...new Set([...led, ...teams])].map((t) => teamIds.get(t)!);
      if (ids.length) await userQueries.setTeams(w.tx, w.scope, user(key), ids);
    }

    // Objectives, key results, their check-in histories and initiatives. (The regional ARR
    // KRs reach the yearly ARR sum KR-to-KR: only same-unit KRs may align under a sum.)
    const krIds = new Map<string, string>();
    const objIds = new Map<string, string>();
    const allKrIds: string[] = [];
    const krAlignments: [childId: string, parentKey: string][] = [];
    let checkInCount = 0;
    let initiativeCount = 0;
    for (const spec of OBJECTIVES) {
      if (spec.period === "previous" && !periods.previous) continue;
      const period =
        spec.period === "year"
          ? periods.year
          : spec.period === "previous"
            ? periods.previous!
            : spec.period === "next"
              ? (periods.next ?? periods.current)
              : periods.current;
      const obj = await objectiveRepo.insert(w.tx, w.scope, {
        title: spec.title,
        description: spec.description ?? "",
        level: spec.level,
        teamId: spec.team ? teamIds.get(spec.team)! : null,
        ownerIds: users(spec.owners),
        periodId: period.id,
        committed: spec.committed ?? false,
        state: spec.draft ? "draft" : "active",
        // Set at the start of its period, as a team does at planning time.
        createdAt: new Date(Math.min(period.startMs, w.nowMs)),
      });
      objIds.set(spec.key, obj.id);
      const scored: { score: number; weight: number }[] = [];
      for (const [i, k] of spec.krs.entries()) {
        const span = k.quarterDates ? periods.current : period;
        const weight = k.weight ?? (i === 0 && spec.level !== "individual" ? 2 : 1);
        const plan =
          k.phased && k.start !== undefined && k.target !== undefined
            ? // Slow first quarter, faster second, then straight on to the target.
              [
                [3, 0.1],
                [6, 0.4],
              ].map(([months, share]) => {
                const d = new Date(span.startMs);
                return {
                  date: ISO_DAY(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months!, 1) - DAY_MS),
                  value: String(reportable(k, k.start! + (k.target! - k.start!) * share!)),
                };
              })
            : null;
        const row = await keyResultRepo.insert(w.tx, w.scope, {
          objectiveId: obj.id,
          title: k.title,
          ownerIds: users(k.owners),
          type: k.type,
          unit: k.unit ?? "number",
          currency: k.currency ?? null,
          start: k.start === undefined ? null : String(k.start),
          target: k.target === undefined ? null : String(k.target),
          baselineConfirmed: k.baselineConfirmed ?? true,
          plan,
          ...(k.quarterDates ? { startDate: ISO_DAY(span.startMs), endDate: ISO_DAY(span.endMs - DAY_MS) } : {}),
          progressMode: k.rollup ? "rollup" : "manual",
          rollup: k.rollup ?? "mean",
          weight: String(weight),
          position: i,
          createdAt: obj.createdAt,
        });
        allKrIds.push(row.id);
        if (k.key) krIds.set(k.key, row.id);
        for (const parent of k.alignTo ?? []) krAlignments.push([row.id, parent]);
        if (k.rollup || spec.draft) continue;

        const author = user(k.owners[0] ?? spec.owners[0]!);
        const rows = history(k, span, nowMs, allKrIds.length, author, row.id, rand);
        for (const c of rows) await checkInRepo.insert(w.tx, w.scope, c);
        checkInCount += rows.length;
        if (spec.closing) {
          const score = suggestedKrScore(finalProgress(k, rows));
          if (k.type !== "baseline") scored.push({ score, weight });
          await keyResultRepo.update(w.tx, w.scope, row.id, { closed: true, score }, { bumpVersion: false });
        }
      }
      if (spec.closing) {
        const score = objectiveScore(scored);
        await objectiveRepo.update(
          w.tx,
          w.scope,
          obj.id,
          {
            state: "closed",
            score,
            closing: {
              ...spec.closing,
              closedAt: new Date(period.endMs + 2 * DAY_MS + 15 * HOUR_MS).toISOString(),
              closedBy: user(spec.owners[0]!),
              suggestedScore: score,
            },
          },
          { bumpVersion: false },
        );
      }
      for (const [title, progress] of spec.initiatives ?? []) {
        await initiativeRepo.insert(w.tx, w.scope, {
          objectiveId: obj.id,
          title,
          ownerIds: users(spec.owners),
          state: progress >= 1 ? "done" : progress > 0 ? "inProgress" : "planned",
          progress: clamp01(progress),
        });
        initiativeCount++;
      }
    }

    // Alignments. Objectives: "o:key" names a parent objective, a bare key a parent KR.
    let alignmentCount = 0;
    for (const spec of OBJECTIVES) {
      const child = objIds.get(spec.key);
      if (!child) continue;
      for (const [i, parent] of (spec.alignTo ?? []).entries()) {
        const isObjective = parent.startsWith("o:");
        const parentId = isObjective ? objIds.get(parent.slice(2)) : krIds.get(parent);
        if (!parentId) continue;
        await alignmentRepo.insert(w.tx, w.scope, {
          childType: "objective",
          childId: child,
          parentType: isObjective ? "objective" : "keyResult",
          parentId,
          weight: "1",
          // The mobile app's link to the customer-value objective is shown, not counted.
          contributes: !(spec.key === "mobile" && i === 1),
        });
        alignmentCount++;
      }
    }
    for (const [childId, parentKey] of krAlignments) {
      await alignmentRepo.insert(w.tx, w.scope, {
        childType: "keyResult",
        childId,
        parentType: "keyResult",
        parentId: krIds.get(parentKey)!,
        weight: "1",
        contributes: true,
      });
      alignmentCount++;
    }

    // KPIs with a weekly reading since the start of the year (a mean-reverting walk).
    let kpiValueCount = 0;
    for (const [name, unit, min, max, centre, drift, owner, team, objective] of KPIS) {
      const kpi = await kpiRepo.insert(w.tx, w.scope, {
        name,
        unit,
        currency: unit === "currency" ? "EUR" : null,
        healthyMin: min === null ? null : String(min),
        healthyMax: max === null ? null : String(max),
        ownerIds: [user(owner)],
        teamId: team ? teamIds.get(team)! : null,
        objectiveIds: objIds.has(objective) ? [objIds.get(objective)!] : [],
      });
      let v = centre;
      for (const at of weeklyMoments(periods.year.startMs, nowMs, 1, rand)) {
        v += (centre - v) * 0.3 + (rand() - 0.5) * 2 * drift;
        await kpiValueRepo.insert(w.tx, w.scope, {
          kpiId: kpi.id,
          value: v.toFixed(unit === "percent" ? 3 : 0),
          at: new Date(at),
          note: "",
          authorId: user(owner),
        });
        kpiValueCount++;
      }
    }

    w.touch(allKrIds);
    const counts = {
      teams: TEAMS.length,
      people: PEOPLE.length + 1,
      periods: 5,
      objectives: objIds.size,
      keyResults: allKrIds.length,
      alignments: alignmentCount,
      checkIns: checkInCount,
      initiatives: initiativeCount,
      kpis: KPIS.length,
      kpiValues: kpiValueCount,
    };
    await w.audit("demo.loaded", "organization", actor.orgId, null, { counts });
    const n = (x: number) => x.toLocaleString("en-US");
    return {
      loaded: true,
      summary: `${counts.teams} teams, ${counts.people} people, ${counts.periods} periods, ${counts.objectives} objectives, ${n(counts.keyResults)} key results, ${n(counts.checkIns)} check-ins`,
    };
  });
}
