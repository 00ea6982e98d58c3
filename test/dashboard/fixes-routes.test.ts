/**
 * The fix pages' and the activity log's loaders and actions, called as Remix
 * calls them (a Request with the session cookie), over a real SQLite file
 * filled by a real audit of the demo fleet, with the fixes acting through the
 * SDK on an in-process local AWS. Each test gets its own fleet and database,
 * so no test depends on another having run.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetDataSourceCommand, ListDocumentsCommand } from "@aws-sdk/client-qbusiness";
import { GetRolePolicyCommand, ListRolePoliciesCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { latestAuditId } from "~/audit/history";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { CSRF_FIELD } from "~/auth/csrf-input";
import { hashPassword, parsePasswordHash } from "~/auth/password.server";
import { setConfig, type Config, type ConfiguredUser } from "~/config.server";
import { dashboardDb } from "~/dashboard/db.server";
import { configureDashboardFixes, dashboardFixContext, startDashboardFixes } from "~/dashboard/fixes.server";
import type { Db } from "~/db/database";
import { sql } from "kysely";
import { applyFullSync, planFullSync } from "~/fixes/full-sync";
import { listTrackedSyncs } from "~/fixes/tracked-syncs";
import * as activityRoute from "~/routes/activity._index";
import * as activityEntryRoute from "~/routes/activity.$id";
import * as applicationRoute from "~/routes/applications.$accountId.$region.$applicationId";
import * as findingFixRoute from "~/routes/fix.finding.$findingId";
import * as fullSyncRoute from "~/routes/fix.full-sync";
import * as rolePatchRoute from "~/routes/fix.patch-role-policy";
import * as reuploadRoute from "~/routes/fix.reupload-files";
import { args, BASE, formPost as post, getRequest as get, sessionOf, thrown, type Who } from "../helpers/dashboard-requests";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const DEMO_FIXTURE = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");
const ACCOUNT = "111122223333";

/** Demo fleet applications (demo-fleet.expected.json). */
const HR_BENEFITS = { accountId: ACCOUNT, region: "us-east-1", applicationId: "dba944ec-6bc0-4ae9-a0b3-b898a2572643" };
const HR_DATA = { ...HR_BENEFITS, indexId: "2d25c4b1-c988-48af-ba9b-98a2fb430c7c", dataSourceId: "36138ad1-4798-4616-84ce-ed51f9dd4e57" };
const ENGINEERING = { accountId: ACCOUNT, region: "us-west-2", applicationId: "81991b78-fc23-4ac8-95c8-e2d56acc491f" };
const ENGINEERING_ROLE = "arn:aws:iam::111122223333:role/EngineeringAssistantWebRole";
const ENGINEERING_ROLE_NAME = "EngineeringAssistantWebRole";
const POLICY_NAME = "QBusinessGetDocumentContent";
const TRAVEL_DESK = { accountId: ACCOUNT, region: "us-west-2", applicationId: "2692c40a-7c9f-41be-a90f-8a6c9b1abf13" };
const TRAVEL_UPLOADS = { ...TRAVEL_DESK, indexId: "9113503a-da44-49f7-a54f-cf2cda578e55" };
const STALE_UPLOADS = ["national_park_services_infograph.pdf", "Offsite agenda Yosemite 2025.docx"];

// ------------------------------------------------------------------ users, requests

let users: ConfiguredUser[];
let olivia: Who;
let oscar: Who;
let victor: Who;

function config(db: string): Config {
  return {
    port: 0,
    host: "127.0.0.1",
    db,
    auth: { mode: "builtin", users },
    session: { secret: "fixes-routes-test-secret-0123", secretIsRandom: false },
  };
}

/** A multipart POST of files, as the re-upload form sends it. */
function postFiles(pathAndQuery: string, who: Who, fields: Record<string, string>, files: { name: string; text: string }[]) {
  const form = new FormData();
  form.append(CSRF_FIELD, who.csrf);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const file of files) form.append("files", new File([file.text], file.name));
  return new Request(`${BASE}${pathAndQuery}`, { method: "POST", headers: { cookie: who.cookie, origin: BASE }, body: form });
}

// ------------------------------------------------------------------ one fleet per test

interface Dashboard {
  aws: TestAws;
  db: Db;
  iam: ReturnType<TestAws["clients"]>["iam"];
}

let current: { dir: string; aws: TestAws; db: Db } | undefined;

/** A fresh demo fleet on its own local AWS, audited into a fresh dashboard database the fixes act with. */
async function freshDashboard(): Promise<Dashboard> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-fixes-routes-"));
  setConfig(config(path.join(dir, "dashboard.sqlite")));
  const aws = await startTestAws(DEMO_FIXTURE);
  // Polls wait on the fleet's clock, not the test's: a 5 s sync ends at once.
  configureDashboardFixes({ localAws: aws.aws, sleep: async (ms) => aws.aws.clock.advance(ms) });
  const db = await dashboardDb();
  await runAudit({ targets: targetsForFixture(aws.aws.fleet), endpoint: aws.aws.endpoint, db });
  // Sessions live in the dashboard's database: sign the users in on this one.
  [olivia, oscar, victor] = [await sessionOf("olivia"), await sessionOf("oscar"), await sessionOf("victor")];
  current = { dir, aws, db };
  return { aws, db, iam: aws.clients(ACCOUNT).iam };
}

afterEach(async () => {
  if (!current) return;
  const { dir, aws, db } = current;
  current = undefined;
  // Let a background sync follower finish (its last event is written as it lets go of its lock)
  // before its database and AWS go away, so the next test's follower is not refused as busy.
  await until(async () => {
    for (const s of await listTrackedSyncs(db, {})) if (["running", "started"].includes(await activityEntryStatus(db, s.activityId))) return false;
    return true;
  });
  configureDashboardFixes({});
  await aws.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Waits (in short real steps, for in-flight HTTP to the local AWS) until `condition` holds. */
async function until(condition: () => boolean | Promise<boolean>, what = "the condition", timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function inlinePolicyNames(iam: Dashboard["iam"]): Promise<string[]> {
  return (await iam.send(new ListRolePoliciesCommand({ RoleName: ENGINEERING_ROLE_NAME }))).PolicyNames ?? [];
}

async function findingId(db: Db, where: { applicationId: string; checkId: string }): Promise<number> {
  const auditId = await latestAuditId(db);
  const { rows } = await sql<{ id: number }>`SELECT id FROM findings WHERE audit_id = ${auditId} AND application_id = ${where.applicationId}
    AND check_id = ${where.checkId} AND status = 'fail'`.execute(db.kysely);
  const row = rows[0];
  if (!row) throw new Error(`no failing ${where.checkId} finding for ${where.applicationId}`);
  return row.id;
}

const rolePatchPage = `/fix/patch-role-policy?${new URLSearchParams({ accountId: ACCOUNT, roleArn: ENGINEERING_ROLE })}`;
const fullSyncPage = `/fix/full-sync?${new URLSearchParams(HR_DATA)}`;

beforeAll(async () => {
  const hash = parsePasswordHash(await hashPassword("correct horse"));
  users = [
    { username: "olivia", role: "operator", passwordHash: hash },
    { username: "oscar", role: "operator", passwordHash: hash },
    { username: "victor", role: "viewer", passwordHash: hash },
  ];
  setConfig(config(path.join(os.tmpdir(), "unused.sqlite")));
  olivia = await sessionOf("olivia");
  oscar = await sessionOf("oscar");
  victor = await sessionOf("victor");
});

// ------------------------------------------------------------------ from a finding to its fix

describe("fix links from findings", () => {
  it("sends a failing role finding to the role patch page of its role", async () => {
    const { db } = await freshDashboard();
    const id = await findingId(db, { applicationId: ENGINEERING.applicationId, checkId: "webexperience-role-getdocumentcontent" });
    const response = await thrown(findingFixRoute.loader(args(get(`/fix/finding/${id}`, victor), { findingId: String(id) })));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(rolePatchPage);
  });

  it("sends a failing data source finding to the full-sync page of that data source", async () => {
    const { db } = await freshDashboard();
    const id = await findingId(db, { applicationId: HR_BENEFITS.applicationId, checkId: "datasource-full-sync-missing" });
    const response = await thrown(findingFixRoute.loader(args(get(`/fix/finding/${id}`, victor), { findingId: String(id) })));
    expect(response.headers.get("location")).toBe(fullSyncPage);
  });

  it("sends a finding no action fixes to its manual steps on its application's page (no dead end)", async () => {
    const { db } = await freshDashboard();
    const id = await findingId(db, { applicationId: "50889d04-314c-473c-b2b7-f52a5c06956e", checkId: "application-identity-unsupported" });
    const response = await thrown(findingFixRoute.loader(args(get(`/fix/finding/${id}`, victor), { findingId: String(id) })));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/applications/111122223333/us-east-1/50889d04-314c-473c-b2b7-f52a5c06956e#finding-${id}`);
  });
});

// ------------------------------------------------------------------ role patch

describe("role policy patch page", () => {
  it("shows a viewer the exact policy diff and the applications it covers, without the right to apply", async () => {
    await freshDashboard();
    const page = await rolePatchRoute.loader(args(get(rolePatchPage, victor)));
    expect(page.canApply).toBe(false);
    expect(page.plan.status).toBe("ready");
    expect(page.plan.applications.map((a) => a.applicationId)).toEqual([ENGINEERING.applicationId]);
    const added = page.plan.details.diff.filter((line) => line.startsWith("+")).join("\n");
    expect(added).toContain("qbusiness:GetDocumentContent");
    expect(added).toContain(`application/${ENGINEERING.applicationId}`);
    expect(page.plan.details.diff.some((line) => line.startsWith("-"))).toBe(false);
  });

  it("refuses a viewer's apply with 403 and leaves the role unchanged", async () => {
    const { iam } = await freshDashboard();
    const { plan } = await rolePatchRoute.loader(args(get(rolePatchPage, victor)));
    const before = await inlinePolicyNames(iam);
    const response = await thrown(rolePatchRoute.action(args(post(rolePatchPage, victor, { intent: "apply", planHash: plan.planHash }))));
    expect(response.status).toBe(403);
    expect(await inlinePolicyNames(iam)).toEqual(before);
  });

  it("refuses an operator's apply without the CSRF token with 403 and leaves the role unchanged", async () => {
    const { iam } = await freshDashboard();
    const { plan } = await rolePatchRoute.loader(args(get(rolePatchPage, olivia)));
    const response = await thrown(rolePatchRoute.action(args(post(rolePatchPage, olivia, { intent: "apply", planHash: plan.planHash }, { csrf: false }))));
    expect(response.status).toBe(403);
    expect(await inlinePolicyNames(iam)).not.toContain(POLICY_NAME);
  });

  it("applies an operator's confirmed plan: policy put, verified, application audited again as ready", async () => {
    const { iam } = await freshDashboard();
    const { plan } = await rolePatchRoute.loader(args(get(rolePatchPage, olivia)));
    const { result } = await rolePatchRoute.action(args(post(rolePatchPage, olivia, { intent: "apply", planHash: plan.planHash })));
    expect(result.outcome).toBe("succeeded");
    expect(result.verification?.ok).toBe(true);
    expect(result.requestIds.length).toBeGreaterThan(0);
    const put = await iam.send(new GetRolePolicyCommand({ RoleName: ENGINEERING_ROLE_NAME, PolicyName: POLICY_NAME }));
    expect(JSON.parse(decodeURIComponent(put.PolicyDocument!))).toEqual(plan.details.newDocument);
    const app = await applicationRoute.loader(
      args(get(`/applications/${ENGINEERING.accountId}/${ENGINEERING.region}/${ENGINEERING.applicationId}`, olivia), ENGINEERING),
    );
    expect(app.readiness).toBe("ready");
  });

  it("re-plans a plan that changed since it was shown, with a message, and changes nothing", async () => {
    const { iam } = await freshDashboard();
    const { plan: shown } = await rolePatchRoute.loader(args(get(rolePatchPage, olivia)));
    // Someone else changes the role in between: the inline policy the patch would merge into now exists.
    const theirs = { Version: "2012-10-17", Statement: [{ Sid: "Theirs", Effect: "Allow", Action: "s3:ListBucket", Resource: "*" }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: ENGINEERING_ROLE_NAME, PolicyName: POLICY_NAME, PolicyDocument: JSON.stringify(theirs) }));

    const { result } = await rolePatchRoute.action(args(post(rolePatchPage, olivia, { intent: "apply", planHash: shown.planHash })));
    expect(result.outcome).toBe("stale-plan");
    expect(result.message).toMatch(/changed since it was shown/);
    expect(result.plan.planHash).not.toBe(shown.planHash);
    expect(result.plan.details.previousDocument).toEqual(theirs);
    const after = await iam.send(new GetRolePolicyCommand({ RoleName: ENGINEERING_ROLE_NAME, PolicyName: POLICY_NAME }));
    expect(JSON.parse(decodeURIComponent(after.PolicyDocument!))).toEqual(theirs);
  });
});

describe("a permission AWS denies", () => {
  it("shows the role patch as unavailable, naming the permission, and an apply changes nothing", async () => {
    const { aws, iam } = await freshDashboard();
    const account = aws.aws.fleet.accounts.find((a) => a.accountId === ACCOUNT)!;
    account.denied = [...(account.denied ?? []), { service: "iam", operation: "GetRole" }];

    const { plan } = await rolePatchRoute.loader(args(get(rolePatchPage, olivia)));
    expect(plan.status).toBe("unavailable");
    expect(plan.missingPermissions).toContain("iam:GetRole");
    const { result } = await rolePatchRoute.action(args(post(rolePatchPage, olivia, { intent: "apply", planHash: plan.planHash })));
    expect(result.outcome).toBe("unavailable");
    expect(result.activityId).toBeUndefined();
    expect(await inlinePolicyNames(iam)).not.toContain(POLICY_NAME);
  });
});

// ------------------------------------------------------------------ full sync

describe("full sync page", () => {
  it("plans the data source's mode, documents and past syncs for a viewer", async () => {
    await freshDashboard();
    const page = await fullSyncRoute.loader(args(get(fullSyncPage, victor)));
    expect(page.canApply).toBe(false);
    const plan = page.plans[0];
    expect(plan.status).toBe("ready");
    expect(plan.details.currentSyncMode).toBe("FULL_CRAWL");
    expect(plan.details.switchesMode).toBe(true);
    expect(plan.details.documentCount).toBe(8);
    expect(plan.details.pastSyncs.length).toBeGreaterThan(0);
    expect(plan.details.runningSync).toBeUndefined();
  });

  it("plans every failing S3 data source of the application for the bulk full sync", async () => {
    await freshDashboard();
    const page = await fullSyncRoute.loader(args(get(`/fix/full-sync?${new URLSearchParams(HR_BENEFITS)}`, victor)));
    expect(page.kind).toBe("bulk");
    expect(page.plans.map((p) => p.details.dataSource.dataSourceId)).toEqual([HR_DATA.dataSourceId]);
  });

  it("answers 400 naming what is missing when the address lacks the application", async () => {
    await freshDashboard();
    const response = await thrown(fullSyncRoute.loader(args(get(`/fix/full-sync?accountId=${ACCOUNT}`, victor))));
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/region, applicationId/);
  });

  it("starts the bulk full sync of every failing S3 data source of the application the operator confirmed", async () => {
    const { db } = await freshDashboard();
    const bulkPage = `/fix/full-sync?${new URLSearchParams(HR_BENEFITS)}`;
    const { plans } = await fullSyncRoute.loader(args(get(bulkPage, olivia)));
    const { results } = await fullSyncRoute.action(
      args(
        post(bulkPage, olivia, {
          intent: "apply",
          dataSources: plans.map((p) => `${p.details.dataSource.indexId}/${p.details.dataSource.dataSourceId}`),
          planHashes: plans.map((p) => p.planHash),
          restoreMode: "on",
        }),
      ),
    );
    expect(results.map((r) => r.outcome)).toEqual(["started"]);
    expect((await listTrackedSyncs(db, { activityId: results[0].activityId! })).map((s) => s.dataSource.dataSourceId)).toEqual([HR_DATA.dataSourceId]);
  });

  it("starts an operator's full sync, follows it, restores the incremental mode and the application becomes ready", async () => {
    const { aws, db } = await freshDashboard();
    const { plans } = await fullSyncRoute.loader(args(get(fullSyncPage, olivia)));
    const { results } = await fullSyncRoute.action(args(post(fullSyncPage, olivia, { intent: "apply", planHash: plans[0].planHash, restoreMode: "on" })));
    expect(results[0], results[0].message).toMatchObject({ outcome: "started" });
    const activityId = results[0].activityId!;

    await until(async () => (await listTrackedSyncs(db, { activityId })).every((s) => s.state === "done" || s.state === "failed"), "the sync to end");
    const entry = await activityEntryRoute.loader(args(get(`/activity/${activityId}`, olivia), { id: String(activityId) }));
    expect(entry.trackedSyncs.map((s) => [s.state, s.jobStatus])).toEqual([["done", "SUCCEEDED"]]);
    await until(async () => !["running", "started"].includes(await activityEntryStatus(db, activityId)), "the activity to end");

    const { qbusiness } = aws.clients(ACCOUNT, HR_DATA.region);
    const ds = await qbusiness.send(new GetDataSourceCommand(HR_DATA));
    expect((ds.configuration as { syncMode?: string }).syncMode).toBe("FULL_CRAWL");
    const app = await applicationRoute.loader(args(get(`/applications/x`, olivia), HR_BENEFITS));
    expect(app.readiness).toBe("ready");
  });
});

describe("server start", () => {
  it("follows again a full sync a previous server started and did not see end, and restores its mode", async () => {
    const { aws, db } = await freshDashboard();
    // A server that started the sync and stopped before following it (no background follower here).
    const ctx = await dashboardFixContext();
    const plan = await planFullSync(ctx, HR_DATA);
    const started = await applyFullSync(ctx, HR_DATA, { actor: "user:olivia", confirmPlanHash: plan.planHash, followInBackground: false });
    expect(started.outcome).toBe("started");
    expect((await listTrackedSyncs(db, { activityId: started.activityId! })).map((s) => s.state)).toEqual(["following"]);

    await startDashboardFixes({ localAws: aws.aws, sleep: async (ms) => aws.aws.clock.advance(ms) });
    expect((await listTrackedSyncs(db, { activityId: started.activityId! })).map((s) => [s.state, s.jobStatus])).toEqual([["done", "SUCCEEDED"]]);
    const { qbusiness } = aws.clients(ACCOUNT, HR_DATA.region);
    const ds = await qbusiness.send(new GetDataSourceCommand(HR_DATA));
    expect((ds.configuration as { syncMode?: string }).syncMode).toBe("FULL_CRAWL");
  });
});

async function activityEntryStatus(db: Db, id: number): Promise<string> {
  const { rows } = await sql<{ status: string }>`SELECT status FROM activity_events WHERE activity_id = ${id} ORDER BY id DESC LIMIT 1`.execute(db.kysely);
  return rows[0]!.status;
}

// ------------------------------------------------------------------ activity log

describe("activity log", () => {
  /** Patches the demo role as `who`, through the page; returns the activity id. */
  async function withRolePatchBy(who: Who): Promise<number> {
    const { plan } = await rolePatchRoute.loader(args(get(rolePatchPage, who)));
    const { result } = await rolePatchRoute.action(args(post(rolePatchPage, who, { intent: "apply", planHash: plan.planHash })));
    return result.activityId!;
  }

  it("lists each applied fix with who did it, what it touched and its outcome", async () => {
    await freshDashboard();
    const id = await withRolePatchBy(olivia);
    const page = await activityRoute.loader(args(get("/activity", victor)));
    expect(page.entries.map((e) => [e.id, e.actor, e.action, e.status])).toEqual([[id, "user:olivia", "patch-role-policy", "succeeded"]]);
    expect(page.entries[0].resources[0]).toMatchObject({ type: "role", roleArn: ENGINEERING_ROLE });
    expect(page.entries[0].requestIds.length).toBeGreaterThan(0);
  });

  it("filters entries by actor, action, outcome and resource", async () => {
    await freshDashboard();
    const patch = await withRolePatchBy(olivia);
    const { plans } = await fullSyncRoute.loader(args(get(fullSyncPage, oscar)));
    const { results } = await fullSyncRoute.action(args(post(fullSyncPage, oscar, { intent: "apply", planHash: plans[0].planHash })));
    const sync = results[0].activityId!;
    await until(async () => !["running", "started"].includes(await activityEntryStatus(current!.db, sync)), "the sync's activity to end");

    const ids = async (query: string) => (await activityRoute.loader(args(get(`/activity?${query}`, victor)))).entries.map((e) => e.id);
    expect(await ids("")).toEqual([sync, patch]);
    expect(await ids("actor=user%3Aoscar")).toEqual([sync]);
    expect(await ids("action=patch-role-policy")).toEqual([patch]);
    expect(await ids("status=succeeded")).toEqual([sync, patch]);
    expect(await ids("status=failed")).toEqual([]);
    expect(await ids(`resource=${HR_DATA.dataSourceId}`)).toEqual([sync]);
    expect(await ids("resource=EngineeringAssistantWebRole")).toEqual([patch]);
    const page = await activityRoute.loader(args(get("/activity", victor)));
    expect(page.actors).toEqual(["user:olivia", "user:oscar"]);
  });
});

// ------------------------------------------------------------------ re-upload

describe("re-upload page", () => {
  const page = `/fix/reupload-files?${new URLSearchParams(TRAVEL_UPLOADS)}`;
  const files = [
    { name: STALE_UPLOADS[0], text: "%PDF-1.4 infograph" },
    { name: "holiday photo.jpg", text: "not a document of this index" },
  ];

  async function uploadedAt(aws: TestAws): Promise<Record<string, string>> {
    const { qbusiness } = aws.clients(ACCOUNT, TRAVEL_DESK.region);
    const listed = await qbusiness.send(new ListDocumentsCommand({ applicationId: TRAVEL_DESK.applicationId, indexId: TRAVEL_UPLOADS.indexId }));
    return Object.fromEntries((listed.documentDetailList ?? []).map((d) => [d.documentId!, d.updatedAt!.toISOString()]));
  }

  it("lists the stale uploaded documents by name and date for a viewer", async () => {
    await freshDashboard();
    const data = await reuploadRoute.loader(args(get(page, victor)));
    expect(data.canApply).toBe(false);
    expect(data.plan.details.staleDocuments.map((d) => d.documentId).sort()).toEqual([...STALE_UPLOADS].sort());
    expect(data.plan.details.staleDocuments.every((d) => d.updatedAt! < "2025-07-03")).toBe(true);
  });

  it("checks chosen files by name: matched, unmatched and missing files listed, nothing sent", async () => {
    const { aws } = await freshDashboard();
    const before = await uploadedAt(aws);
    const answer = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "check" }, files)));
    expect(answer.result).toBeNull();
    expect(answer.checked!.details.matched.map((m) => [m.documentId, m.file])).toEqual([[STALE_UPLOADS[0], STALE_UPLOADS[0]]]);
    expect(answer.checked!.details.unmatchedFiles).toEqual(["holiday photo.jpg"]);
    expect(answer.checked!.details.missingFiles).toEqual([STALE_UPLOADS[1]]);
    expect(await uploadedAt(aws)).toEqual(before);
  });

  it("refuses a viewer's upload with 403 and sends nothing", async () => {
    const { aws } = await freshDashboard();
    const before = await uploadedAt(aws);
    const { checked } = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "check" }, files)));
    const response = await thrown(reuploadRoute.action(args(postFiles(page, victor, { intent: "apply", planHash: checked!.planHash }, files))));
    expect(response.status).toBe(403);
    expect(await uploadedAt(aws)).toEqual(before);
  });

  it("refuses a viewer's file check with 403 before reading any of the upload", async () => {
    await freshDashboard();
    const request = postFiles(page, victor, { intent: "check" }, files);
    const response = await thrown(reuploadRoute.action(args(request)));
    expect(response.status).toBe(403);
    expect(request.bodyUsed).toBe(false);
  });

  it("accepts up to the stale documents' count + 5 files in one check, and refuses more with a message, sending nothing", async () => {
    const { aws } = await freshDashboard();
    const before = await uploadedAt(aws);
    const extra = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `extra ${i + 1}.txt`, text: "x" }));
    const stale = STALE_UPLOADS.map((name) => ({ name, text: `copy of ${name}` }));
    const atLimit = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "check" }, [...stale, ...extra(5)])));
    expect(atLimit.problem).toBeNull();
    expect(atLimit.checked!.details.unmatchedFiles).toHaveLength(5);
    const overLimit = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "check" }, [...stale, ...extra(6)])));
    expect(overLimit.checked).toBeNull();
    expect(overLimit.problem).toMatch(/^Too many files: at most 7 can be sent at once/);
    expect(await uploadedAt(aws)).toEqual(before);
  });

  it("refuses an upload declaring more bytes than the files allowed could hold, without reading it", async () => {
    await freshDashboard();
    const request = postFiles(page, olivia, { intent: "check" }, files);
    request.headers.set("content-length", String(8 * 50 * 1024 * 1024));
    const answer = await reuploadRoute.action(args(request));
    expect(answer.checked).toBeNull();
    expect(answer.problem).toMatch(/^The upload is 400 MB, more than the 351 MB one post may carry here \(7 files of at most 50 MB\)/);
    expect(request.bodyUsed).toBe(false);
  });

  it("refuses a form field far larger than the form's own", async () => {
    await freshDashboard();
    const answer = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "check", note: "x".repeat(100 * 1024) }, files)));
    expect(answer.checked).toBeNull();
    expect(answer.problem).toMatch(/form field "note" is larger/);
  });

  it("refuses a post without the CSRF token with 403", async () => {
    await freshDashboard();
    const response = await thrown(reuploadRoute.action(args(post(page, olivia, { intent: "check" }, { csrf: false }))));
    expect(response.status).toBe(403);
  });

  it("uploads an operator's checked files, verifies them, and the application becomes ready", async () => {
    const { aws } = await freshDashboard();
    const both = STALE_UPLOADS.map((name) => ({ name, text: `new copy of ${name}` }));
    const { checked } = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "check" }, both)));
    const { result } = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "apply", planHash: checked!.planHash }, both)));
    expect(result!.outcome).toBe("succeeded");
    expect(result!.verification?.ok).toBe(true);
    expect(result!.files.map((f) => f.outcome)).toEqual(["uploaded", "uploaded"]);
    const after = await uploadedAt(aws);
    for (const name of STALE_UPLOADS) expect(after[name] > "2025-07-03").toBe(true);
    // Nothing deleted: the fresh upload of the index is still there.
    expect(Object.keys(after)).toContain("Visitor center map.pdf");
    const app = await applicationRoute.loader(args(get("/applications/x", olivia), TRAVEL_DESK));
    expect(app.readiness).toBe("ready");
  });

  it("does not upload files that differ from the ones checked: it re-plans instead", async () => {
    const { aws } = await freshDashboard();
    const before = await uploadedAt(aws);
    const { checked } = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "check" }, files)));
    const changed = [{ name: STALE_UPLOADS[0], text: "another version" }];
    const { result } = await reuploadRoute.action(args(postFiles(page, olivia, { intent: "apply", planHash: checked!.planHash }, changed)));
    expect(result!.outcome).toBe("stale-plan");
    expect(await uploadedAt(aws)).toEqual(before);
  });
});

// ------------------------------------------------------------------ rollback

describe("rollback from the activity log", () => {
  async function patched(): Promise<number> {
    const { plan } = await rolePatchRoute.loader(args(get(rolePatchPage, olivia)));
    const { result } = await rolePatchRoute.action(args(post(rolePatchPage, olivia, { intent: "apply", planHash: plan.planHash })));
    return result.activityId!;
  }

  it("offers the rollback plan of a role patch on its entry, and rolls it back: the policy the patch created is deleted", async () => {
    const { iam } = await freshDashboard();
    const id = await patched();
    const entryPage = `/activity/${id}`;
    const entry = await activityEntryRoute.loader(args(get(entryPage, olivia), { id: String(id) }));
    expect(entry.rollback?.details.operation).toBe("DeleteRolePolicy");

    const { result } = await activityEntryRoute.action(
      args(post(entryPage, olivia, { intent: "rollback", planHash: entry.rollback!.planHash }), { id: String(id) }),
    );
    expect(result.outcome).toBe("succeeded");
    expect(await inlinePolicyNames(iam)).not.toContain(POLICY_NAME);
    const after = await activityEntryRoute.loader(args(get(entryPage, olivia), { id: String(id) }));
    expect(after.entry.status).toBe("rolled-back");
    expect(after.entry.rolledBackBy).toBe(result.activityId);
    expect(after.rollback).toBeNull();
  });

  it("refuses a viewer's rollback with 403 and keeps the patch", async () => {
    const { iam } = await freshDashboard();
    const id = await patched();
    const entry = await activityEntryRoute.loader(args(get(`/activity/${id}`, victor), { id: String(id) }));
    expect(entry.canApply).toBe(false);
    const response = await thrown(
      activityEntryRoute.action(args(post(`/activity/${id}`, victor, { intent: "rollback", planHash: entry.rollback!.planHash }), { id: String(id) })),
    );
    expect(response.status).toBe(403);
    expect(await inlinePolicyNames(iam)).toContain(POLICY_NAME);
  });

  it("refuses a rollback without the CSRF token with 403", async () => {
    await freshDashboard();
    const id = await patched();
    const entry = await activityEntryRoute.loader(args(get(`/activity/${id}`, olivia), { id: String(id) }));
    const response = await thrown(
      activityEntryRoute.action(
        args(post(`/activity/${id}`, olivia, { intent: "rollback", planHash: entry.rollback!.planHash }, { csrf: false }), { id: String(id) }),
      ),
    );
    expect(response.status).toBe(403);
  });
});
