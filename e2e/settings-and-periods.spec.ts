/**
 * The settings page's bad input and the periods page's Delete. A number typed wrong on the
 * settings page is kept as typed and refused at its field with what is allowed; Save takes the
 * person to the first field to fix and says the settings were not saved; nothing is stored or
 * clamped. On the periods page Delete is disabled, with the reason, for a period that still holds
 * objectives or periods, and enabled for an empty one; members are offered no Delete at all.
 */
import { expect, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

const RUN = Date.now().toString(36);

const field = (page: Page, label: RegExp) => page.getByRole("textbox", { name: label });

test("settings: bad numbers are kept as typed, refused at their fields, and nothing is saved", async ({ page }) => {
  const call = client(page.request);
  const before = await call("GET", "/settings");
  await signIn(page);
  await page.goto("/settings");
  const cadence = field(page, /Check-in cadence in days/);
  const hour = field(page, /Reminders from \(hour\)/);
  await expect(cadence).toHaveValue(String(before.cadenceDays));

  await cadence.fill("-3");
  await hour.fill("abc");
  await cadence.blur();
  // Nothing is clamped or dropped on the way.
  await expect(cadence).toHaveValue("-3");
  await expect(hour).toHaveValue("abc");

  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Check-in cadence must be a whole number from 1 to 92, not -3.")).toBeVisible();
  await expect(
    page.getByText('Reminder hour must be a whole number from 0 to 23; "abc" is not a number.'),
  ).toBeVisible();
  // The first field to fix is selected and in view; a notice says the settings were not saved and why.
  await expect(cadence).toBeFocused();
  await expect(cadence).toBeInViewport();
  await expect(cadence).toHaveAttribute("aria-invalid", "true");
  const notice = page.locator(".mantine-Notification-root").filter({ hasText: "The settings were not saved" });
  await expect(notice).toContainText("2 fields need fixing (Check-in cadence, Reminder hour)");
  await expect(page.getByRole("alert", { name: "The settings were not saved" })).toContainText("2 fields need fixing");
  await page.screenshot({ path: `${SHOTS}/settings-bad-numbers.png` });
  await page.screenshot({ path: `${SHOTS}/settings-bad-numbers-full.png`, fullPage: true });
  expect(await call("GET", "/settings")).toMatchObject({
    cadenceDays: before.cadenceDays,
    reminderHour: before.reminderHour,
    version: before.version,
  });

  // Out of range is refused as typed, never turned into the nearest allowed value.
  await cadence.fill("7");
  await hour.fill("30");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Reminder hour must be a whole number from 0 to 23, not 30.")).toBeVisible();
  await expect(hour).toHaveValue("30");
  await expect(hour).toBeFocused();
  await expect(page.getByRole("alert", { name: "The settings were not saved" })).toContainText(
    "Reminder hour needs fixing",
  );
  expect((await call("GET", "/settings")).reminderHour).toBe(before.reminderHour);
  await noSeriousA11yViolations(page);

  // Right values are saved exactly as typed.
  await hour.fill("23");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByText("Settings saved")).toBeVisible();
  await expect(page.getByRole("alert", { name: "The settings were not saved" })).toHaveCount(0);
  expect(await call("GET", "/settings")).toMatchObject({ cadenceDays: 7, reminderHour: 23 });
  await call("PATCH", "/settings", { cadenceDays: before.cadenceDays, reminderHour: before.reminderHour });
});

test("settings on a phone: the field to fix is brought into view with its message", async ({ page }) => {
  const call = client(page.request);
  const before = await call("GET", "/settings");
  await signIn(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/settings");
  const escalate = field(page, /Tell the manager after/);
  await escalate.fill("eleven");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(escalate).toBeFocused();
  await expect(escalate).toBeInViewport();
  await expect(
    page.getByText(
      'Missed reminders before the manager hears must be a whole number from 0 to 10; "eleven" is not a number.',
    ),
  ).toBeInViewport();
  await page.screenshot({ path: `${SHOTS}/settings-bad-numbers-390.png` });
  expect((await call("GET", "/settings")).escalateAfterMissed).toBe(before.escalateAfterMissed);
});

test("periods: Delete is disabled with the reason while a period holds objectives or periods, and works on an empty one", async ({
  page,
}) => {
  const call = client(page.request);
  const periods = (await call("GET", "/periods?limit=500")).items as {
    id: string;
    name: string;
    parentId: string | null;
  }[];
  const counts = await Promise.all(
    periods.map(async (p) => ({ ...p, count: (await call("GET", `/objectives/count?periodId=${p.id}`)).count })),
  );
  const busy = counts.find((p) => p.count > 1);
  expect(busy, "the demo has a period with objectives").toBeTruthy();
  const parent = counts.find((p) => p.count === 0 && periods.some((c) => c.parentId === p.id));
  const empty = await call("POST", "/periods", {
    name: `Empty sprint ${RUN}`,
    kind: "custom",
    startDate: "2031-01-05",
    endDate: "2031-01-18",
  });

  await signIn(page);
  await page.goto("/periods");
  const deleteOf = (name: string) => page.getByRole("button", { name: `Delete ${name}`, exact: true });
  const busyDelete = deleteOf(busy?.name ?? "");
  await expect(busyDelete).toHaveAttribute("aria-disabled", "true");
  const reason = `${busy?.name} holds ${busy?.count} objectives, so it cannot be deleted: move them to another period or delete them first.`;
  await expect(busyDelete).toHaveAccessibleDescription(reason);
  await busyDelete.hover();
  await expect(page.getByRole("tooltip")).toHaveText(reason);
  await page.screenshot({ path: `${SHOTS}/periods-delete-held.png` });
  // A click on it asks nothing.
  await busyDelete.click({ force: true });
  await expect(page.getByRole("dialog")).toHaveCount(0);

  if (parent) {
    const parentDelete = deleteOf(parent.name);
    await expect(parentDelete).toHaveAttribute("aria-disabled", "true");
    await expect(parentDelete).toHaveAccessibleDescription(
      /holds the periods .+, so it cannot be deleted: delete them first/,
    );
  }

  const emptyDelete = deleteOf(empty.name);
  await expect(emptyDelete).not.toHaveAttribute("aria-disabled");
  await emptyDelete.click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete the period" }).click();
  await expect(page.getByText(`Period ${empty.name} deleted.`)).toBeVisible();
  await expect(deleteOf(empty.name)).toHaveCount(0);
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await noSeriousA11yViolations(page);

  // On a phone, reached from the keyboard, the reason shows too.
  await page.setViewportSize({ width: 390, height: 844 });
  await busyDelete.scrollIntoViewIfNeeded();
  await page.getByRole("button", { name: `Change ${busy?.name}`, exact: true }).focus();
  await page.keyboard.press("Tab");
  await expect(busyDelete).toBeFocused();
  await expect(page.getByRole("tooltip")).toHaveText(reason);
  await page.screenshot({ path: `${SHOTS}/periods-delete-held-390.png` });
});

test("periods: a member is offered no Delete", async ({ page }) => {
  const call = client(page.request);
  const member = await call("POST", "/users", {
    name: "Mo Member",
    email: `mo${RUN}@demo.example`,
    role: "member",
    invite: false,
  });
  const memberToken = (await call("POST", `/users/${member.id}/tokens`, { name: "e2e" })).token as string;
  await signIn(page, memberToken);
  await page.goto("/periods");
  await expect(page.getByText("Only the organisation's owners and admins change periods.")).toBeVisible();
  await expect(page.getByRole("row").nth(1)).toBeVisible();
  await expect(page.getByRole("button", { name: /^Delete / })).toHaveCount(0);
  // The page asks for no counts it would not use.
  const counted: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/objectives/count")) counted.push(r.url());
  });
  await page.reload();
  await expect(page.getByRole("row").nth(1)).toBeVisible();
  expect(counted).toEqual([]);
});
