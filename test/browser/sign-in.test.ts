/**
 * Signing in, in a real Chromium: what an admin does with the link the server
 * printed, and what the page then shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { buildOnce, launchChromium, reportProblems, screenshot, startDashboard, twoUsersEnv, type Chromium, type RunningDashboard } from "./harness";

describe("sign-in in the browser (local demo, no users configured)", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;

  beforeAll(async () => {
    await buildOnce();
    [dashboard, browser] = await Promise.all([startDashboard(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
  });

  /** A fresh page with no cookies, collecting script errors and CSP violations. */
  async function freshPage(): Promise<{ page: Page; problems: string[] }> {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    const problems: string[] = [];
    reportProblems(page, (problem) => problems.push(problem));
    return { page, problems };
  }

  it("sends a signed-out browser to the sign-in page, which explains the one-time link", async () => {
    const { page } = await freshPage();
    await page.goto(`${dashboard.url}/findings`);
    expect(new URL(page.url()).pathname).toBe("/sign-in");
    expect(new URL(page.url()).searchParams.get("redirectTo")).toBe("/findings");
    await expect(page.getByRole("heading", { name: "Sign in" }).isVisible()).resolves.toBe(true);
    expect(await page.locator("main").innerText()).toContain("one-time link");
    await page.close();
  });

  it("signs in an operator with the printed one-time link, shows the demo banner, and signs out again", async () => {
    const { page, problems } = await freshPage();
    await page.goto(dashboard.signInUrl!);
    expect(new URL(page.url()).pathname).toBe("/");

    const banner = page.getByTestId("demo-banner");
    await banner.waitFor();
    expect(await banner.innerText()).toMatch(/Demo fleet on the local AWS: demo-fleet\.json/);
    expect(await page.getByTestId("signed-in-user").innerText()).toMatch(/local-operator\s*\(operator\)/);
    // Hydrated under the CSP: the sign-out form is handled by Remix (no reload), no errors, no blocked scripts.
    await page.waitForFunction(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter !== undefined);
    await screenshot(page, "sign-in-signed-in-overview");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/sign-in");
    // The URL changes as the navigation commits, before the page re-renders: wait for the user's name to go.
    await page.getByTestId("signed-in-user").waitFor({ state: "detached", timeout: 10_000 });
    expect(await page.getByTestId("signed-in-user").count()).toBe(0);

    // The link was spent by the first visit.
    await page.goto(dashboard.signInUrl!);
    expect(await page.getByRole("alert").innerText()).toMatch(/already been used/);
    await screenshot(page, "sign-in-link-spent");
    expect(problems).toEqual(["HTTP 403 /sign-in"]);
    await page.close();
  });
});

describe("password sign-in in the browser (users configured)", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;

  beforeAll(async () => {
    await buildOnce();
    const env = await twoUsersEnv();
    [dashboard, browser] = await Promise.all([startDashboard(env), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
  });

  it("says 'Wrong username or password' for a wrong password, then signs in a viewer with the right one", async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${dashboard.url}/checks`);
    // Wait for hydration, so the form is submitted by Remix's fetch path, as an admin's browser would.
    await page.waitForFunction(() => (window as unknown as { __remixRouter?: unknown }).__remixRouter !== undefined);

    const sessionCookie = async () => (await browser.context.cookies()).find((c) => c.name === "qbr_session")?.value;
    const anonymousSession = await sessionCookie();
    expect(anonymousSession).toBeDefined();
    await page.getByLabel("Username").fill("victor");
    await page.getByLabel("Password").fill("not it");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").innerText()).toBe("Wrong username or password");
    expect(await sessionCookie()).toBe(anonymousSession);
    expect(await page.getByTestId("signed-in-user").count()).toBe(0);
    await screenshot(page, "sign-in-wrong-password");

    await page.getByLabel("Password").fill("viewer pass");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/checks");
    expect(await page.getByTestId("signed-in-user").innerText()).toMatch(/victor\s*\(viewer\)/);
    await page.close();
  });
});
