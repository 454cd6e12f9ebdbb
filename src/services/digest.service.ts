/**
 * The weekly digest (#12, okr-method §7): once a week, on the organisation's digest weekday from
 * its reminder hour, each person gets one notice (in the app, and by email when that is their
 * channel) saying what moved on their key results this week, which of them became a risk, and
 * which check-ins are due. A team lead (a team's owner) also gets, per team led, the team
 * dashboard's movers and new risks, who has not checked in, and the coach's top findings.
 *
 * Everyone active gets one, observers included: what it holds follows from what they own and
 * lead, so an observer with nothing is skipped as "nothing to say". Each person's part is read
 * as that person (their guard), so a lead's digest names only objectives the lead may see.
 * At most once per person and week: the delivery key `digest:<userId>:<weekOf>` is claimed in
 * the transaction that records the notice.
 *
 * Cost: people are read a page at a time; per person, their own key results (bounded), and per
 * team led, the dashboard and the coach as the lead would read them and the team's key results
 * a page at a time. Past figures are evaluated only for key results checked in this week.
 */
import { digestQueries } from "../db/digest-queries.js";
import { notificationQueries } from "../db/notification-queries.js";
import { grantOrgScope } from "../db/org-scope.js";
import { organizationRepo } from "../db/repositories.js";
import { rhythmQueries } from "../db/rhythm-queries.js";
import { type Cadence, localDate, type Weekday, weekdayOf } from "../domain/cadence.js";
import { addDays, DAY_MS } from "../domain/periods.js";
import { type ChatPostResult, channelKey, chatSettingsOf, postToTarget, targetsOfUrls } from "./chat.js";
import type { ChatMessage } from "./chat-format.js";
import type { Services } from "./context.js";
import { writeTransaction } from "./context.js";
import { channelDigestOf, type DigestRun, digestOf } from "./digest-content.js";
import { loadOrgContext } from "./evaluation.js";
import { absoluteUrl, notify } from "./notify.service.js";
import { rhythmOf } from "./rhythm.js";

export interface DigestSummary {
  /** The local date of this week's digest day. */
  weekOf: string;
  /** Why nothing was sent (not the digest weekday, or before the hour), when so. */
  notYet?: string;
  sent: { userId: string; name: string; channel: "email" | "inApp"; sections: string[] }[];
  /** Digest off, quiet day, already sent this week, nothing to say. */
  skipped: { userId: string; name: string; reason: string }[];
  /** The chat channels (the organisation's and teams' own) told the week's news, and how it went. */
  chat: ChatPostResult[];
}

const WEEK_MS = 7 * DAY_MS;
const PEOPLE_PAGE = 100;
const WEEKDAYS = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/**
 * Sends the organisation's weekly digests (once per person per week). `force`: ignore the
 * weekday/hour (an admin's "run now"). Answers who got one (with its sections) and who was
 * skipped and why. Throws NOT_FOUND for an unknown organisation.
 */
export async function runDigests(
  svc: Services,
  orgId: string,
  opts: { nowMs: number; force: boolean },
): Promise<DigestSummary> {
  const scope = grantOrgScope(orgId);
  const ex = svc.database.db;
  // Every read and write of the run, the dashboard's and the coach's included, sees this clock.
  const at: Services = { ...svc, now: () => opts.nowMs };
  const org = await organizationRepo.get(ex, scope);
  const ctx = await loadOrgContext(ex, scope, org);
  const rhythm = rhythmOf(org);
  const timeZone = ctx.settings.timeZone;
  const today = localDate(opts.nowMs, timeZone);
  const weekOf = digestDayOf(today, rhythm.digestWeekday as Weekday);
  const summary: DigestSummary = { weekOf, sent: [], skipped: [], chat: [] };
  if (!opts.force) {
    const weekday = weekdayOf(today);
    if (weekday !== rhythm.digestWeekday) {
      const next = addDays(weekOf, 7);
      return {
        ...summary,
        notYet: `Today (${today}) is a ${WEEKDAYS[weekday]}; the digest goes out on ${WEEKDAYS[rhythm.digestWeekday]}s, next on ${next}.`,
      };
    }
    const hour = localHour(opts.nowMs, timeZone);
    if (hour < rhythm.reminderHour) {
      return {
        ...summary,
        notYet: `The digest goes out from ${String(rhythm.reminderHour).padStart(2, "0")}:00 (${timeZone}); it is ${String(hour).padStart(2, "0")}:00 now.`,
      };
    }
  }
  const run: DigestRun = {
    svc: at,
    ex,
    scope,
    org,
    ctx,
    nowMs: opts.nowMs,
    sinceMs: opts.nowMs - WEEK_MS,
    today,
    cadence: rhythm.cadence,
    teams: new Map(
      (await rhythmQueries.teamCadences(ex, scope)).map((t) => [
        t.id,
        { id: t.id, parentId: t.parentId, cadence: (t.cadence as Cadence | null) ?? null },
      ]),
    ),
    periods: [...ctx.periods.values()]
      .filter((p) => p.startDate <= today && today <= p.endDate)
      .sort((a, b) => a.startDate.localeCompare(b.startDate) || a.id.localeCompare(b.id)),
  };
  const quiet = weekdayOf(today);

  let after: string | null = null;
  for (;;) {
    const page = await digestQueries.people(ex, scope, after, PEOPLE_PAGE);
    if (page.length === 0) break;
    after = page.at(-1)?.id ?? null;
    const ids = page.map((p) => p.id);
    const prefs = await notificationQueries.preferences(ex, scope, ids);
    const led = await digestQueries.ownedTeams(ex, scope, ids);
    const keyOf = (userId: string) => `digest:${userId}:${weekOf}`;
    const done = await digestQueries.delivered(ex, scope, ids.map(keyOf));
    for (const person of page) {
      const skip = (reason: string) => summary.skipped.push({ userId: person.id, name: person.name, reason });
      const p = prefs.get(person.id);
      if (!p?.digest) {
        skip("digest off");
        continue;
      }
      if (p.quietDays.includes(quiet)) {
        skip(`quiet day (${WEEKDAYS[quiet]})`);
        continue;
      }
      if (done.has(keyOf(person.id))) {
        skip("already sent this week");
        continue;
      }
      const sections = await digestOf(
        run,
        person,
        led.filter((t) => t.userId === person.id),
      );
      if (sections.length === 0) {
        skip("nothing to say");
        continue;
      }
      const delivered = await writeTransaction(at, { scope, actorId: null }, async (t) => {
        // Claimed in the write that records the notice: a second run, or a second instance, finds it.
        if (!(await rhythmQueries.claimDelivery(t.tx, t.scope, keyOf(person.id)))) return false;
        await notify(at, t, null, [
          {
            userId: person.id,
            kind: "digest",
            objectType: "user",
            objectId: person.id,
            objectiveId: null,
            title: `Your weekly OKR digest, week of ${weekOf}`,
            body: `This week in Okra: ${sections.map((s) => `${s.heading} (${s.items.length})`).join(", ")}.`,
            link: "/",
            items: sections.flatMap((s) => s.items.map((i) => ({ ...i, heading: s.heading }))),
          },
        ]);
        return true;
      });
      if (!delivered) {
        skip("already sent this week");
        continue;
      }
      summary.sent.push({
        userId: person.id,
        name: person.name,
        channel: p.channel === "email" && svc.mailer ? "email" : "inApp",
        sections: sections.map((s) => s.heading),
      });
    }
    if (page.length < PEOPLE_PAGE) break;
  }
  await postDigestsToChats(run, weekOf, summary);
  return summary;
}

/**
 * The week's news in each chat channel: the organisation's channel gets the organisation's
 * dashboard part, a team with a channel of its own gets its team's (sub-teams included), read as
 * `channelAudience` (public objectives only). Once per channel and week, recorded before posting;
 * a channel with nothing to say gets nothing.
 */
async function postDigestsToChats(run: DigestRun, weekOf: string, summary: DigestSummary): Promise<void> {
  const { svc, scope, org } = run;
  const channels = [
    { teamId: null, name: org.name, targets: targetsOfUrls(chatSettingsOf(org), "organization", null) },
    ...(await rhythmQueries.teamsWithChat(run.ex, scope)).map((t) => ({
      teamId: t.id,
      name: t.name,
      targets: targetsOfUrls(t, "team", t.id),
    })),
  ];
  for (const channel of channels) {
    if (channel.targets.length === 0) continue;
    const sections = await channelDigestOf(run, channel);
    if (sections.length === 0) continue;
    const message: ChatMessage = {
      title: `Weekly OKR digest: ${channel.name}, week of ${weekOf}`,
      summary: `This week in ${channel.name}: ${sections.map((s) => `${s.heading.slice(channel.name.length + 2)} (${s.items.length})`).join(", ")}.`,
      sections: sections.map((s) => ({
        heading: s.heading,
        items: s.items.map((i) => ({
          text: i.detail ? `${i.text} — ${i.detail}` : i.text,
          ...(i.link ? { url: absoluteUrl(svc, i.link) } : {}),
        })),
      })),
      action: {
        label: "Open the dashboard",
        url: absoluteUrl(svc, `/dashboard${channel.teamId ? `?team=${channel.teamId}` : ""}`),
      },
    };
    for (const target of channel.targets) {
      const fresh = await writeTransaction(svc, { scope, actorId: null }, (t) =>
        rhythmQueries.claimDelivery(t.tx, scope, `chat-digest:${channelKey(target)}:${weekOf}`),
      );
      if (fresh) summary.chat.push(await postToTarget(svc, target, message));
    }
  }
}

/** This week's digest day: the latest date on or before `today` that falls on `weekday`. */
function digestDayOf(today: string, weekday: Weekday): string {
  return addDays(today, -((weekdayOf(today) - weekday + 7) % 7));
}

/** The hour (0–23) of an instant on the wall clock of a time zone. */
function localHour(atMs: number, timeZone: string): number {
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" })
    .formatToParts(new Date(atMs))
    .find((p) => p.type === "hour")?.value;
  return Number(hour ?? 0);
}
