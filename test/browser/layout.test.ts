/**
 * Layout in a real Chromium (issue 11 item 9): no page of the demo fleet
 * scrolls sideways at 1024 px or 1440 px with every folded section opened
 * (the role patch's "Before and after" too), and role and resource names wrap
 * only at their word boundaries, never mid-word.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, launchChromium, startDashboard, twoUsersEnv, type Chromium, type RunningDashboard } from "./harness";
import { activityEntryPages, applyRolePatch, horizontalOverflow, missingKinds, settle, signInWithPassword, sitePages, waitForFirstAudit } from "./site";

/** Opens every <details> (chart tables, policies, passing checks): what is folded counts too. */
function openEverything(page: Page): Promise<void> {
  return page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
}

/**
 * Each line break inside the name text of the findings table's Resource cells
 * that falls mid-word: between two characters that are neither after a
 * separator (: / _ . - = @ , space) nor a lower-case letter or digit followed by a capital.
 */
function midWordBreaks(page: Page): Promise<string[]> {
  return page.locator("table.findings tbody td:nth-child(4)").evaluateAll((cells) => {
    const found: string[] = [];
    for (const cell of cells) {
      const chars: { ch: string; top: number }[] = [];
      for (const node of [...cell.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)) {
        const text = node.textContent ?? "";
        for (let i = 0; i < text.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          chars.push({ ch: text[i], top: Math.round(range.getBoundingClientRect().top) });
        }
      }
      for (let i = 1; i < chars.length; i++) {
        if (chars[i].top <= chars[i - 1].top) continue;
        const [before, after] = [chars[i - 1].ch, chars[i].ch];
        const atBoundary = /[:/_.\-=@, ]/.test(before) || (/[a-z0-9]/.test(before) && /[A-Z]/.test(after));
        if (!atBoundary) found.push(`${chars.map((c) => c.ch).join("")}: broken between "${before}" and "${after}"`);
      }
    }
    return found;
  });
}

describe("layout of every page (demo fleet)", () => {
  let dashboard: RunningDashboard;
  let browser: Chromium;
  let page: Page;
  let pages: string[] = [];
  let signInOverflow = -1;

  beforeAll(async () => {
    await buildOnce();
    [dashboard, browser] = await Promise.all([startDashboard(await twoUsersEnv()), launchChromium()]);
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.goto(`${dashboard.url}/sign-in`);
    signInOverflow = await horizontalOverflow(page);
    await signInWithPassword(page, dashboard.url);
    await waitForFirstAudit(page, dashboard.url);
    // The pages before the fix (the role patch page is gone once the role is patched), then its activity entry.
    pages = await sitePages(page, dashboard.url);
    await applyRolePatch(page, dashboard.url);
    pages.push(...(await activityEntryPages(page, dashboard.url)));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.stop();
  });

  for (const width of [1024, 1440]) {
    it(`does not scroll sideways at ${width} px on any page, folded sections opened`, async () => {
      expect(missingKinds([...pages, "/sign-in"])).toEqual([]);
      await page.setViewportSize({ width, height: 900 });
      const overflowing: Record<string, number> = {};
      for (const path of pages) {
        await page.goto(`${dashboard.url}${path}`);
        await settle(page);
        await openEverything(page);
        const overflow = await horizontalOverflow(page);
        if (overflow > 0) overflowing[path] = overflow;
      }
      expect(overflowing).toEqual({});
    }, 600_000);
  }

  it("shows the sign-in page (signed out) without sideways scroll at 1024 px", () => {
    expect(signInOverflow).toBe(0);
  });

  it("keeps every column of the findings table on screen at 1024 px, the Fix column included", async () => {
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.goto(`${dashboard.url}/findings?status=all`);
    const fix = page.locator("table.findings thead th").last();
    expect(await fix.innerText()).toBe("Fix");
    const box = await fix.boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(1024);
  });

  for (const width of [1024, 1440]) {
    it(`wraps role and resource names at word boundaries, not mid-word, at ${width} px`, async () => {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(`${dashboard.url}/findings?status=all`);
      // The table has role names (EngineeringAssistantWebRole, ...) to wrap.
      expect(await page.locator("table.findings tbody td:nth-child(4)", { hasText: "WebRole" }).count()).toBeGreaterThan(0);
      expect(await midWordBreaks(page)).toEqual([]);
    });
  }
});
