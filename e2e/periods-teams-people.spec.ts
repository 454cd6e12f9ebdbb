/**
 * Periods, teams and people. A period's name already used (whatever its case) and a sub-period
 * running past its parent are refused at their fields; a team's name already used beside it too.
 * A closed period offers "Review or reopen", not "Review and close". An admin edits a person's
 * name and manager; an owner's email is shown disabled with the reason. While the lists load,
 * Teams and people shows no "(0)" counts and the header's period picker says it is loading.
 */
import { expect, type Page, test } from "@playwright/test";
import { client, SHOTS, signIn } from "./support.js";

const RUN = Date.now().toString(36);

type Person = { id: string; name: string; email: string; role: string; active: boolean; managerId: string | null };

async function people(call: ReturnType<typeof client>): Promise<Person[]> {
  return (await call("GET", "/users?limit=200")).items;
}

const dialog = (page: Page) => page.getByRole("dialog");

test("periods: a taken name and a sub-period past its parent are refused at their fields", async ({ page }) => {
  const call = client(page.request);
  const parent = await call("POST", "/periods", {
    name: `Season ${RUN}`,
    kind: "custom",
    startDate: "2031-01-01",
    endDate: "2031-03-31",
  });
  await signIn(page);
  await page.goto("/periods");
  await page.getByRole("button", { name: "New custom period" }).click();
  const d = dialog(page);
  await d.getByRole("textbox", { name: "Name" }).fill(`  season ${RUN.toUpperCase()} `);
  await d.getByLabel("Starts on").fill("2031-02-01");
  await d.getByLabel("Ends on").fill("2031-02-28");
  await d.getByRole("button", { name: "Create the period" }).click();
  const name = d.getByRole("textbox", { name: "Name" });
  await expect(name).toHaveAttribute("aria-invalid", "true");
  await expect(
    d.getByText(`a period named "Season ${RUN}" (2031-01-01 to 2031-03-31) already exists`).first(),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/ptp-period-name-taken.png` });

  // A sub-period that runs past its parent: refused at "Ends on", naming the parent's dates.
  await name.fill(`Late ${RUN}`);
  await d.getByLabel("Ends on").fill("2031-04-15");
  await d.getByRole("combobox", { name: "Part of" }).click();
  await page.getByRole("option", { name: `Season ${RUN}` }).click();
  await d.getByRole("button", { name: "Create the period" }).click();
  await expect(d.getByLabel("Ends on")).toHaveAttribute("aria-invalid", "true");
  await expect(
    d.getByText(`a sub-period must lie within its parent "Season ${RUN}" (2031-01-01 to 2031-03-31)`).first(),
  ).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/ptp-period-outside-parent.png` });
  await d.getByLabel("Ends on").fill("2031-03-15");
  await d.getByRole("button", { name: "Create the period" }).click();
  await expect(d).toBeHidden();
  const created = (await call("GET", "/periods?limit=200")).items.find(
    (p: { name: string }) => p.name === `Late ${RUN}`,
  );
  expect(created.parentId).toBe(parent.id);
});

test("periods: a closed period offers Review or reopen, an open one Review and close", async ({ page }) => {
  const call = client(page.request);
  const all = (await call("GET", "/periods?limit=200")).items as { name: string; closedAt: string | null }[];
  const closed = all.find((p) => p.closedAt);
  const open = all.find((p) => !p.closedAt);
  test.skip(!closed || !open, "the demo has a closed and an open period");
  await signIn(page);
  await page.goto("/periods");
  await expect(page.getByRole("link", { name: `Review or reopen ${closed!.name}` })).toBeVisible();
  await expect(page.getByRole("link", { name: `Review and close ${closed!.name}` })).toHaveCount(0);
  await expect(page.getByRole("link", { name: `Review and close ${open!.name}` })).toBeVisible();
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.screenshot({ path: `${SHOTS}/ptp-periods-review.png`, fullPage: true });
});

test("teams: a name already used beside it is refused at the field", async ({ page }) => {
  const call = client(page.request);
  await call("POST", "/teams", { name: `Guild ${RUN}` });
  await signIn(page);
  await page.goto("/people");
  await page.getByRole("button", { name: "New team" }).click();
  const d = dialog(page);
  await d.getByRole("textbox", { name: "Team name" }).fill(`guild ${RUN}`);
  await d.getByRole("button", { name: "Create team" }).click();
  await expect(d.getByRole("textbox", { name: "Team name" })).toHaveAttribute("aria-invalid", "true");
  await expect(d.getByText(`a team named "Guild ${RUN}" already exists at the top level`)).toBeInViewport();
  await expect(d.getByRole("textbox", { name: "Team name" })).toBeFocused();
  await page.screenshot({ path: `${SHOTS}/ptp-team-name-taken.png` });
});

for (const width of [1400, 390]) {
  test(`people: an admin edits a person's name and manager; an owner's email is disabled with the reason (${width})`, async ({
    page,
  }) => {
    await page.setViewportSize({ width, height: 900 });
    const call = client(page.request);
    const everyone = await people(call);
    const admin = everyone.find((u) => u.role === "admin" && u.active)!;
    const owner = everyone.find((u) => u.role === "owner" && u.active && u.id !== admin.id)!;
    const member = await call("POST", "/users", {
      name: `Pat ${RUN}${width}`,
      email: `pat-${RUN}-${width}@example.com`,
      invite: false,
    });
    const adminToken = (await call("POST", `/users/${admin.id}/tokens`, { name: `e2e ${RUN}` })).token as string;
    await signIn(page, adminToken);
    await page.goto("/people");
    await page.getByLabel("Find a person (name or email)").fill(`Pat ${RUN}${width}`);
    await page.getByRole("button", { name: `Actions for Pat ${RUN}${width}` }).click();
    await page.getByRole("menuitem", { name: "Edit details" }).click();
    const d = dialog(page);
    await expect(d.getByRole("heading", { name: `Details of Pat ${RUN}${width}` })).toBeVisible();
    await d.getByRole("textbox", { name: "Name" }).fill(`Patricia ${RUN}${width}`);
    await d.getByRole("combobox", { name: "Manager" }).fill(owner.name.split(" ")[0]!);
    await page.getByRole("option", { name: owner.name }).click();
    await page.screenshot({ path: `${SHOTS}/ptp-person-edit-${width}.png` });
    await d.getByRole("button", { name: "Save details" }).click();
    await expect(d).toBeHidden();
    const after = await call("GET", `/users/${member.id}`);
    expect(after).toMatchObject({ name: `Patricia ${RUN}${width}`, managerId: owner.id, email: member.email });

    // An owner: the name and manager stay editable (the API lets admins change them), the email does not.
    await page.getByLabel("Find a person (name or email)").fill(owner.email);
    await page.getByRole("button", { name: `Actions for ${owner.name}` }).click();
    await expect(page.getByRole("menuitem", { name: "Change role" })).toHaveCount(0);
    await page.getByRole("menuitem", { name: "Edit details" }).click();
    await expect(d.getByRole("textbox", { name: "Email" })).toBeDisabled();
    await expect(
      d.getByText(/You can change the email or sign-in identity only of people with less access/),
    ).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/ptp-person-edit-owner-${width}.png` });
  });
}

test("teams and people: while loading, no zero counts and the period picker says it is loading", async ({ page }) => {
  await signIn(page);
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  await page.route(/\/api\/v1\/(teams|users|periods)(\?|$)/, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto("/people");
  await expect(page.getByRole("heading", { name: "Teams", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "People", exact: true })).toBeVisible();
  await expect(page.getByText(/\(0\)/)).toHaveCount(0);
  await expect(page.getByRole("combobox", { name: "Period" })).toHaveAttribute("placeholder", "Loading…");
  await page.screenshot({ path: `${SHOTS}/ptp-people-loading.png` });
  release();
  await expect(page.getByRole("heading", { name: /^Teams \(\d+\+?\)$/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: /^People \(\d+\+?\)$/ })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/ptp-people-loaded.png` });
});

test("people: a search typed before the settings arrive is kept when they do", async ({ page }) => {
  // The organisation's words set, as the default ones (what the settings journey leaves behind).
  await client(page.request)("PATCH", "/settings", {
    terminology: { objective: "Objective", keyResult: "Key result", initiative: "Initiative" },
  });
  await signIn(page);
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  await page.route(/\/api\/v1\/settings(\?|$)/, async (route) => {
    await held;
    await route.continue();
  });
  const settingsAnswered = page.waitForResponse(/\/api\/v1\/settings(\?|$)/);
  await page.goto("/people");
  const search = page.getByLabel("Find a person (name or email)");
  await search.fill("Zara");
  release();
  await settingsAnswered;
  await expect(page.getByRole("heading", { name: /^People \(\d+\+?\)$/ })).toBeVisible();
  await expect(search).toHaveValue("Zara");
  await expect(page.getByRole("link", { name: "Zara Ahmed" }).first()).toBeVisible();
});
