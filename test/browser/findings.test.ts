/**
 * The findings page at fleet scale (issue 11.3) in a real Chromium, against
 * the server as `npm start` runs it, on a stored history of a generated
 * 300-application fleet (8,631 findings in the latest audit, see
 * test/dashboard/findings-fleet.ts): counts that say "N of M" with M the
 * true total, page links, sort headers, search, the application filter,
 * first/last seen, account names in the findings and change lists, the HTML
 * size, and exports of exactly the filtered rows and of everything. Expected
 * rows are computed from the generated report, not from the product's queries.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "~/audit/types";
import { parseCsv } from "../helpers/csv";
import { FIRST_SCAN, NAMED_ACCOUNT, SECOND_SCAN, TOTAL_FINDINGS, writeLargeHistory } from "../dashboard/findings-fleet";
import { buildOnce, launchChromium, startDashboard, twoUsersEnv, type Chromium, type RunningDashboard } from "./harness";
import { signInWithPassword } from "./site";

const rowsOf = (page: Page) => page.getByTestId("findings-table").locator("tbody tr");
/** The check id under each row's check title. */
const checkIds = (page: Page) => rowsOf(page).locator("td:nth-child(3) .muted").allInnerTexts();
/** Waits for the page to show this range (the URL changes as a navigation commits, before the re-render). */
const showing = (page: Page, text: string) => page.getByTestId("findings-shown").filter({ hasText: text }).waitFor();

describe("findings at fleet scale (300 generated applications, 8,631 findings)", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;
  let page: Page;
  let dir: string;
  let report: AuditReport;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-findings-large-"));
    const dbPath = path.join(dir, "history.sqlite");
    report = await writeLargeHistory(dbPath);
    await buildOnce();
    [dashboard, browser] = await Promise.all([startDashboard({ ...(await twoUsersEnv()), QBR_DB: dbPath }, 180_000), launchChromium()]);
    page = await browser.context.newPage();
    await signInWithPassword(page, dashboard.url);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Downloads what the link with this test id points to; its text. */
  async function download(testId: string): Promise<string> {
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId(testId).click()]);
    return fs.readFileSync((await file.path())!, "utf8");
  }

  it('shows "N of M" with M the true total for every status, 50 rows a page', async () => {
    await page.goto(`${dashboard.url}/findings?status=all`);
    expect(await page.getByTestId("findings-shown").innerText()).toBe(`Showing 1–50 of 8,631 matching findings`);
    expect(await page.getByTestId("findings-total").innerText()).toBe("8,631 findings in this audit");
    expect(TOTAL_FINDINGS).toBe(8631);
    expect(await rowsOf(page).count()).toBe(50);
  });

  it("pages with links: next, a numbered page, the last page", async () => {
    await page.goto(`${dashboard.url}/findings?status=all`);
    const first = await rowsOf(page).first().innerText();
    await page.getByRole("link", { name: "Next ›" }).first().click();
    await page.waitForURL(/page=2/);
    await showing(page, "Showing 51–100 of 8,631 matching findings");
    expect(await rowsOf(page).first().innerText()).not.toBe(first);
    await page.getByRole("link", { name: "Page 173 of 173" }).first().click();
    await page.waitForURL(/page=173/);
    await showing(page, "Showing 8,601–8,631 of 8,631 matching findings");
    expect(await rowsOf(page).count()).toBe(31);
    expect(await page.locator('.pager [aria-current="page"]').first().innerText()).toBe("173");
  });

  it("sorts by a column header, and back the other way", async () => {
    await page.goto(`${dashboard.url}/findings?status=all`);
    await page
      .getByRole("columnheader", { name: /^Check/ })
      .getByRole("link")
      .click();
    await page.waitForURL(/sort=check/);
    await page.getByRole("columnheader", { name: /^Check ▲/ }).waitFor();
    const ascending = await checkIds(page);
    expect(ascending[0]).toBe("datasource-documents-stale");
    expect(ascending).toEqual([...ascending].sort());
    await page
      .getByRole("columnheader", { name: /^Check/ })
      .getByRole("link")
      .click();
    await page.waitForURL(/dir=desc/);
    await page.getByRole("columnheader", { name: /^Check ▼/ }).waitFor();
    const descending = await checkIds(page);
    expect(descending[0]).toBe("webexperience-role-getdocumentcontent");
    expect(descending).toEqual([...descending].sort().reverse());
    expect(await page.getByRole("columnheader", { name: /^Check/ }).getAttribute("aria-sort")).toBe("descending");
  });

  it("searches by role name and by application name, and filters by application", async () => {
    await page.goto(`${dashboard.url}/findings?status=all`);
    await page.getByLabel("Search").fill("QBIZ-WEB-APP-007");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.waitForURL(/q=QBIZ-WEB-APP-007/);
    await showing(page, "Showing 1–1 of 1 matching findings");
    expect(await rowsOf(page).first().innerText()).toContain("qbiz-web-app-007");

    await page.goto(`${dashboard.url}/findings?status=all&q=app-012`);
    expect(await page.getByTestId("findings-shown").innerText()).toBe("Showing 1–29 of 29 matching findings");

    await page.goto(`${dashboard.url}/findings?status=all&application=APP-250`);
    expect(await page.getByTestId("findings-shown").innerText()).toBe("Showing 1–28 of 28 matching findings");
    expect(new Set(await rowsOf(page).locator("td:nth-child(5) a").allInnerTexts())).toEqual(new Set(["app-250"]));
  });

  it("dates each finding's first and last sighting across the stored audits", async () => {
    await page.goto(`${dashboard.url}/findings?status=all&sort=first-seen`);
    const oldest = rowsOf(page).first().locator("td.seen time");
    expect(await oldest.first().getAttribute("datetime")).toBe(FIRST_SCAN);
    expect(await oldest.nth(1).getAttribute("datetime")).toBe(SECOND_SCAN);
    await page.goto(`${dashboard.url}/findings?status=all&sort=first-seen&dir=desc`);
    expect(await rowsOf(page).first().locator("td.seen time").first().getAttribute("datetime")).toBe(SECOND_SCAN);
  });

  it("names the organization's accounts in both pages' account filters", async () => {
    const label = `${NAMED_ACCOUNT.name} (${NAMED_ACCOUNT.accountId})`;
    for (const [path, select] of [
      ["/findings", "Filter findings"],
      ["/", "Filter applications"],
    ] as const) {
      await page.goto(`${dashboard.url}${path}`);
      const account = page.getByRole("form", { name: select }).getByLabel("Account", { exact: true });
      expect(await account.locator("option").allInnerTexts()).toContain(label);
      await account.selectOption({ label });
      expect(await account.inputValue()).toBe(NAMED_ACCOUNT.accountId);
    }
  });

  it("names the organization's accounts in the findings list and in the change lists", async () => {
    await page.goto(`${dashboard.url}/findings?status=all&account=${NAMED_ACCOUNT.accountId}`);
    const accounts = new Set((await page.getByTestId("finding-account").allInnerTexts()).map((t) => t.split(" · ")[0]));
    expect(accounts).toEqual(new Set([`${NAMED_ACCOUNT.name} (${NAMED_ACCOUNT.accountId})`]));
    await page.goto(`${dashboard.url}/changes`);
    const newFindings = page.getByRole("region", { name: "New findings" });
    expect(await newFindings.innerText()).toContain(`${NAMED_ACCOUNT.name} (${NAMED_ACCOUNT.accountId})`);
  });

  it("opens a row's application and its fix page from the table without reloading the document", async () => {
    // The rows' links are plain <a href> (cheap to render, work without JavaScript); the table hands clicks to the router.
    // A finding's fix link redirects to its action's page (the full sync plan of its data source).
    for (const [start, link, lands] of [
      ["/findings?status=fail", "td:nth-child(5) a", /\/applications\/\d{12}\/[a-z0-9-]+\/[0-9a-f-]+$/],
      ["/findings?status=fail&check=datasource-full-sync-missing", '[data-testid="finding-fix-link"]', /\/fix\/full-sync\?/],
      ["/?sort=name", "td:first-child a", /\/applications\/\d{12}\/[a-z0-9-]+\/[0-9a-f-]+$/],
    ] as const) {
      await page.goto(`${dashboard.url}${start}`);
      const table = page.getByTestId(start.startsWith("/findings") ? "findings-table" : "applications-table");
      await page.evaluate(() => Object.assign(window, { sameDocument: true }));
      await table.locator("tbody tr").first().locator(link).click();
      await page.waitForURL(lands);
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    }
  });

  it("pages, sorts and searches the overview's applications table the same way", async () => {
    await page.goto(`${dashboard.url}/?sort=name`);
    const table = page.getByTestId("applications-table");
    expect(await page.getByTestId("applications-shown").innerText()).toBe("Showing 1–50 of 300 matching applications");
    expect(await table.locator("tbody tr").count()).toBe(50);
    expect(await table.locator("tbody tr td:first-child a").first().innerText()).toBe("app-000");
    await page.getByRole("navigation", { name: "Pages of applications" }).getByRole("link", { name: "Page 6 of 6" }).click();
    await page.getByTestId("applications-shown").filter({ hasText: "Showing 251–300 of 300" }).waitFor();
    expect(await table.locator("tbody tr td:first-child a").last().innerText()).toBe("app-299");
    await page.goto(`${dashboard.url}/?q=app-29`);
    expect(await page.getByTestId("applications-shown").innerText()).toBe("Showing 1–10 of 10 matching applications");
  });

  it("keeps the findings page's HTML under 150 KB at any filter", async () => {
    const views = [
      "/findings",
      "/findings?status=all",
      "/findings?status=all&sort=first-seen&dir=desc",
      "/findings?status=all&page=173",
      "/findings?status=pass",
    ];
    for (const view of views) {
      const response = await page.request.get(`${dashboard.url}${view}`);
      expect(response.status()).toBe(200);
      const bytes = (await response.body()).byteLength;
      expect(bytes, `${view}: ${bytes} bytes`).toBeLessThan(150 * 1024);
    }
  });

  it("exports exactly the filtered rows as CSV", async () => {
    await page.goto(`${dashboard.url}/findings?status=fail&check=datasource-full-sync-missing&account=${NAMED_ACCOUNT.accountId}`);
    const [header, ...rows] = parseCsv(await download("export-filtered-csv"));
    const column = (name: string) => header.indexOf(name);
    const expected = report.findings.filter(
      (f) => f.status === "fail" && f.checkId === "datasource-full-sync-missing" && f.resource.accountId === NAMED_ACCOUNT.accountId,
    );
    expect(expected.length).toBeGreaterThan(50);
    expect(rows.length).toBe(expected.length);
    expect(new Set(rows.map((r) => r[column("dataSourceId")]))).toEqual(new Set(expected.map((f) => f.resource.dataSourceId)));
    expect(new Set(rows.map((r) => `${r[column("status")]}|${r[column("checkId")]}|${r[column("accountName")]}`))).toEqual(
      new Set([`fail|datasource-full-sync-missing|${NAMED_ACCOUNT.name}`]),
    );
  });

  it("exports everything on demand: every finding as CSV, the stored report as JSON", async () => {
    await page.goto(`${dashboard.url}/findings?status=fail&check=datasource-full-sync-missing`);
    const [, ...rows] = parseCsv(await download("export-all-csv"));
    expect(rows.length).toBe(TOTAL_FINDINGS);
    const json = JSON.parse(await download("export-all-json")) as AuditReport;
    expect(json.findings.length).toBe(TOTAL_FINDINGS);
    expect(json.scannedAt).toBe(SECOND_SCAN);
  });
});
