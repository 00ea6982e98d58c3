/**
 * Sign-in, roles, sessions and CSRF, through the real route modules called
 * with Request objects (as Remix calls them), with real signed cookies.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { ActionFunctionArgs, AppLoadContext } from "@remix-run/node";
import { loadConfig, setConfig, ConfigError } from "~/config.server";
import { hashPassword } from "~/auth/password.server";
import { issueOneTimeToken } from "~/auth/one-time-token.server";
import { dashboardDb } from "~/dashboard/db.server";
import { getSession } from "~/auth/session.server";
import { verifyCsrf } from "~/auth/csrf.server";
import { requireOperator } from "~/auth/user.server";
import { requireSignInOnEveryRoute } from "~/auth/guard.server";
import type { ServerBuild } from "@remix-run/node";
import { loader as rootLoader } from "~/root";
import * as signInRoute from "~/routes/sign-in";
import * as signOutRoute from "~/routes/sign-out";

const BASE = "http://dashboard.test";
let operatorHash: string;
let viewerHash: string;
// Sessions and the sign-in throttle's counts live in the database: each configuration gets a new file, so each test starts clean.
const testDir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-auth-"));
let databases = 0;
const freshDb = () => path.join(testDir, `auth-${++databases}.sqlite`);
afterAll(() => fs.rmSync(testDir, { recursive: true, force: true }));

beforeAll(async () => {
  operatorHash = await hashPassword("correct horse");
  viewerHash = await hashPassword("viewer pass");
});

function useUsers() {
  setConfig(loadConfig({ QBR_DB: freshDb(), QBR_OPERATORS: `olivia:${operatorHash}`, QBR_VIEWERS: `victor:${viewerHash}` }));
}

/** Runs a loader/action and returns its Response, whether returned or thrown. */
async function respond(run: () => unknown): Promise<Response> {
  try {
    const result = await run();
    if (result instanceof Response) return result;
    return Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

function sessionCookie(response: Response): string | undefined {
  const setCookie = response.headers.get("set-cookie");
  return setCookie ? setCookie.split(";")[0] : undefined;
}

function get(path: string, cookie?: string): Request {
  return new Request(BASE + path, { headers: cookie ? { cookie } : {} });
}

function post(path: string, fields: Record<string, string>, cookie?: string, extraHeaders: Record<string, string> = {}): Request {
  return new Request(BASE + path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}), ...extraHeaders },
  });
}

const noContext = {} as AppLoadContext;

async function rootData(request: Request, context: AppLoadContext = noContext) {
  const response = await respond(() => rootLoader({ request, context, params: {} }));
  return { response, data: response.status === 200 ? await response.json() : undefined };
}

/** What a browser has after opening /sign-in: the anonymous session cookie and its CSRF token. */
async function openSignInPage() {
  const { response, data } = await rootData(get("/sign-in"));
  const cookie = sessionCookie(response);
  expect(cookie).toBeDefined();
  return { cookie: cookie!, csrfToken: data.csrfToken as string };
}

async function signInWithPassword(username: string, password: string, redirectTo = "/", context: AppLoadContext = noContext) {
  const page = await openSignInPage();
  const request = post("/sign-in", { csrfToken: page.csrfToken, username, password, redirectTo }, page.cookie);
  return respond(() => signInRoute.action({ request, context, params: {} }));
}

/** A POST action as every write route in the app writes it: operator first, then the CSRF check. */
async function operatorOnlyAction({ request, context }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  verifyCsrf(request, await request.formData(), await getSession(request));
  return Response.json({ doneBy: user.username });
}

describe("built-in users", () => {
  beforeEach(useUsers);

  it("redirects a signed-out visit to /sign-in, remembering the page", async () => {
    const { response } = await rootData(get("/findings?severity=high"));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!, BASE);
    expect(location.pathname).toBe("/sign-in");
    expect(location.searchParams.get("redirectTo")).toBe("/findings?severity=high");
  });

  it("answers a wrong password with 'Wrong username or password' and sets no cookie", async () => {
    const response = await signInWithPassword("olivia", "wrong");
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "Wrong username or password" });
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("answers an unknown username exactly like a wrong password", async () => {
    const response = await signInWithPassword("mallory", "correct horse");
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "Wrong username or password" });
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("signs in with the right password and returns to the page asked for, with the role in the header data", async () => {
    const response = await signInWithPassword("olivia", "correct horse", "/findings");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/findings");
    const setCookie = response.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Max-Age=43200/);
    const { data } = await rootData(get("/findings", sessionCookie(response)));
    expect(data.user).toEqual({ username: "olivia", role: "operator", via: "password" });
  });

  it("marks the session cookie Secure when the dashboard is reached over https", async () => {
    const page = await rootData(new Request("https://dashboard.test/sign-in"));
    const cookie = sessionCookie(page.response)!;
    const request = new Request("https://dashboard.test/sign-in", {
      method: "POST",
      body: new URLSearchParams({ csrfToken: page.data.csrfToken, username: "olivia", password: "correct horse" }),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    });
    const response = await respond(() => signInRoute.action({ request, context: noContext, params: {} }));
    expect(response.headers.get("set-cookie")).toMatch(/; Secure/i);
    expect(page.response.headers.get("set-cookie")).toMatch(/; Secure/i);
  });

  it("marks the session cookie Secure over plain http when QBR_COOKIE_SECURE=true (TLS ended at a proxy)", async () => {
    setConfig(loadConfig({ QBR_DB: freshDb(), QBR_OPERATORS: `olivia:${operatorHash}`, QBR_COOKIE_SECURE: "true" }));
    const page = await rootData(get("/sign-in"));
    const response = await signInWithPassword("olivia", "correct horse");
    expect(response.status).toBe(302);
    expect(response.headers.get("set-cookie")).toMatch(/; Secure/i);
    expect(page.response.headers.get("set-cookie")).toMatch(/; Secure/i);
  });

  it("leaves the Secure flag off, even over https, when QBR_COOKIE_SECURE=false", async () => {
    setConfig(loadConfig({ QBR_DB: freshDb(), QBR_OPERATORS: `olivia:${operatorHash}`, QBR_COOKIE_SECURE: "false" }));
    const page = await rootData(new Request("https://dashboard.test/sign-in"));
    expect(page.response.headers.get("set-cookie")).not.toMatch(/; Secure/i);
  });

  it("sends an already signed-in visitor of /sign-in on to the page asked for", async () => {
    const cookie = sessionCookie(await signInWithPassword("victor", "viewer pass"))!;
    const response = await respond(() => signInRoute.loader({ request: get("/sign-in?redirectTo=%2Fchanges", cookie), context: noContext, params: {} }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/changes");
  });

  it("no longer counts a sign-in older than 12 hours, even if the cookie is replayed", async () => {
    const cookie = sessionCookie(await signInWithPassword("olivia", "correct horse"))!;
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 12 * 60 * 60 * 1000 + 1000);
      expect((await rootData(get("/", cookie))).response.status).toBe(302);
    } finally {
      vi.useRealTimers();
    }
  });

  it("never redirects off-site after sign-in", async () => {
    const response = await signInWithPassword("olivia", "correct horse", "//evil.example/steal");
    expect(response.headers.get("location")).toBe("/");
  });

  it("refuses a viewer (403) on a POST guarded by requireOperator and lets an operator through", async () => {
    for (const [username, password, expected] of [
      ["victor", "viewer pass", 403],
      ["olivia", "correct horse", 200],
    ] as const) {
      const cookie = sessionCookie(await signInWithPassword(username, password))!;
      const { data } = await rootData(get("/", cookie));
      const request = post("/", { csrfToken: data.csrfToken, intent: "scan" }, cookie);
      const response = await respond(() => operatorOnlyAction({ request, context: noContext, params: {} }));
      expect(response.status, username).toBe(expected);
    }
  });

  it("refuses a POST without the CSRF token with 403 and leaves the user signed in", async () => {
    const cookie = sessionCookie(await signInWithPassword("olivia", "correct horse"))!;
    const response = await respond(() => signOutRoute.action({ request: post("/sign-out", {}, cookie), context: noContext, params: {} }));
    expect(response.status).toBe(403);
    expect(await response.text()).toBe("Missing or wrong CSRF token");
    expect((await rootData(get("/", cookie))).data.user.username).toBe("olivia");
  });

  it("refuses a POST with another session's CSRF token", async () => {
    const cookie = sessionCookie(await signInWithPassword("olivia", "correct horse"))!;
    const otherToken = (await openSignInPage()).csrfToken;
    const request = post("/sign-out", { csrfToken: otherToken }, cookie);
    const response = await respond(() => signOutRoute.action({ request, context: noContext, params: {} }));
    expect(response.status).toBe(403);
  });

  it("refuses a POST whose Origin is another site, even with the right token", async () => {
    const cookie = sessionCookie(await signInWithPassword("olivia", "correct horse"))!;
    const { data } = await rootData(get("/", cookie));
    const request = post("/sign-out", { csrfToken: data.csrfToken }, cookie, { origin: "https://evil.example" });
    const response = await respond(() => signOutRoute.action({ request, context: noContext, params: {} }));
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/Origin/);
  });

  it.each(["https://dashboard.test", "http://dashboard.test:8080", "null"])(
    "refuses a POST whose Origin is %s: scheme, host and port must all be this dashboard's",
    async (origin) => {
      const cookie = sessionCookie(await signInWithPassword("olivia", "correct horse"))!;
      const { data } = await rootData(get("/", cookie));
      const request = post("/sign-out", { csrfToken: data.csrfToken }, cookie, { origin });
      const response = await respond(() => signOutRoute.action({ request, context: noContext, params: {} }));
      expect(response.status).toBe(403);
      expect(await response.text()).toBe(`Cross-site request refused: its Origin "${origin}" is not this dashboard (${BASE}). Nothing was changed.`);
      expect((await rootData(get("/", cookie))).data.user.username).toBe("olivia");
    },
  );

  it("takes an https Origin as this dashboard's when QBR_COOKIE_SECURE=true (TLS ended at a proxy that forwards http)", async () => {
    setConfig(loadConfig({ QBR_DB: freshDb(), QBR_OPERATORS: `olivia:${operatorHash}`, QBR_COOKIE_SECURE: "true" }));
    const cookie = sessionCookie(await signInWithPassword("olivia", "correct horse"))!;
    const { data } = await rootData(get("/", cookie));
    const request = post("/sign-out", { csrfToken: data.csrfToken }, cookie, { origin: "https://dashboard.test" });
    const response = await respond(() => signOutRoute.action({ request, context: noContext, params: {} }));
    expect(response.status).toBe(302);
  });

  it("signs out with the CSRF token: the cookie is cleared and pages redirect to sign-in again", async () => {
    const cookie = sessionCookie(await signInWithPassword("olivia", "correct horse"))!;
    const { data } = await rootData(get("/", cookie));
    const request = post("/sign-out", { csrfToken: data.csrfToken }, cookie, { origin: BASE });
    const response = await respond(() => signOutRoute.action({ request, context: noContext, params: {} }));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/sign-in");
    const cleared = sessionCookie(response);
    expect((await rootData(get("/", cleared))).response.status).toBe(302);
  });

  it("does not accept a one-time link when users are configured", async () => {
    const token = await issueOneTimeToken(await dashboardDb());
    const response = await respond(() => signInRoute.loader({ request: get(`/sign-in?token=${token}`), context: noContext, params: {} }));
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("repeated wrong passwords (built-in sign-in)", () => {
  beforeEach(useUsers);
  const from = (peerAddress: string): AppLoadContext => ({ peerAddress });

  /** Five wrong passwords for `username`, each from its own address (so only the username's count fills). */
  async function fiveWrong(username: string) {
    for (let i = 1; i <= 5; i++) {
      expect((await signInWithPassword(username, `guess ${i}`, "/", from(`198.51.100.${i}`))).status).toBe(401);
    }
  }

  it("refuses a username's sixth attempt within 15 minutes, even with the right password, saying when to try again", async () => {
    await fiveWrong("olivia");
    const response = await signInWithPassword("olivia", "correct horse", "/", from("198.51.100.77"));
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({ error: "Too many failed sign-in attempts; try again in 15 minutes" });
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
  });

  it("answers a locked-out unknown username exactly like a locked-out configured one", async () => {
    await fiveWrong("olivia");
    await fiveWrong("mallory");
    const known = await signInWithPassword("olivia", "anything", "/", from("198.51.100.80"));
    const unknown = await signInWithPassword("mallory", "anything", "/", from("198.51.100.81"));
    expect(unknown.status).toBe(known.status);
    expect((await unknown.json()).error).toBe((await known.json()).error);
  });

  it("counts wrong attempts from one client address across usernames, and refuses only that address after 20", async () => {
    const attacker = from("::ffff:203.0.113.9");
    for (let i = 1; i <= 19; i++) {
      expect((await signInWithPassword(`user${i}`, "guess", "/", attacker)).status).toBe(401);
    }
    // Nineteen failures from a shared address (a proxy, a NAT) do not lock out a colleague behind it.
    expect((await signInWithPassword("olivia", "guess", "/", attacker)).status).toBe(401);
    const fromAttacker = await signInWithPassword("victor", "viewer pass", "/", from("203.0.113.9"));
    expect(fromAttacker.status).toBe(429);
    expect((await fromAttacker.json()).error).toMatch(/^Too many failed sign-in attempts; try again in \d+ minutes?$/);
    expect((await signInWithPassword("victor", "viewer pass", "/", from("203.0.113.10"))).status).toBe(302);
  });

  it("lets the username sign in again once the 15 minutes since its first wrong attempt are over", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await fiveWrong("olivia");
      vi.setSystemTime(Date.now() + 14 * 60 * 1000);
      const late = await signInWithPassword("olivia", "correct horse", "/", from("198.51.100.90"));
      expect((await late.json()).error).toBe("Too many failed sign-in attempts; try again in 1 minute");
      vi.setSystemTime(Date.now() + 60 * 1000);
      expect((await signInWithPassword("olivia", "correct horse", "/", from("198.51.100.90"))).status).toBe(302);
    } finally {
      vi.useRealTimers();
    }
  });

  it("allows four wrong attempts and then the right password", async () => {
    for (let i = 1; i <= 4; i++) expect((await signInWithPassword("olivia", `guess ${i}`, "/", from("198.51.100.5"))).status).toBe(401);
    expect((await signInWithPassword("olivia", "correct horse", "/", from("198.51.100.5"))).status).toBe(302);
  });
});

describe("the server-wide sign-in guard (serve.ts wraps the build with it)", () => {
  beforeEach(useUsers);

  /** A build with one route that forgot to ask for a user, and healthz. */
  function guardedBuild() {
    const forgetful = { loader: () => "secret data", action: () => "changed something" };
    const healthz = { loader: () => "ok" };
    const build = {
      routes: {
        "routes/forgetful": { id: "routes/forgetful", path: "forgetful", module: forgetful },
        "routes/healthz": { id: "routes/healthz", path: "healthz", module: healthz },
      },
    } as unknown as ServerBuild;
    const routes = requireSignInOnEveryRoute(build).routes as unknown as Record<string, { module: Record<string, (args: unknown) => unknown> }>;
    return { forgetful: routes["routes/forgetful"].module, healthz: routes["routes/healthz"].module };
  }

  it("redirects a signed-out request to sign-in even on a route whose loader and action do not check", async () => {
    const { forgetful } = guardedBuild();
    for (const run of [forgetful.loader, forgetful.action]) {
      const response = await respond(() => run({ request: get("/forgetful"), context: noContext, params: {} }));
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/sign-in?redirectTo=%2Fforgetful");
    }
  });

  it("lets a signed-in request through to the route", async () => {
    const cookie = sessionCookie(await signInWithPassword("victor", "viewer pass"))!;
    const { forgetful } = guardedBuild();
    await expect(forgetful.loader({ request: get("/forgetful", cookie), context: noContext, params: {} })).resolves.toBe("secret data");
  });

  it("leaves /healthz open", async () => {
    const { healthz } = guardedBuild();
    expect(await healthz.loader({ request: get("/healthz"), context: noContext, params: {} })).toBe("ok");
  });
});

describe("one-time sign-in link (no users configured)", () => {
  beforeEach(() => setConfig(loadConfig({ QBR_DB: freshDb() })));

  it("signs in an operator with the link once, then refuses the same link", async () => {
    const token = await issueOneTimeToken(await dashboardDb());
    const first = await respond(() => signInRoute.loader({ request: get(`/sign-in?token=${token}&redirectTo=%2Fchecks`), context: noContext, params: {} }));
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("/checks");
    const { data } = await rootData(get("/checks", sessionCookie(first)));
    expect(data.user).toMatchObject({ role: "operator", via: "one-time-link" });

    const second = await respond(() => signInRoute.loader({ request: get(`/sign-in?token=${token}`), context: noContext, params: {} }));
    expect(second.status).toBe(403);
    expect(second.headers.get("set-cookie")).toBeNull();
    expect((await second.json()).problem).toMatch(/already been used/);
  });

  it("refuses a made-up token", async () => {
    await issueOneTimeToken(await dashboardDb());
    const response = await respond(() => signInRoute.loader({ request: get("/sign-in?token=guess"), context: noContext, params: {} }));
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  });
});

describe("behind an authenticating proxy", () => {
  beforeEach(() =>
    setConfig(
      loadConfig({
        QBR_DB: freshDb(),
        QBR_AUTH: "proxy",
        QBR_PROXY_ADDRESSES: "10.0.0.0/24, 192.168.1.7",
        QBR_PROXY_OPERATORS: "alice@example.com",
        QBR_PROXY_VIEWERS: "bob@example.com",
      }),
    ),
  );
  const withIdentity = (identity: string) => new Request(`${BASE}/`, { headers: { "x-amzn-oidc-identity": identity } });

  it("honours the identity header from a configured proxy address", async () => {
    const { data } = await rootData(withIdentity("alice@example.com"), { peerAddress: "::ffff:10.0.0.42" });
    expect(data.user).toEqual({ username: "alice@example.com", role: "operator", via: "proxy" });
    const viewer = await rootData(withIdentity("bob@example.com"), { peerAddress: "192.168.1.7" });
    expect(viewer.data.user.role).toBe("viewer");
  });

  it("gives a proxy-signed-in user a CSRF token that a guarded POST then accepts", async () => {
    const proxy = { peerAddress: "10.0.0.9" };
    const { response, data } = await rootData(withIdentity("alice@example.com"), proxy);
    const cookie = sessionCookie(response)!;
    const request = new Request(`${BASE}/`, {
      method: "POST",
      body: new URLSearchParams({ csrfToken: data.csrfToken }),
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-amzn-oidc-identity": "alice@example.com" },
    });
    const accepted = await respond(() => operatorOnlyAction({ request, context: proxy, params: {} }));
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ doneBy: "alice@example.com" });
  });

  it("ignores the identity header from any other address (signed out)", async () => {
    const { response } = await rootData(withIdentity("alice@example.com"), { peerAddress: "10.0.1.5" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/sign-in\?/);
  });

  it("refuses (403) an identity the proxy vouches for that is on neither list", async () => {
    const { response } = await rootData(withIdentity("eve@example.com"), { peerAddress: "10.0.0.1" });
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/eve@example.com.*not allowed/);
  });
});

describe("configuration", () => {
  function problemsOf(env: Record<string, string>): string[] {
    try {
      loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  }

  it("names the variable that is wrong", () => {
    expect(problemsOf({ QBR_AUTH: "oidc" })).toEqual([expect.stringMatching(/^QBR_AUTH: must be "builtin" or "proxy"/)]);
    expect(problemsOf({ PORT: "http" })).toEqual([expect.stringMatching(/^PORT: /)]);
    expect(problemsOf({ QBR_AUTH: "proxy", QBR_PROXY_OPERATORS: "a" })).toEqual([expect.stringMatching(/^QBR_PROXY_ADDRESSES: required/)]);
    expect(problemsOf({ QBR_AUTH: "proxy", QBR_PROXY_ADDRESSES: "10.0.0.300", QBR_PROXY_OPERATORS: "a" })).toEqual([
      expect.stringMatching(/^QBR_PROXY_ADDRESSES: "10.0.0.300" is not an IP/),
    ]);
    expect(problemsOf({ QBR_COOKIE_SECURE: "yes" })).toEqual([expect.stringMatching(/^QBR_COOKIE_SECURE: must be "true" or "false"/)]);
    expect(problemsOf({ QBR_OPERATORS: "olivia:plaintext" })).toEqual([expect.stringMatching(/^QBR_OPERATORS: password hash of "olivia"/)]);
  });

  it("reads defaults when nothing is set: port 3000 on 127.0.0.1, built-in auth with no users, a random session secret", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: "127.0.0.1", auth: { mode: "builtin", users: [] }, session: { secretIsRandom: true } });
  });
});
