/**
 * The admin's Webhooks page (#13): create a webhook (a local address is refused at its field; the
 * signing secret shows once, with a copy button, and never again), check in, and read the
 * delivery in the log. The journeys' server allows no private addresses and this machine has no
 * network, so the delivery to a public-looking host fails with its error shown — then "Replay"
 * queues it again. Light desktop, dark at 390 px.
 */
import { expect, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

const RUN = Date.now().toString(36);
const HOOK_URL = `https://hooks.okra-e2e.example/okra/${RUN}`;

test("an admin creates a webhook, sees its secret once, and reads a failed delivery in the log, then replays it", async ({
  page,
}) => {
  const call = client(page.request);
  await signIn(page);
  await page.goto("/admin/webhooks");
  await expect(page.getByRole("heading", { name: "Webhooks", level: 2 })).toBeVisible();
  await expect(page.getByRole("navigation").getByRole("link", { name: "Webhooks" })).toBeVisible();

  const form = page.getByRole("region", { name: "New webhook" });
  await form.getByRole("textbox", { name: "URL" }).fill("https://127.0.0.1/hook");
  await form.getByRole("button", { name: "Create webhook" }).click();
  await expect(form.getByText("Must reach a public address")).toBeVisible();

  await form.getByRole("textbox", { name: "URL" }).fill(HOOK_URL);
  await form.getByRole("checkbox", { name: "Comments" }).check();
  await form.getByRole("textbox", { name: "Description" }).fill("Data warehouse");
  await form.getByRole("button", { name: "Create webhook" }).click();
  const secretBox = page.getByTestId("webhook-secret");
  await expect(secretBox).toBeVisible();
  const secret = (await page.getByTestId("webhook-secret-value").textContent()) ?? "";
  expect(secret).toMatch(/^whsec_/);
  await expect(secretBox.getByRole("button", { name: "Copy" })).toBeVisible();
  await expect(page.getByTestId("webhook-card").filter({ hasText: HOOK_URL })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/webhooks-created.png`, fullPage: true });

  // Never again: not in the list the page reads, nor after the box is closed and the page reloaded.
  const listed = await call("GET", "/webhooks");
  expect(JSON.stringify(listed)).not.toContain(secret);
  const hook = listed.items.find((w: { url: string }) => w.url === HOOK_URL);
  await secretBox.getByRole("button", { name: "I have copied it" }).click();
  await page.reload();
  await expect(page.getByText(secret)).toHaveCount(0);

  // A check-in on a demo key result queues a delivery; it cannot reach the host.
  const objective = (await call("GET", "/objectives?limit=1&state=active")).items[0];
  const detail = await call("GET", `/objectives/${objective.id}`);
  const kr = detail.keyResults.find(
    (k: { progressMode: string; type: string }) => k.progressMode === "manual" && k.type !== "milestone",
  );
  await call("POST", `/key-results/${kr.id}/check-ins`, {
    value: Number(kr.current ?? kr.start ?? 0) + 1,
    note: `webhook ${RUN}`,
  });
  await expect
    .poll(async () => (await call("GET", `/webhooks/${hook.id}/deliveries`)).items[0]?.attempts ?? 0, {
      timeout: 20_000,
    })
    .toBeGreaterThan(0);

  const card = page.getByTestId("webhook-card").filter({ hasText: HOOK_URL });
  await card.getByRole("button", { name: "Delivery log" }).click();
  const delivery = card.getByTestId("webhook-delivery").first();
  await expect(delivery).toContainText("Check-ins");
  await expect(delivery).toContainText("1 attempt");
  await expect(delivery).toContainText("The receiver could not be reached");
  await expect(delivery.getByText("Waiting")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/webhooks-log.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  await delivery.getByRole("button", { name: /^Replay Check-ins of/ }).click();
  // The replay is the newest entry; the original, now second, says it was sent again.
  const rows = card.getByTestId("webhook-delivery");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1).getByRole("button", { name: /^Replay Check-ins of/ })).toContainText("Sent again");
  await expect(rows.first().getByText("replay", { exact: true })).toBeVisible();

  // Turned off: the switch says so, and the API agrees.
  await card.getByRole("switch", { name: `Active: ${HOOK_URL}` }).click();
  await expect
    .poll(async () => (await call("GET", "/webhooks")).items.find((w: { id: string }) => w.id === hook.id).active)
    .toBe(false);
});

test("dark, 390 px: the Webhooks page and a delivery log stay readable", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await signIn(page);
  await page.goto("/admin/webhooks");
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  // The first journey's webhook (this file may be loaded again for this test, with another RUN).
  const card = page.getByTestId("webhook-card").filter({ hasText: "hooks.okra-e2e.example" }).first();
  await card.getByRole("button", { name: "Delivery log" }).click();
  await expect(card.getByTestId("webhook-delivery").first()).toBeVisible();
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/webhooks-dark-390.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await noSeriousA11yViolations(page);
  await context.close();
});
