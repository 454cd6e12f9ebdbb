// Writes docs/okrs.schema.json from the OKR file's zod schema (src/domain/okr-file.ts).
//   npx tsx scripts/write-okr-schema.ts
// test/docs/okr-schema.test.ts fails when the file and the schema drift apart.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { okrFileJsonSchema } from "../src/domain/okr-file.js";

const out = path.join(import.meta.dirname, "..", "docs", "okrs.schema.json");
writeFileSync(out, `${JSON.stringify(okrFileJsonSchema(), null, 2)}\n`);
console.log(`Wrote ${out}`);
