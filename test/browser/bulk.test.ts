/**
 * Bulk fixes in a real Chromium against the built dashboard on the demo
 * fleet (ADR 0015): tick findings on the findings page, plan a full sync for
 * them, see the plan aggregated per account and region and itemised on
 * demand, apply, follow the live progress, and read each item's result with
 * its activity entry; the batch reads the same after a reload.
 */
import { describe, expect, it } from "vitest";
import { screenshot, signedInOnDemoFleet } from "./harness";

const DEMO_ACCOUNT = "111122223333";

describe("bulk fixes in the browser (demo fleet)", () => {
  const demo = signedInOnDemoFleet("qbr-bulk-");

  it("selects two failing data sources, shows the plan per account and region, applies it and shows each item's result", async () => {
    const { page, dashboard, problems } = demo;
    await page.goto(`${dashboard.url}/findings?check=datasource-full-sync-missing`);
    const boxes = page.getByTestId("bulk-select");
    expect(await boxes.count()).toBeGreaterThanOrEqual(2);
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.getByTestId("bulk-fix-bar").locator('select[name="choice"]').selectOption("full-sync");
    await page.getByTestId("bulk-plan-selected").click();
    await page.waitForURL(/\/fix\/bulk\/\d+$/, { timeout: 60_000 });

    // The plan: aggregated, nothing applied yet.
    expect(await page.getByTestId("bulk-state").getAttribute("data-state")).toBe("planned");
    const groups = page.getByTestId("bulk-group");
    expect(await groups.count()).toBeGreaterThanOrEqual(1);
    const firstGroup = await groups.first().locator("td").allInnerTexts();
    expect(firstGroup.slice(0, 2)).toEqual(["Full sync", DEMO_ACCOUNT]);
    const dataSources = (await groups.evaluateAll((rows) => rows.map((r) => Number(r.children[3].textContent)))).reduce((a, b) => a + b, 0);
    expect(dataSources).toBe(2);
    // Itemised on demand.
    const items = page.getByTestId("bulk-item");
    expect(await items.first().isVisible()).toBe(false);
    await page.getByTestId("bulk-itemised").locator("summary").click();
    expect(await items.count()).toBe(2);
    expect(await items.first().isVisible()).toBe(true);
    await screenshot(page, "bulk-plan");

    // Apply, then follow it live until it ends.
    await page.getByTestId("bulk-apply").click();
    await page.getByTestId("bulk-results").waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="bulk-state"][data-state="done"]').waitFor({ timeout: 120_000 });
    await screenshot(page, "bulk-done");
    const states = await page.getByTestId("bulk-item").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-state")));
    expect(states).toEqual(["succeeded", "succeeded"]);
    expect(await page.getByTestId("bulk-count-succeeded").innerText()).toBe("2 succeeded");
    expect(await page.getByTestId("bulk-count-failed").innerText()).toBe("0 failed");
    const activityLinks = page.getByTestId("bulk-item").locator('a[href^="/activity/"]');
    expect(await activityLinks.count()).toBe(2);

    // After a reload the batch reads the same, and each activity entry is the resource's own.
    await page.reload();
    expect(await page.getByTestId("bulk-state").getAttribute("data-state")).toBe("done");
    const href = await activityLinks.first().getAttribute("href");
    await page.goto(`${dashboard.url}${href}`);
    expect(await page.locator("main").innerText()).toMatch(/succeeded/i);
    // The entry links back to its batch.
    expect(await page.getByTestId("activity-batch").innerText()).toMatch(/^Bulk fix #\d+$/);
    expect(problems).toEqual([]);
  }, 240_000);
});
