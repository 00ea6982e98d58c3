/**
 * Progress that moves (issue 11 item 4), in a real Chromium against the server
 * as `npm start` runs it, on the demo fleet served by a slowed local AWS (every
 * call answered after `faults.latencyMs`): while "Scan now" runs, the targets,
 * applications read, API calls and elapsed time shown on the overview change
 * as the scan goes, and the end states the totals.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, launchChromium, REPO_ROOT, reportProblems, screenshot, startDashboard, type Chromium, type RunningDashboard } from "./harness";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-progress-"));
const slowFleet = path.join(dir, "slow-demo-fleet.json");
const demo = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "app/local-aws/fixtures/demo-fleet.json"), "utf8")) as Record<string, unknown>;
// 150 ms a call: the demo fleet's ~140 calls, a few levels deep per application, take several seconds.
fs.writeFileSync(slowFleet, JSON.stringify({ ...demo, faults: { latencyMs: 150 } }));

interface Sample {
  targets: string;
  applications: string;
  apiCalls: string;
  elapsed: string;
}

describe("scan progress on a slowed local AWS", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    await buildOnce();
    [dashboard, browser] = await Promise.all([startDashboard({ QBR_FIXTURE: slowFleet }), launchChromium()]);
    page = await browser.context.newPage();
    reportProblems(page, (p) => problems.push(p));
    await page.goto(dashboard.signInUrl!);
    // The initial audit of the empty database runs first: the overview fills in when it ends.
    await page.getByTestId("fleet-totals").waitFor({ timeout: 120_000 });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** What the counters say now, or null once the scan is no longer shown running. */
  async function sample(): Promise<Sample | null> {
    const counters = page.getByTestId("scan-counters");
    if ((await counters.count()) === 0) return null;
    try {
      const [targets, applications, apiCalls, elapsed] = await Promise.all(
        ["scan-targets", "scan-applications", "scan-api-calls", "scan-elapsed"].map((id) => counters.getByTestId(id).innerText({ timeout: 1_000 })),
      );
      return { targets, applications, apiCalls, elapsed };
    } catch {
      return null; // the scan ended between the count and the read
    }
  }

  it("moves the targets, applications, API calls and elapsed time while the scan runs, then says what it read", async () => {
    await page.getByRole("button", { name: "Scan now" }).click();
    await page.getByTestId("scan-counters").waitFor({ timeout: 10_000 });
    const samples: Sample[] = [];
    const deadline = Date.now() + 120_000;
    for (let s = await sample(); s && Date.now() < deadline; s = await sample()) {
      samples.push(s);
      if (samples.length === 3) await screenshot(page, "scan-progress-running");
      await page.waitForTimeout(250);
    }
    const distinct = (key: keyof Sample) => new Set(samples.map((s) => s[key])).size;
    expect(samples.length).toBeGreaterThan(2);
    expect(distinct("apiCalls"), JSON.stringify(samples)).toBeGreaterThanOrEqual(2);
    expect(distinct("applications"), JSON.stringify(samples)).toBeGreaterThanOrEqual(2);
    expect(distinct("elapsed"), JSON.stringify(samples)).toBeGreaterThanOrEqual(2);
    // The counts only go up.
    const calls = samples.map((s) => Number(s.apiCalls));
    expect(calls).toEqual([...calls].sort((a, b) => a - b));
    for (const s of samples) expect(s.targets).toMatch(/^\d+ of (6|\?)$/);

    const words = page.getByTestId("scan-progress-words");
    await words.getByText(/Last scan finished/).waitFor({ timeout: 60_000 });
    expect(await words.innerText()).toMatch(/in \d+ s: 6 targets, 10 applications, \d+ API calls\.$/);
    expect(problems).toEqual([]);
  }, 180_000);
});
