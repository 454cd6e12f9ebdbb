/**
 * A key result's Data link card (#13): an editor creates a check-in token (shown once, with a
 * copy button and a curl line), a script pushes a value with it, the editor revokes it and the
 * token stops working; then a JSON source is set and "Sync now" shows what happened. The
 * journeys' server allows no private addresses, so a loopback source is refused by the outbound
 * guard before any request — a real, deterministic failure to show. Desktop and 390 px.
 */
import { expect, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn, TOKEN } from "./support.js";

const RUN = Date.now().toString(36);
const card = (page: Page) => page.getByRole("region", { name: "Data link" });

test("an editor makes a token, sees it once, a script pushes with it, it is revoked; a source shows its error", async ({
  page,
}) => {
  const call = client(page.request);
  const today = new Date().toISOString().slice(0, 10);
  const periods = (await call("GET", "/periods")).items as { id: string; startDate: string; endDate: string }[];
  const current = periods
    .filter((p) => p.startDate <= today && today <= p.endDate)
    .sort((a, b) => a.endDate.localeCompare(b.endDate))[0];
  expect(current, "the demo has a period covering today").toBeTruthy();
  const objective = await call("POST", "/objectives", {
    title: `Data-linked growth ${RUN}`,
    level: "organization",
    periodId: current?.id,
  });
  const kr = await call("POST", `/objectives/${objective.id}/key-results`, {
    title: `Weekly signups ${RUN}`,
    type: "increase",
    start: 0,
    target: 100,
    ownerIds: [(await call("GET", "/me")).user.id],
  });

  await signIn(page);
  await page.goto(`/key-results/${kr.id}`);
  const c = card(page);
  await c.scrollIntoViewIfNeeded();
  await expect(c.getByText("No tokens yet.")).toBeVisible();
  await c.getByRole("textbox", { name: "Token name" }).fill("Nightly CI");
  await c.getByRole("button", { name: "Create token" }).click();
  await expect(c.getByText("Copy this token now: it is shown only once.")).toBeVisible();
  const secret = (await c.getByTestId("kr-token-secret").textContent()) ?? "";
  expect(secret).toMatch(/^okrkr_/);
  await expect(c.getByTestId("kr-token-curl")).toContainText(`/api/v1/key-results/${kr.id}/push`);
  await expect(c.getByRole("button", { name: "Copy" }).first()).toBeVisible();
  await expect(c.getByText(/Nightly CI · created .* · never used/)).toBeVisible();
  // The pointer off the buttons: a hovered button's darker shade is not what a reader sees.
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${SHOTS}/data-link-token.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  // A script pushes a value with the token, as the curl line does.
  const pushed = await page.request.post(`/api/v1/key-results/${kr.id}/push`, {
    headers: { authorization: `Bearer ${secret}` },
    data: { value: 42, note: "from the nightly job" },
  });
  expect(pushed.status()).toBe(201);
  await page.reload();
  await c.scrollIntoViewIfNeeded();
  // Shown once: after a reload the secret is gone, the token is listed and its use recorded.
  await expect(c.getByTestId("kr-token-secret")).toHaveCount(0);
  await expect(c.getByText(/Nightly CI · created .* · last used/)).toBeVisible();
  await expect(page.getByText("42 %").or(page.getByText("42%")).first()).toBeVisible();

  await c.getByRole("button", { name: "Revoke the token Nightly CI" }).click();
  await expect(page.getByText("Token Nightly CI revoked")).toBeVisible();
  await expect(c.getByText("No tokens yet.")).toBeVisible();
  const refused = await page.request.post(`/api/v1/key-results/${kr.id}/push`, {
    headers: { authorization: `Bearer ${secret}` },
    data: { value: 43 },
  });
  expect(refused.status()).toBe(401);

  // A source: a bad cell is refused at its field, then a JSON source whose sync fails in words.
  await c.getByRole("combobox", { name: "Format" }).click();
  await page.getByRole("option", { name: "CSV (a cell)" }).click();
  await c.getByRole("textbox", { name: "URL" }).fill("https://metrics.example.com/kpis.csv");
  await c.getByRole("textbox", { name: "Cell" }).fill("3B");
  await c.getByRole("button", { name: "Save source" }).click();
  await expect(c.getByText("must be a cell in A1 notation")).toBeVisible();

  await c.getByRole("combobox", { name: "Format" }).click();
  await page.getByRole("option", { name: "JSON (a JSONPath)" }).click();
  await c.getByRole("textbox", { name: "URL" }).fill("http://127.0.0.1:9/metrics.json");
  await c.getByRole("textbox", { name: "JSONPath" }).fill("$.signups");
  await c.getByRole("button", { name: "Save source" }).click();
  await expect(page.getByText("Source saved")).toBeVisible();
  await expect(c.getByText("Not synced yet.")).toBeVisible();
  await c.getByRole("button", { name: "Sync now" }).click();
  await expect(c.getByRole("alert")).toContainText("The last sync failed: The URL could not be reached");
  await expect(c.getByRole("alert")).toContainText("The last good value stays.");
  // The good value stays.
  expect((await call("GET", `/key-results/${kr.id}`)).current).toBe(42);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${SHOTS}/data-link-source-error.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  await page.setViewportSize({ width: 390, height: 844 });
  await c.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/data-link-390.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);

  // Leave the demo as it was.
  await call("DELETE", `/objectives/${objective.id}`, undefined, TOKEN);
});
