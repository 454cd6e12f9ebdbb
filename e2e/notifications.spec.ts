/**
 * The notification centre as a person meets it: the bell's unread count, the centre newest
 * first with more on demand, opening a notice (it is read, the page it points to opens and the
 * count drops), a reminder's link that opens the check-in form, marking all read; notification
 * preferences kept across a reload; and the unsubscribe page of an email, with a real link and
 * with a bad one. The notices come from the journeys' setup (seed-notifications.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { noSeriousA11yViolations, SHOTS, signIn, TOKEN } from "./support.js";

const PORT = Number(process.env.OKRA_E2E_PORT ?? 3199);
const DATA_DIR = PORT === 3199 ? ".e2e-data" : `.e2e-data-${PORT}`;
const here = path.dirname(fileURLToPath(import.meta.url));

interface Fixtures {
  keyResult: { id: string; title: string };
  objective: { id: string; title: string };
  notices: number;
  tokens: { email: string; digest: string };
}
const fixtures = (): Fixtures =>
  JSON.parse(readFileSync(path.join(here, "..", DATA_DIR, "e2e-notifications.json"), "utf8")) as Fixtures;

const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const checkInDialog = (page: Page, title: string) =>
  page.getByRole("dialog", { name: new RegExp(`^Check in: ${literal(title)}`) });
const bell = (page: Page) => page.getByRole("button", { name: /^Notifications, \d+ unread$/ });
const centre = (page: Page) => page.getByRole("dialog", { name: "Notifications" });

async function unreadCount(page: Page): Promise<number> {
  const name = (await bell(page).getAttribute("aria-label")) ?? "";
  return Number(/(\d+) unread/.exec(name)?.[1] ?? Number.NaN);
}

async function freshPage(browser: Browser, options: Parameters<Browser["newContext"]>[0] = {}) {
  const context = await browser.newContext(options);
  return context.newPage();
}

test.describe.configure({ mode: "serial" });

test("the bell counts unread notices; the centre lists them newest first and loads more", async ({ page }) => {
  const f = fixtures();
  await signIn(page);
  await expect(bell(page)).toHaveAccessibleName(`Notifications, ${f.notices} unread`);
  await bell(page).click();
  const list = centre(page);
  await expect(list).toBeVisible();
  const items = list.getByRole("listitem");
  await expect(items).toHaveCount(20);
  // Newest first: the reminder, then the mention, then the due check-ins.
  await expect(items.nth(0)).toContainText(`Time to check in: ${f.keyResult.title}`);
  await expect(items.nth(1)).toContainText("mentioned you");
  await expect(items.nth(2)).toContainText("Your check-ins are due");
  // Unread ones say so to a screen reader too.
  await expect(items.nth(0).getByRole("button")).toHaveAccessibleName(/^Unread: Time to check in/);
  await page.screenshot({ path: `${SHOTS}/notifications-centre.png` });
  await noSeriousA11yViolations(page);
  await list.getByRole("button", { name: "Load more" }).click();
  await expect(items).toHaveCount(f.notices);
  await expect(list.getByRole("button", { name: "Load more" })).toHaveCount(0);
  await expect(items.last()).toContainText("Older update");
});

test("opening a notice marks it read and follows its link; a reminder opens the check-in form", async ({ page }) => {
  const f = fixtures();
  await signIn(page);
  await expect(bell(page)).toHaveAccessibleName(`Notifications, ${f.notices} unread`);
  await bell(page).click();
  await centre(page)
    .getByRole("button", { name: /mentioned you/ })
    .click();
  // The page puts its period in the address (the header shows it).
  await expect(page).toHaveURL(new RegExp(`/objectives/${f.objective.id}(\\?period=[^&]+)?$`));
  await expect(page.getByRole("heading", { name: f.objective.title, level: 2, exact: true })).toBeVisible();
  await expect(bell(page)).toHaveAccessibleName(`Notifications, ${f.notices - 1} unread`);

  // The reminder's link (as a reminder email has it) opens the key result's check-in form.
  await bell(page).click();
  await centre(page)
    .getByRole("button", { name: /Time to check in/ })
    .click();
  const dialog = checkInDialog(page, f.keyResult.title);
  // The form opens once the key result and the caller's rights are in: slower on a loaded CI machine.
  await expect(dialog).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("heading", { name: f.keyResult.title, level: 2, exact: true })).toBeVisible();
  // The flag leaves the address, so a reload does not open the form again.
  await expect(page).toHaveURL(new RegExp(`/key-results/${f.keyResult.id}(\\?period=[^&]+)?$`));
  await expect(bell(page)).toHaveAccessibleName(`Notifications, ${f.notices - 2} unread`);
  await page.screenshot({ path: `${SHOTS}/notifications-check-in-link.png` });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("heading", { name: f.keyResult.title, level: 2, exact: true })).toBeVisible();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // The same link typed in (or clicked in an email) opens it too.
  await page.goto(`/key-results/${f.keyResult.id}?checkIn=1`);
  await expect(checkInDialog(page, f.keyResult.title)).toBeVisible();
  await page.keyboard.press("Escape");

  // "Your check-ins are due" leads to My OKRs with the due list in view.
  await bell(page).click();
  await centre(page)
    .getByRole("button", { name: /Your check-ins are due/ })
    .click();
  await expect(page).toHaveURL(/\/\?due=1$/);
  await expect(page.getByRole("heading", { name: /^Due a check-in/ })).toBeFocused();
  await expect(bell(page)).toHaveAccessibleName(`Notifications, ${f.notices - 3} unread`);

  // Read elsewhere (another tab, a script): the live event updates this page's count, no reload.
  const auth = { authorization: `Bearer ${TOKEN}` };
  const unread = await (await page.request.get("/api/v1/notifications?unread=true&limit=2", { headers: auth })).json();
  const ids = (unread.items as { id: string }[]).map((n) => n.id);
  expect(ids).toHaveLength(2);
  const marked = await page.request.post("/api/v1/notifications/read", { headers: auth, data: { ids } });
  expect(await marked.json()).toEqual({ marked: 2 });
  await expect(bell(page)).toHaveAccessibleName(`Notifications, ${f.notices - 5} unread`);
});

test("mark all read empties the count; the centre reads at 390 px and in the dark", async ({ browser }) => {
  const page = await freshPage(browser, { colorScheme: "dark", viewport: { width: 390, height: 844 } });
  await signIn(page);
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  // The header keeps to one line on a phone: the bell sits inside it.
  const header = await page.locator("header").boundingBox();
  const button = await bell(page).boundingBox();
  expect(header && button && button.y + button.height <= header.y + header.height).toBe(true);
  const before = await unreadCount(page);
  expect(before).toBeGreaterThan(0);
  await bell(page).click();
  const list = centre(page);
  await expect(list.getByRole("listitem").first()).toBeVisible();
  // The centre fits the phone: nothing sticks out sideways.
  const box = await list.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: `${SHOTS}/notifications-dark-390.png` });
  await noSeriousA11yViolations(page);
  await list.getByRole("button", { name: "Mark all read" }).click();
  await expect(bell(page)).toHaveAccessibleName("Notifications, 0 unread");
  await expect(list.getByRole("button", { name: "Mark all read" })).toBeDisabled();
  await expect(list.getByText("All caught up")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/notifications-all-read-dark-390.png` });
  await page.context().close();
});

test("notification preferences save with a confirmation and are kept after a reload", async ({ page }) => {
  await signIn(page);
  await page.goto("/profile");
  const section = page.getByRole("region", { name: "Notifications" });
  await expect(section.getByLabel("By email and in the app")).toBeChecked();
  await expect(section.getByLabel("Weekly digest by email")).toBeChecked();
  await section.getByLabel("In the app only").check();
  await section.getByLabel("Saturday").check();
  await section.getByLabel("Sunday").check();
  await section.getByLabel("Weekly digest by email").uncheck();
  await section.getByRole("button", { name: "Save notification preferences" }).click();
  await expect(section.getByRole("status")).toHaveText("Notification preferences saved");
  await section.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/notifications-preferences.png` });
  await noSeriousA11yViolations(page);

  await page.reload();
  const again = page.getByRole("region", { name: "Notifications" });
  await expect(again.getByLabel("In the app only")).toBeChecked();
  await expect(again.getByLabel("Saturday")).toBeChecked();
  await expect(again.getByLabel("Sunday")).toBeChecked();
  await expect(again.getByLabel("Monday")).not.toBeChecked();
  await expect(again.getByLabel("Weekly digest by email")).not.toBeChecked();

  // Back to email, the digest on and no quiet days, for the unsubscribe journey below.
  await again.getByLabel("By email and in the app").check();
  await again.getByLabel("Saturday").uncheck();
  await again.getByLabel("Sunday").uncheck();
  await again.getByLabel("Weekly digest by email").check();
  await again.getByRole("button", { name: "Save notification preferences" }).click();
  await expect(again.getByRole("status")).toHaveText("Notification preferences saved");
});

test("an email's unsubscribe link works without signing in; a bad link says why", async ({ browser }) => {
  const f = fixtures();
  const page = await freshPage(browser);
  await page.goto(`/unsubscribe?token=${encodeURIComponent(f.tokens.digest)}`);
  await expect(page.getByRole("heading", { name: "Unsubscribe", level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/unsubscribe/);
  await noSeriousA11yViolations(page);
  await page.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(page.getByRole("status")).toContainText("The weekly digest is off.");
  await page.screenshot({ path: `${SHOTS}/unsubscribe-done.png` });

  // A link whose token was changed is refused with the server's reason, and changes nothing.
  const tampered = `${f.tokens.email.slice(0, -3)}abc`;
  await page.goto(`/unsubscribe?token=${encodeURIComponent(tampered)}`);
  await page.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(page.getByRole("alert")).toContainText("is not an unsubscribe link Okra sent");
  await page.screenshot({ path: `${SHOTS}/unsubscribe-bad.png` });
  await page.goto("/unsubscribe");
  await expect(page.getByRole("alert")).toContainText("needs the link from an Okra email");

  // The preferences link leads (through signing in) to the admin's preferences: digest off, email on.
  await page.context().close();
  const signedIn = await freshPage(browser);
  await signIn(signedIn);
  await signedIn.goto(`/unsubscribe?token=${encodeURIComponent(f.tokens.digest)}`);
  await signedIn.getByRole("link", { name: "Change your notification preferences" }).click();
  const section = signedIn.getByRole("region", { name: "Notifications" });
  await expect(section.getByLabel("Weekly digest by email")).not.toBeChecked();
  await expect(section.getByLabel("By email and in the app")).toBeChecked();
  await signedIn.context().close();
});
