/**
 * The web app at size (issue #10): more people and objectives than one page holds. A picker
 * finds a person far past the first page by typing part of their name; My OKRs and the
 * explorer show every one of a person's 520 objectives with a true count; a check-in made
 * by someone else refetches the key result but not the lists it cannot change.
 *
 * The data lives apart from the demo's: people whose names sort last, and objectives in a
 * custom period of their own (the current quarter stays what the other journeys expect).
 * Screenshots go to /tmp/shots.
 */
import fs from "node:fs";
import { expect, type Page, test } from "@playwright/test";

const TOKEN = "okra_e2e_admin_token_0123456789";
const SHOTS = "/tmp/shots";
const PEOPLE = 520;
const OBJECTIVES = 520;

interface Fixture {
  adminId: string;
  ownerToken: string;
  ownerId: string;
  periodId: string;
  krId: string;
  objectiveId: string;
}

test.describe.configure({ mode: "serial" });

let fixture: Fixture;

async function signIn(page: Page, token: string) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Use an API token instead" }).click();
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in with the token" }).click();
  await expect(page.getByRole("heading", { name: "My OKRs", level: 2 })).toBeVisible();
}

/** Scrolls the page to its end (as a person does to see more). */
const scrollToEnd = (page: Page) => page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));

const pad = (n: number) => String(n).padStart(4, "0");

test.beforeAll(async ({ request }) => {
  test.setTimeout(300_000);
  fs.mkdirSync(SHOTS, { recursive: true });
  const call = async (method: string, url: string, data?: unknown, token = TOKEN) => {
    const res = await request.fetch(`/api/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(data ? { data } : {}),
    });
    expect(res.status(), `${method} ${url}: ${await res.text()}`).toBeLessThan(300);
    return res.json();
  };
  // 520 people in one import; their names sort after the demo's.
  const rows = Array.from(
    { length: PEOPLE },
    (_, i) => `zz.scale.${pad(i + 1)}@scale.example,Zz Scale Person ${pad(i + 1)},,,No`,
  );
  await call("POST", "/imports/people", {
    usersCsv: ["User Email,User Name,Teams,Manager Email,Is Org Admin", ...rows].join("\n"),
  });
  const owner = await call("POST", "/users", {
    name: "Olive Owner-of-many",
    email: "olive.many@scale.example",
    role: "member",
    invite: false,
  });
  const ownerToken = (await call("POST", `/users/${owner.id}/tokens`, { name: "e2e at size" })).token as string;
  // A period of its own with the current quarter's dates: the app still opens on the quarter, and
  // the period is offered nowhere the other journeys look (postponing goes to later periods only).
  const today = new Date().toISOString().slice(0, 10);
  const quarter = (
    (await call("GET", "/periods?limit=500")).items as { kind: string; startDate: string; endDate: string }[]
  ).find((p) => p.kind === "quarter" && p.startDate <= today && today <= p.endDate)!;
  const period = await call("POST", "/periods", {
    name: "At size",
    kind: "custom",
    startDate: quarter.startDate,
    endDate: quarter.endDate,
  });
  // 520 objectives owned by one person, each with one key result, a few writes at a time.
  let next = 0;
  const first: { objectiveId?: string; krId?: string } = {};
  const worker = async () => {
    while (next < OBJECTIVES) {
      const n = ++next;
      const o = await call("POST", "/objectives", {
        title: `At size objective ${pad(n)}`,
        level: "individual",
        ownerIds: [owner.id],
        periodId: period.id,
      });
      const kr = await call("POST", `/objectives/${o.id}/key-results`, {
        title: `Scale KR ${pad(n)}`,
        type: "increase",
        start: 0,
        target: 100,
        ownerIds: [owner.id],
      });
      if (n === 1) Object.assign(first, { objectiveId: o.id, krId: kr.id });
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  fixture = {
    adminId: (await call("GET", "/me")).user.id,
    ownerToken,
    ownerId: owner.id,
    periodId: period.id,
    objectiveId: first.objectiveId!,
    krId: first.krId!,
  };
});

test("a people picker finds a person far past the first page by typing part of their name", async ({ page }) => {
  await signIn(page, TOKEN);
  await page.goto("/explorer");
  await expect(page.getByText(/\d+\+? objectives/)).toBeVisible();
  const picker = page.getByRole("combobox", { name: "Owners" });
  await picker.click();
  // The first page of people does not reach the last of the 520.
  await expect(page.getByRole("option").first()).toBeVisible();
  await expect(page.getByRole("option", { name: "Zz Scale Person 0517" })).toHaveCount(0);
  await picker.fill("person 0517");
  await expect(page.getByRole("option", { name: "Zz Scale Person 0517" })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/picker-search.png` });
  await page.getByRole("option", { name: "Zz Scale Person 0517" }).click();
  await expect(page).toHaveURL(/owner=/);
  // The choice stays shown (fetched by id) after a reload, though it is on no first page.
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Owners" })).toHaveValue("Zz Scale Person 0517");
});

test("the people list loads past the first page and its count is true once all are in", async ({ page }) => {
  await signIn(page, TOKEN);
  await page.goto("/people");
  const heading = page.getByRole("heading", { name: /^People \(/ });
  await expect(heading).toHaveText("People (50+)");
  await page.getByRole("textbox", { name: "Find a person (name or email)" }).fill("zz scale person 05");
  // 0500..0520: 21 people, every one shown, counted exactly.
  await expect(heading).toHaveText("People (21)");
  // Rows are drawn as they scroll into view.
  await scrollToEnd(page);
  await expect(page.getByRole("cell", { name: "zz.scale.0520@scale.example" })).toBeVisible();
  await page.getByRole("textbox", { name: "Find a person (name or email)" }).fill("");
  await expect(heading).toHaveText("People (50+)");
  // Scrolling to the end loads the next pages.
  for (let i = 0; i < 30 && (await heading.textContent())?.endsWith("+)"); i++) {
    await scrollToEnd(page);
    await page.waitForTimeout(300);
  }
  const total = Number((await heading.textContent())!.match(/\((\d+)\)/)![1]);
  expect(total).toBeGreaterThan(PEOPLE);
  // The last page made the table longer: scroll again until its last row is drawn.
  const lastRow = page.getByRole("cell", { name: "zz.scale.0520@scale.example" });
  await expect(async () => {
    await scrollToEnd(page);
    await expect(lastRow).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await page.screenshot({ path: `${SHOTS}/people-all.png` });
});

test("My OKRs shows all 520 objectives of one person, a screenful at a time", async ({ page }) => {
  await signIn(page, fixture.ownerToken);
  const started = Date.now();
  await page.goto(`/?period=${fixture.periodId}`);
  await expect(page.getByRole("heading", { name: `My objectives (${OBJECTIVES})` })).toBeVisible();
  await expect(page.getByRole("article").first()).toBeVisible();
  console.log(`My OKRs with ${OBJECTIVES} objectives: first cards after ${Date.now() - started} ms`);
  await expect(page.getByRole("heading", { name: `Due a check-in (${OBJECTIVES})` })).toBeVisible();
  // Virtualised: far fewer cards in the page than objectives.
  const cards = await page.getByRole("article").count();
  expect(cards).toBeGreaterThan(0);
  expect(cards).toBeLessThan(60);
  console.log(`My OKRs: ${cards} cards in the page, ${await page.locator("*").count()} elements`);
  await page.screenshot({ path: `${SHOTS}/home-at-size.png` });
  // Rows are measured as they come into view: scroll again until the end stays put.
  const last = page.getByRole("link", { name: `At size objective ${pad(OBJECTIVES)}`, exact: true });
  await expect(async () => {
    await scrollToEnd(page);
    await expect(last).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await page.screenshot({ path: `${SHOTS}/home-at-size-end.png` });
  // A phone still works: one column.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/?period=${fixture.periodId}`);
  await expect(page.getByRole("heading", { name: `My objectives (${OBJECTIVES})` })).toBeVisible();
  await page.getByRole("heading", { name: /My objectives/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/home-at-size-phone.png` });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
});

test("the explorer pages past the first 200 rows, its count true from the first page", async ({ page }) => {
  await signIn(page, fixture.ownerToken);
  await page.goto(`/explorer?period=${fixture.periodId}`);
  // The server counts what matches: the count is true while only the first rows are loaded.
  await expect(page.getByText(`${OBJECTIVES} objectives`, { exact: true })).toBeVisible();
  const rows = await page.getByRole("row").count();
  expect(rows).toBeLessThan(120);
  // A column sorts on the server: the first page comes back in order, and no other page is asked for.
  const pages: string[] = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname === "/api/v1/objectives") pages.push(u.search);
  });
  const title = page.getByRole("columnheader", { name: "Title", exact: true });
  await title.getByRole("button").click();
  await expect(page).toHaveURL(/sort=title/);
  await expect(title).toHaveAttribute("aria-sort", "ascending");
  await expect(page.getByRole("row").nth(1)).toContainText("At size objective 0001");
  await title.getByRole("button").click();
  await expect(page).toHaveURL(/sort=-title/);
  await expect(title).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByRole("row").nth(1)).toContainText(`At size objective ${pad(OBJECTIVES)}`);
  await expect(page.getByText(`${OBJECTIVES} objectives`, { exact: true })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/explorer-at-size-sorted.png` });
  expect(pages.length).toBeGreaterThan(0);
  expect(pages.filter((q) => q.includes("cursor="))).toEqual([]);
  expect(pages.every((q) => /sort=-?title/.test(q))).toBe(true);
  // The other pages load as the rows are scrolled to; the last row is reached, still sorted by title.
  const last = page.getByRole("link", { name: "At size objective 0001", exact: true });
  for (let i = 0; i < 20 && !(await last.isVisible()); i++) {
    await scrollToEnd(page);
    await page.waitForTimeout(300);
  }
  await expect(last).toBeVisible();
  expect(pages.filter((q) => q.includes("cursor=")).length).toBeGreaterThan(0);
  await page.screenshot({ path: `${SHOTS}/explorer-at-size.png` });
  await page.getByRole("textbox", { name: "Search titles" }).fill("objective 0519");
  await expect(page.getByText("1 objective", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "At size objective 0519" })).toBeVisible();
});

test("another person's check-in refetches the key result, not the lists it cannot change", async ({
  page,
  context,
  request,
}) => {
  await signIn(page, fixture.ownerToken);
  const people = await context.newPage();
  const seen: string[] = [];
  const record = (url: string) => {
    const u = new URL(url);
    if (u.pathname.startsWith("/api/v1/") && u.pathname !== "/api/v1/events") seen.push(`${u.pathname}${u.search}`);
  };
  page.on("request", (r) => record(r.url()));
  people.on("request", (r) => record(r.url()));
  await page.goto(`/key-results/${fixture.krId}`);
  await expect(page.getByRole("heading", { name: "Scale KR 0001", level: 2 })).toBeVisible();
  await people.goto("/people");
  await expect(people.getByRole("heading", { name: /^People \(/ })).toBeVisible();
  await expect(people.getByRole("article").first()).toBeVisible();
  // Quiet first (the live stream stays open, so "network idle" never comes): no request for a second.
  let count = -1;
  while (count !== seen.length) {
    count = seen.length;
    await page.waitForTimeout(1000);
  }
  seen.length = 0;
  const res = await request.post(`/api/v1/key-results/${fixture.krId}/check-ins`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    data: { value: 42, note: "from the admin, elsewhere" },
  });
  expect(res.status()).toBe(201);
  await expect(page.getByRole("cell", { name: "from the admin, elsewhere" })).toBeVisible({ timeout: 10_000 });
  await page.waitForTimeout(1000);
  const hits = (re: RegExp) => seen.filter((s) => re.test(s)).length;
  console.log(`requests after the check-in: ${JSON.stringify(seen)}`);
  // What the check-in reaches: its key result, its check-ins, its objective; the teams' progress.
  expect(hits(new RegExp(`^/api/v1/key-results/${fixture.krId}$`))).toBeGreaterThan(0);
  expect(hits(new RegExp(`^/api/v1/key-results/${fixture.krId}/check-ins`))).toBeGreaterThan(0);
  expect(hits(/^\/api\/v1\/series\?/)).toBeGreaterThan(0);
  // What it cannot change: people, teams, periods, settings, who I am. The one person fetched is
  // the new check-in's author, whose name the page had not needed before (by id, in a batch of one).
  expect(
    seen.filter((u) => u.startsWith("/api/v1/users") && u !== `/api/v1/users?ids=${fixture.adminId}&limit=1`),
  ).toEqual([]);
  expect(hits(/^\/api\/v1\/teams/)).toBe(0);
  expect(hits(/^\/api\/v1\/periods/)).toBe(0);
  expect(hits(/^\/api\/v1\/settings/)).toBe(0);
  expect(hits(/^\/api\/v1\/me$/)).toBe(0);
  await page.screenshot({ path: `${SHOTS}/key-result-live.png` });
});

test("the dashboard, people, the map and an objective, as they look now", async ({ page }) => {
  await signIn(page, TOKEN);
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Objectives by status" })).toBeVisible();
  // The status counts and the chart come from the one /series request.
  await expect(page.locator(".recharts-line").first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/dashboard.png`, fullPage: true });
  await page.getByRole("combobox", { name: "Team" }).click();
  await page.getByRole("combobox", { name: "Team" }).fill("plat");
  await page.getByRole("option", { name: "Platform" }).click();
  await expect(page).toHaveURL(/team=/);
  await expect(page.locator(".recharts-line").first()).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/dashboard-team.png`, fullPage: true });
  await page.goto("/people");
  await expect(page.getByRole("article", { name: "Platform" })).toBeVisible();
  await expect(page.getByRole("article", { name: "Platform" }).getByText(/objectives this period/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/people.png` });
  await page.goto("/map");
  await page.getByRole("combobox", { name: "Team" }).click();
  await page.getByRole("combobox", { name: "Team" }).fill("plat");
  await page.getByRole("option", { name: "Platform" }).click();
  await expect(page.getByText(/\d+ nodes/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/map-team.png` });
  await page.goto("/explorer");
  await page.getByRole("textbox", { name: "Search titles" }).fill("Make every dashboard feel instant");
  await page
    .getByRole("link", { name: /^Make every dashboard feel instant/ })
    .first()
    .click();
  await expect(page.getByRole("heading", { name: "Aligned to" })).toBeVisible();
  // Every aligned item named (each fetched by id) and the activity loaded.
  await expect(page.getByText("…", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("status", { name: "Loading…" })).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/objective.png`, fullPage: true });
});
