/**
 * A closed period takes no new objective: creating one there, moving one there or continuing
 * one into it is refused (409 CLOSED) with the period named and the way out (an open period,
 * or reopening it), by hand and by a spreadsheet import; once reopened it takes them again. An OKR file may still write a closed
 * objective into a closed period, since it closes it in the same transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../../src/services/context.js";
import { applyOkrFile } from "../../src/services/okr-file-apply.service.js";
import { type ApiHarness, factories, servicesOf, startApi } from "../support/api.js";
import { adminActorOf } from "../support/cli-actor.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("a closed period on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let closed: { id: string; name: string };
  let open: { id: string };

  beforeAll(async () => {
    api = await startApi(kind);
    f = factories(api);
    closed = await f.period({ name: "Q4 2025", startDate: "2025-10-01", endDate: "2025-12-31" });
    open = await f.period();
    await f.objective(closed.id, { title: "Ship the winter release" });
    expect((await api.call("POST", `/periods/${closed.id}/close`, {})).status).toBe(200);
  });
  afterAll(() => api.close());

  const titlesIn = async (periodId: string) =>
    ((await api.call("GET", `/objectives?periodId=${periodId}&limit=100`)).body.items as { title: string }[]).map(
      (o) => o.title,
    );

  it("refuses a new objective, alone or with its key results, saying which period and what to do", async () => {
    for (const body of [
      { title: "Too late", level: "organization", periodId: closed.id },
      {
        title: "Too late with parts",
        level: "organization",
        periodId: closed.id,
        keyResults: [{ title: "Reach 10", type: "increase", start: 0, target: 10 }],
      },
    ]) {
      const r = await api.call("POST", "/objectives", body);
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe("CLOSED");
      expect(r.body.error.message).toContain('The period "Q4 2025" is closed');
      expect(r.body.error.message).toContain("Pick an open period, or reopen");
    }
    expect(await titlesIn(closed.id)).toEqual(["Ship the winter release"]);
  });

  it("refuses moving an open objective into it and continuing one into it", async () => {
    const o = await f.objective(open.id, { title: "Keep going" });
    const moved = await api.call("PATCH", `/objectives/${o.id}`, { periodId: closed.id });
    expect(moved.status).toBe(409);
    expect(moved.body.error.message).toContain("no objective can be moved to it");
    const continued = await api.call("POST", `/objectives/${o.id}/postpone`, { periodId: closed.id });
    expect(continued.status).toBe(409);
    expect(continued.body.error.message).toContain("no objective can be continued into it");
    expect(await titlesIn(closed.id)).toEqual(["Ship the winter release"]);
    // Other edits of an objective that stays put are not affected.
    expect((await api.call("PATCH", `/objectives/${o.id}`, { title: "Keep going on" })).status).toBe(200);
  });

  it("refuses a spreadsheet import that would create an objective in it or move one to it", async () => {
    const csv = (rows: string[][]) =>
      [["Reference", "Type", "Title", "Time period"], ...rows].map((r) => r.join(",")).join("\n");
    const created = await api.call("POST", "/imports/okrs", {
      format: "csv",
      content: csv([["S-1", "Objective", "Imported too late", "Q4 2025"]]),
    });
    expect(created.status).toBe(400);
    expect(created.body.error.details[0]).toBe(
      'row 2, Time period: the period "Q4 2025" is closed, so no objective can be created in it; name an open period, or reopen "Q4 2025" first',
    );
    const placed = await api.call("POST", "/imports/okrs", {
      format: "csv",
      content: csv([["S-2", "Objective", "Imported in time", "Q1 2026"]]),
    });
    expect(placed.status).toBe(200);
    const moved = await api.call("POST", "/imports/okrs", {
      format: "csv",
      content: csv([["S-2", "Objective", "Imported in time", "Q4 2025"]]),
    });
    expect(moved.status).toBe(400);
    expect(moved.body.error.details[0]).toContain("no objective can be moved to it");
    expect(await titlesIn(closed.id)).toEqual(["Ship the winter release"]);
    expect(await titlesIn(open.id)).toContain("Imported in time");
  });

  it("lets an OKR file write a closed objective into it, but not an open one", async () => {
    const svc: Services = servicesOf(api);
    const admin = await adminActorOf(api.database);
    const file = (state: "active" | "closed", ref: string) => ({
      version: 1 as const,
      period: "Q4 2025",
      objectives: [
        {
          ref,
          title: `From the file (${state})`,
          level: "organization" as const,
          state,
          ...(state === "closed" && { closing: { score: 0.5 } }),
        },
      ],
    });
    await expect(applyOkrFile(svc, admin, file("active", "file-open"))).rejects.toMatchObject({ code: "CLOSED" });
    await applyOkrFile(svc, admin, file("closed", "file-closed"));
    expect(await titlesIn(closed.id)).toEqual(expect.arrayContaining(["From the file (closed)"]));
    expect(await titlesIn(closed.id)).not.toContain("From the file (active)");
  });

  it("takes new objectives again once reopened", async () => {
    expect((await api.call("POST", `/periods/${closed.id}/reopen`, {})).status).toBe(200);
    const r = await api.call("POST", "/objectives", { title: "Back in", level: "organization", periodId: closed.id });
    expect(r.status).toBe(201);
  });
});
