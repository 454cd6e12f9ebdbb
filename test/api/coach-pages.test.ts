/**
 * The coach in pages (`GET /coach?limit=…&cursor=…`, what the dashboard asks): the pages,
 * one after another, are exactly a whole run's findings in its order (objectives in creation
 * order with their key results', then people), at any limit, for a team and for a member who
 * sees less, across the batches the walk reads (a period of 240 objectives, a duplicate whose
 * twin is in an earlier batch); a first page costs as many statements in a period of 12
 * objectives as in one of 240, and about as many rows; bad limits and cursors are 400s that say what to send.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { loadDemo } from "../../src/services/demo.service.js";
import { titleTwinTuning } from "../../src/services/title-twins.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { adminActorOf } from "../support/cli-actor.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

const DEFAULT_WHOLE_PER_ASKED = titleTwinTuning.wholePerAsked;

interface Finding {
  checkId: string;
  objectType: string;
  objectId: string;
  message: string;
}

const ADJECTIVES = ["Delight", "Grow", "Simplify", "Protect", "Modernise", "Expand", "Strengthen"];
const NOUNS = ["customers", "partners", "onboarding", "billing", "support", "the platform", "our brand", "hiring"];
const PLACES = ["in Europe", "in Asia", "across the Americas", "at home", "online"];

/** Distinct titles without digits (a number in a title is a finding of its own). */
const titleOf = (i: number) => `${ADJECTIVES[i % 7]} ${NOUNS[Math.floor(i / 7) % 8]} ${PLACES[Math.floor(i / 56) % 5]}`;

describe.each(DATABASE_KINDS)("the coach in pages on %s", (kind) => {
  const NOW = Date.UTC(2026, 10, 20, 12);
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let q4: string;
  let small: string;
  let big: string;
  let memberAuth: Record<string, string>;

  const coach = async (qs: string, headers: Record<string, string> = {}) =>
    api.call("GET", `/coach?${qs}`, undefined, headers);

  /** Every page at `limit`, checked as it comes; the findings in the order given. */
  const allPages = async (qs: string, limit: number, headers: Record<string, string> = {}) => {
    const found: Finding[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 2000; n++) {
      const res = await coach(`${qs}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const items = res.body.items as Finding[];
      found.push(...items);
      cursor = res.body.nextCursor;
      if (cursor === null) {
        expect(items.length).toBeLessThanOrEqual(limit);
        return found;
      }
      expect(items.length).toBe(limit);
    }
    throw new Error("no last page");
  };

  beforeAll(async () => {
    api = await startApi(kind, NOW);
    f = factories(api);
    await loadDemo(api.database, await adminActorOf(api.database), NOW);
    const periods = (await api.call("GET", "/periods?limit=50")).body.items as { id: string; name: string }[];
    q4 = periods.find((p) => p.name === "Q4 2026")!.id;
    // Findings about people: an owner of six open objectives, and a near twin of the period's first objective.
    const olu = await f.user({ name: "Olu Overload", email: "olu@example.com" });
    for (let i = 0; i < 6; i++) {
      await f.objective(q4, { title: titleOf(i), level: "individual", ownerIds: [olu.id] });
    }
    const first = (await api.call("GET", `/objectives?periodId=${q4}&limit=1`)).body.items[0] as { title: string };
    await f.objective(q4, { title: `${first.title}!` });
    // One a member may not see.
    await f.objective(q4, {
      title: "Quietly plan the reorganisation",
      level: "individual",
      ownerIds: [olu.id],
      visibility: "private",
    });

    // Two periods that begin alike: 12 objectives, and the same 12 followed by 228 more.
    small = (await f.period({ name: "Small", startDate: "2026-10-01", endDate: "2026-12-31" })).id;
    big = (await f.period({ name: "Big", startDate: "2026-10-01", endDate: "2026-12-31" })).id;
    for (let i = 0; i < 12; i++) {
      await f.objective(small, { title: titleOf(i) });
      await f.objective(big, { title: titleOf(i) });
    }
    for (let i = 12; i < 240; i++) {
      // The last repeats the 4th with a typo: its twin lies batches earlier.
      const title = i === 239 ? `${titleOf(3).slice(0, -1)}x` : titleOf(i);
      const o = await f.objective(big, { title });
      if (i % 3 === 0) await f.keyResult(o.id, { title: `Reach ${i} signed contracts` });
    }

    const users = (await api.call("GET", "/users?limit=500")).body.items as { email: string; role: string }[];
    const member = users.find((u) => u.role === "member")!;
    memberAuth = { authorization: `Bearer ${(await createTokenForEmail(api.database, member.email)).token}` };
  }, 600_000);
  afterAll(() => api?.close());

  it("gives, page after page, a whole run's findings in its order at any limit", async () => {
    const whole = (await coach(`periodId=${q4}`)).body.items as Finding[];
    expect(whole.some((x) => x.checkId === "duplicate")).toBe(true);
    expect(whole.some((x) => x.objectType === "user" && x.checkId === "objective-count")).toBe(true);
    for (const limit of [1, 4, 13, 500]) {
      expect(await allPages(`periodId=${q4}`, limit), `limit ${limit}`).toEqual(whole);
    }
  });

  it("walks a period larger than its batches, twins in earlier batches found", async () => {
    const whole = (await coach(`periodId=${big}`)).body.items as Finding[];
    const copy = `${titleOf(3).slice(0, -1)}x`;
    const twin = whole.find((x) => x.checkId === "duplicate" && x.message.includes(copy));
    expect(twin?.message).toContain(titleOf(3));
    for (const limit of [7, 60, 500]) {
      expect(await allPages(`periodId=${big}`, limit), `limit ${limit}`).toEqual(whole);
    }
  });

  it("pages a team's findings and a member's, who sees less, as their whole runs", async () => {
    const teams = (await api.call("GET", "/teams?limit=500")).body.items as { id: string }[];
    const withFindings = [];
    for (const team of teams) {
      const whole = (await coach(`periodId=${q4}&teamId=${team.id}`)).body.items as Finding[];
      if (whole.length) withFindings.push({ team, whole });
    }
    expect(withFindings.length).toBeGreaterThan(1);
    for (const { team, whole } of withFindings.slice(0, 3)) {
      expect(await allPages(`periodId=${q4}&teamId=${team.id}`, 3)).toEqual(whole);
    }
    const asMember = (await coach(`periodId=${q4}`, memberAuth)).body.items as Finding[];
    const asAdmin = (await coach(`periodId=${q4}`)).body.items as Finding[];
    expect(asMember.length).toBeLessThan(asAdmin.length);
    expect(await allPages(`periodId=${q4}`, 5, memberAuth)).toEqual(asMember);
  });

  it("reads as much for a first page in a period of 240 objectives as in one of 12", async () => {
    const cost = async (periodId: string) => {
      const log = await recordStatements(api, () => coach(`periodId=${periodId}&limit=3`));
      return { statements: log.length, rows: log.reduce((n, s) => n + s.rows, 0) };
    };
    // Twins from the title index in both periods (left to itself, the lookup compares a period
    // this small whole: cheaper still, and tested in title-twins.test.ts).
    titleTwinTuning.wholePerAsked = 0;
    const measured = async () => {
      try {
        return { few: await cost(small), many: await cost(big) };
      } finally {
        titleTwinTuning.wholePerAsked = DEFAULT_WHOLE_PER_ASKED;
      }
    };
    const { few, many } = await measured();
    expect(few.statements).toBeGreaterThan(0);
    expect(many.statements).toBe(few.statements);
    // The index's rarest tokens differ a little between the two periods (so do the candidates
    // they find), but not with the period's size.
    expect(many.rows).toBeLessThan(few.rows * 1.5);
    // The whole run reads the period.
    const whole = await recordStatements(api, () => coach(`periodId=${big}`));
    expect(whole.reduce((n, s) => n + s.rows, 0)).toBeGreaterThan(3 * many.rows);
  });

  it("answers 400 saying what to send for a bad limit or cursor", async () => {
    const first = (await coach(`periodId=${big}&limit=2`)).body.nextCursor as string;
    const objectiveIds = (await api.call("GET", `/objectives?periodId=${big}&limit=2`)).body.items
      .map((o: { id: string }) => o.id)
      .join(",");
    const cases: [string, RegExp][] = [
      [`periodId=${big}&limit=0`, /limit: must be 1 to 500/],
      [`periodId=${big}&limit=501`, /limit: must be 1 to 500/],
      [`periodId=${big}&cursor=${first}`, /cursor: pass the limit of the page it came from/],
      [`periodId=${big}&limit=2&objectiveIds=${objectiveIds}`, /send one or the other/],
      [`periodId=${small}&limit=2&cursor=${first}`, /cursor: is not a cursor this API gave out/],
      [`periodId=${big}&limit=2&cursor=garbage`, /cursor: is not a cursor this API gave out/],
    ];
    for (const [qs, message] of cases) {
      const res = await coach(qs);
      expect(res.status, qs).toBe(400);
      expect(res.body.error.details.join("\n"), qs).toMatch(message);
    }
    // Another limit with the same cursor goes on from the same place.
    expect((await coach(`periodId=${big}&limit=5&cursor=${first}`)).status).toBe(200);
  });
});
