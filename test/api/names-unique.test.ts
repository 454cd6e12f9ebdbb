/**
 * Names that must tell things apart: a period's name is unique in the organisation and a team's
 * among its siblings (trimmed, case-insensitive), on create and on rename; a sub-period lies
 * within its parent's dates, and a parent's dates cannot move so that a sub-period falls outside.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("unique names and nested dates on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
  });
  afterAll(async () => {
    await api?.close();
  });

  const quarter = { kind: "custom", startDate: "2030-10-01", endDate: "2030-12-31" };

  it("refuses a second period of the same name, whatever its case and spaces, naming the first", async () => {
    await f.period({ name: "Q4 2030", ...quarter });
    const res = await api.call("POST", "/periods", { name: "  q4 2030 ", ...quarter });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("ALREADY_EXISTS");
    expect(res.body.error.details).toEqual([
      'name: a period named "Q4 2030" (2030-10-01 to 2030-12-31) already exists; choose another name',
    ]);
    const names = (await api.call("GET", "/periods?limit=200")).body.items.map((p: { name: string }) => p.name);
    expect(names.filter((n: string) => n.toLowerCase() === "q4 2030")).toHaveLength(1);
  });

  it("refuses renaming a period to a taken name, but lets a period keep or re-case its own", async () => {
    const other = await f.period({ name: "Autumn push", ...quarter });
    const taken = await api.call("PATCH", `/periods/${other.id}`, { name: "Q4 2030" });
    expect(taken.status).toBe(409);
    expect(taken.body.error.details[0]).toMatch(/^name: a period named "Q4 2030"/);
    const own = await api.call("PATCH", `/periods/${other.id}`, { name: "AUTUMN PUSH" });
    expect(own.status).toBe(200);
    expect(own.body.name).toBe("AUTUMN PUSH");
  });

  it("refuses a year whose quarters' names are taken, and creates nothing", async () => {
    await f.period({ name: "Q2 2031", kind: "custom", startDate: "2031-04-01", endDate: "2031-05-15" });
    const res = await api.call("POST", "/periods/years", { year: 2031 });
    expect(res.status).toBe(409);
    expect(res.body.error.details).toEqual([
      'name: a period named "Q2 2031" (2031-04-01 to 2031-05-15) already exists; choose another name',
    ]);
    const names = (await api.call("GET", "/periods?limit=200")).body.items.map((p: { name: string }) => p.name);
    expect(names).not.toContain("2031");
    expect((await api.call("POST", "/periods/years", { year: 2032 })).status).toBe(201);
  });

  it("refuses a sub-period that runs past its parent, naming the parent's dates", async () => {
    const year = await f.period({ name: "FY 2033", kind: "year", startDate: "2033-01-01", endDate: "2033-12-31" });
    const late = await api.call("POST", "/periods", {
      name: "Winter 2033",
      kind: "custom",
      startDate: "2033-12-01",
      endDate: "2034-02-28",
      parentId: year.id,
    });
    expect(late.status).toBe(400);
    expect(late.body.error.details).toEqual([
      'endDate: a sub-period must lie within its parent "FY 2033" (2033-01-01 to 2033-12-31); change the dates or choose another parent',
    ]);
    const inside = await f.period({
      name: "Summer 2033",
      kind: "custom",
      startDate: "2033-06-01",
      endDate: "2033-08-31",
      parentId: year.id,
    });
    // Moving the sub-period's dates out, or under a parent that does not cover it, is refused too.
    const moved = await api.call("PATCH", `/periods/${inside.id}`, { startDate: "2032-12-01" });
    expect(moved.status).toBe(400);
    expect(moved.body.error.details[0]).toMatch(/^startDate: a sub-period must lie within its parent "FY 2033"/);
    const other = await f.period({ name: "H1 2033", kind: "custom", startDate: "2033-01-01", endDate: "2033-06-30" });
    const reparented = await api.call("PATCH", `/periods/${inside.id}`, { parentId: other.id });
    expect(reparented.status).toBe(400);
    expect(reparented.body.error.details[0]).toMatch(/^endDate: a sub-period must lie within its parent "H1 2033"/);

    // The parent's dates cannot shrink past a sub-period: the person moves the sub-period first.
    const shrunk = await api.call("PATCH", `/periods/${year.id}`, { endDate: "2033-06-30" });
    expect(shrunk.status).toBe(400);
    expect(shrunk.body.error.details).toEqual([
      'endDate: the sub-period "Summer 2033" (2033-06-01 to 2033-08-31) would fall outside these dates; change its dates first or choose dates that cover it',
    ]);
    expect((await api.call("GET", `/periods/${year.id}`)).body.endDate).toBe("2033-12-31");
    expect((await api.call("PATCH", `/periods/${year.id}`, { endDate: "2033-09-30" })).status).toBe(200);
  });

  it("refuses a team name already used under the same parent, on create, rename and move", async () => {
    const parent = await f.team({ name: "Product" });
    await f.team({ name: "Platform", parentId: parent.id });
    const dup = await api.call("POST", "/teams", { name: " PLATFORM", parentId: parent.id });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("ALREADY_EXISTS");
    expect(dup.body.error.details).toEqual([
      'name: a team named "Platform" already exists in "Product"; choose another name',
    ]);
    // Another parent may have a team of that name.
    const elsewhere = await f.team({ name: "Platform" });
    const topDup = await api.call("POST", "/teams", { name: "platform" });
    expect(topDup.status).toBe(409);
    expect(topDup.body.error.details).toEqual([
      'name: a team named "Platform" already exists at the top level; choose another name',
    ]);
    const growth = await f.team({ name: "Growth", parentId: parent.id });
    const renamed = await api.call("PATCH", `/teams/${growth.id}`, { name: "platform" });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error.details[0]).toMatch(/^name: a team named "Platform" already exists in "Product"/);
    const moved = await api.call("PATCH", `/teams/${elsewhere.id}`, { parentId: parent.id });
    expect(moved.status).toBe(409);
    // Re-casing its own name is a rename to itself, not a clash.
    expect((await api.call("PATCH", `/teams/${growth.id}`, { name: "GROWTH" })).status).toBe(200);
  });
});
