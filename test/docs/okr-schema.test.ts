/**
 * The OKR file's JSON Schema (docs/okrs.schema.json) is the zod schema's, and another
 * validator (ajv, draft 2020-12) reads the documented example with it as Okra does.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { okrFileJsonSchema } from "../../src/domain/okr-file.js";
import { lintOkrYaml, readOkrYaml } from "../../src/integrations/okr-yaml.js";

const ROOT = resolve(import.meta.dirname, "../..");
const schema = JSON.parse(readFileSync(join(ROOT, "docs/okrs.schema.json"), "utf8"));
const guide = readFileSync(join(ROOT, "docs/okrs-as-code.md"), "utf8");
/** The guide's example file: its first YAML block that starts with `version: 1`. */
const example = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .find((b) => b.startsWith("version: 1"))!;

/** ajv (a dependency of Fastify) with the formats the schema uses (email). */
function compile() {
  const ajv = new Ajv2020({ strict: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

describe("docs/okrs.schema.json", () => {
  it("is generated from the zod schema (npx tsx scripts/write-okr-schema.ts)", () => {
    expect(schema).toEqual(JSON.parse(JSON.stringify(okrFileJsonSchema())));
  });

  it("accepts the guide's example, as Okra's own reader does", () => {
    const validate = compile();
    expect(validate(parse(example)), JSON.stringify(validate.errors)).toBe(true);
    expect(readOkrYaml(example).ok).toBe(true);
  });

  it("refuses what Okra refuses: an unknown field, a wrong type, a missing title", () => {
    const validate = compile();
    const file = parse(example);
    for (const broken of [
      { ...file, objectives: [{ ...file.objectives[0], colour: "red" }] },
      { ...file, objectives: [{ ...file.objectives[0], level: "department" }] },
      { ...file, objectives: [{ ...file.objectives[0], title: undefined }] },
      { ...file, version: 2 },
      { ...file, objectives: [{ ...file.objectives[0], owners: ["not an email"] }] },
    ]) {
      const clean = JSON.parse(JSON.stringify(broken));
      expect(validate(clean)).toBe(false);
      expect(readOkrYaml(JSON.stringify(clean)).ok).toBe(false);
    }
  });

  it("the guide's example has no error-severity coach finding", () => {
    const { problems, findings } = lintOkrYaml(example, Date.UTC(2026, 6, 20));
    expect(problems).toEqual([]);
    expect(findings.filter((f) => f.severity === "error")).toEqual([]);
  });
});
