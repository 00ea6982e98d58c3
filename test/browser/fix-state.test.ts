/**
 * A fix page shows one true state, and keeps it after a refresh (issue 11
 * item 1); every finding that names a resource has a way forward (item 6);
 * one link per fix (item 7). In Chromium against the server as `npm start`
 * runs it on the demo fleet (one-time link: an operator). Each test fixes a
 * different application, so none depends on another.
 */
import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_ACCOUNT, DEMO_APPS, DEMO_STALE_UPLOADS, screenshot, signedInOnDemoFleet, type RunningDashboard } from "./harness";

const ACCOUNT = DEMO_ACCOUNT;
const HR_BENEFITS = DEMO_APPS.hrBenefits;
const IT_HELPDESK = `/applications/${ACCOUNT}/us-west-2/52b8ec90-1a75-49c5-bccb-3e350fe7f587`;
const ENGINEERING = DEMO_APPS.engineering;
const TRAVEL_DESK = DEMO_APPS.travelDesk;
const EU_COMPLIANCE = `/applications/${ACCOUNT}/eu-west-1/68e98431-3b07-4c4d-a2cd-b747160de5d2`;
const SANDBOX_DATA_PLATFORM = "/applications/444455556666/us-east-1/ec88baf0-eb76-4a5a-af2e-22c7fbe5f1c5";
const STALE_UPLOADS = DEMO_STALE_UPLOADS;

describe("fix pages: one state, kept after a refresh (demo fleet)", () => {
  const demo = signedInOnDemoFleet("qbr-fix-state-");
  const problems = demo.problems;
  let dashboard: RunningDashboard;
  let page: Page;
  let filesDir: string;
  beforeAll(() => {
    ({ dashboard, page, filesDir } = demo);
  });

  /** The fix page's state and what could contradict it: badges, apply buttons, "running" notes. */
  async function shownState() {
    await page.getByTestId("fix-state").waitFor();
    return {
      state: await page.getByTestId("fix-state").getAttribute("data-state"),
      headline: await page.getByTestId("fix-state-headline").innerText(),
      applyButtons: await page.getByTestId("apply-button").count(),
      readyBadges: await page.getByText("Ready to apply").count(),
      verifiedBadges: await page.getByText("Verified fixed", { exact: true }).count(),
      blocked: await page.getByTestId("apply-blocked").count(),
      lastRun: (await page.getByTestId("last-run").count()) > 0 ? await page.getByTestId("last-run").getAttribute("data-activity") : null,
    };
  }

  async function openFix(applicationPath: string, action: string): Promise<void> {
    await page.goto(`${dashboard.url}${applicationPath}`);
    const links = page.getByTestId("application-fixes").locator(`[data-action="${action}"]`);
    expect(await links.count()).toBe(1);
    await links.click();
    // The plan is made while the page loads (AWS reads): on a loaded machine that takes a while.
    await page.waitForURL(/\/fix\//, { timeout: 60_000 });
  }

  it("full sync of hr-benefits-assistant: in progress, then verified fixed with the mode put back; a refresh shows the same", async () => {
    await openFix(HR_BENEFITS, "full-sync");
    expect(await shownState()).toMatchObject({ state: "ready", applyButtons: 1 });
    await page.getByTestId("apply-button").click();
    await page.locator('[data-testid="fix-state"][data-state="in-progress"]').waitFor();
    expect(await page.getByTestId("apply-button").count()).toBe(0);
    // The poller loads the page again when the sync has ended: state and card agree without a manual refresh.
    await page.locator('[data-testid="fix-state"][data-state="verified-fixed"]').waitFor({ timeout: 90_000 });
    const after = await shownState();
    expect(after).toMatchObject({ state: "verified-fixed", headline: "Verified fixed", applyButtons: 0, readyBadges: 0, blocked: 0 });
    expect(await page.getByTestId("current-sync-mode").innerText()).not.toContain("FORCED_FULL_CRAWL");
    expect(await page.getByTestId("running-sync").innerText()).toBe("None");
    // The card below says what is, not what an apply would do.
    expect(await page.getByText("Apply switches").count()).toBe(0);
    await screenshot(page, "fix-state-full-sync-done");

    await page.reload();
    expect(await shownState()).toEqual(after);
    expect(await page.getByTestId("tracked-syncs").innerText()).toMatch(/Done\s+SUCCEEDED\s+yes, to incremental \(FULL_CRAWL\)/);
    expect(problems).toEqual([]);
  }, 150_000);

  it("re-upload of acme-travel-desk: one file gives partly fixed with the rest offered, both give verified fixed; each survives a refresh", async () => {
    const files = STALE_UPLOADS.map((name) => {
      const file = path.join(filesDir, name);
      fs.writeFileSync(file, `A small stand-in for ${name}\n`);
      return file;
    });
    await openFix(TRAVEL_DESK, "reupload-files");
    await page.getByTestId("reupload-files-input").setInputFiles(files[0]);
    await page.getByTestId("matched-files").waitFor();
    await page.getByTestId("apply-button").click();
    await page.locator('[data-testid="fix-state"][data-state="partly-fixed"]').waitFor();
    const partly = await shownState();
    expect(partly).toMatchObject({ headline: "Partly fixed", verifiedBadges: 0 });
    expect(await page.getByTestId("still-wrong").innerText()).toContain("Uploaded files");
    expect(await page.getByTestId("stale-documents").innerText()).toContain(STALE_UPLOADS[1]);
    expect(await page.getByTestId("stale-documents").innerText()).not.toContain(STALE_UPLOADS[0]);
    expect(await page.getByRole("heading", { name: "Upload the rest again" }).count()).toBe(1);
    await screenshot(page, "fix-state-reupload-partly");
    await page.reload();
    expect(await shownState()).toEqual(partly);

    await page.getByTestId("reupload-files-input").setInputFiles(files[1]);
    await page.getByTestId("matched-files").waitFor();
    await page.getByTestId("apply-button").click();
    await page.locator('[data-testid="fix-state"][data-state="verified-fixed"]').waitFor();
    const fixed = await shownState();
    expect(fixed).toMatchObject({ applyButtons: 0, readyBadges: 0 });
    expect(fixed.lastRun).not.toBe(partly.lastRun);
    expect(await page.getByTestId("reupload-form").count()).toBe(0);
    await page.reload();
    expect(await shownState()).toEqual(fixed);
    expect(await page.getByTestId("file-outcomes").locator('tr[data-outcome="uploaded"]').count()).toBe(1);
    expect(problems).toEqual([]);
  }, 150_000);

  it("role patch of engineering-assistant: verified fixed, nothing offered again; a refresh shows the same", async () => {
    await openFix(ENGINEERING, "patch-role-policy");
    expect(await shownState()).toMatchObject({ state: "ready", applyButtons: 1 });
    await page.getByTestId("apply-button").click();
    await page.locator('[data-testid="fix-state"][data-state="verified-fixed"]').waitFor();
    const fixed = await shownState();
    expect(fixed).toMatchObject({ applyButtons: 0, readyBadges: 0 });
    expect(await page.getByRole("heading", { name: "The role now" }).count()).toBe(1);
    await page.reload();
    expect(await shownState()).toEqual(fixed);
    expect(problems).toEqual([]);
  }, 120_000);

  it("offers one link per resource, and a short bulk link only for several data sources", async () => {
    for (const app of [HR_BENEFITS, IT_HELPDESK]) {
      await page.goto(`${dashboard.url}${app}`);
      const fixes = page.getByTestId("application-fixes");
      const hrefs = await fixes.getByTestId("finding-fix-link").evaluateAll((links) => links.map((a) => a.getAttribute("href") ?? ""));
      expect(new Set(hrefs).size, app).toBe(hrefs.length);
      for (const href of hrefs) {
        expect(href).not.toContain("object");
        expect(href.length).toBeLessThan(300);
      }
    }
    await page.goto(`${dashboard.url}${IT_HELPDESK}`);
    expect(await page.getByTestId("application-fixes").locator('[data-action="full-sync"]').count()).toBe(1);
    expect(await page.getByTestId("bulk-full-sync-link").count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);

  it("shows manual steps and console deep links for findings no action fixes (explicit deny, boundary, trust)", async () => {
    await page.goto(`${dashboard.url}${EU_COMPLIANCE}`);
    const deny = page.locator('[data-check="webexperience-role-explicit-deny"]');
    expect(await deny.getByTestId("manual-fix").locator("li").count()).toBeGreaterThan(2);
    const policyLink = deny.getByRole("link", { name: "IAM policy DenyQBusinessRawDocumentDownload" });
    expect(await policyLink.getAttribute("href")).toBe(
      "https://console.aws.amazon.com/iam/home#/policies/details/arn%3Aaws%3Aiam%3A%3A111122223333%3Apolicy%2FDenyQBusinessRawDocumentDownload?section=permissions",
    );
    await page.goto(`${dashboard.url}${SANDBOX_DATA_PLATFORM}`);
    const boundary = page.locator('[data-check="webexperience-role-getdocumentcontent"]');
    expect(await boundary.getByRole("link", { name: "Permissions boundary SandboxDeveloperBoundary" }).count()).toBe(1);
    const trust = page.locator('[data-check="webexperience-role-trust"]');
    expect(await trust.getByRole("link", { name: /Trust relationships/ }).getAttribute("href")).toBe(
      "https://console.aws.amazon.com/iam/home#/roles/details/DataPlatformAssistantWebRole?section=trust_relationships",
    );
    await screenshot(page, "fix-state-manual-steps");
    // From the findings table, a finding without an action links to its steps.
    await page.goto(`${dashboard.url}/findings?check=webexperience-role-trust`);
    await page.getByTestId("findings-table").getByTestId("manual-fix-link").first().click();
    await page.waitForURL(/#finding-\d+$/);
    // The URL changes as the navigation commits, before the page renders: wait for the finding itself.
    await page.locator(`${new URL(page.url()).hash}[data-check="webexperience-role-trust"] [data-testid="manual-fix"]`).waitFor();
    expect(problems).toEqual([]);
  }, 60_000);
});
