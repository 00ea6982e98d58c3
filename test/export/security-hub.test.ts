/**
 * ASFF into Security Hub end to end: an audit of a fleet on a local AWS sends
 * its findings (BatchImportFindings, through the real SDK) into each
 * finding's account and region, read back with GetFindings; the next audit
 * updates the same findings (none duplicated), and a fixed one is resolved.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSuppression } from "~/audit/suppression-rules";
import { runAudit } from "~/audit/run";
import { targetsForFixture } from "~/audit/targets";
import { openDatabase, type Db } from "~/db/database";
import { accountCredentials } from "~/local-aws/fixture-types";
import { AFTER, documents, syncJob } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { PROD, REGION, SANDBOX, WEST, suppressionFleet } from "../suppressions/fleet";

let aws: TestAws;
let db: Db;
let dir: string;
const clients: SecurityHubClient[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-hub-"));
  db = await openDatabase(path.join(dir, "audits.sqlite"));
  aws = await startTestAws(suppressionFleet());
});
afterAll(async () => {
  for (const c of clients) c.destroy();
  await aws.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function audit() {
  // Each account's own keys, as a fixture audit reads them; Security Hub is written with the same.
  const targets = targetsForFixture(aws.aws.fleet).map((t) => ({ ...t, credentials: accountCredentials(t.accountId) }));
  return runAudit({ targets, endpoint: aws.aws.endpoint, db, securityHub: {}, now: () => aws.aws.clock.now() });
}

async function hubFindings(accountId: string, region: string): Promise<AwsSecurityFinding[]> {
  const client = new SecurityHubClient({ endpoint: aws.aws.endpoint, region, credentials: accountCredentials(accountId) });
  clients.push(client);
  const out: AwsSecurityFinding[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new GetFindingsCommand({ MaxResults: 100, NextToken: token }));
    out.push(...(page.Findings ?? []));
    token = page.NextToken;
  } while (token);
  return out;
}

const byCheck = (findings: AwsSecurityFinding[], checkId: string) => findings.filter((f) => f.ProductFields?.["qbiz-readiness/checkId"] === checkId);

describe("audit --security-hub", () => {
  it("imports every finding into its own account and region, with the suppression and the status Security Hub resolves on", async () => {
    await createSuppression(
      db,
      { checkId: "application-identity-unsupported", applicationId: "faq-bot-*", reason: "public FAQ" },
      { actor: "alice", at: new Date() },
    );
    const run = await audit();
    expect(run.securityHub).toMatchObject({ failed: [], sent: run.report.findings.length, imported: run.report.findings.length });
    const sandbox = await hubFindings(SANDBOX, REGION);
    const prod = await hubFindings(PROD, WEST);
    expect(sandbox.length + prod.length).toBe(run.report.findings.length);
    expect(sandbox.every((f) => f.AwsAccountId === SANDBOX && f.ProductArn === `arn:aws:securityhub:${REGION}:${SANDBOX}:product/${SANDBOX}/default`)).toBe(
      true,
    );

    const [stale] = byCheck(prod, "datasource-full-sync-missing");
    expect(stale).toMatchObject({
      Compliance: { Status: "FAILED" },
      Workflow: { Status: "NEW" },
      Severity: { Label: "CRITICAL" },
      Resources: [{ Type: "Other", Region: WEST }],
    });
    expect(stale!.Resources![0]!.Id).toMatch(
      new RegExp(`^arn:aws:qbusiness:${WEST}:${PROD}:application/prod-app-0+/index/prod-app-ix-0+/data-source/prod-app-ds-0+$`),
    );
    expect(stale!.Remediation?.Recommendation?.Text).toBeTruthy();
    const [faq] = byCheck(sandbox, "application-identity-unsupported").filter((f) => f.Compliance?.Status === "FAILED");
    expect(faq!.ProductFields).toMatchObject({ "qbiz-readiness/suppressed": "true", "qbiz-readiness/suppressionReason": "public FAQ (by alice)" });
    expect(byCheck(prod, "webexperience-role-trust")[0]).toMatchObject({ Compliance: { Status: "PASSED" }, Workflow: { Status: "RESOLVED" } });
  });

  it("the next audit updates the same findings, none duplicated; a fixed one is resolved", async () => {
    const before = await hubFindings(PROD, WEST);
    const ds = aws.aws.fleet.accounts.find((a) => a.accountId === PROD)!.regions[WEST]!.applications[0]!.indices[0]!.dataSources[0]!;
    ds.syncJobs = [syncJob("prod-full", AFTER)];
    ds.documents = documents(2, "2025-08-01T10:01:00.000Z");
    aws.aws.clock.advance(60_000);
    const run = await audit();
    expect(run.securityHub?.failed).toEqual([]);
    const after = await hubFindings(PROD, WEST);
    expect(after.map((f) => f.Id).sort()).toEqual(before.map((f) => f.Id).sort());
    const [fixed] = byCheck(after, "datasource-full-sync-missing");
    expect(fixed).toMatchObject({
      Compliance: { Status: "PASSED" },
      Workflow: { Status: "RESOLVED" },
      CreatedAt: byCheck(before, "datasource-full-sync-missing")[0]!.CreatedAt,
    });
    expect(Date.parse(fixed!.UpdatedAt!)).toBeGreaterThan(Date.parse(byCheck(before, "datasource-full-sync-missing")[0]!.UpdatedAt!));
  });
});
