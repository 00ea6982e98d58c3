/**
 * Accessibility in a real Chromium (issue 11 item 11): axe-core finds nothing
 * on any page of the demo fleet (signed out and signed in, before and after a
 * fix), a keyboard user can skip the navigation, charts add no unlabelled tab
 * stops, and a client-side navigation moves focus to the new page's heading
 * and announces it. The large fleet's pages are in accessibility-large.test.ts.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, launchChromium, reportProblems, startDashboard, twoUsersEnv, type Chromium, type RunningDashboard } from "./harness";
import { activityEntryPages, applyRolePatch, axeViolations, missingKinds, settle, signInWithPassword, sitePages, waitForFirstAudit } from "./site";

describe("accessibility of every page (demo fleet, axe-core)", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;
  let page: Page;
  const problems: string[] = [];
  let signInViolations: string[] = [];
  let overviewBeforeFix: string[] = [];
  let pages: string[] = [];

  beforeAll(async () => {
    await buildOnce();
    [dashboard, browser] = await Promise.all([startDashboard(await twoUsersEnv()), launchChromium()]);
    page = await browser.context.newPage();
    reportProblems(page, (problem) => problems.push(problem));
    await page.goto(`${dashboard.url}/sign-in`);
    signInViolations = await axeViolations(page);
    await signInWithPassword(page, dashboard.url);
    await waitForFirstAudit(page, dashboard.url);
    await settle(page);
    // One audit: the trend chart draws bars, not a line.
    overviewBeforeFix = await axeViolations(page);
    // The pages before the fix (its fix page is gone once the role is patched), then the activity entry it writes.
    pages = await sitePages(page, dashboard.url);
    await applyRolePatch(page, dashboard.url);
    pages.push(...(await activityEntryPages(page, dashboard.url)), "/sign-in");
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
  });

  it("finds nothing on the sign-in page, signed out", () => {
    expect(signInViolations).toEqual([]);
  });

  it("finds nothing on the overview of a single audit", () => {
    expect(overviewBeforeFix).toEqual([]);
  });

  it("finds nothing on any page after a fix (overview, findings, applications, checks, changes, activity and its entry, accounts, sessions, fix pages, 404)", async () => {
    // The walk reached every kind of page (so an empty result means something); /sign-in signed in sends to the overview.
    expect(missingKinds(pages)).toEqual([]);
    const found: Record<string, string[]> = {};
    for (const path of pages) {
      await page.goto(`${dashboard.url}${path}`);
      await settle(page);
      const violations = await axeViolations(page);
      if (violations.length) found[path] = violations;
    }
    expect(found).toEqual({});
    // The 404 answers 404; nothing else failed to load or threw.
    expect(problems.filter((p) => p !== "HTTP 404 /no-such-page")).toEqual([]);
  }, 600_000);

  it("offers a skip link first, which moves past the navigation to the page's content", async () => {
    await page.goto(`${dashboard.url}/findings`);
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => ({ text: document.activeElement?.textContent, href: document.activeElement?.getAttribute("href") }));
    expect(first).toEqual({ text: "Skip to main content", href: "#main" });
    expect(await page.locator(".skip-link").isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    // The next tab stop is inside the page's content, not the navigation.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => Boolean(document.activeElement?.closest("main")))).toBe(true);
  });

  it("gives every tab stop of the overview an accessible name, and the charts none but their 'Show the numbers'", async () => {
    await page.goto(`${dashboard.url}/`);
    await settle(page);
    const stops = await page.evaluate(() => {
      const focusable = [...document.querySelectorAll<HTMLElement>("a[href], button, input, select, textarea, summary, [tabindex]")].filter(
        (el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0,
      );
      return focusable.map((el) => ({
        tag: el.tagName.toLowerCase(),
        inChart: Boolean(el.closest("figure.chart")),
        // What a screen reader names it by: aria-label(ledby), its labels, its text, its title.
        name: [
          el.getAttribute("aria-label"),
          ...(el.getAttribute("aria-labelledby") ?? "").split(" ").map((id) => (id ? document.getElementById(id)?.textContent : null)),
          ...[...((el as HTMLInputElement).labels ?? [])].map((label) => label.textContent),
          el.textContent,
          el.getAttribute("title"),
        ]
          .map((text) => text?.trim() ?? "")
          .find((text) => text !== ""),
      }));
    });
    expect(stops.length).toBeGreaterThan(10);
    expect(stops.filter((s) => !s.name)).toEqual([]);
    const inCharts = stops.filter((s) => s.inChart);
    expect(inCharts.map((s) => `${s.tag}:${s.name}`)).toEqual(Array(3).fill("summary:Show the numbers"));
  });

  it("names each chart and puts its numbers in a table", async () => {
    await page.goto(`${dashboard.url}/`);
    await settle(page);
    const donut = page.getByRole("img", { name: /^Readiness of the fleet: \d+ applications?: Ready \d+, Not ready \d+/ });
    await donut.waitFor();
    const figure = page.locator("figure.chart", { hasText: "Readiness of the fleet" });
    await figure.getByText("Show the numbers").click();
    const rows = await figure.locator("details table tbody tr").allInnerTexts();
    expect(rows.map((r) => r.split("\t")[0])).toEqual(["Ready", "Not ready", "Unsupported", "Unknown"]);
    // The trend's table lists the audits and the role patch, in time order.
    const trend = page.locator("figure.chart", { hasText: "Readiness over time" });
    await trend.getByText("Show the numbers").click();
    const trendRows = await trend.locator("details table tbody tr th").allInnerTexts();
    expect(trendRows.some((r) => /^#\d+ role patch of EngineeringAssistantWebRole$/.test(r))).toBe(true);
    expect(trendRows.filter((r) => r.startsWith("Audit #")).length).toBeGreaterThanOrEqual(2);
  });

  it("moves focus to the new page's main heading after a client-side navigation, and announces the page", async () => {
    await page.goto(`${dashboard.url}/`);
    await settle(page);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Checks" }).click();
    await page.waitForURL(/\/checks$/);
    await page.waitForFunction(() => document.activeElement?.tagName === "H1");
    const focused = await page.evaluate(() => ({
      tag: document.activeElement?.tagName,
      inMain: Boolean(document.activeElement?.closest("main")),
      text: document.activeElement?.textContent,
    }));
    expect(focused.tag).toBe("H1");
    expect(focused.inMain).toBe(true);
    expect(await page.getByTestId("route-announcer").innerText()).toBe(`${focused.text} page`);
    // A link inside a page (an application from the overview) too.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByTestId("applications-table").locator("tbody a").first().click();
    await page.waitForURL(/\/applications\//);
    await page.waitForFunction(() => document.activeElement?.tagName === "H1");
    expect(await page.evaluate(() => document.activeElement?.closest("main")?.id)).toBe("main");
  });
});
