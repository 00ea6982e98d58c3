/**
 * `npm run audit -- --format ocsf | asff` and the dashboard's OCSF download:
 * every event carries the attributes OCSF 1.6.0 requires of a Detection
 * Finding (class 2004) with the values its enums allow, a finding uid that
 * is the same in every audit, and the accepted exception where OCSF puts it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { hashPassword, parsePasswordHash } from "~/auth/password.server";
import { setConfig } from "~/config.server";
import { dashboardDb } from "~/dashboard/db.server";
import * as exportRoute from "~/routes/findings.export.$format";
import { args, getRequest, sessionOf } from "../helpers/dashboard-requests";
import { runScript } from "../helpers/cli";
import { PROD, SANDBOX, suppressionFleet } from "../suppressions/fleet";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- exported events are read as loose JSON: the assertions are the schema check
type Exported = Record<string, any>;

let dir: string;
let fixture: string;
let rules: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-ocsf-"));
  fixture = path.join(dir, "fleet.json");
  fs.writeFileSync(fixture, JSON.stringify(suppressionFleet()));
  rules = path.join(dir, "rules.json");
  fs.writeFileSync(
    rules,
    JSON.stringify({ suppressions: [{ checkId: "datasource-*", accountId: SANDBOX, reason: "sandbox", by: "alice", expires: "2099-12-31" }] }),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function exported(format: "ocsf" | "asff"): Promise<Exported[]> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    QBR_DB: path.join(dir, "cli.sqlite"),
    NODE_ENV: "test" as const,
    QBR_DASHBOARD_URL: "https://qbr.example.com/",
  };
  const run = await runScript("scripts/audit.ts", ["--fixture", fixture, "--format", format, "--fail-on", "none", "--suppressions", rules], env);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Exported[];
}

/** The attributes OCSF 1.6.0 requires of a Detection Finding (base event, finding, metadata, product, finding_info) and their enums. */
function checkRequired(e: Exported): void {
  expect(e.class_uid).toBe(2004);
  expect(e.category_uid).toBe(2);
  expect([1, 2, 3]).toContain(e.activity_id);
  expect(e.type_uid).toBe(2004 * 100 + e.activity_id);
  expect([0, 1, 2, 3, 4, 5, 6, 99]).toContain(e.severity_id);
  expect(Number.isInteger(e.time) && e.time > 0).toBe(true);
  expect(e.metadata.version).toBe("1.6.0");
  expect(e.metadata.product.name).toBe("qbiz-readiness");
  expect(typeof e.finding_info.uid).toBe("string");
  expect(e.finding_info.uid.length).toBeGreaterThan(0);
  expect([1, 2, 3, 4, 5, 6, 99]).toContain(e.status_id);
  expect(e.cloud.provider).toBe("AWS");
}

describe("OCSF and ASFF exports", () => {
  it("--format ocsf: every finding a complete Detection Finding with resource, severity, status, remediation and a stable uid", async () => {
    const first = await exported("ocsf");
    expect(first.length).toBe(19);
    for (const e of first) checkRequired(e);
    expect(new Set(first.map((e) => e.finding_info.uid)).size).toBe(first.length);

    const stale = first.find((e) => e.unmapped.check_id === "datasource-full-sync-missing" && e.cloud.account.uid === PROD)!;
    expect(stale).toMatchObject({ severity_id: 5, severity: "Critical", status_id: 1, status: "New", activity_id: 1, is_alert: true, status_detail: "fail" });
    expect(stale.resources[0].uid).toMatch(/^arn:aws:qbusiness:us-west-2:222200000002:application\/.+\/index\/.+\/data-source\/.+$/);
    expect(stale.resources[0].type).toBe("AWS::QBusiness::DataSource");
    expect(stale.remediation.desc.length).toBeGreaterThan(10);
    expect(stale.finding_info.src_url).toMatch(/^https:\/\/qbr\.example\.com\/applications\/222200000002\/us-west-2\//);

    const accepted = first.find((e) => e.unmapped.check_id === "datasource-full-sync-missing" && e.cloud.account.uid === SANDBOX)!;
    expect(accepted).toMatchObject({ status_id: 3, status: "Suppressed", is_alert: false, comment: "Accepted exception by alice until 2099-12-31: sandbox" });
    expect(accepted.unmapped.suppressed).toMatchObject({ source: "file", ruleId: "file:0" });
    const passed = first.find((e) => e.status_detail === "pass")!;
    expect(passed).toMatchObject({ activity_id: 3, status_id: 4, status: "Resolved", severity_id: 1 });

    const again = await exported("ocsf");
    expect(again.map((e) => e.finding_info.uid)).toEqual(first.map((e) => e.finding_info.uid));
  });

  it("--format asff: the members BatchImportFindings requires, the same ids as OCSF", async () => {
    const asff = await exported("asff");
    for (const f of asff) {
      for (const member of [
        "SchemaVersion",
        "Id",
        "ProductArn",
        "GeneratorId",
        "AwsAccountId",
        "Types",
        "CreatedAt",
        "UpdatedAt",
        "Severity",
        "Title",
        "Description",
        "Resources",
      ])
        expect(f[member], member).toBeTruthy();
      expect(f.ProductArn).toBe(`arn:aws:securityhub:${f.Region}:${f.AwsAccountId}:product/${f.AwsAccountId}/default`);
    }
    const accepted = asff.find((f) => f.ProductFields["qbiz-readiness/checkId"] === "datasource-full-sync-missing" && f.AwsAccountId === SANDBOX)!;
    expect(accepted).toMatchObject({ Compliance: { Status: "FAILED" }, ProductFields: { "qbiz-readiness/suppressed": "true" } });
  });

  it("the dashboard's OCSF download is the latest audit as Detection Findings", async () => {
    const hash = parsePasswordHash(await hashPassword("correct horse"));
    setConfig({
      port: 0,
      host: "127.0.0.1",
      db: path.join(dir, "dashboard.sqlite"),
      auth: { mode: "builtin", users: [{ username: "victor", role: "viewer", passwordHash: hash }] },
      session: { secret: "ocsf-test-secret-0123456789", secretIsRandom: false },
    });
    const db = await dashboardDb();
    await runAudit({ fixture: suppressionFleet(), db, suppressionsFile: rules });
    const response = (await exportRoute.loader(args(getRequest("/findings/export/ocsf", await sessionOf("victor")), { format: "ocsf" }))) as Response;
    expect(response.headers.get("content-disposition")).toMatch(/attachment; filename="qbiz-readiness-audit-1-.*\.ocsf\.json"/);
    const events = JSON.parse(await response.text()) as Exported[];
    expect(events.length).toBe(19);
    for (const e of events) checkRequired(e);
    expect(events.filter((e) => e.status_id === 3)).toHaveLength(2);
    await db.close();
  });
});
