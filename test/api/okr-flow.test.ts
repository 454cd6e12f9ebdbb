/**
 * The core journey over the public API: periods, objectives, KRs, alignment, check-ins,
 * roll-up, as-of reads, versions, cycles, closing — on every available database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("OKR journey on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  beforeAll(async () => {
    // 2026-02-15 12:00 UTC: day 45.5 of Q1 2026 (90 days) → expected progress 45.5/90.
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    f = factories(api);
  });
  afterAll(() => api.close());

  it("rolls a check-in up through a KR, its objective and the parent it aligns to", async () => {
    const q1 = await f.period();
    const org = await f.objective(q1.id, { title: "Grow revenue" });
    const orgKr = await f.keyResult(org.id, {
      title: "ARR from 1M to 2M",
      start: 1_000_000,
      target: "2000000",
      unit: "currency",
      currency: "EUR",
    });
    const team = await f.objective(q1.id, { title: "Win the mid-market", level: "team" });
    const k1 = await f.keyResult(team.id, { title: "Pipeline 0 → 40", start: 0, target: 40 });
    const k2 = await f.keyResult(team.id, { title: "Churn 10 → 5", type: "decrease", start: 10, target: 5 });
    await f.align("objective", team.id, "keyResult", orgKr.id);
    const orgKr2 = await api.call("PATCH", `/key-results/${orgKr.id}`, { progressMode: "rollup" });
    expect(orgKr2.status).toBe(200);

    expect(k1).toMatchObject({
      objectiveId: team.id,
      type: "increase",
      start: 0,
      target: 40,
      current: 0,
      progress: 0,
      version: 1,
    });
    await f.checkIn(k1.id, { value: 30, at: "2026-02-10T09:00:00Z", confidence: 7, note: "Two big deals" });
    await f.checkIn(k2.id, { value: "8", at: "2026-02-11T09:00:00Z" });

    const kr1 = (await api.call("GET", `/key-results/${k1.id}`)).body;
    expect(kr1.current).toBe(30);
    expect(kr1.progress).toBeCloseTo(0.75, 12); // (30 − 0) / (40 − 0)
    expect(kr1.expectedProgress).toBeCloseTo(45.5 / 90, 12);
    expect(kr1.status).toBe("onTrack");
    const kr2 = (await api.call("GET", `/key-results/${k2.id}`)).body;
    expect(kr2.progress).toBeCloseTo(0.4, 12); // (8 − 10) / (5 − 10)
    expect(kr2.status).toBe("behind"); // d = 0.50556 − 0.4 = 0.106

    const t = (await api.call("GET", `/objectives/${team.id}`)).body;
    expect(t.progress).toBeCloseTo(0.575, 12); // (0.75 + 0.4) / 2
    expect(t.keyResults).toHaveLength(2);
    const parentKr = (await api.call("GET", `/key-results/${orgKr.id}`)).body;
    expect(parentKr.progress).toBeCloseTo(0.575, 12);
    const o = (await api.call("GET", `/objectives/${org.id}`)).body;
    expect(o.progress).toBeCloseTo(0.575, 12);

    // As of 2026-02-10 12:00 only the first check-in counted.
    const past = (await api.call("GET", `/objectives/${org.id}?asOf=2026-02-10T12:00:00Z`)).body;
    expect(past.progress).toBeCloseTo(0.375, 12); // (0.75 + 0) / 2
    const before = (await api.call("GET", `/key-results/${k1.id}?asOf=2026-02-01T00:00:00Z`)).body;
    expect(before.progress).toBe(0);
    expect(before.current).toBe(0);

    // Weights: churn twice as important → (0.75 + 2·0.4)/3.
    await api.call("PATCH", `/key-results/${k2.id}`, { weight: 2 });
    expect((await api.call("GET", `/objectives/${org.id}`)).body.progress).toBeCloseTo(1.55 / 3, 12);
  });

  it("refuses an alignment that would close a loop with 409 ALIGNMENT_CYCLE", async () => {
    const p = await f.period({ name: "Q2", startDate: "2026-04-01", endDate: "2026-06-30" });
    const a = await f.objective(p.id, { title: "A" });
    const aKr = await f.keyResult(a.id);
    const b = await f.objective(p.id, { title: "B", level: "team" });
    const bKr = await f.keyResult(b.id);
    await f.align("objective", b.id, "keyResult", aKr.id);
    const r = await api.call("POST", "/alignments", {
      childType: "objective",
      childId: a.id,
      parentType: "keyResult",
      parentId: bKr.id,
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe("ALIGNMENT_CYCLE");
    // The loop, from the parent up to the child: B's KR counts in B, B in A's KR, that KR in A.
    expect(r.body.error.details.path).toEqual([
      { type: "keyResult", id: bKr.id },
      { type: "objective", id: b.id },
      { type: "keyResult", id: aKr.id },
      { type: "objective", id: a.id },
    ]);
    const underOwnKr = await api.call("POST", "/alignments", {
      childType: "objective",
      childId: a.id,
      parentType: "keyResult",
      parentId: aKr.id,
    });
    expect(underOwnKr.body.error.code).toBe("ALIGNMENT_CYCLE");
    const self = await api.call("POST", "/alignments", {
      childType: "objective",
      childId: a.id,
      parentType: "objective",
      parentId: a.id,
    });
    expect(self.body.error.code).toBe("ALIGNMENT_CYCLE");
    const ownObjective = await api.call("POST", "/alignments", {
      childType: "keyResult",
      childId: aKr.id,
      parentType: "objective",
      parentId: a.id,
    });
    expect(ownObjective.status).toBe(400);
    // Nothing was written by the refused requests.
    expect((await api.call("GET", `/alignments?parentId=${aKr.id}`)).body.items).toHaveLength(1);
  });

  it("answers 409 with the current state for a stale version, via body or If-Match", async () => {
    const p = await f.period({ name: "Q3", startDate: "2026-07-01", endDate: "2026-09-30" });
    const o = await f.objective(p.id);
    const ok = await api.call("PATCH", `/objectives/${o.id}`, { title: "Renamed", version: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(2);
    const stale = await api.call("PATCH", `/objectives/${o.id}`, { title: "Lost update?" }, { "if-match": '"1"' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("VERSION_CONFLICT");
    expect(stale.body.error.details.current).toMatchObject({ title: "Renamed", version: 2 });
    const bare = await api.call("PATCH", `/objectives/${o.id}`, { title: "Third" }, { "if-match": "2" });
    expect(bare.body.version).toBe(3);
    const noVersion = await api.call("PATCH", `/objectives/${o.id}`, { description: "x" });
    expect(noVersion.body.version).toBe(4);
  });

  it("closes, refuses check-ins while closed, and reopens", async () => {
    const p = await f.period({ name: "Q4", startDate: "2025-10-01", endDate: "2025-12-31" });
    const o = await f.objective(p.id, { committed: true });
    const kr = await f.keyResult(o.id, { start: 0, target: 10 });
    await f.checkIn(kr.id, { value: 6.5, at: "2025-12-20T10:00:00Z" });
    const closed = await api.call("POST", `/objectives/${o.id}/close`, {
      note: "Good run",
      learnings: "Start earlier",
      next: "Continue",
    });
    expect(closed.status).toBe(200);
    expect(closed.body.state).toBe("closed");
    expect(closed.body.status).toBe("closed");
    expect(closed.body.score).toBe(0.7); // 0.65 rounds half up to 0.7
    const refused = await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 7 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("CLOSED");
    expect((await api.call("PATCH", `/objectives/${o.id}`, { title: "x" })).status).toBe(409);
    const reopened = await api.call("POST", `/objectives/${o.id}/reopen`);
    expect(reopened.body.state).toBe("active");
    expect(
      (await api.call("POST", `/key-results/${kr.id}/check-ins`, { value: 7, at: "2025-12-30T10:00:00Z" })).status,
    ).toBe(201);
  });

  it("gives clear 400s, 401s and 404s", async () => {
    const bad = await api.call("POST", "/periods", { name: "", kind: "month", startDate: "2026-13-01", extra: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("VALIDATION");
    const details: string[] = bad.body.error.details;
    expect(details.some((d) => d.startsWith("name:"))).toBe(true);
    expect(details.some((d) => d.startsWith("kind:"))).toBe(true);
    expect(details.some((d) => d.startsWith("startDate:"))).toBe(true);
    expect(details.some((d) => d.startsWith("endDate: is required"))).toBe(true);
    expect(details.some((d) => d.startsWith("extra:"))).toBe(true);

    const p = await f.period({ name: "Bad KR period" });
    const o = await f.objective(p.id);
    const wrongWay = await api.call("POST", `/objectives/${o.id}/key-results`, {
      title: "x",
      type: "increase",
      start: 10,
      target: 5,
    });
    expect(wrongWay.status).toBe(400);
    expect(wrongWay.body.error.details[0]).toMatch(/^target:/);

    const noAuth = await api.app.inject({ method: "GET", url: "/api/v1/periods" });
    expect(noAuth.statusCode).toBe(401);
    expect(noAuth.json().error.code).toBe("UNAUTHENTICATED");
    const wrongToken = await api.app.inject({
      method: "GET",
      url: "/api/v1/periods",
      headers: { authorization: "Bearer nope" },
    });
    expect(wrongToken.statusCode).toBe(401);

    for (const id of ["not-an-id", "00000000-0000-4000-8000-000000000000"]) {
      const r = await api.call("GET", `/objectives/${id}`);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe("NOT_FOUND");
    }
    const malformed = await api.app.inject({
      method: "POST",
      url: "/api/v1/periods",
      headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe("VALIDATION");
  });

  it("serves health, the OpenAPI document and the docs", async () => {
    expect((await api.app.inject({ url: "/healthz" })).statusCode).toBe(200);
    const doc = (await api.app.inject({ url: "/api/v1/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/objectives/{id}");
    expect((await api.app.inject({ url: "/api/docs/" })).statusCode).toBe(200);
  });
});

describe.each(DATABASE_KINDS)("request bodies on %s", (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(() => api.close());

  it("treats an empty JSON body as no fields, and refuses non-objects clearly", async () => {
    const headers = { authorization: `Bearer ${api.token}`, "content-type": "application/json" };
    const empty = await api.app.inject({ method: "POST", url: "/api/v1/periods", headers, payload: "" });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.details).toContain("body: is required");
    const array = await api.app.inject({ method: "POST", url: "/api/v1/periods", headers, payload: "[1,2]" });
    expect(array.statusCode).toBe(400);
    expect(array.json().error.code).toBe("VALIDATION");
    const text = await api.app.inject({
      method: "POST",
      url: "/api/v1/periods",
      headers: { ...headers, "content-type": "text/plain" },
      payload: "hi",
    });
    expect(text.statusCode).toBe(400);
    const unknownRoute = await api.call("GET", "/nothing-here");
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body.error.code).toBe("NOT_FOUND");
  });
});

describe.each(DATABASE_KINDS)("security headers on %s", (kind) => {
  it("sends a CSP that forbids framing, and no HSTS over plain HTTP", async () => {
    const api = await startApi(kind);
    try {
      const res = await api.app.inject({ url: "/healthz" });
      const csp = String(res.headers["content-security-policy"]);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'self'");
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["strict-transport-security"]).toBeUndefined();
      const tls = await api.app.inject({ url: "/healthz", headers: { "x-forwarded-proto": "https" } });
      expect(tls.headers["strict-transport-security"]).toBeUndefined(); // proxies are not trusted by default
    } finally {
      await api.close();
    }
  });
});
