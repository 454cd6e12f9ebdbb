/**
 * Check-in reminders and escalation (#12, okr-method §7). Once a day, from the organisation's
 * reminder hour, each key result whose check-in is due under its team's cadence reminds its
 * check-in owner — one message per person listing all their due key results, each linking to
 * its check-in — unless it got a check-in within the cadence. After `escalateAfterMissed`
 * reminders in a row with no check-in, the owner's manager is told, once per streak.
 *
 * The check-in owner is the key result's first owner, else its objective's first owner. A
 * reminder is recorded per key result and due date (`reminders`, unique), inside the same
 * transaction as its notice: a rerun, a retry or a second app instance finds it recorded and
 * sends nothing twice. The answer says who was reminded of what, and who was skipped and why.
 */

import { notificationQueries } from "../db/notification-queries.js";
import { grantOrgScope } from "../db/org-scope.js";
import { type OrganizationRow, organizationRepo } from "../db/repositories.js";
import { type ReminderCandidate, rhythmQueries } from "../db/rhythm-queries.js";
import {
  type Cadence,
  type CadenceTeam,
  checkInDue,
  effectiveCadence,
  localDate,
  weekdayOf,
} from "../domain/cadence.js";
import { type ChatPostResult, type ChatTarget, channelKey, loadChatTargets, postToTarget } from "./chat.js";
import type { ChatMessage } from "./chat-format.js";
import type { Services } from "./context.js";
import { writeTransaction } from "./context.js";
import { settingsOf } from "./evaluation.js";
import { absoluteUrl, hiddenFrom, type NoticeInput, notify } from "./notify.service.js";
import { rhythmOf } from "./rhythm.js";

export interface ReminderSummary {
  /** The organisation's local date the run judged. */
  today: string;
  /** Why nothing was sent, when the day's reminder hour has not come (scheduled runs only). */
  notYet: string | null;
  reminded: {
    userId: string;
    name: string;
    channel: "email" | "inApp";
    keyResults: { id: string; title: string; dueDate: string }[];
  }[];
  escalated: {
    managerId: string;
    managerName: string;
    userId: string;
    name: string;
    keyResults: { id: string; title: string; missed: number }[];
  }[];
  /** Each key result not reminded although it could have been, and why (the first 200). */
  skipped: { keyResultId: string; title: string; userId: string | null; name: string | null; reason: string }[];
  counts: { considered: number; notDue: number; due: number; reminded: number; skipped: number; escalated: number };
  /** The teams' chat channels told who has check-ins due (once per channel and day), and how it went. */
  chat: ChatPostResult[];
}

const PAGE = 2000;
const SKIPPED_LISTED = 200;

function hourIn(nowMs: number, timeZone: string): number {
  const h = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(nowMs);
  return Number(h);
}

function cadenceWords(c: Cadence): string {
  const day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][c.weekday - 1];
  if (c.kind === "monthly") return `monthly, on the first ${day}`;
  return c.everyWeeks === 1 ? `every ${day}` : `every ${c.everyWeeks} weeks on ${day}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Sends the organisation's due reminders and escalations. `force` (an admin's "run now", the
 * CLI) ignores the reminder hour; the cadence rule and "once per due date" still hold.
 */
export async function runReminders(
  svc: Services,
  orgId: string,
  opts: { nowMs: number; force: boolean },
): Promise<ReminderSummary> {
  const scope = grantOrgScope(orgId);
  const ex = svc.database.db;
  const org = await organizationRepo.get(ex, scope);
  const { timeZone } = settingsOf(org);
  const rhythm = rhythmOf(org);
  const today = localDate(opts.nowMs, timeZone);
  const summary: ReminderSummary = {
    today,
    notYet: null,
    reminded: [],
    escalated: [],
    skipped: [],
    counts: { considered: 0, notDue: 0, due: 0, reminded: 0, skipped: 0, escalated: 0 },
    chat: [],
  };
  if (!opts.force && hourIn(opts.nowMs, timeZone) < rhythm.reminderHour) {
    summary.notYet = `Reminders go out from ${String(rhythm.reminderHour).padStart(2, "0")}:00 (${timeZone}).`;
    return summary;
  }
  const teams = new Map<string, CadenceTeam>(
    (await rhythmQueries.teamCadences(ex, scope)).map((t) => [
      t.id,
      { id: t.id, parentId: t.parentId, cadence: (t.cadence ?? null) as Cadence | null },
    ]),
  );
  const skip = (kr: ReminderCandidate, userId: string | null, name: string | null, reason: string) => {
    summary.counts.skipped++;
    if (summary.skipped.length < SKIPPED_LISTED)
      summary.skipped.push({ keyResultId: kr.id, title: kr.title, userId, name, reason });
  };
  // Who was reminded of what, by team, for the teams' chat channels (public objectives only: a
  // channel's audience is not Okra's to know).
  const forChat = new Map<string | null, Map<string, { name: string; titles: string[] }>>();
  // The due key results, page by page, to remind in one write per page.
  let after: string | null = null;
  for (;;) {
    const page = await rhythmQueries.reminderCandidates(ex, scope, today, after, PAGE);
    if (page.length === 0) break;
    after = page.at(-1)?.id ?? null;
    const due: { kr: ReminderCandidate; ownerId: string | null; dueDate: string; cadence: Cadence }[] = [];
    for (const kr of page) {
      summary.counts.considered++;
      const cadence = effectiveCadence(kr.teamId, teams, rhythm.cadence);
      const verdict = checkInDue({
        cadence,
        anchor: kr.periodStart,
        lastCheckInMs: kr.lastCheckInAt ? kr.lastCheckInAt.getTime() : null,
        nowMs: opts.nowMs,
        timeZone,
      });
      if (!verdict.due) {
        if (verdict.reason === "checkedIn") {
          const on = kr.lastCheckInAt ? localDate(kr.lastCheckInAt.getTime(), timeZone) : "";
          skip(kr, kr.ownerIds[0] ?? null, null, `checked in within the cadence (${cadenceWords(cadence)}), on ${on}`);
        } else summary.counts.notDue++;
        continue;
      }
      summary.counts.due++;
      due.push({ kr, ownerId: kr.ownerIds[0] ?? kr.objectiveOwnerIds[0] ?? null, dueDate: verdict.dueDate, cadence });
    }
    if (due.length === 0) {
      if (page.length < PAGE) break;
      continue;
    }
    const found = await notificationQueries.recipientsWithPreferences(
      ex,
      scope,
      due.flatMap((d) => (d.ownerId ? [d.ownerId] : [])),
    );
    const people = new Map(found.people.map((p) => [p.id, p]));
    const prefs = found.preferences;
    const already = await rhythmQueries.remindedAlready(
      ex,
      scope,
      due.map((d) => ({ keyResultId: d.kr.id, dueDate: d.dueDate })),
    );
    const weekday = weekdayOf(today);
    // A reminder names the objective: never to someone who may not see it (a private one).
    const unseen = await hiddenFrom(
      ex,
      scope,
      due.flatMap((d) => (d.ownerId ? [{ userId: d.ownerId, objectiveId: d.kr.objectiveId }] : [])),
      people,
    );
    const toSend: typeof due = [];
    for (const d of due) {
      const person = d.ownerId ? people.get(d.ownerId) : undefined;
      if (!d.ownerId) skip(d.kr, null, null, "no one owns it: give it an owner to remind");
      else if (!person) skip(d.kr, d.ownerId, null, "its owner is deactivated or gone");
      else if (unseen.has(`${d.ownerId}|${d.kr.objectiveId}`))
        skip(
          d.kr,
          person.id,
          person.name,
          "its owner may not see its private objective: make them an owner of the objective, or give the key result to someone who may",
        );
      else if (already.has(`${d.kr.id}|${d.dueDate}`))
        skip(d.kr, person.id, person.name, `already reminded of the check-in due ${d.dueDate}`);
      else if (prefs.get(person.id)?.quietDays.includes(weekday))
        skip(d.kr, person.id, person.name, `${today} is one of ${person.name}'s quiet days`);
      else toSend.push(d);
    }
    if (toSend.length > 0) {
      await writeTransaction(svc, { scope, actorId: null }, async (t) => {
        const recorded = await rhythmQueries.recordReminders(
          t.tx,
          scope,
          toSend.map((d) => ({
            userId: d.ownerId as string,
            keyResultId: d.kr.id,
            dueDate: d.dueDate,
            channel: prefs.get(d.ownerId as string)?.channel === "email" && svc.mailer ? "email" : "inApp",
          })),
        );
        const sent = new Set(recorded.map((r) => r.keyResultId));
        const byPerson = new Map<string, typeof toSend>();
        for (const d of toSend) {
          if (!sent.has(d.kr.id)) {
            // Another run recorded it between our read and this write.
            skip(
              d.kr,
              d.ownerId,
              people.get(d.ownerId as string)?.name ?? null,
              `already reminded of the check-in due ${d.dueDate}`,
            );
            continue;
          }
          const list = byPerson.get(d.ownerId as string) ?? [];
          list.push(d);
          byPerson.set(d.ownerId as string, list);
        }
        const notices: NoticeInput[] = [];
        for (const [userId, list] of byPerson) {
          const person = people.get(userId);
          if (!person) continue;
          notices.push({
            userId,
            kind: "reminder",
            objectType: "keyResult",
            objectId: list[0]?.kr.id as string,
            objectiveId: null,
            title: `Check-in due: ${plural(list.length, "key result")}`,
            body: `Hello ${person.name}, it is time to record where ${list.length === 1 ? "this key result stands" : "these key results stand"}. Each link opens its check-in.`,
            link: "/?due=1",
            items: list.map((d) => ({
              text: d.kr.title,
              link: `/key-results/${d.kr.id}?checkIn=1`,
              detail: `${d.kr.objectiveTitle} · ${d.kr.lastCheckInAt ? `last check-in ${localDate(d.kr.lastCheckInAt.getTime(), timeZone)}` : "no check-in yet"} · ${cadenceWords(d.cadence)}`,
            })),
          });
          summary.reminded.push({
            userId,
            name: person.name,
            channel: prefs.get(userId)?.channel === "email" && svc.mailer ? "email" : "inApp",
            keyResults: list.map((d) => ({ id: d.kr.id, title: d.kr.title, dueDate: d.dueDate })),
          });
          summary.counts.reminded += list.length;
          for (const d of list) {
            if (d.kr.visibility === "private") continue;
            const team = forChat.get(d.kr.teamId) ?? new Map<string, { name: string; titles: string[] }>();
            const entry = team.get(userId) ?? { name: person.name, titles: [] };
            entry.titles.push(d.kr.title);
            team.set(userId, entry);
            forChat.set(d.kr.teamId, team);
          }
        }
        await notify(svc, t, null, notices);
        // Escalation: the streak of reminders since the last check-in, told to the manager once.
        if (rhythm.escalateAfterMissed > 0) {
          const toManagers = new Map<string, Map<string, { kr: ReminderCandidate; missed: number }[]>>();
          for (const r of recorded) {
            const d = toSend.find((x) => x.kr.id === r.keyResultId);
            const person = people.get(r.userId);
            if (!d || !person?.managerId) continue;
            const streak = await rhythmQueries.streak(t.tx, scope, r.keyResultId, d.kr.lastCheckInAt);
            if (streak.length < rhythm.escalateAfterMissed || streak.some((x) => x.escalatedAt)) continue;
            await rhythmQueries.markEscalated(t.tx, scope, r.id, person.managerId, new Date(t.nowMs));
            const forManager = toManagers.get(person.managerId) ?? new Map();
            const list = forManager.get(person.id) ?? [];
            list.push({ kr: d.kr, missed: streak.length });
            forManager.set(person.id, list);
            toManagers.set(person.managerId, forManager);
          }
          const managers = new Map(
            (await notificationQueries.recipients(t.tx, scope, [...toManagers.keys()])).map((m) => [m.id, m]),
          );
          const escalations: NoticeInput[] = [];
          // A manager hears only of key results whose objective they may see.
          const unseenByManagers = await hiddenFrom(
            t.tx,
            scope,
            [...toManagers].flatMap(([managerId, reports]) =>
              [...reports.values()].flat().map((l) => ({ userId: managerId, objectiveId: l.kr.objectiveId })),
            ),
            managers,
          );
          for (const [managerId, reports] of toManagers) {
            const manager = managers.get(managerId);
            if (!manager) continue;
            for (const [userId, all] of reports) {
              const person = people.get(userId);
              const list = all.filter((l) => !unseenByManagers.has(`${managerId}|${l.kr.objectiveId}`));
              if (!person || list.length === 0) continue;
              escalations.push({
                userId: managerId,
                kind: "escalation",
                objectType: "keyResult",
                objectId: list[0]?.kr.id as string,
                // One objective's, when all are of one; else none (each was checked above).
                objectiveId: list.every((l) => l.kr.objectiveId === list[0]?.kr.objectiveId)
                  ? (list[0]?.kr.objectiveId ?? null)
                  : null,
                title: `${person.name} has missed check-ins on ${plural(list.length, "key result")}`,
                body: `${person.name} was reminded ${plural(Math.max(...list.map((l) => l.missed)), "time")} in a row without a check-in. A word from you may help.`,
                link: `/key-results/${list[0]?.kr.id}`,
                items: list.map((l) => ({
                  text: l.kr.title,
                  link: `/key-results/${l.kr.id}`,
                  detail: `${l.kr.objectiveTitle} · ${plural(l.missed, "reminder")} without a check-in`,
                })),
              });
              summary.escalated.push({
                managerId,
                managerName: manager.name,
                userId,
                name: person.name,
                keyResults: list.map((l) => ({ id: l.kr.id, title: l.kr.title, missed: l.missed })),
              });
              summary.counts.escalated += list.length;
            }
          }
          await notify(svc, t, null, escalations);
        }
      });
    }
    if (page.length < PAGE) break;
  }
  await postToChats(svc, org, today, forChat, summary);
  return summary;
}

/**
 * Tells each chat channel (a team's own, else its nearest parent's, else the organisation's)
 * who was reminded of which key results today: one message per channel and day, recorded
 * before it is posted, so a rerun posts nothing twice. A refused post is in the summary.
 */
async function postToChats(
  svc: Services,
  org: OrganizationRow,
  today: string,
  forChat: ReadonlyMap<string | null, ReadonlyMap<string, { name: string; titles: string[] }>>,
  summary: ReminderSummary,
): Promise<void> {
  const scope = grantOrgScope(org.id);
  const byChannel = new Map<string, { target: ChatTarget; people: Map<string, { name: string; titles: string[] }> }>();
  for (const [teamId, people] of forChat) {
    for (const target of await loadChatTargets(svc.database.db, scope, org, teamId)) {
      const key = channelKey(target);
      const channel = byChannel.get(key) ?? { target, people: new Map() };
      for (const [id, p] of people) {
        const entry = channel.people.get(id) ?? { name: p.name, titles: [] };
        entry.titles.push(...p.titles);
        channel.people.set(id, entry);
      }
      byChannel.set(key, channel);
    }
  }
  for (const [key, { target, people }] of byChannel) {
    const fresh = await writeTransaction(svc, { scope, actorId: null }, (t) =>
      rhythmQueries.claimDelivery(t.tx, scope, `chat-reminders:${key}:${today}`),
    );
    if (!fresh) continue;
    const list = [...people.values()].sort((a, b) => a.name.localeCompare(b.name));
    const count = list.reduce((n, p) => n + p.titles.length, 0);
    const message: ChatMessage = {
      title: `Check-ins due today: ${plural(count, "key result")}`,
      summary: `${list.map((p) => p.name).join(", ")} ${list.length === 1 ? "has" : "have"} check-ins due today.`,
      sections: list.map((p) => ({ heading: p.name, items: p.titles.map((text) => ({ text })) })),
      action: { label: "Open Okra", url: absoluteUrl(svc, "/") },
    };
    summary.chat.push(await postToTarget(svc, target, message));
  }
}
