/**
 * The comment editor's text and the one mention syntax the server reads (domain/mentions.ts):
 * the editor shows `@Name` and remembers who each picked name is; sending turns each into
 * `@[Name](userId)`, and editing turns the stored tokens back into names.
 */
import { bodyParts, mentionToken } from "../../../domain/mentions.js";

/** The people picked so far, by the `@Name` the text shows for them. */
export type Picked = Map<string, string>;

/**
 * What the editor shows for a stored body: each mention as `@Name`, with the ids remembered,
 * so that editing a comment keeps its mentions.
 */
export function editableText(body: string, names: ReadonlyMap<string, string>): { text: string; picked: Picked } {
  const picked: Picked = new Map();
  const text = bodyParts(body)
    .map((p) => {
      if ("text" in p) return p.text;
      const name = names.get(p.mention.id) ?? p.mention.name;
      picked.set(`@${name}`, p.mention.id);
      return `@${name}`;
    })
    .join("");
  return { text, picked };
}

/**
 * The body to send: each `@Name` of a person picked from the list becomes the one mention
 * syntax the server reads, `@[Name](userId)`. Longer names are replaced first, so "@Ann Lee"
 * is not taken for "@Ann".
 */
export function bodyToSend(text: string, picked: Picked): string {
  const names = [...picked.keys()].sort((a, b) => b.length - a.length);
  if (names.length === 0) return text;
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  // A name is a mention only where it ends: "@Ann" picked does not turn "@Annabel" into a mention.
  const re = new RegExp(`(?:${escaped.join("|")})(?![\\p{L}\\p{N}])`, "gu");
  return text.replace(re, (shown) => {
    const id = picked.get(shown);
    return id ? mentionToken({ id, name: shown.slice(1) }) : shown;
  });
}

/** The `@term` being typed just before the caret, if any, and where its `@` is. */
export function mentionQuery(text: string, caret: number): { start: number; term: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)@([^\s@]{0,40})$/.exec(before);
  if (!m) return null;
  return { start: caret - (m[2]?.length ?? 0) - 1, term: m[2] ?? "" };
}
