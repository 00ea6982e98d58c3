/**
 * Server-side sessions: the cookie holds a random id, the database the
 * session. Sign-out, the idle timeout, the absolute expiry, a changed
 * password or role, and an operator's "sign out everyone" end it at once, for
 * every copy of the cookie: the replayed cookie is refused on a page, an
 * export and an apply. Real route modules, real signed cookies, a real SQLite file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AppLoadContext } from "@remix-run/node";
import { loadConfig, setConfig } from "~/config.server";
import { hashPassword } from "~/auth/password.server";
import { runAudit } from "~/audit/run";
import * as exportRoute from "~/routes/findings.export.$format";
import * as rolePatchRoute from "~/routes/fix.patch-role-policy";
import * as sessionsRoute from "~/routes/sessions";
import * as signOutRoute from "~/routes/sign-out";
import { ACCOUNT, ROLE_ARN, fixFleet } from "../fixes/fleet";
import { cookieOf, get, post, respond, rootData, signedIn } from "./sign-in-harness";

const noContext = {} as AppLoadContext;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-sessions-"));
const DB = path.join(dir, "dashboard.sqlite");
let hashes: { olivia: string; victor: string; oliviaNew: string };

function configure(extra: Record<string, string> = {}, users = { olivia: `olivia:${hashes.olivia}`, victor: `victor:${hashes.victor}` }) {
  setConfig(
    loadConfig({ QBR_DB: DB, QBR_SESSION_SECRET: "sessions-test-secret-0123456789", QBR_OPERATORS: users.olivia, QBR_VIEWERS: users.victor, ...extra }),
  );
}

beforeAll(async () => {
  hashes = { olivia: await hashPassword("correct horse"), victor: await hashPassword("viewer pass"), oliviaNew: await hashPassword("battery staple") };
  configure();
  // A stored audit, so the export has something to give while the session lives.
  await runAudit({ fixture: fixFleet(), db: DB });
}, 60_000);

afterEach(() => {
  vi.useRealTimers();
  configure();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ROLE_PAGE = `/fix/patch-role-policy?${new URLSearchParams({ accountId: ACCOUNT, roleArn: ROLE_ARN })}`;

/** What the cookie gets on a page, the CSV export and a role-patch apply (an apply without plan hash: 400 once past sign-in and CSRF). */
async function threeRequests(who: { cookie: string; csrf: string }) {
  const page = (await rootData(get("/findings", who.cookie))).response;
  const exported = await respond(() => exportRoute.loader({ request: get("/findings/export/csv", who.cookie), context: noContext, params: { format: "csv" } }));
  const apply = await respond(() =>
    rolePatchRoute.action({ request: post(ROLE_PAGE, { csrfToken: who.csrf, intent: "apply" }, who.cookie), context: noContext, params: {} }),
  );
  return { page, exported, apply };
}

function expectSignedOut(answers: Awaited<ReturnType<typeof threeRequests>>) {
  for (const [what, response] of Object.entries(answers)) {
    expect(response.status, what).toBe(302);
    expect(response.headers.get("location"), what).toMatch(/^\/sign-in\?redirectTo=/);
  }
}

async function signOut(who: { cookie: string; csrf: string }) {
  const request = post("/sign-out", { csrfToken: who.csrf }, who.cookie);
  return respond(() => signOutRoute.action({ request, context: noContext, params: {} }));
}

describe("a copy of the cookie after sign-out", () => {
  it("works on a page, an export and an apply before sign-out, and is refused on all three after", async () => {
    const olivia = await signedIn("olivia", "correct horse");
    const before = await threeRequests(olivia);
    expect(before.page.status).toBe(200);
    expect(before.exported.status).toBe(200);
    expect(await before.exported.text()).toMatch(/^checkId,status,/);
    expect(before.apply.status).toBe(400);
    expect(await before.apply.text()).toMatch(/planHash/);

    const out = await signOut(olivia);
    expect(out.status).toBe(302);
    expect(out.headers.get("location")).toBe("/sign-in");
    expectSignedOut(await threeRequests(olivia));
  });

  it("carries only a random session id and the CSRF token, nothing about the user", async () => {
    const { cookie } = await signedIn("olivia", "correct horse");
    const value = decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1));
    const data = JSON.parse(Buffer.from(value.slice(0, value.lastIndexOf(".")), "base64").toString("utf8"));
    expect(Object.keys(data).sort()).toEqual(["csrfToken", "sessionId"]);
    expect(data.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(data)).not.toContain("olivia");
  });
});

describe("sessions end without a sign-out", () => {
  it("after the idle timeout (QBR_SESSION_IDLE_MINUTES), but not while in use", async () => {
    configure({ QBR_SESSION_IDLE_MINUTES: "30" });
    const olivia = await signedIn("olivia", "correct horse");
    vi.useFakeTimers({ toFake: ["Date"] });
    for (let i = 0; i < 3; i++) {
      vi.setSystemTime(Date.now() + 25 * 60 * 1000);
      expect((await rootData(get("/", olivia.cookie))).response.status, `use ${i + 1}`).toBe(200);
    }
    vi.setSystemTime(Date.now() + 31 * 60 * 1000);
    expectSignedOut(await threeRequests(olivia));
  });

  it("12 hours after sign-in even when used all along", async () => {
    configure({ QBR_SESSION_IDLE_MINUTES: "1440" });
    const olivia = await signedIn("olivia", "correct horse");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 11 * 60 * 60 * 1000);
    expect((await rootData(get("/", olivia.cookie))).response.status).toBe(200);
    vi.setSystemTime(Date.now() + 60 * 60 * 1000 + 1000);
    expectSignedOut(await threeRequests(olivia));
  });

  it("when the user's password changes, and stays ended if it changes back", async () => {
    const olivia = await signedIn("olivia", "correct horse");
    const victor = await signedIn("victor", "viewer pass");
    configure({}, { olivia: `olivia:${hashes.oliviaNew}`, victor: `victor:${hashes.victor}` });
    expectSignedOut(await threeRequests(olivia));
    expect((await rootData(get("/", victor.cookie))).data.user.username).toBe("victor");
    configure();
    expect((await rootData(get("/", olivia.cookie))).response.status).toBe(302);
  });

  it("when the user's role changes", async () => {
    const olivia = await signedIn("olivia", "correct horse");
    // olivia becomes a viewer, with the same password.
    setConfig(
      loadConfig({ QBR_DB: DB, QBR_SESSION_SECRET: "sessions-test-secret-0123456789", QBR_VIEWERS: `olivia:${hashes.olivia},victor:${hashes.victor}` }),
    );
    expectSignedOut(await threeRequests(olivia));
  });
});

describe("sign out everyone", () => {
  const signOutEveryone = (who: { cookie: string; csrf: string }, fields: Record<string, string> = { csrfToken: who.csrf }) =>
    respond(() => sessionsRoute.action({ request: post("/sessions", fields, who.cookie), context: noContext, params: {} }));

  it("ends every session at once, the operator's own included, and says how many", async () => {
    const olivia = await signedIn("olivia", "correct horse");
    const oliviaElsewhere = await signedIn("olivia", "correct horse");
    const victor = await signedIn("victor", "viewer pass");
    expect((await respond(() => sessionsRoute.loader({ request: get("/sessions", olivia.cookie), context: noContext, params: {} }))).status).toBe(200);

    const response = await signOutEveryone(olivia);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!, "http://dashboard.test");
    expect(location.pathname).toBe("/sign-in");
    expect(Number(location.searchParams.get("signedOutEveryone"))).toBeGreaterThanOrEqual(3);
    expect(cookieOf(response)).toMatch(/^qbr_session=;?/);
    for (const who of [olivia, oliviaElsewhere, victor]) expectSignedOut(await threeRequests(who));
  });

  it("is refused to a viewer (403) and without the CSRF token (403), ending nothing", async () => {
    const olivia = await signedIn("olivia", "correct horse");
    const victor = await signedIn("victor", "viewer pass");
    expect((await signOutEveryone(victor)).status).toBe(403);
    expect((await signOutEveryone(olivia, {})).status).toBe(403);
    expect((await rootData(get("/", olivia.cookie))).data.user.username).toBe("olivia");
    expect((await rootData(get("/", victor.cookie))).data.user.username).toBe("victor");
  });
});
