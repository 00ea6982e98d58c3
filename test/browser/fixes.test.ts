/**
 * The fixes in a real Chromium, against the server as `npm start` runs it on
 * the demo fleet (one-time link: an operator): each not-ready application
 * that has a fix is fixed from its page with that fix, is verified, shows
 * ready, and the activity log records it; the role patch is rolled back.
 * Each test fixes a different application, so none depends on another.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildOnce,
  DEMO_APPS,
  DEMO_STALE_UPLOADS,
  launchChromium,
  screenshot,
  signedInOnDemoFleet,
  startDashboard,
  twoUsersEnv,
  type Chromium,
  type RunningDashboard,
} from "./harness";

const HR_BENEFITS = DEMO_APPS.hrBenefits;
const HR_DATA_SOURCE = "36138ad1-4798-4616-84ce-ed51f9dd4e57";
const ENGINEERING = DEMO_APPS.engineering;
const TRAVEL_DESK = DEMO_APPS.travelDesk;
const STALE_UPLOADS = DEMO_STALE_UPLOADS;

describe("fixes in the browser (demo fleet)", () => {
  const demo = signedInOnDemoFleet("qbr-reupload-");
  const problems = demo.problems;
  let dashboard: RunningDashboard;
  let page: Page;
  let filesDir: string;
  beforeAll(() => {
    ({ dashboard, page, filesDir } = demo);
  });

  async function readinessOf(applicationPath: string): Promise<string> {
    await page.goto(`${dashboard.url}${applicationPath}`);
    return page.locator("h1 .badge").innerText();
  }

  /** From the application page, the fix link of its first finding that `action` fixes. */
  async function openFix(applicationPath: string, action: string): Promise<void> {
    await page.goto(`${dashboard.url}${applicationPath}`);
    await page.getByTestId("application-fixes").locator(`[data-action="${action}"]`).first().click();
    await page.waitForURL(/\/fix\//);
    await page.locator("main h1").waitFor();
  }

  it("fixes hr-benefits-assistant with a full sync: started, followed to its end, mode restored, verified ready", async () => {
    expect(await readinessOf(HR_BENEFITS)).toBe("Not ready");
    await openFix(HR_BENEFITS, "full-sync");
    expect(await page.getByTestId("current-sync-mode").innerText()).toContain("FULL_CRAWL");
    await screenshot(page, "fix-full-sync-plan");

    await page.getByTestId("apply-button").click();
    // The page's one state (from the activity log): in progress while the sync is followed, with no second apply offered.
    await page.locator('[data-testid="fix-state"][data-state="in-progress"]').waitFor();
    expect(await page.getByTestId("apply-button").count()).toBe(0);
    // The page polls the activity entry while the sync runs (5 s on the demo fleet), the mode is put back, then it loads again.
    await page.locator('[data-testid="fix-state"][data-state="verified-fixed"]').waitFor({ timeout: 90_000 });
    expect(await page.getByTestId("tracked-syncs").innerText()).toMatch(/Done\s+SUCCEEDED\s+yes, to incremental \(FULL_CRAWL\)/);
    await screenshot(page, "fix-full-sync-done");

    expect(await readinessOf(HR_BENEFITS)).toBe("Ready");
    await page.goto(`${dashboard.url}/activity?action=full-sync&resource=${HR_DATA_SOURCE}`);
    const row = page.getByTestId("activity-row").first();
    expect(await row.getAttribute("data-status")).toBe("succeeded");
    expect(await row.innerText()).toContain("user:local-operator");
    expect(problems).toEqual([]);
  }, 150_000);

  it("fixes engineering-assistant by patching its web role: the exact diff, applied, verified ready", async () => {
    // A rollback test may have run first; either way the role starts without the grant.
    expect(await readinessOf(ENGINEERING)).toBe("Not ready");
    await openFix(ENGINEERING, "patch-role-policy");
    const diff = await page.getByTestId("policy-diff").innerText();
    expect(diff).toContain("+");
    expect(diff).toContain("qbusiness:GetDocumentContent");
    await screenshot(page, "fix-role-patch-plan");

    await page.getByTestId("apply-button").click();
    await page.locator('[data-testid="fix-state"][data-state="verified-fixed"]').waitFor();
    expect(await page.getByTestId("last-run").getAttribute("data-status")).toBe("succeeded");
    expect(await page.getByTestId("verification").getAttribute("data-ok")).toBe("true");
    await screenshot(page, "fix-role-patch-done");

    expect(await readinessOf(ENGINEERING)).toBe("Ready");
    await page.goto(`${dashboard.url}/activity?action=patch-role-policy&resource=EngineeringAssistantWebRole`);
    expect(await page.getByTestId("activity-row").first().getAttribute("data-status")).toBe("succeeded");
    expect(problems).toEqual([]);
  }, 120_000);

  it("rolls back the role patch from the activity log: the role is as before and the application not ready again", async () => {
    await page.goto(`${dashboard.url}/activity?action=patch-role-policy&status=succeeded`);
    if ((await page.getByTestId("rollback-link").count()) === 0) {
      // Run alone: patch first, through the page, so there is something to roll back.
      await openFix(ENGINEERING, "patch-role-policy");
      await page.getByTestId("apply-button").click();
      await page.locator('[data-testid="fix-state"][data-state="verified-fixed"]').waitFor();
      await page.goto(`${dashboard.url}/activity?action=patch-role-policy&status=succeeded`);
    }
    await screenshot(page, "activity-log");
    await page.getByTestId("rollback-link").first().click();
    const plan = page.getByTestId("rollback-plan");
    await plan.waitFor();
    expect(await plan.innerText()).toContain("deletes the inline policy");
    await page.getByTestId("rollback-confirm").check();
    await page.getByTestId("rollback-button").click();
    await page.locator('[data-testid="outcome"][data-outcome="succeeded"]').waitFor();
    await page.getByTestId("rolled-back-by").waitFor();
    await page.getByTestId("rolled-back-note").waitFor();
    await screenshot(page, "activity-rolled-back");

    expect(await readinessOf(ENGINEERING)).toBe("Not ready");
    await page.goto(`${dashboard.url}/activity?action=patch-role-policy&resource=EngineeringAssistantWebRole`);
    expect(await page.getByTestId("activity-row").first().getAttribute("data-status")).toBe("rolled-back");
    await page.goto(`${dashboard.url}/activity?action=rollback`);
    expect(await page.getByTestId("activity-row").first().getAttribute("data-status")).toBe("succeeded");
    expect(problems).toEqual([]);
  }, 120_000);

  it("fixes acme-travel-desk by uploading its stale files again: matched by name, uploaded, verified ready", async () => {
    const chosen = [...STALE_UPLOADS, "holiday photo.jpg"].map((name) => {
      const file = path.join(filesDir, name);
      fs.writeFileSync(file, `A small stand-in for ${name}\n`);
      return file;
    });
    expect(await readinessOf(TRAVEL_DESK)).toBe("Not ready");
    // This time from the findings page: the failing finding's fix link.
    await page.goto(`${dashboard.url}/findings?check=uploaded-documents-stale`);
    await page.getByTestId("findings-table").getByTestId("finding-fix-link").first().click();
    await page.waitForURL(/\/fix\/reupload-files\?/);
    expect(await page.getByTestId("stale-documents").innerText()).toContain(STALE_UPLOADS[0]);

    // Choosing the files checks them at once: what matches, what does not.
    await page.getByTestId("reupload-files-input").setInputFiles(chosen);
    await page.getByTestId("matched-files").waitFor();
    expect(await page.getByTestId("matched-files").locator("tbody tr").count()).toBe(2);
    expect(await page.getByTestId("unmatched-files").innerText()).toContain("holiday photo.jpg");
    await screenshot(page, "fix-reupload-checked");

    await page.getByTestId("apply-button").click();
    await page.locator('[data-testid="fix-state"][data-state="verified-fixed"]').waitFor();
    expect(await page.getByTestId("verification").getAttribute("data-ok")).toBe("true");
    expect(await page.getByTestId("file-outcomes").locator('tr[data-outcome="uploaded"]').count()).toBe(2);
    await screenshot(page, "fix-reupload-done");

    expect(await readinessOf(TRAVEL_DESK)).toBe("Ready");
    await page.goto(`${dashboard.url}/activity?action=reupload-files`);
    expect(await page.getByTestId("activity-row").first().getAttribute("data-status")).toBe("succeeded");
    expect(problems).toEqual([]);
  }, 120_000);
});

describe("fixes for a viewer in the browser (demo fleet)", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;

  beforeAll(async () => {
    await buildOnce();
    const env = await twoUsersEnv();
    [dashboard, browser] = await Promise.all([startDashboard(env), launchChromium()]);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
  });

  it("shows a viewer the role patch plan with its diff, and apply disabled for operators only", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${dashboard.url}/sign-in`);
    await page.getByLabel("Username").fill("victor");
    await page.getByLabel("Password").fill("viewer pass");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("fleet-totals").waitFor({ timeout: 60_000 });

    await page.goto(`${dashboard.url}${ENGINEERING}`);
    await page.getByTestId("application-fixes").locator('[data-action="patch-role-policy"]').first().click();
    await page.getByTestId("policy-diff").waitFor();
    expect(await page.getByTestId("policy-diff").innerText()).toContain("qbusiness:GetDocumentContent");
    expect(await page.getByTestId("apply-button").isDisabled()).toBe(true);
    expect(await page.getByTestId("operators-only").innerText()).toContain("Operators only");
    await screenshot(page, "fix-role-patch-viewer");
    await page.close();
  }, 120_000);
});
