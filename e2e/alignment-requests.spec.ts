/**
 * Aligning under someone else's objective (issue #9): a member's contributing alignment waits as
 * a request; the parent's owner sees it on their objective and accepts it, and only then does it
 * count. Screenshots go to test-results/e2e/screens.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";

const TOKEN = "okra_e2e_admin_token_0123456789";
const SHOTS = "test-results/e2e/screens";

async function signIn(page: Page, token: string) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Use an API token instead" }).click();
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in with the token" }).click();
  await expect(page.getByRole("heading", { name: "My OKRs", level: 2 })).toBeVisible();
}

test("a member's alignment under the owner's objective waits until the owner accepts it", async ({ page }) => {
  const call = async (method: string, url: string, data?: unknown, token = TOKEN) => {
    const res = await page.request.fetch(`/api/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(data ? { data } : {}),
    });
    expect(res.status(), `${method} ${url}: ${await res.text()}`).toBeLessThan(300);
    return res.json();
  };
  const me = await call("GET", "/me");
  const member = await call("POST", "/users", {
    name: "Rita Requester",
    email: `rita${Date.now()}@demo.example`,
    role: "member",
    invite: false,
  });
  const memberToken = (await call("POST", `/users/${member.id}/tokens`, { name: "e2e" })).token as string;
  // The owner's own objective in an open period, and the member's objective in the same period.
  const parent = await call("POST", "/objectives", {
    title: "Make onboarding effortless",
    level: "individual",
    ownerIds: [me.user.id],
    periodId: (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId,
  });
  const child = await call(
    "POST",
    "/objectives",
    { title: "Rita's onboarding checklist", level: "individual", ownerIds: [member.id], periodId: parent.periodId },
    memberToken,
  );
  const request = await call(
    "POST",
    "/alignments",
    { childType: "objective", childId: child.id, parentType: "objective", parentId: parent.id },
    memberToken,
  );
  expect(request).toMatchObject({ state: "pending", contributes: false });

  // The member sees their alignment waiting.
  await signIn(page, memberToken);
  await page.goto(`/objectives/${child.id}`);
  await expect(page.getByText("Waiting for approval by its owners")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/alignment-waiting.png`, fullPage: true });

  // The owner accepts it on their objective.
  await signIn(page, TOKEN);
  await page.goto(`/objectives/${parent.id}`);
  await expect(page.getByRole("heading", { name: "Asking to count toward this" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/alignment-request.png`, fullPage: true });
  const axe = await new AxeBuilder({ page }).analyze();
  expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
  await page.getByRole("button", { name: "Accept Rita's onboarding checklist" }).click();
  await expect(page.getByRole("heading", { name: "Asking to count toward this" })).toHaveCount(0);
  // Listed under Contributing (and in the breakdown of the percentage).
  await expect(page.getByRole("link", { name: "Rita's onboarding checklist" }).first()).toBeVisible();
  const after = await call("GET", `/alignments/${request.id}`);
  expect(after).toMatchObject({ state: "active", contributes: true });
  await page.screenshot({ path: `${SHOTS}/alignment-accepted.png`, fullPage: true });
});
