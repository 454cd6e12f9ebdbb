/**
 * Mentions in comments (#12). The one syntax, which the web editor writes when a person is
 * picked after `@`: `@[Name](userId)`. The name is what the author saw; the id decides who is
 * mentioned, and readers see the person's current name. Pure: the server parses with it, the
 * web app renders with it.
 */

/** `@[Name](uuid)`: a name without `]` or a line break, then the person's id. */
const MENTION_RE =
  /@\[([^\]\n]{1,200})\]\(([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\)/g;

/** The most people one comment may mention. */
export const MAX_MENTIONS = 20;

/** The reactions a comment may get. */
export const REACTION_EMOJI = ["👍", "🎉", "❤️", "👀", "🚀", "🙏"] as const;
export type ReactionEmoji = (typeof REACTION_EMOJI)[number];

/** The allowed emoji `text` stands for (a heart without its emoji selector counts), or null. */
export function reactionEmoji(text: string): ReactionEmoji | null {
  const t = text === "❤" ? "❤️" : text;
  return (REACTION_EMOJI as readonly string[]).includes(t) ? (t as ReactionEmoji) : null;
}

/** A piece of a comment's body: plain text, or a mention. */
export type BodyPart = { text: string } | { mention: { id: string; name: string } };

/** Splits a body into text and mentions, in order (the name is as written). */
export function bodyParts(body: string): BodyPart[] {
  const parts: BodyPart[] = [];
  let at = 0;
  for (const m of body.matchAll(MENTION_RE)) {
    const index = m.index ?? 0;
    if (index > at) parts.push({ text: body.slice(at, index) });
    parts.push({ mention: { name: m[1] ?? "", id: (m[2] ?? "").toLowerCase() } });
    at = index + m[0].length;
  }
  if (at < body.length) parts.push({ text: body.slice(at) });
  return parts;
}

/** The distinct ids a body mentions, in order of first mention (lower case). */
export function mentionedIds(body: string): string[] {
  const ids: string[] = [];
  for (const p of bodyParts(body)) {
    if ("mention" in p && !ids.includes(p.mention.id)) ids.push(p.mention.id);
  }
  return ids;
}

/** The body as plain text (`@Name` for each mention, with the current name when known). */
export function plainBody(body: string, names: ReadonlyMap<string, string> = new Map()): string {
  return bodyParts(body)
    .map((p) => ("text" in p ? p.text : `@${names.get(p.mention.id) ?? p.mention.name}`))
    .join("");
}

/** The mention token for a person, as the editor inserts it (`]` and line breaks dropped from the name). */
export function mentionToken(person: { id: string; name: string }): string {
  const name =
    person.name
      .replace(/[\]\n\r]/g, "")
      .trim()
      .slice(0, 200) || "someone";
  return `@[${name}](${person.id})`;
}
