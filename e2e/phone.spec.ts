import { expect, type Locator, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

test.use({ viewport: { width: 390, height: 844 } });

/** An open period that holds today (other journeys close the demo's quarter; its year stays open). */
async function openPeriodOfToday(call: ReturnType<typeof client>) {
  const today = new Date().toISOString().slice(0, 10);
  const periods = (await call("GET", "/periods?limit=100")).items as {
    id: string;
    startDate: string;
    endDate: string;
    closedAt: string | null;
  }[];
  return periods.find((p) => !p.closedAt && p.startDate <= today && today <= p.endDate)!;
}

/** The page never scrolls sideways. */
async function fitsTheWidth(page: Page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, "the page is wider than the phone").toBeLessThanOrEqual(390);
}

/** Every element shows its whole text: nothing is cut with an ellipsis or hidden overflow. */
async function shownWhole(elements: Locator) {
  const cut = await elements.evaluateAll((els) =>
    els.filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.textContent ?? ""),
  );
  expect(cut, "these are cut short").toEqual([]);
}

test("My OKRs, an objective, a key result and a check-in at 390 px", async ({ page }) => {
  await signIn(page);
  await fitsTheWidth(page);
  // An objective with key results (other journeys may have left some without).
  const card = page
    .getByRole("article")
    .filter({ has: page.locator('a[href^="/key-results/"]') })
    .first();
  await expect(card).toBeVisible();
  // Key-result names wrap in full; status badges are whole words.
  await shownWhole(card.locator('a[href^="/key-results/"]'));
  await shownWhole(card.locator(".mantine-Badge-label"));
  await page.screenshot({ path: `${SHOTS}/phone-home.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  // The objective: its page fits, with the forecast explained when it disagrees with the status.
  await card.locator('a[href^="/objectives/"]').first().click();
  await expect(page.getByRole("heading", { level: 2 })).toBeVisible();
  await fitsTheWidth(page);
  await shownWhole(page.locator(".mantine-Badge-label"));
  const forecast = page.getByText(/^Forecast: \d+%/).first();
  if (await forecast.count()) {
    const figure = Number(/Forecast: (\d+)%/.exec((await forecast.textContent()) ?? "")?.[1]);
    const status = (await page.locator(".mantine-Badge-label").allTextContents()).join(" ");
    if (figure >= 100 && /AT RISK|BEHIND|at risk|behind/i.test(status)) {
      await expect(page.getByText(/trend of its check-ins reaches the target/).first()).toBeVisible();
    }
  }
  await page.screenshot({ path: `${SHOTS}/phone-objective.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  // A key result: its history is a list of cards, not a table squeezed to one word per line.
  await page.locator('a[href^="/key-results/"]').first().click();
  await expect(page.getByRole("heading", { level: 2 })).toBeVisible();
  await fitsTheWidth(page);
  const history = page.getByRole("heading", { name: "Check-ins" }).locator("xpath=..");
  await expect(history.getByRole("table")).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/phone-key-result.png`, fullPage: true });
  await noSeriousA11yViolations(page);

  // The check-in dialog: whole, and a check-in saves.
  const checkIn = page.getByRole("button", { name: /^Check in/ }).first();
  if (await checkIn.count()) {
    await checkIn.click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toBeVisible();
    const box = await dialog.boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    const field = dialog.getByRole("textbox", { name: "New value" });
    if (await field.count()) {
      await field.fill("1");
    } else {
      await dialog.getByRole("radio").first().check();
    }
    // A value before the start asks first (the key result's figures are the demo's).
    await page.waitForTimeout(300);
    const anyway = dialog.getByRole("checkbox", { name: /anyway$/ });
    if (await anyway.count()) await anyway.check();
    await page.screenshot({ path: `${SHOTS}/phone-check-in.png` });
    await noSeriousA11yViolations(page);
    await dialog.getByRole("button", { name: "Save check-in" }).click();
    await expect(page.getByText("Check-in saved")).toBeVisible();
  }
});

test("New objective at 390 px: every key-result field wide enough to read and fill in", async ({ page }) => {
  await signIn(page);
  await page.getByRole("button", { name: "New objective" }).first().click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("textbox", { name: "Key result 1" }).fill("Sign twelve mid-market customers");
  for (const name of ["Type", "Start", "Target", "Unit", "Weight"]) {
    const box = await dialog.getByLabel(name, { exact: true }).first().boundingBox();
    expect(box?.width ?? 0, `${name} is too narrow to fill in`).toBeGreaterThanOrEqual(70);
  }
  // Level, team and owners each get the dialog's width rather than a third of it.
  const team = await dialog.getByLabel("Team", { exact: true }).first().boundingBox();
  expect(team?.width ?? 0).toBeGreaterThan(200);
  await dialog.getByLabel("Weight", { exact: true }).first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/phone-new-objective.png` });
});

test("Close and score at 390 px: every score and its reason within the screen", async ({ page, request }) => {
  // An open objective of its own (other journeys close the demo's period), with three key results.
  const call = client(request);
  const open = await openPeriodOfToday(call);
  const made = await call("POST", "/objectives", {
    title: "Make releases boring (phone close)",
    level: "organization",
    periodId: open.id,
    keyResults: [
      { title: "Deploys a week without a rollback", type: "increase", start: 2, target: 20 },
      { title: "Change failure rate", type: "decrease", start: 20, target: 5 },
      { title: "Lead time for changes in hours", type: "decrease", start: 72, target: 24 },
    ],
  });
  await signIn(page);
  await page.goto(`/objectives/${made.id}`);
  await page.getByRole("button", { name: "Close and score" }).click();
  const dialog = page.getByRole("dialog");
  const reasons = dialog.getByRole("textbox", { name: /^Why this score\?: / });
  await expect(reasons.first()).toBeVisible();
  expect(await reasons.count()).toBeGreaterThan(1);
  for (const reason of await reasons.all()) {
    await reason.scrollIntoViewIfNeeded();
    const box = await reason.boundingBox();
    expect((box?.x ?? 999) + (box?.width ?? 0), "a reason runs off the screen").toBeLessThanOrEqual(390);
    expect(box?.width ?? 0).toBeGreaterThan(150);
  }
  await page.screenshot({ path: `${SHOTS}/phone-close-score.png` });
});

/** Every cell of every table on the page lies within the screen, and every labelled cell shows its column's heading. */
async function tablesAsLists(page: Page) {
  const cells = page.locator(".okra-table-list tbody td, .okra-table-list tbody th");
  await expect(cells.first()).toBeVisible();
  const outside = await cells.evaluateAll((els) =>
    els
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && (r.left < 0 || r.right > 390.5);
      })
      .map((el) => el.textContent ?? ""),
  );
  expect(outside, "these cells are off the screen's edge").toEqual([]);
  // The headings are in the cards: a labelled cell shows its heading before its value.
  const labels = await cells.evaluateAll((els) =>
    els
      .filter((el) => el.hasAttribute("data-label") && el !== el.parentElement?.firstElementChild)
      .map((el) => getComputedStyle(el, "::before").content),
  );
  expect(labels.length).toBeGreaterThan(0);
  for (const label of labels) expect(label).not.toBe("none");
}

test("Tables become lists at 390 px: the close page, periods, explorer, dashboard, people and profile", async ({
  page,
}) => {
  await signIn(page);
  for (const [path, heading] of [
    ["/close", /^Close /],
    ["/periods", "Periods"],
    ["/explorer", "Explorer"],
    ["/dashboard", /Dashboard/],
    ["/people", "Teams and people"],
    ["/profile", /profile/i],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 2, name: heading }).first()).toBeVisible();
    await tablesAsLists(page);
    await fitsTheWidth(page);
    await page.screenshot({ path: `${SHOTS}/phone-list${path.replace(/\W/g, "-")}.png` });
  }
  // The explorer's cards name their columns.
  await page.goto("/explorer");
  await expect(page.locator('.okra-table-list td[data-label="Status"]').first()).toBeVisible();
  await expect(page.locator('.okra-table-list td[data-label="Owners"]').first()).toBeVisible();
  // The buttons of a row keep their whole names (no "Re…" for Revoke, no "Postpon").
  await page.goto("/profile");
  await shownWhole(page.locator(".okra-table-list .mantine-Button-label"));
});

test("A key result's large value keeps clear of its status on a phone", async ({ page, request }) => {
  // An objective of its own in an open period (other journeys close the demo's), holding a
  // seven-figure amount in euros, shown on My OKRs for that period.
  const call = client(request);
  const open = await openPeriodOfToday(call);
  // A person of their own, whose My OKRs holds only this objective.
  const run = Date.now().toString(36);
  const person = await call("POST", "/users", {
    name: `Vera Value ${run}`,
    email: `vera-${run}@demo.example`,
    role: "member",
    invite: false,
  });
  const token = (await call("POST", `/users/${person.id}/tokens`, { name: "e2e" })).token as string;
  const made = await call("POST", "/objectives", {
    title: "Grow where we already win (phone value)",
    level: "individual",
    periodId: open.id,
    ownerIds: [person.id],
    keyResults: [
      {
        title: "New ARR signed",
        type: "increase",
        start: 0,
        target: 2_000_000,
        unit: "currency",
        currency: "EUR",
        ownerIds: [person.id],
      },
    ],
  });
  await call("POST", `/key-results/${made.keyResults[0].id}/check-ins`, { value: 1_412_929 }, token);
  await signIn(page, token);
  await page.goto(`/?period=${open.id}`);
  const value = page.getByText("€1,412,929", { exact: true });
  await expect(value).toBeVisible();
  const badge = value.locator("xpath=..").locator(".mantine-Badge-root").first();
  const v = await value.boundingBox();
  const b = await badge.boundingBox();
  expect((v?.x ?? 0) + (v?.width ?? 0), "the value runs into the status").toBeLessThanOrEqual(b?.x ?? 0);
  await shownWhole(value);
  await value.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/phone-large-value.png` });
});

test("On a phone the explorer's order is chosen above its cards, and the audit trail's cards open from their corner", async ({
  page,
}) => {
  await signIn(page);
  await page.goto("/explorer");
  const sortBy = page.getByRole("combobox", { name: "Sort by" });
  await expect(sortBy).toBeVisible();
  await sortBy.click();
  await page.getByRole("option", { name: "Progress, descending" }).click();
  await expect(page).toHaveURL(/sort=-progress/);
  const progress = page.locator('.okra-table-list td[data-label="Progress"]');
  await expect(progress.nth(1)).toBeVisible();
  const figures = (await progress.allTextContents()).slice(0, 5).map((s) => Number(/(-?\d+)%/.exec(s)?.[1]));
  expect(figures).toEqual([...figures].sort((a, b) => b - a));
  await sortBy.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/phone-explorer-sort.png` });

  await page.goto("/admin/audit");
  const card = page.locator(".okra-table-list tbody > tr").first();
  const toggle = card.getByRole("button", { name: /^Show the changes of/ });
  const when = card.locator('td[data-label="When"]');
  await expect(toggle).toBeVisible();
  // The button shares the first line with "When", at the card's right, and the event code stays whole.
  const [t, w] = [await toggle.boundingBox(), await when.boundingBox()];
  expect(Math.abs((t?.y ?? 0) - (w?.y ?? 999))).toBeLessThan(20);
  expect((t?.x ?? 0) + (t?.width ?? 0)).toBeLessThanOrEqual(390);
  await shownWhole(card.locator("td[data-label] .mantine-Text-root"));
  await tablesAsLists(page);
  await page.screenshot({ path: `${SHOTS}/phone-audit.png` });
});
