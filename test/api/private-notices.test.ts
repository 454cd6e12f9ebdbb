/**
 * What goes out about a private objective reaches only those who may see it: a check-in reminder
 * is not sent to a key result's owner who may not see its objective (it would name it), a
 * manager's escalation lists only key results whose objectives the manager may see, and the
 * explorer's export names no parent the reader may not see.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenForEmail } from "../../src/services/auth.service.js";
import { type ApiHarness, factories, startApi } from "../support/api.js";
import { DATABASE_KINDS } from "../support/databases.js";

describe.each(DATABASE_KINDS)("private objectives in notices and exports on %s", (kind) => {
  let api: ApiHarness;
  let f: ReturnType<typeof factories>;
  let periodId: string;
  const people: Record<string, { id: string; token: string }> = {};
  let secret: { id: string; title: string };
  let teamKr: { id: string; title: string };
  let strangersKr: { id: string; title: string };
  const as = (who: string, method: string, url: string) =>
    api.call(method, url, undefined, { authorization: `Bearer ${people[who]!.token}` });
  const notices = async (who: string) => JSON.stringify((await as(who, "GET", "/notifications")).body);

  beforeAll(async () => {
    api = await startApi(kind, Date.UTC(2026, 1, 1, 12));
    f = factories(api);
    periodId = (await f.period()).id;
    for (const name of ["pia", "kai", "boss", "dana"]) {
      const email = `${name}@notices.example`;
      const u = await f.user({ name: `${name[0]!.toUpperCase()}${name.slice(1)}`, email, role: "member" });
      people[name] = { id: u.id, token: (await createTokenForEmail(api.database, email)).token };
    }
    // Kai reports to Boss and owns the private objective's team; Boss and Dana do not.
    expect((await api.call("PATCH", `/users/${people.kai!.id}`, { managerId: people.boss!.id })).status).toBe(200);
    const team = await f.team({ name: "Skunkworks", ownerIds: [people.kai!.id] });
    secret = await f.objective(periodId, {
      title: "Enter the Nordic market in secret",
      level: "team",
      teamId: team.id,
      ownerIds: [people.pia!.id],
      visibility: "private",
    });
    teamKr = await f.keyResult(secret.id, { title: "Sign three Nordic distributors", ownerIds: [people.kai!.id] });
    strangersKr = await f.keyResult(secret.id, { title: "Hire a country lead quietly", ownerIds: [people.dana!.id] });
    const kais = await f.objective(periodId, { title: "Make onboarding painless", ownerIds: [people.kai!.id] });
    await f.keyResult(kais.id, { title: "Cut time to first value to two days", ownerIds: [people.kai!.id] });
    // A public objective aligned under the private one (allowed: public under private).
    const below = await f.objective(periodId, { title: "Translate the product", ownerIds: [people.dana!.id] });
    await f.align("objective", below.id, "objective", secret.id);
  }, 120_000);
  afterAll(() => api?.close());

  it("reminds nobody of a key result whose objective they may not see, and escalates only what the manager may see", async () => {
    expect((await as("dana", "GET", `/objectives/${secret.id}`)).status).toBe(404);
    expect((await as("boss", "GET", `/objectives/${secret.id}`)).status).toBe(404);
    expect((await as("kai", "GET", `/objectives/${secret.id}`)).status).toBe(200);
    // Three Mondays without a check-in: reminders each week, then an escalation to Kai's manager.
    for (const day of [2, 9, 16]) {
      api.clock.now = Date.UTC(2026, 1, day, 10);
      const run = await api.call("POST", "/jobs/reminders/run");
      expect(run.status).toBe(200);
      if (day === 2) {
        const skipped = JSON.stringify(run.body);
        expect(skipped).toContain("may not see its private objective");
      }
    }
    const dana = await notices("dana");
    expect(dana).not.toContain(secret.title);
    expect(dana).not.toContain(strangersKr.title);
    // Kai may see it: reminded of both of their key results.
    expect(await notices("kai")).toContain(teamKr.title);
    const boss = await notices("boss");
    expect(boss).toContain("has missed check-ins");
    expect(boss).toContain("Cut time to first value to two days");
    expect(boss).not.toContain(teamKr.title);
    expect(boss).not.toContain(secret.title);
  });

  it("exports a public objective without naming a parent the reader may not see", async () => {
    const csv = (await as("boss", "GET", `/exports/okrs?format=csv&periodId=${periodId}`)).body as unknown;
    const text = typeof csv === "string" ? csv : JSON.stringify(csv);
    expect(text).toContain("Translate the product");
    expect(text).not.toContain(secret.id);
    expect(text).not.toContain(secret.title);
    // Pia, who may see it, gets the parent.
    const own = await as("pia", "GET", `/exports/okrs?format=csv&periodId=${periodId}`);
    const ownText = typeof own.body === "string" ? own.body : JSON.stringify(own.body);
    expect(ownText).toContain(secret.id);
  });
});
