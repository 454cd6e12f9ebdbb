/**
 * Import and export as an admin meets it (#13): a file with a mistake is reported row by row
 * and nothing is written; the fixed file is checked, imported with a progress bar and lands;
 * the export buttons hand over real files; the page at phone width in the dark.
 */
import { expect, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

const RUN = Date.now().toString(36);

test("an admin imports OKRs from a spreadsheet: problems per row first, then the fixed file lands", async ({
  page,
}) => {
  const call = client(page.request);
  const period = (await call("GET", "/objectives?limit=1&state=active")).items[0].periodId;
  const periodName = (await call("GET", `/periods/${period}`)).name;
  const rows = (target: string) =>
    [
      "Reference,Parent reference,Type,Title,Level,Time period,Start,Target",
      `E2E-${RUN},,Objective,Imported from a sheet ${RUN},Organization,${periodName},,`,
      `E2E-${RUN}.1,E2E-${RUN},Key Result,Partners signed ${RUN},,,0,${target}`,
    ].join("\n");
  await signIn(page);
  await page.getByRole("link", { name: "Import and export" }).click();
  await expect(page.getByRole("heading", { name: "Import and export", level: 2 })).toBeVisible();

  // The Mantine FileInput is a button in front of a hidden file input.
  await expect(page.getByRole("button", { name: "Spreadsheet", exact: true })).toBeVisible();
  const input = page.locator("input[type=file]");
  await input.setInputFiles({ name: "okrs.csv", mimeType: "text/csv", buffer: Buffer.from(rows("twelve")) });
  await page.getByRole("button", { name: "Check the file" }).click();
  const problems = page.getByRole("table", { name: "Problems per row" });
  await expect(problems).toContainText('"twelve" is not a number');
  await expect(page.getByRole("button", { name: "Import", exact: true })).toHaveAttribute("aria-disabled", "true");
  await page.screenshot({ path: `${SHOTS}/import-problems.png`, fullPage: true });

  await input.setInputFiles({ name: "okrs.csv", mimeType: "text/csv", buffer: Buffer.from(rows("12")) });
  await page.getByRole("button", { name: "Check the file" }).click();
  const preview = page.getByRole("table", { name: "What happens to each row" });
  await expect(preview).toContainText(`Partners signed ${RUN}`);
  await noSeriousA11yViolations(page);
  await page.getByRole("button", { name: "Import 2 rows" }).click();
  await expect(page.getByText("2 rows imported.")).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/import-done.png`, fullPage: true });
  const found = (await call("GET", `/objectives?q=${encodeURIComponent(`Imported from a sheet ${RUN}`)}`)).items;
  expect(found).toHaveLength(1);
  expect(found[0].keyResults[0]).toMatchObject({ title: `Partners signed ${RUN}`, target: 12 });

  const xlsx = page.waitForEvent("download");
  await page.getByRole("button", { name: "Spreadsheet (Excel)" }).click();
  expect((await xlsx).suggestedFilename()).toMatch(/^okra-okrs-.*\.xlsx$/);
  const deck = page.waitForEvent("download");
  await page.getByRole("button", { name: "Review deck (PowerPoint)" }).click();
  expect((await deck).suggestedFilename()).toMatch(/\.pptx$/);
  await call("DELETE", `/objectives/${found[0].id}`);
});

test("the import page at 390 px in the dark", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: "dark" });
  const page = await context.newPage();
  await signIn(page);
  await page.goto("/admin/import");
  await expect(page.getByRole("heading", { name: "Import OKRs" })).toBeVisible();
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `${SHOTS}/import-phone-dark.png`, fullPage: true });
  await noSeriousA11yViolations(page);
  await context.close();
});
