/**
 * What one person's weekly digest says (#12), read as that person so their guard applies: their
 * own key results (what moved this week, new risks, check-ins due) and, per team they lead, the
 * team dashboard's movers and new risks, who has not checked in, and the coach's top findings.
 * `runDigests` (digest.service.ts) decides who gets one and delivers it.
 */
import { dashboardQueries } from "../db/dashboard-queries.js";
import type { Executor } from "../db/database.js";
import { digestQueries } from "../db/digest-queries.js";
import { notificationQueries } from "../db/notification-queries.js";
import type { OrgScope } from "../db/org-scope.js";
import type { OrganizationRow } from "../db/repositories.js";
import { rhythmQueries } from "../db/rhythm-queries.js";
import { type Cadence, type CadenceTeam, checkInDue, effectiveCadence } from "../domain/cadence.js";
import type { Finding } from "../domain/coach.js";
import type { Status } from "../domain/types.js";
import { STATUS_WORDS } from "../domain/words.js";
import { createGuard } from "./access.js";
import type { Actor, Services } from "./context.js";
import { getDashboard } from "./dashboard.service.js";
import { type Derived, evaluateAsOf, keyResultState, type OrgContext, storedDerived } from "./evaluation.js";
import type { NoticeItem } from "./notify.service.js";
import { getCoach } from "./view.service.js";

/** A person's own key results the digest looks at, latest check-in first. */
const OWN_KEY_RESULTS = 200;
const TEAM_KEY_RESULTS_PAGE = 500;
/** Pages of a team's key results read for "who has not checked in" at most. */
const TEAM_KEY_RESULT_PAGES = 10;
const ITEMS_PER_SECTION = 10;
const TOP_FINDINGS = 3;
const RISKS: readonly Status[] = ["atRisk", "behind"];
const SEVERITY_ORDER: Record<Finding["severity"], number> = { error: 0, warn: 1, info: 2 };

/** What one run knows of the organisation, shared by every person's digest. */
export interface DigestRun {
  svc: Services;
  ex: Executor;
  scope: OrgScope;
  org: OrganizationRow;
  ctx: OrgContext;
  nowMs: number;
  sinceMs: number;
  today: string;
  cadence: Cadence;
  teams: Map<string, CadenceTeam>;
  /** Periods containing today, earliest start first. */
  periods: { id: string; startDate: string }[];
}

export interface DigestSection {
  heading: string;
  items: NoticeItem[];
}

const percent = (p: number | null | undefined) => `${Math.round((p ?? 0) * 100)} %`;

/** At most ITEMS_PER_SECTION items, then a line saying how many more there are. */
function capped(items: NoticeItem[], more: { link: string; detail?: string }): NoticeItem[] {
  if (items.length <= ITEMS_PER_SECTION) return items;
  return [
    ...items.slice(0, ITEMS_PER_SECTION),
    { text: `… and ${items.length - ITEMS_PER_SECTION} more`, link: more.link, detail: more.detail },
  ];
}

/** One person's digest: their own sections, then each led team's; empty when there is nothing to say. */
export async function digestOf(
  run: DigestRun,
  person: { id: string; name: string; role: string },
  led: readonly { teamId: string; name: string; parentId: string | null }[],
): Promise<DigestSection[]> {
  const actor: Actor = {
    userId: person.id,
    orgId: run.scope.orgId,
    scope: run.scope,
    role: person.role,
    access: "read",
    isInstanceAdmin: false,
  };
  const sections = await ownSections(run, actor);
  // A team under another team the person leads is already in that team's dashboard.
  const ledIds = new Set(led.map((t) => t.teamId));
  for (const team of led) {
    if (!underAnother(team.teamId, ledIds, run.teams)) sections.push(...(await teamSections(run, actor, team)));
  }
  return sections.filter((s) => s.items.length > 0);
}

function underAnother(teamId: string, led: ReadonlySet<string>, teams: ReadonlyMap<string, CadenceTeam>): boolean {
  const seen = new Set([teamId]);
  let parent = teams.get(teamId)?.parentId ?? null;
  while (parent !== null && !seen.has(parent)) {
    if (led.has(parent)) return true;
    seen.add(parent);
    parent = teams.get(parent)?.parentId ?? null;
  }
  return false;
}

/** What moved on the person's key results this week, which became a risk, and which check-ins are due. */
async function ownSections(run: DigestRun, actor: Actor): Promise<DigestSection[]> {
  const { ex, scope, ctx, nowMs, sinceMs } = run;
  const sees = await createGuard(ex, scope, actor, run.org).seer();
  const own = (await digestQueries.ownKeyResults(ex, scope, actor.userId, run.today, OWN_KEY_RESULTS)).filter((r) =>
    sees(r.objective),
  );
  const checkedIn = own.filter(
    (r) => r.kr.progressMode === "manual" && r.kr.lastCheckInAt && r.kr.lastCheckInAt.getTime() >= sinceMs,
  );
  // Only what was checked in this week can have other figures a week ago: its own check-ins replay.
  const past = checkedIn.length
    ? await evaluateAsOf(ex, scope, ctx, sinceMs, { objective: [], keyResult: checkedIn.map((r) => r.kr.id) })
    : new Map<string, Derived>();

  const moved: NoticeItem[] = checkedIn.map(({ kr, objective }) => {
    const now = storedDerived("keyResult", kr);
    const status = keyResultState(kr, objective, now, ctx, nowMs).status;
    return {
      text: kr.title,
      link: `/key-results/${kr.id}`,
      detail: `${percent(past.get(`keyResult:${kr.id}`)?.progress)} → ${percent(now.progress)}, ${STATUS_WORDS[status]} · ${objective.title}`,
    };
  });

  const risks: NoticeItem[] = own.flatMap(({ kr, objective }) => {
    const now = storedDerived("keyResult", kr);
    const status = keyResultState(kr, objective, now, ctx, nowMs).status;
    const was = keyResultState(kr, objective, past.get(`keyResult:${kr.id}`) ?? now, ctx, sinceMs).status;
    // As the dashboard counts them: newly behind or at risk, or gone from behind to at risk.
    if (!RISKS.includes(status) || was === status || (RISKS.includes(was) && was !== "behind")) return [];
    return [
      {
        text: kr.title,
        link: `/key-results/${kr.id}`,
        detail: `now ${STATUS_WORDS[status]} (a week ago ${STATUS_WORDS[was]}) · ${objective.title}`,
      },
    ];
  });

  const due: NoticeItem[] = own.flatMap(({ kr, objective }) => {
    if (kr.progressMode !== "manual") return [];
    const verdict = dueVerdict(run, objective.teamId, objective.periodId, kr.lastCheckInAt);
    if (!verdict?.due) return [];
    return [
      {
        text: kr.title,
        link: `/key-results/${kr.id}`,
        detail: `check-in due since ${verdict.dueDate}${kr.lastCheckInAt ? "" : ", never checked in"} · ${objective.title}`,
      },
    ];
  });

  const explorer = { link: `/explorer?owner=${actor.userId}` };
  return [
    { heading: "What moved this week", items: capped(moved, explorer) },
    { heading: "New risks", items: capped(risks, explorer) },
    { heading: "Check-ins due", items: capped(due, explorer) },
  ];
}

/** What the reminder rule says of a key result today, or null outside a known period. */
function dueVerdict(run: DigestRun, teamId: string | null, periodId: string | null, lastCheckInAt: Date | null) {
  const period = periodId ? run.ctx.periods.get(periodId) : undefined;
  if (!period) return null;
  return checkInDue({
    cadence: effectiveCadence(teamId, run.teams, run.cadence),
    anchor: period.startDate,
    lastCheckInMs: lastCheckInAt ? lastCheckInAt.getTime() : null,
    nowMs: run.nowMs,
    timeZone: run.ctx.settings.timeZone,
  });
}

/**
 * Who a chat channel's digest is read as: nobody in particular, an observer who leads no team,
 * owns nothing and manages nobody, so only public objectives count (a channel's audience is
 * unknown, as for the reminder summaries).
 */
export function channelAudience(scope: OrgScope): Actor {
  return {
    userId: "00000000-0000-0000-0000-000000000000",
    orgId: scope.orgId,
    scope,
    role: "observer",
    access: "read",
    isInstanceAdmin: false,
  };
}

/**
 * A chat channel's weekly digest: the team's part as `teamSections` builds it, read as
 * `channelAudience`; `team.teamId` null for the organisation's channel (its whole dashboard, and
 * no list of people who have not checked in).
 */
export async function channelDigestOf(
  run: DigestRun,
  team: { teamId: string | null; name: string },
): Promise<DigestSection[]> {
  return (await teamSections(run, channelAudience(run.scope), team)).filter((s) => s.items.length > 0);
}

/**
 * A led team's part (`teamId` null: the organisation's): the dashboard's movers and new risks,
 * who has not checked in, the coach's top findings.
 */
async function teamSections(
  run: DigestRun,
  lead: Actor,
  team: { teamId: string | null; name: string },
): Promise<DigestSection[]> {
  const teamQuery = team.teamId ? { teamId: team.teamId } : {};
  const up: NoticeItem[] = [];
  const risks: NoticeItem[] = [];
  const findings: (Finding & { periodId: string })[] = [];
  // The dashboard and the coach as the lead reads them: their guards leave out what the lead may not see.
  for (const period of run.periods) {
    const dash = await getDashboard(run.svc, lead, { periodId: period.id, ...teamQuery });
    for (const m of [...dash.changes.up, ...dash.changes.down]) {
      up.push({
        text: m.title,
        link: `/key-results/${m.id}`,
        detail: `${percent(m.before)} → ${percent(m.after)}${m.owners.length ? ` · ${m.owners.map((o) => o.name).join(", ")}` : ""}`,
      });
    }
    for (const r of dash.changes.newRisks) {
      risks.push({
        text: r.title,
        link: r.type === "objective" ? `/objectives/${r.id}` : `/key-results/${r.id}`,
        detail: `now ${STATUS_WORDS[r.status]} (a week ago ${STATUS_WORDS[r.from]})${r.owners.length ? ` · ${r.owners.map((o) => o.name).join(", ")}` : ""}`,
      });
    }
    const coach = await getCoach(run.svc, lead, { periodId: period.id, ...teamQuery });
    findings.push(...coach.items.map((f) => ({ ...f, periodId: period.id })));
  }
  const top = findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || a.i - b.i)
    .slice(0, TOP_FINDINGS)
    .map(({ f }) => ({
      text: f.message,
      link:
        f.objectType === "objective"
          ? `/objectives/${f.objectId}`
          : f.objectType === "keyResult"
            ? `/key-results/${f.objectId}`
            : `/dashboard?period=${f.periodId}${team.teamId ? `&team=${team.teamId}` : ""}`,
      detail: `coach: ${f.severity}`,
    }));
  const query = [team.teamId ? `team=${team.teamId}` : "", run.periods[0] ? `period=${run.periods[0].id}` : ""];
  const dashboard = { link: `/dashboard?${query.filter(Boolean).join("&")}` };
  const late = team.teamId ? await notCheckedIn(run, lead, { teamId: team.teamId }) : [];
  return [
    { heading: `${team.name}: what moved`, items: capped(up, dashboard) },
    { heading: `${team.name}: new risks`, items: capped(risks, dashboard) },
    { heading: `${team.name}: who has not checked in`, items: capped(late, dashboard) },
    { heading: `${team.name}: the coach's top findings`, items: top },
  ];
}

/**
 * The people with key results due in the team (and the teams under it) and no check-in within
 * the cadence, each with those key results; only objectives the lead may see count.
 */
async function notCheckedIn(run: DigestRun, lead: Actor, team: { teamId: string }): Promise<NoticeItem[]> {
  const { ex, scope } = run;
  const sees = await createGuard(ex, scope, lead, run.org).seer();
  const teamIds = [team.teamId, ...(await dashboardQueries.teamsUnder(ex, scope, team.teamId)).map((t) => t.id)];
  const dueOf = new Map<string, { title: string; id: string }[]>();
  let after: string | null = null;
  for (let page = 0; page < TEAM_KEY_RESULT_PAGES; page++) {
    const rows = await rhythmQueries.reminderCandidates(ex, scope, run.today, after, TEAM_KEY_RESULTS_PAGE, teamIds);
    for (const k of rows) {
      if (!sees({ level: k.level, teamId: k.teamId, ownerIds: k.objectiveOwnerIds, visibility: k.visibility }))
        continue;
      const verdict = checkInDue({
        cadence: effectiveCadence(k.teamId, run.teams, run.cadence),
        anchor: k.periodStart,
        lastCheckInMs: k.lastCheckInAt ? k.lastCheckInAt.getTime() : null,
        nowMs: run.nowMs,
        timeZone: run.ctx.settings.timeZone,
      });
      if (!verdict.due) continue;
      // Who checks in: the key result's owners, else its objective's.
      for (const userId of k.ownerIds.length ? k.ownerIds : k.objectiveOwnerIds) {
        dueOf.set(userId, [...(dueOf.get(userId) ?? []), { id: k.id, title: k.title }]);
      }
    }
    if (rows.length < TEAM_KEY_RESULTS_PAGE) break;
    after = rows.at(-1)?.id ?? null;
  }
  const people = (await notificationQueries.recipients(ex, scope, [...dueOf.keys()])).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  return people.map((p) => {
    const krs = dueOf.get(p.id) ?? [];
    return {
      text: p.name,
      link: `/key-results/${krs[0]?.id}`,
      detail: `${krs.length} key result${krs.length === 1 ? "" : "s"} due: ${krs.map((k) => k.title).join(", ")}`,
    };
  });
}
