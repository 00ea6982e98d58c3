/**
 * One clock (issue 11 item 2, ADR 0008), in a real Chromium against the server
 * as `npm start` runs it on the demo fleet: after a full sync, a role patch and
 * a re-upload made through the pages, every time a user reads (the audits on
 * "What changed", the "Planned" line of each fix page, the activity log and
 * each entry's events) is dated today, by the clock the test runs on, and in
 * the order things happened. Before, fixes were dated on the fixture's clock
 * (2026-11-26), days before the audit that found the problem.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, launchChromium, reportProblems, startDashboard, type Chromium, type RunningDashboard } from "./harness";

const ACCOUNT = "111122223333";
const HR_BENEFITS = `/applications/${ACCOUNT}/us-east-1/dba944ec-6bc0-4ae9-a0b3-b898a2572643`;
const ENGINEERING = `/applications/${ACCOUNT}/us-west-2/81991b78-fc23-4ac8-95c8-e2d56acc491f`;
const TRAVEL_DESK = `/applications/${ACCOUNT}/us-west-2/2692c40a-7c9f-41be-a90f-8a6c9b1abf13`;
const STALE_UPLOADS = ["national_park_services_infograph.pdf", "Offsite agenda Yosemite 2025.docx"];

/** "2026-12-01 19:05 UTC", as the pages write times, to epoch ms (minute precision). */
function shownTime(text: string): number {
  const m = /(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC/.exec(text);
  if (!m) throw new Error(`no time in ${JSON.stringify(text)}`);
  return Date.parse(`${m[1]}T${m[2]}:00Z`);
}

const MINUTE = 60_000;

function expectNonDecreasing(label: string, times: number[]) {
  const iso = times.map((t) => new Date(t).toISOString());
  expect(iso, label).toEqual([...iso].sort());
}

describe("one clock on the demo fleet", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;
  let page: Page;
  let filesDir: string;
  const problems: string[] = [];
  const testStart = Date.now();
  /** What the user read, in the order the test did things. */
  const timeline: { what: string; at: number }[] = [];

  beforeAll(async () => {
    filesDir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-clock-"));
    await buildOnce();
    [dashboard, browser] = await Promise.all([startDashboard(), launchChromium()]);
    page = await browser.context.newPage();
    reportProblems(page, (p) => problems.push(p));
    await page.goto(dashboard.signInUrl!);
    await page.getByTestId("fleet-totals").waitFor({ timeout: 90_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    if (filesDir) fs.rmSync(filesDir, { recursive: true, force: true });
  });

  async function openFix(applicationPath: string, action: string): Promise<void> {
    await page.goto(`${dashboard.url}${applicationPath}`);
    await page.getByTestId("application-fixes").locator(`[data-action="${action}"]`).first().click();
    await page.waitForURL(/\/fix\//);
    await page.locator("main h1").waitFor();
  }

  /** The fix page's "Planned ..." line, as the next point of the timeline. */
  async function readPlanned(action: string): Promise<void> {
    timeline.push({
      what: `${action} planned`,
      at: shownTime(
        await page
          .getByText(/^Planned /)
          .first()
          .innerText(),
      ),
    });
  }

  it("dates the first audit today and the overview's counts agree with the banner", async () => {
    timeline.push({ what: "audit #1", at: shownTime(await page.getByTestId("audit-time").innerText()) });
    // The banner says where the data comes from, not a count of its own to contradict the cards.
    expect(await page.getByTestId("demo-banner").innerText()).not.toMatch(/\d+ applications?/);
    const tile = async (id: string) => Number(await page.getByTestId(id).locator(".tile-value").first().innerText());
    const total = Number(await page.getByTestId("total-applications").innerText());
    expect((await tile("total-ready")) + (await tile("total-not-ready")) + (await tile("total-unsupported")) + (await tile("total-unknown"))).toBe(total);
    expect(await page.getByTestId("unknown-targets").innerText()).toContain("1 target not read");
  });

  it("makes a full sync, a role patch and a re-upload through the pages", async () => {
    const fixed = () => page.locator('[data-testid="fix-state"][data-state="verified-fixed"]').waitFor({ timeout: 90_000 });
    await openFix(HR_BENEFITS, "full-sync");
    await readPlanned("full-sync");
    await page.getByTestId("apply-button").click();
    await page.locator('[data-testid="fix-state"][data-state="in-progress"]').waitFor();
    // A sync being followed says for how long.
    await page
      .getByTestId("sync-elapsed")
      .getByText(/Following the sync for \d+ s/)
      .waitFor({ timeout: 20_000 });
    await fixed();

    await openFix(ENGINEERING, "patch-role-policy");
    await readPlanned("patch-role-policy");
    await page.getByTestId("apply-button").click();
    await fixed();

    const chosen = STALE_UPLOADS.map((name) => {
      const file = path.join(filesDir, name);
      fs.writeFileSync(file, `A small stand-in for ${name}\n`);
      return file;
    });
    await openFix(TRAVEL_DESK, "reupload-files");
    await page.getByTestId("reupload-files-input").setInputFiles(chosen);
    await page.getByTestId("matched-files").waitFor();
    // The re-upload is planned from the files chosen.
    await readPlanned("reupload-files");
    await page.getByTestId("apply-button").click();
    await fixed();
    expect(problems).toEqual([]);
  }, 240_000);

  it("shows the activity log, each entry's events and the audits in the order they happened, all dated today", async () => {
    await page.goto(`${dashboard.url}/activity`);
    const rows = page.getByTestId("activity-row");
    const entries: { id: number; at: number; href: string }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const cells = rows.nth(i).locator("td");
      const link = cells.nth(0).getByRole("link");
      entries.push({
        id: Number((await link.innerText()).replace("#", "")),
        at: shownTime(await cells.nth(1).innerText()),
        href: (await link.getAttribute("href"))!,
      });
    }
    entries.sort((a, b) => a.id - b.id);
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expectNonDecreasing(
      "activity entries by id",
      entries.map((e) => e.at),
    );

    for (const entry of entries) {
      await page.goto(`${dashboard.url}${entry.href}`);
      // Each event's time leads its line; the events are listed oldest first.
      const events = await page.getByTestId("activity-events").locator(":scope > li > span.muted").allInnerTexts();
      expect(events.length, entry.href).toBeGreaterThan(0);
      const times = events.map(shownTime);
      expectNonDecreasing(`${entry.href} events`, times);
      for (const t of times) expect(t, `${entry.href} event`).toBeGreaterThanOrEqual(entry.at);
      timeline.push({ what: `activity #${entry.id}`, at: entry.at });
    }

    await page.goto(`${dashboard.url}/changes`);
    const options = await page.locator("#compare-to option").allInnerTexts();
    const audits = options.map((text) => ({ id: Number(/^#(\d+)/.exec(text)![1]), at: shownTime(text) })).sort((a, b) => a.id - b.id);
    // The initial audit and a re-audit after each of the three fixes.
    expect(audits.length).toBeGreaterThanOrEqual(4);
    expectNonDecreasing(
      "audits by id",
      audits.map((a) => a.at),
    );
    timeline.push({ what: `latest audit #${audits[audits.length - 1].id}`, at: audits[audits.length - 1].at });

    // Every time read is today's, on the clock this test runs on (minute precision), never the fixture's.
    const floor = Math.floor(testStart / MINUTE) * MINUTE;
    for (const t of [...timeline, ...audits.map((a) => ({ what: `audit #${a.id}`, at: a.at }))]) {
      expect(t.at, t.what).toBeGreaterThanOrEqual(floor);
      expect(t.at, t.what).toBeLessThanOrEqual(Date.now());
    }
    // The audit that found the problems comes before every plan and every fix; the last re-audit after them.
    expect(timeline[0].what).toBe("audit #1");
    for (const t of timeline.slice(1)) expect(t.at, t.what).toBeGreaterThanOrEqual(timeline[0].at);
    const last = timeline[timeline.length - 1];
    for (const t of timeline) expect(last.at, `${last.what} after ${t.what}`).toBeGreaterThanOrEqual(t.at);
    expect(problems).toEqual([]);
  }, 120_000);
});
