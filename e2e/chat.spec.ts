/**
 * The settings page's Chat section: an admin sets a webhook URL (a wrong one is refused at its
 * field), sends a test message and reads what happened; a member sees only whether a channel is
 * set. The journeys' server allows no private addresses, so the test message to a loopback URL
 * is refused by the outbound guard before any request — a real, deterministic failure to show.
 * The team dialog shows the same fields. Light and dark, desktop and 390 px.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

const RUN = Date.now().toString(36);
const TEAMS_URL = "https://127.0.0.1:9/workflows/e2e";

const chatCard = (page: Page) => page.getByRole("region", { name: "Chat" });

test("an admin sets a Teams channel, sends a test message and reads the result; a member sees only that it is set", async ({
  page,
}) => {
  const call = client(page.request);
  await signIn(page);
  await page.goto("/settings");
  const card = chatCard(page);
  await card.scrollIntoViewIfNeeded();
  const slack = card.getByRole("textbox", { name: "Slack incoming-webhook URL" });
  const teams = card.getByRole("textbox", { name: "Microsoft Teams workflow URL" });
  const test = card.getByRole("button", { name: "Send a test message" });
  await expect(test).toBeDisabled();

  // A Slack URL that is not one of Slack's incoming webhooks is refused at its field.
  await slack.fill("https://example.com/hook");
  await expect(card.getByText("Save your changes first")).toBeVisible();
  await card.getByRole("button", { name: "Save chat channels" }).click();
  await expect(
    card.getByText("must be a Slack incoming-webhook URL, https://hooks.slack.com/services/…"),
  ).toBeVisible();

  await slack.fill("");
  await teams.fill(TEAMS_URL);
  await card.getByRole("button", { name: "Save chat channels" }).click();
  await expect(page.getByText("Chat channels saved")).toBeVisible();
  expect(await call("GET", "/settings")).toMatchObject({ teamsWebhookUrl: TEAMS_URL, slackConfigured: false });

  await expect(test).toBeEnabled();
  await test.click();
  await expect(card.getByRole("status")).toContainText("Microsoft Teams could not be reached at the webhook URL");
  await page.screenshot({ path: `${SHOTS}/chat-settings.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  // A member reads whether each channel is set, never the URL.
  const member = await call("POST", "/users", {
    name: "Cho Chat",
    email: `cho${RUN}@demo.example`,
    role: "member",
    invite: false,
  });
  const memberToken = (await call("POST", `/users/${member.id}/tokens`, { name: "e2e" })).token as string;
  await signIn(page, memberToken);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/settings");
  const seen = chatCard(page);
  await seen.scrollIntoViewIfNeeded();
  await expect(seen.getByText("Microsoft Teams: connected")).toBeVisible();
  await expect(seen.getByText("Slack: not set")).toBeVisible();
  await expect(seen.getByRole("textbox")).toHaveCount(0);
  await expect(seen.getByRole("button", { name: "Send a test message" })).toHaveCount(0);
  await expect(page.getByText(TEAMS_URL)).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/chat-settings-member-390.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  // Leave the demo as it was.
  await call("PATCH", "/settings", { teamsWebhookUrl: null });
});

test("dark, 390 px: the Chat section and a team's chat fields with their test", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const call = client(page.request);
  const team = await call("POST", "/teams", { name: `Chat team ${RUN}` });
  await signIn(page);
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await page.goto("/settings");
  await chatCard(page).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/chat-settings-dark-390.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  await page.goto("/people");
  await page.getByRole("button", { name: `Edit team ${team.name}` }).click();
  const dialog = page.getByRole("dialog", { name: `Edit ${team.name}` });
  await dialog.getByRole("textbox", { name: "Microsoft Teams workflow URL" }).fill(TEAMS_URL);
  await expect(dialog.getByText("Save your changes first")).toBeVisible();
  await dialog.getByRole("button", { name: "Save team" }).click();
  // Saving waits for the page to refetch what a team change touches (every team card).
  await expect(dialog).toBeHidden({ timeout: 30_000 });
  expect((await call("GET", `/teams/${team.id}`)).teamsWebhookUrl).toBe(TEAMS_URL);

  await page.getByRole("button", { name: `Edit team ${team.name}` }).click();
  await dialog.getByRole("button", { name: "Send a test message" }).click();
  await expect(dialog.getByRole("status")).toContainText(
    "This team's channel — Microsoft Teams could not be reached at the webhook URL",
  );
  await dialog.getByRole("status").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/chat-team-dialog-dark-390.png` });
  // The dialog only: the team cards behind it are another journey's (people page).
  const axe = await new AxeBuilder({ page }).include("[role=dialog]").analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)).toEqual([]);
  await call("DELETE", `/teams/${team.id}`);
  await context.close();
});
