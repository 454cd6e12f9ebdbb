/**
 * Builds the migrated embedded-database template once per test run; each test file
 * loads it instead of migrating (opening a fresh PGlite and migrating takes seconds).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../src/db/database.js";

export default async function setup() {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "okra-template-")), "template.tar.gz");
  const db = await openDatabase({});
  await db.migrate();
  const blob = await db.dump!();
  fs.writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
  await db.close();
  process.env.OKRA_PGLITE_TEMPLATE = file;
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
