/**
 * "Send a test message": posts a short message to the chat channels an organisation or a team
 * is set up with and says, per channel, whether it arrived — so whoever set a webhook URL can
 * check it before reminders depend on it. Nothing is stored or audited.
 */
import { teamRepo } from "../db/repositories.js";
import {
  type ChatKind,
  type ChatMessage,
  type ChatTarget,
  chatSettingsOf,
  chatTargetsOf,
  loadChatTargets,
  postChat,
} from "./chat.js";
import { type Actor, read, type Services } from "./context.js";

/** What happened on one channel. */
export interface ChatTestResult {
  kind: ChatKind;
  ok: boolean;
  error?: string;
  from: ChatTarget["from"];
  teamId: string | null;
}

function testMessage(svc: Services, intro: string): ChatMessage {
  return {
    title: "Test message from Okra",
    summary: "Okra can post to this channel.",
    sections: [{ items: [{ text: intro }] }],
    ...(svc.publicUrl ? { action: { label: "Open Okra", url: svc.publicUrl } } : {}),
  };
}

/** Posts `m` to every target at once; a failure on one channel does not stop the other. */
async function sendAll(svc: Services, targets: ChatTarget[], m: ChatMessage): Promise<ChatTestResult[]> {
  return Promise.all(
    targets.map(async (t): Promise<ChatTestResult> => {
      const where = { kind: t.kind, from: t.from, teamId: t.teamId };
      try {
        await postChat(svc, t.kind, t.url, m);
        return { ...where, ok: true };
      } catch (err) {
        return { ...where, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/**
 * Posts a test message to the organisation's own Slack and Teams channels (admins; FORBIDDEN
 * otherwise). Answers one result per channel set — none when neither is.
 */
export async function testOrganizationChat(svc: Services, actor: Actor): Promise<{ results: ChatTestResult[] }> {
  const { targets, name } = await read(svc, actor, async ({ org, guard }) => {
    guard.assertAdmin("send a test message to the organisation's chat channels");
    return { targets: chatTargetsOf(null, [], chatSettingsOf(org)), name: org.name };
  });
  const m = testMessage(svc, `${name} will post check-in reminders and digests to this channel.`);
  return { results: await sendAll(svc, targets, m) };
}

/**
 * Posts a test message to where the team's messages go: its own channels, else its nearest
 * ancestor's, else the organisation's (`chatTargetsOf`); each result says whose URL it used.
 * For the team's owners and admins (FORBIDDEN otherwise; NOT_FOUND for no such team).
 */
export async function testTeamChat(
  svc: Services,
  actor: Actor,
  teamId: string,
): Promise<{ results: ChatTestResult[] }> {
  const { targets, name } = await read(svc, actor, async ({ ex, scope, org, guard }) => {
    const team = await teamRepo.get(ex, scope, teamId);
    await guard.assertCanEditTeam(teamId);
    return { targets: await loadChatTargets(ex, scope, org, teamId), name: team.name };
  });
  const m = testMessage(svc, `Check-in reminders and digests of the team ${name} will be posted to this channel.`);
  return { results: await sendAll(svc, targets, m) };
}
