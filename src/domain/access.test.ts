import { describe, expect, it } from "vitest";
import {
  canCheckIn,
  canEditKeyResult,
  canEditObjective,
  canEditOwned,
  canEditTeam,
  canSeeObjective,
  createObjectiveDenial,
  DEFAULT_ORG_RULES,
  managesChain,
  outranks,
  type PeopleGraph,
  type Rank,
  type Viewer,
} from "./access.js";

// ceo ← vp ← lead ← olga;  team T: owner tess, members olga and mo.
const graph: PeopleGraph = {
  managerOf: new Map([
    ["olga", "lead"],
    ["lead", "vp"],
    ["vp", "ceo"],
    ["ceo", null],
    // A reporting loop must not hang the walk.
    ["x", "y"],
    ["y", "x"],
  ]),
  teamOwners: new Map([["T", new Set(["tess"])]]),
  teamMembers: new Map([["T", new Set(["tess", "olga", "mo"])]]),
};
const as = (userId: string, role: Viewer["role"] = "member"): Viewer => ({ userId, role });
const privateTeamGoal = { level: "team", teamId: "T", ownerIds: ["olga"], visibility: "private" };
const publicGoal = { ...privateTeamGoal, visibility: "public" };

describe("access rules", () => {
  it("walks the whole manager chain, and survives loops", () => {
    expect(managesChain(graph, "lead", "olga")).toBe(true);
    expect(managesChain(graph, "ceo", "olga")).toBe(true);
    expect(managesChain(graph, "olga", "lead")).toBe(false);
    expect(managesChain(graph, "z", "x")).toBe(false);
  });

  it.each([
    ["an owner", as("olga"), true],
    ["a manager up the chain", as("vp"), true],
    ["the team's owner", as("tess"), true],
    ["an admin", as("zed", "admin"), true],
    ["an organisation owner", as("zed", "owner"), true],
    ["a team member", as("mo"), false],
    ["an observer", as("zed", "observer"), false],
    ["someone else", as("zed"), false],
  ])("a private objective is seen by %s: %s", (_who, viewer, seen) => {
    expect(canSeeObjective(graph, viewer, privateTeamGoal)).toBe(seen);
    expect(canSeeObjective(graph, viewer, publicGoal)).toBe(true);
  });

  it("lets owners, their managers, team owners and admins edit; never observers", () => {
    expect(canEditObjective(graph, as("olga"), publicGoal)).toBe(true);
    expect(canEditObjective(graph, as("lead"), publicGoal)).toBe(true);
    expect(canEditObjective(graph, as("tess"), publicGoal)).toBe(true);
    expect(canEditObjective(graph, as("a", "admin"), publicGoal)).toBe(true);
    expect(canEditObjective(graph, as("mo"), publicGoal)).toBe(false);
    expect(canEditObjective(graph, as("olga", "observer"), publicGoal)).toBe(false);
  });

  it("decides who may create objectives at each level", () => {
    const org = { level: "organization", teamId: null, ownerIds: [], visibility: "public" };
    const team = { level: "team", teamId: "T", ownerIds: [], visibility: "public" };
    const mine = { level: "individual", teamId: null, ownerIds: ["olga"], visibility: "public" };
    const rules = DEFAULT_ORG_RULES;
    expect(createObjectiveDenial(graph, as("a", "admin"), org, rules)).toBeNull();
    expect(createObjectiveDenial(graph, as("olga"), org, rules)).toMatch(/owners and admins/);
    expect(createObjectiveDenial(graph, as("mo"), team, rules)).toBeNull();
    expect(createObjectiveDenial(graph, as("mo"), team, { ...rules, membersCreateTeamOkrs: false })).toMatch(
      /team's owners/,
    );
    expect(createObjectiveDenial(graph, as("tess"), team, { ...rules, membersCreateTeamOkrs: false })).toBeNull();
    expect(createObjectiveDenial(graph, as("zed"), team, rules)).toMatch(/owners and members/);
    expect(createObjectiveDenial(graph, as("olga"), mine, rules)).toBeNull();
    expect(createObjectiveDenial(graph, as("lead"), mine, rules)).toBeNull();
    expect(createObjectiveDenial(graph, as("mo"), mine, rules)).toMatch(/report to you/);
    expect(createObjectiveDenial(graph, as("olga", "observer"), mine, rules)).toMatch(/read-only/);
  });

  it("lets a KR's owners and delegates check in, the objective's owners when it has none, and admins", () => {
    const kr = { ownerIds: ["mo"], delegateIds: ["dee"] };
    const ownerless = { ownerIds: [], delegateIds: [] };
    expect(canCheckIn(as("mo"), kr, publicGoal)).toBe(true);
    expect(canCheckIn(as("dee"), kr, publicGoal)).toBe(true);
    expect(canCheckIn(as("olga"), kr, publicGoal)).toBe(false);
    expect(canCheckIn(as("olga"), ownerless, publicGoal)).toBe(true);
    expect(canCheckIn(as("tess"), kr, publicGoal)).toBe(false);
    expect(canCheckIn(as("a", "admin"), kr, publicGoal)).toBe(true);
    expect(canCheckIn(as("mo", "observer"), kr, publicGoal)).toBe(false);
    expect(canEditKeyResult(graph, as("mo"), kr, publicGoal)).toBe(true);
    expect(canEditKeyResult(graph, as("dee"), kr, publicGoal)).toBe(false);
  });

  it("lets admins and team owners edit a team, and owners edit what they own", () => {
    expect(canEditTeam(graph, as("tess"), "T")).toBe(true);
    expect(canEditTeam(graph, as("mo"), "T")).toBe(false);
    expect(canEditTeam(graph, as("a", "admin"), "T")).toBe(true);
    expect(canEditOwned(as("mo"), ["mo"])).toBe(true);
    expect(canEditOwned(as("mo"), ["olga"])).toBe(false);
    expect(canEditOwned(as("mo", "observer"), ["mo"])).toBe(false);
  });

  const rank = (role: string, isInstanceAdmin = false): Rank => ({ role, isInstanceAdmin });
  it.each([
    ["an owner", "another owner", true, rank("owner"), rank("owner")],
    ["an owner", "an admin", true, rank("owner"), rank("admin")],
    ["an owner", "a member", true, rank("owner"), rank("member")],
    ["an owner", "an observer", true, rank("owner"), rank("observer")],
    ["an owner", "the instance administrator", false, rank("owner"), rank("owner", true)],
    ["the instance administrator", "another instance administrator", true, rank("owner", true), rank("owner", true)],
    ["the instance administrator", "an owner", true, rank("owner", true), rank("owner")],
    ["an admin", "an owner", false, rank("admin"), rank("owner")],
    ["an admin", "another admin", false, rank("admin"), rank("admin")],
    ["an admin", "a member", true, rank("admin"), rank("member")],
    ["an admin", "an observer", true, rank("admin"), rank("observer")],
    ["an admin", "a member who runs the server", false, rank("admin"), rank("member", true)],
    ["a member", "an observer", false, rank("member"), rank("observer")],
    ["a member", "another member", false, rank("member"), rank("member")],
    ["an observer", "a member", false, rank("observer"), rank("member")],
  ])("%s outranks %s: %s", (_who, _whom, expected, actor, target) => {
    expect(outranks(actor, target)).toBe(expected);
  });
});
