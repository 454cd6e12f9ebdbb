/**
 * Running a quarter to its end: a closed period offers no new objective and its dashboard says
 * it is closed instead of reporting perfect check-ins; the new-objective form says why it cannot
 * be created yet and leaves a blank key-result row out; an empty explorer says why it is empty.
 * The demo's own periods stay open: the closed period here is one made for these journeys.
 */
import { expect, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn, TOKEN } from "./support.js";

test.describe.configure({ mode: "serial" });

const CLOSED = "Wrap-up sprint";
let closedId = "";
/** The person the explorer is filtered to. */
let me = { id: "", name: "" };

test.beforeAll(async ({ request }) => {
  const call = client(request);
  // A person of their own, who owns nothing but the sprint's objective (other journeys give the
  // demo's admin objectives in every open period).
  const run = Date.now().toString(36);
  me = await call("POST", "/users", {
    name: `Wren Quarterly ${run}`,
    email: `wren-${run}@demo.example`,
    role: "member",
    invite: false,
  });
  const period = await call("POST", "/periods", {
    name: CLOSED,
    kind: "custom",
    // Far ahead, so it is among the recent periods the empty explorer counts in, however many
    // periods other journeys have made.
    startDate: "2033-01-05",
    endDate: "2033-02-27",
  });
  closedId = period.id;
  await call("POST", "/objectives", {
    title: "Wrap up the winter release",
    level: "individual",
    ownerIds: [me.id],
    periodId: closedId,
    keyResults: [{ title: "Release notes published", type: "milestone", ownerIds: [me.id] }],
  });
  await call("POST", `/periods/${closedId}/close`, {});
});

/** Shows the disabled button's reason as a person sees it (hover), for the screenshot. */
async function hoverReason(page: Page, name: string) {
  await page.getByRole("button", { name }).hover();
  await expect(page.getByRole("tooltip")).toBeVisible();
  // Past its fade-in, so the screenshot shows it as read.
  await expect(page.getByRole("tooltip")).toHaveCSS("opacity", "1");
}

test("a closed period offers no new objective, says why, and the API refuses one", async ({ page }) => {
  await signIn(page);
  await page.goto(`/?period=${closedId}`);
  const create = page.getByRole("button", { name: "New objective" });
  await expect(create).toHaveAttribute("aria-disabled", "true");
  await expect(create).toHaveAccessibleDescription(`${CLOSED} is closed — pick an open period or reopen it.`);
  await create.click({ force: true });
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await hoverReason(page, "New objective");
  await page.screenshot({ path: `${SHOTS}/quarter-end-closed-home.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await hoverReason(page, "New objective");
  await page.screenshot({ path: `${SHOTS}/quarter-end-closed-home-phone.png` });

  // The API says the same, with the way out.
  const res = await page.request.post("/api/v1/objectives", {
    headers: { authorization: `Bearer ${TOKEN}` },
    data: { title: "Too late", level: "individual", periodId: closedId },
  });
  expect(res.status()).toBe(409);
  const body = await res.json();
  expect(body.error).toMatchObject({ code: "CLOSED" });
  expect(body.error.message).toContain(`The period "${CLOSED}" is closed`);
  expect(body.error.message).toContain("Pick an open period, or reopen");
});

test("the dashboard of a closed period says it is closed instead of reporting perfect check-ins", async ({ page }) => {
  await signIn(page);
  await page.goto(`/dashboard?period=${closedId}`);
  const main = page.locator("#main");
  await expect(main.getByText("Period closed", { exact: true })).toBeVisible();
  await expect(
    main.getByText(new RegExp(`^${CLOSED} was closed on .*: its key results take no more check-ins\\.$`)),
  ).toBeVisible();
  await expect(main.getByText(/key results? without a check-in this week/)).toHaveCount(0);
  const freshness = page.getByTestId("freshness");
  await expect(page.getByText(`${CLOSED} is closed: check-ins are not expected.`)).toBeVisible();
  await expect(freshness.getByText("Closed · 1 objective scored")).toBeVisible();
  await expect(freshness.getByText("Closed · no objectives").first()).toBeVisible();
  await expect(freshness.getByText("No key results to check in on")).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/quarter-end-closed-dashboard.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(main.getByText("Period closed", { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/quarter-end-closed-dashboard-phone.png`, fullPage: true });

  // Its scores are one step away.
  await main.getByRole("link", { name: "See its scores" }).click();
  await expect(page.getByRole("heading", { name: `Close ${CLOSED}`, level: 2 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Wrap up the winter release" })).toBeVisible();
});

test("an explorer filtered to a person who owns nothing says so, and where they do own objectives", async ({
  page,
}) => {
  await signIn(page);
  await page.getByRole("link", { name: "Teams and people", exact: true }).click();
  await page.getByRole("textbox", { name: /Find a person/ }).fill(me.name);
  await page.getByRole("link", { name: me.name, exact: true }).click();
  await expect(page).toHaveURL(/\/explorer\?.*owner=/);
  const empty = page.getByRole("status").filter({ hasText: "owns no objectives" });
  await expect(empty.getByText(new RegExp(`^${me.name} owns no objectives in .+\\.$`))).toBeVisible();
  await expect(empty.getByText("These periods have objectives that match:")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/quarter-end-explorer-empty.png` });
  await noSeriousA11yViolations(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/quarter-end-explorer-empty-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });

  // One of them is the closed sprint: picking it shows the objective there.
  await empty.getByRole("button", { name: `${CLOSED} (1)` }).click();
  await expect(page.getByRole("link", { name: "Wrap up the winter release" })).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Period" })).toHaveValue(CLOSED);

  // With nothing anywhere, it says so, and clearing the filters brings the period's objectives back.
  await page.goto("/explorer?q=no-such-objective-anywhere");
  await expect(page.getByText(/^No objectives in .+ match these filters\.$/)).toBeVisible();
  await expect(page.getByText("No other period has matching objectives either.")).toBeVisible();
  await page.getByRole("button", { name: "Clear the filters" }).click();
  await expect(page.getByRole("textbox", { name: "Search titles" })).toHaveValue("");
  await expect(page.getByText(/^\d+ objectives?/)).toBeVisible();
});

// Runs after the explorer journey: the objective it creates is the admin's own.

test("new objective: the disabled button names what is missing, and a blank key-result row is left out", async ({
  page,
}) => {
  await signIn(page);
  await page.getByRole("button", { name: "New objective" }).click();
  const dialog = page.getByRole("dialog", { name: "New objective" });
  const submit = dialog.getByRole("button", { name: "Create objective" });
  await expect(submit).toHaveAttribute("aria-disabled", "true");
  await expect(submit).toHaveAccessibleDescription(/Give the objective a title\./);
  await hoverReason(page, "Create objective");
  await page.screenshot({ path: `${SHOTS}/quarter-end-create-untitled.png` });

  await dialog.getByRole("textbox", { name: "Title", exact: true }).fill("Finish the quarter cleanly (e2e)");
  await dialog.getByRole("combobox", { name: "Level" }).click();
  await page.getByRole("option", { name: "Individual" }).click();
  await dialog.getByRole("textbox", { name: "Key result 1" }).fill("Close every open ticket");
  await expect(submit).toHaveAccessibleDescription("Key result 1 is missing its start value and target.");
  await dialog.getByRole("textbox", { name: "Start" }).first().fill("40");
  await dialog.getByRole("textbox", { name: "Target" }).first().fill("0");
  await dialog.getByRole("combobox", { name: "Type" }).first().click();
  await page.getByRole("option", { name: "Decrease" }).click();
  // A half-filled second row: figures without a title are reported, not silently dropped.
  await dialog.getByRole("textbox", { name: "Target" }).nth(1).fill("5");
  await expect(dialog.getByText("Give key result 2 a title, or clear its figures to leave it out.")).toBeVisible();
  await expect(submit).toHaveAccessibleDescription("Key result 2 is missing its title and start value.");
  await expect(dialog.getByText(/"\(Key result 2\)" is a "increase" key result without a start value/)).toBeVisible();
  await submit.scrollIntoViewIfNeeded();
  await hoverReason(page, "Create objective");
  await page.screenshot({ path: `${SHOTS}/quarter-end-create-reason.png` });

  // Cleared again, the second row is a spare like the untouched third: neither blocks.
  await dialog.getByRole("textbox", { name: "Target" }).nth(1).fill("");
  await expect(dialog.getByText("Left blank: it is not created.")).toHaveCount(2);
  await expect(submit).not.toHaveAttribute("aria-disabled");
  await page.screenshot({ path: `${SHOTS}/quarter-end-create-ready.png` });
  await submit.click();
  await expect(page.getByRole("heading", { name: "Finish the quarter cleanly (e2e)", level: 2 })).toBeVisible({
    timeout: 15_000,
  });
  const id = page.url().split("/objectives/")[1]!.split(/[?#]/)[0]!;
  const created = await client(page.request)("GET", `/objectives/${id}`);
  expect(created.keyResults.map((k: { title: string }) => k.title)).toEqual(["Close every open ticket"]);
});
