/**
 * Check-ins with care: the preview counts every contributing child of the objective, a value
 * below the start asks before it is saved, a check-in without a manual status says "Automatic",
 * observers are offered no Edit or Delete, and Delete asks first and shows a refusal.
 */
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { client, SHOTS, signIn } from "./support.js";

const RUN = Date.now().toString(36);
let sets = 0;

/**
 * "Staff" (own KR "Offers" 0 → 9 at 4, weight 2) with a contributing child objective at 80 %
 * (weight 1): (2 × 4/9 + 0.8) / 3 = 56 % — 44 % if the child were left out.
 */
async function staffing(request: APIRequestContext) {
  const tag = `${RUN}-${++sets}`;
  const call = client(request);
  const me = await call("GET", "/me");
  const periodId = (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId;
  const objective = (title: string) =>
    call("POST", "/objectives", { title, level: "individual", ownerIds: [me.user.id], periodId });
  const kr = (objectiveId: string, body: Record<string, unknown>) =>
    call("POST", `/objectives/${objectiveId}/key-results`, { type: "increase", ownerIds: [me.user.id], ...body });
  const parent = await objective(`Staff the teams ${tag}`);
  const offers = await kr(parent.id, { title: `Offers accepted ${tag}`, start: 0, target: 9, weight: 2 });
  await call("POST", `/key-results/${offers.id}/check-ins`, { value: 4, status: "behind" });
  const child = await objective(`A fast hiring loop ${tag}`);
  const loop = await kr(child.id, { title: `Loops done ${tag}`, start: 0, target: 100 });
  await call("POST", `/key-results/${loop.id}/check-ins`, { value: 80 });
  await call("POST", "/alignments", {
    childType: "objective",
    childId: child.id,
    parentType: "objective",
    parentId: parent.id,
  });
  return { call, me, parent, offers, tag };
}

const checkInRows = (page: Page) =>
  page
    .locator("table")
    .filter({ has: page.getByRole("columnheader", { name: "Note" }) })
    .locator("tbody tr");

test("the preview counts the child objective; a value below the start asks first; no status reads Automatic", async ({
  page,
}) => {
  const { call, parent, offers } = await staffing(page.request);
  expect((await call("GET", `/objectives/${parent.id}`)).progress).toBeCloseTo((2 * (4 / 9) + 0.8) / 3, 6);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await signIn(page);
  await page.goto(`/key-results/${offers.id}`);
  await page.getByRole("button", { name: "Check in", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: /Check in:/ });
  // Unchanged value: the objective stays where the server has it (56 %), child included.
  await expect(dialog.getByText(`${parent.title} would move to`)).toContainText(/56\s?%/);
  await page.screenshot({ path: `${SHOTS}/check-in-care-preview.png` });

  const value = dialog.getByRole("textbox", { name: "New value" });
  await value.fill("-5");
  const warning = dialog.getByTestId("check-in-value-warning");
  await expect(warning).toContainText(/-5 is below the start \(0\): progress would be -56\s?%/);
  // The roll-up counts -56 % as 0: (2 × 0 + 0.8) / 3 = 27 %.
  await expect(dialog.getByText(`${parent.title} would move to`)).toContainText(/27\s?%/);
  let posted = 0;
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes(`/key-results/${offers.id}/check-ins`)) posted++;
  });
  await dialog.getByRole("button", { name: "Save check-in" }).click();
  await expect(warning).toContainText("Correct the value, or tick “Save -5 anyway” to keep it.");
  expect(posted).toBe(0);
  await page.screenshot({ path: `${SHOTS}/check-in-care-below-start.png` });
  await warning.getByRole("checkbox", { name: "Save -5 anyway" }).check();
  await dialog.getByRole("button", { name: "Save check-in" }).click();
  await expect(dialog).toBeHidden();
  expect(posted).toBe(1);
  // The server's figure is the one previewed.
  expect((await call("GET", `/objectives/${parent.id}`)).progress).toBeCloseTo(0.8 / 3, 6);

  // The new check-in had no status set by hand: it reads "Automatic"; the first one BEHIND.
  const rows = checkInRows(page);
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).locator("td").nth(2)).toHaveText("Automatic");
  await expect(rows.nth(1).locator("td").nth(2)).toContainText(/behind/i);
  await page.screenshot({ path: `${SHOTS}/check-in-care-automatic.png`, fullPage: true });
});

test("a value far beyond the target asks too, an ordinary one does not; a written note is not lost to Escape", async ({
  page,
}) => {
  const { offers } = await staffing(page.request);
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page);
  await page.goto(`/key-results/${offers.id}`);
  await page.getByRole("button", { name: "Check in", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: /Check in:/ });
  const value = dialog.getByRole("textbox", { name: "New value" });
  await value.fill("90");
  await expect(dialog.getByTestId("check-in-value-warning")).toContainText(
    /90 is far beyond the target \(9\): progress would be 1,000\s?%/,
  );
  await page.screenshot({ path: `${SHOTS}/check-in-care-far-beyond-390.png` });
  await value.fill("6");
  await expect(dialog.getByTestId("check-in-value-warning")).toBeHidden();

  // Escape does not throw a written note away without asking; Cancel does, on purpose.
  await dialog.getByRole("textbox", { name: "Note" }).fill("Two offers signed, a third verbal.");
  await page.keyboard.press("Escape");
  const discard = page.getByRole("dialog", { name: "Discard this check-in?" });
  await expect(discard).toBeVisible();
  await discard.getByRole("button", { name: "Keep editing" }).click();
  await expect(dialog.getByRole("textbox", { name: "Note" })).toHaveValue("Two offers signed, a third verbal.");
  await page.keyboard.press("Escape");
  await page.getByRole("dialog", { name: "Discard this check-in?" }).getByRole("button", { name: "Discard" }).click();
  await expect(dialog).toBeHidden();
  // An untouched dialog closes at once.
  await page.getByRole("button", { name: "Check in", exact: true }).click();
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
});

test("an observer is offered no Edit or Delete on check-ins, at 1400 and on a phone", async ({ page }) => {
  const { call, offers, tag } = await staffing(page.request);
  // A member checks in, then becomes an observer: the check-in is still theirs.
  const person = await call("POST", "/users", {
    name: `Sam Seen ${tag}`,
    email: `sam-${tag}@demo.example`,
    role: "member",
    invite: false,
  });
  await call("PATCH", `/key-results/${offers.id}`, { ownerIds: [person.id] });
  // The admin who made the objective stops following it: their bell is the notification journey's.
  await call("DELETE", `/objectives/${offers.objectiveId}/following`);
  const token = (await call("POST", `/users/${person.id}/tokens`, { name: "e2e" })).token as string;
  await call("POST", `/key-results/${offers.id}/check-ins`, { value: 5, note: "mine" }, token);
  await call("PATCH", `/users/${person.id}`, { role: "observer" });
  // A change of role revokes the person's tokens: the observer gets a new one.
  await signIn(page, (await call("POST", `/users/${person.id}/tokens`, { name: "e2e observer" })).token);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(`/key-results/${offers.id}`);
  const rows = checkInRows(page);
  await expect(rows).toHaveCount(2);
  await expect(rows.first().getByRole("button", { name: "Comments" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Edit this check-in/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Delete this check-in/ })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/check-in-care-observer-1400.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("listitem").filter({ hasText: "mine" })).toBeVisible();
  await expect(page.getByRole("button", { name: /^Edit this check-in/ })).toHaveCount(0);
  await expect(page.getByRole("button", { name: /^Delete this check-in/ })).toHaveCount(0);
  await page.getByRole("listitem").filter({ hasText: "mine" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/check-in-care-observer-390.png` });
});

test("Delete asks first, shows why it failed, and deletes when confirmed", async ({ page }) => {
  const { call, offers } = await staffing(page.request);
  const second = await call("POST", `/key-results/${offers.id}/check-ins`, { value: 6, note: "second" });
  await page.setViewportSize({ width: 1400, height: 1000 });
  await signIn(page);
  await page.goto(`/key-results/${offers.id}`);
  const rows = checkInRows(page);
  await expect(rows).toHaveCount(2);

  // Cancel keeps it.
  await rows
    .first()
    .getByRole("button", { name: /^Delete this check-in/ })
    .click();
  const confirm = page.getByRole("dialog", { name: "Delete this check-in" });
  await expect(confirm).toContainText("Delete the check-in of");
  await page.screenshot({ path: `${SHOTS}/check-in-care-delete-confirm.png` });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
  await expect(rows).toHaveCount(2);

  // Deleted elsewhere in the meantime: the refusal is shown, not swallowed.
  await rows
    .first()
    .getByRole("button", { name: /^Delete this check-in/ })
    .click();
  await call("DELETE", `/check-ins/${second.id}`);
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(confirm.getByRole("alert")).toContainText("The check-in was not deleted");
  await page.screenshot({ path: `${SHOTS}/check-in-care-delete-refused.png` });
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(rows).toHaveCount(1);

  // Confirmed: gone, with a notice.
  await rows
    .first()
    .getByRole("button", { name: /^Delete this check-in/ })
    .click();
  await confirm.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText("Check-in deleted")).toBeVisible();
  await expect(page.getByText("No check-ins yet")).toBeVisible();
});
