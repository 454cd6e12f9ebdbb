/**
 * The New objective dialog takes care of what is typed: Owners narrows as you type and never
 * removes someone by the keyboard, an objective needs an owner, a filled-in form is not thrown
 * away without asking, typing starts in a field, and Team offers only the teams the person may
 * create objectives for.
 */
import { expect, type Page, test } from "@playwright/test";
import { client, SHOTS, signIn } from "./support.js";

/** A token for the demo's Tomás Ferreira: a member who leads Engineering and is in no other team. */
async function tomas(page: Page) {
  const call = client(page.request);
  const people = (await call("GET", "/users?q=Tom%C3%A1s")).items as { id: string; name: string }[];
  const person = people.find((p) => p.name === "Tomás Ferreira")!;
  const token = (await call("POST", `/users/${person.id}/tokens`, { name: "e2e new objective" })).token as string;
  return { id: person.id, token };
}

const dialogOf = (page: Page) => page.getByRole("dialog", { name: "New objective" });

test("Owners narrows as you type: ↓ and Enter add the match, never remove the creator", async ({ page }) => {
  const { token } = await tomas(page);
  await signIn(page, token);
  await page.getByRole("button", { name: "New objective" }).click();
  const dialog = dialogOf(page);
  const owners = dialog.getByRole("combobox", { name: "Owners" });
  await expect(dialog.getByText("Tomás Ferreira", { exact: true })).toBeVisible();
  await owners.click();
  // Straight away, before the search has gone to the server: the list on show is narrowed here.
  await page.keyboard.type("Zara");
  await expect(page.getByRole("option", { name: "Tomás Ferreira" })).toHaveCount(0);
  await expect(page.getByRole("option", { name: "Zara Ahmed" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/new-objective-owners-typing.png` });
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  const pills = dialog.locator(".mantine-Pill-label");
  await expect(pills).toHaveText(["Tomás Ferreira", "Zara Ahmed"]);

  // With nobody left, Create says why it cannot be used.
  await dialog.getByRole("textbox", { name: "Title" }).fill("Build a hiring machine for 2027");
  await owners.click();
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await expect(pills).toHaveCount(0);
  await page.keyboard.press("Escape");
  await expect(dialog.getByText("Add at least one owner.").first()).toBeVisible();
  const create = dialog.getByRole("button", { name: "Create objective" });
  await expect(create).toHaveAttribute("aria-disabled", "true");
  await expect(create).toHaveAccessibleDescription(/Add at least one owner\./);
  await create.hover();
  await expect(page.getByRole("tooltip")).toContainText("Add at least one owner.");
  await page.screenshot({ path: `${SHOTS}/new-objective-no-owner.png` });
});

test("the dialog starts in its first field and asks before discarding what was typed", async ({ page }) => {
  await signIn(page);
  await page.getByRole("button", { name: "New objective" }).click();
  const dialog = dialogOf(page);
  await expect(dialog.getByRole("textbox", { name: "Title" })).toBeFocused();

  // An empty form closes at once.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();

  await page.getByRole("button", { name: "New objective" }).click();
  await dialog.getByRole("textbox", { name: "Title" }).fill("My title");
  await page.keyboard.press("Escape");
  const ask = page.getByRole("dialog", { name: "Discard this objective?" });
  await expect(ask).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/new-objective-discard.png` });
  await ask.getByRole("button", { name: "Keep editing" }).click();
  await expect(ask).toBeHidden();
  await expect(dialog.getByRole("textbox", { name: "Title" })).toHaveValue("My title");

  // The × asks too; Discard closes and forgets.
  await dialog.getByRole("button", { name: "Close" }).click();
  await ask.getByRole("button", { name: "Discard" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: "New objective" }).click();
  await expect(dialog.getByRole("textbox", { name: "Title" })).toHaveValue("");

  // Cancel is on purpose: no question.
  await dialog.getByRole("textbox", { name: "Title" }).fill("Another");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(ask).toBeHidden();
});

test("Edit objective cannot save an empty Owners, and asks before discarding changes", async ({ page }) => {
  const { id, token } = await tomas(page);
  const call = client(page.request, token);
  const periodId = (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId as string;
  const o = await call("POST", "/objectives", {
    title: "Owners stay named (e2e)",
    level: "individual",
    ownerIds: [id],
    periodId,
  });
  await signIn(page, token);
  await page.goto(`/objectives/${o.id}`);
  await page.getByRole("button", { name: "Edit", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Edit objective" });
  await expect(dialog.getByRole("textbox", { name: "Title" })).toBeFocused();
  await dialog.getByRole("combobox", { name: "Owners" }).click();
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Tab");
  await expect(dialog.getByText("Add at least one owner.")).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Save" })).toBeDisabled();
  await page.screenshot({ path: `${SHOTS}/edit-objective-no-owner.png` });
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(page.getByRole("dialog", { name: "Discard your changes?" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/edit-objective-discard.png` });
});

test("Team offers a member only the teams whose objectives they may create", async ({ page }) => {
  const { token } = await tomas(page);
  await signIn(page, token);
  await page.getByRole("button", { name: "New objective" }).click();
  const dialog = dialogOf(page);
  const team = dialog.getByRole("combobox", { name: "Team" });
  await expect(team).toHaveValue("Engineering");
  await expect(dialog.getByText("Your teams: those you own or belong to.")).toBeVisible();
  await team.click();
  await expect(page.getByRole("option", { name: "Engineering" })).toBeVisible();
  // A server search would answer within this time (an admin sees Sales at once, below).
  await page.waitForTimeout(1500);
  await expect(page.getByRole("option", { name: "Sales" })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/new-objective-team-member.png` });
  await page.keyboard.press("Escape");

  // At phone width the dialog still reads.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/new-objective-team-member-390.png`, fullPage: true });
});

test("Team offers an admin every team", async ({ page }) => {
  await signIn(page);
  await page.getByRole("button", { name: "New objective" }).click();
  const dialog = dialogOf(page);
  await dialog.getByRole("combobox", { name: "Team" }).click();
  await expect(page.getByRole("option", { name: "Sales" })).toBeVisible();
});
