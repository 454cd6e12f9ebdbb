/**
 * The rhythm as an admin and a person meet it: the background jobs page (each job's schedule,
 * next and last run; running reminders now shows who was reminded and who was skipped and
 * why), and following a reminder's link from the notification centre to a saved check-in.
 * Runs last: it adds a check-in to the demo's first key result.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

const PORT = Number(process.env.OKRA_E2E_PORT ?? 3199);
const DATA_DIR = PORT === 3199 ? ".e2e-data" : `.e2e-data-${PORT}`;
const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = () =>
  JSON.parse(readFileSync(path.join(here, "..", DATA_DIR, "e2e-notifications.json"), "utf8")) as {
    keyResult: { id: string; title: string };
  };

test("an admin sees the background jobs and runs the reminders now", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Background jobs" }).click();
  await expect(page.getByRole("heading", { name: "Background jobs", level: 2 })).toBeVisible();
  const reminders = page.getByRole("region", { name: "Check-in reminders" });
  await expect(reminders.getByText(/^Next run:/)).toBeVisible();
  await expect(page.getByRole("region", { name: "Weekly digest" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Email delivery" })).toBeVisible();
  await reminders.getByRole("button", { name: "Run now: Check-in reminders" }).click();
  await expect(reminders.getByText(/key results looked at: \d+ due, \d+ reminded, \d+ skipped/)).toBeVisible();
  await expect(reminders.getByText("(run by hand)")).toBeVisible();
  await expect(reminders.getByText("Done", { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/jobs.png`, fullPage: true });
  await noSeriousA11yViolations(page);
});

test("the jobs page fits a phone", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  const page = await context.newPage();
  await signIn(page);
  await page.goto("/admin/jobs");
  await expect(page.getByRole("region", { name: "Check-in reminders" })).toBeVisible();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/jobs-phone-dark.png`, fullPage: true });
  await noSeriousA11yViolations(page);
  await context.close();
});

test("a reminder's link leads to a saved check-in", async ({ page, request }) => {
  const f = fixtures();
  // A value between the key result's start and target (its unit and figures are the demo's).
  const kr = await client(request)("GET", `/key-results/${f.keyResult.id}`);
  const value = String(Math.round(((Number(kr.start) + Number(kr.target)) / 2) * 100) / 100);
  await signIn(page);
  await page.getByRole("button", { name: /^Notifications, \d+ unread$/ }).click();
  await page
    .getByRole("dialog", { name: "Notifications" })
    .getByRole("button", { name: /Time to check in/ })
    .click();
  const dialog = page.getByRole("dialog", { name: /^Check in: / });
  await expect(dialog).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("heading", { name: f.keyResult.title, level: 2, exact: true })).toBeVisible();
  await dialog.getByRole("textbox", { name: "New value" }).fill(value);
  await dialog.getByRole("textbox", { name: /note/i }).first().fill("Checked in from the reminder (e2e)");
  await dialog.getByRole("button", { name: "Save check-in" }).click();
  await expect(page.getByText("Check-in saved")).toBeVisible();
  await expect(page.getByText("Checked in from the reminder (e2e)").first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/reminder-saved-check-in.png` });
});

test("an admin sets the organisation's check-in rhythm", async ({ page }) => {
  await signIn(page);
  await page.goto("/settings");
  const rhythm = page.getByRole("region", { name: "Check-in rhythm" });
  await rhythm.getByRole("combobox", { name: "Check-ins due" }).click();
  await page.getByRole("option", { name: "Every 2 weeks" }).click();
  await rhythm.getByRole("combobox", { name: "On", exact: true }).click();
  await page.getByRole("option", { name: "Wednesday" }).click();
  await rhythm.getByRole("textbox", { name: "Tell the manager after" }).fill("4");
  await rhythm.getByRole("combobox", { name: "Data-linked key results read their source" }).click();
  await page.getByRole("option", { name: "Every 6 hours" }).click();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Settings saved").first()).toBeVisible();
  await page.reload();
  const again = page.getByRole("region", { name: "Check-in rhythm" });
  await expect(again.getByRole("combobox", { name: "Check-ins due" })).toHaveValue("Every 2 weeks");
  await expect(again.getByRole("combobox", { name: "On", exact: true })).toHaveValue("Wednesday");
  await expect(again.getByRole("textbox", { name: "Tell the manager after" })).toHaveValue("4");
  const dataSync = again.getByRole("combobox", { name: "Data-linked key results read their source" });
  await expect(dataSync).toHaveValue("Every 6 hours");
  await again.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/settings-rhythm.png` });
  await noSeriousA11yViolations(page);
  // Back to the default for whatever runs next.
  await again.getByRole("combobox", { name: "Check-ins due" }).click();
  await page.getByRole("option", { name: "Every week" }).click();
  await again.getByRole("combobox", { name: "On", exact: true }).click();
  await page.getByRole("option", { name: "Monday" }).click();
  await again.getByRole("textbox", { name: "Tell the manager after" }).fill("3");
  await dataSync.click();
  await page.getByRole("option", { name: "Hourly" }).click();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Settings saved").first()).toBeVisible();
});

test("a team lead gives a team its own cadence, and can hand it back to the parent's", async ({ page }) => {
  const call = client(page.request);
  const team = await call("POST", "/teams", { name: `Cadence team ${Date.now().toString(36)}` });
  await signIn(page);
  await page.goto("/people");
  await page.getByRole("button", { name: `Edit team ${team.name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Edit ${team.name}` });
  const every = dialog.getByRole("combobox", { name: "Check-ins due" });
  await expect(every).toHaveValue("Follow the parent team (or the organisation)");
  // No weekday to pick while it follows the parent.
  await expect(dialog.getByRole("combobox", { name: "On", exact: true })).toHaveCount(0);
  await every.click();
  await page.getByRole("option", { name: "Every 2 weeks" }).click();
  await dialog.getByRole("combobox", { name: "On", exact: true }).click();
  await page.getByRole("option", { name: "Thursday" }).click();
  await dialog.getByRole("group", { name: "Check-in cadence" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/team-cadence.png` });
  await dialog.getByRole("button", { name: "Save team" }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  expect((await call("GET", `/teams/${team.id}`)).cadence).toEqual({ kind: "weekly", everyWeeks: 2, weekday: 4 });

  await page.getByRole("button", { name: `Edit team ${team.name}` }).click();
  await expect(every).toHaveValue("Every 2 weeks");
  await expect(dialog.getByRole("combobox", { name: "On", exact: true })).toHaveValue("Thursday");
  await every.click();
  await page.getByRole("option", { name: "Follow the parent team (or the organisation)" }).click();
  await dialog.getByRole("button", { name: "Save team" }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  expect((await call("GET", `/teams/${team.id}`)).cadence).toBeNull();
  await call("DELETE", `/teams/${team.id}`);
});

test("running the digest now says who got one and who was skipped", async ({ page }) => {
  await signIn(page);
  await page.goto("/admin/jobs");
  const digest = page.getByRole("region", { name: "Weekly digest" });
  await digest.getByRole("button", { name: "Run now: Weekly digest" }).click();
  // The run reads every lead's dashboard and coach: allow a loaded machine its time.
  await expect(digest.getByText(/^Week of \d{4}-\d{2}-\d{2}: \d+ sent, \d+ skipped\.$/)).toBeVisible({
    timeout: 30_000,
  });
  await expect(digest.getByText(/^(Sent .+ the digest|Skipped .+: )/).first()).toBeVisible();
  await digest.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/jobs-digest.png` });
});
