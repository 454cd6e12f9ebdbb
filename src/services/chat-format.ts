/**
 * The two chat formats, built from one `ChatMessage` (pure: no I/O).
 *
 * - `slackPayload`: a Slack Block Kit message for an incoming webhook — `text` (the
 *   notification) and `blocks`: a header, mrkdwn sections, an actions block with a link button —
 *   within Slack's limits: header text ≤ 150 characters, section text ≤ 3,000, ≤ 50 blocks,
 *   button text ≤ 75; a list that does not fit ends with "…and N more". `&`, `<` and `>` in
 *   people's text are escaped, so a title cannot mention `@channel` or forge a link.
 * - `teamsPayload`: a Microsoft Teams message holding one Adaptive Card (version 1.4), the format
 *   Teams workflows ("When a Teams webhook request is received") and the older incoming-webhook
 *   connectors accept, kept well under Teams' 28 KB limit the same way; Markdown in people's
 *   text is escaped.
 */

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
export function oneLine(s: string): string {
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
  // The notification text is read as mrkdwn too.
  return { text: slackEscape(clip(m.summary.trim() || header, SLACK_LIMITS.text - 200)), blocks };
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
