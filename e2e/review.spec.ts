/**
 * The review workflow (#12): an admin turns reviews on; an owner submits a draft; their manager
 * finds it waiting on My OKRs and approves it; the owner publishes it. A second draft is sent
 * back with a comment the owner then reads. The coach's errors keep a draft from being
 * submitted. Reviews are turned off again at the end: the journeys share one server.
 */
import { type APIRequestContext, expect, type Page, request as playwrightRequest, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn, TOKEN } from "./support.js";

test.describe.configure({ mode: "serial" });

const stamp = Date.now();
let ownerToken = "";
let managerToken = "";
let approveId = "";
let sendBackId = "";
let blockedId = "";
const APPROVE_TITLE = `Make onboarding delightful (review e2e ${stamp})`;
const SEND_BACK_TITLE = `Halve support tickets (review e2e ${stamp})`;

// biome-ignore lint/suspicious/noExplicitAny: API answers are arbitrary JSON; each step asserts what it reads
type Call = (method: string, url: string, data?: unknown, token?: string) => Promise<any>;

let call: Call;

/** Light, then dark (axe in both, a screenshot of each), then back to light. */
async function lightAndDark(page: Page, name: string) {
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/${name}-light.png`, fullPage: true });
  await page.getByRole("button", { name: "Switch light or dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png`, fullPage: true });
  await page.getByRole("button", { name: "Switch light or dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "light");
}

const reviewPanel = (page: Page) => page.getByRole("region", { name: "Review", exact: true });

let request: APIRequestContext;

test.beforeAll(async ({ baseURL }) => {
  // Its own request context: the steps call the API too, after beforeAll's fixtures are gone.
  request = await playwrightRequest.newContext({ baseURL });
  call = client(request);
  const periodId = (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId;
  const person = async (name: string, managerId: string | null) => {
    const user = await call("POST", "/users", {
      name,
      email: `${name.split(" ")[0]?.toLowerCase()}${stamp}@review.example`,
      role: "member",
      managerId,
      invite: false,
    });
    const token = (await call("POST", `/users/${user.id}/tokens`, { name: "e2e", scope: "write" })).token as string;
    return { id: user.id as string, token };
  };
  const manager = await person("Mia Manager", null);
  const owner = await person("Olga Owner", manager.id);
  managerToken = manager.token;
  ownerToken = owner.token;
  const draft = async (title: string, token: string, ownerIds: string[]) => {
    const o = await call(
      "POST",
      "/objectives",
      { title, level: "individual", ownerIds, periodId, state: "draft" },
      token,
    );
    await call(
      "POST",
      `/objectives/${o.id}/key-results`,
      { title: "Activation within a day", type: "increase", start: 40, target: 70, unit: "percent", ownerIds },
      token,
    );
    return o.id as string;
  };
  approveId = await draft(APPROVE_TITLE, ownerToken, [owner.id]);
  sendBackId = await draft(SEND_BACK_TITLE, ownerToken, [owner.id]);
  // An objective without an owner: the coach's error keeps it from being submitted.
  blockedId = await draft(`Nobody's goal (review e2e ${stamp})`, TOKEN, []);
});

test.afterAll(async () => {
  await call("PATCH", "/settings", { reviewWorkflow: false });
  await request.dispose();
});

test("an admin turns reviews on in the settings", async ({ page }) => {
  await signIn(page);
  await page.goto("/settings");
  const toggle = page.getByRole("switch", { name: "Drafts need a review before they go live" });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Settings saved").first()).toBeVisible();
  await page.reload();
  await expect(page.getByRole("switch", { name: "Drafts need a review before they go live" })).toBeChecked();
  await page.screenshot({ path: `${SHOTS}/review-setting.png` });
});

test("the coach's errors keep a draft from being submitted", async ({ page }) => {
  await signIn(page);
  await page.goto(`/objectives/${blockedId}`);
  const panel = reviewPanel(page);
  await expect(panel.getByText("Fix what the coach marks as an error before submitting:")).toBeVisible();
  await expect(panel.getByText("Objective without an owner")).toBeVisible();
  const submit = panel.getByRole("button", { name: "Submit for review" });
  await expect(submit).toHaveAttribute("aria-disabled", "true");
  // An admin may still publish it without a review.
  await expect(page.getByRole("button", { name: "Publish without review" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/review-blocked.png`, fullPage: true });
});

test("an owner submits a draft for review: it cannot be published before", async ({ page }) => {
  await signIn(page, ownerToken);
  await page.goto(`/objectives/${approveId}`);
  const panel = reviewPanel(page);
  await expect(panel.getByText("Draft", { exact: true })).toBeVisible();
  await expect(panel.getByText("Mia Manager")).toBeVisible();
  await expect(page.getByRole("button", { name: /^Publish/ })).toHaveCount(0);
  await panel.getByRole("button", { name: "Submit for review" }).click();
  const dialog = page.getByRole("dialog", { name: "Submit for review" });
  await dialog.getByRole("textbox", { name: "Note for the reviewers (optional)" }).fill("First pass, targets agreed");
  await dialog.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByText("Submitted for review: the reviewers have been told.")).toBeVisible();
  await expect(panel.getByText("In review", { exact: true })).toBeVisible();
  await expect(panel.getByText("Waiting for a reviewer to approve it or send it back.")).toBeVisible();
  await expect(panel.getByText("“First pass, targets agreed”")).toBeVisible();
  await lightAndDark(page, "review-submitted");
});

test("the manager finds it waiting on My OKRs and approves it", async ({ page }) => {
  await signIn(page, managerToken);
  const waiting = page.getByRole("region", { name: /Waiting for my review/ });
  await expect(waiting.getByRole("link", { name: APPROVE_TITLE })).toBeVisible();
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/review-waiting.png` });
  await waiting.getByRole("link", { name: APPROVE_TITLE }).click();
  const panel = reviewPanel(page);
  await panel.getByRole("button", { name: "Approve" }).click();
  const dialog = page.getByRole("dialog", { name: `Approve “${APPROVE_TITLE}”` });
  await dialog.getByRole("textbox", { name: "Comment (optional)" }).fill("Ambitious and measurable");
  await dialog.getByRole("button", { name: "Approve" }).click();
  await expect(panel.getByText("Approved", { exact: true })).toBeVisible();
  await expect(panel.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await lightAndDark(page, "review-approved");
});

test("the owner publishes the approved draft", async ({ page }) => {
  await signIn(page, ownerToken);
  await page.goto(`/objectives/${approveId}`);
  const panel = reviewPanel(page);
  await expect(panel.getByText("Approved: publish it to make it active.")).toBeVisible();
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(panel.getByText("Active", { exact: true })).toBeVisible();
  await expect(panel.getByText(/Olga Owner published it/)).toBeVisible();
  await expect(panel.getByText(/Mia Manager approved it/)).toBeVisible();
  await expect(page.getByText("Draft: ").first()).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/review-published.png`, fullPage: true });
});

test("a reviewer sends a draft back with a comment, which its owner reads", async ({ browser }) => {
  await call("POST", `/objectives/${sendBackId}/review/submit`, {}, ownerToken);
  const manager = await browser.newPage();
  await signIn(manager, managerToken);
  await manager.goto(`/objectives/${sendBackId}`);
  await reviewPanel(manager).getByRole("button", { name: "Send back" }).click();
  const dialog = manager.getByRole("dialog", { name: `Send “${SEND_BACK_TITLE}” back` });
  // The comment is required.
  await dialog.getByRole("button", { name: "Send back" }).click();
  await expect(dialog.getByText("Say what should change before it is submitted again.")).toBeVisible();
  await dialog.getByRole("textbox", { name: "What should change?" }).fill("Name the baseline's source");
  await dialog.getByRole("button", { name: "Send back" }).click();
  await expect(reviewPanel(manager).getByText("Draft", { exact: true })).toBeVisible();
  await manager.close();

  const owner = await browser.newPage();
  await signIn(owner, ownerToken);
  await owner.goto(`/objectives/${sendBackId}`);
  const panel = reviewPanel(owner);
  await expect(panel.getByText(/Mia Manager sent it back/)).toBeVisible();
  await expect(panel.getByText("“Name the baseline's source”")).toBeVisible();
  await expect(panel.getByRole("button", { name: "Submit for review" })).toBeVisible();
  const notices = await call("GET", "/notifications", undefined, ownerToken);
  expect(notices.items.some((n: { body: string }) => n.body === "Name the baseline's source")).toBe(true);
  await owner.close();
});

test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the review panel and the waiting list fit 390 px", async ({ page }) => {
    await call(
      "POST",
      `/objectives/${sendBackId}/review/submit`,
      { comment: "Baseline from the help desk" },
      ownerToken,
    );
    await signIn(page, managerToken);
    await expect(page.getByRole("region", { name: /Waiting for my review/ })).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/review-waiting-390.png`, fullPage: true });
    await page.goto(`/objectives/${sendBackId}`);
    const panel = reviewPanel(page);
    await expect(panel.getByRole("button", { name: "Approve" })).toBeVisible();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await panel.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/review-panel-390.png` });
    await noSeriousA11yViolations(page);
  });
});
