import { describe, expect, it } from "vitest";
import { mayReview, type ReviewAction, type ReviewPerson, reviewConflict, reviewersOf } from "./review.js";

const person = (id: string, managerId: string | null = null, role = "member", active = true): ReviewPerson => ({
  id,
  managerId,
  role,
  active,
});
const peopleOf = (...ps: ReviewPerson[]) => new Map(ps.map((p) => [p.id, p]));

describe("reviewersOf", () => {
  const people = peopleOf(
    person("olga", "mia"),
    person("otto", "mia"),
    person("ian", "max"),
    person("mia", "ceo"),
    person("max", null, "member", false),
    person("tess"),
    person("ada", null, "admin"),
    person("ceo", null, "owner"),
    person("gone", null, "admin", false),
  );

  it.each([
    ["the owner's direct manager (not the manager's manager)", ["olga"], null, [], ["mia"]],
    ["one manager once for two owners", ["olga", "otto"], null, [], ["mia"]],
    ["managers first, then the team's owners", ["olga"], "t1", ["tess"], ["mia", "tess"]],
    ["the team's owners when the owner has no manager", ["tess"], "t1", ["ada"], ["ada"]],
    ["never an owner of the objective itself", ["olga", "mia"], "t1", ["olga"], ["ceo"]],
    ["not an inactive manager", ["ian"], "t1", ["tess"], ["tess"]],
    ["team owners only when the objective has a team", ["ceo"], null, ["tess"], ["ada"]],
  ] as const)("names %s", (_what, ownerIds, teamId, teamOwners, expected) => {
    expect(reviewersOf({ ownerIds, teamId }, people, teamOwners).ids).toEqual(expected);
  });

  it("falls back to the active admins who do not own it, and says so", () => {
    expect(reviewersOf({ ownerIds: ["ceo"], teamId: null }, people, [])).toEqual({ ids: ["ada"], admins: true });
    expect(reviewersOf({ ownerIds: [], teamId: null }, people, [])).toEqual({ ids: ["ada", "ceo"], admins: true });
    expect(reviewersOf({ ownerIds: ["olga"], teamId: null }, people, []).admins).toBe(false);
  });
});

describe("mayReview", () => {
  it.each([
    [{ userId: "mia", role: "member" }, true],
    [{ userId: "ada", role: "admin" }, true],
    [{ userId: "ceo", role: "owner" }, true],
    [{ userId: "olga", role: "member" }, false],
    [{ userId: "mia", role: "observer" }, false],
  ] as const)("%o → %s", (viewer, expected) => {
    expect(mayReview(viewer, ["mia"])).toBe(expected);
  });
});

describe("reviewConflict", () => {
  const o = (state: string, reviewState: string | null) => ({ id: "o1", state, reviewState });
  const cases: [string, string | null, ReviewAction, boolean, boolean][] = [
    // state, reviewState, action, skipReview, allowed
    ["draft", null, "submit", false, true],
    ["draft", "inReview", "submit", false, false],
    ["draft", "approved", "submit", false, false],
    ["active", null, "submit", false, false],
    ["closed", null, "submit", false, false],
    ["draft", "inReview", "approve", false, true],
    ["draft", null, "approve", false, false],
    ["draft", "approved", "approve", false, false],
    ["active", null, "approve", false, false],
    ["draft", "inReview", "sendBack", false, true],
    ["draft", "approved", "sendBack", false, true],
    ["draft", null, "sendBack", false, false],
    ["draft", "approved", "publish", false, true],
    ["draft", null, "publish", false, false],
    ["draft", "inReview", "publish", false, false],
    ["draft", null, "publish", true, true],
    ["draft", "inReview", "publish", true, true],
    ["active", null, "publish", false, true],
  ];
  it.each(cases)("%s/%s: %s (skip %s) → allowed %s", (state, reviewState, action, skip, allowed) => {
    const why = reviewConflict(o(state, reviewState), action, skip);
    if (allowed) expect(why).toBeNull();
    else expect(why).toMatch(/\w.*\./);
  });

  it("tells how to go on when a draft is published without a review", () => {
    expect(reviewConflict(o("draft", null), "publish")).toContain("POST /objectives/o1/review/submit");
  });
});
