/**
 * Which cached queries a change can affect. A live event (or a write of our own) names the
 * kind of object that changed; only the resources it can reach are refetched, never
 * everything. Keys are those of `keys` in queries.ts: the first element names the resource.
 */
import type { QueryKey } from "@tanstack/react-query";

/** A live `change` event as the server sends it (`objectId` and `ends` when it sends them). */
export interface ChangeEvent {
  type: string;
  objectType: string;
  objectId?: string;
  ends?: { type: string; id: string }[];
}

/** What an OKR's figures feed: lists, trees, dashboards, the coach, its activity. */
const FIGURES = ["objectives", "keyResults", "tree", "coach", "series", "history"] as const;

/** Resources each kind of object can change. `null`: anything (organisation settings). */
const REACH: Record<string, readonly string[] | null> = {
  checkIn: ["checkIns", ...FIGURES],
  keyResult: ["checkIns", "alignments", "initiatives", ...FIGURES],
  objective: ["alignments", "initiatives", "trash", "following", ...FIGURES],
  alignment: ["alignments", ...FIGURES],
  initiative: ["initiatives", ...FIGURES],
  period: ["periods", ...FIGURES],
  // A person's name, manager and teams; teams list their members; the coach checks people too.
  user: ["users", "teams", "me", "coach", "sessions", "tokens"],
  team: ["teams", "users", "me", "objectives", "tree", "coach", "series"],
  kpi: ["kpis"],
  token: ["tokens"],
  scimToken: ["scimTokens"],
  organization: null,
  // Collaboration (#12): a comment or reaction changes its thread and who follows as a commenter.
  comment: ["comments", "following"],
  follow: ["following"],
};

/**
 * Changes named by their type rather than their object: a person's notification centre (the
 * event names the person, but nothing else about them changed) and their preferences.
 */
const REACH_BY_TYPE: Record<string, readonly string[]> = {
  "notification.created": ["notifications"],
  "notification.read": ["notifications"],
  "notificationPreferences.updated": ["notificationPreferences", "audit"],
  "notificationPreferences.unsubscribed": ["notificationPreferences", "audit"],
};

/**
 * The query-key prefixes a change can affect, or null for "everything". Every change is
 * audited, so the audit trail is always among them; a delete or restore also reaches the trash.
 */
export function keysForChange(e: ChangeEvent): QueryKey[] | null {
  const byType = REACH_BY_TYPE[e.type];
  if (byType) return byType.map((r) => [r]);
  const reach = REACH[e.objectType];
  if (reach === null) return null;
  // A kind this version does not know yet: refetch everything rather than show stale data.
  if (reach === undefined) return null;
  const roots = new Set<string>([...reach, "audit"]);
  if (/\.(deleted|restored)$/.test(e.type)) roots.add("trash");
  return [...roots].map((r) => [r]);
}
