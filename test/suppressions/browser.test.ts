/**
 * Accepted exceptions in a real browser on the built dashboard (demo fleet):
 * an operator accepts the anonymous application's identity finding on
 * /suppressions, scans, and the findings page hides it by default and shows
 * it, marked accepted, on asking; the change is in the activity log.
 */
import { describe, expect, it } from "vitest";
import { screenshot, signedInOnDemoFleet } from "../browser/harness";

describe("accepted exceptions in the browser (demo fleet)", () => {
  const demo = signedInOnDemoFleet("qbr-suppressions-");

  it("accepts an exception, applies it at the next scan, and the findings page hides and shows it", async () => {
    const { page, dashboard, problems } = demo;
    await page.goto(`${dashboard.url}/suppressions`);
    await page.getByLabel("Check (a * pattern matches several)").fill("application-identity-unsupported");
    await page.getByLabel("Reason").fill("public FAQ, no downloads wanted");
    await page.getByRole("button", { name: "Accept the exception" }).click();
    await expect.poll(() => page.getByTestId("suppression-result").innerText()).toContain("Exception #1 saved. It applies from the next audit.");
    expect(await page.getByTestId("db-rules").innerText()).toContain("not applied yet (next audit)");

    // Wait for the scan's start to be answered before leaving the page: a navigation would cancel a request not yet sent.
    const scanStarted = page.waitForResponse((response) => response.request().method() === "POST");
    await page.getByRole("button", { name: "Scan now" }).click();
    expect((await scanStarted).ok()).toBe(true);
    // The rule applies from the audit the scan stores: read the page again until it shows what the rule matched.
    await expect
      .poll(
        async () => {
          await page.goto(`${dashboard.url}/suppressions`);
          return page.getByTestId("db-rules").innerText();
        },
        { timeout: 90_000, interval: 2_000 },
      )
      .toMatch(/\b1 finding\b/);
    await screenshot(page, "suppressions-page");

    await page.goto(`${dashboard.url}/findings`);
    expect(await page.getByTestId("suppressed-hidden").innerText()).toBe("1 accepted exception hidden: show suppressed");
    await page.getByTestId("suppressed-hidden").click();
    await page.getByTestId("suppressed-badge").first().waitFor();
    expect(await page.getByTestId("suppressed-badge").count()).toBe(1);

    await page.goto(`${dashboard.url}/activity`);
    expect(await page.locator("main").innerText()).toContain("Accepted exception #1 created: application-identity-unsupported everywhere (no expiry)");
    expect(problems).toEqual([]);
  }, 180_000);
});
