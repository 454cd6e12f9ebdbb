/**
 * A closed quarter stays closed (walk 2, items 1, 15, 22): a member cannot reopen her objective
 * while its period is closed (Reopen is disabled with the reason); in an open period Reopen asks
 * first; the period close tells her what it scored; Clone asks for the period and title; a draft
 * offers only what a draft can do.
 */
import { expect, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

test.describe.configure({ mode: "serial" });

const RUN = Date.now().toString(36);

let people = 0;

async function member(page: Page) {
  const call = client(page.request);
  people++;
  const zara = await call("POST", "/users", {
    name: `Zara Walker ${people}`,
    email: `zara${RUN}.${people}@demo.example`,
    role: "member",
    invite: false,
  });
  const token = (await call("POST", `/users/${zara.id}/tokens`, { name: "e2e" })).token as string;
  return { call, zara, token };
}

test("a member cannot reopen her objective while its period is closed; the close told her its score", async ({
  page,
}) => {
  const { call, zara, token } = await member(page);
  const p = await call("POST", "/periods", {
    name: `Walk sprint ${RUN}`,
    kind: "custom",
    startDate: "2026-11-01",
    endDate: "2026-12-15",
  });
  const o = await call(
    "POST",
    "/objectives",
    { title: `Become fluent in the query planner ${RUN}`, level: "individual", ownerIds: [zara.id], periodId: p.id },
    token,
  );
  const kr = await call(
    "POST",
    `/objectives/${o.id}/key-results`,
    { title: "Plans read", type: "increase", start: 0, target: 10, ownerIds: [zara.id] },
    token,
  );
  await call("POST", `/key-results/${kr.id}/check-ins`, { value: 2 }, token);
  await call("POST", `/periods/${p.id}/close`, {});

  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await signIn(page, token);
    await page.goto(`/objectives/${o.id}`);
    const reopen = page.getByRole("button", { name: "Reopen" });
    await expect(reopen).toHaveAttribute("aria-disabled", "true");
    await expect(reopen).toHaveAccessibleDescription(
      `Walk sprint ${RUN} is closed, so its objectives stay closed. An admin can reopen the period on the Close page; its objectives then reopen with it.`,
    );
    await reopen.hover();
    await expect(page.getByRole("tooltip")).toBeVisible();
    // No check-in is offered on its key results.
    await expect(page.getByRole("button", { name: /^Check in/ })).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/closed-quarter-reopen-disabled-${width}.png` });
    await reopen.click({ force: true });
    await expect(page.getByRole("dialog")).toHaveCount(0);

    // The close told her once, with the score.
    await page.getByRole("button", { name: /Notifications/ }).click();
    await expect(page.getByText(`Walk sprint ${RUN} was closed: your objective`)).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/closed-quarter-notice-${width}.png` });
    await page.keyboard.press("Escape");
  }
  await page.setViewportSize({ width: 1400, height: 900 });
  await noSeriousA11yViolations(page);
});

test("in an open period Reopen asks first, and Cancel leaves the objective closed", async ({ page }) => {
  const { call, zara, token } = await member(page);
  const open = await call("POST", "/periods", {
    name: `Open sprint ${RUN}`,
    kind: "custom",
    startDate: "2026-11-01",
    endDate: "2026-12-31",
  });
  const o = await call(
    "POST",
    "/objectives",
    { title: `Closed on its own ${RUN}`, level: "individual", ownerIds: [zara.id], periodId: open.id },
    token,
  );
  await call("POST", `/objectives/${o.id}/close`, { score: 0.6 }, token);
  await signIn(page, token);
  await page.goto(`/objectives/${o.id}`);
  await page.getByRole("button", { name: "Reopen" }).click();
  const dialog = page.getByRole("dialog", { name: `Reopen Closed on its own ${RUN}?` });
  await expect(dialog.getByText(/Its score \(0\.6\) is cleared/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/closed-quarter-reopen-confirm.png` });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("heading", { name: /Closed with score 0\.6/ })).toBeVisible();
  await page.getByRole("button", { name: "Reopen" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Reopen the objective" }).click();
  await expect(page.getByRole("button", { name: "Close and score" })).toBeVisible();
});

test("Clone asks for the period and title; the draft copy offers only edit, publish and delete", async ({ page }) => {
  const { call, zara, token } = await member(page);
  const here = await call("POST", "/periods", {
    name: `Clone from ${RUN}`,
    kind: "custom",
    startDate: "2026-11-01",
    endDate: "2026-12-31",
  });
  const there = await call("POST", "/periods", {
    name: `Clone to ${RUN}`,
    kind: "custom",
    startDate: "2027-01-01",
    endDate: "2027-03-31",
  });
  const shut = await call("POST", "/periods", {
    name: `Shut ${RUN}`,
    kind: "custom",
    startDate: "2026-09-01",
    endDate: "2026-10-31",
  });
  await call("POST", `/periods/${shut.id}/close`, {});
  const o = await call(
    "POST",
    "/objectives",
    { title: `Retire the legacy scheduler ${RUN}`, level: "individual", ownerIds: [zara.id], periodId: here.id },
    token,
  );
  await call(
    "POST",
    `/objectives/${o.id}/key-results`,
    { title: "Jobs moved", type: "increase", start: 0, target: 10, ownerIds: [zara.id] },
    token,
  );
  await signIn(page, token);
  await page.goto(`/objectives/${o.id}`);
  await page.getByRole("button", { name: "Clone" }).click();
  const dialog = page.getByRole("dialog", { name: `Clone Retire the legacy scheduler ${RUN}` });
  const title = dialog.getByRole("textbox", { name: "Title of the copy" });
  await expect(title).toHaveValue(`Retire the legacy scheduler ${RUN} (copy)`);
  // Closed periods are not offered.
  await dialog.getByRole("combobox", { name: "Period" }).click();
  await expect(page.getByRole("option", { name: `Clone to ${RUN}` })).toBeVisible();
  await expect(page.getByRole("option", { name: `Shut ${RUN}` })).toHaveCount(0);
  await page.getByRole("option", { name: `Clone to ${RUN}` }).click();
  await title.fill("");
  await dialog.getByRole("button", { name: "Create the draft copy" }).click();
  await expect(dialog.getByText("Give the copy a title.")).toBeVisible();
  await title.fill(`Scheduler, part two ${RUN}`);
  await page.screenshot({ path: `${SHOTS}/closed-quarter-clone-dialog.png` });
  await dialog.getByRole("button", { name: "Create the draft copy" }).click();
  await expect(page.getByRole("heading", { name: `Scheduler, part two ${RUN}` })).toBeVisible();
  const copies = (await call("GET", `/objectives?periodId=${there.id}&limit=100`)).items as { title: string }[];
  expect(copies.map((c) => c.title)).toEqual([`Scheduler, part two ${RUN}`]);
  expect((await call("GET", `/objectives?periodId=${here.id}&limit=100`)).items).toHaveLength(1);

  // The draft: Publish, Edit and Delete; no Clone, no Close and score, no Check in.
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await expect(page.getByRole("button", { name: "Publish" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Edit", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Move to trash", exact: true })).toBeVisible();
    await expect(page.getByRole("button", { name: "Clone" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Close and score" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Check in/ })).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/closed-quarter-draft-${width}.png`, fullPage: true });
  }
});
