/**
 * Data-linked key results (#13) end to end: a key result's own check-in tokens (push with
 * `curl`-like requests: the value lands, roll-ups move, the audit names the token; revoked,
 * foreign, garbage and orphaned tokens are refused, and so is a token whose maker lost edit
 * rights), and sources read from a local HTTP server serving JSON and CSV (a new value becomes
 * a check-in, the same value records nothing, a failure keeps the good data and shows the
 * error; private addresses are refused unless the instance allows them).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate, createTokenForEmail } from "../../src/services/auth.service.js";
import { runDataSync, syncKeyResultNow } from "../../src/services/data-link.service.js";
import { valueFromCsv, valueFromJson } from "../../src/services/data-source.js";
import { ADMIN_TOKEN, type ApiHarness, factories, orgIdOf, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

/** A stand-in for another system's metrics on 127.0.0.1; `values` says what each path answers. */
async function startSource() {
  const values = { signups: 40 as unknown, csvCell: "12.5" };
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const path = req.url ?? "";
    if (path.startsWith("/metrics.json")) {
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ metrics: { signups: values.signups, list: [1, 2] } }));
    } else if (path.startsWith("/metrics.csv")) {
      res.writeHead(200, { "content-type": "text/csv" }).end(`metric,value\nvisits,900\nsignups,${values.csvCell}\n`);
    } else if (path.startsWith("/broken")) {
      res.writeHead(200, { "content-type": "application/json" }).end("{ not json");
    } else if (path.startsWith("/down")) {
      res.writeHead(503, { "content-type": "text/plain" }).end("maintenance");
    } else {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    values,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("reading a value from JSON and CSV", () => {
  it("finds exactly one number, and says what is wrong otherwise", () => {
    expect(valueFromJson('{"a":{"b":12.5}}', "$.a.b")).toBe("12.5");
    expect(valueFromJson('{"a":{"b":"1e3"}}', "$.a.b")).toBe("1000");
    expect(valueFromJson('{"a":[{"n":"x","v":1},{"n":"y","v":2}]}', "$.a[?(@.n==='y')].v")).toBe("2");
    expect(() => valueFromJson('{"a":1}', "$.b")).toThrow(/finds nothing/);
    expect(() => valueFromJson('{"a":[1,2]}', "$.a[*]")).toThrow(/finds 2 values/);
    expect(() => valueFromJson('{"a":"abc"}', "$.a")).toThrow(/"abc", which is not a number/);
    expect(() => valueFromJson('{"a":true}', "$.a")).toThrow(/not a number/);
    expect(() => valueFromJson("nope", "$.a")).toThrow(/not valid JSON/);
    expect(valueFromCsv("a,b\n1,2\n3,4", "B3")).toBe("4");
    expect(valueFromCsv("a;b\n1;2,5\n", "a2")).toBe("1");
    expect(valueFromCsv('\uFEFFname,"value"\n"x","7"', "B2")).toBe("7");
    expect(() => valueFromCsv("a,b\n1,2", "C2")).toThrow(/no cell C2: line 2 has 2 column/);
    expect(() => valueFromCsv("a,b\n1,2", "A9")).toThrow(/no line 9/);
    expect(() => valueFromCsv("a,b\n1,", "B2")).toThrow(/empty/);
    expect(() => valueFromCsv("a,b\n1,x", "B2")).toThrow(/"x", which is not a number/);
  });
});

describe.each(DATABASE_KINDS)("data-linked key results (%s)", (kind) => {
  let api: ApiHarness;
  let source: Awaited<ReturnType<typeof startSource>>;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  let objectiveId: string;
  let krId: string;
  let otherKrId: string;
  let mia: { id: string };
  let miaToken: string;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const push = (id: string, token: string | null, body: unknown = { value: 30 }) =>
    api.app.inject({
      method: "POST",
      url: `/api/v1/key-results/${id}/push`,
      headers: token === null ? {} : as(token),
      payload: body as never,
    });

  beforeAll(async () => {
    source = await startSource();
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12), { allowPrivateUrls: true });
    f = factories(api);
    periodId = (await f.period()).id;
    mia = await f.user({ name: "Mia Member", email: "mia@data.example", role: "member" });
    miaToken = (await createTokenForEmail(api.database, "mia@data.example")).token;
    objectiveId = (await f.objective(periodId, { title: "Grow", ownerIds: [mia.id] })).id;
    krId = (await f.keyResult(objectiveId, { title: "Signups", ownerIds: [mia.id] })).id;
    otherKrId = (await f.keyResult(objectiveId, { title: "Visits" })).id;
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await source?.close();
  });

  it("pushes a value with a key result's own token: it lands, rolls up, and the audit names the token", async () => {
    const made = await api.call("POST", `/key-results/${krId}/tokens`, { name: "CI nightly" }, as(miaToken));
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^okrkr_[A-Za-z0-9_-]{40,}$/);
    expect(made.body).toMatchObject({ name: "CI nightly", keyResultId: krId, createdBy: mia.id, lastUsedAt: null });
    const listed = await api.call("GET", `/key-results/${krId}/tokens`, undefined, as(miaToken));
    expect(listed.body.items.map((t: { id: string }) => t.id)).toEqual([made.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain(made.body.token);

    const res = await push(krId, made.body.token, { value: 30, note: "from CI" });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ value: 30, note: "from CI", authorId: mia.id });
    expect((await api.call("GET", `/key-results/${krId}`)).body.current).toBe(30);
    // The objective's progress is the mean of its two key results: (0.3 + 0) / 2.
    expect((await api.call("GET", `/objectives/${objectiveId}`)).body.progress).toBeCloseTo(0.15, 6);
    const audit = await api.call("GET", `/audit?action=checkIn.created&objectId=${res.json().id}`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actorId: mia.id,
      after: { via: { keyResultToken: { id: made.body.id, name: "CI nightly" } } },
    });
    const after = await api.call("GET", `/key-results/${krId}/tokens`, undefined, as(miaToken));
    expect(after.body.items[0].lastUsedAt).not.toBeNull();
    // The same validation as any check-in.
    const bad = await push(krId, made.body.token, { value: "lots" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.join()).toMatch(/value: must be a number/);
  });

  it("refuses revoked, unknown, garbage and foreign tokens, and personal API tokens", async () => {
    const token = (await api.call("POST", `/key-results/${krId}/tokens`, { name: "to revoke" })).body;
    expect((await push(otherKrId, token.token)).statusCode).toBe(403);
    expect((await push(krId, null)).statusCode).toBe(401);
    expect((await push(krId, "okrkr_nothing-like-this")).statusCode).toBe(401);
    expect((await push(krId, "garbage")).statusCode).toBe(401);
    expect((await push(krId, ADMIN_TOKEN)).statusCode).toBe(401);
    const malformed = await api.app.inject({
      method: "POST",
      url: `/api/v1/key-results/${krId}/push`,
      headers: { authorization: "Basic abc" },
      payload: { value: 1 },
    });
    expect(malformed.statusCode).toBe(401);
    // A key result token is no API token either.
    expect((await api.call("GET", "/me", undefined, as(token.token))).status).toBe(401);
    expect((await api.call("DELETE", `/key-results/${krId}/tokens/${token.id}`)).status).toBe(204);
    const revoked = await push(krId, token.token);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.message).toMatch(/unknown or was revoked/);
    expect((await api.call("DELETE", `/key-results/${krId}/tokens/${token.id}`)).status).toBe(404);
    const audit = await api.call("GET", `/audit?action=keyResultToken.revoked&objectId=${token.id}`);
    expect(audit.body.items).toHaveLength(1);
  });

  it("stops a token once its maker may no longer edit the key result, or is deactivated", async () => {
    const token = (await api.call("POST", `/key-results/${krId}/tokens`, { name: "Mia's" }, as(miaToken))).body.token;
    expect((await push(krId, token, { value: 31 })).statusCode).toBe(201);
    // Demoted to observer: may no longer edit.
    const user = (await api.call("GET", `/users/${mia.id}`)).body;
    expect((await api.call("PATCH", `/users/${mia.id}`, { role: "observer", version: user.version })).status).toBe(200);
    const refused = await push(krId, token, { value: 32 });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toMatch(/may no longer edit/);
    const back = (await api.call("GET", `/users/${mia.id}`)).body;
    await api.call("PATCH", `/users/${mia.id}`, { role: "member", version: back.version });
    expect((await push(krId, token, { value: 32 })).statusCode).toBe(201);
    // No longer an owner of the key result or its objective: refused too.
    const kr = (await api.call("GET", `/key-results/${krId}`)).body;
    await api.call("PATCH", `/key-results/${krId}`, { ownerIds: [], version: kr.version });
    const o = (await api.call("GET", `/objectives/${objectiveId}`)).body;
    await api.call("PATCH", `/objectives/${objectiveId}`, { ownerIds: [], version: o.version });
    expect((await push(krId, token, { value: 33 })).statusCode).toBe(401);
    await api.call("PATCH", `/objectives/${objectiveId}`, { ownerIds: [mia.id] });
    await api.call("PATCH", `/key-results/${krId}`, { ownerIds: [mia.id] });
    expect((await push(krId, token, { value: 33 })).statusCode).toBe(201);
    const last = (await api.call("GET", `/users/${mia.id}`)).body;
    expect((await api.call("PATCH", `/users/${mia.id}`, { active: false, version: last.version })).status).toBe(200);
    const gone = await push(krId, token, { value: 34 });
    expect(gone.statusCode).toBe(401);
    expect(gone.json().error.message).toMatch(/no longer active/);
  });

  it("lets only those who may edit the key result manage its tokens", async () => {
    const olga = await f.user({ name: "Olga Other", email: "olga@data.example", role: "member" });
    const olgaToken = (await createTokenForEmail(api.database, "olga@data.example")).token;
    expect((await api.call("POST", `/key-results/${krId}/tokens`, { name: "x" }, as(olgaToken))).status).toBe(403);
    expect((await api.call("GET", `/key-results/${krId}/tokens`, undefined, as(olgaToken))).status).toBe(403);
    expect(olga.id).toBeTruthy();
    const noName = await api.call("POST", `/key-results/${krId}/tokens`, {});
    expect(noName.status).toBe(400);
    expect(noName.body.error.details.join()).toMatch(/name:/);
  });

  it("kills a key result's tokens with it: they stay dead after a restore from the trash", async () => {
    const kr = await f.keyResult(objectiveId, { title: "Short-lived" });
    const token = (await api.call("POST", `/key-results/${kr.id}/tokens`, { name: "t" })).body.token;
    expect((await push(kr.id, token, { value: 5 })).statusCode).toBe(201);
    expect((await api.call("DELETE", `/key-results/${kr.id}`)).status).toBe(204);
    expect((await push(kr.id, token, { value: 6 })).statusCode).toBe(401);
    expect((await api.call("POST", `/trash/${kr.id}/restore`)).status).toBeLessThan(300);
    expect((await api.call("GET", `/key-results/${kr.id}`)).status).toBe(200);
    expect((await push(kr.id, token, { value: 6 })).statusCode).toBe(401);
    const obj = await f.objective(periodId, { title: "Doomed" });
    const kr2 = await f.keyResult(obj.id, { title: "Inside" });
    const token2 = (await api.call("POST", `/key-results/${kr2.id}/tokens`, { name: "t2" })).body.token;
    expect((await api.call("DELETE", `/objectives/${obj.id}`)).status).toBe(204);
    expect((await api.call("POST", `/trash/${obj.id}/restore`)).status).toBeLessThan(300);
    expect((await api.call("GET", `/key-results/${kr2.id}`)).status).toBe(200);
    expect((await push(kr2.id, token2, { value: 6 })).statusCode).toBe(401);
  });

  it("validates a source with path: message details", async () => {
    const bad = await api.call("PATCH", `/key-results/${otherKrId}`, {
      source: { kind: "json", url: "ftp://x.example/a", path: "metrics" },
    });
    expect(bad.status).toBe(400);
    const details = bad.body.error.details.join("\n");
    expect(details).toMatch(/source\.url: must be an http:\/\/ or https:\/\/ URL/);
    expect(details).toMatch(/source\.path: must be a JSONPath starting with "\$"/);
    const cell = await api.call("PATCH", `/key-results/${otherKrId}`, {
      source: { kind: "csv", url: `${source.base}/metrics.csv`, cell: "3B" },
    });
    expect(cell.status).toBe(400);
    expect(cell.body.error.details.join()).toMatch(/source\.cell: must be a cell in A1 notation/);
    const kindless = await api.call("PATCH", `/key-results/${otherKrId}`, { source: { url: "https://x.example" } });
    expect(kindless.status).toBe(400);
    expect(kindless.body.error.details.join()).toMatch(/source/);
    const milestone = await f.keyResult(objectiveId, { title: "Launch", type: "milestone", start: null, target: null });
    const refused = await api.call("PATCH", `/key-results/${milestone.id}`, {
      source: { kind: "json", url: `${source.base}/metrics.json`, path: "$.metrics.signups" },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.join()).toMatch(/source: a milestone/);
    expect((await api.call("POST", `/key-results/${otherKrId}/sync`)).status).toBe(409);
  });

  it("pulls from JSON: a new value is a check-in, the same value records nothing", async () => {
    const set = await api.call("PATCH", `/key-results/${otherKrId}`, {
      source: { kind: "json", url: `${source.base}/metrics.json?key=s3cret`, path: "$.metrics.signups" },
    });
    expect(set.status).toBe(200);
    source.values.signups = 40;
    const first = await api.call("POST", `/key-results/${otherKrId}/sync`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ outcome: "recorded", value: 40, error: null });
    expect(first.body.checkInId).toEqual(expect.any(String));
    expect((await api.call("GET", `/key-results/${otherKrId}`)).body.current).toBe(40);
    const checkIns = async () => (await api.call("GET", `/key-results/${otherKrId}/check-ins`)).body.items;
    expect(await checkIns()).toHaveLength(1);
    const again = await api.call("POST", `/key-results/${otherKrId}/sync`);
    expect(again.body).toMatchObject({ outcome: "unchanged", value: 40, checkInId: null });
    expect(await checkIns()).toHaveLength(1);
    source.values.signups = "55.5";
    api.clock.now += 60_000;
    const moved = await api.call("POST", `/key-results/${otherKrId}/sync`);
    expect(moved.body).toMatchObject({ outcome: "recorded", value: 55.5 });
    const items = await checkIns();
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ value: 55.5, authorId: null });
    expect(items[0].note).toMatch(/Read from 127\.0\.0\.1/);
    // The data link: the full URL for those who may edit, no query string for others.
    const link = (await api.call("GET", `/key-results/${otherKrId}/data-link`)).body;
    expect(link).toMatchObject({ canEdit: true, source: { kind: "json", path: "$.metrics.signups" } });
    expect(link.source.url).toContain("key=s3cret");
    expect(link.state).toMatchObject({ lastValue: 55.5, error: null });
    const olgaToken = (await createTokenForEmail(api.database, "olga@data.example")).token;
    const seen = (await api.call("GET", `/key-results/${otherKrId}/data-link`, undefined, as(olgaToken))).body;
    expect(seen.canEdit).toBe(false);
    expect(seen.source.url).toBe(`${source.base}/metrics.json?…`);
    expect(JSON.stringify(seen)).not.toContain("s3cret");
  });

  it("shows a source's URL in the objective's history without its query string to all but admins", async () => {
    // The source set in the test above carries a key in its query string.
    const history = (headers: Record<string, string> = {}) =>
      api.call("GET", `/objectives/${objectiveId}/history?limit=500`, undefined, headers);
    const readers = [];
    for (const role of ["member", "observer"]) {
      await f.user({ name: `A ${role}`, email: `${role}-reader@data.example`, role });
      readers.push((await createTokenForEmail(api.database, `${role}-reader@data.example`)).token);
    }
    for (const token of readers) {
      const seen = await history(as(token));
      expect(seen.status).toBe(200);
      const text = JSON.stringify(seen.body);
      expect(text).not.toContain("s3cret");
      expect(text).toContain("/metrics.json?…");
    }
    expect(JSON.stringify((await history()).body)).toContain("metrics.json?key=s3cret");
  });

  it("pulls from a CSV cell", async () => {
    const kr = await f.keyResult(objectiveId, { title: "From CSV" });
    await api.call("PATCH", `/key-results/${kr.id}`, {
      source: { kind: "csv", url: `${source.base}/metrics.csv`, cell: "b3" },
    });
    const r = await api.call("POST", `/key-results/${kr.id}/sync`);
    expect(r.body).toMatchObject({ outcome: "recorded", value: 12.5 });
    expect((await api.call("GET", `/key-results/${kr.id}/data-link`)).body.source.cell).toBe("B3");
  });

  it("keeps the good data when a source fails, and shows the error", async () => {
    const kr = await f.keyResult(objectiveId, { title: "Flaky" });
    const setSource = (body: unknown) => api.call("PATCH", `/key-results/${kr.id}`, { source: body });
    await setSource({ kind: "json", url: `${source.base}/metrics.json`, path: "$.metrics.signups" });
    source.values.signups = 20;
    expect((await api.call("POST", `/key-results/${kr.id}/sync`)).body.outcome).toBe("recorded");
    const failures: [unknown, RegExp][] = [
      [{ kind: "json", url: `${source.base}/down`, path: "$.a" }, /answered HTTP 503/],
      [{ kind: "json", url: `${source.base}/broken`, path: "$.a" }, /not valid JSON/],
      [{ kind: "json", url: `${source.base}/metrics.json`, path: "$.metrics.nothing" }, /finds nothing/],
      [{ kind: "json", url: `${source.base}/metrics.json`, path: "$.metrics.list[*]" }, /finds 2 values/],
      [{ kind: "csv", url: `${source.base}/metrics.csv`, cell: "A3" }, /"signups", which is not a number/],
      [{ kind: "json", url: "http://127.0.0.1:9/closed", path: "$.a" }, /could not be reached/],
    ];
    for (const [body, message] of failures) {
      await setSource(body);
      // The state of the earlier source went with it; the last good value is the key result's own.
      const r = await api.call("POST", `/key-results/${kr.id}/sync`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ outcome: "failed", value: null, checkInId: null });
      expect(r.body.error).toMatch(message);
      expect((await api.call("GET", `/key-results/${kr.id}`)).body.current).toBe(20);
      expect((await api.call("GET", `/key-results/${kr.id}/data-link`)).body.state.error).toMatch(message);
    }
    // A failure after a good read keeps that value in the state too.
    await setSource({ kind: "json", url: `${source.base}/metrics.json`, path: "$.metrics.signups" });
    source.values.signups = 21;
    api.clock.now += 60_000;
    expect((await api.call("POST", `/key-results/${kr.id}/sync`)).body.outcome).toBe("recorded");
    source.values.signups = "n/a";
    const failed = await api.call("POST", `/key-results/${kr.id}/sync`);
    expect(failed.body.state).toMatchObject({ lastValue: 21, error: expect.stringMatching(/not a number/) });
    expect((await api.call("GET", `/key-results/${kr.id}`)).body.current).toBe(21);
    expect((await api.call("GET", `/key-results/${kr.id}/check-ins`)).body.items).toHaveLength(2);
  });

  it("refuses private addresses unless the instance allows them (no server-side request forgery)", async () => {
    const kr = await f.keyResult(objectiveId, { title: "Internal" });
    await api.call("PATCH", `/key-results/${kr.id}`, {
      source: { kind: "json", url: `${source.base}/metrics.json`, path: "$.metrics.signups" },
    });
    source.values.signups = 7;
    const hitsBefore = source.hits();
    const actor = await authenticate(api.database, ADMIN_TOKEN);
    const strict = { database: api.database, now: () => api.clock.now, emit: () => {}, allowPrivateUrls: false };
    const r = await syncKeyResultNow(strict, actor, kr.id);
    expect(r).toMatchObject({ outcome: "failed", value: null });
    expect(r.error).toMatch(/not a public one/);
    expect(source.hits()).toBe(hitsBefore);
    const allowed = await syncKeyResultNow({ ...strict, allowPrivateUrls: true }, actor, kr.id);
    expect(allowed).toMatchObject({ outcome: "recorded", value: 7 });
  });

  it("runs as the data-sync job: every data-linked key result, recorded, unchanged or failed", async () => {
    source.values.signups = 99;
    api.clock.now += 60_000;
    const down = await f.keyResult(objectiveId, { title: "Down" });
    await api.call("PATCH", `/key-results/${down.id}`, {
      source: { kind: "json", url: `${source.base}/down`, path: "$.a" },
    });
    const orgId = await orgIdOf(api);
    const svc = { database: api.database, now: () => api.clock.now, emit: () => {}, allowPrivateUrls: true };
    const force = () => ({ nowMs: api.clock.now, force: true });
    const summary = await runDataSync(svc, orgId, force());
    expect(summary.checked).toBeGreaterThanOrEqual(4);
    expect(summary.recorded).toBeGreaterThanOrEqual(1);
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    expect(summary.checked).toBe(summary.recorded + summary.unchanged + summary.failed);
    const second = await runDataSync(svc, orgId, force());
    expect(second.recorded).toBe(0);
    // As an admin runs it from the jobs page.
    const run = await api.call("POST", "/jobs/data-sync/run");
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ name: "data-sync", ok: true, summary: { recorded: 0 } });
    expect((await api.call("GET", "/jobs")).body.items.map((j: { name: string }) => j.name)).toContain("data-sync");
  });

  it("on schedule reads only what is due under the setting (hourly unless changed), and nothing when it is off", async () => {
    const orgId = await orgIdOf(api);
    const svc = { database: api.database, now: () => api.clock.now, emit: () => {}, allowPrivateUrls: true };
    const tick = () => runDataSync(svc, orgId, { nowMs: api.clock.now, force: false });
    expect((await api.call("GET", "/settings")).body.dataSyncMinutes).toBe(60);
    // Everything was just read by "run now": a tick 15 minutes later has nothing due.
    api.clock.now += 15 * 60_000;
    expect((await tick()).checked).toBe(0);
    // An hour after that read, every source is due once.
    api.clock.now += 45 * 60_000;
    const hourly = await tick();
    expect(hourly.checked).toBeGreaterThanOrEqual(4);
    expect((await tick()).checked).toBe(0);
    // Every 15 minutes: the next tick reads them all again.
    expect((await api.call("PATCH", "/settings", { dataSyncMinutes: 15 })).status).toBe(200);
    api.clock.now += 15 * 60_000;
    expect((await tick()).checked).toBe(hourly.checked);
    // Off: a tick reads nothing, however long it has been; "run now" still reads.
    expect((await api.call("PATCH", "/settings", { dataSyncMinutes: 0 })).status).toBe(200);
    api.clock.now += 7 * 24 * 3_600_000;
    expect((await tick()).checked).toBe(0);
    expect((await api.call("POST", "/jobs/data-sync/run")).body.summary.checked).toBe(hourly.checked);
    const bad = await api.call("PATCH", "/settings", { dataSyncMinutes: 30 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/dataSyncMinutes: must be 15, 60, 360 or 1440/);
    await api.call("PATCH", "/settings", { dataSyncMinutes: 60 });
  });
});
