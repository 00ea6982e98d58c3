/**
 * Security Hub after a resource vanished (issue 14.5): an application deleted
 * between two `--security-hub` audits has its findings archived by the second
 * (RecordState ARCHIVED, Workflow RESOLVED through BatchUpdateFindings, the
 * reason in ProductFields), read back with GetFindings from the local AWS;
 * findings of a target the audit did not read stay active; the application
 * recreated makes them active and NEW again (reopened), none duplicated.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { BatchUpdateFindingsCommand, GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { openDatabase, type Db } from "~/db/database";
import { stableFindingId } from "~/export/common";
import { describeSecurityHubResult } from "~/export/security-hub";
import { accountCredentials } from "~/local-aws/fixture-types";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { PROD, REGION, SANDBOX, WEST, suppressionFleet } from "../suppressions/fleet";

let aws: TestAws;
let db: Db;
let dir: string;
const clients: SecurityHubClient[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-hub-archive-"));
  db = await openDatabase(path.join(dir, "audits.sqlite"));
  aws = await startTestAws(suppressionFleet());
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await aws.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function audit(only?: string) {
  const targets = targetsForFixture(aws.aws.fleet)
    .filter((t) => !only || t.accountId === only)
    .map((t) => ({ ...t, credentials: accountCredentials(t.accountId) }));
  aws.aws.clock.advance(60_000);
  return runAudit({ targets, endpoint: aws.aws.endpoint, db, securityHub: {}, notify: false, now: () => aws.aws.clock.now() });
}

function hub(accountId: string, region: string): SecurityHubClient {
  const client = new SecurityHubClient({ endpoint: aws.aws.endpoint, region, credentials: accountCredentials(accountId) });
  clients.push(client);
  return client;
}

async function hubFindings(accountId: string, region: string): Promise<AwsSecurityFinding[]> {
  const out: AwsSecurityFinding[] = [];
  let token: string | undefined;
  do {
    const page = await hub(accountId, region).send(new GetFindingsCommand({ MaxResults: 100, NextToken: token }));
    out.push(...(page.Findings ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

const sandboxApps = () => aws.aws.fleet.accounts.find((a) => a.accountId === SANDBOX)!.regions[REGION]!.applications;
const ofApp = (findings: AwsSecurityFinding[], applicationId: string) =>
  findings.filter((f) => f.Resources?.[0]?.Id?.includes(`:application/${applicationId}`));

describe("--security-hub after resources vanish", () => {
  it("archives and resolves the findings of a deleted application, leaves a target it did not read active, and reopens them when it returns", async () => {
    const first = await audit();
    expect(first.securityHub).toMatchObject({ failed: [], archived: 0 });
    const app = sandboxApps().find((a) => a.displayName === "sandbox-app")!;
    const before = ofApp(await hubFindings(SANDBOX, REGION), app.applicationId);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((f) => f.RecordState === "ACTIVE")).toBe(true);
    const prodBefore = await hubFindings(PROD, WEST);
    // The security team suppressed one of them in Security Hub: archiving leaves their workflow alone.
    const suppressed = before.find((f) => f.Compliance?.Status === "FAILED")!;
    await hub(SANDBOX, REGION).send(
      new BatchUpdateFindingsCommand({ FindingIdentifiers: [{ Id: suppressed.Id!, ProductArn: suppressed.ProductArn! }], Workflow: { Status: "SUPPRESSED" } }),
    );

    // The application is deleted; the next audit reads only the sandbox account.
    sandboxApps().splice(sandboxApps().indexOf(app), 1);
    const sandboxBefore = await hubFindings(SANDBOX, REGION);
    const second = await audit(SANDBOX);
    expect(second.securityHub?.failed).toEqual([]);
    // Gone: the application's findings and those of the role only its web experience used (no longer audited).
    const reported = new Set(second.report.findings.map(stableFindingId));
    const gone = sandboxBefore.filter((f) => !reported.has(f.Id!));
    expect(gone.length).toBeGreaterThan(before.length);
    expect(before.every((f) => gone.some((g) => g.Id === f.Id))).toBe(true);
    // Resolved: the open ones; passing ones were resolved already, the suppressed one is left as the team set it.
    const open = gone.filter((f) => f.Workflow?.Status === "NEW").length;
    expect(open).toBeGreaterThan(0);
    expect(second.securityHub).toMatchObject({ archived: gone.length, resolved: open });
    expect(describeSecurityHubResult(second.securityHub!)[1]).toBe(`  archived: ${gone.length} findings no longer reported (${open} resolved)`);
    const sandbox = await hubFindings(SANDBOX, REGION);
    const archived = sandbox.filter((f) => !reported.has(f.Id!));
    expect(archived.map((f) => f.Id).sort()).toEqual(gone.map((f) => f.Id).sort());
    for (const f of archived) {
      expect(f.RecordState).toBe("ARCHIVED");
      expect(f.Workflow?.Status).toBe(f.Id === suppressed.Id ? "SUPPRESSED" : "RESOLVED");
      expect(Date.parse(f.UpdatedAt!)).toBe(Date.parse(second.report.scannedAt));
    }
    const failing = archived.find((f) => f.Compliance?.Status === "FAILED" && f.Id !== suppressed.Id)!;
    expect(failing.ProductFields).toMatchObject({ "qbiz-readiness/closedReason": "resource-gone", "qbiz-readiness/fixedAt": second.report.scannedAt });
    // The FAQ bot is still there: still active. The production account was not read: its findings stay as they were.
    expect(sandbox.filter((f) => !archived.includes(f)).every((f) => f.RecordState === "ACTIVE")).toBe(true);
    expect((await hubFindings(PROD, WEST)).map((f) => [f.Id, f.RecordState, f.UpdatedAt])).toEqual(prodBefore.map((f) => [f.Id, f.RecordState, f.UpdatedAt]));

    // The application comes back (same ids): its findings are active and NEW again, not duplicated; the report says reopened.
    sandboxApps().push(app);
    const third = await audit();
    expect(third.securityHub).toMatchObject({ failed: [], archived: 0 });
    const back = ofApp(await hubFindings(SANDBOX, REGION), app.applicationId);
    expect(back.map((f) => f.Id).sort()).toEqual(before.map((f) => f.Id).sort());
    const again = back.find((f) => f.Id === failing.Id)!;
    expect(again).toMatchObject({ RecordState: "ACTIVE", Workflow: { Status: "NEW" }, ProductFields: { "qbiz-readiness/reopened": "1" } });
    expect(again.FirstObservedAt).toBe(third.report.scannedAt);
    expect(again.CreatedAt).toBe(failing.CreatedAt);
  });
});
