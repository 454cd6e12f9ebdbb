import { type APIRequestContext, expect, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

const RUN = Date.now().toString(36);

let chains = 0;

/** A chain to edit: "Top" ← "Parent" (one KR at 50 %), and a "Child" (one KR at 10 %) aligned nowhere. */
async function chain(request: APIRequestContext) {
  const tag = `${RUN}-${++chains}`;
  const call = client(request);
  const me = await call("GET", "/me");
  const periodId = (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId;
  const objective = async (title: string, value: number | null) => {
    const o = await call("POST", "/objectives", { title, level: "individual", ownerIds: [me.user.id], periodId });
    if (value !== null) {
      const kr = await call("POST", `/objectives/${o.id}/key-results`, {
        title: `${title}: measure`,
        type: "increase",
        start: 0,
        target: 100,
        ownerIds: [me.user.id],
      });
      await call("POST", `/key-results/${kr.id}/check-ins`, { value });
      o.krId = kr.id;
    }
    return o;
  };
  const top = await objective(`Top goal ${tag}`, null);
  const parent = await objective(`Parent goal ${tag}`, 50);
  const child = await objective(`Child goal ${tag}`, 10);
  await call("POST", "/alignments", {
    childType: "objective",
    childId: parent.id,
    parentType: "objective",
    parentId: top.id,
  });
  return { call, top, parent, child };
}

test("add a weighted parent with a preview, change its weight, remove it", async ({ page }) => {
  const { call, top, parent, child } = await chain(page.request);
  await signIn(page);
  await page.goto(`/objectives/${child.id}`);
  const card = page.locator(".mantine-Card-root").filter({ has: page.getByRole("heading", { name: "Aligned to" }) });
  await expect(card.getByText("This counts toward nothing yet.")).toBeVisible();

  // Add: pick the parent, weigh it 3, read the preview, save.
  await card.getByRole("button", { name: "Add a parent" }).click();
  const dialog = page.getByRole("dialog", { name: /contribute to/ });
  await dialog.getByRole("combobox", { name: "Contributes to" }).fill(parent.title);
  await page.getByRole("option", { name: `◎ ${parent.title}` }).click();
  await dialog.getByRole("textbox", { name: "Weight" }).fill("3");
  const preview = dialog.getByRole("listitem");
  // (1 × 50 % + 3 × 10 %) / 4 = 20 %, for the parent and for what it counts toward.
  await expect(preview.filter({ hasText: parent.title })).toContainText(/50\s?% → 20\s?%/);
  await expect(preview.filter({ hasText: top.title })).toContainText("Further up:");
  await expect(preview.filter({ hasText: top.title })).toContainText(/50\s?% → 20\s?%/);
  await page.screenshot({ path: `${SHOTS}/alignment-edit-add-preview.png` });
  await noSeriousA11yViolations(page);
  // Nothing is saved by the preview.
  expect((await call("GET", `/alignments?childId=${child.id}`)).items).toEqual([]);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(card.getByRole("link", { name: parent.title })).toBeVisible();
  await expect(card.getByText("Counts with weight 3")).toBeVisible();
  await expect(card).toContainText(/20\s?%/);
  expect((await call("GET", `/objectives/${parent.id}`)).progress).toBeCloseTo(0.2);
  expect((await call("GET", `/objectives/${top.id}`)).progress).toBeCloseTo(0.2);
  await page.screenshot({ path: `${SHOTS}/alignment-edit-saved.png`, fullPage: true });

  // Change the weight back to 1: (50 % + 10 %) / 2 = 30 %.
  await card.getByRole("button", { name: `Change how it counts toward ${parent.title}` }).click();
  const change = page.getByRole("dialog", { name: /How it counts toward/ });
  await expect(change.getByText("Nothing has changed yet.").first()).toBeVisible();
  await change.getByRole("textbox", { name: "Weight" }).fill("1");
  await expect(change.getByRole("listitem").filter({ hasText: parent.title })).toContainText(/20\s?% → 30\s?%/);
  await change.getByRole("button", { name: "Save" }).click();
  await expect(change).toHaveCount(0);
  await expect(card.getByText("Counts with weight 1")).toBeVisible();
  expect((await call("GET", `/objectives/${parent.id}`)).progress).toBeCloseTo(0.3);

  // Remove it: the parent goes back to its own 50 %.
  await card.getByRole("button", { name: `Remove the alignment under ${parent.title}` }).click();
  const remove = page.getByRole("dialog", { name: /Stop contributing/ });
  await expect(remove.getByRole("listitem").filter({ hasText: parent.title })).toContainText(/30\s?% → 50\s?%/);
  await page.screenshot({ path: `${SHOTS}/alignment-edit-remove.png` });
  await remove.getByRole("button", { name: "Remove" }).click();
  await expect(remove).toHaveCount(0);
  await expect(card.getByText("This counts toward nothing yet.")).toBeVisible();
  expect((await call("GET", `/alignments?childId=${child.id}`)).items).toEqual([]);
  expect((await call("GET", `/objectives/${parent.id}`)).progress).toBeCloseTo(0.5);
});

test("a loop is refused in the dialog with its reason; an observer is offered no action", async ({ page }) => {
  const { call, top, parent } = await chain(page.request);
  await signIn(page);
  await page.goto(`/objectives/${top.id}`);
  const card = page.locator(".mantine-Card-root").filter({ has: page.getByRole("heading", { name: "Aligned to" }) });
  await card.getByRole("button", { name: "Add a parent" }).click();
  const dialog = page.getByRole("dialog", { name: /contribute to/ });
  await dialog.getByRole("combobox", { name: "Contributes to" }).fill(parent.title);
  await page.getByRole("option", { name: `◎ ${parent.title}` }).click();
  await expect(dialog.getByRole("alert")).toContainText("would close a loop");
  const save = dialog.getByRole("button", { name: "Save" });
  await expect(save).toHaveAttribute("aria-disabled", "true");
  await save.hover();
  await expect(page.getByRole("tooltip")).toContainText("This change cannot be made");
  expect((await call("GET", `/alignments?childId=${top.id}`)).items).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/alignment-edit-loop.png` });

  const observer = await call("POST", "/users", {
    name: "Olive Observer",
    email: `olive${RUN}@demo.example`,
    role: "observer",
    invite: false,
  });
  const observerToken = (await call("POST", `/users/${observer.id}/tokens`, { name: "e2e" })).token as string;
  await signIn(page, observerToken);
  await page.goto(`/objectives/${parent.id}`);
  const seen = page.locator(".mantine-Card-root").filter({ has: page.getByRole("heading", { name: "Aligned to" }) });
  await expect(seen.getByRole("link", { name: top.title })).toBeVisible();
  await expect(seen.getByRole("button")).toHaveCount(0);
});

test("dark theme and a phone-sized key result page: the dialog reads, no serious accessibility violations", async ({
  browser,
}) => {
  const context = await browser.newContext({ colorScheme: "dark", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const { call, parent, child } = await chain(page.request);
  await signIn(page);
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await page.goto(`/key-results/${child.krId}`);
  const card = page.locator(".mantine-Card-root").filter({ has: page.getByRole("heading", { name: "Aligned to" }) });
  await card.getByRole("button", { name: "Add a parent" }).click();
  const dialog = page.getByRole("dialog", { name: /contribute to/ });
  await dialog.getByRole("combobox", { name: "Contributes to" }).fill(parent.title);
  await page.getByRole("option", { name: `◎ ${parent.title}` }).click();
  await expect(dialog.getByRole("listitem").filter({ hasText: parent.title })).toContainText(/50\s?% → 30\s?%/);
  await page.screenshot({ path: `${SHOTS}/alignment-edit-dark-390.png`, fullPage: true });
  await noSeriousA11yViolations(page);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(card.getByRole("link", { name: parent.title })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/alignment-edit-kr-390.png`, fullPage: true });
  await noSeriousA11yViolations(page);
  expect((await call("GET", `/objectives/${parent.id}`)).progress).toBeCloseTo(0.3);
  await context.close();
});

test("a member's parent they may not edit becomes a request; its owner accepts it with a weight, with a preview", async ({
  page,
}) => {
  const { call, parent } = await chain(page.request);
  const member = await call("POST", "/users", {
    name: "Max Member",
    email: `max${RUN}@demo.example`,
    role: "member",
    invite: false,
  });
  const memberToken = (await call("POST", `/users/${member.id}/tokens`, { name: "e2e" })).token as string;
  const child = await call(
    "POST",
    "/objectives",
    { title: `Max's goal ${RUN}`, level: "individual", ownerIds: [member.id], periodId: parent.periodId },
    memberToken,
  );
  const kr = await call(
    "POST",
    `/objectives/${child.id}/key-results`,
    { title: "Max's measure", type: "increase", start: 0, target: 100, ownerIds: [member.id] },
    memberToken,
  );
  await call("POST", `/key-results/${kr.id}/check-ins`, { value: 90 }, memberToken);

  await signIn(page, memberToken);
  await page.goto(`/objectives/${child.id}`);
  const card = page.locator(".mantine-Card-root").filter({ has: page.getByRole("heading", { name: "Aligned to" }) });
  await card.getByRole("button", { name: "Add a parent" }).click();
  const dialog = page.getByRole("dialog", { name: /contribute to/ });
  await dialog.getByRole("combobox", { name: "Contributes to" }).fill(parent.title);
  await page.getByRole("option", { name: `◎ ${parent.title}` }).click();
  await expect(dialog.getByText("This becomes a request")).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Weight" })).toBeDisabled();
  await expect(dialog.getByRole("listitem").filter({ hasText: parent.title })).toContainText("No change");
  await page.screenshot({ path: `${SHOTS}/alignment-edit-request.png` });
  await noSeriousA11yViolations(page);
  await dialog.getByRole("button", { name: "Ask to align" }).click();
  await expect(card.getByText("Waiting for approval by its owners")).toBeVisible();
  await expect(card.getByRole("button", { name: /^Accept/ })).toHaveCount(0);

  // The parent's owner accepts it from the child's page, weighing it 2: (50 % + 2 × 90 %) / 3.
  await signIn(page);
  await page.goto(`/objectives/${child.id}`);
  await card.getByRole("button", { name: `Accept the request to count toward ${parent.title}` }).click();
  const accept = page.getByRole("dialog", { name: /Accept the request/ });
  await accept.getByRole("textbox", { name: "Weight" }).fill("2");
  await expect(accept.getByRole("listitem").filter({ hasText: parent.title })).toContainText(/50\s?% → 77\s?%/);
  await accept.getByRole("button", { name: "Accept" }).click();
  await expect(card.getByText("Counts with weight 2")).toBeVisible();
  expect((await call("GET", `/objectives/${parent.id}`)).progress).toBeCloseTo(2.3 / 3);

  // The member's page at phone width, light theme.
  await signIn(page, memberToken);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/objectives/${child.id}`);
  await expect(card.getByText("Counts with weight 2")).toBeVisible();
  await expect(card.getByRole("link", { name: parent.title })).toBeVisible();
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/alignment-edit-member-390.png` });
  await noSeriousA11yViolations(page);
});
