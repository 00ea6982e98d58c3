/**
 * The dashboard pages in a real Chromium, against the server as `npm start`
 * runs it on the demo fleet: what an admin sees after signing in with the
 * printed one-time link, checked against the audit the server stored.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getAuditReport, latestAuditId } from "~/audit/history";
import type { AuditReport } from "~/audit/types";
import { openDatabase, type Db } from "~/db/database";
import { buildOnce, launchChromium, reportProblems, screenshot, startDashboard, type Chromium, type RunningDashboard } from "./harness";

describe("dashboard pages in the browser (demo fleet)", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;
  let dataDir: string;
  let db: Db;
  let page: Page;
  const problems: string[] = [];

  /** The audit the server stored last, read from its database. */
  async function storedReport(): Promise<AuditReport> {
    return (await getAuditReport(db, (await latestAuditId(db))!))!;
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-browser-pages-"));
    const dbPath = path.join(dataDir, "history.sqlite");
    await buildOnce();
    [dashboard, browser] = await Promise.all([startDashboard({ QBR_DB: dbPath }), launchChromium()]);
    page = await browser.context.newPage();
    reportProblems(page, (problem) => problems.push(problem));
    await page.goto(dashboard.signInUrl!);
    // The server audits the demo fleet at start (empty database); the overview fills in when it ends, without a reload.
    await page.getByTestId("fleet-totals").waitFor({ timeout: 60_000 });
    // Opened only now: the server created and migrated it (two processes migrating one new file at once collide).
    db = await openDatabase(dbPath);
  }, 180_000);

  afterAll(async () => {
    await db?.close();
    await browser?.close();
    await dashboard?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("shows the fleet totals of the stored audit, with the audit's time", async () => {
    const summary = (await storedReport()).summary.applications;
    expect(await page.getByTestId("total-applications").innerText()).toBe(String(summary.total));
    expect(await page.getByTestId("total-ready").innerText()).toContain(String(summary.ready));
    expect(await page.getByTestId("total-not-ready").innerText()).toContain(String(summary.notReady));
    expect(await page.getByTestId("total-unsupported").innerText()).toContain(String(summary.unsupported));
    expect(await page.getByTestId("total-unknown").innerText()).toContain(String(summary.unknown));
    expect(await page.getByTestId("audit-time").innerText()).toContain((await storedReport()).scannedAt.slice(0, 10));
    await expect(page.getByTestId("applications-table").locator("tbody tr").count()).resolves.toBe(summary.total);
  });

  it("draws the overview charts after hydration (recharts svg)", async () => {
    await page.locator("figure.chart svg.recharts-surface").first().waitFor();
    expect(await page.locator("figure.chart svg.recharts-surface").count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, "dashboard-overview");
  });

  it("filters the applications to the not-ready ones with the filter form", async () => {
    const filters = page.getByRole("form", { name: "Filter applications" });
    await filters.getByLabel("Readiness").selectOption("not-ready");
    await filters.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/readiness=not-ready/);
    const rows = page.getByTestId("applications-table").locator("tbody tr");
    // The URL changes as the navigation commits: wait for the table to render its result.
    await page.getByText(`(${(await storedReport()).summary.applications.notReady} of ${(await storedReport()).summary.applications.total})`).waitFor();
    await expect(rows.count()).resolves.toBe((await storedReport()).summary.applications.notReady);
    const readiness = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-readiness")));
    expect(new Set(readiness)).toEqual(new Set(["not-ready"]));
    await screenshot(page, "dashboard-overview-not-ready");
  });

  it("opens an application and reads the evidence of its failing full-sync check, with its sync chart", async () => {
    const failing = (await storedReport()).findings.find((f) => f.checkId === "datasource-full-sync-missing" && f.status === "fail")!;
    const app = (await storedReport()).applications.find((a) => a.applicationId === failing.resource.applicationId)!;
    await page.getByRole("link", { name: app.displayName, exact: true }).click();
    await page.getByRole("heading", { level: 1, name: new RegExp(app.displayName) }).waitFor();

    const card = page.locator('article[data-check="datasource-full-sync-missing"][data-status="fail"]').first();
    const text = await card.innerText();
    expect(text).toContain("Last confirmed full sync: none");
    expect(text).toMatch(/Jobs after 07\/02\/2025/);
    expect(text).toMatch(/requires a full connector sync performed after 07\/02\/2025/);
    await page.locator(".sync-charts svg.recharts-surface").first().waitFor();
    await screenshot(page, "dashboard-application");
  });

  it("downloads the findings of the latest audit as CSV", async () => {
    await page.getByRole("link", { name: "Findings", exact: true }).click();
    await page.getByTestId("findings-table").waitFor();
    await screenshot(page, "dashboard-findings");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export everything as CSV" }).click()]);
    const csv = fs
      .readFileSync((await download.path())!, "utf8")
      .trim()
      .split(/\r?\n/);
    expect(csv.length - 1).toBe((await storedReport()).findings.length);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
  });

  it("shows the checks catalogue and what changed", async () => {
    await page.getByRole("link", { name: "Checks", exact: true }).click();
    await page
      .getByRole("heading", { level: 2, name: /Identity type/i })
      .first()
      .waitFor();
    await screenshot(page, "dashboard-checks");
    await page.getByRole("link", { name: "What changed", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "What changed" }).waitFor();
    await screenshot(page, "dashboard-changes");
  });

  it("scans now from the overview: shows progress, then the page shows the new audit", async () => {
    const before = (await latestAuditId(db))!;
    await page.getByRole("link", { name: "Overview", exact: true }).click();
    await page.getByRole("button", { name: "Scan now" }).click();
    await page
      .getByTestId("scan-progress")
      .getByText(/Last scan finished/)
      .waitFor({ timeout: 60_000 });
    await page
      .getByTestId("audit-time")
      .getByText(`Audit #${before + 1}`)
      .waitFor();
    expect(await latestAuditId(db)).toBe(before + 1);
    expect(problems).toEqual([]);
  });
});
