import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sql } from "kysely";
import { migrate, MIGRATIONS, openDatabase } from "../../app/db/database";
import { findingById } from "../../app/db/findings";
import { compareAudits, getApplicationInventory, getAuditReport, latestAuditId, listAudits, saveAudit } from "../../app/audit/history";
import type { AuditReport, Finding, Inventory, Readiness } from "../../app/audit/types";

const ACCOUNT = "111122223333";
const APP_A = "aaaaaaaa-0000-4000-8000-00000000000a";
const APP_B = "bbbbbbbb-0000-4000-8000-00000000000b";
const ROLE = `arn:aws:iam::${ACCOUNT}:role/QBusinessWebRole`;

function finding(checkId: string, status: Finding["status"], dataSourceId: string | null, appId = APP_A): Finding {
  return {
    checkId,
    status,
    severity: "critical",
    resource: {
      type: dataSourceId ? "data-source" : "application",
      accountId: ACCOUNT,
      region: "us-east-1",
      applicationId: appId,
      indexId: null,
      dataSourceId,
      webExperienceId: null,
      roleArn: null,
      name: dataSourceId ?? appId,
    },
    message: `${checkId} ${status}`,
    evidence: { jobs: 1 },
    remediation: { action: dataSourceId ? "full-sync" : null },
  };
}

function report(readiness: Record<string, Readiness>, findings: Finding[], targetError = false): AuditReport {
  return {
    reportVersion: 1,
    scannedAt: "2026-11-26T12:00:00.000Z",
    cutoff: "2025-07-03T00:00:00.000Z",
    targets: [
      { accountId: ACCOUNT, region: "us-east-1", status: "ok" },
      ...(targetError ? [{ accountId: ACCOUNT, region: "eu-west-1", status: "error" as const, error: { code: "AccessDeniedException", message: "no" } }] : []),
    ],
    summary: {
      applications: { total: 2, ready: 0, notReady: 0, unsupported: 0, unknown: 0 },
      findings: { fail: findings.filter((f) => f.status === "fail").length, warn: 0, unknown: 0, pass: 0 },
    },
    applications: Object.entries(readiness).map(([applicationId, r]) => ({
      accountId: ACCOUNT,
      region: "us-east-1",
      applicationId,
      displayName: `app-${applicationId.slice(0, 1)}`,
      identityType: "AWS_IAM_IDC",
      readiness: r,
    })),
    findings,
  };
}

function inventory(): Inventory {
  const app = (applicationId: string) => ({
    accountId: ACCOUNT,
    region: "us-east-1",
    applicationId,
    applicationArn: `arn:aws:qbusiness:us-east-1:${ACCOUNT}:application/${applicationId}`,
    displayName: `app-${applicationId.slice(0, 1)}`,
    identityType: "AWS_IAM_IDC",
    indices: [],
    webExperiences: [{ webExperienceId: "w".repeat(36), roleArn: ROLE }],
  });
  return {
    scannedAt: "2026-11-26T12:00:00.000Z",
    cutoff: "2025-07-03T00:00:00.000Z",
    targets: [],
    applications: [app(APP_A), app(APP_B)],
    roles: {
      [ROLE]: { roleArn: ROLE, roleName: "QBusinessWebRole", accountId: ACCOUNT, exists: true, inlinePolicies: [], attachedPolicies: [] },
      "arn:aws:iam::111122223333:role/Unused": {
        roleArn: "arn:aws:iam::111122223333:role/Unused",
        roleName: "Unused",
        accountId: ACCOUNT,
        exists: true,
        inlinePolicies: [],
        attachedPolicies: [],
      },
    },
  };
}

let tmp: string | undefined;
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe("audit history", () => {
  it("creates the database file and its folder, in WAL mode, at the latest schema version", async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-db-"));
    const file = path.join(tmp, "nested", "dir", "audits.sqlite");
    const db = await openDatabase(file);
    expect(fs.existsSync(file)).toBe(true);
    const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`PRAGMA ${name}`).execute(db.kysely)).rows[0]!)[0];
    expect(await pragma("journal_mode")).toBe("wal");
    expect(await pragma("user_version")).toBe(MIGRATIONS.length);
    await db.close();
  });

  it("re-opening a migrated database applies no migration twice", async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-db-"));
    const file = path.join(tmp, "a.sqlite");
    const first = await openDatabase(file);
    await saveAudit(first, report({ [APP_A]: "ready" }, []), inventory());
    await first.close();
    const again = await openDatabase(file);
    await expect(migrate(again)).resolves.toBeUndefined();
    expect(await listAudits(again)).toHaveLength(1);
    await again.close();
  });

  it("refuses a database whose schema is newer than this build", async () => {
    const db = await openDatabase(":memory:");
    await sql.raw(`PRAGMA user_version = ${MIGRATIONS.length + 1}`).execute(db.kysely);
    await expect(migrate(db)).rejects.toThrow(/newer than this build/);
  });

  it("saves a report and reads it back whole, newest audit first in the list", async () => {
    const db = await openDatabase(":memory:");
    const r1 = report({ [APP_A]: "not-ready" }, [finding("datasource-full-sync-missing", "fail", "d1")]);
    const r2 = report({ [APP_A]: "ready" }, [], true);
    const id1 = await saveAudit(db, r1, inventory());
    const id2 = await saveAudit(db, r2, inventory());
    expect(await getAuditReport(db, id1)).toEqual(r1);
    expect(await latestAuditId(db)).toBe(id2);
    const list = await listAudits(db);
    expect(list.map((a) => a.id)).toEqual([id2, id1]);
    expect(list[0].status).toBe("partial");
    expect(list[1].status).toBe("ok");
    expect(list[1].summary.findings.fail).toBe(1);
  });

  it("stores one findings row per finding with its resource columns", async () => {
    const db = await openDatabase(":memory:");
    const id = await saveAudit(
      db,
      report({ [APP_A]: "not-ready" }, [finding("datasource-full-sync-missing", "fail", "d1"), finding("application-identity-unsupported", "pass", null)]),
      inventory(),
    );
    const rows = (await sql<Record<string, unknown>>`SELECT * FROM findings WHERE audit_id = ${id} ORDER BY check_id`.execute(db.kysely)).rows;
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      check_id: "datasource-full-sync-missing",
      status: "fail",
      data_source_id: "d1",
      resource_type: "data-source",
      remediation_action: "full-sync",
    });
    // Evidence is read out of the finding's stored text (migration 0009), through the repository.
    expect(JSON.parse((await findingById(db, rows[1].id as number))!.evidence)).toEqual({ jobs: 1 });
  });

  it("stores each application's inventory with only the roles it uses, and its readiness", async () => {
    const db = await openDatabase(":memory:");
    const id = await saveAudit(db, report({ [APP_A]: "ready", [APP_B]: "not-ready" }, []), inventory());
    const stored = await getApplicationInventory(db, id, { accountId: ACCOUNT, region: "us-east-1", applicationId: APP_B });
    expect(stored?.applicationId).toBe(APP_B);
    expect(Object.keys(stored!.roles)).toEqual([ROLE]);
    const row = (
      await sql<{ readiness: string }>`SELECT readiness FROM audit_applications WHERE audit_id = ${id} AND application_id = ${APP_B}`.execute(db.kysely)
    ).rows[0]!;
    expect(row.readiness).toBe("not-ready");
  });

  it("a later audit that fixed a data source shows the app became ready and the finding gone", async () => {
    const db = await openDatabase(":memory:");
    const before = await saveAudit(
      db,
      report({ [APP_A]: "not-ready", [APP_B]: "ready" }, [finding("datasource-full-sync-missing", "fail", "d1")]),
      inventory(),
    );
    const after = await saveAudit(
      db,
      report({ [APP_A]: "ready", [APP_B]: "not-ready" }, [
        finding("datasource-full-sync-missing", "pass", "d1"),
        finding("datasource-documents-stale", "fail", "d9", APP_B),
      ]),
      inventory(),
    );
    const diff = await compareAudits(db, before, after);
    expect(diff.becameReady.map((c) => c.application.applicationId)).toEqual([APP_A]);
    expect(diff.regressed.map((c) => [c.application.applicationId, c.from, c.to])).toEqual([[APP_B, "ready", "not-ready"]]);
    expect(diff.goneFindings.map((f) => f.resource.dataSourceId)).toEqual(["d1"]);
    expect(diff.newFindings.map((f) => f.resource.dataSourceId)).toEqual(["d9"]);
  });

  it("comparing with an audit that does not exist throws naming it", async () => {
    const db = await openDatabase(":memory:");
    const id = await saveAudit(db, report({}, []), inventory());
    await expect(compareAudits(db, id, 999)).rejects.toThrow(/Audit 999 not found/);
  });
});
