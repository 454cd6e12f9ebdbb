/**
 * The keys of the coach's title index: what a title is stored under, and what to look up to
 * find every title near-identical to it (coach.ts's `duplicate` rule: equal once normalised,
 * Levenshtein similarity ≥ 0.9, or word-set Jaccard ≥ 0.9) without reading the others. The
 * index only narrows the candidates; each is then compared by the rule itself.
 *
 * **Edit distance: segments (pigeonhole).** Two titles of lengths M (asked about) and L are
 * within the allowed distance d ≤ ⌊max(M, L) / 10⌋ only if L lies between M − ⌊M / 10⌋ and
 * ⌊10·M / 9⌋, and then d ≤ D = ⌊M / 9⌋ (the longer is at most 10/9 of the shorter). A stored
 * title keeps its 4-character segments at 0, 4, 8, … (`s<i> <chars>`). Each edit touches at
 * most one segment, so of any D + 1 segment places that the other title has (those below
 * ⌊(M − D) / 4⌋, at least D + 1 of them from M = 9 on), one is untouched, and it appears in the
 * title asked about at its own place shifted by at most d. So the title asked about chooses
 * D + 1 places and looks each up at every shift from −D to D: the places whose shifts fewest
 * titles hold. A title of 8 characters or fewer can only be equal (D = 0),
 * which the word set covers; one longer than {@link LONG} is stored under its length
 * (`l<L>`) instead of segments (long titles are few).
 *
 * **The word set** (`ws <words>`: the distinct words, sorted): Jaccard ≥ 0.9 between sets that
 * differ needs 9 shared words or more (9 of 10 at best), so titles of at most 8 distinct words
 * are near-identical by their words only when their sets are equal — and equal titles have
 * equal sets. **Words** (`w <word>`) are stored only for titles of 9 distinct words or more:
 * for those, a set within Jaccard 0.9 shares one of any `n − ⌈0.9·n⌉ + 1` of the n words
 * asked about, and the rarest are looked up.
 */
import { normaliseTitle } from "./coach.js";

/** Titles longer than this (normalised) are stored under their length rather than segments. */
const LONG = 100;
/** Word sets longer than this are keyed by a hash (the key stays short; a collision only adds a candidate). */
const SET_KEY_MAX = 200;
/** Titles with at least this many distinct words are also stored under each word. */
const MANY_WORDS = 9;

function distinctWords(norm: string): string[] {
  return [...new Set(norm.split(" "))].sort();
}

/** FNV-1a, 32 bits, as hex. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function setKey(words: readonly string[]): string {
  const joined = words.join(" ");
  return joined.length <= SET_KEY_MAX ? `ws ${joined}` : `wh ${hash(joined)}`;
}

const SEGMENT = 4;
const segmentKey = (norm: string, place: number, at: number) => `s${place} ${norm.slice(at, at + SEGMENT)}`;

/** The keys a title is stored under (none for one that normalises to nothing: it is never compared). */
export function titleIndexKeys(title: string): string[] {
  const norm = normaliseTitle(title);
  if (norm === "") return [];
  const words = distinctWords(norm);
  const keys = [setKey(words)];
  if (norm.length > LONG) keys.push(`l${norm.length}`);
  else for (let i = 0; (i + 1) * SEGMENT <= norm.length; i++) keys.push(segmentKey(norm, i, i * SEGMENT));
  if (words.length >= MANY_WORDS) for (const w of words) keys.push(`w ${w}`);
  return [...new Set(keys)];
}

/** What a title's near-identical twins may be found by: keys to look up, and choices to make by rarity. */
export interface TwinProbe {
  /** Looked up, every one. */
  keys: string[];
  /** Segment places to choose from: each one's own key and its keys at every shift (what it costs to look up). */
  places: { key: string; shifted: string[] }[];
  placesNeeded: number;
  /** Words to choose from (titles of 9 distinct words or more). */
  words: string[];
  wordsNeeded: number;
}

/** How to find a title's twins in the index, or null for one that normalises to nothing. */
export function twinProbe(title: string): TwinProbe | null {
  const norm = normaliseTitle(title);
  if (norm === "") return null;
  const m = norm.length;
  const d = Math.floor(m / 9);
  const words = distinctWords(norm);
  const keys = [setKey(words)];
  let highest = m;
  while (highest + 1 - m <= Math.floor((highest + 1) / 10)) highest++;
  for (let length = Math.max(LONG + 1, m - Math.floor(m / 10)); length <= highest; length++) keys.push(`l${length}`);
  const places: TwinProbe["places"] = [];
  if (d > 0 && m - Math.floor(m / 10) <= LONG) {
    for (let i = 0; i < Math.floor((m - d) / SEGMENT); i++) {
      const shifted = new Set<string>();
      for (let at = Math.max(0, i * SEGMENT - d); at <= Math.min(m - SEGMENT, i * SEGMENT + d); at++) {
        shifted.add(segmentKey(norm, i, at));
      }
      places.push({ key: segmentKey(norm, i, i * SEGMENT), shifted: [...shifted] });
    }
  }
  const many = words.length >= MANY_WORDS;
  return {
    keys,
    places,
    placesNeeded: places.length === 0 ? 0 : d + 1,
    words: many ? words.map((w) => `w ${w}`) : [],
    wordsNeeded: many ? words.length - Math.ceil((9 * words.length) / 10) + 1 : 0,
  };
}

/** The keys whose counts {@link twinKeys} chooses by. */
export function rarityKeys(probe: TwinProbe): string[] {
  return [...probe.places.flatMap((p) => p.shifted), ...probe.words];
}

/** The keys to look up for a probe: its own, and its rarest places and words by `count` (how many titles hold each). */
export function twinKeys(probe: TwinProbe, count: (key: string) => number): string[] {
  // A place costs what all its shifts hold.
  const placeCost = new Map(probe.places.map((p) => [p, p.shifted.reduce((n, key) => n + count(key), 0)]));
  const places = [...probe.places]
    .sort((a, b) => placeCost.get(a)! - placeCost.get(b)! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, probe.placesNeeded);
  const words = [...probe.words]
    .sort((a, b) => count(a) - count(b) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, probe.wordsNeeded);
  return [...new Set([...probe.keys, ...places.flatMap((p) => p.shifted), ...words])];
}
