import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { noSeriousA11yViolations, SHOTS, signIn, TOKEN } from "./support.js";

const auth = { authorization: `Bearer ${TOKEN}` };

/** Axe in the light theme, then in the dark one. */
async function bothThemes(page: Page, name: string) {
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.getByRole("button", { name: "Switch light or dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-mantine-color-scheme", "dark");
  await noSeriousA11yViolations(page);
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.getByRole("button", { name: "Switch light or dark theme" }).click();
}

// biome-ignore lint/suspicious/noExplicitAny: journeys read loosely typed JSON
async function api<T = any>(request: APIRequestContext, method: string, url: string, data?: unknown): Promise<T> {
  const r = await request.fetch(`/api/v1${url}`, { method, headers: auth, data });
  expect(r.ok(), `${method} ${url}: ${await r.text()}`).toBe(true);
  return r.json() as Promise<T>;
}

test.describe.configure({ mode: "serial" });

test("the alignment map opens on the organisation's level; a team opens; my part is highlighted", async ({
  page,
  request,
}) => {
  // Something of mine in the current quarter, aligned under a team's key result.
  const me = await api(request, "GET", "/me");
  const today = new Date().toISOString().slice(0, 10);
  const periods = (await api(request, "GET", "/periods")).items as {
    id: string;
    kind: string;
    startDate: string;
    endDate: string;
  }[];
  const quarter = periods.find((p) => p.kind === "quarter" && p.startDate <= today && today <= p.endDate)!;
  const teams = (await api(request, "GET", `/tree/teams?periodId=${quarter.id}`)).items as {
    id: string;
    name: string;
    objectives: number;
  }[];
  const team = teams.find((t) => t.objectives > 0)!;
  const teamTree = await api(request, "GET", `/tree?periodId=${quarter.id}&teamId=${team.id}`);
  const teamKr = teamTree.roots[0].children.find((c: { type: string }) => c.type === "keyResult");
  const mine = await api(request, "POST", "/objectives", {
    title: "My part of the map (e2e)",
    level: "individual",
    periodId: quarter.id,
    ownerIds: [me.user.id],
  });
  await api(request, "POST", "/alignments", {
    childType: "objective",
    childId: mine.id,
    parentType: "keyResult",
    parentId: teamKr.id,
  });

  await signIn(page);
  await page.goto("/map");
  const map = page.getByTestId("alignment-map");
  const cluster = map.getByRole("group", { name: new RegExp(`^${team.name}: \\d+ objectives?`) });
  await expect(cluster).toBeVisible();
  // Readable: the cluster is drawn at a zoom where its text is legible (at least 0.5).
  const box = (await cluster.boundingBox())!;
  expect(box.width).toBeGreaterThanOrEqual(129.5);
  // The legend says what each colour means, in words.
  const legend = page.getByRole("list", { name: "What the colours mean" });
  for (const word of ["Not started", "On track", "Behind", "At risk", "Closed"]) {
    await expect(legend.getByText(word, { exact: true })).toBeVisible();
  }
  await expect(page.getByText("My part of the map (e2e)")).toHaveCount(0);
  const before = await map.locator(".okra-map-node").count();
  await cluster.click();
  await expect(
    map.getByRole("group", { name: new RegExp(`^${teamTree.roots[0].title.replace(/[()]/g, ".")}:`) }).first(),
  ).toBeVisible();
  expect(await map.locator(".okra-map-node").count()).toBeGreaterThan(before);
  await page.screenshot({ path: `${SHOTS}/map-cluster-open.png` });

  await cluster.click();
  await page.getByRole("button", { name: "Show me my part" }).click();
  // Other journeys may have given the admin objectives too: at least this one is highlighted.
  await expect(page.getByRole("status").filter({ hasText: /Your \d+ objectives? / })).toBeVisible();
  const mineNode = map.locator(".okra-map-node.is-mine");
  await expect(mineNode.filter({ hasText: "My part of the map (e2e)" })).toHaveCount(1);
  await expect(map.locator(".okra-map-node.is-chain").first()).toBeVisible();
  expect(await map.locator(".okra-map-node.is-dimmed").count()).toBeGreaterThan(0);
  await bothThemes(page, "map-my-part");
  await page.getByRole("button", { name: "Show everything" }).click();
  await expect(map.locator(".okra-map-node.is-dimmed")).toHaveCount(0);
});

test("the key-result chart spaces dates by time, from the span's first day to its last", async ({ page, request }) => {
  const objectives = (await api(request, "GET", "/objectives?limit=100")).items as {
    keyResults: { id: string; type: string; lastCheckInAt: string | null }[];
  }[];
  const kr = objectives
    .flatMap((o) => o.keyResults)
    .find((k) => ["increase", "decrease"].includes(k.type) && k.lastCheckInAt)!;
  await signIn(page);
  for (const width of [1400, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`/key-results/${kr.id}`);
    const chart = page.getByTestId("kr-chart");
    await expect(chart.locator(".recharts-line").first()).toBeVisible({ timeout: 15_000 });
    const DATE = /^([A-Z][a-z]{2,}\.? \d{1,2}|\d{1,2} [A-Z][a-z]{2,}\.?)(,? \d{4})?$/;
    const ticks = chart.locator(".recharts-cartesian-axis-tick-value").filter({ hasText: DATE });
    await expect(ticks.first()).toBeVisible();
    const labels = await ticks.allTextContents();
    const boxes = await Promise.all((await ticks.all()).map(async (t) => (await t.boundingBox())!));
    expect(labels.length).toBeGreaterThanOrEqual(2);
    // The x-axis labels sit on one line, left to right.
    for (const b of boxes) expect(Math.abs(b.y - boxes[0]!.y)).toBeLessThan(2);
    // Evenly spaced instants sit at evenly spaced positions: the axis is time, not categories.
    const centres = boxes.map((b) => b.x + b.width / 2);
    const gaps = centres.slice(1).map((c, i) => c - centres[i]!);
    for (const g of gaps) expect(Math.abs(g - gaps[0]!)).toBeLessThan(3);
    // No label overlaps the next.
    for (let i = 1; i < boxes.length; i++) expect(boxes[i]!.x).toBeGreaterThan(boxes[i - 1]!.x + boxes[i - 1]!.width);
    if (width === 390) expect(labels.length).toBeLessThanOrEqual(4);
    await page.screenshot({ path: `${SHOTS}/kr-chart-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1400, height: 900 });
  await bothThemes(page, "kr-chart");
});

test("an objective shows what makes up its percentage", async ({ page, request }) => {
  const objectives = (await api(request, "GET", "/objectives?level=organization&limit=10")).items as {
    id: string;
    progressOverride: number | null;
  }[];
  const o = objectives.find((x) => x.progressOverride === null)!;
  const b = await api(request, "GET", `/objectives/${o.id}/breakdown`);
  await signIn(page);
  await page.goto(`/objectives/${o.id}`);
  const card = page.getByRole("region", { name: /^What makes up \d+/ });
  await expect(card).toBeVisible();
  await expect(card.getByTestId("breakdown-item")).toHaveCount(b.items.length);
  const adds = (await card.getByTestId("breakdown-adds").allTextContents())
    .map((s) => /adds (\d+)/.exec(s)?.[1])
    .filter((s): s is string => !!s)
    .map(Number);
  const total = Number(/\d+/.exec((await card.getByTestId("breakdown-total").textContent()) ?? "")![0]);
  // Each part is rounded to a whole percent: the sum is within a point per part of the total.
  expect(Math.abs(adds.reduce((s, n) => s + n, 0) - total)).toBeLessThanOrEqual(adds.length);
  expect(card.getByText(/weight \d/).first()).toBeVisible();
  await expect(page.getByText(new RegExp(`^${total}\\s?%$`)).first()).toBeVisible();
  await page.setViewportSize({ width: 390, height: 900 });
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/breakdown-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });
  await bothThemes(page, "breakdown");
});
