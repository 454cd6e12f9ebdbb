/**
 * Details seen in the browser (#11 "Details seen"): an unknown address and a missing item get a
 * page with a way back; the token help shows the command as code, not between backticks; the
 * settings page shows UTC when that is the time zone; counts agree with their number; a key
 * result's page asks for nothing with an empty id.
 */
import { expect, type Page, test } from "@playwright/test";

const TOKEN = "okra_e2e_admin_token_0123456789";

async function signIn(page: Page) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Use an API token instead" }).click();
  await expect(page.getByText("npx okra token create --email you@example.com")).toBeVisible();
  await expect(page.getByText(/`/)).toHaveCount(0);
  await page.getByLabel("API token").fill(TOKEN);
  await page.getByRole("button", { name: "Sign in with the token" }).click();
  await expect(page.getByRole("heading", { name: "My OKRs", level: 2 })).toBeVisible();
}

test("an unknown address and a missing objective get a page with a way back", async ({ page }) => {
  await signIn(page);
  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "There is no page here" })).toBeVisible();
  await page.getByRole("link", { name: "Back to My OKRs" }).click();
  await expect(page.getByRole("heading", { name: "My OKRs", level: 2 })).toBeVisible();
  await page.goto("/objectives/00000000-0000-4000-8000-000000000000");
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(page.getByText("Something went wrong")).toHaveCount(0);
});

test("settings show UTC, and a key result's page asks for nothing with an empty id", async ({ page }) => {
  await signIn(page);
  await page.goto("/settings");
  await expect(page.getByRole("combobox", { name: "Time zone" })).toHaveValue("UTC");
  const emptyIds: string[] = [];
  page.on("request", (r) => {
    if (/\/api\/v1\/[a-z-]+\/(\?|$)/.test(r.url())) emptyIds.push(r.url());
  });
  const res = await page.request.get("/api/v1/objectives?limit=1", {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const kr = (await res.json()).items[0].keyResults[0];
  await page.goto(`/key-results/${kr.id}`);
  await expect(page.getByRole("heading", { name: kr.title })).toBeVisible();
  // The live-update stream never lets the network go idle: give the page's queries a moment.
  await page.waitForTimeout(1500);
  expect(emptyIds).toEqual([]);
});

test("a title over the limit is refused with the reason, never cut", async ({ page }) => {
  await signIn(page);
  await page.getByRole("button", { name: "New objective" }).click();
  const long = "Grow ".repeat(120).trim(); // 599 characters
  await page.getByRole("textbox", { name: "Title" }).fill(long);
  await expect(page.getByRole("textbox", { name: "Title" })).toHaveValue(long);
  await expect(page.getByText(`A title may be at most 500 characters; this one has ${long.length}.`)).toBeVisible();
  await expect(page.getByRole("button", { name: "Create objective" })).toBeDisabled();
});

test("Contributing lists each child once, however many of the objective's parts it aligns to", async ({ page }) => {
  const call = async (method: string, url: string, data?: unknown) => {
    const res = await page.request.fetch(`/api/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}` },
      ...(data === undefined ? {} : { data }),
    });
    expect(res.ok(), `${method} ${url}: ${res.status()} ${await res.text()}`).toBe(true);
    return res.json();
  };
  const periods = (await call("GET", "/periods?limit=100")).items as {
    id: string;
    kind: string;
    startDate: string;
    endDate: string;
    closedAt: string | null;
  }[];
  const today = new Date().toISOString().slice(0, 10);
  const periodId = periods.find(
    (p) => p.kind === "quarter" && !p.closedAt && p.startDate <= today && today <= p.endDate,
  )!.id;
  const parent = await call("POST", "/objectives", {
    title: "Parent with one child twice (e2e)",
    level: "organization",
    periodId,
  });
  const parentKr = await call("POST", `/objectives/${parent.id}/key-results`, {
    title: "Signups",
    type: "increase",
    start: 0,
    target: 10,
  });
  const child = await call("POST", "/objectives", {
    title: "Child aligned twice (e2e)",
    level: "organization",
    periodId,
  });
  await call("POST", "/alignments", {
    childType: "objective",
    childId: child.id,
    parentType: "objective",
    parentId: parent.id,
  });
  await call("POST", "/alignments", {
    childType: "objective",
    childId: child.id,
    parentType: "keyResult",
    parentId: parentKr.id,
  });
  await signIn(page);
  await page.goto(`/objectives/${parent.id}`);
  const heading = page.getByRole("heading", { name: "Contributing (1)" });
  await expect(heading).toBeVisible();
  const contributing = heading.locator("xpath=..");
  await expect(contributing.getByRole("link", { name: "Child aligned twice (e2e)" })).toHaveCount(1);
  await expect(contributing.getByText("(aligned to 2 of its parts)")).toBeVisible();
});
