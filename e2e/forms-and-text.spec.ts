/**
 * Small form and text defects of walk 2, as a person meets them: scores typed out of range or
 * with two decimals are refused at the field; Enter picks the highlighted @mention; form errors
 * name fields by their labels and clear once fixed; a disabled button says why; a token needs a
 * name; a milestone's page says whether it is done; the import counts rows in good English; the
 * background jobs say when they last looked; the demo reads like a real company.
 */
import { expect, type Page, test } from "@playwright/test";
import { client, SHOTS, signIn } from "./support.js";

type Objective = {
  id: string;
  title: string;
  state: string;
  visibility: string;
  keyResults: { id: string; title: string; type: string; progressMode: string; progress: number | null }[];
};

async function objectives(page: Page): Promise<Objective[]> {
  return (await client(page.request)("GET", "/objectives?limit=200")).items;
}

/** Expects `button` to be disabled with `reason`, read out to screen readers and shown on keyboard focus. */
async function expectDisabledWith(page: Page, button: ReturnType<Page["getByRole"]>, reason: string) {
  await expect(button).toHaveAttribute("aria-disabled", "true");
  await expect(button).toHaveAccessibleDescription(reason);
  await button.scrollIntoViewIfNeeded();
  await button.hover();
  await expect(page.getByRole("tooltip").filter({ hasText: reason })).toBeVisible();
}

test("close and score: a score out of range or with two decimals is refused at its field, as typed", async ({
  page,
}) => {
  await signIn(page);
  const objective = (await objectives(page)).find(
    (o) => o.state === "active" && o.keyResults.filter((k) => k.type !== "baseline").length >= 2,
  );
  if (!objective) throw new Error("the demo has no active objective with two key results");
  const kr = objective.keyResults.find((k) => k.type !== "baseline")!;
  await page.goto(`/objectives/${objective.id}`);
  await page.getByRole("button", { name: "Close and score" }).click();
  const dialog = page.getByRole("dialog");
  const score = dialog.getByRole("textbox", { name: `Score: ${kr.title}` });
  const submit = dialog.getByRole("button", { name: "Close objective" });

  await score.fill("");
  await score.pressSequentially("-1");
  await score.press("Tab");
  await expect(score).toHaveValue("-1");
  await expect(dialog.getByText("A score is from 0 to 1, e.g. 0.7.")).toBeVisible();
  await expect(dialog.getByText("Objective score: —")).toBeVisible();
  await expectDisabledWith(page, submit, "Correct the scores marked in red first.");
  await page.screenshot({ path: `${SHOTS}/hc-score-negative.png` });

  await score.fill("0.55");
  await score.press("Tab");
  await expect(score).toHaveValue("0.55");
  await expect(dialog.getByText("Scores have one decimal: enter e.g. 0.5 or 0.6.")).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/hc-score-decimals.png` });

  await score.fill("7");
  await score.press("Tab");
  await expect(score).toHaveValue("7");
  await expect(dialog.getByText("A score is from 0 to 1, e.g. 0.7.")).toBeVisible();

  await score.fill("0.6");
  await score.press("Tab");
  await expect(score).toHaveValue("0.6");
  await expect(dialog.getByText(/A score is from|Scores have one decimal/)).toHaveCount(0);
  await expect(submit).not.toHaveAttribute("aria-disabled", "true");
  await dialog.getByRole("button", { name: "Cancel" }).click();
});

test("@mention: Enter or Tab picks the highlighted person, and the list leaves the hint readable", async ({ page }) => {
  await signIn(page);
  const objective = (await objectives(page)).find((o) => o.state === "active" && o.visibility === "public");
  if (!objective) throw new Error("the demo has no public active objective");
  await page.goto(`/objectives/${objective.id}`);
  const box = page.getByRole("textbox", { name: "Your comment" });
  await box.scrollIntoViewIfNeeded();
  await box.click();
  await box.pressSequentially("Hi @Zar", { delay: 20 });
  const option = page.getByRole("option", { name: /Zara Ahmed/ });
  await expect(option).toBeVisible();
  await expect(option).toHaveAttribute("data-combobox-selected", "true");
  // The hint above the box stays uncovered.
  const hint = page.getByText(/Type @ and a name/);
  const [hintBox, listBox] = [await hint.boundingBox(), await page.getByRole("listbox").boundingBox()];
  expect(hintBox && listBox).toBeTruthy();
  const overlaps =
    hintBox!.y < listBox!.y + listBox!.height &&
    listBox!.y < hintBox!.y + hintBox!.height &&
    hintBox!.x < listBox!.x + listBox!.width &&
    listBox!.x < hintBox!.x + hintBox!.width;
  expect(overlaps).toBe(false);
  await page.screenshot({ path: `${SHOTS}/hc-mention-open.png` });
  await box.press("Enter");
  await expect(box).toHaveValue("Hi @Zara Ahmed ");
  await expect(option).toBeHidden();

  await box.pressSequentially("and @Zar", { delay: 20 });
  await expect(page.getByRole("option", { name: /Zara Ahmed/ })).toBeVisible();
  await box.press("Tab");
  await expect(box).toHaveValue("Hi @Zara Ahmed and @Zara Ahmed ");
  await expect(box).toBeFocused();
  await page.screenshot({ path: `${SHOTS}/hc-mention-picked.png` });
});

test("KPI and webhook errors name the field in words, clear once fixed, and a disabled button says why", async ({
  page,
}) => {
  await signIn(page);
  await page.goto("/kpis");
  await page.getByRole("button", { name: "New KPI" }).click();
  const kpi = page.getByRole("dialog");
  await kpi.getByRole("textbox", { name: "Name" }).fill("Support backlog (e2e)");
  await kpi.getByRole("textbox", { name: "Healthy from" }).fill("50");
  await kpi.getByRole("textbox", { name: "Healthy up to" }).fill("10");
  await expect(kpi.getByText("Must be at least “Healthy from” (50)", { exact: false })).toBeVisible();
  await expect(kpi).not.toContainText("healthyM");
  await expectDisabledWith(
    page,
    kpi.getByRole("button", { name: "Create the KPI" }),
    "Correct the healthy range first.",
  );
  await page.screenshot({ path: `${SHOTS}/hc-kpi-range.png` });
  await kpi.getByRole("textbox", { name: "Healthy up to" }).fill("80");
  await expect(kpi.getByText("Must be at least", { exact: false })).toHaveCount(0);
  await kpi.getByRole("button", { name: "Cancel" }).click();

  await page.goto("/admin/webhooks");
  const form = page.getByRole("region", { name: "New webhook" });
  const url = form.getByRole("textbox", { name: "URL" });
  await url.fill("http://hooks.okra-e2e.example/forms");
  await form.getByRole("button", { name: "Create webhook" }).click();
  await expect(form.getByText("Must start with https://")).toBeVisible();
  await expect(form).not.toContainText("url:");
  await page.screenshot({ path: `${SHOTS}/hc-webhook-url.png` });
  await url.fill("https://hooks.okra-e2e.example/forms");
  await expect(form.getByText("Must start with https://")).toHaveCount(0);
  await form.getByRole("checkbox", { name: "Check-ins" }).uncheck();
  await expect(form.getByText("Tick at least one event.")).toBeVisible();
  await expectDisabledWith(
    page,
    form.getByRole("button", { name: "Create webhook" }),
    "Tick at least one event to send first.",
  );
  await page.screenshot({ path: `${SHOTS}/hc-webhook-noevents.png` });
});

test.describe("at phone width", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("a token without a name is refused at its field, without a request", async ({ page }) => {
    await signIn(page);
    await page.goto("/profile");
    const posts: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST" && r.url().includes("/api/v1/tokens")) posts.push(r.url());
    });
    const create = page.getByRole("button", { name: "Create token" });
    await create.scrollIntoViewIfNeeded();
    await create.click();
    await expect(page.getByText("Give the token a name, so you can tell it apart later")).toBeVisible();
    expect(posts).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/hc-token-empty-390.png` });
    await page.getByRole("textbox", { name: "Name", exact: true }).last().fill("x");
    await expect(page.getByText("Give the token a name, so you can tell it apart later")).toHaveCount(0);
  });

  test("a milestone's page says whether it is done, not 'from — to —'", async ({ page }) => {
    await signIn(page);
    const milestones = (await objectives(page)).flatMap((o) =>
      o.keyResults.filter((k) => k.type === "milestone" && k.progressMode === "manual"),
    );
    const open = milestones.find((k) => (k.progress ?? 0) < 1);
    const done = milestones.find((k) => (k.progress ?? 0) >= 1);
    if (!open || !done) throw new Error("the demo needs a milestone done and one not done");
    await page.goto(`/key-results/${open.id}`);
    await expect(page.getByRole("heading", { name: open.title, level: 2 })).toBeVisible();
    await expect(page.getByText("not done yet", { exact: true })).toBeVisible();
    await expect(page.getByText("from — to —")).toHaveCount(0);
    await page.screenshot({ path: `${SHOTS}/hc-milestone-390.png` });
    await page.goto(`/key-results/${done.id}`);
    await expect(page.getByText("done", { exact: true })).toBeVisible();
  });
});

test("import: no 'Import 0 rows' before a check, and the rows counted in good English", async ({ page }) => {
  await signIn(page);
  await page.goto("/admin/import");
  const importButton = page.getByRole("button", { name: "Import", exact: true });
  await expectDisabledWith(page, importButton, "Choose a spreadsheet file first; then check it.");
  await expect(page.getByRole("button", { name: /Import 0 rows/ })).toHaveCount(0);
  const run = Date.now().toString(36);
  const period = (await client(page.request)("GET", "/periods?limit=50")).items.find(
    (p: { kind: string; closedAt: string | null }) => p.kind === "quarter" && !p.closedAt,
  );
  const csv = [
    "Reference,Parent reference,Type,Title,Level,Time period,Start,Target",
    `HC-${run},,Objective,One-row import ${run},Organization,${period.name},,`,
  ].join("\n");
  await page
    .locator("input[type=file]")
    .setInputFiles({ name: "one.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expectDisabledWith(page, importButton, "Check the file first: nothing is imported before it is checked.");
  await page.getByRole("button", { name: "Check the file" }).click();
  await expect(page.getByText("1 row checked. Nothing is written until you import.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Import 1 row", exact: true })).toBeEnabled();
  await page.screenshot({ path: `${SHOTS}/hc-import-one-row.png`, fullPage: true });
});

test("the demo organisation has a name, counts whole offers and a confident on-track owner", async ({ page }) => {
  await signIn(page);
  const call = client(page.request);
  await page.goto("/settings");
  await expect(page.getByRole("textbox", { name: "Organisation name" })).toHaveValue("Fernhill");
  const all = await objectives(page);
  const offers = all.flatMap((o) => o.keyResults).find((k) => k.title === "Engineering offers accepted");
  if (!offers) throw new Error("the demo has no 'Engineering offers accepted'");
  const checkIns = (await call("GET", `/key-results/${offers.id}/check-ins?limit=100`)).items as { value: number }[];
  expect(checkIns.length).toBeGreaterThan(0);
  expect(checkIns.every((c) => Number.isInteger(Number(c.value)))).toBe(true);
  await page.screenshot({ path: `${SHOTS}/hc-settings-name.png` });
});

test("background jobs: email delivery, webhooks and data-sync show when they last looked, even with nothing to do", async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page);
  const call = client(page.request);
  // Email delivery and webhooks run every minute: within about two, each has a recorded run.
  await expect
    .poll(
      async () => {
        const jobs = (await call("GET", "/jobs")).items as { name: string; lastRun: unknown }[];
        return ["email-outbox", "webhooks"].filter((n) => jobs.find((j) => j.name === n)?.lastRun);
      },
      { timeout: 180_000, intervals: [5_000] },
    )
    .toEqual(["email-outbox", "webhooks"]);
  await page.goto("/admin/jobs");
  const email = page.getByRole("region", { name: "Email delivery" });
  await expect(email).not.toContainText("Never");
  await expect(email).toContainText(/Nothing to do|Done/);
  await page.screenshot({ path: `${SHOTS}/hc-jobs.png`, fullPage: true });
});
