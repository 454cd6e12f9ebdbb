/**
 * Messages to Slack and Microsoft Teams channels through incoming-webhook URLs.
 *
 * - `slackPayload` and `teamsPayload` (chat-format.ts, re-exported here) build each product's
 *   documented format from one `ChatMessage`.
 * - `postChat` posts either through the outbound guard (`outbound.ts`: public addresses only
 *   unless the instance allows private ones, no redirects, one deadline) and throws a
 *   `ChatDeliveryError` saying what the receiver answered.
 * - `chatTargetsOf` says where a team's messages go (its own URLs, else its nearest ancestor's,
 *   else the organisation's).
 *
 * The URLs are credentials (anyone holding one can post to the channel): the API shows them only
 * to admins (and a team's owners), and the audit trail keeps them masked (`maskWebhookUrl`).
 */
import { createHash } from "node:crypto";
import type { Executor } from "../db/database.js";
import type { OrgScope } from "../db/org-scope.js";
import { type OrganizationRow, teamRepo } from "../db/repositories.js";
import { AppError } from "../domain/errors.js";
import {
  CHAT_NAMES,
  type ChatKind,
  type ChatMessage,
  clip,
  oneLine,
  slackPayload,
  teamsPayload,
} from "./chat-format.js";
import type { Services } from "./context.js";
import { createOutboundFetch } from "./outbound.js";

export {
  CHAT_KINDS,
  CHAT_NAMES,
  type ChatKind,
  type ChatMessage,
  clip,
  linkUrl,
  SLACK_LIMITS,
  slackEscape,
  slackPayload,
  TEAMS_MAX_BYTES,
  teamsEscape,
  teamsPayload,
} from "./chat-format.js";

// ------------------------------------------------------------------ posting

/** A chat message the receiver refused or that could not be delivered; the message says which. */
export class ChatDeliveryError extends Error {
  constructor(
    readonly kind: ChatKind,
    message: string,
    /** The receiver's HTTP status, when it answered. */
    readonly status: number | null,
  ) {
    super(message);
    this.name = "ChatDeliveryError";
  }
}

/** How long a chat post may take (DNS, connection, answer). */
export const CHAT_TIMEOUT_MS = 10_000;

/**
 * Posts the message to a Slack or Microsoft Teams incoming-webhook URL, as JSON in that
 * product's format, through the outbound guard (public addresses only unless the instance
 * allows private ones; redirects are not followed). Resolves once the receiver answered 2xx.
 * Throws ChatDeliveryError when it answered anything else (with the status and the start of
 * what it said, e.g. Slack's `no_service`) or could not be reached. The message never contains
 * the URL: it is a credential.
 */
export async function postChat(svc: Services, kind: ChatKind, url: string, m: ChatMessage): Promise<void> {
  const name = CHAT_NAMES[kind];
  const payload = kind === "slack" ? slackPayload(m) : teamsPayload(m);
  const fetcher = createOutboundFetch({
    allowPrivate: svc.allowPrivateUrls === true,
    timeoutMs: CHAT_TIMEOUT_MS,
    maxBytes: 65_536,
  });
  let res: Response;
  try {
    res = await fetcher(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(payload),
    });
  } catch {
    // One message whatever went wrong (see outbound.ts): a refused address reads like a closed port.
    throw new ChatDeliveryError(
      kind,
      `${name} could not be reached at the webhook URL: no answer in time, the connection failed, or the address is not a public one. Check the URL.`,
      null,
    );
  }
  if (res.status >= 200 && res.status < 300) return;
  const said = clip(oneLine(await res.text().catch(() => "")), 200);
  const redirect = res.status >= 300 && res.status < 400 ? " (redirects are not followed: use the final URL)" : "";
  throw new ChatDeliveryError(
    kind,
    `${name} refused the message: it answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}${redirect}${said ? ` — "${said}"` : ""}.`,
    res.status,
  );
}

/** How one post to a channel went, as the jobs' summaries report it (never with the URL). */
export interface ChatPostResult {
  kind: ChatKind;
  from: ChatTarget["from"];
  teamId: string | null;
  ok: boolean;
  error: string | null;
}

/** `postChat` to a target, answering how it went instead of throwing. */
export async function postToTarget(svc: Services, target: ChatTarget, m: ChatMessage): Promise<ChatPostResult> {
  const result = { kind: target.kind, from: target.from, teamId: target.teamId };
  try {
    await postChat(svc, target.kind, target.url, m);
    return { ...result, ok: true, error: null };
  } catch (err) {
    return { ...result, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** A channel's key for "once per channel" records: its kind and a hash of its URL (never the URL). */
export function channelKey(target: Pick<ChatTarget, "kind" | "url">): string {
  return `${target.kind}:${createHash("sha256").update(target.url).digest("hex").slice(0, 16)}`;
}

// ------------------------------------------------------------------ settings and targets

/** A team's or the organisation's two webhook URLs (null: not set). */
export interface ChatUrls {
  slackWebhookUrl: string | null;
  teamsWebhookUrl: string | null;
}

/** The organisation's chat URLs, kept in its settings document. */
export function chatSettingsOf(org: Pick<OrganizationRow, "settings">): ChatUrls {
  const s = (org.settings ?? {}) as Partial<Record<keyof ChatUrls, unknown>>;
  const str = (v: unknown) => (typeof v === "string" && v ? v : null);
  return { slackWebhookUrl: str(s.slackWebhookUrl), teamsWebhookUrl: str(s.teamsWebhookUrl) };
}

/**
 * A webhook URL as the audit trail keeps it: its origin and a fingerprint of the whole URL
 * (`https://hooks.slack.com/… (sha256 3f2a9c1e)`), so a change shows without the secret.
 */
export function maskWebhookUrl(url: string | null): string | null {
  if (url === null) return null;
  let origin = "";
  try {
    origin = new URL(url).origin;
  } catch {
    origin = "";
  }
  return `${origin}/… (sha256 ${createHash("sha256").update(url).digest("hex").slice(0, 8)})`;
}

/**
 * The URLs as the API shows them: in clear to those who may change them (`reveal`), else null;
 * with whether each is set either way.
 */
export function presentChatUrls(urls: ChatUrls, reveal: boolean) {
  return {
    slackWebhookUrl: reveal ? urls.slackWebhookUrl : null,
    teamsWebhookUrl: reveal ? urls.teamsWebhookUrl : null,
    slackConfigured: urls.slackWebhookUrl !== null,
    teamsConfigured: urls.teamsWebhookUrl !== null,
  };
}

/** The URLs as the audit trail records them (masked). */
export function auditedChatUrls(urls: ChatUrls): ChatUrls {
  return {
    slackWebhookUrl: maskWebhookUrl(urls.slackWebhookUrl),
    teamsWebhookUrl: maskWebhookUrl(urls.teamsWebhookUrl),
  };
}

/** Hosts of Slack's incoming webhooks (commercial and GovSlack). */
const SLACK_HOSTS = new Set(["hooks.slack.com", "hooks.slack-gov.com"]);

/**
 * What is wrong with a webhook URL for `kind`, as "field: message" lines (none: it is fine).
 * Always: an absolute https URL without a user name or password. Slack's must be an incoming
 * webhook (`https://hooks.slack.com/services/…`); Teams' may be on any host (workflow URLs
 * live on Azure Logic Apps or Power Platform hosts, older connectors on `*.webhook.office.com`).
 * An instance that allows private URLs (`OKRA_ALLOW_PRIVATE_URLS`: a relay or a test receiver
 * on its own network) accepts any http or https URL for either.
 */
export function chatUrlProblems(field: string, kind: ChatKind, raw: string, allowPrivate: boolean): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [`${field}: must be an absolute URL, such as the one ${CHAT_NAMES[kind]} shows when you add the webhook`];
  }
  const schemes = allowPrivate ? ["https:", "http:"] : ["https:"];
  if (!schemes.includes(url.protocol)) return [`${field}: must start with https://`];
  if (url.username || url.password) return [`${field}: must not contain a user name or password`];
  if (allowPrivate || kind !== "slack") return [];
  if (!SLACK_HOSTS.has(url.hostname) || !url.pathname.startsWith("/services/")) {
    return [`${field}: must be a Slack incoming-webhook URL, https://hooks.slack.com/services/…`];
  }
  return [];
}

/** Where a chat message goes. */
export interface ChatTarget {
  kind: ChatKind;
  url: string;
  /** Whose setting it is: the team's own, an ancestor team's, or the organisation's. */
  from: "team" | "ancestor" | "organization";
  /** The team whose URL it is; null for the organisation's. */
  teamId: string | null;
}

/** What `chatTargetsOf` needs of a team. */
export type ChatTeam = ChatUrls & { id: string; parentId: string | null };

/** The targets of one level's URLs (a team's own, or the organisation's). */
export function targetsOfUrls(urls: ChatUrls, from: ChatTarget["from"], teamId: string | null): ChatTarget[] {
  const out: ChatTarget[] = [];
  if (urls.slackWebhookUrl) out.push({ kind: "slack", url: urls.slackWebhookUrl, from, teamId });
  if (urls.teamsWebhookUrl) out.push({ kind: "teams", url: urls.teamsWebhookUrl, from, teamId });
  return out;
}

/**
 * Where a team's messages go: the team's own URLs, else its nearest ancestor's, else the
 * organisation's. The first level with any URL set wins with all of its URLs (a team with only
 * a Slack channel does not also post to its parent's Teams channel). `teamId` null asks for
 * the organisation's own. `teams` holds the team and its ancestors at least (more is fine);
 * a missing or deleted ancestor ends the walk there, and a loop in the hierarchy cannot hang it.
 */
export function chatTargetsOf(
  teamId: string | null,
  teams: ReadonlyMap<string, ChatTeam> | readonly ChatTeam[],
  org: ChatUrls,
): ChatTarget[] {
  const byId = teams instanceof Map ? teams : new Map((teams as readonly ChatTeam[]).map((t) => [t.id, t]));
  const seen = new Set<string>();
  let id = teamId;
  while (id !== null && !seen.has(id)) {
    seen.add(id);
    const team = byId.get(id);
    if (!team) break;
    const found = targetsOfUrls(team, id === teamId ? "team" : "ancestor", id);
    if (found.length) return found;
    id = team.parentId;
  }
  return targetsOfUrls(org, "organization", null);
}

/**
 * Where one team's messages go (null: the organisation's own), reading the team and then its
 * ancestors one by one only as far as the first one with a URL (a team's depth in queries, not
 * the organisation's size). Throws NOT_FOUND for a team that does not exist in the organisation.
 */
export async function loadChatTargets(
  ex: Executor,
  scope: OrgScope,
  org: OrganizationRow,
  teamId: string | null,
): Promise<ChatTarget[]> {
  const chain: ChatTeam[] = [];
  if (teamId !== null) {
    let team: ChatTeam | null = await teamRepo.get(ex, scope, teamId);
    while (team) {
      chain.push(team);
      if (team.slackWebhookUrl || team.teamsWebhookUrl || team.parentId === null) break;
      if (chain.some((t) => t.id === team?.parentId)) break;
      team = await teamRepo.find(ex, scope, team.parentId);
    }
  }
  return chatTargetsOf(teamId, chain, chatSettingsOf(org));
}

/**
 * Checks the webhook URLs an input sets (undefined: unchanged; null: cleared) against
 * `chatUrlProblems`. Throws VALIDATION listing each bad one as "field: message".
 */
export function assertChatUrls(input: Partial<ChatUrls>, allowPrivate: boolean): void {
  const problems = [
    ...(input.slackWebhookUrl ? chatUrlProblems("slackWebhookUrl", "slack", input.slackWebhookUrl, allowPrivate) : []),
    ...(input.teamsWebhookUrl ? chatUrlProblems("teamsWebhookUrl", "teams", input.teamsWebhookUrl, allowPrivate) : []),
  ];
  if (problems.length) throw AppError.validation(problems);
}
