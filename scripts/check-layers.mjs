// The layer rule of house-style.md: imports point down only.
//   domain → nothing (only zod; no node: modules)   db → domain   services → domain, db, contract
//   http → services, domain, db (db for types only)  jobs, integrations → services, domain, db
//   cli → http, services, domain, db, integrations, jobs   web → domain, contract (+ its own
//   files, its API client included)   nothing imports web
//   contract (the API's response shapes, shared by the server and the web app) → domain (only zod)
// Reads every .ts/.tsx under src/ with the TypeScript parser (static imports, `export … from`,
// dynamic `import("…")`, `import x = require("…")`, `import("…").T` types), prints every
// violation with where the code belongs, and exits 1 when there is one.
//   node scripts/check-layers.mjs [repo-root]     check (default: this repo)
//   node scripts/check-layers.mjs --self-test     only the built-in self-test
// The self-test (a few in-memory files with known violations) also runs before every check,
// so a broken checker cannot pass silently.
//
// And the rule of house-style.md's "SQL lives in repositories, every query scoped by organisation":
//   1. No SQL in services or http (test files aside). Their value imports from drizzle-orm are
//      limited to `eq` and `inArray`, the conditions a repository's `list(ex, scope, where)`
//      takes (the repository adds the organisation); `sql`, `and`, `or`, `desc`, … build queries,
//      which belong in src/db. Nor may they run a query: no `.select/.insert/.update/.delete/
//      .execute/.transaction` on an executor (a receiver named tx, ex, db or executor, or ending
//      in .tx/.ex/.db), no `X.query.<table>` relational query, and no builder-only call
//      (`.innerJoin`, `.leftJoin`, `.returning`, `.onConflictDoNothing`, `.onConflictDoUpdate`).
//   2. In src/db, every select, update and delete on a table with an `orgId` column (read from
//      schema.ts) has a WHERE that mentions `orgId` (or passes the `scope` on to a helper that
//      does), and every literal raw statement (`ex.execute(sql`…`)`) that reads or writes such a
//      table mentions `org_id`. A query that legitimately spans organisations (sign-in by a
//      secret, discovery by email domain, the instance's bootstrap) carries a comment
//      `// unscoped: <why>` just before its statement. Raw statements assembled from pieces
//      (list-queries.ts) cannot be read this way: keep `org_id` in the fragment that names the table.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const LAYERS = ["domain", "contract", "db", "services", "http", "jobs", "integrations", "cli", "web"];
/** Which layers each layer may import (besides itself). Nothing may import web. */
const ALLOWED = {
  domain: [],
  contract: ["domain"],
  db: ["domain"],
  services: ["domain", "db", "contract"],
  http: ["services", "domain", "db", "contract"],
  jobs: ["services", "domain", "db"],
  integrations: ["services", "domain", "db"],
  cli: ["http", "services", "domain", "db", "integrations", "jobs", "contract"],
  web: ["domain", "contract"],
};
/** Imports allowed only as `import type` / `export type` (they vanish from the built code). */
const TYPES_ONLY = { http: ["db"] };
/** Packages a layer may import, where it is restricted; tests may also use the test tools. */
const PACKAGES = {
  domain: { allowed: ["zod"], inTests: ["zod", "vitest", "fast-check"] },
  contract: { allowed: ["zod"], inTests: ["zod", "vitest"] },
};
/** Packages a layer must not import, where the house style says so (a trailing / is a scope). */
const FORBIDDEN_PACKAGES = {
  services: ["fastify", "@fastify/"],
};

/** Where the code belongs, for `from` importing `to` (a layer, or "package" / "types"). */
function advice(from, to) {
  if (to === "web") return "move the code to domain if others share it (nothing imports web)";
  if (to === "types") return "move the code to a service and call it, or import only types (`import type`)";
  if (to === "package" && (from === "domain" || from === "contract")) {
    return "move the code to db, services or integrations and pass its result into domain as a parameter";
  }
  if (to === "package") return "move the code to src/http (services are framework-free: no HTTP types)";
  switch (from) {
    case "domain":
      return "move the code to the layer that needs it (domain is pure: pass the data in as parameters)";
    case "contract":
      return "keep the contract to zod shapes built from domain types; presenting rows belongs to services";
    case "db":
      return "move the code to db (storage), domain (pure rules) or services (use cases, which call db)";
    case "services":
      return "move the code to services or domain (services return data; http, cli and jobs present it)";
    case "http":
      return "move the code to a service and call it from the route";
    case "jobs":
    case "integrations":
      return "move the code to services (or domain) and call it from here";
    case "cli":
      return "move the code to services and call it from the command";
    case "web":
      return "move the code to domain if it is pure, or reach the server through the API client in src/web/lib";
    default:
      return "move the code to the right layer (see ARCHITECTURE.md)";
  }
}

/** Value imports services and http may take from drizzle-orm: the conditions of `repo.list(…, where)`. */
const DRIZZLE_FILTERS = ["eq", "inArray"];
/** Methods that run a query when called on an executor (a database or a transaction). */
const EXECUTOR_METHODS = [
  "select",
  "selectDistinct",
  "selectDistinctOn",
  "insert",
  "update",
  "delete",
  "execute",
  "transaction",
];
/** Methods only a query builder has. */
const BUILDER_METHODS = [
  "innerJoin",
  "leftJoin",
  "rightJoin",
  "fullJoin",
  "returning",
  "onConflictDoNothing",
  "onConflictDoUpdate",
];
/** What an executor is called in this code base. */
const EXECUTOR_NAME = /(^|\.)(tx|ex|db|executor)$/;
/** Generic helpers whose table variable is always an org-scoped table (by their type). */
const SCOPED_GENERICS = { "src/db/table-repository.ts": ["t"] };
const UNSCOPED_MARK = "unscoped:";
const SQL_ADVICE =
  "move the query into src/db (a named function taking (ex, scope, …) in repositories.ts or a *-queries.ts module) and call it";

const isTestFile = (file) => /\.test\.[cm]?tsx?$/.test(file);
const packageName = (spec) => (spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);

/**
 * Every module a file imports: { spec, typeOnly }. typeOnly means the import is erased from the
 * built code (`import type`, `export type`, `import("…").T` in a type position).
 */
function importsOf(file, text) {
  const kind = file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, kind);
  const found = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, typeOnly: Boolean(node.importClause?.isTypeOnly) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push({ spec: node.moduleReference.expression.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, typeOnly: false });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      found.push({ spec: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file an import points at, for messages: `./x.js` → `x.ts` when that is what exists. */
function targetFile(path, exists) {
  const candidates = [path];
  const stem = path.replace(/\.(js|jsx|mjs|cjs)$/, "");
  for (const ext of [".ts", ".tsx", ".mts", ".cts"]) candidates.push(stem + ext);
  for (const ext of [".ts", ".tsx"]) candidates.push(join(path, `index${ext}`));
  return candidates.find(exists) ?? path;
}

/**
 * Checks files against the layer rule. `files` maps absolute paths under `src` to their text;
 * `exists` tells whether a path exists (for naming the imported file). Returns violation lines.
 */
export function checkLayers(root, files, exists) {
  const src = join(root, "src");
  const show = (path) => relative(root, path).split(sep).join("/");
  const layerOf = (path) => {
    const parts = relative(src, path).split(sep);
    return parts.length > 1 ? parts[0] : null;
  };
  const violations = [];
  for (const [file, text] of files) {
    const layer = layerOf(file);
    if (!layer || !LAYERS.includes(layer)) {
      violations.push(
        `${show(file)}: is in no layer — move the code to one of src/${LAYERS.join(", src/")} (see ARCHITECTURE.md)`,
      );
      continue;
    }
    for (const { spec, typeOnly } of importsOf(file, text)) {
      if (spec.startsWith(".") || spec.startsWith("/")) {
        const target = resolve(dirname(file), spec);
        const rel = relative(src, target);
        if (rel.startsWith("..") || rel === "") continue; // outside src/: not a layer
        const to = layerOf(target) ?? rel;
        if (to === layer) continue;
        const shown = show(targetFile(target, exists));
        if (!ALLOWED[layer].includes(to)) {
          violations.push(`${show(file)}: imports ${shown} — ${layer} may not import ${to}; ${advice(layer, to)}`);
        } else if (TYPES_ONLY[layer]?.includes(to) && !typeOnly) {
          violations.push(
            `${show(file)}: imports ${shown} — ${layer} may import ${to} for types only; ${advice(layer, "types")}`,
          );
        }
        continue;
      }
      const name = spec.startsWith("node:") ? spec : packageName(spec);
      const restricted = PACKAGES[layer];
      if (restricted && !(isTestFile(file) ? restricted.inTests : restricted.allowed).includes(name)) {
        violations.push(
          `${show(file)}: imports ${spec} — ${layer} may not import ${name} (only ${restricted.allowed.join(", ")}); ${advice(layer, "package")}`,
        );
      }
      const forbidden = FORBIDDEN_PACKAGES[layer];
      if (forbidden?.some((p) => (p.endsWith("/") ? name.startsWith(p) : name === p))) {
        violations.push(
          `${show(file)}: imports ${spec} — ${layer} may not import ${name}; ${advice(layer, "package")}`,
        );
      }
    }
    if ((layer === "services" || layer === "http") && !isTestFile(file)) {
      for (const v of sqlOutsideDb(file, text)) violations.push(`${show(file)}:${v}`);
    }
  }
  const schemaFile = [...files.keys()].find((f) => show(f) === "src/db/schema.ts");
  if (schemaFile) {
    const tables = orgScopedTables(schemaFile, files.get(schemaFile));
    for (const [file, text] of files) {
      if (layerOf(file) !== "db" || isTestFile(file) || file === schemaFile) continue;
      for (const v of unscopedQueries(file, text, tables, SCOPED_GENERICS[show(file)] ?? [])) {
        violations.push(`${show(file)}:${v}`);
      }
    }
  }
  return violations;
}

const parse = (file, text) =>
  ts.createSourceFile(
    file,
    text,
    ts.ScriptTarget.Latest,
    true,
    file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS,
  );
const lineOf = (source, node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;

/** Rule 1: SQL outside src/db (drizzle-orm query builders imported, or a query run). */
function sqlOutsideDb(file, text) {
  const source = parse(file, text);
  const found = [];
  const visit = (node) => {
    if (
      ts.isImportDeclaration(node) &&
      ts.isStringLiteral(node.moduleSpecifier) &&
      (node.moduleSpecifier.text === "drizzle-orm" || node.moduleSpecifier.text.startsWith("drizzle-orm/")) &&
      !node.importClause?.isTypeOnly
    ) {
      const clause = node.importClause;
      const names = [];
      if (clause?.name) names.push(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.push(`* as ${bindings.name.text}`);
      if (bindings && ts.isNamedImports(bindings)) {
        for (const el of bindings.elements) if (!el.isTypeOnly) names.push((el.propertyName ?? el.name).text);
      }
      const bad = names.filter((n) => node.moduleSpecifier.text !== "drizzle-orm" || !DRIZZLE_FILTERS.includes(n));
      if (bad.length) {
        found.push(
          `${lineOf(source, node)}: imports ${bad.join(", ")} from ${node.moduleSpecifier.text} — only ${DRIZZLE_FILTERS.join(" and ")} (a repository's list filter) may be used outside src/db; ${SQL_ADVICE}`,
        );
      }
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression.getText(source);
      if ((EXECUTOR_METHODS.includes(method) && EXECUTOR_NAME.test(receiver)) || BUILDER_METHODS.includes(method)) {
        found.push(`${lineOf(source, node)}: runs a query (.${method}) — ${SQL_ADVICE}`);
      }
    }
    if (
      ts.isPropertyAccessExpression(node) &&
      node.name.text === "query" &&
      EXECUTOR_NAME.test(node.expression.getText(source)) &&
      ts.isPropertyAccessExpression(node.parent)
    ) {
      found.push(`${lineOf(source, node)}: runs a relational query (.query) — ${SQL_ADVICE}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The tables of schema.ts with an `orgId` column: their variable name → their SQL name. */
function orgScopedTables(file, text) {
  const source = parse(file, text);
  const tables = new Map();
  const visit = (node) => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      ts.isCallExpression(node.initializer) &&
      node.initializer.expression.getText(source) === "pgTable"
    ) {
      const [sqlName, columns] = node.initializer.arguments;
      if (
        columns &&
        ts.isObjectLiteralExpression(columns) &&
        columns.properties.some((p) => p.name && p.name.getText(source) === "orgId")
      ) {
        tables.set(node.name.text, sqlName && ts.isStringLiteral(sqlName) ? sqlName.text : node.name.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return tables;
}

/** Rule 2: selects, updates and deletes on org-scoped tables whose WHERE does not name the organisation. */
function unscopedQueries(file, text, tables, generics) {
  const source = parse(file, text);
  const found = [];
  // Local names for tables: `const u = s.users`, `alias(s.users, "x")`, `a ? s.objectives : s.keyResults`.
  const locals = new Map();
  const resolve = (expr, depth = 0) => {
    if (!expr || depth > 5) return false;
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isNonNullExpression(expr)) {
      return resolve(expr.expression, depth + 1);
    }
    if (ts.isPropertyAccessExpression(expr)) return tables.has(expr.name.text);
    if (ts.isIdentifier(expr)) {
      if (generics.includes(expr.text)) return true;
      if (locals.has(expr.text)) return resolve(locals.get(expr.text), depth + 1);
      return tables.has(expr.text);
    }
    if (ts.isConditionalExpression(expr))
      return resolve(expr.whenTrue, depth + 1) || resolve(expr.whenFalse, depth + 1);
    if (ts.isCallExpression(expr) && expr.expression.getText(source) === "alias")
      return resolve(expr.arguments[0], depth + 1);
    return false;
  };
  const collect = (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      locals.set(node.name.text, node.initializer);
    }
    ts.forEachChild(node, collect);
  };
  collect(source);
  const marked = (node) => {
    let n = node;
    while (n && !ts.isSourceFile(n)) {
      const leading = text.slice(n.getFullStart(), n.getStart(source));
      if (leading.includes(UNSCOPED_MARK)) return true;
      if (ts.isStatement(n) || ts.isPropertyAssignment(n) || ts.isMethodDeclaration(n)) {
        // The statement itself, comments inside it included (e.g. just before the builder chain).
        return n.getText(source).includes(UNSCOPED_MARK);
      }
      n = n.parent;
    }
    return false;
  };
  const scoped = (whereText) => /orgId|\bscope\b/.test(whereText);
  const visit = (node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const verb = method === "from" ? "select" : method;
      if (["from", "update", "delete"].includes(method) && resolve(node.arguments[0])) {
        // The whole builder chain this call is part of: `ex.select().from(t).where(…).limit(1)`.
        let top = node;
        while (
          (ts.isPropertyAccessExpression(top.parent) && top.parent.expression === top) ||
          (ts.isCallExpression(top.parent) && top.parent.expression === top)
        ) {
          top = top.parent;
        }
        const wheres = [];
        const findWhere = (n) => {
          if (
            ts.isCallExpression(n) &&
            ts.isPropertyAccessExpression(n.expression) &&
            n.expression.name.text === "where"
          ) {
            wheres.push(n.arguments.map((a) => a.getText(source)).join(", "));
          }
          if (ts.isCallExpression(n) || ts.isPropertyAccessExpression(n)) ts.forEachChild(n, findWhere);
        };
        findWhere(top);
        if (!wheres.some(scoped) && !marked(node)) {
          found.push(
            `${lineOf(source, node)}: ${verb} on ${node.arguments[0].getText(source)} without the organisation in its WHERE — filter by orgId (eq(table.orgId, scope.orgId)), or say why not in a "// ${UNSCOPED_MARK} …" comment`,
          );
        }
      }
      if (method === "execute") {
        const arg = node.arguments[0];
        if (arg && ts.isTaggedTemplateExpression(arg) && arg.tag.getText(source) === "sql") {
          const raw = arg.template.getText(source);
          const names = [...tables.values()];
          const touches = names.find((n) => new RegExp(`\\b(from|update|join|into)\\s+${n}\\b`, "i").test(raw));
          if (touches && !/org_id|orgId/.test(raw) && !marked(node)) {
            found.push(
              `${lineOf(source, node)}: a raw statement on ${touches} without org_id — filter by the organisation, or say why not in a "// ${UNSCOPED_MARK} …" comment`,
            );
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (/\.[cm]?tsx?$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** In-memory files with known violations: the checker must find exactly these. */
function selfTest() {
  const root = "/layer-self-test";
  const f = (path, text) => [join(root, "src", path), text];
  const files = new Map([
    f(
      "domain/good.ts",
      'import { z } from "zod";\nimport { other } from "./other.js";\n// import { x } from "../db/x.js";',
    ),
    f("domain/other.ts", "const s = \"import { y } from '../web/y.js'\";\nexport const other = s;"),
    f("domain/bad.ts", 'import fs from "node:fs";\nimport { repo } from "../db/repo.js";'),
    f("domain/good.test.ts", 'import { it } from "vitest";\nimport fc from "fast-check";'),
    f("db/repo.ts", 'import type { T } from "../domain/types.js";\nexport * from "../services/s.js";'),
    f("services/s.ts", 'import type { FastifyInstance } from "fastify";\nconst m = await import("../web/app.js");'),
    f("http/routes.ts", 'import type { Db } from "../db/database.js";\nimport { okr } from "../services/okr.js";'),
    f("http/app.ts", 'import { openDatabase } from "../db/database.js";'),
    f(
      "web/page.tsx",
      'import { api } from "./lib/api.js";\nimport type { X } from "../domain/types.js";\nexport type Y = import("../services/s.js").Z;',
    ),
    f(
      "contract/shapes.ts",
      'import { z } from "zod";\nimport { KR_TYPES } from "../domain/types.js";\nimport { x } from "../services/s.js";',
    ),
    f("cli/main.ts", 'import { buildApp } from "../http/app.js";\nimport { job } from "../jobs/reminders.js";'),
    f("jobs/reminders.ts", 'import x = require("../cli/main.js");'),
    f("stray.ts", "export const x = 1;"),
    f(
      "services/query.ts",
      'import { eq, sql } from "drizzle-orm";\nimport type { SQL } from "drizzle-orm";\nexport const f = (w) => w.tx.select().from(t).where(eq(t.id, 1));\nexport const g = (ex) => ex.query.users.findMany();\nexport const h = (ids) => Array.from(ids).map((x) => new Set([x]).delete(x));',
    ),
    f(
      "db/schema.ts",
      'export const users = pgTable("users", { id: id(), orgId: orgId() });\nexport const organizations = pgTable("organizations", { id: id() });',
    ),
    f(
      "db/queries.ts",
      [
        "export const byIdOnly = (ex, id) => ex.select().from(s.users).where(eq(s.users.id, id));",
        "export const scoped = (ex, scope, id) => ex.update(s.users).set({}).where(and(eq(s.users.orgId, scope.orgId), eq(s.users.id, id)));",
        "export const orgs = (ex) => ex.select().from(s.organizations);",
        "export const marked = (ex, h) => {\n  // unscoped: sign-in by a secret\n  return ex.select().from(s.users).where(eq(s.users.email, h));\n};",
        'export const u = s.users;\nexport const viaLocal = (ex) => ex.delete(u).where(eq(u.id, "x"));',
        "export const raw = (ex) => ex.execute(sql`delete from users where id = 1`);",
      ].join("\n"),
    ),
  ]);
  const exists = (path) => files.has(path);
  const got = checkLayers(root, files, exists);
  const expected = [
    "src/domain/bad.ts: imports node:fs — domain may not import node:fs",
    "src/domain/bad.ts: imports src/db/repo.ts — domain may not import db",
    "src/db/repo.ts: imports src/services/s.ts — db may not import services",
    "src/services/s.ts: imports fastify — services may not import fastify",
    "src/services/s.ts: imports src/web/app.js — services may not import web; move the code to domain if others",
    "src/http/app.ts: imports src/db/database.js — http may import db for types only",
    "src/web/page.tsx: imports src/services/s.ts — web may not import services",
    "src/contract/shapes.ts: imports src/services/s.ts — contract may not import services",
    "src/jobs/reminders.ts: imports src/cli/main.ts — jobs may not import cli",
    "src/stray.ts: is in no layer",
    "src/services/query.ts:1: imports sql from drizzle-orm",
    "src/services/query.ts:3: runs a query (.select)",
    "src/services/query.ts:4: runs a relational query (.query)",
    "src/db/queries.ts:1: select on s.users without the organisation",
    "src/db/queries.ts:9: delete on u without the organisation",
    "src/db/queries.ts:10: a raw statement on users without org_id",
  ];
  const missing = expected.filter((line) => !got.some((v) => v.startsWith(line)));
  const unexpected = got.filter((v) => !expected.some((line) => v.startsWith(line)));
  if (missing.length || unexpected.length) {
    console.error("layer rule self-test failed: the checker itself is broken");
    for (const line of missing) console.error(`  not reported: ${line}`);
    for (const line of unexpected) console.error(`  reported by mistake: ${line}`);
    process.exit(2);
  }
  return expected.length;
}

const args = process.argv.slice(2);
const selfTested = selfTest();
if (args.includes("--self-test")) {
  console.log(`layer rule self-test: ${selfTested} planted violations found, no false ones`);
  process.exit(0);
}

const ROOT = args[0] ? resolve(args[0]) : resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");
const paths = existsSync(SRC) ? walk(SRC) : [];
const violations = checkLayers(ROOT, new Map(paths.map((path) => [path, readFileSync(path, "utf8")])), existsSync);
for (const line of violations) console.error(line);
if (paths.length === 0) {
  console.error(`layer rule: no .ts/.tsx files under ${SRC}`);
  process.exit(1);
}
const files = new Set(violations.map((line) => line.split(": ")[0])).size;
if (violations.length > 0) {
  console.error(`layer rule: ${paths.length} files checked, ${violations.length} violations in ${files} files`);
  process.exit(1);
}
console.log(`layer rule: ${paths.length} files checked, 0 violations`);
