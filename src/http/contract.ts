/**
 * The response contract at the edge: each /api/v1 route declares the zod shape of its answer
 * (src/contract), which becomes its OpenAPI response schema, and every answer is checked
 * against it before it is sent (`checkAnswers`).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ErrorShape } from "../contract/index.js";
import { AppError } from "../domain/errors.js";

/**
 * What a route's config says about its answer: the shape of its body at `status` (`null`: no
 * JSON body — 204, a file, a redirect, a stream).
 */
export interface RouteContract {
  contract: z.ZodType | null;
  contractStatus?: number;
}

/**
 * How answers are checked. `fail`: a mismatch answers 500 INTERNAL naming the route and where
 * the body differs (tests and development). `log`: the mismatch is logged and the answer sent
 * unchanged (production). `off`: not checked.
 */
export type ResponseCheck = "fail" | "log" | "off";

/** `OKRA_RESPONSE_CHECK`, else `fail` under test or in development and `log` otherwise. */
export function defaultResponseCheck(env: NodeJS.ProcessEnv = process.env): ResponseCheck {
  const chosen = env.OKRA_RESPONSE_CHECK;
  if (chosen === "fail" || chosen === "log" || chosen === "off") return chosen;
  return env.NODE_ENV === "test" || env.NODE_ENV === "development" || env.VITEST ? "fail" : "log";
}

/** Named shapes (`.meta({ id })`, the recursive tree node) go to the OpenAPI components, once. */
const components: Record<string, unknown> = {};
const COMPONENT_REF = "#/components/schemas/";

/** A zod shape as the JSON Schema of the OpenAPI document (named parts referenced as components). */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Record<string, unknown> {
  const raw = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });
  // Local references (#/$defs/X) would point into the OpenAPI document's root: make them components.
  const out = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', `"${COMPONENT_REF}`)) as Record<string, unknown>;
  delete out.$schema;
  const defs = out.$defs as Record<string, unknown> | undefined;
  if (defs) {
    for (const [id, def] of Object.entries(defs)) components[id] = def;
    delete out.$defs;
  }
  return out;
}

/** The components the route schemas refer to, for the OpenAPI document. */
export function contractComponents(): Record<string, unknown> {
  return { ...components };
}

/** Every way `body` differs from `shape`, as "path: message" (empty when it matches). */
export function mismatches(shape: z.ZodType, body: unknown): string[] {
  const parsed = shape.safeParse(body);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const path = ["body", ...issue.path.map(String)].join(".");
    return `${path}: ${issue.message}`;
  });
}

const isContract = (config: unknown): config is RouteContract =>
  typeof config === "object" && config !== null && "contract" in config;

/**
 * Refuses to register an /api/v1 route without a declared answer, and checks every answer
 * against the declaration: a success body against the route's shape (and its status), an error
 * body against the error shape.
 */
export function checkAnswers(app: FastifyInstance, mode: ResponseCheck): void {
  app.addHook("onRoute", (route) => {
    const url = route.url ?? route.path;
    if (!url.startsWith("/api/v1/")) return;
    if (!isContract(route.config) || route.config.contract === undefined) {
      throw new Error(
        `Route ${String(route.method)} ${url} declares no response contract: add config.contract (a zod shape from src/contract/api-shapes.ts, or null when it answers no JSON body).`,
      );
    }
  });
  if (mode === "off") return;
  app.addHook("preSerialization", async (req, reply, payload) => {
    const config = req.routeOptions.config as unknown;
    const declared = isContract(config) ? config : null;
    const status = reply.statusCode;
    let problems: string[];
    let shapeName: string;
    if (status >= 400) {
      if (!declared && !req.url.startsWith("/api/v1/")) return payload;
      problems = mismatches(ErrorShape, payload);
      shapeName = "the error shape";
    } else {
      if (!declared) return payload;
      const expected = declared.contractStatus ?? 200;
      if (declared.contract === null) {
        problems = [`body: the route declares no JSON body at ${expected}, but answered one`];
      } else {
        problems = mismatches(declared.contract, payload);
      }
      if (status !== expected) problems.unshift(`status: answered ${status}, the route declares ${expected}`);
      shapeName = "its declared shape";
    }
    if (problems.length === 0) return payload;
    const route = `${req.method} ${req.routeOptions.url ?? req.url}`;
    const shown = problems.slice(0, 10).join("; ") + (problems.length > 10 ? `; and ${problems.length - 10} more` : "");
    const message = `The answer of ${route} (${status}) does not match ${shapeName}: ${shown}`;
    req.log.error({ route, status, problems }, "an answer does not match the API contract");
    if (mode === "log" || status >= 500) return payload;
    throw new AppError("INTERNAL", message, { contract: { route, status, problems } });
  });
}
