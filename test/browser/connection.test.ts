/**
 * Errors a new user meets (issue 11 item 10), in a real Chromium against the
 * server as `npm start` runs it: real-AWS mode with no credentials at all
 * (no AWS_ACCESS_KEY_ID, HOME an empty folder so no profile is found), and
 * with keys but an endpoint that does not answer. The connection page and the
 * banner on every page name the mode, the regions, where the credentials
 * came from, the exact error and how to fix it; the server logs one line, no
 * stack trace. An unknown address is a 404 inside the layout, in words.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, launchChromium, reportProblems, screenshot, startDashboard, type Chromium, type RunningDashboard } from "./harness";

const emptyHome = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-empty-home-"));
let browser: Chromium;

beforeAll(async () => {
  await buildOnce();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  fs.rmSync(emptyHome, { recursive: true, force: true });
});

/** Starts the dashboard with `env`, signs in with its one-time link, and opens a page on it. */
async function signedIn(env: Record<string, string>): Promise<{ dashboard: RunningDashboard; page: Page; problems: string[] }> {
  const dashboard = await startDashboard(env);
  const page = await browser.context.newPage();
  const problems: string[] = [];
  reportProblems(page, (p) => problems.push(p));
  await page.goto(dashboard.signInUrl!);
  return { dashboard, page, problems };
}

/** The server's own output: no stack frames, no "Error:" dumps of objects. */
function expectNoStackTrace(output: string) {
  expect(output).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
}

describe("real-AWS mode without credentials", () => {
  let dashboard: RunningDashboard;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    // AWS_REGION selects real-AWS mode; nothing gives credentials (and the EC2 metadata service is off, as off EC2).
    ({ dashboard, page, problems } = await signedIn({ AWS_REGION: "eu-west-1", HOME: emptyHome, AWS_EC2_METADATA_DISABLED: "true" }));
  }, 180_000);
  afterAll(() => dashboard?.stop());

  it("renders the connection page with the mode, regions, where credentials were looked for, the exact error and the fix", async () => {
    await page.goto(`${dashboard.url}/connection`);
    await page.getByRole("heading", { level: 1, name: "Connection" }).waitFor();
    expect(await page.getByTestId("connection-state").getAttribute("data-state")).toBe("error");
    expect(await page.getByTestId("connection-mode").innerText()).toBe("Real AWS, through the SDK's default configuration");
    expect(await page.getByTestId("connection-regions").innerText()).toBe("eu-west-1");
    const source = await page.getByTestId("connection-credentials").innerText();
    expect(source).toContain("none found: no AWS_ACCESS_KEY_ID, no AWS_PROFILE");
    expect(source).toContain(path.join(emptyHome, ".aws", "credentials"));
    const error = await page.getByTestId("connection-error").innerText();
    expect(error).toContain("CredentialsProviderError");
    expect(error).toMatch(/Could not load credentials from any providers/);
    const fix = await page.getByTestId("connection-fix").innerText();
    expect(fix).toContain("AWS_PROFILE");
    expect(fix).toContain("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    await screenshot(page, "connection-no-credentials");
    expect(problems).toEqual([]);
  });

  it("shows the error in a banner on every page, linking to the connection page", async () => {
    for (const pathname of ["/", "/findings", "/activity"]) {
      await page.goto(`${dashboard.url}${pathname}`);
      const banner = page.getByTestId("connection-banner");
      expect(await banner.getAttribute("data-state"), pathname).toBe("error");
      expect(await banner.innerText(), pathname).toMatch(/Cannot read AWS \(eu-west-1; credentials from none found.*\): CredentialsProviderError/);
    }
    // The initial scan could not run: the overview says why and where to fix it.
    await page.goto(`${dashboard.url}/`);
    const scan = page.getByTestId("scan-progress-words");
    expect(await scan.innerText()).toMatch(/^Last scan failed .*: No usable AWS credentials \(sts:GetCallerIdentity failed: CredentialsProviderError/);
    expect(await scan.getByRole("link", { name: "Connection status and how to fix it" }).getAttribute("href")).toBe("/connection");
    await page.getByTestId("connection-banner").getByRole("link", { name: "How to fix it" }).click();
    await page.waitForURL(/\/connection$/);
    expect(problems).toEqual([]);
  });

  it("logs the failure in one line, with no stack trace", () => {
    expect(dashboard.output()).toMatch(/^AWS connection: CredentialsProviderError: Could not load credentials from any providers \(see \/connection\)$/m);
    expectNoStackTrace(dashboard.output());
  });

  it("answers an unknown address with a 404 inside the layout: navigation and words, not the router's message", async () => {
    const response = await page.goto(`${dashboard.url}/no-such-page`);
    expect(response?.status()).toBe(404);
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link").count()).toBeGreaterThanOrEqual(6);
    await page.getByRole("heading", { level: 1, name: "Page not found" }).waitFor();
    expect(await page.getByTestId("not-found").innerText()).toContain("There is no page at /no-such-page");
    expect(await page.locator("body").innerText()).not.toContain("No route matches");
    expect(await page.getByTestId("connection-banner").count()).toBe(1);
    await screenshot(page, "not-found");
  });
});

describe("real-AWS mode with an endpoint that does not answer", () => {
  it("names the endpoint, the error and how to fix it", async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused.
    const { dashboard, page, problems } = await signedIn({
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE01",
      AWS_SECRET_ACCESS_KEY: "not-a-real-secret-not-a-real-secret-0000",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      QBR_REGIONS: "us-east-1",
      HOME: emptyHome,
    });
    try {
      await page.goto(`${dashboard.url}/connection`);
      expect(await page.getByTestId("connection-state").getAttribute("data-state")).toBe("error");
      expect(await page.getByTestId("connection-credentials").innerText()).toBe("environment variables AWS_ACCESS_KEY_ID");
      expect(await page.getByTestId("connection-error").innerText()).toContain("ECONNREFUSED");
      expect(await page.getByTestId("connection-fix").innerText()).toContain("The endpoint http://127.0.0.1:9 (AWS_ENDPOINT_URL) does not answer");
      expect(problems).toEqual([]);
      expectNoStackTrace(dashboard.output());
    } finally {
      await dashboard.stop();
    }
  }, 180_000);
});
