/**
 * The documents a reader opens first link only to files that exist in the repository, never
 * to places outside it (a fresh clone has nothing beside it).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const DOCUMENTS = [
  "README.md",
  "ARCHITECTURE.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/**
 * Relative link targets of a Markdown text (inline links and images), without their #anchors.
 * Code (fenced blocks and `inline` spans) links nowhere, so `@[Name](userId)` there is text.
 */
function relativeLinks(markdown: string): string[] {
  const out: string[] = [];
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, "").replace(/`[^`\n]*`/g, "");
  for (const m of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("#")) continue;
    out.push(target.split("#")[0]!);
  }
  return out;
}

describe("documentation links", () => {
  it.each(DOCUMENTS)("%s links only to files inside the repository", (doc) => {
    const links = relativeLinks(readFileSync(join(ROOT, doc), "utf8"));
    for (const link of links) {
      const target = resolve(dirname(join(ROOT, doc)), decodeURIComponent(link));
      expect(relative(ROOT, target).startsWith(".."), `${doc} → ${link} points outside the repository`).toBe(false);
      expect(existsSync(target), `${doc} → ${link} does not exist`).toBe(true);
    }
  });

  it("finds the links it checks", () => {
    expect(relativeLinks('see [a](docs/a.md#x), [b](https://x.y) and ![c](shot.png "t")')).toEqual([
      "docs/a.md",
      "shot.png",
    ]);
    expect(relativeLinks("a mention is written `@[Name](userId)`\n```sh\necho '[x](y)'\n```\n[z](z.md)")).toEqual([
      "z.md",
    ]);
  });
});
