import { describe, expect, it } from "vitest";
import {
  canCheckIn,
  canEditKeyResult,
  canEditObjective,
  canEditOwned,
  canEditTeam,
  canSeeObjective,
  createObjectiveDenial,
  credentialHolds,
  DEFAULT_ORG_RULES,
  managesChain,
  outranks,
  type PeopleGraph,
  personChangeDenial,
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

describe("personChangeDenial: one rule for every path that changes a person", () => {
  const person = (id: string, role: string, isInstanceAdmin = false) => ({ id, role, isInstanceAdmin });
  const changer = (userId: string, role: string, isInstanceAdmin = false) => ({ userId, role, isInstanceAdmin });
  const owner = changer("o", "owner");
  const admin = changer("a", "admin");
  const member = changer("m", "member");
  it.each([
    ["an admin demotes a peer admin", admin, person("a2", "admin"), { role: "member" }, /less access than yours/],
    ["an admin changes a peer admin's email", admin, person("a2", "admin"), { email: true }, /email or sign-in/],
    ["an admin deactivates a peer admin", admin, person("a2", "admin"), { active: false }, /deactivate/],
    ["an admin reactivates an owner", admin, person("o2", "owner"), { active: true }, /reactivate/],
    ["an admin relinks a peer admin's identity", admin, person("a2", "admin"), { identity: true }, /sign-in identity/],
    ["an admin makes a member an owner", admin, person("m2", "member"), { role: "owner" }, /Only organisation owners/],
    [
      "an admin demotes themselves to owner",
      admin,
      person("a", "admin"),
      { role: "owner" },
      /Only organisation owners/,
    ],
    [
      "an owner changes the instance administrator's email",
      owner,
      person("i", "owner", true),
      { email: true },
      /instance administrator/,
    ],
    ["a member changes their own role", member, person("m", "member"), { role: "admin" }, /your own name/],
    ["a member changes someone else", member, person("m2", "member"), {}, /change other people/],
    ["an admin adds an owner", admin, null, { role: "owner" }, /make someone an owner/],
    ["a member adds a person", member, null, { role: "member" }, /add people/],
  ] as const)("refuses: %s", (_what, actor, target, change, message) => {
    expect(personChangeDenial(actor, target, change)).toMatch(message);
  });
  it.each([
    ["an admin promotes a member to admin", admin, person("m2", "member"), { role: "admin" }],
    ["an admin deactivates an observer", admin, person("v", "observer"), { active: false }],
    ["an admin changes their own email", admin, person("a", "admin"), { email: true }],
    ["an owner demotes another owner", owner, person("o2", "owner"), { role: "admin" }],
    ["an owner changes an admin's email", owner, person("a2", "admin"), { email: true }],
    ["an admin renames a peer admin", admin, person("a2", "admin"), {}],
    ["a member renames themselves", member, person("m", "member"), {}],
    ["an admin adds an admin", admin, null, { role: "admin" }],
  ] as const)("allows: %s", (_what, actor, target, change) => {
    expect(personChangeDenial(actor, target, change)).toBeNull();
  });
});

describe("credentialHolds: a credential never acts with more rank than its issuer has", () => {
  const acct = (id: string, role: string, active = true, isInstanceAdmin = false) => ({
    id,
    role,
    active,
    isInstanceAdmin,
  });
  it.each([
    ["self-issued", null, acct("m", "member"), "token", true],
    ["issued by the holder", acct("m", "member"), acct("m", "member"), "token", true],
    ["an admin's token for a member", acct("a", "admin"), acct("m", "member"), "token", true],
    ["an admin's token for a member since promoted to owner", acct("a", "admin"), acct("m", "owner"), "token", false],
    ["an admin's token for a member since promoted to admin", acct("a", "admin"), acct("m", "admin"), "token", false],
    ["a deactivated admin's token", acct("a", "admin", false), acct("m", "member"), "token", false],
    ["an admin since demoted", acct("a", "member"), acct("m", "member"), "token", false],
    ["an admin's invitation for an admin", acct("a", "admin"), acct("b", "admin"), "invitation", true],
    [
      "an admin since demoted: their invitation for a member",
      acct("a", "member"),
      acct("b", "member"),
      "invitation",
      false,
    ],
    ["an admin's invitation for someone since made owner", acct("a", "admin"), acct("b", "owner"), "invitation", false],
    [
      "an owner's invitation for the instance administrator",
      acct("o", "owner"),
      acct("i", "owner", true, true),
      "invitation",
      false,
    ],
  ] as const)("%s: %s", (_what, issuer, holder, kind, expected) => {
    expect(credentialHolds(issuer, holder, kind)).toBe(expected);
  });
});
