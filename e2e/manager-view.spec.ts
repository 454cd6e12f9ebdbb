import { type Browser, expect, type Page, test } from "@playwright/test";
import { noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

async function pageIn(browser: Browser, colorScheme: "light" | "dark", width = 1400) {
  const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
  const page = await context.newPage();
  await signIn(page);
  return { page, close: () => context.close() };
}

async function openDashboard(page: Page) {
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Dashboard", level: 2 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "What changed since last week" })).toBeVisible();
}

test.describe.configure({ mode: "serial" });

for (const scheme of ["light", "dark"] as const) {
  test(`the dashboard shows what changed, teams by status, freshness and top risks (${scheme})`, async ({
    browser,
  }) => {
    const { page, close } = await pageIn(browser, scheme);
    await openDashboard(page);
    await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", scheme);
    // What changed: the demo has check-ins this week.
    const changes = page.getByRole("region", { name: "What changed since last week" });
    await expect(changes.getByRole("heading", { name: "Status changes" })).toBeVisible();
    await expect(changes.getByRole("link").first()).toBeVisible();
    // Teams by status: a row per team, the demo's teams among them.
    const heat = page.getByTestId("heat-map");
    await expect(heat.getByRole("rowheader", { name: "Sales" })).toBeVisible();
    await expect(heat.getByRole("columnheader", { name: "At risk" })).toBeVisible();
    // Freshness by team and top risks with owners and objectives.
    const freshness = page.getByTestId("freshness");
    await expect(freshness.getByRole("rowheader", { name: "Engineering" })).toBeVisible();
    await expect(freshness.getByText(/ of \d+/).first()).toBeVisible();
    const risks = page.getByTestId("top-risks");
    await expect(risks.getByRole("row").nth(1)).toBeVisible();
    await expect(risks.getByText(/^Objective:/).first()).toBeVisible();
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SHOTS}/dashboard-${scheme}.png`, fullPage: true });
    await noSeriousA11yViolations(page);
    await close();
  });
}

test("a heat-map cell opens the explorer filtered to its team and status", async ({ page }) => {
  await signIn(page);
  await openDashboard(page);
  const cell = page.getByTestId("heat-map").getByRole("link").first();
  const label = (await cell.getAttribute("aria-label")) ?? "";
  const count = Number(await cell.textContent());
  expect(count).toBeGreaterThan(0);
  await cell.click();
  await expect(page).toHaveURL(/\/explorer\?.*team=.*/);
  const url = new URL(page.url());
  expect(url.searchParams.get("status")).toBeTruthy();
  expect(label).toContain(`${count} objective`);
  await expect(page.getByText(count === 1 ? "1 objective" : `${count} objectives`).first()).toBeVisible();
});

test("the dashboard at phone width", async ({ browser }) => {
  const { page, close } = await pageIn(browser, "light", 390);
  await openDashboard(page);
  await expect(page.getByTestId("heat-map")).toBeVisible();
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${SHOTS}/dashboard-390.png`, fullPage: true });
  await noSeriousA11yViolations(page);
  await close();
});

for (const scheme of ["light", "dark"] as const) {
  test(`presentation mode moves with the keyboard and leaves with Escape (${scheme})`, async ({ browser }) => {
    const { page, close } = await pageIn(browser, scheme);
    await openDashboard(page);
    await page.getByRole("button", { name: "Present" }).click();
    await expect(page).toHaveURL(/\/present/);
    await expect(page.getByRole("heading", { name: "Quarterly review", level: 1 })).toBeVisible();
    const counter = page.getByTestId("slide-counter");
    await expect(counter).toHaveText(/^Slide 1 of \d+/);
    const total = Number((await counter.textContent())?.match(/of (\d+)/)?.[1]);
    expect(total).toBeGreaterThan(2);
    await page.keyboard.press("ArrowRight");
    await expect(counter).toHaveText(/^Slide 2 of/);
    const first = await page.getByRole("heading", { level: 1 }).textContent();
    expect(first).not.toBe("Quarterly review");
    await expect(page.getByText("Latest note")).toBeVisible();
    await page.keyboard.press("PageDown");
    await expect(counter).toHaveText(/^Slide 3 of/);
    await expect(page.getByRole("heading", { level: 1 })).not.toHaveText(first ?? "");
    await page.keyboard.press("PageUp");
    await page.keyboard.press("ArrowLeft");
    await expect(counter).toHaveText(/^Slide 1 of/);
    await page.keyboard.press("End");
    await expect(counter).toHaveText(new RegExp(`^Slide ${total} of ${total}$`));
    await page.keyboard.press("Home");
    await expect(counter).toHaveText(/^Slide 1 of/);
    await page.keyboard.press("ArrowRight");
    await expect(page.getByRole("button", { name: "Full screen" })).toBeVisible();
    await page.waitForTimeout(400);
    await page.screenshot({ path: `${SHOTS}/present-${scheme}.png` });
    await noSeriousA11yViolations(page);
    await page.keyboard.press("Escape");
    await expect(page).toHaveURL(/\/dashboard/);
    await close();
  });
}
