// The layer rule of house-style.md: imports point down only.
//   domain → (nothing but zod)   db → domain   services → domain, db
//   http → services, domain, db  jobs, integrations → services, domain, db
//   cli → http, services, domain, db, integrations, jobs   web → domain (+ its own files)
// Prints every violation with where the code belongs, and exits 1 when there is one.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(process.argv[2] ? resolve(process.argv[2]) : ROOT, "src");

const ALLOWED = {
  domain: [],
  db: ["domain"],
  services: ["domain", "db"],
  http: ["services", "domain", "db"],
  jobs: ["services", "domain", "db"],
  integrations: ["services", "domain", "db"],
  cli: ["http", "services", "domain", "db", "integrations", "jobs"],
  web: ["domain"],
};
const ADVICE = {
  domain: "keep domain pure: pass the data in as parameters",
  db: "move the logic into services, or the pure rule into domain",
  services: "services must not know HTTP or the CLI: return data and let the caller present it",
  http: "put the logic in a service and call it from the route",
  jobs: "call a service instead",
  integrations: "call a service instead",
  cli: "call a service or the HTTP API instead",
  web: "the web app talks to the server over the API; share only pure domain code",
};
/** Bare packages a layer may not import (domain stays free of I/O and frameworks). */
const FORBIDDEN_PACKAGES = {
  domain: (spec) => spec !== "zod" && !spec.startsWith("zod/"),
};

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const layerOf = (file) => relative(SRC, file).split(sep)[0];
const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[\s;(=])import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s+["']([^"']+)["']/gm;

const files = walk(SRC);
const violations = [];
for (const file of files) {
  const layer = layerOf(file);
  if (!(layer in ALLOWED)) continue;
  const text = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, "$1");
  for (const m of text.matchAll(IMPORT_RE)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    const rel = relative(ROOT, file);
    if (spec.startsWith(".")) {
      const target = resolve(dirname(file), spec);
      const targetLayer = relative(SRC, target).split(sep)[0];
      if (targetLayer === layer || targetLayer.startsWith("..")) continue;
      if (!ALLOWED[layer].includes(targetLayer)) {
        violations.push(
          `${rel}: imports ${relative(ROOT, target)} — ${layer} may not import ${targetLayer}; ${ADVICE[layer]}`,
        );
      }
    } else if (!/\.test\.tsx?$/.test(file) && FORBIDDEN_PACKAGES[layer]?.(spec)) {
      violations.push(`${rel}: imports the package "${spec}" — ${layer} may import only zod; ${ADVICE[layer]}`);
    }
  }
}

for (const v of violations) console.error(v);
if (violations.length) {
  console.error(`layer rule: ${files.length} files checked, ${violations.length} violation(s)`);
  process.exit(1);
}
console.log(`layer rule: ${files.length} files checked, 0 violations`);
