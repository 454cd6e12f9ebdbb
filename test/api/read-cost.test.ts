/**
 * One person's reads cost what their answer holds (#10): in an organisation ten times the size,
 * reading a key result or an objective as of last week, a team's series, a team's tree or the
 * tree under one objective, a team's list and one person's objectives send the same statements
 * and read the same number of rows. Counted, not timed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";
import { recordStatements } from "../support/statements.js";

interface Org {
  api: ApiHarness;
  /** A team lead's token: a member whose reads check private objectives and their own reports. */
  leadToken: string;
  periodId: string;
  teamId: string;
  ownerId: string;
  objectiveId: string;
  krId: string;
}

const WEEK_AGO = "2026-02-08T12:00:00.000Z";

describe.each(DATABASE_KINDS)("what one person's read costs on %s", (kind) => {
  const sizes = [3, 30] as const;
  const orgs = new Map<number, Org>();

  beforeAll(async () => {
    for (const size of sizes) {
      const api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
      const f = factories(api);
      const periodId = (await f.period()).id;
      const company = await f.objective(periodId, { title: "Company", level: "organization" });
      let first: Omit<Org, "api" | "periodId" | "leadToken"> | null = null;
      // Each team: a lead, a team objective under the company's with two key results, and a
      // member's objective aligned under the team's, all with check-ins.
      for (let t = 0; t < size; t++) {
        const lead = await f.user({ name: `Lead ${t}`, email: `lead${t}@cost.test` });
        const team = await f.team({ name: `Team ${t}`, ownerIds: [lead.id] });
        const o = await f.objective(periodId, {
          title: `Team ${t} objective`,
          level: "team",
          teamId: team.id,
          ownerIds: [lead.id],
        });
        await f.align("objective", o.id, "objective", company.id);
        let krId = "";
        for (let k = 0; k < 2; k++) {
          const kr = await f.keyResult(o.id, { title: `KR ${t}.${k}`, start: 0, target: 100, ownerIds: [lead.id] });
          await f.checkIn(kr.id, { value: 10 + k, at: "2026-01-20T10:00:00Z" });
          await f.checkIn(kr.id, { value: 30 + t, at: "2026-02-12T10:00:00Z" });
          krId = kr.id;
        }
        const mine = await f.objective(periodId, {
          title: `Lead ${t}'s own`,
          level: "individual",
          ownerIds: [lead.id],
        });
        const own = await f.keyResult(mine.id, { title: `Own ${t}`, start: 0, target: 10, ownerIds: [lead.id] });
        await f.checkIn(own.id, { value: 4, at: "2026-02-01T10:00:00Z" });
        await f.align("objective", mine.id, "objective", o.id);
        // Each lead manages a report, who keeps a private objective: the lead may see it, others not.
        const report = await f.user({ name: `Report ${t}`, email: `report${t}@cost.test`, managerId: lead.id });
        await f.objective(periodId, {
          title: `Report ${t}'s private plan`,
          level: "individual",
          ownerIds: [report.id],
          visibility: "private",
        });
        first ??= { teamId: team.id, ownerId: lead.id, objectiveId: o.id, krId };
      }
      const leadToken = (await createTokenForEmail(api.database, "lead0@cost.test")).token;
      orgs.set(size, { api, periodId, leadToken, ...first! });
    }
  }, 300_000);
  afterAll(async () => {
    for (const { api } of orgs.values()) await api.close();
  });

  const reads: [string, (o: Org) => string][] = [
    ["a key result as of last week", (o) => `/key-results/${o.krId}?asOf=${WEEK_AGO}`],
    ["an objective as of last week", (o) => `/objectives/${o.objectiveId}?asOf=${WEEK_AGO}`],
    ["a team's progress over time", (o) => `/series?periodId=${o.periodId}&teamId=${o.teamId}`],
    ["a team's tree", (o) => `/tree?periodId=${o.periodId}&teamId=${o.teamId}`],
    ["the tree under one objective", (o) => `/tree?periodId=${o.periodId}&rootId=${o.objectiveId}`],
    ["a team's list", (o) => `/objectives?periodId=${o.periodId}&teamId=${o.teamId}&limit=20`],
    ["a team's list as of last week", (o) => `/objectives?teamId=${o.teamId}&limit=20&asOf=${WEEK_AGO}`],
    ["one person's objectives", (o) => `/objectives?ownerId=${o.ownerId}&limit=20`],
    ["a key result", (o) => `/key-results/${o.krId}`],
    ["a team's dashboard", (o) => `/dashboard?periodId=${o.periodId}&teamId=${o.teamId}`],
  ];

  const who = [
    ["an admin", () => ({})],
    ["a team lead", (o: Org) => ({ authorization: `Bearer ${o.leadToken}` })],
  ] as const;

  describe.each(who)("as %s", (_who, headers) => {
    it.each(reads)("reads as many rows for %s in an organisation ten times the size", async (_what, url) => {
      const costs = [];
      for (const size of sizes) {
        const org = orgs.get(size)!;
        await org.api.call("GET", "/me", undefined, headers(org)); // a token's last use is recorded at most once a minute
        let status = 0;
        const log = await recordStatements(org.api, async () => {
          status = (await org.api.call("GET", url(org), undefined, headers(org))).status;
        });
        expect(status).toBe(200);
        costs.push({ statements: log.length, rows: log.reduce((n, s) => n + s.rows, 0) });
      }
      expect(costs[0]!.rows).toBeGreaterThan(0);
      expect(costs[1]).toEqual(costs[0]);
    });
  });
});
