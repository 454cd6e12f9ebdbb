import { describe, expect, it } from "vitest";
import {
  type ChatMessage,
  type ChatTeam,
  chatTargetsOf,
  chatUrlProblems,
  clip,
  linkUrl,
  maskWebhookUrl,
  SLACK_LIMITS,
  slackEscape,
  slackPayload,
  TEAMS_MAX_BYTES,
  teamsEscape,
  teamsPayload,
} from "./chat.js";

interface SlackBlock {
  type: string;
  text?: { type: string; text: string };
  elements?: { type: string; text: { text: string }; url: string }[];
}
interface SlackBody {
  text: string;
  blocks: SlackBlock[];
}
interface TeamsBody {
  type: string;
  attachments: {
    contentType: string;
    content: {
      $schema: string;
      type: string;
      version: string;
      fallbackText: string;
      body: { type: string; text: string }[];
      actions: { type: string; title: string; url: string }[];
    };
  }[];
}

const items = (n: number, text = (i: number) => `Key result number ${i}`) =>
  Array.from({ length: n }, (_, i) => ({ text: text(i + 1), url: `https://okr.example.com/key-results/${i + 1}` }));

const message = (over: Partial<ChatMessage> = {}): ChatMessage => ({
  title: "Check-ins due this week in Platform",
  summary: "3 key results of Platform are due for a check-in.",
  sections: [{ heading: "Due", items: items(3) }],
  action: { label: "Open Okra", url: "https://okr.example.com/" },
  ...over,
});

const slack = (m: ChatMessage) => slackPayload(m) as SlackBody;
const teams = (m: ChatMessage) => teamsPayload(m) as TeamsBody;

describe("slackPayload", () => {
  it("is Block Kit: the summary as text, a header, a mrkdwn section with links, a link button", () => {
    const p = slack(message());
    expect(p.text).toBe("3 key results of Platform are due for a check-in.");
    expect(p.blocks.map((b) => b.type)).toEqual(["header", "section", "actions"]);
    expect(p.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Check-ins due this week in Platform", emoji: true },
    });
    expect(p.blocks[1]?.text).toEqual({
      type: "mrkdwn",
      text: [
        "*Due*",
        "• <https://okr.example.com/key-results/1|Key result number 1>",
        "• <https://okr.example.com/key-results/2|Key result number 2>",
        "• <https://okr.example.com/key-results/3|Key result number 3>",
      ].join("\n"),
    });
    expect(p.blocks[2]?.elements?.[0]).toMatchObject({
      type: "button",
      text: { text: "Open Okra" },
      url: "https://okr.example.com/",
    });
  });

  it("escapes &, < and > in people's text, so it cannot mention @channel or forge a link", () => {
    const p = slack(
      message({
        title: "R&D <b>",
        summary: "R&D <!channel>",
        sections: [{ heading: "A & B", items: [{ text: "<!channel> look <https://evil.example|here>" }] }],
      }),
    );
    expect(p.text).toBe("R&amp;D &lt;!channel&gt;");
    // The header is plain text: shown as written.
    expect(p.blocks[0]?.text?.text).toBe("R&D <b>");
    expect(p.blocks[1]?.text?.text).toBe("*A &amp; B*\n• &lt;!channel&gt; look &lt;https://evil.example|here&gt;");
  });

  it("escapes the URL inside a link and encodes what would end it", () => {
    const p = slack(message({ sections: [{ items: [{ text: "x", url: "https://a.example/?a=1&b=2|3>" }] }] }));
    expect(p.blocks[1]?.text?.text).toBe("• <https://a.example/?a=1&amp;b=2%7C3%3E|x>");
  });

  it("links only http(s) URLs; other schemes leave the plain text", () => {
    const p = slack(message({ sections: [{ items: [{ text: "click", url: "javascript:alert(1)" }] }] }));
    expect(p.blocks[1]?.text?.text).toBe("• click");
    expect(linkUrl("javascript:alert(1)")).toBeNull();
    expect(linkUrl("not a url")).toBeNull();
  });

  it("keeps a long title within the header's 150 characters", () => {
    const p = slack(message({ title: "x".repeat(400) }));
    expect(p.blocks[0]?.text?.text).toHaveLength(SLACK_LIMITS.header);
    expect(p.blocks[0]?.text?.text.endsWith("…")).toBe(true);
  });

  it("ends a list longer than a section's 3,000 characters with 'and N more'", () => {
    const p = slack(message({ sections: [{ heading: "Due", items: items(200) }] }));
    const text = p.blocks[1]?.text?.text ?? "";
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
    const shown = text.split("\n").filter((l) => l.startsWith("• ")).length;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(200);
    expect(text.split("\n").at(-1)).toBe(`_…and ${200 - shown} more_`);
  });

  it("counts the escaped text against the limit", () => {
    const p = slack(message({ sections: [{ items: items(100, () => "&".repeat(200)) }] }));
    expect(p.blocks[1]?.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
  });

  it("cuts one very long item instead of dropping it, and flattens line breaks", () => {
    const p = slack(message({ sections: [{ items: [{ text: `first line\nsecond ${"y".repeat(5000)}` }] }] }));
    const text = p.blocks[1]?.text?.text ?? "";
    expect(text.startsWith("• first line second yyy")).toBe(true);
    expect(text).not.toContain("\n");
    expect(text.length).toBeLessThan(600);
  });

  it("stays within 50 blocks, saying how many more there were", () => {
    const sections = Array.from({ length: 80 }, (_, i) => ({ heading: `Team ${i}`, items: items(2) }));
    const p = slack(message({ sections }));
    expect(p.blocks).toHaveLength(SLACK_LIMITS.blocks);
    expect(p.blocks.at(-1)?.type).toBe("actions");
    // header + 47 sections + "and N more" + actions: 33 sections of 2 items are left out.
    expect(p.blocks.at(-2)?.text?.text).toBe("_…and 66 more_");
  });

  it("leaves out empty sections and the button when there is no action", () => {
    const p = slack({ title: "T", summary: "", sections: [{ items: [] }, { items: [{ text: "one" }] }] });
    expect(p.blocks.map((b) => b.type)).toEqual(["header", "section"]);
    expect(p.text).toBe("T");
  });
});

describe("teamsPayload", () => {
  it("is a message holding one Adaptive Card 1.4 with text blocks and an OpenUrl action", () => {
    const p = teams(message());
    expect(p.type).toBe("message");
    expect(p.attachments).toHaveLength(1);
    const a = p.attachments[0]!;
    expect(a.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(a.content).toMatchObject({
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.4",
      fallbackText: "3 key results of Platform are due for a check-in.",
      actions: [{ type: "Action.OpenUrl", title: "Open Okra", url: "https://okr.example.com/" }],
    });
    expect(a.content.body.map((b) => b.type)).toEqual(Array(5).fill("TextBlock"));
    expect(a.content.body.map((b) => b.text)).toEqual([
      "Check-ins due this week in Platform",
      "Due",
      "• [Key result number 1](https://okr.example.com/key-results/1)",
      "• [Key result number 2](https://okr.example.com/key-results/2)",
      "• [Key result number 3](https://okr.example.com/key-results/3)",
    ]);
  });

  it("escapes Markdown in people's text and encodes parentheses in link URLs", () => {
    const p = teams(
      message({ sections: [{ items: [{ text: "[evil](https://x) *b* _i_", url: "https://a.example/(x)" }] }] }),
    );
    expect(p.attachments[0]?.content.body[1]?.text).toBe(
      "• [\\[evil\\](https://x) \\*b\\* \\_i\\_](https://a.example/%28x%29)",
    );
  });

  it("stays under Teams' size limit, ending the list with 'and N more'", () => {
    const m = message({ sections: [{ heading: "Due", items: items(1000) }] });
    const p = teams(m);
    expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(TEAMS_MAX_BYTES + 200);
    const body = p.attachments[0]?.content.body ?? [];
    const shown = body.filter((b) => b.text.startsWith("• ")).length;
    expect(shown).toBeGreaterThan(50);
    expect(body.at(-1)?.text).toBe(`…and ${(1000 - shown).toLocaleString("en")} more`);
  });

  it("has no action when the message has none", () => {
    expect(teams(message({ action: undefined })).attachments[0]?.content.actions).toEqual([]);
  });
});

describe("text helpers", () => {
  it("escape exactly what each product interprets", () => {
    expect(slackEscape("a & <b> *c*")).toBe("a &amp; &lt;b&gt; *c*");
    expect(teamsEscape("a\\b [c] `d` ~e~")).toBe("a\\\\b \\[c\\] \\`d\\` \\~e\\~");
  });

  it("clip never splits a surrogate pair", () => {
    expect(clip("ab😀cd", 4)).toBe("ab…");
    expect(clip("short", 10)).toBe("short");
  });
});

describe("chatUrlProblems", () => {
  const slackUrl = "https://hooks.slack.com/services/T000/B000/XXXX";
  it("accepts Slack incoming webhooks and any https URL for Teams", () => {
    expect(chatUrlProblems("slackWebhookUrl", "slack", slackUrl, false)).toEqual([]);
    expect(chatUrlProblems("slackWebhookUrl", "slack", "https://hooks.slack-gov.com/services/A/B/C", false)).toEqual(
      [],
    );
    expect(
      chatUrlProblems("teamsWebhookUrl", "teams", "https://prod-01.westeurope.logic.azure.com/workflows/1", false),
    ).toEqual([]);
  });

  it("refuses other Slack hosts and paths, plain http, credentials and non-URLs, naming the field", () => {
    expect(chatUrlProblems("slackWebhookUrl", "slack", "https://example.com/services/x", false)).toEqual([
      "slackWebhookUrl: must be a Slack incoming-webhook URL, https://hooks.slack.com/services/…",
    ]);
    expect(chatUrlProblems("slackWebhookUrl", "slack", "https://hooks.slack.com/triggers/x", false)).toHaveLength(1);
    expect(chatUrlProblems("teamsWebhookUrl", "teams", "http://example.com/hook", false)).toEqual([
      "teamsWebhookUrl: must start with https://",
    ]);
    expect(chatUrlProblems("teamsWebhookUrl", "teams", "https://u:p@example.com/hook", false)).toEqual([
      "teamsWebhookUrl: must not contain a user name or password",
    ]);
    expect(chatUrlProblems("teamsWebhookUrl", "teams", "hooks.slack.com", false)[0]).toMatch(
      /^teamsWebhookUrl: must be an absolute URL/,
    );
  });

  it("accepts any http(s) URL when the instance allows private URLs", () => {
    expect(chatUrlProblems("slackWebhookUrl", "slack", "http://127.0.0.1:9000/slack", true)).toEqual([]);
    expect(chatUrlProblems("slackWebhookUrl", "slack", "ftp://127.0.0.1/slack", true)).toHaveLength(1);
  });
});

describe("maskWebhookUrl", () => {
  it("keeps the origin and a fingerprint, never the secret path", () => {
    const url = "https://hooks.slack.com/services/T000/B000/SECRETSECRET";
    const masked = maskWebhookUrl(url);
    expect(masked).toMatch(/^https:\/\/hooks\.slack\.com\/… \(sha256 [0-9a-f]{8}\)$/);
    expect(masked).not.toContain("SECRET");
    expect(maskWebhookUrl(`${url}X`)).not.toBe(masked);
    expect(maskWebhookUrl(null)).toBeNull();
  });
});

describe("chatTargetsOf", () => {
  const org = { slackWebhookUrl: "https://org/slack", teamsWebhookUrl: "https://org/teams" };
  const team = (id: string, parentId: string | null, over: Partial<ChatTeam> = {}): ChatTeam => ({
    id,
    parentId,
    slackWebhookUrl: null,
    teamsWebhookUrl: null,
    ...over,
  });

  it("takes the team's own URLs, then the nearest ancestor's, then the organisation's", () => {
    const teams = [
      team("root", null, { teamsWebhookUrl: "https://root/teams" }),
      team("mid", "root"),
      team("leaf", "mid", { slackWebhookUrl: "https://leaf/slack" }),
      team("other", null),
    ];
    expect(chatTargetsOf("leaf", teams, org)).toEqual([
      { kind: "slack", url: "https://leaf/slack", from: "team", teamId: "leaf" },
    ]);
    expect(chatTargetsOf("mid", teams, org)).toEqual([
      { kind: "teams", url: "https://root/teams", from: "ancestor", teamId: "root" },
    ]);
    expect(chatTargetsOf("other", new Map(teams.map((t) => [t.id, t])), org)).toEqual([
      { kind: "slack", url: "https://org/slack", from: "organization", teamId: null },
      { kind: "teams", url: "https://org/teams", from: "organization", teamId: null },
    ]);
    expect(chatTargetsOf(null, [], { slackWebhookUrl: null, teamsWebhookUrl: null })).toEqual([]);
  });

  it("stops at a missing ancestor or a loop", () => {
    expect(chatTargetsOf("a", [team("a", "gone")], org)).toHaveLength(2);
    expect(chatTargetsOf("a", [team("a", "b"), team("b", "a")], org).map((t) => t.from)).toEqual([
      "organization",
      "organization",
    ]);
  });
});
