/**
 * Test-only setup for the journeys' server (playwright.config.ts runs it before `serve`, on
 * the same data directory): loads the demo workspace, then records notices for the admin the
 * journeys sign in as, through the server's own `notify` — nothing in the API sends notices
 * yet. Writes what the notification journey needs (ids, unsubscribe tokens) to
 * `<data dir>/e2e-notifications.json`. The embedded database allows one process at a time,
 * so this runs and closes before the server opens it.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "../src/cli/config.js";
import { openDatabase } from "../src/db/database.js";
import { grantOrgScope } from "../src/db/org-scope.js";
import { bootstrap } from "../src/services/auth.service.js";
import type { Actor, Services } from "../src/services/context.js";
import { writeTransaction } from "../src/services/context.js";
import { loadDemo } from "../src/services/demo.service.js";
import { type NoticeInput, notify, unsubscribeToken } from "../src/services/notify.service.js";

/** How many older notices fill the centre past its first page (20). */
const FILLER = 22;

const config = loadConfig();
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await database.migrate();
  await bootstrap(database, {
    organizationName: config.organizationName,
    adminEmail: config.adminEmail,
    bootstrapToken: config.bootstrapToken,
  });
  const admin = await database.db.query.users.findFirst({
    where: (u, { and, eq }) => and(eq(u.isInstanceAdmin, true), eq(u.active, true)),
  });
  if (!admin) throw new Error("no admin after bootstrap");
  const actor: Actor = {
    userId: admin.id,
    orgId: admin.orgId,
    scope: grantOrgScope(admin.orgId),
    role: admin.role,
    access: "write",
    isInstanceAdmin: true,
  };
  await loadDemo(database, actor, Date.now());

  const maya = await database.db.query.users.findFirst({
    where: (u, { and, eq }) => and(eq(u.orgId, admin.orgId), eq(u.email, "maya@fernhill.example")),
  });
  const kr = await database.db.query.keyResults.findFirst({
    where: (k, { and, eq, isNull }) =>
      and(eq(k.orgId, admin.orgId), eq(k.progressMode, "manual"), eq(k.type, "increase"), isNull(k.deletedAt)),
    orderBy: (k, { asc }) => [asc(k.createdAt), asc(k.id)],
  });
  if (!maya || !kr) throw new Error("the demo workspace has no Maya or no manual key result");
  const objective = await database.db.query.objectives.findFirst({
    where: (o, { and, eq }) => and(eq(o.orgId, admin.orgId), eq(o.id, kr.objectiveId)),
  });
  if (!objective) throw new Error("the key result has no objective");

  const svc: Services = { database, now: Date.now, emit: () => {} };
  const send = (notices: NoticeInput[]) =>
    writeTransaction(svc, { scope: actor.scope, actorId: maya.id }, (t) => notify(svc, t, maya.id, notices));
  const pause = () => new Promise((r) => setTimeout(r, 20));

  await send(
    Array.from({ length: FILLER }, (_, i) => ({
      userId: admin.id,
      kind: "change",
      objectType: "objective",
      objectId: objective.id,
      objectiveId: objective.id,
      title: `Older update ${i + 1} on “${objective.title}”`,
      link: `/objectives/${objective.id}`,
    })),
  );
  await pause();
  await send([
    {
      userId: admin.id,
      kind: "reminder",
      objectType: "user",
      objectId: admin.id,
      objectiveId: null,
      title: "Your check-ins are due",
      body: "See every key result waiting for your check-in.",
      link: "/?due=1",
    },
  ]);
  await pause();
  await send([
    {
      userId: admin.id,
      kind: "mention",
      objectType: "objective",
      objectId: objective.id,
      objectiveId: objective.id,
      title: `Maya Lindqvist mentioned you on “${objective.title}”`,
      body: "Can you look at the numbers before Friday?",
      link: `/objectives/${objective.id}`,
    },
  ]);
  await pause();
  await send([
    {
      userId: admin.id,
      kind: "reminder",
      objectType: "keyResult",
      objectId: kr.id,
      objectiveId: objective.id,
      title: `Time to check in: ${kr.title}`,
      body: "Your weekly check-in is due.",
      link: `/key-results/${kr.id}?checkIn=1`,
    },
  ]);

  const fixtures = {
    adminId: admin.id,
    keyResult: { id: kr.id, title: kr.title },
    objective: { id: objective.id, title: objective.title },
    notices: FILLER + 3,
    tokens: {
      email: await unsubscribeToken(database.db, admin.orgId, admin.id, "email"),
      digest: await unsubscribeToken(database.db, admin.orgId, admin.id, "digest"),
    },
  };
  writeFileSync(path.join(config.dataDir, "e2e-notifications.json"), `${JSON.stringify(fixtures, null, 2)}\n`);
  console.log(`e2e: demo loaded and ${fixtures.notices} notices recorded for the admin`);
} finally {
  await database.close();
}
