/**
 * Messages to Slack and Microsoft Teams channels through incoming-webhook URLs.
 *
 * - `slackPayload` builds a Slack Block Kit message (a header, mrkdwn sections, a button), kept
 *   within Slack's limits: header text ≤ 150 characters, section text ≤ 3,000, ≤ 50 blocks,
 *   button text ≤ 75; a list that does not fit ends with "…and N more". `&`, `<` and `>` in
 *   people's text are escaped, so a title cannot mention `@channel` or forge a link.
 * - `teamsPayload` builds a Teams message holding one Adaptive Card (version 1.4), the format
 *   Teams workflows ("When a Teams webhook request is received") and the older incoming-webhook
 *   connectors accept; the card stays well under Teams' 28 KB limit the same way.
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
import type { Services } from "./context.js";
import { createOutboundFetch } from "./outbound.js";

/** A message for a team's or organisation's chat channel. */
export interface ChatMessage {
  /** One line, e.g. "Check-ins due this week in Platform". */
  title: string;
  /** Plain text: Slack's notification text, the card's fallback. */
  summary: string;
  sections: { heading?: string; items: { text: string; url?: string }[] }[];
  /** A button into the app. */
  action?: { label: string; url: string };
}

export type ChatKind = "slack" | "teams";
export const CHAT_KINDS = ["slack", "teams"] as const satisfies readonly ChatKind[];

/** The product's name, for messages. */
export const CHAT_NAMES: Record<ChatKind, string> = { slack: "Slack", teams: "Microsoft Teams" };

/** Slack's documented Block Kit limits. */
export const SLACK_LIMITS = { header: 150, section: 3000, blocks: 50, button: 75, url: 3000, text: 3000 } as const;
/** Teams refuses a webhook message above about 28 KB; the card keeps a margin below it. */
export const TEAMS_MAX_BYTES = 24_000;
/** The longest item line shown (a title pasted with its whole description is cut). */
const ITEM_MAX = 500;
const HEADING_MAX = 200;

// ------------------------------------------------------------------ text helpers

/** `s` cut to at most `max` UTF-16 units, ending with "…" when cut (never inside a surrogate pair). */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = max - 1;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${s.slice(0, end)}…`;
}

/** One line: line breaks and other control characters become spaces. */
function oneLine(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();
}

/** Escapes Slack's three control characters (its documented escaping for mrkdwn text). */
export function slackEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Escapes the Markdown that Adaptive Card text blocks interpret (emphasis, links, code). */
export function teamsEscape(s: string): string {
  return s.replace(/[\\*_[\]`~]/g, "\\$&");
}

/**
 * The URL as a link target both products parse safely: only http(s), normalised, with the
 * characters that end a link in either syntax (`|`, `(`, `)`) percent-encoded; null otherwise.
 */
export function linkUrl(raw: string | undefined): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  return url.href.replace(/\|/g, "%7C").replace(/\(/g, "%28").replace(/\)/g, "%29");
}

const more = (n: number) => `…and ${n.toLocaleString("en")} more`;

// ------------------------------------------------------------------ Slack

function slackItem(item: { text: string; url?: string }): string {
  const text = slackEscape(clip(oneLine(item.text), ITEM_MAX)) || "—";
  const url = linkUrl(item.url);
  // Inside <url|text> the URL's own & must be escaped too; a long URL drops the link, not the line.
  return url && url.length <= SLACK_LIMITS.url - ITEM_MAX ? `• <${slackEscape(url)}|${text}>` : `• ${text}`;
}

/** The mrkdwn of one section within `limit` characters, and how many of its items did not fit. */
function slackSectionText(section: ChatMessage["sections"][number], limit: number): string {
  const lines: string[] = [];
  if (section.heading) lines.push(`*${slackEscape(clip(oneLine(section.heading), HEADING_MAX))}*`);
  const items = section.items.map(slackItem);
  let used = lines.join("\n").length;
  let shown = 0;
  for (const line of items) {
    const left = items.length - shown - 1;
    // Keep room for the "…and N more" line whenever items would remain after this one.
    const reserve = left > 0 ? more(left).length + 3 : 0;
    if (used + (used ? 1 : 0) + line.length + reserve > limit) break;
    lines.push(line);
    used += (used ? 1 : 0) + line.length;
    shown += 1;
  }
  if (shown < items.length) lines.push(`_${more(items.length - shown)}_`);
  return lines.join("\n");
}

/**
 * The message as a Slack Block Kit payload for an incoming webhook: `text` (the notification's
 * text) and `blocks` — a header, one mrkdwn section per section, and an actions block with a
 * link button — within Slack's limits (see SLACK_LIMITS).
 */
export function slackPayload(m: ChatMessage): unknown {
  const header = clip(oneLine(m.title), SLACK_LIMITS.header) || "Okra";
  const url = linkUrl(m.action?.url);
  const action = m.action && url && url.length <= SLACK_LIMITS.url ? { ...m.action, url } : null;
  const sections = m.sections.filter((s) => s.heading || s.items.length > 0);
  const room = SLACK_LIMITS.blocks - 1 - (action ? 1 : 0);
  const shown = sections.length > room ? sections.slice(0, room - 1) : sections;
  const blocks: unknown[] = [{ type: "header", text: { type: "plain_text", text: header, emoji: true } }];
  for (const s of shown) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: slackSectionText(s, SLACK_LIMITS.section) } });
  }
  if (shown.length < sections.length) {
    const rest = sections.slice(shown.length).reduce((n, s) => n + Math.max(1, s.items.length), 0);
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `_${more(rest)}_` } });
  }
  if (action) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: "open",
          text: { type: "plain_text", text: clip(oneLine(action.label), SLACK_LIMITS.button) || "Open", emoji: true },
          url: action.url,
        },
      ],
    });
  }
  return { text: clip(m.summary.trim() || header, SLACK_LIMITS.text), blocks };
}

// ------------------------------------------------------------------ Microsoft Teams

const bytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), "utf8");

function teamsItem(item: { text: string; url?: string }) {
  const text = teamsEscape(clip(oneLine(item.text), ITEM_MAX)) || "—";
  const url = linkUrl(item.url);
  return { type: "TextBlock", text: url ? `• [${text}](${url})` : `• ${text}`, wrap: true, spacing: "Small" };
}

/**
 * The message as a Microsoft Teams webhook payload: `{ type: "message", attachments: [one
 * Adaptive Card 1.4] }` with the title, each section's heading and items (links as Markdown),
 * the summary as the card's fallback text and the action as an `Action.OpenUrl`. Lists that
 * would take the card past TEAMS_MAX_BYTES end with "…and N more".
 */
export function teamsPayload(m: ChatMessage): unknown {
  const title = clip(oneLine(m.title), HEADING_MAX) || "Okra";
  const url = linkUrl(m.action?.url);
  const actions = m.action && url ? [{ type: "Action.OpenUrl", title: clip(oneLine(m.action.label), 75), url }] : [];
  const body: unknown[] = [
    { type: "TextBlock", text: teamsEscape(title), size: "Large", weight: "Bolder", wrap: true },
  ];
  const card = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    fallbackText: clip(m.summary.trim() || title, 3000),
    body,
    actions,
    msteams: { width: "Full" },
  };
  const reserve = bytes({ type: "TextBlock", text: more(1_000_000), isSubtle: true, wrap: true }) + 2;
  let size = bytes(card);
  const sections = m.sections.filter((s) => s.heading || s.items.length > 0);
  const total = sections.reduce((n, s) => n + s.items.length + (s.heading ? 1 : 0), 0);
  let placed = 0;
  let full = false;
  for (const s of sections) {
    const blocks = [
      ...(s.heading
        ? [
            {
              type: "TextBlock",
              text: teamsEscape(clip(oneLine(s.heading), HEADING_MAX)),
              weight: "Bolder",
              wrap: true,
              spacing: "Medium",
            },
          ]
        : []),
      ...s.items.map(teamsItem),
    ];
    for (const block of blocks) {
      const add = bytes(block) + 1;
      if (size + add + reserve > TEAMS_MAX_BYTES) {
        full = true;
        break;
      }
      body.push(block);
      size += add;
      placed += 1;
    }
    if (full) break;
  }
  if (full) body.push({ type: "TextBlock", text: more(total - placed), isSubtle: true, wrap: true });
  return {
    type: "message",
    attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }],
  };
}

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

function targetsOfUrls(urls: ChatUrls, from: ChatTarget["from"], teamId: string | null): ChatTarget[] {
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
