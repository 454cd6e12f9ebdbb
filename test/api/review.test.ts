/**
 * Issue #12, "Collaboration": the optional review workflow. With `reviewWorkflow` on, a draft
 * goes draft → in review → approved → active; its reviewers are the owners' managers and the
 * team's owners (the admins when there are none); the coach's errors block submitting; an edit
 * of a submitted draft takes it back to draft; admins may publish without a review; every step
 * is in the trail and the audit trail, and notices reach the reviewers and the owners.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("the review workflow on %s", (kind) => {
  let api: ApiHarness;
  const tok: Record<string, string> = {};
  const id: Record<string, string> = {};
  let periodId: string;
  let teamId: string;
  const as = (who: string, method: string, url: string, body?: unknown) =>
    who === "admin"
      ? api.call(method, url, body)
      : api.call(method, url, body, { authorization: `Bearer ${tok[who]}` });
  let seq = 0;

  /** A draft of `who` (a team objective of Growth unless `over` says otherwise) with one measurable KR. */
  async function draftOf(who: string, over: Record<string, unknown> = {}, kr: Record<string, unknown> = {}) {
    const o = await as(who, "POST", "/objectives", {
      title: `Grow the thing ${++seq}`,
      level: "team",
      teamId,
      periodId,
      ownerIds: [id[who]],
      state: "draft",
      ...over,
    });
    expect(o.status, JSON.stringify(o.body)).toBe(201);
    const k = await as(who, "POST", `/objectives/${o.body.id}/key-results`, {
      title: "Weekly active teams",
      type: "increase",
      start: 10,
      target: 40,
      ownerIds: o.body.ownerIds,
      ...kr,
    });
    expect(k.status, JSON.stringify(k.body)).toBe(201);
    return { id: o.body.id as string, krId: k.body.id as string };
  }
  const reviewOf = async (who: string, objectiveId: string) => {
    const r = await as(who, "GET", `/objectives/${objectiveId}/review`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const noticesOf = async (who: string) =>
    (await as(who, "GET", "/notifications")).body.items as {
      kind: string;
      title: string;
      body: string;
      objectiveId: string;
      link: string;
    }[];

  beforeAll(async () => {
    api = await startApi(kind);
    periodId = (await factories(api).period()).id;
    const person = async (who: string, name: string, role = "member", managerId: string | null = null) => {
      const email = `${who}@review.test`;
      const r = await api.call("POST", "/users", { name, email, role, managerId, invite: false });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      id[who] = r.body.id;
      tok[who] = (await createTokenForEmail(api.database, email)).token;
    };
    await person("mia", "Mia Manager");
    await person("olga", "Olga Owner", "member", id.mia as string);
    await person("tess", "Tess Teamowner");
    await person("mo", "Mo Member");
    await person("sam", "Sam Solo");
    await person("oscar", "Oscar Observer", "observer");
    await person("alan", "Alan Admin", "admin");
    teamId = (await api.call("POST", "/teams", { name: "Growth", ownerIds: [id.tess], memberIds: [id.olga, id.mo] }))
      .body.id;
    id.admin = (await api.call("GET", "/me")).body.user.id;
  });
  afterAll(async () => {
    await api?.close();
  });

  it("is off by default and turned on in the settings by an admin", async () => {
    expect((await api.call("GET", "/settings")).body.reviewWorkflow).toBe(false);
    expect((await as("olga", "PATCH", "/settings", { reviewWorkflow: true })).status).toBe(403);
    const bad = await api.call("PATCH", "/settings", { reviewWorkflow: "yes" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.join(" ")).toMatch(/^reviewWorkflow: /);
    const on = await api.call("PATCH", "/settings", { reviewWorkflow: true });
    expect(on.status).toBe(200);
    expect(on.body.reviewWorkflow).toBe(true);
    expect((await as("olga", "GET", "/settings")).body.reviewWorkflow).toBe(true);
  });

  it("takes a draft through submit, approve and publish, with the trail, the audit and the notices", async () => {
    const d = await draftOf("olga");
    const before = await reviewOf("olga", d.id);
    expect(before).toMatchObject({
      workflow: true,
      state: "draft",
      reviewersAreAdmins: false,
      canSubmit: true,
      canApprove: false,
      canPublish: false,
      blockers: [],
      steps: [],
    });
    // The owner's manager, then the team's owner.
    expect(before.reviewers).toEqual([
      { id: id.mia, name: "Mia Manager" },
      { id: id.tess, name: "Tess Teamowner" },
    ]);

    // Publishing directly is refused, saying how to go on.
    const direct = await as("olga", "PATCH", `/objectives/${d.id}`, { state: "active" });
    expect(direct.status).toBe(409);
    expect(direct.body.error.message).toContain(`POST /objectives/${d.id}/review/submit`);

    const submitted = await as("olga", "POST", `/objectives/${d.id}/review/submit`, { comment: "Ready, I think" });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    expect(submitted.body).toMatchObject({ state: "inReview", canSubmit: false, canPublish: false });
    expect((await as("olga", "GET", `/objectives/${d.id}`)).body).toMatchObject({
      state: "draft",
      reviewState: "inReview",
    });
    for (const reviewer of ["mia", "tess"]) {
      const n = (await noticesOf(reviewer)).find((x) => x.objectiveId === d.id);
      expect(n, reviewer).toMatchObject({ kind: "review", body: "Ready, I think", link: `/objectives/${d.id}` });
      expect(n?.title).toMatch(/^Olga Owner asks you to review “Grow the thing \d+”$/);
      expect((await reviewOf(reviewer, d.id)).canApprove).toBe(true);
    }
    expect((await noticesOf("mo")).some((x) => x.objectiveId === d.id)).toBe(false);
    const waiting = await as("mia", "GET", "/reviews/waiting");
    expect(waiting.body.items.map((x: { id: string }) => x.id)).toContain(d.id);
    expect((await as("mo", "GET", "/reviews/waiting")).body.items).toEqual([]);
    // Its owner is not its reviewer.
    expect((await as("olga", "GET", "/reviews/waiting")).body.items).toEqual([]);

    const approved = await as("mia", "POST", `/objectives/${d.id}/review/approve`, { comment: "Bold, good" });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.state).toBe("approved");
    const toOwner = (await noticesOf("olga")).find((x) => x.objectiveId === d.id);
    expect(toOwner).toMatchObject({ kind: "review", body: "Bold, good" });
    expect(toOwner?.title).toMatch(/^Mia Manager approved/);
    expect((await reviewOf("olga", d.id)).canPublish).toBe(true);
    expect((await as("tess", "GET", "/reviews/waiting")).body.items).toEqual([]);

    const published = await as("olga", "PATCH", `/objectives/${d.id}`, { state: "active" });
    expect(published.status, JSON.stringify(published.body)).toBe(200);
    expect(published.body).toMatchObject({ state: "active", reviewState: null });

    const after = await reviewOf("mo", d.id);
    expect(after.state).toBe("active");
    expect(
      after.steps.map((s: { step: string; actorName: string; comment: string }) => [s.step, s.actorName, s.comment]),
    ).toEqual([
      ["submitted", "Olga Owner", "Ready, I think"],
      ["approved", "Mia Manager", "Bold, good"],
      ["activated", "Olga Owner", ""],
    ]);
    const audit = await api.call("GET", `/audit?objectId=${d.id}&order=asc`);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "objective.reviewSubmitted",
        "objective.reviewApproved",
        "objective.reviewActivated",
        "objective.updated",
      ]),
    );
    const approval = audit.body.items.find((e: { action: string }) => e.action === "objective.reviewApproved");
    expect(approval).toMatchObject({
      actorId: id.mia,
      before: { reviewState: "inReview" },
      after: { reviewState: "approved", step: "approved", comment: "Bold, good" },
    });
  });

  it("blocks submitting while the coach finds an error, listing each with how to fix it", async () => {
    // An objective without an owner (the error the API lets a draft have).
    const d = await draftOf("tess", { ownerIds: [] }, { ownerIds: [id.tess] });
    const review = await reviewOf("tess", d.id);
    expect(review.canSubmit).toBe(false);
    expect(review.blockers).toEqual([
      expect.objectContaining({ checkId: "objective-owner", severity: "error", objectId: d.id }),
    ]);
    const refused = await as("tess", "POST", `/objectives/${d.id}/review/submit`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("CONFLICT");
    expect(refused.body.error.details).toEqual([expect.stringMatching(/^objective: .*has no owner\. Name the person/)]);
    expect((await reviewOf("tess", d.id)).steps).toEqual([]);
    // Fixed, it goes.
    expect((await as("tess", "PATCH", `/objectives/${d.id}`, { ownerIds: [id.tess] })).status).toBe(200);
    expect((await reviewOf("tess", d.id)).blockers).toEqual([]);
    expect((await as("tess", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(200);

    // A key result without a target (as an import of older data may leave one) blocks too.
    const k = await draftOf("olga");
    await api.database.db.execute(sql`update key_results set target = null where id = ${k.krId}`);
    const r = await as("olga", "POST", `/objectives/${k.id}/review/submit`);
    expect(r.status).toBe(409);
    expect(r.body.error.details).toEqual([expect.stringMatching(new RegExp(`^keyResult ${k.krId}: .*Enter it`))]);
    expect((await reviewOf("olga", k.id)).blockers[0]).toMatchObject({ checkId: "kr-measurable", objectId: k.krId });
  });

  it("sends a draft back with a required comment, which reaches its owners", async () => {
    const d = await draftOf("olga");
    expect((await as("olga", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(200);
    const empty = await as("tess", "POST", `/objectives/${d.id}/review/send-back`, { comment: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([expect.stringMatching(/^comment: must not be empty/)]);
    const missing = await as("tess", "POST", `/objectives/${d.id}/review/send-back`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.join(" ")).toMatch(/^comment: /);

    const back = await as("tess", "POST", `/objectives/${d.id}/review/send-back`, { comment: "Aim higher: 60" });
    expect(back.status).toBe(200);
    expect(back.body.state).toBe("draft");
    expect(back.body.canApprove).toBe(false);
    const n = (await noticesOf("olga")).find((x) => x.objectiveId === d.id);
    expect(n).toMatchObject({ kind: "review", body: "Aim higher: 60" });
    expect(n?.title).toContain("Aim higher: 60");
    expect(back.body.steps.at(-1)).toMatchObject({ step: "sentBack", actorId: id.tess, comment: "Aim higher: 60" });
    expect((await as("olga", "GET", `/objectives/${d.id}`)).body.reviewState).toBeNull();
    // Nothing left to send back or approve; it can be submitted again.
    expect((await as("tess", "POST", `/objectives/${d.id}/review/send-back`, { comment: "again" })).status).toBe(409);
    expect((await as("tess", "POST", `/objectives/${d.id}/review/approve`, {})).status).toBe(409);
    expect((await reviewOf("olga", d.id)).canSubmit).toBe(true);
  });

  it("answers 403 with the reason to those who may not act", async () => {
    const d = await draftOf("olga");
    // Submitting is for those who may edit it.
    const bySam = await as("sam", "POST", `/objectives/${d.id}/review/submit`, {});
    expect(bySam.status).toBe(403);
    expect(bySam.body.error.code).toBe("FORBIDDEN");
    expect((await as("olga", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(200);
    // Approving is for its reviewers and admins: not its owner, a teammate or an observer.
    for (const who of ["olga", "mo", "sam", "oscar"]) {
      const r = await as(who, "POST", `/objectives/${d.id}/review/approve`, {});
      expect(r.status, who).toBe(403);
      expect(r.body.error.code).toBe("FORBIDDEN");
    }
    const byMo = await as("mo", "POST", `/objectives/${d.id}/review/send-back`, { comment: "no" });
    expect(byMo.status).toBe(403);
    expect(byMo.body.error.message).toMatch(/reviewers \(Mia Manager, Tess Teamowner\) and admins/);
    expect((await reviewOf("mo", d.id)).canApprove).toBe(false);
    // Any admin may approve.
    expect((await as("alan", "POST", `/objectives/${d.id}/review/approve`, {})).status).toBe(200);
  });

  it("answers 409 for a step the objective's state does not allow", async () => {
    const d = await draftOf("olga");
    expect((await as("mia", "POST", `/objectives/${d.id}/review/approve`, {})).status).toBe(409);
    expect((await as("olga", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(200);
    const twice = await as("olga", "POST", `/objectives/${d.id}/review/submit`, {});
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toMatch(/already in review/);
    expect((await as("mia", "POST", `/objectives/${d.id}/review/approve`, {})).status).toBe(200);
    expect((await as("mia", "POST", `/objectives/${d.id}/review/approve`, {})).status).toBe(409);
    expect((await as("olga", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(409);
    expect((await as("olga", "PATCH", `/objectives/${d.id}`, { state: "active" })).status).toBe(200);
    const active = await as("olga", "POST", `/objectives/${d.id}/review/submit`, {});
    expect(active.status).toBe(409);
    expect(active.body.error.message).toMatch(/already active/);
    // A closed one says so.
    const c = await draftOf("olga");
    expect((await as("olga", "POST", `/objectives/${c.id}/close`, { score: 0.1 })).status).toBe(200);
    const closed = await as("olga", "POST", `/objectives/${c.id}/review/submit`, {});
    expect(closed.status).toBe(409);
    expect(closed.body.error.code).toBe("CLOSED");
  });

  it("takes a submitted draft back to draft when it changes, and not on a save that changes nothing", async () => {
    const d = await draftOf("olga");
    expect((await as("olga", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(200);
    const title = (await as("olga", "GET", `/objectives/${d.id}`)).body.title;
    const same = await as("olga", "PATCH", `/objectives/${d.id}`, { title, teamId, ownerIds: [id.olga] });
    expect(same.status).toBe(200);
    expect(same.body.reviewState).toBe("inReview");

    const changed = await as("olga", "PATCH", `/objectives/${d.id}`, { title: `${title}, sharper` });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ state: "draft", reviewState: null });
    const review = await reviewOf("olga", d.id);
    expect(review.steps.map((s: { step: string }) => s.step)).toEqual(["submitted", "withdrawn"]);
    const told = (await noticesOf("mia")).filter((x) => x.objectiveId === d.id).map((x) => x.title);
    expect(told.some((t) => /changed .* after submitting it/.test(t))).toBe(true);

    // A key result's change does the same, after approval too.
    expect((await as("olga", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(200);
    expect((await as("mia", "POST", `/objectives/${d.id}/review/approve`, {})).status).toBe(200);
    expect((await as("olga", "PATCH", `/key-results/${d.krId}`, { target: 40 })).status).toBe(200);
    expect((await as("olga", "GET", `/objectives/${d.id}`)).body.reviewState).toBe("approved");
    expect((await as("olga", "PATCH", `/key-results/${d.krId}`, { target: 45 })).status).toBe(200);
    expect((await as("olga", "GET", `/objectives/${d.id}`)).body.reviewState).toBeNull();
    expect((await as("olga", "PATCH", `/objectives/${d.id}`, { state: "active" })).status).toBe(409);
  });

  it("hides a private draft's review from those who may not see it (404), and lets its owner's manager review it", async () => {
    const d = await draftOf("olga", { level: "individual", teamId: null, visibility: "private" });
    for (const [method, url, body] of [
      ["GET", `/objectives/${d.id}/review`, undefined],
      ["POST", `/objectives/${d.id}/review/submit`, {}],
      ["POST", `/objectives/${d.id}/review/approve`, {}],
      ["POST", `/objectives/${d.id}/review/send-back`, { comment: "x" }],
    ] as const) {
      for (const who of ["mo", "tess"]) {
        const r = await as(who, method, url, body);
        expect(r.status, `${who} ${method} ${url}`).toBe(404);
        expect(JSON.stringify(r.body)).not.toContain("Grow the thing");
      }
    }
    const review = await reviewOf("olga", d.id);
    expect(review.reviewers).toEqual([{ id: id.mia, name: "Mia Manager" }]);
    expect((await as("olga", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(200);
    expect((await noticesOf("tess")).some((n) => n.objectiveId === d.id)).toBe(false);
    expect((await as("tess", "GET", "/reviews/waiting")).body.items.some((x: { id: string }) => x.id === d.id)).toBe(
      false,
    );
    expect((await as("mia", "POST", `/objectives/${d.id}/review/approve`, {})).status).toBe(200);
  });

  it("lets admins publish without a review, and says so in the trail", async () => {
    const d = await draftOf("olga");
    const r = await as("alan", "PATCH", `/objectives/${d.id}`, { state: "active" });
    expect(r.status).toBe(200);
    const review = await reviewOf("olga", d.id);
    expect(review.steps).toEqual([expect.objectContaining({ step: "activated", actorId: id.alan })]);
    expect(review.steps[0].comment).toMatch(/without a review/);
    const audit = await api.call("GET", `/audit?objectId=${d.id}&action=objective.reviewActivated`);
    expect(audit.body.items[0].after).toMatchObject({ withoutReview: true });

    // An admin's new objective may start active (recorded); a member's starts as a draft.
    const adminMade = await as("alan", "POST", "/objectives", { title: "Org goal", level: "organization", periodId });
    expect(adminMade.body.state).toBe("active");
    expect((await reviewOf("alan", adminMade.body.id)).steps.map((s: { step: string }) => s.step)).toEqual([
      "activated",
    ]);
    const memberMade = await as("olga", "POST", "/objectives", {
      title: "Mine",
      level: "individual",
      periodId,
    });
    expect(memberMade.status).toBe(201);
    expect(memberMade.body.state).toBe("draft");
    const forced = await as("olga", "POST", "/objectives", {
      title: "Mine, live",
      level: "individual",
      periodId,
      state: "active",
    });
    expect(forced.status).toBe(409);
    expect(forced.body.error.message).toMatch(/starts as a draft/);
  });

  it("has the admins review an objective nobody else can", async () => {
    // Sam has no manager; an organisation objective has no team.
    const d = await draftOf("alan", { level: "organization", teamId: null, ownerIds: [id.sam] });
    const review = await reviewOf("sam", d.id);
    expect(review.reviewersAreAdmins).toBe(true);
    expect(review.reviewers.map((r: { id: string }) => r.id).sort()).toEqual([id.admin, id.alan].sort());
    expect((await as("sam", "POST", `/objectives/${d.id}/review/submit`, {})).status).toBe(200);
    expect((await noticesOf("alan")).some((n) => n.objectiveId === d.id && n.kind === "review")).toBe(true);
    expect((await as("alan", "GET", "/reviews/waiting")).body.items.map((x: { id: string }) => x.id)).toContain(d.id);
    // Drafts with named reviewers (Olga's: her manager) do not crowd an admin's list.
    const named = await draftOf("olga");
    expect((await as("olga", "POST", `/objectives/${named.id}/review/submit`, {})).status).toBe(200);
    const olgas = (await as("mia", "GET", "/reviews/waiting")).body.items.map((x: { id: string }) => x.id);
    expect(olgas).toContain(named.id);
    const adminList = (await as("alan", "GET", "/reviews/waiting")).body.items.map((x: { id: string }) => x.id);
    expect(adminList.filter((x: string) => olgas.includes(x))).toEqual([]);
  });

  it("keeps a postponed draft a draft for its owner, so it still goes through a review", async () => {
    const next = (await factories(api).period({ name: "Q2 2026", startDate: "2026-04-01", endDate: "2026-06-30" }))
      .id as string;
    const d = await draftOf("olga");
    const copy = await as("olga", "POST", `/objectives/${d.id}/postpone`, { periodId: next });
    expect(copy.status, JSON.stringify(copy.body)).toBe(201);
    expect(copy.body).toMatchObject({ state: "draft", reviewState: null });
  });

  it("with reviews off, publishes drafts directly and refuses submitting", async () => {
    const inFlight = await draftOf("olga");
    expect((await as("olga", "POST", `/objectives/${inFlight.id}/review/submit`, {})).status).toBe(200);
    expect((await api.call("PATCH", "/settings", { reviewWorkflow: false })).status).toBe(200);
    const d = await draftOf("olga");
    const refused = await as("olga", "POST", `/objectives/${d.id}/review/submit`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/Reviews are off/);
    expect((await reviewOf("olga", d.id)).canSubmit).toBe(false);
    expect((await as("olga", "PATCH", `/objectives/${d.id}`, { state: "active" })).status).toBe(200);
    expect((await reviewOf("olga", d.id)).steps).toEqual([]);
    // What was in review when reviews were turned off can still be finished, or published.
    const done = await as("olga", "PATCH", `/objectives/${inFlight.id}`, { state: "active" });
    expect(done.status).toBe(200);
    expect(done.body.reviewState).toBeNull();
    expect((await reviewOf("olga", inFlight.id)).steps.map((s: { step: string }) => s.step)).toEqual([
      "submitted",
      "activated",
    ]);
    expect((await api.call("PATCH", "/settings", { reviewWorkflow: true })).status).toBe(200);
  });
});
