/**
 * The bulk-fix routes as Remix calls them (a Request with the session
 * cookie), over a real SQLite file filled by a real audit of the demo fleet,
 * the fixes acting through the SDK on an in-process local AWS: viewers and
 * posts without the CSRF token are refused, bad input is a 400 with the
 * reason, and none of them creates a batch; an operator plans the selection,
 * a wrong batch hash changes nothing, the right one runs it to its end.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestAuditId } from "~/audit/history";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { hashPassword, parsePasswordHash } from "~/auth/password.server";
import { setConfig, type Config, type ConfiguredUser } from "~/config.server";
import { dashboardDb } from "~/dashboard/db.server";
import { configureDashboardFixes } from "~/dashboard/fixes.server";
import type { Db } from "~/db/database";
import { getBulkBatch } from "~/fixes/bulk";
import * as batchRoute from "~/routes/fix.bulk.$batchId";
import * as bulkRoute from "~/routes/fix.bulk._index";
import { args, formPost as post, getRequest as get, sessionOf, thrown, type Who } from "../helpers/dashboard-requests";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const DEMO_FIXTURE = path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json");

let dir: string;
let aws: TestAws;
let db: Db;
let olivia: Who;
let victor: Who;

beforeAll(async () => {
  const hash = parsePasswordHash(await hashPassword("correct horse"));
  const users: ConfiguredUser[] = [
    { username: "olivia", role: "operator", passwordHash: hash },
    { username: "victor", role: "viewer", passwordHash: hash },
  ];
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-bulk-routes-"));
  const config: Config = {
    port: 0,
    host: "127.0.0.1",
    db: path.join(dir, "dashboard.sqlite"),
    auth: { mode: "builtin", users },
    session: { secret: "bulk-routes-test-secret-0123", secretIsRandom: false },
  };
  setConfig(config);
  aws = await startTestAws(DEMO_FIXTURE);
  // Polls wait on the fleet's clock: a 5 s sync ends at once.
  configureDashboardFixes({ localAws: aws.aws, sleep: async (ms) => aws.aws.clock.advance(ms) });
  db = await dashboardDb();
  await runAudit({ targets: targetsForFixture(aws.aws.fleet), endpoint: aws.aws.endpoint, db });
  [olivia, victor] = [await sessionOf("olivia"), await sessionOf("victor")];
}, 60_000);

afterAll(async () => {
  configureDashboardFixes({});
  await aws?.close();
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function batchCount(): Promise<number> {
  return (await db.kysely.selectFrom("bulk_batches").select("id").execute()).length;
}

async function openFullSyncFindings(checkId: string): Promise<string[]> {
  const auditId = await latestAuditId(db);
  const { rows } = await sql<{
    id: number;
  }>`SELECT id FROM findings WHERE audit_id = ${auditId} AND check_id = ${checkId} AND status IN ('fail', 'warn')
    AND remediation_action = 'full-sync' AND data_source_id IS NOT NULL ORDER BY id`.execute(db.kysely);
  return rows.map((r) => String(r.id));
}

const plan = (findingIds: string[], extra: Record<string, string> = {}) => ({ intent: "plan", choice: "full-sync", scope: "selected", findingIds, ...extra });

describe("bulk fix routes", () => {
  it("refuses a viewer, a post without the CSRF token and bad input, creating no batch", async () => {
    const ids = await openFullSyncFindings("datasource-full-sync-missing");
    expect((await thrown(bulkRoute.action(args(post("/fix/bulk", victor, plan(ids)))))).status).toBe(403);
    expect((await thrown(bulkRoute.action(args(post("/fix/bulk", olivia, plan(ids), { csrf: false }))))).status).toBe(403);
    const none = await thrown(bulkRoute.action(args(post("/fix/bulk", olivia, plan([])))));
    expect(none.status).toBe(400);
    expect(await none.text()).toMatch(/no finding was ticked/);
    const badChoice = await thrown(bulkRoute.action(args(post("/fix/bulk", olivia, plan(ids, { choice: "delete-everything" })))));
    expect(badChoice.status).toBe(400);
    expect(await badChoice.text()).toMatch(/choose the fix/);
    const badCap = await thrown(bulkRoute.action(args(post("/fix/bulk", olivia, plan(ids, { perAccount: "0" })))));
    expect(await badCap.text()).toMatch(/per account: at least 1/);
    expect(await batchCount()).toBe(0);
  });

  it("plans the ticked findings, refuses a wrong batch hash and a viewer's apply, and runs the confirmed batch to its end", async () => {
    const ids = (await openFullSyncFindings("datasource-full-sync-missing")).slice(0, 2);
    const planned = await bulkRoute.action(args(post("/fix/bulk", olivia, plan(ids, { perAccount: "1" }))));
    expect(planned.status).toBe(302);
    const batchId = planned.headers.get("location")!.match(/^\/fix\/bulk\/(\d+)$/)![1];
    const page = await batchRoute.loader(args(get(`/fix/bulk/${batchId}`, victor), { batchId }));
    expect(page.batch.state).toBe("planned");
    expect(page.batch.perAccount).toBe(1);
    expect(page.groups.reduce((n, g) => n + g.counts.dataSources, 0)).toBe(2);
    expect(page.canApply).toBe(false);

    const applyAs = (who: Who, batchHash: string) => batchRoute.action(args(post(`/fix/bulk/${batchId}`, who, { intent: "apply", batchHash }), { batchId }));
    expect((await thrown(applyAs(victor, page.batch.batchHash))).status).toBe(403);
    expect(await applyAs(olivia, "0000")).toMatchObject({ outcome: "stale-plan" });
    expect((await getBulkBatch(db, Number(batchId)))!.state).toBe("planned");
    expect(await applyAs(olivia, page.batch.batchHash)).toMatchObject({ outcome: "started" });
    expect(await applyAs(olivia, page.batch.batchHash)).toMatchObject({ outcome: "not-planned" });

    const deadline = Date.now() + 30_000;
    while ((await getBulkBatch(db, Number(batchId)))!.state !== "done") {
      if (Date.now() > deadline) throw new Error("the batch did not end");
      await new Promise((r) => setTimeout(r, 50));
    }
    const done = await batchRoute.loader(args(get(`/fix/bulk/${batchId}`, victor), { batchId }));
    expect(done.counts).toMatchObject({ succeeded: 2, failed: 0, pending: 0, running: 0 });
    expect(done.batch.items.every((i) => i.activityId !== null && i.state === "succeeded")).toBe(true);
    expect(done.batch.message).toBe("2 succeeded, 0 failed, 0 skipped (already fixed)");
  }, 60_000);

  it("answers 404 for a batch that does not exist", async () => {
    expect((await thrown(batchRoute.loader(args(get("/fix/bulk/999", victor), { batchId: "999" })))).status).toBe(404);
    expect((await thrown(batchRoute.loader(args(get("/fix/bulk/abc", victor), { batchId: "abc" })))).status).toBe(404);
  });
});
