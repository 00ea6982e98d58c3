/**
 * axe-core on the overview and findings pages of a generated 300-application
 * fleet (the bench's large fleet: 3 accounts × 4 regions × 25 applications ×
 * 8 data sources, with fewer sync jobs and documents per data source, which
 * changes no finding's count and keeps the fixture small enough to load), in
 * a real Chromium: the big tables are where contrast failures multiplied
 * (184 on the findings page before). Also no sideways scroll at 1024 px there.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LARGE_FLEET } from "~/bench/fleets";
import { generateFleet } from "~/local-aws/generate-fleet";
import { buildOnce, launchChromium, startDashboard, twoUsersEnv, type Chromium, type RunningDashboard } from "./harness";
import { axeViolations, horizontalOverflow, settle, signInWithPassword, waitForFirstAudit } from "./site";

const { regions } = LARGE_FLEET.fleet;
const APPLICATIONS = LARGE_FLEET.fleet.accounts * (typeof regions === "number" ? regions : regions.length) * LARGE_FLEET.fleet.apps;

describe("accessibility at fleet scale (300 generated applications, axe-core)", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;
  let page: Page;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-a11y-large-"));
    const fixture = path.join(dir, "large-fleet.json");
    // No faults: latency and rate limits are the bench's business, not what a page looks like.
    fs.writeFileSync(fixture, JSON.stringify(generateFleet({ ...LARGE_FLEET.fleet, syncJobs: 5, documents: 10 })));
    await buildOnce();
    [dashboard, browser] = await Promise.all([startDashboard({ ...(await twoUsersEnv()), QBR_FIXTURE: fixture }, 180_000), launchChromium()]);
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1024, height: 900 });
    await signInWithPassword(page, dashboard.url);
    // The server audits the whole fleet at start: minutes on a busy machine.
    await waitForFirstAudit(page, dashboard.url, 600_000);
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("audited the whole generated fleet", async () => {
    await page.goto(`${dashboard.url}/`);
    expect(await page.getByTestId("total-applications").innerText()).toBe(String(APPLICATIONS));
  });

  for (const view of ["/", "/?readiness=not-ready", "/findings", "/findings?status=all", "/findings?status=all&page=2"]) {
    it(`finds nothing on ${view}, which fits 1024 px`, async () => {
      await page.goto(`${dashboard.url}${view}`);
      await settle(page);
      expect(await page.locator("table tbody tr").count()).toBeGreaterThan(10);
      expect(await axeViolations(page)).toEqual([]);
      expect(await horizontalOverflow(page)).toBe(0);
    }, 300_000);
  }
});
