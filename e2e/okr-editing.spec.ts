import { expect, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn, TOKEN } from "./support.js";

/** Light, then dark, then back to light: axe in both. */
async function axeLightAndDark(page: Page) {
  await noSeriousA11yViolations(page);
  await page.getByRole("button", { name: "Switch light or dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await noSeriousA11yViolations(page);
  await page.getByRole("button", { name: "Switch light or dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "light");
}

/** The titles in the "Manage key results" list, in order. */
const managedTitles = (page: Page) =>
  page.getByRole("region", { name: "Manage key results" }).getByRole("listitem").getByRole("link").allTextContents();

test.describe.configure({ mode: "serial" });

let objectiveId = "";
let draftId = "";
let memberToken = "";
let observerToken = "";

test.beforeAll(async ({ request }) => {
  const call = async (method: string, url: string, data?: unknown) => {
    const res = await request.fetch(`/api/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}` },
      ...(data ? { data } : {}),
    });
    expect(res.status(), `${method} ${url}: ${await res.text()}`).toBeLessThan(300);
    return res.json();
  };
  const me = await call("GET", "/me");
  const periodId = (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId;
  const o = await call("POST", "/objectives", {
    title: "Editing journey (e2e)",
    level: "individual",
    ownerIds: [me.user.id],
    periodId,
  });
  objectiveId = o.id;
  for (const title of ["First KR (e2e)", "Second KR (e2e)"]) {
    await call("POST", `/objectives/${o.id}/key-results`, { title, type: "increase", start: 0, target: 10 });
  }
  draftId = (
    await call("POST", "/objectives", {
      title: "Draft to publish (e2e)",
      level: "individual",
      ownerIds: [me.user.id],
      periodId,
      state: "draft",
    })
  ).id;
  const stamp = Date.now();
  for (const role of ["member", "observer"] as const) {
    const user = await call("POST", "/users", {
      name: role === "member" ? "Mo Member" : "Obi Observer",
      email: `${role}${stamp}@demo.example`,
      role,
      invite: false,
    });
    const token = (await call("POST", `/users/${user.id}/tokens`, { name: "e2e", scope: "write" })).token as string;
    if (role === "member") memberToken = token;
    else observerToken = token;
  }
});

test("an admin adds a key result to an existing objective and edits its unit, target and dates", async ({ page }) => {
  await signIn(page);
  await page.goto(`/objectives/${objectiveId}`);
  const manage = page.getByRole("region", { name: "Manage key results" });
  await expect(manage).toBeVisible();
  await manage.getByRole("button", { name: "Add a key result" }).click();
  const add = page.getByRole("dialog", { name: "New key result" });
  await add.getByRole("textbox", { name: "Title" }).fill("Third KR (e2e)");
  await add.getByRole("textbox", { name: "Start value" }).fill("10");
  // A target below the start is explained in words before anything is sent.
  await add.getByRole("textbox", { name: "Target" }).fill("5");
  await expect(add.getByText("To increase, the target must be above the start; or choose “Decrease”.")).toBeVisible();
  await expect(add.getByRole("button", { name: "Add key result" })).toBeDisabled();
  await add.getByRole("textbox", { name: "Target" }).fill("40");
  await add.getByRole("combobox", { name: "Unit" }).click();
  await page.getByRole("option", { name: "Percent" }).click();
  await page.screenshot({ path: `${SHOTS}/kr-add.png` });
  await noSeriousA11yViolations(page);
  await add.getByRole("button", { name: "Add key result" }).click();
  await expect(add).toBeHidden();
  await expect(manage.getByRole("link", { name: "Third KR (e2e)" })).toBeVisible();
  await expect(manage.getByText("from 10 % to 40 %")).toBeVisible();
  expect(await managedTitles(page)).toEqual(["First KR (e2e)", "Second KR (e2e)", "Third KR (e2e)"]);

  await manage.getByRole("button", { name: "Edit “Third KR (e2e)”" }).click();
  const edit = page.getByRole("dialog", { name: "Edit key result" });
  await edit.getByRole("combobox", { name: "Unit" }).click();
  await page.getByRole("option", { name: "Currency" }).click();
  await expect(edit.getByText("Enter a three-letter currency code, such as EUR.")).toBeVisible();
  await edit.getByRole("textbox", { name: "Currency code" }).fill("eur");
  await edit.getByRole("textbox", { name: "Target" }).fill("50");
  await edit.getByLabel("Ends on").fill("2026-01-01");
  await edit.getByLabel("Starts on").fill("2026-02-01");
  await expect(edit.getByText("The end date must be on or after the start date.")).toBeVisible();
  await edit.getByLabel("Ends on").fill("2026-12-15");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit).toBeHidden();
  await expect(manage.getByText("from €10.00 to €50.00")).toBeVisible();

  // The key result's own page shows the change and offers the same edit.
  await manage.getByRole("link", { name: "Third KR (e2e)" }).click();
  await expect(page.getByRole("heading", { name: "Third KR (e2e)", level: 2 })).toBeVisible();
  await expect(page.getByText("from €10.00 to €50.00")).toBeVisible();
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const again = page.getByRole("dialog", { name: "Edit key result" });
  await expect(again.getByLabel("Starts on")).toHaveValue("2026-02-01");
  await expect(again.getByLabel("Ends on")).toHaveValue("2026-12-15");
  await expect(again.getByRole("textbox", { name: "Currency code" })).toHaveValue("EUR");
  await again.getByRole("button", { name: "Cancel" }).click();
});

test("an admin reorders key results with the mouse and the keyboard", async ({ page }) => {
  await signIn(page);
  await page.goto(`/objectives/${objectiveId}`);
  const manage = page.getByRole("region", { name: "Manage key results" });
  await manage.getByRole("button", { name: "Move “Third KR (e2e)” up" }).click();
  await expect.poll(() => managedTitles(page)).toEqual(["First KR (e2e)", "Third KR (e2e)", "Second KR (e2e)"]);
  // The keyboard stays on the button that moved, so Enter moves it again.
  const up = manage.getByRole("button", { name: "Move “Third KR (e2e)” up" });
  await expect(up).toBeFocused();
  await expect(up).toBeEnabled();
  await page.keyboard.press("Enter");
  await expect.poll(() => managedTitles(page)).toEqual(["Third KR (e2e)", "First KR (e2e)", "Second KR (e2e)"]);
  await expect(up).toBeDisabled();
  // The objective's card follows the same order.
  await expect(page.getByRole("article").getByRole("link").nth(1)).toHaveText("Third KR (e2e)");
  await page.screenshot({ path: `${SHOTS}/kr-reordered.png`, fullPage: true });
  await axeLightAndDark(page);

  // A move the server refuses says so in a notice whose text is readable (axe's contrast check).
  await page.route("**/api/v1/key-results/*", (route) =>
    route.request().method() === "PATCH"
      ? route.fulfill({
          status: 409,
          contentType: "application/json",
          body: JSON.stringify({
            error: { code: "CONFLICT", message: "Someone changed it meanwhile.", details: null },
          }),
        })
      : route.continue(),
  );
  await manage.getByRole("button", { name: "Move “First KR (e2e)” up" }).click();
  await expect(page.getByText("Someone changed it meanwhile.")).toBeVisible();
  await axeLightAndDark(page);
  await page.unroute("**/api/v1/key-results/*");
});

test("an admin moves a key result to the trash and restores it from the trash", async ({ page }) => {
  await signIn(page);
  await page.goto(`/objectives/${objectiveId}`);
  const manage = page.getByRole("region", { name: "Manage key results" });
  await manage.getByRole("button", { name: "Move “Third KR (e2e)” to the trash" }).click();
  const confirm = page.getByRole("dialog", { name: "Move this key result to the trash?" });
  await expect(confirm.getByText("An admin can restore it from the trash within 30 days.")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/kr-delete.png` });
  await noSeriousA11yViolations(page);
  await confirm.getByRole("button", { name: "Move to trash" }).click();
  await expect(page.getByText("“Third KR (e2e)” is in the trash.")).toBeVisible();
  await expect.poll(() => managedTitles(page)).toEqual(["First KR (e2e)", "Second KR (e2e)"]);

  await page.getByRole("link", { name: "Trash" }).click();
  await page.getByRole("button", { name: "Restore Third KR (e2e)" }).click();
  await page.getByRole("dialog", { name: "Restore from the trash" }).getByRole("button", { name: "Restore" }).click();
  await expect(page.getByText("Restored “Third KR (e2e)”")).toBeVisible();
  await page.goto(`/objectives/${objectiveId}`);
  await expect.poll(() => managedTitles(page)).toContain("Third KR (e2e)");
});

test("an admin publishes a draft", async ({ page }) => {
  await signIn(page);
  await page.goto(`/objectives/${draftId}`);
  // Its status reads "Draft" (the header and its card), with what that means.
  await expect(page.getByText("Draft", { exact: true }).first()).toBeVisible();
  await expect(page.getByText("A draft counts nowhere yet. Publish it when it is ready.")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/draft.png` });
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByText("Published: “Draft to publish (e2e)” now counts.")).toBeVisible();
  await expect(page.getByText("Draft", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Publish" })).toHaveCount(0);
});

test("a member sees no actions on someone else's objective, and why Edit is disabled", async ({ page }) => {
  await signIn(page, memberToken);
  await page.goto(`/objectives/${objectiveId}`);
  await expect(page.getByRole("heading", { name: "Editing journey (e2e)", level: 2 })).toBeVisible();
  const edit = page.getByRole("button", { name: "Edit", exact: true });
  await expect(edit).toBeDisabled();
  const reason = "Only its owners, their managers, the team's owners and admins can change this objective.";
  await expect(edit).toHaveAccessibleDescription(reason);
  await edit.hover();
  await expect(page.getByRole("tooltip")).toHaveText(reason);
  await page.screenshot({ path: `${SHOTS}/member-objective.png` });
  for (const name of ["Add a key result", "Move to trash", "Clone", "Close and score"]) {
    await expect(page.getByRole("button", { name })).toHaveCount(0);
  }
  await expect(page.getByRole("region", { name: "Manage key results" })).toHaveCount(0);
  // From the keyboard too: focus shows the reason, and pressing it opens nothing.
  await page.mouse.move(0, 0);
  await edit.focus();
  await expect(page.getByRole("tooltip")).toHaveText(reason);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await axeLightAndDark(page);
});

test("an observer sees no edit actions", async ({ page }) => {
  await signIn(page, observerToken);
  await page.goto(`/objectives/${objectiveId}`);
  await expect(page.getByRole("heading", { name: "Editing journey (e2e)", level: 2 })).toBeVisible();
  await expect(page.getByRole("article").getByRole("link", { name: "First KR (e2e)" })).toBeVisible();
  for (const name of ["Edit", "Publish", "Add a key result", "Move to trash", "Clone", "Check in"]) {
    await expect(page.getByRole("button", { name, exact: true })).toHaveCount(0);
  }
  await expect(page.getByRole("region", { name: "Manage key results" })).toHaveCount(0);
  await page.getByRole("article").getByRole("link", { name: "First KR (e2e)" }).click();
  await expect(page.getByRole("heading", { name: "First KR (e2e)", level: 2 })).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Move to trash" })).toHaveCount(0);
});

test("key results can be managed on a phone-sized screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  await page.goto(`/objectives/${objectiveId}`);
  const manage = page.getByRole("region", { name: "Manage key results" });
  await expect(manage.getByRole("button", { name: "Move “Second KR (e2e)” up" })).toBeVisible();
  await expect(manage.getByRole("button", { name: "Edit “Second KR (e2e)”" })).toBeVisible();
  await manage.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/kr-manage-390.png`, fullPage: true });
  await manage.getByRole("button", { name: "Add a key result" }).click();
  await expect(page.getByRole("dialog", { name: "New key result" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/kr-add-390.png` });
  await noSeriousA11yViolations(page);
});

test("at 390 px an observer exports the explorer's view and reads the settings without changing them", async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, observerToken);
  await page.goto("/explorer");
  await expect(page.getByText(/^\d+ objectives$/)).toBeVisible();
  await page.getByRole("button", { name: "Export" }).click();
  // Exports are reads: an observer gets every one of them.
  for (const name of [/^This view as CSV/, /With key results, XLSX/, "Review deck (PowerPoint)"]) {
    await expect(page.getByRole("menuitem", { name })).toBeVisible();
  }
  await page.screenshot({ path: `${SHOTS}/explorer-export-menu-observer-390.png` });
  await noSeriousA11yViolations(page);
  const download = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: /^This view as CSV/ }).click();
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);

  await page.goto("/settings");
  const dataSync = page.getByRole("combobox", { name: "Data-linked key results read their source" });
  await expect(dataSync).toBeDisabled();
  await expect(page.getByRole("button", { name: "Save", exact: true })).toHaveCount(0);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "the settings are wider than the phone").toBeLessThanOrEqual(390);
  await dataSync.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/settings-observer-390.png` });
  await noSeriousA11yViolations(page);
});

test("a member is not offered organisation-level objectives: the level is shown disabled, with who may", async ({
  page,
  request,
}) => {
  const call = client(request);
  const stamp = Date.now();
  const member = await call("POST", "/users", {
    name: "Mo Member",
    email: `mo${stamp}@demo.example`,
    role: "member",
    invite: false,
  });
  const token = (await call("POST", `/users/${member.id}/tokens`, { name: "e2e" })).token as string;
  await signIn(page, token);
  await page.getByRole("button", { name: "New objective" }).first().click();
  const dialog = page.getByRole("dialog", { name: "New objective" });
  await dialog.getByLabel("Level", { exact: true }).click();
  const organisation = page.getByRole("option", { name: "Organisation (owners and admins only)" });
  await expect(organisation).toBeVisible();
  await expect(organisation).toHaveAttribute("aria-disabled", "true");
  await expect(page.getByRole("option", { name: "Individual", exact: true })).toBeVisible();
});
