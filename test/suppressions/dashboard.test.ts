/**
 * The accepted-exceptions page and the findings page's "show suppressed",
 * called as Remix calls them (signed-in requests with CSRF) over a real
 * SQLite file filled by real audits of a fleet on the local AWS.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDatabaseRules } from "~/audit/suppression-rules";
import { runAudit } from "~/audit/run";
import { hashPassword, parsePasswordHash } from "~/auth/password.server";
import { setConfig } from "~/config.server";
import { dashboardDb } from "~/dashboard/db.server";
import type { Db } from "~/db/database";
import { listActivity } from "~/fixes/activity-log";
import * as findingsRoute from "~/routes/findings";
import * as suppressionsRoute from "~/routes/suppressions";
import { args, formPost, getRequest, sessionOf, thrown, type Who } from "../helpers/dashboard-requests";
import { SANDBOX, suppressionFleet } from "./fleet";

let dir: string;
let db: Db;
let olivia: Who;
let victor: Who;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-supp-dash-"));
  const hash = parsePasswordHash(await hashPassword("correct horse"));
  setConfig({
    port: 0,
    host: "127.0.0.1",
    db: path.join(dir, "dashboard.sqlite"),
    auth: {
      mode: "builtin",
      users: [
        { username: "olivia", role: "operator", passwordHash: hash },
        { username: "victor", role: "viewer", passwordHash: hash },
      ],
    },
    session: { secret: "suppressions-test-secret-0123", secretIsRandom: false },
  });
  db = await dashboardDb();
  await runAudit({ fixture: suppressionFleet(), db });
  [olivia, victor] = [await sessionOf("olivia"), await sessionOf("victor")];
});
afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function post(
  who: Who,
  fields: Record<string, string>,
): Promise<{ status: number; body: { ok: boolean; message?: string; error?: string; activityId?: number } }> {
  const response = (await suppressionsRoute.action(args(formPost("/suppressions", who, fields)))) as Response;
  return { status: response.status, body: await response.json() };
}

const SANDBOX_SOURCES = {
  intent: "create",
  checkId: "datasource-*",
  accountId: "1111*",
  region: "",
  reason: "sandbox, never synced on purpose",
  expires: "2099-12-31",
};

describe("the accepted-exceptions page", () => {
  it("refuses bad input with the field named and saves nothing; viewers cannot change rules", async () => {
    const bad = await post(olivia, { ...SANDBOX_SOURCES, checkId: "no-such-check" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^Nothing was saved: checkId: must be a check id of the catalogue/);
    expect((await post(olivia, { ...SANDBOX_SOURCES, expires: "2027-13-01" })).body.error).toContain("expires: must be a date");
    expect((await thrown(suppressionsRoute.action(args(formPost("/suppressions", victor, SANDBOX_SOURCES))))).status).toBe(403);
    expect(await listDatabaseRules(db)).toEqual([]);
  });

  it("creates, edits and removes rules, each change in the activity log with who", async () => {
    const made = await post(olivia, { ...SANDBOX_SOURCES, reason: "first words" });
    expect(made.body).toMatchObject({ ok: true, message: "Exception #1 saved. It applies from the next audit." });
    const edited = await post(olivia, { ...SANDBOX_SOURCES, intent: "edit", id: "1" });
    expect(edited.body.ok).toBe(true);
    const extra = await post(olivia, { ...SANDBOX_SOURCES, checkId: "webexperience-role-missing", accountId: "999999999999" });
    expect((await post(olivia, { intent: "remove", id: "2" })).body.message).toBe("Exception #2 removed.");

    const rules = await listDatabaseRules(db);
    expect(rules.map((r) => ({ id: r.id, reason: r.reason, by: r.by, updatedBy: r.updatedBy, accountId: r.accountId, region: r.region }))).toEqual([
      { id: "db:1", reason: "sandbox, never synced on purpose", by: "user:olivia", updatedBy: "user:olivia", accountId: "1111*", region: undefined },
    ]);
    const log = await listActivity(db, { actor: "user:olivia" });
    expect(log.map((e) => e.action as string)).toEqual(["suppression-remove", "suppression-create", "suppression-edit", "suppression-create"]);
    expect(log.every((e) => e.status === "succeeded")).toBe(true);
    expect(log[0]!.message).toBe("Accepted exception #2 removed: webexperience-role-missing in 999999999999 (until 2099-12-31)");
    expect(log.find((e) => e.id === edited.body.activityId)!.plan).toMatchObject({
      details: { before: { reason: "first words" }, after: { reason: "sandbox, never synced on purpose" } },
    });
    expect(extra.body.activityId).toBeGreaterThan(0);
  });

  it("the next audit applies the rule: the findings page hides it by default, says so, and shows it on asking", async () => {
    await runAudit({ fixture: suppressionFleet(), db });
    const page = await suppressionsRoute.loader(args(getRequest("/suppressions", olivia)));
    expect(page.rules[0]).toMatchObject({ id: "db:1", latest: { matched: 2, expired: false } });

    const load = async (query: string) => findingsRoute.loader(args(getRequest(`/findings${query}`, victor)));
    const hidden = await load("");
    expect(hidden.findings.filter((f) => f.accountId === SANDBOX && f.checkId.startsWith("datasource-"))).toEqual([]);
    expect(hidden.suppressedMatching).toBe(2);
    const shown = await load("?suppressed=show");
    const sandbox = shown.findings.filter((f) => f.accountId === SANDBOX && f.checkId.startsWith("datasource-"));
    expect(sandbox).toHaveLength(2);
    for (const f of sandbox)
      expect(f).toMatchObject({
        status: "fail",
        suppressed: { reason: "sandbox, never synced on purpose", by: "user:olivia", expires: "2099-12-31", source: "database" },
      });
    expect(shown.findings.length).toBe(hidden.findings.length + 2);
    const only = await load("?suppressed=only");
    expect(only.findings.map((f) => f.checkId).sort()).toEqual(["datasource-documents-stale", "datasource-full-sync-missing"]);
  });
});
