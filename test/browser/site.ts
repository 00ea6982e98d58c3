/**
 * Every page of the dashboard, for the whole-site browser tests (axe, layout):
 * signs in as the operator olivia (password, so the sign-in page can be seen
 * signed out first), lists every page a user can reach from the navigation,
 * the tables and the fix links, and applies one role patch through its page
 * so the activity log, an activity entry and the trend's fix marker exist.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "playwright-core";

/** engineering-assistant's web experience role lacks GetDocumentContent on the demo fleet: the patch is quick (no sync to follow). */
export const ENGINEERING = "/applications/111122223333/us-west-2/81991b78-fc23-4ac8-95c8-e2d56acc491f";

/** A page no route serves: the 404 inside the layout. */
export const MISSING_PAGE = "/no-such-page";

export async function signInWithPassword(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("Username").fill("olivia");
  await page.getByLabel("Password").fill("correct horse");
  await page.getByRole("button", { name: /sign in/i }).click();
  await page.waitForURL((url) => url.pathname !== "/sign-in");
}

/** The server audits the demo fleet (or QBR_FIXTURE) at start: wait until the overview shows it. */
export async function waitForFirstAudit(page: Page, baseUrl: string, timeoutMs = 120_000): Promise<void> {
  if (new URL(page.url()).pathname !== "/") await page.goto(`${baseUrl}/`);
  await page.getByTestId("fleet-totals").waitFor({ timeout: timeoutMs });
}

/** Patches engineering-assistant's role from its fix page; resolves with the activity entry's path. */
export async function applyRolePatch(page: Page, baseUrl: string): Promise<string> {
  await page.goto(`${baseUrl}${ENGINEERING}`);
  await page.getByTestId("application-fixes").locator('[data-action="patch-role-policy"]').first().click();
  await page.waitForURL(/\/fix\//);
  await page.getByTestId("apply-button").click();
  // The page's state after the apply: verified fixed (the fix page's one state; older pages said it in the outcome).
  await page
    .locator('[data-testid="fix-state"][data-state="verified-fixed"], [data-testid="outcome"][data-outcome="succeeded"]')
    .first()
    .waitFor({ timeout: 60_000 });
  await page.goto(`${baseUrl}/activity?action=patch-role-policy`);
  return pathOf(
    await page
      .getByTestId("activity-row")
      .first()
      .getByRole("link", { name: /^#\d+$/ })
      .getAttribute("href"),
  );
}

function pathOf(href: string | null): string {
  if (!href) throw new Error("a link without an href");
  const url = new URL(href, "http://x");
  return url.pathname + url.search;
}

async function hrefs(page: Page, selector: string): Promise<string[]> {
  return (await page.locator(selector).evaluateAll((links) => links.map((a) => a.getAttribute("href")))).map(pathOf);
}

/** Where a link ends up (the finding fix links redirect to their fix page). */
async function landing(page: Page, baseUrl: string, path: string): Promise<string> {
  await page.goto(`${baseUrl}${path}`);
  const url = new URL(page.url());
  return url.pathname + url.search;
}

/**
 * Every page a signed-in operator reaches: the navigation's (and the header's)
 * pages, each application page, each fix page of the findings and the
 * applications' bulk full syncs, the activity entries listed, and the 404.
 */
export async function sitePages(page: Page, baseUrl: string): Promise<string[]> {
  await page.goto(`${baseUrl}/`);
  // The header's and banners' links: every page of the navigation, Sessions and Connection among them.
  const pages = new Set<string>(await hrefs(page, "a[href^='/']:not(main a)"));
  for (const app of await hrefs(page, "[data-testid=applications-table] tbody a[href^='/applications/']")) pages.add(app);
  pages.add("/findings?status=all");
  await page.goto(`${baseUrl}/findings?status=all`);
  const fixLinks = new Set(await hrefs(page, "[data-testid=finding-fix-link]"));
  for (const app of [...pages].filter((p) => p.startsWith("/applications/"))) {
    await page.goto(`${baseUrl}${app}`);
    for (const bulk of await hrefs(page, "[data-testid=bulk-full-sync-link]")) fixLinks.add(bulk);
  }
  for (const link of fixLinks) pages.add(await landing(page, baseUrl, link));
  for (const entry of await activityEntryPages(page, baseUrl)) pages.add(entry);
  pages.add(MISSING_PAGE);
  return [...pages].sort();
}

/** The activity log's entries (their own pages). */
export async function activityEntryPages(page: Page, baseUrl: string): Promise<string[]> {
  await page.goto(`${baseUrl}/activity`);
  return hrefs(page, "[data-testid=activity-row] td:first-child a");
}

/** The kinds of page the walk must have reached, so that "no violation on any page" covers them all. */
export const PAGE_KINDS = [
  "/",
  "/findings",
  "/applications/",
  "/checks",
  "/changes",
  "/activity",
  "/activity/",
  "/accounts",
  "/sessions",
  "/fix/full-sync",
  "/fix/patch-role-policy",
  "/fix/reupload-files",
  "/sign-in",
  MISSING_PAGE,
];

/** The kinds of PAGE_KINDS none of `pages` is (a prefix ending in "/" matches pages under it). */
export function missingKinds(pages: string[]): string[] {
  return PAGE_KINDS.filter((kind) => !pages.some((p) => (kind.length > 1 && kind.endsWith("/") ? p.startsWith(kind) : p === kind || p.startsWith(`${kind}?`))));
}

/** One line per axe violation on the page: rule, impact, how many elements, and the first few of them. */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations.map(
    (v) =>
      `${v.id} (${v.impact}) ×${v.nodes.length}: ${v.help}: ${v.nodes
        .slice(0, 3)
        .map((n) => `${n.target.join(" ")} ${n.failureSummary?.split("\n")[1]?.trim() ?? ""}`)
        .join(" | ")}`,
  );
}

/** How far the page scrolls sideways (0: it fits the window). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

/** After a goto: the charts are drawn once the page hydrated, so wait for them (a page without charts has none to wait for). */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  const charts = await page.locator("figure.chart").count();
  if (charts > 0) await page.locator("figure.chart .chart-body:not(.chart-skeleton)").first().waitFor();
}
