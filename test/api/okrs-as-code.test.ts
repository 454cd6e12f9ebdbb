/**
 * OKRs as code (#13): a period's OKRs exported as a file and applied back is a no-op; a file
 * creates, then updates field by field; deletes only with prune; a problem anywhere changes
 * nothing and names its place in the file; the preview is the write rehearsed; a private
 * objective stays out of the file of someone who may not see it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grantOrgScope } from "../../src/db/org-scope.js";
import type { OkrFile } from "../../src/domain/okr-file.js";
import { parseOkrYaml, writeOkrYaml } from "../../src/integrations/okr-yaml.js";
import type { Actor, Services } from "../../src/services/context.js";
import { loadDemo } from "../../src/services/demo.service.js";
import { applyOkrFile, describeChange, planOkrFile } from "../../src/services/okr-file-apply.service.js";
import { exportOkrFile } from "../../src/services/okr-file-export.service.js";
import { type ApiHarness, factories, servicesOf, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("OKRs as code on %s", (kind) => {
  let api: ApiHarness;
  let svc: Services;
  let admin: Actor;
  let f: ReturnType<typeof factories>;
  let member: { id: string; email: string };
  let periodId: string;

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 15, 12));
    svc = servicesOf(api);
    f = factories(api);
    const me = (await api.call("GET", "/me")).body;
    admin = {
      userId: me.user.id,
      orgId: me.organization.id,
      scope: grantOrgScope(me.organization.id),
      role: "owner",
      access: "write",
      isInstanceAdmin: true,
    };
    periodId = (await f.period()).id;
    await f.period({ name: "2026", kind: "year", startDate: "2026-01-01", endDate: "2026-12-31" });
    member = await f.user({ name: "Mia Member", email: "mia@example.com", role: "member" });
    await f.user({ name: "Sam Sales", email: "sam@example.com" });
  });
  afterAll(() => api.close());

  const auditCount = async () => (await api.call("GET", "/audit?limit=500")).body.items.length as number;
  const roundTrip = (file: OkrFile) => parseOkrYaml(writeOkrYaml(file));
  /** The VALIDATION (or other) error's details, or fails when applying succeeds. */
  async function problemsOf(file: OkrFile): Promise<string[]> {
    const err = await applyOkrFile(svc, admin, file).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: "VALIDATION" });
    return (err as { details: string[] }).details;
  }

  it("export then apply changes and writes nothing, for OKRs made in the app without refs", async () => {
    const sales = await f.team({ name: "Sales", ownerIds: [member.id] });
    const company = await f.objective(periodId, { title: "Grow revenue", ownerIds: [admin.userId] });
    const arr = await f.keyResult(company.id, { title: "ARR in k EUR", start: 100, target: 250.5 });
    // A deleted key result leaves a gap in the stored positions: order is what counts.
    const gone = await f.keyResult(company.id, { title: "Soon deleted" });
    await f.keyResult(company.id, {
      title: "Uptime stays above 99.9 %",
      type: "stayAbove",
      start: null,
      target: 99.9,
      unit: "percent",
    });
    expect((await api.call("DELETE", `/key-results/${gone.id}`)).status).toBe(204);
    const team = await f.objective(periodId, {
      title: "Win the Nordics",
      level: "team",
      teamId: sales.id,
      ownerIds: [member.id],
      committed: true,
    });
    await f.objective(periodId, {
      title: "Mia's own plan",
      level: "individual",
      ownerIds: [member.id],
      visibility: "private",
    });
    const nordic = await f.keyResult(team.id, { title: "Nordic ARR", weight: 2, ownerIds: [member.id] });
    await f.align("objective", team.id, "keyResult", arr.id, { weight: 3 });
    await f.align("keyResult", nordic.id, "keyResult", arr.id, { contributes: false });
    await api.call("POST", "/initiatives", {
      objectiveId: team.id,
      keyResultId: nordic.id,
      title: "Partner deals",
      progress: 0.25,
      state: "inProgress",
    });
    await f.checkIn(nordic.id, { value: 10, at: "2026-02-01T09:00:00Z" });

    const file = roundTrip(await exportOkrFile(svc, admin, { period: "Q1 2026", checkIns: true }));
    expect(file.objectives?.map((o) => o.title)).toEqual(["Grow revenue", "Win the Nordics", "Mia's own plan"]);
    expect(file.objectives?.[2]).toMatchObject({ level: "individual", visibility: "private" });
    const exported = file.objectives?.[1];
    expect(exported).toMatchObject({
      ref: team.id,
      level: "team",
      team: "Sales",
      owners: ["mia@example.com"],
      committed: true,
      alignedTo: [{ ref: arr.id, weight: 3 }],
    });
    expect(exported?.keyResults?.[0]).toMatchObject({
      ref: nordic.id,
      weight: 2,
      alignedTo: [{ ref: arr.id, contributes: false }],
      checkIns: [{ at: "2026-02-01T09:00:00.000Z", value: 10 }],
    });
    expect(exported?.initiatives?.[0]).toMatchObject({ title: "Partner deals", keyResult: nordic.id, progress: 0.25 });
    expect(file.objectives?.[0]?.keyResults?.[0]).toMatchObject({ start: 100, target: 250.5 });

    const before = await auditCount();
    const versions = (await api.call("GET", `/objectives/${team.id}`)).body.version;
    expect(await planOkrFile(svc, admin, file)).toEqual([]);
    const result = await applyOkrFile(svc, admin, file);
    expect(result).toEqual({ changes: [], applied: false });
    expect(await auditCount()).toBe(before);
    expect((await api.call("GET", `/objectives/${team.id}`)).body.version).toBe(versions);
  });

  const NEW: OkrFile = {
    version: 1,
    period: "Q1 2026",
    teams: [{ name: "Support", description: "Helps customers" }],
    objectives: [
      {
        ref: "support-love",
        title: "Customers love our support",
        level: "team",
        team: "Support",
        owners: ["mia@example.com"],
        keyResults: [
          {
            ref: "support-csat",
            title: "CSAT",
            type: "increase",
            start: 80,
            target: 92,
            unit: "percent",
            owners: ["mia@example.com"],
          },
          {
            ref: "support-ttr",
            title: "Hours to first reply",
            type: "decrease",
            start: 12,
            target: 2,
            owners: ["sam@example.com"],
            checkIns: [
              { at: "2026-02-02", value: 10 },
              { at: "2026-02-09", value: 8, note: "New rota" },
            ],
          },
        ],
        initiatives: [{ ref: "support-rota", title: "Follow-the-sun rota", keyResult: "support-ttr" }],
        alignedTo: ["support-x"],
      },
    ],
  };

  it("creates what a file names, then updates field by field; applying again changes nothing", async () => {
    // A ref that names nothing: the whole file is refused and nothing is written.
    const before = await auditCount();
    expect(await problemsOf(NEW)).toEqual([
      'objectives[0].alignedTo[0]: no objective or key result has the ref "support-x"',
    ]);
    expect(await auditCount()).toBe(before);
    expect((await api.call("GET", "/teams?limit=100")).body.items.map((t: { name: string }) => t.name)).not.toContain(
      "Support",
    );

    const company = (await exportOkrFile(svc, admin, { period: "Q1 2026" })).objectives![0]!;
    const file: OkrFile = roundTrip({ ...NEW, objectives: [{ ...NEW.objectives![0]!, alignedTo: [company.ref] }] });
    const plan = await planOkrFile(svc, admin, file);
    expect(plan.map(describeChange)).toEqual([
      "+ create team Support",
      "+ create objective support-love (Customers love our support)",
      "+ create key result support-csat (CSAT)",
      "+ create key result support-ttr (Hours to first reply)",
      "+ create initiative support-rota (Follow-the-sun rota)",
      `+ create alignment support-love → ${company.ref}`,
      "+ add check-ins of key result support-ttr (2 check-ins)",
    ]);
    expect(await auditCount()).toBe(before);
    const applied = await applyOkrFile(svc, admin, file);
    expect(applied.changes).toEqual(plan);

    // The stored OKRs are the file's: exporting the team gives it back, refs included.
    const back = roundTrip(await exportOkrFile(svc, admin, { period: "Q1 2026", team: "Support", checkIns: true }));
    expect(back.objectives).toEqual([
      {
        ...file.objectives![0],
        keyResults: file.objectives![0]!.keyResults!.map((k) => ({
          ...k,
          ...(k.checkIns && {
            checkIns: k.checkIns.map((c) => ({ ...c, at: `${c.at}T12:00:00.000Z`, by: "admin@example.com" })),
          }),
        })),
      },
    ]);
    const ttr = (await api.call("GET", `/objectives?periodId=${periodId}&limit=100`)).body.items.find(
      (o: { title: string }) => o.title === "Customers love our support",
    );
    expect(ttr.progress).toBeGreaterThan(0);
    expect(await applyOkrFile(svc, admin, file)).toEqual({ changes: [], applied: false });

    // Edits: a title, a target, owners, the order of key results, an alignment dropped.
    const [csat, ttrKr] = file.objectives![0]!.keyResults!;
    const edited: OkrFile = {
      ...file,
      objectives: [
        {
          ...file.objectives![0]!,
          title: "Customers love talking to us",
          alignedTo: [],
          keyResults: [
            { ...ttrKr!, owners: ["mia@example.com", "sam@example.com"] },
            { ...csat!, target: 95 },
          ],
        },
      ],
    };
    const changes = (await applyOkrFile(svc, admin, edited)).changes.map(describeChange);
    expect(changes).toEqual([
      "~ update objective support-love\n    title: Customers love our support → Customers love talking to us",
      "~ update key result support-ttr\n    ownerIds: sam@example.com → mia@example.com, sam@example.com\n    position: 2 → 1",
      // Moving one key result renumbered the other: only its target is left to change.
      "~ update key result support-csat\n    target: 92 → 95",
      `- delete alignment support-love → ${company.ref}`,
    ]);
    const audit = (await api.call("GET", "/audit?limit=500")).body.items.map((a: { action: string }) => a.action);
    expect(audit).toContain("okrFile.applied");
    expect(await planOkrFile(svc, admin, edited)).toEqual([]);
  });

  it("deletes only with prune, and only objects with a ref that the file leaves out", async () => {
    const file = roundTrip(await exportOkrFile(svc, admin, { period: "Q1 2026", team: "Support" }));
    const o = file.objectives![0]!;
    const smaller: OkrFile = {
      ...file,
      objectives: [{ ...o, keyResults: o.keyResults!.slice(0, 1), initiatives: [] }],
    };
    expect(await planOkrFile(svc, admin, smaller)).toEqual([]);
    const pruned = await applyOkrFile(svc, admin, smaller, { prune: true });
    expect(pruned.changes.map(describeChange)).toEqual([
      "- delete key result support-csat (CSAT)",
      "- delete initiative support-rota (Follow-the-sun rota)",
    ]);
    // The team's file without the objective: prune deletes it; the organisation's others stay.
    const empty: OkrFile = { ...smaller, objectives: [] };
    const gone = await applyOkrFile(svc, admin, empty, { prune: true });
    expect(gone.changes.map(describeChange)).toEqual([
      "- delete objective support-love (Customers love talking to us)",
    ]);
    const left = await exportOkrFile(svc, admin, { period: "Q1 2026" });
    expect(left.objectives?.map((x) => x.title)).toEqual(["Grow revenue", "Win the Nordics", "Mia's own plan"]);
  });

  it("refuses a file whose objects break the rules, naming each place, and writes nothing", async () => {
    const before = await auditCount();
    const bad: OkrFile = {
      version: 1,
      period: "Q1 2026",
      objectives: [
        { ref: "fine", title: "A fine objective", level: "organization", owners: ["mia@example.com"] },
        {
          ref: "broken",
          title: "Broken",
          level: "organization",
          keyResults: [{ ref: "broken-kr", title: "Churn", type: "decrease", start: 5, target: 9 }],
        },
      ],
    };
    const problems = await problemsOf(bad);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^objectives\[1\]\.keyResults\[0\]\.target: /);
    expect(
      await problemsOf({ ...bad, objectives: [{ ...bad.objectives![0]!, owners: ["nobody@example.com"] }] }),
    ).toEqual([
      "objectives[0].owners[0]: nobody in this organisation has the email nobody@example.com; add the person in Okra or under people: in the file",
    ]);
    expect(await problemsOf({ ...bad, period: "Q7 2026", objectives: [bad.objectives![0]!] })).toEqual([
      'objectives[0].period: no period is named "Q7 2026"; create it in Okra or list it under periods: with its dates',
    ]);
    expect(await auditCount()).toBe(before);
    expect((await exportOkrFile(svc, admin, { period: "Q1 2026" })).objectives?.map((x) => x.title)).not.toContain(
      "A fine objective",
    );
  });

  it("leaves a private objective out of the file of someone who may not see it", async () => {
    const sam = (await api.call("GET", "/users?limit=100")).body.items.find(
      (u: { email: string }) => u.email === "sam@example.com",
    );
    const asSam: Actor = { ...admin, userId: sam.id, role: "member", isInstanceAdmin: false };
    const titles = (await exportOkrFile(svc, asSam, { period: "Q1 2026" })).objectives?.map((o) => o.title);
    expect(titles).toEqual(["Grow revenue", "Win the Nordics"]);
    const asMia: Actor = { ...asSam, userId: member.id };
    expect((await exportOkrFile(svc, asMia, { period: "Q1 2026" })).objectives?.map((o) => o.title)).toEqual([
      "Grow revenue",
      "Win the Nordics",
      "Mia's own plan",
    ]);
  });

  it("records history from a file: relative periods, closings, when objects were set, KPIs and their readings", async () => {
    // Today is 15 Feb 2026: "last quarter" is Q4 2025, "this quarter" Q1 2026.
    const text = `
version: 1
period: last quarter
periods:
  - { name: last quarter, closed: "2026-01-03T15:00:00Z", x-owner: finance }
objectives:
  - ref: winter
    title: Ship the winter release
    level: organization
    owners: [mia@example.com]
    state: closed
    created: 2025-10-01
    closing: { at: "2026-01-02T10:00:00Z", by: mia@example.com, note: Shipped late., learnings: Cut scope earlier. }
    x-notes: { reviewed: true }
    keyResults:
      - ref: winter-rc
        title: Release candidates approved
        type: increase
        start: 0
        target: 4
        owners: [mia@example.com]
        checkIns:
          - { at: 2025-10-20, value: 1, by: mia@example.com }
          - { at: "2025-12-15T09:30:00Z", value: 3, by: mia@example.com, note: Two in one week. }
  - ref: spring
    title: Plan the spring release
    level: organization
    period: this quarter
    owners: [sam@example.com]
    keyResults:
      - { ref: spring-scope, title: Features scoped, type: increase, start: 0, target: 10, owners: [sam@example.com] }
kpis:
  - name: Build minutes
    healthyMax: 15
    owners: [mia@example.com]
    objectives: [spring]
    values:
      - { at: 2026-01-05, value: 12 }
      - { at: 2026-02-02, value: 14.5, note: New test suite. }
`;
    const file = parseOkrYaml(text);
    const before = await auditCount();
    const { changes } = await applyOkrFile(svc, admin, file);
    const lines = changes.map(describeChange).join("\n");
    expect(lines).toContain("+ create period Q4 2025 (2025-10-01 to 2025-12-31)");
    expect(lines).toContain("~ update period Q4 2025\n    closed: no → 2026-01-03T15:00:00.000Z");
    expect(lines).toContain("+ add check-ins of key result winter-rc (2 check-ins)");
    expect(lines).toContain("~ update objective winter\n    state: open → closed");
    expect(lines).toContain("+ create KPI Build minutes");
    expect(lines).toContain("+ add readings of KPI Build minutes (2 readings)");
    expect(await auditCount()).toBeGreaterThan(before);

    const periods = (await api.call("GET", "/periods?limit=100")).body.items as { name: string; closedAt: string }[];
    expect(periods.find((p) => p.name === "Q4 2025")?.closedAt).toBe("2026-01-03T15:00:00.000Z");
    const all = (await api.call("GET", "/objectives?limit=100")).body.items as {
      id: string;
      title: string;
      periodId: string;
    }[];
    const winter = (await api.call("GET", `/objectives/${all.find((o) => o.title === "Ship the winter release")!.id}`))
      .body;
    expect(winter).toMatchObject({
      state: "closed",
      // 3 of 4: progress 0.75, scored to one decimal.
      score: 0.8,
      createdAt: "2025-10-01T12:00:00.000Z",
      closing: {
        closedAt: "2026-01-02T10:00:00.000Z",
        closedBy: member.id,
        note: "Shipped late.",
        learnings: "Cut scope earlier.",
        next: "",
        suggestedScore: 0.8,
      },
    });
    const kr = winter.keyResults[0];
    expect(kr.createdAt).toBe("2025-10-01T12:00:00.000Z");
    expect(kr.score).toBe(0.8);
    const checkIns = (await api.call("GET", `/key-results/${kr.id}/check-ins`)).body.items as {
      at: string;
      createdAt: string;
      authorId: string;
      value: string;
    }[];
    // History is recorded as made when it is dated, by whom the file says.
    expect(checkIns.map((c) => [c.at, c.createdAt, c.authorId, Number(c.value)])).toEqual([
      ["2025-12-15T09:30:00.000Z", "2025-12-15T09:30:00.000Z", member.id, 3],
      ["2025-10-20T12:00:00.000Z", "2025-10-20T12:00:00.000Z", member.id, 1],
    ]);
    const q1 = periods.find((p) => p.name === "Q1 2026") as unknown as { id: string };
    const spring = all.find((o) => o.title === "Plan the spring release")!;
    expect(spring.periodId).toBe(q1.id);
    const kpis = (await api.call("GET", "/kpis")).body.items as { id: string; name: string; objectiveIds: string[] }[];
    const kpi = kpis.find((k) => k.name === "Build minutes")!;
    expect(kpi.objectiveIds).toEqual([spring.id]);
    const readings = (await api.call("GET", `/kpis/${kpi.id}`)).body.values as { at: string; value: string }[];
    expect(readings.map((r) => [r.at, Number(r.value)])).toEqual([
      ["2026-01-05T12:00:00.000Z", 12],
      ["2026-02-02T12:00:00.000Z", 14.5],
    ]);

    // The same file again changes nothing: closings and readings are history, recorded once.
    expect(await planOkrFile(svc, admin, parseOkrYaml(text))).toEqual([]);
    // And the period's export says how it was closed, and applies back as a no-op.
    const exported = await exportOkrFile(svc, admin, { period: "Q4 2025", checkIns: true });
    expect(exported.periods?.find((p) => p.name === "Q4 2025")?.closed).toBe("2026-01-03T15:00:00.000Z");
    expect(exported.objectives?.find((o) => o.ref === "winter")?.closing).toEqual({
      at: "2026-01-02T10:00:00.000Z",
      by: "mia@example.com",
      score: 0.8,
      note: "Shipped late.",
      learnings: "Cut scope earlier.",
    });
    expect(exported.kpis?.find((k) => k.name === "Build minutes")).toMatchObject({
      healthyMax: 15,
      objectives: ["spring"],
      values: [
        { at: "2026-01-05T12:00:00.000Z", value: 12 },
        { at: "2026-02-02T12:00:00.000Z", value: 14.5, note: "New test suite." },
      ],
    });
    expect(await planOkrFile(svc, admin, roundTrip(exported))).toEqual([]);

    // A file may not reopen what Okra closed, and history must lie in the past.
    const reopen = roundTrip(exported);
    reopen.objectives!.find((o) => o.ref === "winter")!.state = "active";
    expect((await problemsOf(reopen)).join("\n")).toMatch(
      /objectives\[0\]\.state: "Ship the winter release" is closed in Okra/,
    );
    // (On the open quarter's key result: the closed one takes no check-ins at all now.)
    const future = parseOkrYaml(
      text.replace(
        "owners: [sam@example.com] }",
        'owners: [sam@example.com], checkIns: [{ at: "2026-03-01T09:30:00Z", value: 2, by: sam@example.com }] }',
      ),
    );
    const details = await problemsOf(future);
    expect(details).toEqual([
      "objectives[1].keyResults[0].checkIns[0].at: must not be in the future; a check-in records a value as it stands now or stood earlier",
    ]);
  });

  it("lets only an admin record check-ins in someone else's name", async () => {
    const asMia: Actor = { ...admin, userId: member.id, role: "member", isInstanceAdmin: false };
    const file: OkrFile = {
      version: 1,
      period: "Q1 2026",
      objectives: [
        {
          ref: "mia-own",
          title: "My own objective",
          level: "individual",
          owners: ["mia@example.com"],
          keyResults: [
            {
              ref: "mia-kr",
              title: "Pages written",
              type: "increase",
              start: 0,
              target: 10,
              owners: ["mia@example.com"],
              checkIns: [{ at: "2026-02-03", value: 2, by: "sam@example.com" }],
            },
          ],
        },
      ],
    };
    const err = await applyOkrFile(svc, asMia, file).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "VALIDATION",
      details: [
        "objectives[0].keyResults[0].checkIns[0].by: only admins may record check-ins in someone else's name; leave by out or give your own email",
      ],
    });
    const own = structuredClone(file);
    delete own.objectives![0]!.keyResults![0]!.checkIns![0]!.by;
    expect((await applyOkrFile(svc, asMia, own)).changes.map((c) => c.objectType)).toEqual([
      "objective",
      "keyResult",
      "checkIns",
    ]);
  });

  it("creates missing people, periods by their conventional names, and teams under their parents", async () => {
    const file: OkrFile = {
      version: 1,
      period: "Q2 2026",
      people: [{ email: "nia@example.com", name: "Nia New", manager: "mia@example.com" }],
      teams: [{ name: "Success" }, { name: "Onboarding", parent: "Success", owners: ["nia@example.com"] }],
      objectives: [
        {
          ref: "onboard",
          title: "New customers are live in a week",
          level: "team",
          team: "Onboarding",
          owners: ["nia@example.com"],
          keyResults: [
            {
              ref: "onboard-days",
              title: "Days to go live",
              type: "decrease",
              start: 20,
              target: 7,
              owners: ["nia@example.com"],
            },
          ],
        },
      ],
    };
    const changes = (await applyOkrFile(svc, admin, file)).changes.map(describeChange);
    expect(changes).toEqual([
      "+ create person nia@example.com (Nia New)",
      "+ create team Success",
      "+ create team Onboarding",
      "+ create period Q2 2026 (2026-04-01 to 2026-06-30)",
      "+ create objective onboard (New customers are live in a week)",
      "+ create key result onboard-days (Days to go live)",
    ]);
    expect(await planOkrFile(svc, admin, file)).toEqual([]);
  });
});

describe.each(DATABASE_KINDS)("the demo workspace as OKR files on %s", (kind) => {
  const NOW = Date.UTC(2026, 4, 20, 12);
  let api: ApiHarness;
  let svc: Services;
  let admin: Actor;

  beforeAll(async () => {
    api = await startApi(kind, NOW);
    svc = servicesOf(api);
    const me = (await api.call("GET", "/me")).body;
    admin = {
      userId: me.user.id,
      orgId: me.organization.id,
      scope: grantOrgScope(me.organization.id),
      role: "owner",
      access: "write",
      isInstanceAdmin: true,
    };
    expect((await loadDemo(api.database, admin, NOW)).loaded).toBe(true);
  }, 180_000);
  afterAll(() => api.close());

  // Every kind of object the demo has — sum and mean roll-ups, phased plans, a quarter's dates
  // inside a yearly objective, a non-counting alignment, drafts, a closed quarter — fits the format.
  it("exports each period with its check-ins, and applying the files back changes nothing", async () => {
    const periods = (await api.call("GET", "/periods?limit=100")).body.items.map((p: { name: string }) => p.name);
    expect(periods).toEqual(expect.arrayContaining(["2026", "Q1 2026", "Q2 2026", "Q3 2026"]));
    for (const period of periods) {
      const file = parseOkrYaml(writeOkrYaml(await exportOkrFile(svc, admin, { period, checkIns: true })));
      expect(await planOkrFile(svc, admin, file), period).toEqual([]);
    }
    const q1 = await exportOkrFile(svc, admin, { period: "Q1 2026" });
    expect(q1.objectives?.some((o) => o.state === "closed")).toBe(true);
  }, 180_000);
});
