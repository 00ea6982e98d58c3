/**
 * The dashboard server as `npm start` runs it (built once, then
 * `tsx scripts/serve.ts` on a free port), over real HTTP.
 */
import http from "node:http";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLocalAws, type LocalAws } from "~/local-aws/index";
import { accountCredentials } from "~/local-aws/fixture-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, REPO_ROOT, runDashboardToExit, startDashboard, type RunningDashboard } from "../browser/harness";

const DEMO_FIXTURE = path.join(REPO_ROOT, "app/local-aws/fixtures/demo-fleet.json");

/** GET/POST without following redirects; `localAddress` picks the TCP source address (127.0.0.x). */
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? "GET", headers: options.headers, localAddress: options.localAddress }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

function cookieOf(headers: http.IncomingHttpHeaders): string {
  const setCookie = headers["set-cookie"]?.[0];
  if (!setCookie) throw new Error("no Set-Cookie");
  return setCookie.split(";")[0];
}

describe("local demo mode, built-in auth without users", () => {
  let dashboard: RunningDashboard;
  beforeAll(async () => {
    await buildOnce();
    dashboard = await startDashboard();
  });
  afterAll(() => dashboard?.stop());

  it("answers /healthz with ok and no sign-in, naming the database it checked", async () => {
    const res = await request(`${dashboard.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^ok\ndatabase: sqlite ok \(\d+ ms\)\nqueue: none \(SQLite: scans run in this process\)\n$/);
  });

  it("prints a one-time sign-in link on this server's address", () => {
    expect(dashboard.signInUrl).toMatch(new RegExp(`^${dashboard.url}/sign-in\\?token=[A-Za-z0-9_-]{40,}$`));
  });

  it("redirects a signed-out page request to /sign-in", async () => {
    const res = await request(`${dashboard.url}/checks`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/sign-in?redirectTo=%2Fchecks");
  });

  it("refuses a signed-out single-fetch data request that skips the root loader", async () => {
    // The client may ask for one route's data only (?_routes=); the server-wide guard still applies.
    const res = await request(`${dashboard.url}/checks.data?_routes=routes%2Fchecks`);
    expect(res.body).toContain("SingleFetchRedirect");
    expect(res.body).toContain("/sign-in?redirectTo=%2Fchecks");
  });

  it("shows the demo banner naming the fixture on the sign-in page", async () => {
    const res = await request(`${dashboard.url}/sign-in`);
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/data-testid="demo-banner"[^>]*>Demo fleet on the local AWS: (<!-- -->)?demo-fleet\.json, \d+ accounts?/);
  });

  it("sends the security headers, with a CSP nonce that is on every inline script", async () => {
    const res = await request(`${dashboard.url}/sign-in`);
    expect(res.headers["x-frame-options"]).toBe("DENY");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("same-origin");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'self'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const inlineScripts = [...res.body.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
    expect(inlineScripts.length).toBeGreaterThan(0);
    for (const [, attributes] of inlineScripts) expect(attributes).toContain(`nonce="${nonce}"`);
  });

  it("uses a new CSP nonce for every page", async () => {
    const first = String((await request(`${dashboard.url}/sign-in`)).headers["content-security-policy"]);
    const second = String((await request(`${dashboard.url}/sign-in`)).headers["content-security-policy"]);
    expect(first).not.toBe(second);
  });

  it("serves the fingerprinted build assets with a year-long immutable cache", async () => {
    const page = await request(`${dashboard.url}/sign-in`);
    const asset = /href="(\/build\/[^"]+\.css)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    const res = await request(dashboard.url + asset);
    expect(res.status).toBe(200);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("answers a form post without a CSRF token with 403", async () => {
    const page = await request(`${dashboard.url}/sign-in`);
    const res = await request(`${dashboard.url}/sign-out`, {
      method: "POST",
      headers: { cookie: cookieOf(page.headers), "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(res.status).toBe(403);
  });
});

describe("behind an authenticating proxy at 127.0.0.1", () => {
  let dashboard: RunningDashboard;
  beforeAll(async () => {
    await buildOnce();
    dashboard = await startDashboard({
      QBR_AUTH: "proxy",
      QBR_PROXY_ADDRESSES: "127.0.0.1",
      QBR_PROXY_USER_HEADER: "X-Forwarded-User",
      QBR_PROXY_OPERATORS: "alice@example.com",
      QBR_PROXY_VIEWERS: "bob@example.com",
    });
  });
  afterAll(() => dashboard?.stop());

  it("prints no one-time link", () => {
    expect(dashboard.output()).not.toContain("sign-in?token=");
  });

  it("signs in the user named by the proxy's header when the TCP peer is the proxy", async () => {
    const res = await request(`${dashboard.url}/checks`, { headers: { "x-forwarded-user": "bob@example.com" }, localAddress: "127.0.0.1" });
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/bob@example\.com.*\(.*viewer.*\)/);
  });

  it("ignores the same header from another address", async () => {
    const res = await request(`${dashboard.url}/checks`, { headers: { "x-forwarded-user": "alice@example.com" }, localAddress: "127.0.0.2" });
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^\/sign-in\?/);
  });
});

/** Signs in with the printed one-time link and returns the overview's HTML. */
async function signedInOverview(dashboard: RunningDashboard): Promise<string> {
  const signIn = await request(dashboard.signInUrl!);
  expect(signIn.status).toBe(302);
  const page = await request(`${dashboard.url}/`, { headers: { cookie: cookieOf(signIn.headers) } });
  expect(page.status).toBe(200);
  return page.body;
}

describe("with AWS configured in the environment (an AWS endpoint that happens to be a local AWS)", () => {
  let dashboard: RunningDashboard;
  let aws: LocalAws;
  beforeAll(async () => {
    await buildOnce();
    aws = await startLocalAws({ fixture: DEMO_FIXTURE, port: 0 });
    const account = aws.fleet.accounts[0];
    const keys = accountCredentials(account.accountId);
    dashboard = await startDashboard({
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
      AWS_REGION: "us-east-1",
      QBR_REGIONS: "us-east-1",
    });
  });
  afterAll(async () => {
    await dashboard?.stop();
    await aws?.close();
  });

  it("uses that configuration: no embedded local AWS, no demo banner", async () => {
    expect(dashboard.output()).toContain("Running against AWS");
    const html = await signedInOverview(dashboard);
    expect(html).not.toContain('data-testid="demo-banner"');
  });
});

describe("with QBR_FIXTURE set (even though AWS is configured)", () => {
  let dashboard: RunningDashboard;
  let dir: string;
  beforeAll(async () => {
    await buildOnce();
    dir = mkdtempSync(path.join(tmpdir(), "qbr-fixture-"));
    const fixture = path.join(dir, "support-case-1234.json");
    copyFileSync(DEMO_FIXTURE, fixture);
    dashboard = await startDashboard({ QBR_FIXTURE: fixture, AWS_REGION: "eu-west-1", AWS_PROFILE: "prod" });
  });
  afterAll(async () => {
    await dashboard?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the embedded local AWS on that fixture and names it in the banner", async () => {
    expect(dashboard.output()).toContain("Running against the local AWS");
    const html = await signedInOverview(dashboard);
    expect(html).toMatch(/Demo fleet on the local AWS: (<!-- -->)?support-case-1234\.json/);
  });
});

describe("configuration errors", () => {
  it("refuses to start with a message naming the variable", async () => {
    const { code, output } = await runDashboardToExit({ QBR_AUTH: "proxy", QBR_PROXY_OPERATORS: "alice" });
    expect(code).toBe(2);
    expect(output).toContain("QBR_PROXY_ADDRESSES: required with QBR_AUTH=proxy");
  });

  it("refuses to start on a fixture that does not load, naming QBR_FIXTURE and the JSON path", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "qbr-fixture-"));
    try {
      const fixture = path.join(dir, "broken.json");
      writeFileSync(fixture, JSON.stringify({ fixtureVersion: 1, accounts: [{ accountId: "123", regions: {} }] }));
      const { code, output } = await runDashboardToExit({ QBR_FIXTURE: fixture });
      expect(code).toBe(2);
      expect(output).toMatch(/^QBR_FIXTURE: .*accounts\[0\]\.accountId/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
