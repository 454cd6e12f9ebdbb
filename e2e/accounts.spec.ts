/**
 * Accounts as people meet them: an admin invites someone (this server sends no mail, so
 * the admin passes the link on), the invitee chooses a password and lands in Okra, signs
 * out and back in with the password, creates an API token on their profile, and cannot
 * see a private objective that is not theirs.
 */
import { type Browser, expect, test } from "@playwright/test";
import { noSeriousA11yViolations, SHOTS, signIn, TOKEN } from "./support.js";

const EMAIL = `ivy.${Date.now()}@demo.example`;
const PASSWORD = "ivy's long passphrase";

async function freshPage(browser: Browser) {
  const context = await browser.newContext();
  return context.newPage();
}

test.describe.configure({ mode: "serial" });

let invitationLink = "";

test("an admin invites a person and gets the link to pass on", async ({ page }) => {
  await signIn(page);
  await page.getByRole("link", { name: "Teams and people" }).click();
  await page.getByRole("button", { name: "Invite a person" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite a person" });
  await dialog.getByLabel("Name").fill("Ivy Invited");
  await dialog.getByLabel("Email").fill(EMAIL);
  await dialog.getByRole("button", { name: "Invite" }).click();
  const link = dialog.getByTestId("invitation-link");
  await expect(link).toContainText("/accept-invitation#token=");
  invitationLink = (await link.textContent()) ?? "";
  await page.screenshot({ path: `${SHOTS}/invite.png` });
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.getByRole("cell", { name: EMAIL })).toBeVisible();
  await noSeriousA11yViolations(page);
});

test("the invitee chooses a password and is signed in with a session", async ({ browser }) => {
  const page = await freshPage(browser);
  await page.goto(invitationLink.replace(/^https?:\/\/[^/]+/, ""));
  await expect(page.getByRole("heading", { name: "Welcome to Okra" })).toBeVisible();
  await expect(page).not.toHaveURL(/token=/);
  await page.getByLabel("Password").first().fill(PASSWORD);
  await page.getByLabel("Password again").fill("something else entirely");
  await expect(page.getByText("The two passwords differ.")).toBeVisible();
  await page.getByLabel("Password again").fill(PASSWORD);
  await page.screenshot({ path: `${SHOTS}/accept-invitation.png` });
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(page.getByRole("heading", { name: "My OKRs", level: 2 })).toBeVisible();
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "okra_session");
  expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict" });
  // Members do not see the administration section.
  await expect(page.getByRole("link", { name: "Audit trail" })).toHaveCount(0);
  await page.context().close();
});

test("signs out, then back in with the password; a wrong one is refused", async ({ browser }) => {
  const page = await freshPage(browser);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Email").fill(EMAIL);
  await page.locator("input[autocomplete=current-password]").fill("not my password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("alert")).toContainText("incorrect");
  await page.locator("input[autocomplete=current-password]").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "My OKRs", level: 2 })).toBeVisible();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.context().close();
});

test("creates an API token on the profile, shown once, and revokes it", async ({ browser }) => {
  const page = await freshPage(browser);
  await page.goto("/sign-in?next=/profile");
  await page.getByLabel("Email").fill(EMAIL);
  await page.locator("input[autocomplete=current-password]").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "My profile", level: 2 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Where you are signed in" })).toBeVisible();
  await expect(page.getByText("This browser")).toBeVisible();
  await page.getByLabel("Name").nth(1).fill("weekly report");
  await page.getByRole("button", { name: "Create token" }).click();
  const issued = page.getByTestId("issued-token");
  await expect(issued).toContainText("okra_");
  const token = (await issued.textContent()) ?? "";
  const me = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect((await me.json()).user.email).toBe(EMAIL);
  await page.screenshot({ path: `${SHOTS}/profile.png`, fullPage: true });
  await noSeriousA11yViolations(page);
  await page.getByRole("button", { name: "Revoke the token weekly report" }).click();
  await expect(page.getByRole("cell", { name: "weekly report" })).toHaveCount(0);
  const after = await page.request.get("/api/v1/me", { headers: { authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
  await page.context().close();
});

test("a private objective that is not theirs reads as not found", async ({ browser, request }) => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const periods = (await (await request.get("/api/v1/periods", { headers: auth })).json()).items;
  const created = await request.post("/api/v1/objectives", {
    headers: auth,
    data: {
      title: "Board-only acquisition plan",
      level: "organization",
      periodId: periods[0].id,
      visibility: "private",
    },
  });
  expect(created.status()).toBe(201);
  const secret = await created.json();
  const page = await freshPage(browser);
  await page.goto("/sign-in?next=/explorer");
  await page.getByLabel("Email").fill(EMAIL);
  await page.locator("input[autocomplete=current-password]").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Explorer", level: 2 })).toBeVisible();
  await page.getByLabel("Search titles").fill("acquisition");
  await expect(page.getByText("Board-only acquisition plan")).toHaveCount(0);
  await page.goto(`/objectives/${secret.id}`);
  // The same page as for an objective that does not exist.
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await page.context().close();
});

test("the forgotten-password page answers without revealing accounts", async ({ page }) => {
  // This server has no mail server: it says so at once, the same for any address.
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill("nobody@nowhere.example");
  await page.getByRole("button", { name: "Email me a link" }).click();
  await expect(page.getByRole("status")).toContainText("cannot send email, so no reset link can reach you");
  await expect(page.getByRole("status")).toContainText("Ask an admin for a sign-in link");
  await page.screenshot({ path: `${SHOTS}/forgot-password.png` });
  await page.goto("/sign-in");
  await page.screenshot({ path: `${SHOTS}/sign-in.png` });
  await noSeriousA11yViolations(page);
});
