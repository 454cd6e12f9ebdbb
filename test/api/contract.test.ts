/**
 * The one contract (src/contract): every route declares the shape of its answer, the app checks
 * each answer against it, and the OpenAPI document is generated from the same shapes.
 */
import Fastify from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { PeriodShape } from "../../src/contract/index.js";
import { checkAnswers, defaultResponseCheck } from "../../src/http/contract.js";
import { handleError } from "../../src/http/errors.js";
import { apiRoutes } from "../../src/http/routes.js";
import { type ApiHarness, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

const period = {
  id: "9d1c1b8e-0000-4000-8000-000000000001",
  name: "Q1 2026",
  kind: "quarter",
  startDate: "2026-01-01",
  endDate: "2026-03-31",
  parentId: null,
  closedAt: null,
  version: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

/** A bare Fastify app with the contract check and one route answering `answer`. */
async function appAnswering(answer: unknown, mode: "fail" | "log", logged: unknown[] = []) {
  const app = Fastify({
    logger: {
      level: "error",
      stream: { write: (line: string) => logged.push(JSON.parse(line)) },
    },
  });
  app.setErrorHandler(handleError);
  checkAnswers(app, mode);
  app.get(
    "/api/v1/periods/:id",
    { config: { permission: "read", contract: PeriodShape, contractStatus: 200 } },
    async () => answer,
  );
  await app.ready();
  return app;
}

describe("the route table", () => {
  it("gives every route a response shape, unless it answers no JSON body (204 or a file)", () => {
    const missing = apiRoutes
      .filter((r) => r.response === null && r.status !== 204 && !r.raw)
      .map((r) => `${r.method} ${r.url}`);
    expect(missing, "routes without a response shape").toEqual([]);
    const bodyOn204 = apiRoutes.filter((r) => r.status === 204 && r.response !== null).map((r) => r.url);
    expect(bodyOn204).toEqual([]);
    expect(apiRoutes.length).toBeGreaterThan(60);
  });

  it("refuses to build an app with an /api/v1 route that declares no answer", async () => {
    const app = Fastify();
    checkAnswers(app, "fail");
    expect(() => app.get("/api/v1/loose", { config: { permission: "read" } }, async () => ({}))).toThrow(
      /GET \/api\/v1\/loose declares no response contract: add config\.contract/,
    );
    await app.close();
  });
});

describe("checking answers", () => {
  it("fails under test and in development, logs in production, unless OKRA_RESPONSE_CHECK says otherwise", () => {
    expect(defaultResponseCheck({ NODE_ENV: "test" })).toBe("fail");
    expect(defaultResponseCheck({ NODE_ENV: "development" })).toBe("fail");
    expect(defaultResponseCheck({ NODE_ENV: "production" })).toBe("log");
    expect(defaultResponseCheck({})).toBe("log");
    expect(defaultResponseCheck({ NODE_ENV: "test", OKRA_RESPONSE_CHECK: "off" })).toBe("off");
    expect(defaultResponseCheck({ NODE_ENV: "production", OKRA_RESPONSE_CHECK: "fail" })).toBe("fail");
    expect(defaultResponseCheck({ NODE_ENV: "production", OKRA_RESPONSE_CHECK: "loud" })).toBe("log");
  });

  it("sends an answer that matches its shape unchanged", async () => {
    const app = await appAnswering(period, "fail");
    const res = await app.inject({ url: "/api/v1/periods/x" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(period);
    await app.close();
  });

  it("fails a renamed, a missing and an undeclared field with the route and each path", async () => {
    const { closedAt, ...rest } = period;
    const app = await appAnswering({ ...rest, closedOn: closedAt, version: "1" }, "fail");
    const res = await app.inject({ url: "/api/v1/periods/x" });
    expect(res.statusCode).toBe(500);
    const err = res.json().error;
    expect(err.code).toBe("INTERNAL");
    expect(err.message).toContain("The answer of GET /api/v1/periods/:id (200) does not match its declared shape");
    expect(err.details.contract.problems).toEqual([
      expect.stringMatching(/^body\.closedAt: /),
      expect.stringMatching(/^body\.version: .*number/),
      'body: Unrecognized key: "closedOn"',
    ]);
    await app.close();
  });

  it("names the path inside nested lists", async () => {
    const shape = z.strictObject({ items: z.array(PeriodShape), nextCursor: z.string().nullable() });
    const app = Fastify();
    app.setErrorHandler(handleError);
    checkAnswers(app, "fail");
    app.get("/api/v1/periods", { config: { contract: shape } }, async () => ({
      items: [period, { ...period, kind: "month" }],
      nextCursor: null,
    }));
    const res = await app.inject({ url: "/api/v1/periods" });
    expect(res.json().error.details.contract.problems).toEqual([expect.stringMatching(/^body\.items\.1\.kind: /)]);
    await app.close();
  });

  it("in production (log) sends the answer as it is and logs the mismatch", async () => {
    const logged: { msg?: string; route?: string; problems?: string[] }[] = [];
    const app = await appAnswering({ ...period, extra: true }, "log", logged);
    const res = await app.inject({ url: "/api/v1/periods/x" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ...period, extra: true });
    expect(logged).toEqual([
      expect.objectContaining({
        msg: "an answer does not match the API contract",
        route: "GET /api/v1/periods/:id",
        problems: ['body: Unrecognized key: "extra"'],
      }),
    ]);
    await app.close();
  });

  it("checks the status a route declares, and error bodies against the error shape", async () => {
    const app = Fastify();
    app.setErrorHandler(handleError);
    checkAnswers(app, "fail");
    app.post("/api/v1/periods", { config: { contract: PeriodShape, contractStatus: 201 } }, async () => period);
    app.get("/api/v1/broken", { config: { contract: null } }, async (_req, reply) =>
      reply.status(404).send({ error: { code: "GONE", message: "no" } }),
    );
    const created = await app.inject({ method: "POST", url: "/api/v1/periods" });
    expect(created.json().error.details.contract.problems).toEqual(["status: answered 200, the route declares 201"]);
    const broken = await app.inject({ url: "/api/v1/broken" });
    expect(broken.statusCode).toBe(500);
    expect(broken.json().error.message).toContain("does not match the error shape");
    expect(broken.json().error.details.contract.problems).toEqual([
      expect.stringMatching(/^body\.error\.code: /),
      expect.stringMatching(/^body\.error\.details: /),
    ]);
    await app.close();
  });
});

describe.each(DATABASE_KINDS)("the OpenAPI document on %s", (kind) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(() => api.close());

  it("is generated from the same shapes: every route's answer is documented, the tree node as a component", async () => {
    const res = await api.app.inject({ url: "/api/v1/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    const undocumented: string[] = [];
    for (const r of apiRoutes) {
      const path = `/api/v1${r.url.replace(/:(\w+)/g, "{$1}")}`;
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      const status = String(r.status ?? 200);
      const answer = op?.responses?.[status];
      const documented = r.response ? answer?.content?.["application/json"]?.schema : answer;
      if (!documented) undocumented.push(`${r.method} ${r.url} (${status})`);
    }
    expect(undocumented).toEqual([]);
    const objective = doc.paths["/api/v1/objectives/{id}"].get.responses["200"].content["application/json"].schema;
    expect(Object.keys(objective.properties)).toEqual(expect.arrayContaining(["keyResults", "closing", "createdAt"]));
    expect(objective.additionalProperties).toBe(false);
    expect(doc.components.schemas.TreeNode.properties.children.items).toEqual({
      $ref: "#/components/schemas/TreeNode",
    });
    const login = doc.paths["/api/v1/auth/login"].post.responses["200"].content["application/json"].schema;
    expect(login.required).toEqual(expect.arrayContaining(["user", "csrfToken"]));
    expect((await api.app.inject({ url: "/api/docs/json" })).statusCode).toBe(200);
  });
});
