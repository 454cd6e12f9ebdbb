import { expect, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

test.describe.configure({ mode: "serial" });

test("periods: create a year with its quarters, rename one, delete an empty one", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Periods", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Periods", level: 2 })).toBeVisible();
  await page.getByRole("button", { name: "New year with quarters" }).click();
  const dialog = page.getByRole("dialog", { name: "New year with quarters" });
  await dialog.getByRole("textbox", { name: "Year", exact: true }).fill("2031");
  await expect(dialog.getByText(/Q4 2031: Oct 1, 2031 to Dec 31, 2031/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/periods-new-year.png` });
  await dialog.getByRole("button", { name: "Create the year and its quarters" }).click();
  await expect(dialog).toHaveCount(0);
  for (const name of ["2031", "Q1 2031", "Q2 2031", "Q3 2031", "Q4 2031"]) {
    await expect(page.getByRole("cell", { name: new RegExp(`^${name}`) }).first()).toBeVisible();
  }

  await page.getByRole("button", { name: "Change Q1 2031" }).click();
  const edit = page.getByRole("dialog", { name: "Change Q1 2031" });
  await edit.getByRole("textbox", { name: "Name" }).fill("Winter 2031");
  // Escape asks before a change is thrown away.
  await page.keyboard.press("Escape");
  const discard = page.getByRole("dialog", { name: "Discard your changes?" });
  await discard.getByRole("button", { name: "Keep editing" }).click();
  await expect(edit.getByRole("textbox", { name: "Name" })).toHaveValue("Winter 2031");
  await edit.getByRole("button", { name: "Save the period" }).click();
  await expect(page.locator("#main").getByText("Winter 2031", { exact: true })).toBeVisible();

  // A year with quarters in it cannot be deleted, saying why; an empty quarter goes.
  await expect(page.getByRole("button", { name: "Delete 2031", exact: true })).toHaveAccessibleDescription(
    "2031 holds the periods Winter 2031, Q2 2031, Q3 2031, Q4 2031, so it cannot be deleted: delete them first.",
  );
  await page.getByRole("button", { name: "Delete Q4 2031" }).click();
  await page
    .getByRole("dialog", { name: "Delete Q4 2031?" })
    .getByRole("button", { name: "Delete the period" })
    .click();
  await expect(page.locator("#main").getByText("Q4 2031", { exact: true })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/periods.png`, fullPage: true });
  await noSeriousA11yViolations(page);
});

test("a period with objectives cannot be deleted, saying how many it holds", async ({ page }) => {
  const call = client(page.request);
  const p = await call("POST", "/periods", {
    name: "Busy sprint",
    kind: "custom",
    startDate: "2031-05-01",
    endDate: "2031-05-31",
  });
  await call("POST", "/objectives", { title: "Busy one", level: "organization", periodId: p.id });
  await call("POST", "/objectives", { title: "Busy two", level: "organization", periodId: p.id });
  await signIn(page);
  await page.goto("/periods");
  const busy = page.getByRole("button", { name: "Delete Busy sprint" });
  await expect(busy).toHaveAttribute("aria-disabled", "true");
  await expect(busy).toHaveAccessibleDescription(/Busy sprint holds 2 objectives, so it cannot be deleted/);
});

test("close a period after seeing what it closes, then reopen it and find its objectives open", async ({ page }) => {
  const call = client(page.request);
  const p = await call("POST", "/periods", {
    name: "Pilot 2025",
    kind: "custom",
    startDate: "2025-06-01",
    endDate: "2025-08-31",
  });
  const a = await call("POST", "/objectives", {
    title: "Pilot with ten customers",
    level: "organization",
    periodId: p.id,
  });
  const kr = await call("POST", `/objectives/${a.id}/key-results`, {
    title: "Customers live",
    type: "increase",
    start: 0,
    target: 10,
  });
  await call("POST", `/key-results/${kr.id}/check-ins`, { value: 6, at: "2025-08-01T10:00:00Z" });
  await call("POST", "/objectives", {
    title: "Draft idea for the pilot",
    level: "organization",
    periodId: p.id,
    state: "draft",
  });

  await signIn(page);
  await page.goto(`/close?period=${p.id}`);
  await expect(page.getByRole("heading", { name: "Close Pilot 2025" })).toBeVisible();
  await page.getByRole("button", { name: "Close the period" }).click();
  const dialog = page.getByRole("dialog", { name: "Close Pilot 2025?" });
  await expect(dialog.getByText("2 objectives will be closed with 1 key result")).toBeVisible();
  await expect(dialog.getByText(/1 of them is a draft that was never published/)).toBeVisible();
  await expect(dialog.getByRole("row", { name: /Pilot with ten customers 60 ?% 0\.6/ })).toBeVisible();
  const confirm = dialog.getByRole("button", { name: "Close 2 objectives and the period" });
  await expect(confirm).toBeDisabled();
  await dialog.getByRole("textbox", { name: "Period name" }).fill("Pilot 2025");
  await page.screenshot({ path: `${SHOTS}/period-close-preview.png` });
  await noSeriousA11yViolations(page);
  await confirm.click();
  await expect(page.getByRole("status").filter({ hasText: "Period closed" })).toBeVisible();
  await expect(page.getByText(/This period was closed on/)).toBeVisible();
  expect((await call("GET", `/objectives/${a.id}`)).state).toBe("closed");

  await page.getByRole("button", { name: "Reopen the period" }).click();
  const reopen = page.getByRole("dialog", { name: "Reopen Pilot 2025?" });
  await expect(reopen.getByText(/2 objectives that the period close closed will be open again/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/period-reopen.png` });
  await reopen.getByRole("button", { name: "Reopen the period" }).click();
  await expect(reopen).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Close the period" })).toBeVisible();
  await page.getByRole("link", { name: "Pilot with ten customers" }).click();
  await expect(page.getByRole("heading", { name: "Pilot with ten customers" })).toBeVisible();
  expect((await call("GET", `/objectives/${a.id}`)).state).toBe("active");
});

test("KPIs: create one linked to an objective and record a value", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "KPIs", exact: true }).click();
  await page.getByRole("button", { name: "New KPI" }).click();
  const dialog = page.getByRole("dialog", { name: "New KPI" });
  await dialog.getByRole("textbox", { name: "Name" }).fill("Support backlog (e2e)");
  await dialog.getByRole("textbox", { name: "Healthy from" }).fill("0");
  await dialog.getByRole("textbox", { name: "Healthy up to" }).fill("40");
  await dialog.getByRole("combobox", { name: "Linked objectives" }).fill("Pilot with ten");
  await page.getByRole("option", { name: "Pilot with ten customers" }).click();
  // The list stays open for more choices; a click elsewhere in the dialog closes it.
  await dialog.getByRole("textbox", { name: "Name" }).click();
  await expect(page.getByRole("option", { name: "Pilot with ten customers" })).toHaveCount(0);
  await dialog.getByRole("button", { name: "Create the KPI" }).click();
  await expect(dialog).toHaveCount(0);
  const card = page.getByRole("article", { name: "Support backlog (e2e)" });
  await expect(card.getByText("No values recorded yet.")).toBeVisible();
  await expect(card.getByRole("link", { name: "Pilot with ten customers" })).toBeVisible();

  for (const value of ["52", "35"]) {
    await card.getByRole("button", { name: "Record a value of Support backlog (e2e)" }).click();
    const rec = page.getByRole("dialog", { name: "Record a value of Support backlog (e2e)" });
    await rec.getByRole("textbox", { name: "Value" }).fill(value);
    await rec.getByRole("button", { name: "Record the value" }).click();
    await expect(rec).toHaveCount(0);
  }
  await expect(card.getByText("35", { exact: true })).toBeVisible();
  await expect(card.getByText("Healthy", { exact: true })).toBeVisible();
  await expect(card.getByRole("img", { name: /Values of Support backlog \(e2e\) over time.*52, 35/ })).toBeVisible();
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/kpis.png` });
  await noSeriousA11yViolations(page);
});

test("initiatives: add one to an objective and change it", async ({ page }) => {
  const call = client(page.request);
  const o = (await call("GET", "/objectives?limit=1&state=active")).items[0];
  await signIn(page);
  await page.goto(`/objectives/${o.id}`);
  await page.getByRole("button", { name: "Add an initiative" }).click();
  const dialog = page.getByRole("dialog", { name: "New initiative" });
  await dialog.getByRole("textbox", { name: "Title" }).fill("Run a pricing experiment (e2e)");
  await dialog.getByRole("textbox", { name: "Due on" }).fill("2031-03-15");
  await dialog.getByRole("button", { name: "Add the initiative" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByText("Run a pricing experiment (e2e)", { exact: true })).toBeVisible();
  await expect(page.getByText("due Mar 15, 2031")).toBeVisible();

  await page.getByRole("button", { name: "Change Run a pricing experiment (e2e)" }).click();
  const edit = page.getByRole("dialog", { name: "Change Run a pricing experiment (e2e)" });
  await edit.getByRole("combobox", { name: "State" }).click();
  await page.getByRole("option", { name: "In progress" }).click();
  await edit.getByRole("textbox", { name: /Progress/ }).fill("40");
  await edit.getByRole("button", { name: "Save the initiative" }).click();
  await expect(edit).toHaveCount(0);
  await expect(page.getByText("In progress")).toBeVisible();
  await expect(page.getByRole("progressbar", { name: /Run a pricing experiment/ })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/initiatives.png`, fullPage: true });
});

test("a member sees no admin action on periods or Close the period, at phone width", async ({ browser, page }) => {
  const call = client(page.request);
  const member = await call("POST", "/users", {
    name: "Max Member",
    email: `max${Date.now()}@demo.example`,
    role: "member",
    invite: false,
  });
  const memberToken = (await call("POST", `/users/${member.id}/tokens`, { name: "e2e" })).token as string;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await context.newPage();
  await signIn(phone, memberToken);
  await phone.goto("/periods");
  await expect(phone.getByRole("heading", { name: "Periods", level: 2 })).toBeVisible();
  await expect(phone.getByText("Only the organisation's owners and admins change periods.")).toBeVisible();
  await expect(phone.getByRole("button", { name: /New year|New custom|^Change |^Delete / })).toHaveCount(0);
  await phone.screenshot({ path: `${SHOTS}/periods-member-390.png`, fullPage: true });
  await phone.goto("/close");
  await expect(phone.getByText("Only the organisation's owners and admins close or reopen a period.")).toBeVisible();
  await expect(phone.getByRole("columnheader", { name: "Score" })).toBeVisible();
  await expect(phone.getByRole("button", { name: /Close the period|Reopen the period/ })).toHaveCount(0);
  await phone.screenshot({ path: `${SHOTS}/close-member-390.png`, fullPage: true });
  await noSeriousA11yViolations(phone);
  // Settings: read, not changed.
  await phone.goto("/settings");
  await expect(phone.getByText("Only the organisation's owners and admins can change these settings")).toBeVisible();
  await expect(phone.getByRole("textbox", { name: "Organisation name" })).toBeDisabled();
  await expect(phone.getByRole("button", { name: "Save" })).toHaveCount(0);
  await noSeriousA11yViolations(phone);
  // The server refuses what is not offered.
  const refused = await phone.request.fetch("/api/v1/periods/years", {
    method: "POST",
    headers: { authorization: `Bearer ${memberToken}` },
    data: { year: 2040 },
  });
  expect(refused.status()).toBe(403);
  await context.close();
});

test("dark theme: periods, close preview and KPIs without serious accessibility violations", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await page.goto("/periods");
  await expect(page.getByRole("button", { name: "New year with quarters" })).toBeVisible();
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/periods-dark.png` });
  await page.goto("/close");
  await page.getByRole("button", { name: "Close the period" }).click();
  await expect(
    page
      .getByRole("dialog")
      .getByText(/will be closed|already closed/)
      .first(),
  ).toBeVisible();
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/period-close-preview-dark.png` });
  await page.keyboard.press("Escape");
  await page.goto("/kpis");
  await expect(page.getByRole("article").first()).toBeVisible();
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/kpis-dark.png` });
  await context.close();
});
