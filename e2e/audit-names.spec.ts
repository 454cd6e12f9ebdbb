import { expect, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

const RUN = Date.now().toString(36);

/** The audit trail's row whose object cell holds this text. */
const rowWith = (page: Page, text: string) =>
  page.getByRole("table", { name: "Changes, newest first" }).getByRole("row").filter({ hasText: text }).first();

test("the audit trail names its objects in words, says whose account a token is for, and a deleted KPI as such", async ({
  page,
}) => {
  const call = client(page.request);
  const walt = await call("POST", "/users", {
    name: `Walt Walker ${RUN}`,
    email: `walt${RUN}@demo.example`,
    role: "member",
    invite: false,
  });
  await call("POST", `/users/${walt.id}/tokens`, { name: `walk ${RUN}` });
  const kpi = await call("POST", "/kpis", { name: `Weekly visitors ${RUN}` });
  await call("POST", `/kpis/${kpi.id}/values`, { value: 42 });
  const gone = await call("POST", "/kpis", { name: `Old metric ${RUN}` });
  await call("POST", `/kpis/${gone.id}/values`, { value: 7 });
  await call("DELETE", `/kpis/${gone.id}`);

  const periodId = (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId;
  const goal = await call("POST", "/objectives", { title: `Open more stores ${RUN}`, level: "organization", periodId });
  const kr = await call("POST", `/objectives/${goal.id}/key-results`, {
    title: `Ten new stores ${RUN}`,
    type: "increase",
    start: 0,
    target: 10,
  });
  await call("POST", `/key-results/${kr.id}/check-ins`, { value: 3 });
  const top = await call("POST", "/objectives", { title: `Grow the company ${RUN}`, level: "organization", periodId });
  await call("POST", "/alignments", {
    childType: "objective",
    childId: goal.id,
    parentType: "objective",
    parentId: top.id,
  });

  await signIn(page);
  await page.goto("/admin/audit");
  await expect(rowWith(page, "aligned")).toContainText(`Open more stores ${RUN} → Grow the company ${RUN}`);
  await expect(rowWith(page, "checked in")).toContainText(`on Ten new stores ${RUN}`);
  await expect(rowWith(page, "checked in").getByRole("link", { name: `Ten new stores ${RUN}` })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();

  const token = rowWith(page, `walk ${RUN}`);
  await expect(token).toContainText(`for Walt Walker ${RUN}`);
  await expect(token).toContainText("API token");

  const value = rowWith(page, `Weekly visitors ${RUN}`);
  await expect(value).toContainText("KPI");
  // The id stays, as a detail beside the name.
  await expect(value).toContainText(`id ${kpi.id.slice(0, 8)}`);

  // The deleted KPI's deletion recorded its name; its value's entry did not: "deleted KPI".
  const goneValue = page
    .getByRole("row")
    .filter({ hasText: "kpi value added" })
    .filter({ hasText: `id ${gone.id.slice(0, 8)}` });
  await expect(goneValue).toContainText("deleted KPI");
  await expect(
    page
      .getByRole("row")
      .filter({ hasText: "kpi deleted" })
      .filter({ hasText: `Old metric ${RUN}` }),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/audit-names-1400.png` });
  await noSeriousA11yViolations(page);

  await token.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/audit-names-1400-token.png` });

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(token).toContainText(`for Walt Walker ${RUN}`);
  // The table scrolls sideways on a phone: bring the object column into view.
  await rowWith(page, "checked in").getByText(`on Ten new stores ${RUN}`).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/audit-names-390.png` });
});

test("a public objective's history says 'a private objective' for a parent its reader may not see, after that parent is deleted too", async ({
  page,
}) => {
  const call = client(page.request);
  const me = await call("GET", "/me");
  const periodId = (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId;
  const secret = await call("POST", "/objectives", {
    title: `Quiet acquisition ${RUN}`,
    level: "individual",
    ownerIds: [me.user.id],
    periodId,
    visibility: "private",
  });
  const open = await call("POST", "/objectives", { title: `Open plan ${RUN}`, level: "organization", periodId });
  await call("POST", "/alignments", {
    childType: "objective",
    childId: open.id,
    parentType: "objective",
    parentId: secret.id,
  });
  const member = await call("POST", "/users", {
    name: `Mia Member ${RUN}`,
    email: `mia${RUN}@demo.example`,
    role: "member",
    invite: false,
  });
  const memberToken = (await call("POST", `/users/${member.id}/tokens`, { name: "e2e" })).token as string;

  // The admin sees the parent named.
  await signIn(page);
  await page.goto(`/objectives/${open.id}`);
  const history = page.locator(".mantine-Card-root").filter({ has: page.getByRole("heading", { name: "Activity" }) });
  await expect(history).toContainText(`aligned: Open plan ${RUN} → Quiet acquisition ${RUN}`);

  await call("DELETE", `/objectives/${secret.id}`);
  await signIn(page, memberToken);
  await page.goto(`/objectives/${open.id}`);
  await expect(history).toContainText(`aligned: Open plan ${RUN} → a private objective`);
  await expect(page.getByText(`Quiet acquisition ${RUN}`)).toHaveCount(0);
  await history.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/audit-names-history-private.png` });
});
