/**
 * Bidirectional control characters in titles and names ("Trojan Source"): an override such as
 * U+202E RIGHT-TO-LEFT OVERRIDE makes `txt.exe` display as `exe.txt`, and it reorders the text
 * around it in lists, exports and notifications. Titles and names refuse them.
 *
 * Refused: the embeddings and overrides U+202A–U+202E (LRE, RLE, PDF, LRO, RLO) and the isolates
 * U+2066–U+2069 (LRI, RLI, FSI, PDI). Kept: the marks U+200E LRM, U+200F RLM and U+061C ALM,
 * which right-to-left writers use legitimately and which change no order beyond their neighbours.
 */

const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/g;

/** The bidirectional controls in `text`, each once, as "U+202E" in order of first appearance. */
export function findBidiControls(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(BIDI_CONTROL)) {
    found.add(`U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`);
  }
  return [...found];
}

/**
 * The problem with `text` for a title or name, without the field's path: "must not contain
 * bidirectional control characters (U+202E); remove them", or null when it has none.
 * Callers prefix the field ("title: …", "User Name: …"). Never throws.
 */
export function bidiControlProblem(text: string): string | null {
  const found = findBidiControls(text);
  return found.length === 0
    ? null
    : `must not contain bidirectional control characters (${found.join(", ")}); remove them`;
}
