/**
 * The built web app for `okra serve`: dist/web, built with Vite on the first start of a
 * fresh clone (and when its sources are newer than the build), so `npm install && npm start`
 * is all it takes.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WEB_DIST = path.join(ROOT, "dist", "web");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** Returns the directory to serve, building it first when missing or stale. */
export async function ensureWebBuild(log: (line: string) => void): Promise<string> {
  const index = path.join(WEB_DIST, "index.html");
  const sources = [path.join(ROOT, "src", "web"), path.join(ROOT, "src", "domain")];
  const stale = !fs.existsSync(index) || Math.max(...sources.map(newestMtime)) > fs.statSync(index).mtimeMs;
  if (!stale) return WEB_DIST;
  const started = performance.now();
  log("Building the web app (first start or changed sources)…");
  const { build } = await import("vite");
  await build({ configFile: path.join(ROOT, "vite.config.ts"), logLevel: "warn" });
  log(`Web app built in ${Math.round(performance.now() - started)} ms.`);
  return WEB_DIST;
}
