/**
 * The dashboard's history and scope, the period in view, and the coach on a phone:
 * - a team's dashboard says once what every card covers (the team and the teams under it), and
 *   "Objectives by status" counts the same objectives as "Teams by status"; an objective created
 *   today is in no "status change since last week";
 * - opening an objective or key result of another period puts that period in the header, so the
 *   nav links then open it;
 * - on a phone the Explorer's coach is one line above the results, and opens on demand.
 */
import { type Browser, expect, test } from "@playwright/test";
import { client, SHOTS, signIn } from "./support.js";

async function pageIn(browser: Browser, width: number) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  return { page, close: () => context.close() };
}

interface Team {
  id: string;
  name: string;
}
interface Period {
  id: string;
  name: string;
}

test.describe.configure({ mode: "serial" });

test("a team's dashboard covers the team and the teams under it on every card; today's objective has no past", async ({
  browser,
  request,
}) => {
  const api = client(request);
  const teams = (await api("GET", "/teams?limit=100")).items as Team[];
  const eng = teams.find((t) => t.name === "Engineering")!;
  const periods = (await api("GET", "/periods")).items as (Period & { kind: string; startDate: string })[];
  const today = new Date().toISOString().slice(0, 10);
  const current = periods.find(
    (p) => p.kind === "quarter" && p.startDate <= today && (p as never as { endDate: string }).endDate >= today,
  )!;
  const title = "E2E: a hiring machine made today";
  await api("POST", "/objectives", { title, level: "team", teamId: eng.id, periodId: current.id });

  const dash = await api("GET", `/dashboard?periodId=${current.id}&teamId=${eng.id}`);
  const ownAndUnder = (dash.teams as { objectives: number }[]).reduce((n, r) => n + r.objectives, 0);

  for (const width of [1400, 390]) {
    const { page, close } = await pageIn(browser, width);
    await page.goto(`/dashboard?period=${current.id}&team=${eng.id}`);
    await expect(page.getByRole("heading", { name: "Dashboard", level: 2 })).toBeVisible();
    await expect(page.getByTestId("dashboard-scope")).toHaveText(
      new RegExp(`^Every card covers Engineering and the ${dash.teams.length - 1} teams? under it\\.$`),
    );
    // "Objectives by status" counts the team's and its sub-teams' objectives, as "Teams by status" does.
    const statuses = page
      .locator("section, div")
      .filter({ has: page.getByRole("heading", { name: "Objectives by status" }) })
      .last();
    await expect(statuses.getByText(String(ownAndUnder), { exact: true }).first()).toBeVisible();
    // Today's objective is not a status change since last week.
    const changes = page.getByRole("region", { name: "What changed since last week" });
    await expect(changes.getByRole("heading", { name: "Status changes" })).toBeVisible();
    await expect(changes.getByText(title)).toHaveCount(0);
    await expect(page.getByText("Today's objectives, each counted from when it was created")).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/dashboard-scope-${width}.png`, fullPage: true });
    await close();
  }
});

test("opening an objective or key result of another period shows that period in the header", async ({
  browser,
  request,
}) => {
  const api = client(request);
  const sprint = await api("POST", "/periods", {
    name: "E2E sprint",
    kind: "custom",
    startDate: "2026-11-16",
    endDate: "2026-12-11",
  });
  const o = await api("POST", "/objectives", {
    title: "E2E: learn the query planner",
    level: "organization",
    periodId: sprint.id,
  });
  const kr = await api("POST", `/objectives/${o.id}/key-results`, {
    title: "E2E: plans read",
    type: "increase",
    start: 0,
    target: 10,
  });

  for (const width of [1400, 390]) {
    const { page, close } = await pageIn(browser, width);
    // Straight to the objective, with no period in the address: the header takes the objective's.
    await page.goto(`/objectives/${o.id}`);
    await expect(page.getByRole("heading", { name: "E2E: learn the query planner", level: 2 })).toBeVisible();
    await expect(page.getByRole("banner").getByLabel("Period", { exact: true })).toHaveValue("E2E sprint");
    await expect(page).toHaveURL(new RegExp(`period=${sprint.id}`));
    await page.screenshot({ path: `${SHOTS}/period-header-objective-${width}.png` });
    // From a page of another period, a key result's page switches the header too.
    await page.goto(`/key-results/${kr.id}`);
    await expect(page.getByRole("heading", { name: "E2E: plans read" })).toBeVisible();
    await expect(page.getByRole("banner").getByLabel("Period", { exact: true })).toHaveValue("E2E sprint");
    if (width === 1400) {
      // The nav links then open that period.
      await page.getByRole("link", { name: "Dashboard" }).click();
      await expect(page).toHaveURL(new RegExp(`/dashboard\\?.*period=${sprint.id}`));
      await expect(page.getByRole("banner").getByLabel("Period", { exact: true })).toHaveValue("E2E sprint");
    }
    await page.screenshot({ path: `${SHOTS}/period-header-kr-${width}.png` });
    await close();
  }
});

test("on a phone the Explorer's coach is one line above the results, and opens on demand", async ({ browser }) => {
  const { page, close } = await pageIn(browser, 390);
  await page.goto("/explorer");
  const coach = page.getByRole("region", { name: /^Coach: \d+ findings?$/ });
  await expect(coach).toBeVisible();
  const box = await coach.boundingBox();
  expect(box!.height).toBeLessThan(80);
  await page.screenshot({ path: `${SHOTS}/explorer-coach-390-collapsed.png` });
  await coach.getByRole("button", { name: "Show" }).click();
  const open = page.getByRole("region", { name: "Coach" });
  await expect(open.getByRole("listitem").first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/explorer-coach-390-open.png` });
  await open.getByRole("button", { name: "Hide" }).click();
  await expect(page.getByRole("region", { name: /^Coach: \d+ findings?$/ })).toBeVisible();
  await close();

  // At 1400 px the panel stays as it was.
  const wide = await pageIn(browser, 1400);
  await wide.page.goto("/explorer");
  await expect(wide.page.getByRole("region", { name: "Coach" }).getByRole("listitem").first()).toBeVisible();
  await wide.page.screenshot({ path: `${SHOTS}/explorer-coach-1400.png` });
  await wide.close();
});
