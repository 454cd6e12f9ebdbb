/**
 * The authorisation matrix: every route × every role × a public and a private objective
 * × the same and another organisation, each asserting allow, FORBIDDEN (403) or hidden
 * (404, exactly as if the object did not exist) — and zero leaks: an answer to someone who
 * may not see the private objective never mentions it, and another organisation's answers
 * never mention this one's objects. A denied write leaves the audit trail (and so the
 * database) unchanged. The table must name every route: a new route fails this test until
 * its rule is written down here.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiRoutes } from "../../src/http/routes.js";
import { openSessionFor } from "../../src/services/account.service.js";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { ADMIN_TOKEN, type ApiHarness, orgIdOf, servicesOf, startApi } from "./api.js";
import { DATABASE_KINDS } from "./databases.js";

const WHO = ["owner", "admin", "teamOwner", "member", "observer", "otherOrg"] as const;
type Who = (typeof WHO)[number];
export type Vis = "public" | "private";
type Outcome = "allow" | "forbidden" | "hidden";

// ------------------------------------------------------------------ the rules, written down

/** Reading an object of the organisation (private ones only for those who may see them). */
const readObject = (who: Who, vis: Vis): Outcome =>
  who === "otherOrg" ? "hidden" : vis === "private" && (who === "member" || who === "observer") ? "hidden" : "allow";
/** A list of the organisation: always answered (the leak check looks inside). */
const list = (): Outcome => "allow";
/** Reading an organisation object that has no visibility of its own (period, team, person). */
const readOrgObject = (who: Who): Outcome => (who === "otherOrg" ? "hidden" : "allow");
/** Editing an objective (and its KRs, alignments, lifecycle): owners, their managers, team owners, admins. */
const editObjective = (who: Who, vis: Vis): Outcome => {
  if (who === "otherOrg") return "hidden";
  if (who === "observer") return "forbidden";
  if (who === "member") return vis === "private" ? "hidden" : "forbidden";
  return "allow";
};
/** Checking in (and changing someone's check-in): the KR's owners and delegates, and admins. */
const checkIn = (who: Who, vis: Vis): Outcome => {
  if (who === "otherOrg") return "hidden";
  if (who === "observer") return "forbidden";
  if (who === "member") return vis === "private" ? "hidden" : "forbidden";
  return who === "owner" || who === "admin" ? "allow" : "forbidden";
};
/** Organisation-wide administration, acting in one's own organisation (another org's owner acts in theirs). */
const adminCollection = (who: Who): Outcome =>
  who === "owner" || who === "admin" || who === "otherOrg" ? "allow" : "forbidden";
/** Administration of one object of this organisation. */
const adminObject = (who: Who): Outcome =>
  who === "otherOrg" ? "hidden" : who === "owner" || who === "admin" ? "allow" : "forbidden";
/** Something owned by one person (a KPI): its owners and admins. */
const ownedByOlga = (who: Who): Outcome =>
  who === "otherOrg" ? "hidden" : who === "owner" || who === "admin" ? "allow" : "forbidden";

// ------------------------------------------------------------------ the world

interface Ids {
  [k: string]: string;
}

interface Case {
  /** The outcome for this caller and visibility. */
  rule: (who: Who, vis: Vis) => Outcome;
  /** Builds the request (creating what it needs); `url` is relative to /api/v1. */
  request: (w: World, vis: Vis) => Promise<{ url: string; body?: unknown }>;
}

let seq = 0;
/** Years for "a year with its quarters": each request makes a new one. */
let yearSeq = 3000;
const unique = (s: string) => `${s} ${++seq}-${Math.random().toString(36).slice(2, 8)}`;

class World {
  private cache = new Map<string, Promise<Ids>>();
  constructor(
    readonly api: ApiHarness,
    readonly base: Ids,
    readonly olgaToken: string,
  ) {}

  async as(token: string, method: string, url: string, body?: unknown) {
    return this.api.call(method, url, body, { authorization: `Bearer ${token}` });
  }

  async admin(method: string, url: string, body?: unknown) {
    const r = await this.as(ADMIN_TOKEN, method, url, body);
    if (r.status >= 300) throw new Error(`setup ${method} ${url} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Everything an objective case needs, created once per visibility until a write succeeds. */
  slice(vis: Vis): Promise<Ids> {
    let p = this.cache.get(vis);
    if (!p) {
      p = this.build(vis);
      this.cache.set(vis, p);
    }
    return p;
  }

  invalidate() {
    this.cache.clear();
  }

  /** A new webhook that queues nothing (active: false), made by the admin. */
  inactiveWebhook(): Promise<{ id: string }> {
    return this.admin("POST", "/webhooks", {
      url: "https://hooks.example.com/okra",
      events: ["checkIn.created"],
      active: false,
    });
  }

  private async build(vis: Vis): Promise<Ids> {
    const { periodId, teamId, olgaId } = this.base;
    const title = unique(`Secret plan ${vis}`);
    const objective = await this.admin("POST", "/objectives", {
      title,
      level: "team",
      teamId,
      periodId,
      ownerIds: [olgaId],
      visibility: vis,
    });
    const kr = await this.admin("POST", `/objectives/${objective.id}/key-results`, {
      title: unique("Hidden metric"),
      type: "increase",
      start: 0,
      target: 10,
      ownerIds: [olgaId],
    });
    const checkInRes = await this.as(this.olgaToken, "POST", `/key-results/${kr.id}/check-ins`, { value: 3 });
    if (checkInRes.status !== 201) throw new Error(`setup check-in: ${JSON.stringify(checkInRes.body)}`);
    const child = await this.admin("POST", "/objectives", {
      title: unique("Child plan"),
      level: "team",
      teamId,
      periodId,
      ownerIds: [olgaId],
      visibility: vis,
    });
    const alignment = await this.admin("POST", "/alignments", {
      childType: "objective",
      childId: child.id,
      parentType: "objective",
      parentId: objective.id,
    });
    const initiative = await this.admin("POST", "/initiatives", {
      title: unique("Quiet work"),
      objectiveId: objective.id,
      keyResultId: kr.id,
      ownerIds: [olgaId],
    });
    const kpi = await this.admin("POST", "/kpis", {
      name: unique("Churn"),
      ownerIds: [olgaId],
      objectiveIds: [objective.id],
    });
    return {
      objectiveId: objective.id,
      title,
      krId: kr.id,
      krTitle: kr.title,
      checkInId: checkInRes.body.id,
      childId: child.id,
      alignmentId: alignment.id,
      initiativeId: initiative.id,
      kpiId: kpi.id,
    };
  }

  async closedObjective(vis: Vis): Promise<string> {
    const s = await this.slice(vis);
    this.invalidate();
    await this.admin("POST", `/objectives/${s.objectiveId}/close`, { score: 0.5 });
    return s.objectiveId as string;
  }

  async freshPeriod(): Promise<string> {
    const p = await this.admin("POST", "/periods", {
      name: unique("Spare"),
      kind: "custom",
      startDate: "2027-01-01",
      endDate: "2027-02-01",
    });
    return p.id;
  }

  async freshTeam(): Promise<string> {
    return (await this.admin("POST", "/teams", { name: unique("Spare team") })).id;
  }

  async freshUser(): Promise<string> {
    return (
      await this.admin("POST", "/users", {
        name: "Spare Person",
        email: `${unique("spare").replace(/\W/g, "")}@a.example`,
      })
    ).id;
  }

  /** A fresh alignment under the slice's objective, pending its side's approval (as a member's request leaves it). */
  async pendingAlignment(vis: Vis): Promise<string> {
    const s = await this.slice(vis);
    const child = await this.admin("POST", "/objectives", {
      title: unique("Asking child"),
      level: "team",
      teamId: this.base.teamId,
      periodId: this.base.periodId,
      ownerIds: [this.base.olgaId],
      visibility: vis,
    });
    const r = await this.api.database.db.execute(sql`insert into alignments
      (org_id, child_type, child_id, parent_type, parent_id, weight, contributes, state)
      select org_id, 'objective', ${child.id}, 'objective', id, 1, false, 'pending'
      from objectives where id = ${s.objectiveId} returning id`);
    const rows = ((r as unknown as { rows?: { id: string }[] }).rows ?? r) as { id: string }[];
    return rows[0]?.id as string;
  }

  /** A fresh comment by Olga on the slice's objective (#12). */
  async olgaComment(vis: Vis): Promise<string> {
    const s = await this.slice(vis);
    const r = await this.as(this.olgaToken, "POST", "/comments", {
      objectType: "objective",
      objectId: s.objectiveId,
      body: unique("A thought"),
    });
    if (r.status !== 201) throw new Error(`setup comment: ${JSON.stringify(r.body)}`);
    return r.body.id;
  }

  private reviewsOn: Promise<unknown> | null = null;

  /**
   * A fresh team draft of Olga's with a measurable key result, reviews turned on; submitted for
   * review (by an admin) when `inReview`. Its reviewers: the team's owner and the admins.
   */
  async reviewDraft(vis: Vis, inReview: boolean): Promise<string> {
    this.reviewsOn ??= this.admin("PATCH", "/settings", { reviewWorkflow: true });
    await this.reviewsOn;
    const o = await this.admin("POST", "/objectives", {
      title: unique("Draft plan"),
      level: "team",
      teamId: this.base.teamId,
      periodId: this.base.periodId,
      ownerIds: [this.base.olgaId],
      visibility: vis,
      state: "draft",
    });
    await this.admin("POST", `/objectives/${o.id}/key-results`, {
      title: unique("Draft metric"),
      type: "increase",
      start: 0,
      target: 10,
      ownerIds: [this.base.olgaId],
    });
    if (inReview) await this.admin("POST", `/objectives/${o.id}/review/submit`, {});
    return o.id;
  }

  async olgaTokenId(): Promise<string> {
    return (await this.admin("POST", `/users/${this.base.olgaId}/tokens`, { name: unique("automation") })).id;
  }
}

/** The id of Olga's newest session. */
async function olgaSessionId(w: World): Promise<string> {
  const r = await w.api.database.db.execute(
    sql`select id from sessions where user_id = ${w.base.olgaId} order by created_at desc limit 1`,
  );
  const rows = ((r as unknown as { rows?: { id: string }[] }).rows ?? r) as { id: string }[];
  return rows[0]?.id as string;
}

// ------------------------------------------------------------------ every route

const CASES: Record<string, Case> = {
  "GET /me": { rule: list, request: async () => ({ url: "/me" }) },
  "POST /organizations": {
    rule: (who) => (who === "owner" ? "allow" : "forbidden"),
    request: async () => ({
      url: "/organizations",
      body: {
        name: unique("Spin-off"),
        owner: { name: "Sam", email: `${unique("sam").replace(/\W/g, "")}@b.example` },
      },
    }),
  },
  "POST /me/password": {
    // Everyone may set their own password (the current one is checked once set).
    rule: list,
    request: async () => ({
      url: "/me/password",
      body: { currentPassword: "matrix-password-1", newPassword: "matrix-password-1" },
    }),
  },
  // The rhythm (#12): a person's own notification centre and preferences.
  "GET /notifications": { rule: list, request: async () => ({ url: "/notifications" }) },
  "POST /notifications/read": {
    rule: list,
    request: async () => ({ url: "/notifications/read", body: { all: true } }),
  },
  "GET /me/notification-preferences": { rule: list, request: async () => ({ url: "/me/notification-preferences" }) },
  "PATCH /me/notification-preferences": {
    rule: list,
    request: async () => ({ url: "/me/notification-preferences", body: { digest: true } }),
  },
  "GET /jobs": { rule: adminCollection, request: async () => ({ url: "/jobs" }) },
  "GET /jobs/:id/runs": { rule: adminCollection, request: async () => ({ url: "/jobs/email-outbox/runs" }) },
  "POST /jobs/:id/run": { rule: adminCollection, request: async () => ({ url: "/jobs/email-outbox/run" }) },
  // Collaboration (#12): comments follow their objective's visibility; observers only read and follow.
  "GET /comments": {
    rule: readObject,
    request: async (w, v) => ({ url: `/comments?objectType=objective&objectId=${(await w.slice(v)).objectiveId}` }),
  },
  "POST /comments": {
    rule: (who, vis) => (who === "observer" ? "forbidden" : readObject(who, vis)),
    request: async (w, v) => ({
      url: "/comments",
      body: { objectType: "keyResult", objectId: (await w.slice(v)).krId, body: unique("A question") },
    }),
  },
  "PATCH /comments/:id": {
    // Olga's words: only she may edit them (admins included may not), and she is not among the callers.
    rule: (who, vis) => (who !== "observer" && readObject(who, vis) === "hidden" ? "hidden" : "forbidden"),
    request: async (w, v) => ({ url: `/comments/${await w.olgaComment(v)}`, body: { body: unique("Edited") } }),
  },
  "DELETE /comments/:id": {
    // Its author or an admin (observers are refused before anything is looked up).
    rule: (who, vis) =>
      who === "observer"
        ? "forbidden"
        : readObject(who, vis) === "hidden"
          ? "hidden"
          : who === "owner" || who === "admin"
            ? "allow"
            : "forbidden",
    request: async (w, v) => ({ url: `/comments/${await w.olgaComment(v)}` }),
  },
  "PUT /comments/:id/reactions/:emoji": {
    rule: (who, vis) => (who === "observer" ? "forbidden" : readObject(who, vis)),
    request: async (w, v) => ({ url: `/comments/${await w.olgaComment(v)}/reactions/${encodeURIComponent("🎉")}` }),
  },
  "DELETE /comments/:id/reactions/:emoji": {
    rule: (who, vis) => (who === "observer" ? "forbidden" : readObject(who, vis)),
    request: async (w, v) => ({ url: `/comments/${await w.olgaComment(v)}/reactions/${encodeURIComponent("🎉")}` }),
  },
  "GET /objectives/:id/following": {
    rule: readObject,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}/following` }),
  },
  "PUT /objectives/:id/following": {
    rule: readObject,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}/following` }),
  },
  "DELETE /objectives/:id/following": {
    rule: readObject,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}/following` }),
  },
  "GET /sessions": { rule: list, request: async () => ({ url: "/sessions" }) },
  "DELETE /sessions/:id": {
    // Olga's session: nobody else can see it, admins included (they deactivate the person instead).
    rule: () => "hidden",
    request: async (w) => {
      await openSessionFor(
        servicesOf(w.api),
        { orgId: await orgIdOf(w.api), userId: w.base.olgaId as string },
        { nowMs: w.api.clock.now, method: "password" },
      );
      return { url: `/sessions/${await olgaSessionId(w)}` };
    },
  },
  "POST /auth/sign-out-everywhere": { rule: list, request: async () => ({ url: "/auth/sign-out-everywhere" }) },
  "POST /users/:id/invite": {
    rule: adminObject,
    request: async (w) => ({ url: `/users/${w.base.olgaId}/invite` }),
  },
  "GET /tokens": { rule: list, request: async () => ({ url: "/tokens" }) },
  "POST /tokens": { rule: list, request: async () => ({ url: "/tokens", body: { name: "laptop", scope: "read" } }) },
  "DELETE /tokens/:id": {
    // Someone else's token: admins may revoke it; others cannot even see it.
    rule: (who) => (who === "owner" || who === "admin" ? "allow" : "hidden"),
    request: async (w) => ({ url: `/tokens/${await w.olgaTokenId()}` }),
  },
  "POST /users/:id/tokens": {
    rule: adminObject,
    request: async (w) => ({ url: `/users/${w.base.olgaId}/tokens`, body: { name: "bot" } }),
  },

  "GET /periods": { rule: list, request: async () => ({ url: "/periods" }) },
  "POST /periods": {
    rule: adminCollection,
    request: async () => ({
      url: "/periods",
      body: { name: unique("New"), kind: "custom", startDate: "2027-03-01", endDate: "2027-03-31" },
    }),
  },
  "GET /periods/:id": { rule: readOrgObject, request: async (w) => ({ url: `/periods/${w.base.periodId}` }) },
  "PATCH /periods/:id": {
    rule: adminObject,
    request: async (w) => ({ url: `/periods/${await w.freshPeriod()}`, body: { name: unique("Renamed") } }),
  },
  "DELETE /periods/:id": { rule: adminObject, request: async (w) => ({ url: `/periods/${await w.freshPeriod()}` }) },
  "POST /periods/:id/close": {
    rule: adminObject,
    request: async (w) => ({ url: `/periods/${await w.freshPeriod()}/close`, body: {} }),
  },
  "POST /periods/years": {
    rule: adminCollection,
    request: async () => ({ url: "/periods/years", body: { year: ++yearSeq } }),
  },
  "GET /periods/:id/close-preview": {
    rule: adminObject,
    request: async (w) => ({ url: `/periods/${w.base.periodId}/close-preview` }),
  },
  "POST /periods/:id/reopen": {
    rule: adminObject,
    request: async (w) => {
      const id = await w.freshPeriod();
      await w.admin("POST", `/periods/${id}/close`, {});
      return { url: `/periods/${id}/reopen` };
    },
  },

  "GET /teams": { rule: list, request: async () => ({ url: "/teams" }) },
  "POST /teams": { rule: adminCollection, request: async () => ({ url: "/teams", body: { name: unique("Team") } }) },
  "GET /teams/:id": { rule: readOrgObject, request: async (w) => ({ url: `/teams/${w.base.teamId}` }) },
  "PATCH /teams/:id": {
    // Team owners may edit their team.
    rule: (who) => (who === "otherOrg" ? "hidden" : who === "member" || who === "observer" ? "forbidden" : "allow"),
    request: async (w) => ({ url: `/teams/${w.base.teamId}`, body: { description: unique("Updated") } }),
  },
  "DELETE /teams/:id": { rule: adminObject, request: async (w) => ({ url: `/teams/${await w.freshTeam()}` }) },

  "GET /users": { rule: list, request: async () => ({ url: "/users" }) },
  "POST /users": {
    rule: adminCollection,
    request: async () => ({
      url: "/users",
      body: { name: "New Person", email: `${unique("new").replace(/\W/g, "")}@c.example` },
    }),
  },
  "GET /users/:id": { rule: readOrgObject, request: async (w) => ({ url: `/users/${w.base.olgaId}` }) },
  "PATCH /users/:id": {
    // Someone else's record: admins only.
    rule: adminObject,
    request: async (w) => ({ url: `/users/${w.base.olgaId}`, body: { name: unique("Olga") } }),
  },
  "DELETE /users/:id": { rule: adminObject, request: async (w) => ({ url: `/users/${await w.freshUser()}` }) },

  "GET /objectives": { rule: list, request: async () => ({ url: "/objectives" }) },
  "GET /objectives/count": { rule: list, request: async () => ({ url: "/objectives/count" }) },
  "POST /objectives": {
    // A team objective: the team's owners and members (setting on by default) and admins; a
    // private one only by those who could then see it (a member creating it for Olga could not).
    rule: (who, vis) =>
      who === "observer" || (who === "member" && vis === "private")
        ? "forbidden"
        : who === "otherOrg"
          ? "hidden"
          : "allow",
    request: async (w, vis) => ({
      url: "/objectives",
      body: {
        title: unique("Team goal"),
        level: "team",
        teamId: w.base.teamId,
        periodId: w.base.periodId,
        ownerIds: [w.base.olgaId],
        visibility: vis,
      },
    }),
  },
  "GET /objectives/:id": {
    rule: readObject,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}` }),
  },
  "PATCH /objectives/:id": {
    rule: editObjective,
    request: async (w, v) => ({
      url: `/objectives/${(await w.slice(v)).objectiveId}`,
      body: { description: "new words" },
    }),
  },
  "DELETE /objectives/:id": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}` }),
  },
  "POST /objectives/:id/close": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}/close`, body: { score: 0.7 } }),
  },
  "POST /objectives/:id/reopen": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/objectives/${await w.closedObjective(v)}/reopen` }),
  },
  "POST /objectives/:id/postpone": {
    rule: editObjective,
    request: async (w, v) => ({
      url: `/objectives/${(await w.slice(v)).objectiveId}/postpone`,
      body: { periodId: w.base.nextPeriodId },
    }),
  },
  "GET /objectives/:id/key-results": {
    rule: readObject,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}/key-results` }),
  },
  "POST /objectives/:id/key-results": {
    rule: editObjective,
    request: async (w, v) => ({
      url: `/objectives/${(await w.slice(v)).objectiveId}/key-results`,
      body: { title: "Another one", type: "milestone" },
    }),
  },
  "GET /key-results/:id": {
    rule: readObject,
    request: async (w, v) => ({ url: `/key-results/${(await w.slice(v)).krId}` }),
  },
  "PATCH /key-results/:id": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/key-results/${(await w.slice(v)).krId}`, body: { description: "why" } }),
  },
  "DELETE /key-results/:id": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/key-results/${(await w.slice(v)).krId}` }),
  },

  "GET /alignments": { rule: list, request: async () => ({ url: "/alignments" }) },
  "POST /alignments": {
    rule: editObjective,
    request: async (w, v) => {
      const s = await w.slice(v);
      const other = await w.admin("POST", "/objectives", {
        title: unique("Another child"),
        level: "team",
        teamId: w.base.teamId,
        periodId: w.base.periodId,
        ownerIds: [w.base.olgaId],
        visibility: v,
      });
      return {
        url: "/alignments",
        body: { childType: "objective", childId: other.id, parentType: "objective", parentId: s.objectiveId },
      };
    },
  },
  "POST /alignments/preview": {
    // The same decision as saving the change (a preview stores nothing, so a denied one changes nothing either).
    rule: editObjective,
    request: async (w, v) => {
      const s = await w.slice(v);
      const other = await w.admin("POST", "/objectives", {
        title: unique("Another child"),
        level: "team",
        teamId: w.base.teamId,
        periodId: w.base.periodId,
        ownerIds: [w.base.olgaId],
        visibility: v,
      });
      return {
        url: "/alignments/preview",
        body: {
          action: "add",
          childType: "objective",
          childId: other.id,
          parentType: "objective",
          parentId: s.objectiveId,
        },
      };
    },
  },
  "GET /alignments/:id": {
    rule: readObject,
    request: async (w, v) => ({ url: `/alignments/${(await w.slice(v)).alignmentId}` }),
  },
  "PATCH /alignments/:id": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/alignments/${(await w.slice(v)).alignmentId}`, body: { weight: 2 } }),
  },
  "POST /alignments/:id/approve": {
    // The parent's side accepts a child's request to count toward it.
    rule: editObjective,
    request: async (w, v) => ({ url: `/alignments/${await w.pendingAlignment(v)}/approve`, body: {} }),
  },
  "DELETE /alignments/:id": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/alignments/${(await w.slice(v)).alignmentId}` }),
  },

  // The review workflow (#12): the draft's editors submit; its reviewers (here the team's owner)
  // and admins approve or send back; those who may not see a private draft get 404.
  "GET /objectives/:id/review": {
    rule: readObject,
    request: async (w, v) => ({ url: `/objectives/${await w.reviewDraft(v, false)}/review` }),
  },
  "POST /objectives/:id/review/submit": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/objectives/${await w.reviewDraft(v, false)}/review/submit`, body: {} }),
  },
  "POST /objectives/:id/review/approve": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/objectives/${await w.reviewDraft(v, true)}/review/approve`, body: {} }),
  },
  "POST /objectives/:id/review/send-back": {
    rule: editObjective,
    request: async (w, v) => ({
      url: `/objectives/${await w.reviewDraft(v, true)}/review/send-back`,
      body: { comment: "Sharper, please" },
    }),
  },
  "GET /reviews/waiting": { rule: list, request: async () => ({ url: "/reviews/waiting" }) },

  "GET /key-results/:id/check-ins": {
    rule: readObject,
    request: async (w, v) => ({ url: `/key-results/${(await w.slice(v)).krId}/check-ins` }),
  },
  "POST /key-results/:id/check-ins": {
    rule: checkIn,
    request: async (w, v) => ({ url: `/key-results/${(await w.slice(v)).krId}/check-ins`, body: { value: 4 } }),
  },
  "PATCH /check-ins/:id": {
    rule: checkIn,
    request: async (w, v) => ({ url: `/check-ins/${(await w.slice(v)).checkInId}`, body: { note: "typo fixed" } }),
  },
  "DELETE /check-ins/:id": {
    rule: checkIn,
    request: async (w, v) => ({ url: `/check-ins/${(await w.slice(v)).checkInId}` }),
  },

  "GET /initiatives": { rule: list, request: async () => ({ url: "/initiatives" }) },
  "POST /initiatives": {
    rule: editObjective,
    request: async (w, v) => ({
      url: "/initiatives",
      body: { title: unique("More work"), objectiveId: (await w.slice(v)).objectiveId },
    }),
  },
  "GET /initiatives/:id": {
    rule: readObject,
    request: async (w, v) => ({ url: `/initiatives/${(await w.slice(v)).initiativeId}` }),
  },
  "PATCH /initiatives/:id": {
    rule: editObjective,
    request: async (w, v) => ({
      url: `/initiatives/${(await w.slice(v)).initiativeId}`,
      body: { state: "inProgress" },
    }),
  },
  "DELETE /initiatives/:id": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/initiatives/${(await w.slice(v)).initiativeId}` }),
  },

  "GET /kpis": { rule: list, request: async () => ({ url: "/kpis" }) },
  "POST /kpis": {
    // Linking it to an objective needs to see that objective.
    rule: (who, vis) => (who === "observer" ? "forbidden" : readObject(who, vis)),
    request: async (w, v) => ({
      url: "/kpis",
      body: { name: unique("Uptime"), objectiveIds: [(await w.slice(v)).objectiveId] },
    }),
  },
  "GET /kpis/:id": { rule: readOrgObject, request: async (w, v) => ({ url: `/kpis/${(await w.slice(v)).kpiId}` }) },
  "PATCH /kpis/:id": {
    rule: ownedByOlga,
    request: async (w, v) => ({ url: `/kpis/${(await w.slice(v)).kpiId}`, body: { description: "watch it" } }),
  },
  "DELETE /kpis/:id": { rule: ownedByOlga, request: async (w, v) => ({ url: `/kpis/${(await w.slice(v)).kpiId}` }) },
  "POST /kpis/:id/values": {
    rule: ownedByOlga,
    request: async (w, v) => ({ url: `/kpis/${(await w.slice(v)).kpiId}/values`, body: { value: 5 } }),
  },

  "GET /tree": { rule: readOrgObject, request: async (w) => ({ url: `/tree?periodId=${w.base.periodId}` }) },
  "GET /coach": { rule: readOrgObject, request: async (w) => ({ url: `/coach?periodId=${w.base.periodId}` }) },
  "GET /series": { rule: readOrgObject, request: async (w) => ({ url: `/series?periodId=${w.base.periodId}` }) },
  "GET /dashboard": {
    rule: readOrgObject,
    request: async (w) => ({ url: `/dashboard?periodId=${w.base.periodId}` }),
  },
  "GET /tree/teams": {
    rule: readOrgObject,
    request: async (w) => ({ url: `/tree/teams?periodId=${w.base.periodId}` }),
  },
  "GET /objectives/:id/breakdown": {
    rule: readObject,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}/breakdown` }),
  },
  "GET /audit": {
    rule: (who) => (who === "owner" || who === "admin" || who === "otherOrg" ? "allow" : "forbidden"),
    request: async () => ({ url: "/audit?limit=500" }),
  },
  "GET /settings": { rule: list, request: async () => ({ url: "/settings" }) },
  "POST /imports/people": {
    rule: adminCollection,
    request: async () => ({
      url: "/imports/people",
      body: { usersCsv: `User Email,User Name\n${unique("imported").replace(/\W/g, "")}@d.example,Ida Imported\n` },
    }),
  },
  "POST /imports/okrs": {
    rule: adminCollection,
    request: async () => ({
      url: "/imports/okrs",
      body: { format: "csv", content: `Type,Title\nObjective,${unique("Imported")}\n`, dryRun: true },
    }),
  },
  "GET /imports/okrs/template": { rule: list, request: async () => ({ url: "/imports/okrs/template?format=csv" }) },
  "GET /exports/okrs": { rule: list, request: async () => ({ url: "/exports/okrs?format=csv" }) },
  "GET /exports/deck": {
    rule: readOrgObject,
    request: async (w) => ({ url: `/exports/deck?periodId=${w.base.periodId}` }),
  },
  "GET /scim-tokens": { rule: adminCollection, request: async () => ({ url: "/scim-tokens" }) },
  "POST /scim-tokens": {
    // Provisioning acts with its issuer's rank: owners only (another org's owner issues in theirs).
    rule: (who) => (who === "owner" || who === "otherOrg" ? "allow" : "forbidden"),
    request: async () => ({ url: "/scim-tokens", body: { name: unique("IdP") } }),
  },
  "DELETE /scim-tokens/:id": {
    rule: adminObject,
    request: async (w) => ({
      url: `/scim-tokens/${(await w.admin("POST", "/scim-tokens", { name: unique("IdP") })).id}`,
    }),
  },
  "GET /audit/export": {
    rule: (who) => (who === "owner" || who === "admin" || who === "otherOrg" ? "allow" : "forbidden"),
    request: async () => ({ url: "/audit/export?format=csv" }),
  },
  "GET /objectives/:id/history": {
    rule: readObject,
    request: async (w, v) => ({ url: `/objectives/${(await w.slice(v)).objectiveId}/history` }),
  },
  "GET /trash": { rule: adminCollection, request: async () => ({ url: "/trash" }) },
  "POST /trash/:id/restore": {
    rule: adminObject,
    request: async (w, v) => {
      const s = await w.slice(v);
      w.invalidate();
      await w.admin("DELETE", `/objectives/${s.objectiveId}`);
      return { url: `/trash/${s.objectiveId}/restore` };
    },
  },
  "GET /sso": { rule: adminCollection, request: async () => ({ url: "/sso" }) },
  "PUT /sso": {
    // Owners only (they choose who can sign in as anyone); another organisation's owner edits their own.
    // Disabled settings need no discovery request, so the matrix stays offline.
    rule: (who) => (who === "owner" || who === "otherOrg" ? "allow" : "forbidden"),
    request: async () => ({
      url: "/sso",
      body: { enabled: false, issuer: "https://idp.example", clientId: unique("okra"), allowedDomains: ["a.example"] },
    }),
  },
  "PATCH /settings": { rule: adminCollection, request: async () => ({ url: "/settings", body: { cadenceDays: 7 } }) },
  // No webhook URL is set in the matrix's world, so these post nothing and answer no results.
  "POST /settings/chat-test": { rule: adminCollection, request: async () => ({ url: "/settings/chat-test" }) },
  "POST /teams/:id/chat-test": {
    // Those who may change the team's URLs may check them: its owners and admins.
    rule: (who) => (who === "otherOrg" ? "hidden" : who === "member" || who === "observer" ? "forbidden" : "allow"),
    request: async (w) => ({ url: `/teams/${w.base.teamId}/chat-test` }),
  },
  // Outbound webhooks (#13): owners and admins. Inactive ones queue nothing; the replay's webhook
  // is active, with a public host that this offline machine cannot reach (the delivery fails, later).
  "GET /webhooks": { rule: adminCollection, request: async () => ({ url: "/webhooks" }) },
  "POST /webhooks": {
    rule: adminCollection,
    request: async () => ({
      url: "/webhooks",
      body: { url: "https://hooks.example.com/okra", events: ["checkIn.created"], active: false },
    }),
  },
  "PATCH /webhooks/:id": {
    rule: adminObject,
    request: async (w) => ({ url: `/webhooks/${(await w.inactiveWebhook()).id}`, body: { description: unique("d") } }),
  },
  "DELETE /webhooks/:id": {
    rule: adminObject,
    request: async (w) => ({ url: `/webhooks/${(await w.inactiveWebhook()).id}` }),
  },
  "POST /webhooks/:id/rotate-secret": {
    rule: adminObject,
    request: async (w) => ({ url: `/webhooks/${(await w.inactiveWebhook()).id}/rotate-secret` }),
  },
  "GET /webhooks/:id/deliveries": {
    rule: adminObject,
    request: async (w) => ({ url: `/webhooks/${(await w.inactiveWebhook()).id}/deliveries` }),
  },
  "POST /webhooks/:id/deliveries/:deliveryId/replay": {
    rule: adminObject,
    request: async (w) => {
      const hook = await w.admin("POST", "/webhooks", {
        url: "https://hooks.example.com/okra",
        events: ["comment.created"],
      });
      const s = await w.slice("public");
      await w.admin("POST", "/comments", { objectType: "objective", objectId: s.objectiveId, body: unique("hook") });
      await w.admin("PATCH", `/webhooks/${hook.id}`, { events: ["objective.closed"] });
      const [delivery] = (await w.admin("GET", `/webhooks/${hook.id}/deliveries`)).items;
      return { url: `/webhooks/${hook.id}/deliveries/${delivery.id}/replay` };
    },
  },
  // Data-linked key results (#13): tokens and "sync now" need edit rights on the key result; its data link reads like it.
  "GET /key-results/:id/tokens": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/key-results/${(await w.slice(v)).krId}/tokens` }),
  },
  "POST /key-results/:id/tokens": {
    rule: editObjective,
    request: async (w, v) => ({ url: `/key-results/${(await w.slice(v)).krId}/tokens`, body: { name: "CI" } }),
  },
  "DELETE /key-results/:id/tokens/:tokenId": {
    rule: editObjective,
    request: async (w, v) => {
      const { krId } = await w.slice(v);
      const token = await w.admin("POST", `/key-results/${krId}/tokens`, { name: unique("Nightly") });
      return { url: `/key-results/${krId}/tokens/${token.id}` };
    },
  },
  "GET /key-results/:id/data-link": {
    rule: readObject,
    request: async (w, v) => ({ url: `/key-results/${(await w.slice(v)).krId}/data-link` }),
  },
  "POST /key-results/:id/sync": {
    rule: editObjective,
    request: async (w, v) => {
      const { krId } = await w.slice(v);
      // A closed port: the sync answers "failed" at once, without leaving the machine.
      await w.admin("PATCH", `/key-results/${krId}`, {
        source: { kind: "json", url: "http://127.0.0.1:9/metrics", path: "$.value" },
      });
      return { url: `/key-results/${krId}/sync` };
    },
  },
};

const STATUS: Record<Outcome, (s: number) => boolean> = {
  allow: (s) => s >= 200 && s < 300,
  forbidden: (s) => s === 403,
  hidden: (s) => s === 404,
};

/** Runs the matrix for one visibility (two files, so that vitest runs them in parallel). */
export function runMatrix(visibilities: readonly Vis[]) {
  describe.each(DATABASE_KINDS)(`authorisation matrix, ${visibilities.join(" and ")} objectives (%s)`, (kind) => {
    let api: ApiHarness;
    let world: World;
    const tokens = {} as Record<Who, string>;
    const secretsOf = async (vis: Vis) => {
      const s = await world.slice(vis);
      return [s.objectiveId!, s.title!, s.krId!, s.krTitle!, s.checkInId!, s.initiativeId!];
    };

    beforeAll(async () => {
      api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
      const admin = async (method: string, url: string, body?: unknown) => {
        const r = await api.call(method, url, body);
        if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      };
      const period = await admin("POST", "/periods", {
        name: "Q1 2026",
        kind: "quarter",
        startDate: "2026-01-01",
        endDate: "2026-03-31",
      });
      const next = await admin("POST", "/periods", {
        name: "Q2 2026",
        kind: "quarter",
        startDate: "2026-04-01",
        endDate: "2026-06-30",
      });
      const person = async (name: string, email: string, role: string) =>
        (await admin("POST", "/users", { name, email, role })).id as string;
      const olgaId = await person("Olga Owner", "olga@a.example", "member");
      await person("Alan Admin", "alan@a.example", "admin");
      const tomId = await person("Tess Teamowner", "tess@a.example", "member");
      const memberId = await person("Mo Member", "mo@a.example", "member");
      await person("Oscar Observer", "oscar@a.example", "observer");
      const team = await admin("POST", "/teams", {
        name: "Growth",
        ownerIds: [tomId],
        memberIds: [olgaId, memberId],
      });
      const other = await admin("POST", "/organizations", {
        name: "Elsewhere Ltd",
        owner: { name: "Eve Elsewhere", email: "eve@b.example" },
      });
      const tokenOf = async (email: string) => (await createTokenForEmail(api.database, email)).token;
      tokens.owner = ADMIN_TOKEN;
      tokens.admin = await tokenOf("alan@a.example");
      tokens.teamOwner = await tokenOf("tess@a.example");
      tokens.member = await tokenOf("mo@a.example");
      tokens.observer = await tokenOf("oscar@a.example");
      tokens.otherOrg = other.ownerToken;
      world = new World(
        api,
        { periodId: period.id, nextPeriodId: next.id, teamId: team.id, olgaId },
        await tokenOf("olga@a.example"),
      );
    }, 60_000);

    afterAll(async () => {
      await api?.close();
    });

    it("names a rule for every route of the API", () => {
      const routes = apiRoutes.map((r) => `${r.method} ${r.url}`).sort();
      expect(Object.keys(CASES).sort()).toEqual(routes);
    });

    /** A fingerprint of everything a write can change: every write is audited, and versions move. */
    const auditHead = async () => {
      const r = await api.database.db.execute(sql`select
      (select coalesce(max(id), 0) from audit_events) as audit,
      (select coalesce(sum(version), 0) from objectives) as objectives,
      (select coalesce(sum(version), 0) from key_results) as key_results,
      (select count(*) from check_ins) as check_ins,
      (select count(*) from api_tokens where revoked_at is null) as tokens,
      (select coalesce(sum(version), 0) from users) as users`);
      return JSON.stringify((r as unknown as { rows: unknown[] }).rows ?? r);
    };

    for (const route of apiRoutes) {
      const key = `${route.method} ${route.url}`;
      it(`${key}: allow, deny or hide for every role, visibility and organisation`, async () => {
        const c = CASES[key];
        if (!c) throw new Error(`no rule for ${key}`);
        const failures: string[] = [];
        for (const vis of visibilities) {
          for (const who of WHO) {
            const expected = c.rule(who, vis);
            const req = await c.request(world, vis);
            const before = route.method === "GET" ? 0 : await auditHead();
            const res = await world.as(tokens[who], route.method, req.url, req.body);
            const where = `${who}/${vis}: ${route.method} ${req.url} answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}, expected ${expected}`;
            if (!STATUS[expected](res.status)) failures.push(where);
            if (expected === "forbidden" && res.body?.error?.code !== "FORBIDDEN") failures.push(`${where} (code)`);
            if (route.method !== "GET" && res.status >= 400 && (await auditHead()) !== before) {
              failures.push(`${where}: a denied write changed the database`);
            }
            // Zero leaks: nothing about a hidden objective in any answer.
            const cannotSeePrivate = who === "member" || who === "observer" || who === "otherOrg";
            if (res.status < 300 && (vis === "private" ? cannotSeePrivate : who === "otherOrg")) {
              const text = JSON.stringify(res.body ?? "");
              for (const secret of await secretsOf(vis)) {
                if (text.includes(secret)) failures.push(`${where}: leaks ${secret}`);
              }
            }
            if (route.method !== "GET" && res.status < 300) world.invalidate();
          }
        }
        expect(failures).toEqual([]);
      }, 120_000);
    }
  });
}
