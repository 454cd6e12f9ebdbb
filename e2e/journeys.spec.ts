import { expect, test } from "@playwright/test";
import ExcelJS from "exceljs";
import { noSeriousA11yViolations, SHOTS, signIn, TOKEN } from "./support.js";

test.describe.configure({ mode: "serial" });

test("sign in and see my OKRs", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByRole("button", { name: "Use an API token instead" }).click();
  await page.getByLabel("API token").fill("wrong-token");
  await page.getByRole("button", { name: "Sign in with the token" }).click();
  await expect(page.getByText(/not accepted/)).toBeVisible();
  await signIn(page);
  await expect(page.getByRole("heading", { name: "The organisation's objectives" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/home.png` });
  await noSeriousA11yViolations(page);
});

test("create an objective with three KRs from a template, aligned under a team KR", async ({ page }) => {
  await signIn(page);
  await page.getByRole("button", { name: "New objective" }).click();
  const dialog = page.getByRole("dialog", { name: "New objective" });
  await dialog.getByRole("combobox", { name: "Start from a template" }).click();
  await page.getByRole("option", { name: /Engineering: Ship faster/ }).click();
  await expect(dialog.getByRole("textbox", { name: "Title" })).toHaveValue("Ship faster without breaking things");
  await dialog.getByRole("textbox", { name: "Title" }).fill("Ship faster without breaking things (e2e)");
  await expect(dialog.getByRole("textbox", { name: "Key result 3" })).toHaveValue(/Uptime/);
  await dialog.getByRole("combobox", { name: "Align under" }).fill("Query engine p95");
  await page.getByRole("option", { name: /Query engine p95/ }).click();
  await page.screenshot({ path: `${SHOTS}/create-objective.png` });
  await dialog.getByRole("button", { name: "Create objective" }).click();
  // Creating four rows and an alignment, then opening the page: give a loaded CI machine time.
  await expect(page.getByRole("heading", { name: "Ship faster without breaking things (e2e)", level: 2 })).toBeVisible({
    timeout: 15_000,
  });
  await expect(page.getByRole("link", { name: "Query engine p95 in ms" })).toBeVisible();
  await expect(page.getByRole("article").getByRole("link", { name: "Deploys per week" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/objective.png` });
  await noSeriousA11yViolations(page);
});

test("check in and watch the objective's progress change in the map", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Explorer" }).click();
  await page.getByRole("textbox", { name: "Search titles" }).fill("(e2e)");
  await page.getByRole("link", { name: "Ship faster without breaking things (e2e)" }).click();
  await page.getByRole("button", { name: "Check in: Deploys per week" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("textbox", { name: "New value" }).fill("20");
  await expect(dialog.getByText("Progress: 100%")).toBeVisible();
  await expect(dialog.getByText(/would move to 33%/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/check-in.png` });
  await dialog.getByRole("button", { name: "Save check-in" }).click();
  await expect(page.getByText("Check-in saved")).toBeVisible();

  await page.getByRole("link", { name: "Alignment map" }).click();
  await page.getByRole("textbox", { name: "Find on the map" }).fill("Ship faster without breaking things");
  const node = page.getByLabel(/Ship faster without breaking things \(e2e\): 33%/);
  await expect(node).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/map.png` });
});

test("explore with a filter and export", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Explorer" }).click();
  await expect(page.getByText(/\d+ objectives/)).toBeVisible();
  await page.getByRole("combobox", { name: "Level" }).click();
  await page.getByRole("option", { name: "Individual" }).click();
  await expect(page).toHaveURL(/level=individual/);
  const rows = page.getByRole("row");
  await expect(rows.nth(1)).toContainText("Individual");
  for (const text of await page
    .getByRole("cell")
    .filter({ hasText: /^(Team|Organisation)$/ })
    .allTextContents()) {
    throw new Error(`unexpected level ${text}`);
  }
  await page.screenshot({ path: `${SHOTS}/explorer.png` });
  await page.getByRole("button", { name: "Export" }).click();
  await expect(page.getByRole("menuitem", { name: "Review deck (PowerPoint)" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/explorer-export-menu.png` });
  await noSeriousA11yViolations(page);
  const download = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: /^This view as CSV/ }).click();
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);
  // The same view with its key results, as a workbook the import reads: only individual objectives.
  await page.getByRole("button", { name: "Export" }).click();
  const workbook = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: /With key results, XLSX/ }).click();
  const file = await workbook;
  expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(await file.path());
  const sheet = book.worksheets[0];
  const header = (sheet?.getRow(1).values ?? []) as unknown[];
  const typeColumn = header.indexOf("Type");
  const levelColumn = header.indexOf("Level");
  expect(typeColumn).toBeGreaterThan(0);
  const objectives: unknown[] = [];
  sheet?.eachRow((row, n) => {
    if (n > 1 && row.getCell(typeColumn).value === "Objective") objectives.push(row.getCell(levelColumn).value);
  });
  const shown = Number((await page.getByText(/^\d+ objectives?$/).textContent())?.split(" ")[0]);
  expect(objectives).toHaveLength(shown);
  expect(new Set(objectives)).toEqual(new Set(["Individual"]));
});

test("close and score an objective", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Explorer" }).click();
  await page.getByRole("textbox", { name: "Search titles" }).fill("(e2e)");
  await page.getByRole("link", { name: "Ship faster without breaking things (e2e)" }).click();
  await page.getByRole("button", { name: "Close and score" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByText("Objective score: 0.3")).toBeVisible(); // KR scores 1.0, 0, 0
  await dialog.getByRole("textbox", { name: "Score: Change failure rate" }).fill("0.4");
  await dialog
    .getByRole("textbox", { name: "Why this score?: Change failure rate" })
    .fill("Most teams moved to trunk-based releases");
  await expect(dialog.getByText("Objective score: 0.5")).toBeVisible(); // (1.0 + 0.4 + 0)/3 = 0.47 → 0.5
  await dialog.getByRole("textbox", { name: "What we learned" }).fill("Automate the rollback first.");
  await page.screenshot({ path: `${SHOTS}/close.png` });
  await dialog.getByRole("button", { name: "Close objective" }).click();
  await expect(page.getByRole("heading", { name: "Closed with score 0.5" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Reopen" })).toBeVisible();
  // The close stays readable afterwards: each key result's score and reason, and the notes under their names.
  const closing = page.getByRole("region", { name: "Closed with score 0.5" });
  await expect(closing.getByText("— Most teams moved to trunk-based releases")).toBeVisible();
  await expect(closing.getByText("What we learned")).toBeVisible();
  await expect(closing.getByText("Automate the rollback first.")).toBeVisible();
  await closing.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/closed-objective.png` });
  // Closed: its alignments are kept as they were (reopen to change them).
  await expect(page.getByRole("button", { name: "Add a parent" })).toHaveCount(0);
  await page.getByRole("link", { name: "Change failure rate" }).first().click();
  await expect(page.getByText("Scored 0.4 at the close")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add a parent" })).toHaveCount(0);
});

test("dashboard: status, progress over time, risks and the coach", async ({ page }) => {
  const coachAsks: string[] = [];
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/coach") coachAsks.push(r.url());
  });
  await signIn(page);
  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByRole("heading", { name: "Objectives by status" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Progress over time" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Top risks" })).toBeVisible();
  // The coach names its checks in words, never by their ids.
  await expect(
    page.getByText(/^(No recent check-in|No check-in yet|Key result without an owner|Reads like a task)$/).first(),
  ).toBeVisible();
  await expect(page.getByText(/^(stale|no-check-in|kr-owner|kr-task-like)$/)).toHaveCount(0);
  // The coach comes a page at a time: the server checks the period's first objectives, not all of them.
  const coach = page.locator(".mantine-Card-root", { has: page.getByRole("heading", { name: "Coach" }) });
  await expect(coach.getByRole("listitem")).toHaveCount(12);
  await coach.getByRole("button", { name: "Load more" }).click();
  await expect.poll(() => coach.getByRole("listitem").count()).toBeGreaterThan(12);
  expect(coachAsks.length).toBeGreaterThan(1);
  for (const url of coachAsks) expect(new URL(url).searchParams.get("limit")).toBe("12");
  await coach.screenshot({ path: `${SHOTS}/dashboard-coach.png` });
  await page.getByRole("combobox", { name: "Team" }).click();
  await page.getByRole("option", { name: "Platform" }).click();
  await expect(page).toHaveURL(/team=/);
  await page.screenshot({ path: `${SHOTS}/dashboard.png` });
  await noSeriousA11yViolations(page);
});

test("settings: rename objectives and see the new word everywhere", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByRole("textbox", { name: "Objective", exact: true }).fill("Goal");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Settings saved")).toBeVisible();
  await page.getByRole("link", { name: "My OKRs" }).click();
  await expect(page.getByRole("heading", { name: "My goals" })).toBeVisible();
  await expect(page.getByRole("button", { name: "New goal" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/terminology.png` });
  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Settings", level: 2 })).toBeVisible();
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/settings.png` });
  await page.getByRole("textbox", { name: "Goal", exact: true }).fill("Objective");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Settings saved").first()).toBeVisible();
});

test("another person's check-in appears without a reload", async ({ page, request }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Explorer" }).click();
  await page.getByRole("textbox", { name: "Search titles" }).fill("Make every dashboard feel instant");
  await page.getByRole("link", { name: "Make every dashboard feel instant" }).click();
  const kr = page.getByRole("article").getByRole("link", { name: "Cache hit rate" });
  await expect(kr).toBeVisible();
  const href = await kr.getAttribute("href");
  const id = href!.split("/").pop()!;
  const res = await request.post(`/api/v1/key-results/${id}/check-ins`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    data: { value: 84.5, note: "from another browser" },
  });
  expect(res.status()).toBe(201);
  // No reload: the live stream refreshes the page.
  await expect(page.getByRole("article").getByText("84.5 %")).toBeVisible({ timeout: 10_000 });
});

test("edit an objective and a key result, clone it, and delete my own check-in", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Explorer" }).click();
  await page.getByRole("textbox", { name: "Search titles" }).fill("Make every dashboard feel instant");
  await page.getByRole("link", { name: "Make every dashboard feel instant" }).click();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Edit objective" });
  await dialog.getByRole("textbox", { name: "Title" }).fill("Make every dashboard feel instant, everywhere");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(
    page.getByRole("heading", { name: "Make every dashboard feel instant, everywhere", level: 2 }),
  ).toBeVisible();

  await page.getByRole("article").getByRole("link", { name: "Cache hit rate" }).click();
  await expect(page.getByRole("heading", { name: "Cache hit rate", level: 2 })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/key-result.png` });
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const krDialog = page.getByRole("dialog", { name: "Edit key result" });
  await krDialog.getByRole("textbox", { name: "Target" }).fill("90");
  await krDialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText(/to 90 %/)).toBeVisible();
  await page
    .getByRole("button", { name: /^Edit this check-in/ })
    .first()
    .click();
  const ciDialog = page.getByRole("dialog", { name: "Edit this check-in" });
  await ciDialog.getByRole("textbox", { name: "New value" }).fill("85");
  await ciDialog.getByRole("textbox", { name: "Note" }).fill("corrected figure");
  await ciDialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("cell", { name: "corrected figure" })).toBeVisible();
  const del = page.getByRole("button", { name: /^Delete this check-in/ }).first();
  await expect(del).toBeVisible();
  const before = await page.getByRole("row").count();
  await del.click();
  await page.getByRole("dialog", { name: "Delete this check-in" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("row")).toHaveCount(before - 1);
  // The next row moved under the pointer: the check moves it off and lets the hover shade fade.
  await noSeriousA11yViolations(page);

  await page.getByRole("link", { name: /Make every dashboard feel instant, everywhere/ }).click();
  await page.getByRole("button", { name: "Clone" }).click();
  // Clone asks first: the period and the copy's title, filled in.
  await page.getByRole("dialog").getByRole("button", { name: "Create the draft copy" }).click();
  await expect(
    page.getByRole("heading", { name: "Make every dashboard feel instant, everywhere (copy)", level: 2 }),
  ).toBeVisible();
  await expect(page.getByRole("article").getByRole("link", { name: "Cache hit rate" })).toBeVisible();
});

test("KPIs with their healthy range, and an objective's coach and initiatives", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "KPIs" }).click();
  await expect(page.getByRole("article", { name: "Platform uptime" })).toBeVisible();
  await expect(page.getByText(/Healthy range/).first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/kpis.png` });
  await noSeriousA11yViolations(page);
  await page.getByRole("link", { name: "Explorer" }).click();
  await page.getByRole("textbox", { name: "Search titles" }).fill("Make EMEA our strongest region");
  await page.getByRole("link", { name: "Make EMEA our strongest region" }).click();
  await expect(page.getByRole("heading", { name: "Initiatives" })).toBeVisible();
  await expect(page.getByText(/Partner programme/)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Coach" })).toBeVisible();
  await noSeriousA11yViolations(page);
});

test("teams and people", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Teams and people" }).click();
  await expect(page.getByRole("article", { name: "Platform" })).toBeVisible();
  // The people list draws the rows in view and searches the server: find her by name.
  await page.getByRole("textbox", { name: "Find a person (name or email)" }).fill("maya");
  await expect(page.getByRole("cell", { name: "maya@fernhill.example" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/people.png` });
  await noSeriousA11yViolations(page);
});

test("close the period: postpone one objective, then close the rest with a summary", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Close the period" }).click();
  await expect(page.getByRole("heading", { name: /^Close Q\d \d{4}$/ })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/period-close.png` });
  await noSeriousA11yViolations(page);
  // Postpone into a later period: next quarter (in the fourth quarter, the first of next year).
  const postpone = page.getByRole("combobox", { name: "Postpone to: Make every dashboard feel instant" });
  if (await postpone.count()) {
    await postpone.click();
    const options = page.getByRole("option");
    if (await options.count()) {
      await options.first().click();
      const row = page.getByRole("row").filter({ has: postpone });
      await row.getByRole("button", { name: "Postpone" }).click();
      await expect(row.getByText("Copied into the next period")).toBeVisible();
    } else {
      await page.keyboard.press("Escape");
    }
  }
  await page.getByRole("button", { name: "Close the period" }).click();
  // The close shows what it closes first and asks for the period's name.
  const periodName = ((await page.getByRole("heading", { level: 2 }).first().textContent()) ?? "").replace(
    /^Close /,
    "",
  );
  const confirm = page.getByRole("dialog", { name: `Close ${periodName}?` });
  await expect(confirm.getByText(/will be closed|already closed/).first()).toBeVisible();
  await confirm.getByRole("textbox", { name: "Period name" }).fill(periodName);
  await confirm.getByRole("button", { name: /^Close .*the period$/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "Period closed" })).toBeVisible();
  await expect(page.getByText(/objectives closed now/)).toBeVisible();
  await expect(page.getByRole("button", { name: /Close and score/ })).toHaveCount(0);
  // Reopening brings back every objective the close closed (and leaves the quarter running for the journeys after this one).
  await page.getByRole("button", { name: "Reopen the period" }).click();
  await page
    .getByRole("dialog", { name: `Reopen ${periodName}?` })
    .getByRole("button", { name: "Reopen the period" })
    .click();
  await expect(page.getByRole("button", { name: "Close the period" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Close and score/ }).first()).toBeVisible();
});

test("explorer: progress range filter and a saved view", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Explorer" }).click();
  await expect(page.getByText(/\d+ objectives/)).toBeVisible();
  const all = Number((await page.getByText(/^\d+ objectives$/).textContent())!.split(" ")[0]);
  await page.goto("/explorer?progress=0-50");
  await expect(page.getByText("Progress 0–50 %")).toBeVisible();
  const some = Number((await page.getByText(/^\d+ objectives$/).textContent())!.split(" ")[0]);
  expect(some).toBeLessThan(all);
  await page.getByRole("textbox", { name: "Name this view" }).fill("Lagging");
  await page.getByRole("button", { name: "Save view" }).click();
  await page.goto("/explorer");
  // Once the list is in: a click while the page is still loading can land before the menu can open.
  await expect(page.getByText(/^\d+ objectives$/)).toBeVisible();
  await page.getByRole("combobox", { name: "Saved views" }).click();
  await page.getByRole("option", { name: "Lagging" }).click();
  await expect(page).toHaveURL(/progress=0-50/);
  await noSeriousA11yViolations(page);
});

test("dark theme: readable, no serious accessibility violations", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/home-dark.png` });
  await page.getByRole("link", { name: "Dashboard", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Objectives by status" })).toBeVisible();
  await noSeriousA11yViolations(page);
  await page.getByRole("link", { name: "Explorer", exact: true }).click();
  await expect(page.getByText(/\d+ objectives/)).toBeVisible();
  await noSeriousA11yViolations(page);
  await context.close();
});

test("keyboard: reach and open the main actions without a mouse", async ({ page }) => {
  await signIn(page);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  const newObjective = page.getByRole("button", { name: "New objective" });
  for (let i = 0; i < 30 && !(await newObjective.evaluate((el) => el === document.activeElement)); i++)
    await page.keyboard.press("Tab");
  await expect(newObjective).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog", { name: "New objective" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await page.getByRole("link", { name: "Explorer", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/explorer/);
  await expect(page.getByRole("heading", { name: "Coach" })).toBeVisible();
});
