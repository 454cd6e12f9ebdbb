#!/usr/bin/env node
// The `okra` command: runs the TypeScript CLI through tsx (installed as a dependency).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const result = spawnSync(
  process.execPath,
  ["--import", import.meta.resolve("tsx"), path.join(root, "src", "cli", "main.ts"), ...process.argv.slice(2)],
  { stdio: "inherit", cwd: process.cwd() },
);
process.exit(result.status ?? 1);
