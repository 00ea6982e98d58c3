/**
 * First seen, last seen and fixed at across audits (issue 14.5), on a real
 * SQLite file and a real PostgreSQL: a fleet on the local AWS changes between
 * audits (a data source fully synced, an application and a data source
 * deleted, a role's policy emptied, restored and emptied again), and each
 * audit's report says when each finding started, when it was fixed and how
 * (passed, or its resource gone), and that a finding failing again is
 * reopened with a new first seen. A database whose audits predate the
 * lifecycle table catches up from its history.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatCsv } from "~/audit/format";
import { findingKey, getAuditReport, latestAuditId } from "~/audit/history";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import type { AuditReport, Finding } from "~/audit/types";
import { openDatabase, type Db } from "~/db/database";
import { EXPORT_CSV_COLUMNS, exportFindings } from "~/dashboard/findings-export.server";
import { fixedFindings, lifecycleByKey } from "~/db/finding-lifecycle";
import { accountCredentials } from "~/local-aws/fixture-types";
import { AFTER, documents, syncJob } from "../audit/fleet-builder";
import { parseCsv } from "../helpers/csv";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { ENGINES, openTestDatabase } from "../helpers/postgres";
import { PROD, REGION, SANDBOX, WEST, suppressionFleet } from "../suppressions/fleet";

const DAY = 86_400_000;

const find = (findings: Finding[] | undefined, checkId: string, accountId: string, status?: string) =>
  (findings ?? []).find((f) => f.checkId === checkId && f.resource.accountId === accountId && (!status || f.status === status));

describe.each(ENGINES)("finding lifecycle on %s", (engine) => {
  let aws: TestAws;
  let db: Db;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-life-"));
    db = engine === "sqlite" ? await openDatabase(path.join(dir, "audits.sqlite")) : await openTestDatabase("postgres");
    aws = await startTestAws(suppressionFleet());
  });
  afterAll(async () => {
    await aws.close();
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function audit(): Promise<AuditReport> {
    const targets = targetsForFixture(aws.aws.fleet).map((t) => ({ ...t, credentials: accountCredentials(t.accountId) }));
    const run = await runAudit({ targets, endpoint: aws.aws.endpoint, db, securityHub: false, notify: false, now: () => aws.aws.clock.now() });
    // What the database keeps is what the audit printed: lifecycles and vanished findings included.
    expect(await getAuditReport(db, run.auditId!)).toEqual(run.report);
    return run.report;
  }
  const prodApp = () => aws.aws.fleet.accounts.find((a) => a.accountId === PROD)!.regions[WEST]!.applications[0]!;
  const prodRole = () => aws.aws.fleet.accounts.find((a) => a.accountId === PROD)!.iam!.roles![0]!;
  const sandboxApps = () => aws.aws.fleet.accounts.find((a) => a.accountId === SANDBOX)!.regions[REGION]!.applications;

  it("keeps first seen, last seen and fixed at as the fleet changes; a finding failing again is reopened", async () => {
    const first = await audit();
    const t0 = first.scannedAt;
    const stale = find(first.findings, "datasource-full-sync-missing", PROD)!;
    expect(stale).toMatchObject({ status: "fail", lifecycle: { firstSeen: t0 } });
    // Open and reported by this audit: last seen is the audit itself (scannedAt), so the member reads the same every audit.
    expect(stale.lifecycle).toEqual({ firstSeen: t0 });
    expect(first.vanished).toBeUndefined();
    // A passing check that never failed has no lifecycle.
    expect(find(first.findings, "webexperience-role-trust", PROD, "pass")?.lifecycle).toBeUndefined();

    // Two days on: the production data source fully synced, the FAQ bot deleted, the production role's policy emptied.
    aws.aws.clock.advance(2 * DAY);
    const ds = prodApp().indices[0]!.dataSources[0]!;
    ds.syncJobs = [syncJob("prod-full", AFTER)];
    ds.documents = documents(2, "2025-08-01T10:01:00.000Z");
    const faq = sandboxApps().splice(0, 1)[0]!;
    const policy = prodRole().inlinePolicies!.QBusinessWebPolicy!;
    const allow = policy.Statement;
    policy.Statement = [];
    const second = await audit();
    const t2 = second.scannedAt;
    expect(find(second.findings, "datasource-full-sync-missing", PROD)).toMatchObject({
      status: "pass",
      lifecycle: { firstSeen: t0, lastSeen: t0, fixedAt: t2, fixedReason: "passed" },
    });
    const gone = find(second.vanished, "application-identity-unsupported", SANDBOX)!;
    expect(gone.resource.applicationId).toBe(faq.applicationId);
    expect(gone.lifecycle).toEqual({ firstSeen: t0, lastSeen: t0, fixedAt: t2, fixedReason: "resource-gone" });
    // The sandbox application is still audited and still stale: still open since the first audit.
    expect(find(second.findings, "datasource-full-sync-missing", SANDBOX)?.lifecycle).toEqual({ firstSeen: t0 });
    const denied = find(second.findings, "webexperience-role-getdocumentcontent", PROD, "fail")!;
    expect(denied.lifecycle).toEqual({ firstSeen: t2 });

    // A day later the policy is back (fixed); a day after that it is emptied again (reopened, a new first seen).
    aws.aws.clock.advance(DAY);
    policy.Statement = allow;
    const third = await audit();
    const t3 = third.scannedAt;
    expect(find(third.findings, "webexperience-role-getdocumentcontent", PROD)?.lifecycle).toEqual({
      firstSeen: t2,
      lastSeen: t2,
      fixedAt: t3,
      fixedReason: "passed",
    });
    expect(third.vanished).toBeUndefined();
    aws.aws.clock.advance(DAY);
    policy.Statement = [];
    const fourth = await audit();
    const t4 = fourth.scannedAt;
    expect(find(fourth.findings, "webexperience-role-getdocumentcontent", PROD, "fail")?.lifecycle).toEqual({
      firstSeen: t4,
      reopened: 1,
      firstSeenEver: t2,
    });

    // CSV: the CLI's and the dashboard's, lifecycle columns appended (none renamed).
    const cli = parseCsv(formatCsv(second));
    expect(cli[0]!.slice(-5)).toEqual(["firstSeen", "lastSeen", "fixedAt", "fixedReason", "reopened"]);
    const at = (header: string[], name: string) => header.indexOf(name);
    const cliFixed = cli.find((row) => row[0] === "datasource-full-sync-missing" && row[at(cli[0]!, "accountId")] === PROD)!;
    expect(cliFixed.slice(-5)).toEqual([t0, t0, t2, "passed", ""]);
    const exported = await exportFindings({ db, auditId: (await latestAuditId(db))!, format: "csv", filters: null });
    const dash = parseCsv(await new Response(exported!.body).text());
    expect(dash[0]).toEqual([...EXPORT_CSV_COLUMNS]);
    const reopenedRow = dash.find((row) => row[0] === "webexperience-role-getdocumentcontent" && row[at(dash[0]!, "status")] === "fail")!;
    expect([reopenedRow[at(dash[0]!, "fixedAt")], reopenedRow[at(dash[0]!, "reopened")]]).toEqual(["", "1"]);
    const dashFixed = dash.find((row) => row[0] === "datasource-full-sync-missing" && row[at(dash[0]!, "accountId")] === PROD)!;
    expect([dashFixed[at(dash[0]!, "fixedAt")], dashFixed[at(dash[0]!, "fixedReason")]]).toEqual([t2, "passed"]);

    // The fixed view: most recently fixed first, each with how it was fixed.
    const fixed = await fixedFindings(db, { limit: 10 });
    expect(fixed.rows.map((r) => [r.finding.checkId, r.lifecycle.fixedReason, r.lifecycle.fixedAt])).toEqual(
      expect.arrayContaining([
        ["datasource-full-sync-missing", "passed", t2],
        ["application-identity-unsupported", "resource-gone", t2],
      ]),
    );
    expect(fixed.rows.some((r) => r.finding.checkId === "webexperience-role-getdocumentcontent")).toBe(false);
  });

  it("a database whose audits predate the lifecycle rows catches up from its history at the next audit", async () => {
    const before = (await fixedFindings(db, { limit: 100 })).rows.map((r) => findingKey(r.finding));
    const expected = await lifecycleByKey(db, before);
    await db.kysely.deleteFrom("finding_lifecycle").execute();
    await db.kysely.deleteFrom("finding_lifecycle_progress").execute();
    aws.aws.clock.advance(DAY);
    const fifth = await audit();
    const after = await lifecycleByKey(db, before);
    for (const key of before) expect(after.get(key)).toEqual(expected.get(key));
    const reopened = find(fifth.findings, "webexperience-role-getdocumentcontent", PROD, "fail")!;
    expect(reopened.lifecycle).toMatchObject({ reopened: 1, firstSeen: expect.any(String) });
    expect((await lifecycleByKey(db, [findingKey(reopened)])).get(findingKey(reopened))?.lastSeen).toBe(fifth.scannedAt);
  });
});
