/**
 * Links, the invite dialog and the demo's history, as an admin meets them: the security page's
 * SSO redirect URI and SCIM base URL on the one public address the server was started on; the
 * invite dialog saying what really happens on a server without mail; an objective's Activity
 * naming each seeded check-in's author at its own time. Screenshots go to SHOTS.
 */
import { expect, type Page, test } from "@playwright/test";
import { client, noSeriousA11yViolations, SHOTS, signIn } from "./support.js";

const PHONE = { width: 390, height: 844 };

async function openInvite(page: Page) {
  await page.getByRole("link", { name: "Teams and people" }).click();
  await page.getByRole("button", { name: "Invite a person" }).click();
  return page.getByRole("dialog", { name: "Invite a person" });
}

test("the SSO redirect URI and the SCIM base URL share the address the server was started on", async ({
  page,
  request,
}) => {
  const call = client(request);
  const settings = await call("GET", "/settings");
  // The journeys' server listens on HOST=127.0.0.1 without OKRA_PUBLIC_URL: links follow the listener.
  const origin = new URL(test.info().project.use.baseURL ?? "").origin;
  expect(settings.publicUrl).toBe(origin);
  await signIn(page);
  await page.getByRole("link", { name: "Sign-on and provisioning" }).click();
  const redirect = page.getByRole("textbox", { name: "Redirect URI" });
  const scim = page.getByRole("textbox", { name: "SCIM base URL" });
  await expect(redirect).toHaveValue(`${origin}/api/v1/auth/sso/callback`);
  await expect(scim).toHaveValue(`${origin}/scim/v2`);
  expect(new URL(await redirect.inputValue()).origin).toBe(new URL(await scim.inputValue()).origin);
  await page.screenshot({ path: `${SHOTS}/links-security.png` });
});

test("the invite dialog says the link is to pass on when the server sends no email", async ({ page, request }) => {
  expect((await client(request)("GET", "/settings")).mailConfigured).toBe(false);
  await signIn(page);
  const dialog = await openInvite(page);
  await expect(dialog.getByText(/^This server sends no email: once you invite them, you get a link/)).toBeVisible();
  await expect(dialog.getByText(/receive an email/)).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/links-invite-no-mail.png` });
  await noSeriousA11yViolations(page);

  await dialog.getByLabel("Name").fill("Noor Linkpass");
  await dialog.getByLabel("Email").fill("noor.linkpass@example.com");
  await dialog.getByRole("button", { name: "Invite" }).click();
  const link = dialog.getByTestId("invitation-link");
  await expect(link).toContainText(`${new URL(page.url()).origin}/accept-invitation#token=`);
  await page.screenshot({ path: `${SHOTS}/links-invite-link.png` });
  await dialog.getByRole("button", { name: "Done" }).click();

  // On a phone, on the same page (the menu is behind the burger there).
  await page.setViewportSize(PHONE);
  await page.getByRole("button", { name: "Invite a person" }).click();
  const onPhone = page.getByRole("dialog", { name: "Invite a person" });
  await expect(onPhone.getByText(/^This server sends no email/)).toBeVisible();
  // The modal's opening transition is over before the picture.
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${SHOTS}/links-invite-no-mail-phone.png` });
});

test("an objective's Activity names each seeded check-in's author at its own time", async ({ page, request }) => {
  const call = client(request);
  const me = (await call("GET", "/me")).user as { id: string; name: string };
  const users = (await call("GET", "/users?limit=200")).items as { id: string; name: string }[];
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  const objectives = (await call("GET", "/objectives?limit=200")).items as {
    id: string;
    title: string;
    state: string;
    keyResults: { id: string }[];
  }[];
  // An active objective whose latest history is a seeded check-in (other journeys may have
  // changed some objectives since the demo loaded; this one shows its seeded check-ins first).
  type Entry = { action: string; actorId: string | null; at: string };
  let found: { id: string; title: string; newest: Entry } | undefined;
  for (const o of objectives.filter((x) => x.state === "active" && x.keyResults.length)) {
    const history = (await call("GET", `/objectives/${o.id}/history?limit=500`)).items as Entry[];
    const checkIns = history.filter((e) => e.action === "checkIn.created");
    // No seeded check-in is recorded as the admin who loaded the demo.
    expect(checkIns.filter((e) => e.actorId === me.id)).toEqual([]);
    if (checkIns.length >= 3 && history[0]?.action === "checkIn.created") {
      found = { id: o.id, title: o.title, newest: history[0] };
      break;
    }
  }
  expect(found, "an objective with seeded check-ins").toBeDefined();
  await signIn(page);
  await page.goto(`/objectives/${found!.id}`);
  await expect(page.getByRole("heading", { name: found!.title, level: 2 })).toBeVisible();
  const activity = page.locator(".mantine-Card-root").filter({ has: page.getByRole("heading", { name: "Activity" }) });
  const newest = found!.newest;
  const when = await page.evaluate(
    (iso) => new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)),
    newest.at,
  );
  // "checked in: on <key result> · <author> · <when>"
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const line = (who: string, rest = "") => new RegExp(`^checked in(: on .+)? · ${literal(who)} · ${rest}`);
  await expect(activity.getByText(line(nameOf.get(newest.actorId ?? "") ?? "?", literal(when))).first()).toBeVisible();
  await expect(activity.getByText(line(me.name))).toHaveCount(0);
  await activity.getByRole("heading", { name: "Activity" }).evaluate((h) => h.scrollIntoView());
  await page.screenshot({ path: `${SHOTS}/links-demo-activity.png` });
  await page.setViewportSize(PHONE);
  await activity.getByRole("heading", { name: "Activity" }).evaluate((h) => h.scrollIntoView());
  await page.screenshot({ path: `${SHOTS}/links-demo-activity-phone.png` });
});
