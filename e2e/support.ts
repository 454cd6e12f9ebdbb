/** What every browser journey shares: the demo admin token, signing in with a token, the axe check and an API client. */
import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, expect, type Page } from "@playwright/test";

/** The bootstrap admin token the journeys' server is started with (playwright.config.ts). */
export const TOKEN = "okra_e2e_admin_token_0123456789";
export const SHOTS = "test-results/e2e/screens";

/** Signs in through "Use an API token instead" and waits for My OKRs. */
export async function signIn(page: Page, token = TOKEN) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Use an API token instead" }).click();
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in with the token" }).click();
  await expect(page.getByRole("heading", { name: "My OKRs", level: 2 })).toBeVisible();
}

/**
 * Lets the page come to rest: the pointer moved off every control and each finite CSS transition
 * or animation run to its end. A hover shade caught midway is neither the resting colour nor the
 * hover one, and axe would measure its contrast as if people read it.
 */
export async function settle(page: Page) {
  await page.mouse.move(0, 0);
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((a) => Number.isFinite(a.effect?.getComputedTiming().endTime ?? Number.POSITIVE_INFINITY))
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
}

/** No serious or critical axe violation on the page at rest, each listed with where it is. */
export async function noSeriousA11yViolations(page: Page) {
  await settle(page);
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map(
      (v) =>
        `${v.id}: ${v.help} — ${v.nodes
          .slice(0, 6)
          .map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n").at(-1) ?? ""}`)
          .join(" | ")}`,
    ),
  ).toEqual([]);
}

/** Calls the API as `as` (the demo's admin unless said) or a call's `token`, failing the test on anything but 2xx. */
export function client(request: APIRequestContext, as = TOKEN) {
  return async (method: string, url: string, data?: unknown, token = as) => {
    const res = await request.fetch(`/api/v1${url}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
      ...(data ? { data } : {}),
    });
    expect(res.status(), `${method} ${url}: ${await res.text()}`).toBeLessThan(300);
    return res.status() === 204 ? null : res.json();
  };
}
