/**
 * Targets from AWS Organizations, through the SDK to the local AWS: the walk
 * across nested OUs (more accounts than one page), the OU filter, excluded
 * and suspended accounts, callers that cannot list the organization; then a
 * whole audit of an organisation fixture: the same verdicts as the
 * equivalent hand-written targets file, and each account it could not read
 * named with what to deploy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoverOrganization } from "~/audit/organization";
import { runAudit } from "~/audit/run";
import { parseTargetsFile } from "~/audit/targets";
import type { AuditReport } from "~/audit/types";
import { accountCredentials } from "~/local-aws/fixture-types";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import {
  CLOSING_ACCOUNT,
  EXTERNAL_ID,
  MANAGEMENT,
  MEMBER,
  OUTSIDER,
  PROD,
  REGION,
  SANDBOX,
  SANDBOX_ACTIVE,
  SANDBOX_SUSPENDED,
  SUSPENDED,
  WITHOUT_ROLE,
  WITH_EXTERNAL_ID,
  WITH_ROLE,
  auditedOrganization,
  bigOrganization,
  prodAccountId,
} from "./org-fleet";

describe("discovery", () => {
  let t: TestAws;
  beforeAll(async () => {
    t = await startTestAws(bigOrganization());
  });
  afterAll(async () => {
    await t.close();
  });
  const discover = (accountId: string, extra: Partial<Parameters<typeof discoverOrganization>[0]> = {}) =>
    discoverOrganization({ endpoint: t.aws.endpoint, credentials: accountCredentials(accountId), regions: ["us-east-1", "eu-west-1"], ...extra });

  it("walks nested OUs past the first page: every active account a target through its audit role, the caller's own read directly", async () => {
    const found = await discover(MANAGEMENT);
    const prod = found.specs.filter((s) => s.ouPath === "Root/Workloads/Prod");
    expect(prod.map((s) => s.accountId)).toEqual(Array.from({ length: 25 }, (_, i) => prodAccountId(i + 1)));
    expect(prod[0]).toEqual({
      accountId: prodAccountId(1),
      regions: ["us-east-1", "eu-west-1"],
      accountName: "Prod 1",
      ouPath: "Root/Workloads/Prod",
      roleArn: `arn:aws:iam::${prodAccountId(1)}:role/QbizReadinessAudit`,
      externalId: undefined,
    });
    const management = found.specs.find((s) => s.accountId === MANAGEMENT);
    expect(management).toEqual({ accountId: MANAGEMENT, regions: ["us-east-1", "eu-west-1"], accountName: "Management", ouPath: "Root" });
    expect(found.specs.find((s) => s.accountId === SANDBOX_ACTIVE)?.ouPath).toBe("Root/Workloads/Sandbox");
    expect(found.specs).toHaveLength(1 + 1 + 25 + 1);
    // Suspended and closing accounts are listed as skipped, not as targets and not as errors.
    expect(found.summary.skipped).toHaveLength(2);
    expect(found.summary.skipped).toEqual(
      expect.arrayContaining([
        { accountId: CLOSING_ACCOUNT, name: "Leaving", status: "PENDING_CLOSURE", ouPath: "Root/Closing", reason: "pending-closure" },
        { accountId: SANDBOX_SUSPENDED, name: "Sandbox Old", status: "SUSPENDED", ouPath: "Root/Workloads/Sandbox", reason: "suspended" },
      ]),
    );
    expect(found.summary).toMatchObject({ organizationId: "o-a1b2c3d4e5", managementAccountId: MANAGEMENT, callerAccountId: MANAGEMENT });
  });

  it("--ou takes an OU and everything beneath it; --role-name, --external-id and --fix-role-name shape each target", async () => {
    const found = await discover(MANAGEMENT, { ous: [SANDBOX, PROD], roleName: "OrgAudit", externalId: "ext-42", fixRoleName: "OrgFix" });
    expect(found.specs.map((s) => s.accountId).sort()).toEqual([...Array.from({ length: 25 }, (_, i) => prodAccountId(i + 1)), SANDBOX_ACTIVE].sort());
    expect(found.specs.find((s) => s.accountId === SANDBOX_ACTIVE)).toMatchObject({
      roleArn: `arn:aws:iam::${SANDBOX_ACTIVE}:role/OrgAudit`,
      externalId: "ext-42",
      fixRoleArn: `arn:aws:iam::${SANDBOX_ACTIVE}:role/OrgFix`,
    });
    expect(found.summary.skipped.map((s) => s.accountId)).toEqual([SANDBOX_SUSPENDED]);
    const workloads = await discover(MANAGEMENT, { ous: ["ou-a1b2-11111111"] });
    expect(workloads.specs.map((s) => s.accountId)).toContain(MEMBER);
    expect(workloads.specs.map((s) => s.accountId)).not.toContain(MANAGEMENT);
  });

  it("--exclude-accounts drops accounts as skipped (excluded)", async () => {
    const found = await discover(MANAGEMENT, { excludeAccounts: [prodAccountId(3), MEMBER] });
    expect(found.specs.map((s) => s.accountId)).not.toContain(prodAccountId(3));
    expect(
      found.summary.skipped
        .filter((s) => s.reason === "excluded")
        .map((s) => s.accountId)
        .sort(),
    ).toEqual([MEMBER, prodAccountId(3)].sort());
  });

  it("an OU that is not in the organization is a setup error naming it", async () => {
    await expect(discover(MANAGEMENT, { ous: ["ou-a1b2-99999999"] })).rejects.toThrow(
      /--ou: ou-a1b2-99999999 is not an OU \(or root\) of organization o-a1b2c3d4e5/,
    );
  });

  it("a member account (not the management account) is told to use the management account's credentials", async () => {
    await expect(discover(MEMBER)).rejects.toThrow(
      new RegExp(
        `account ${MEMBER} may not list the organization's accounts \\(AccessDeniedException: You don't have permissions to access this resource.\\)\\. Run with the management account's credentials`,
      ),
    );
  });

  it("an account outside any organization is told so", async () => {
    await expect(discover(OUTSIDER)).rejects.toThrow(
      `--organization: account ${OUTSIDER} is not a member of an organization (AWSOrganizationsNotInUseException)`,
    );
  });
});

describe("an organisation-wide audit", () => {
  const verdicts = (report: AuditReport) =>
    report.findings
      .filter((f) => f.checkId !== "scan-target-unreadable")
      .map(
        (f) =>
          `${f.resource.accountId}|${f.resource.region}|${f.checkId}|${f.resource.type}|${f.resource.applicationId}|${f.resource.dataSourceId}|${f.resource.webExperienceId}|${f.status}`,
      )
      .sort();

  it("reads every active account through its role, and names each one it could not read with what to deploy", async () => {
    const { report } = await runAudit({
      fixture: auditedOrganization(),
      credentials: accountCredentials(MANAGEMENT),
      regions: [REGION],
      organization: {},
    });
    const byAccount = Object.fromEntries(report.targets.map((t) => [t.accountId, t]));
    expect(Object.keys(byAccount).sort()).toEqual([MANAGEMENT, WITH_ROLE, WITH_EXTERNAL_ID, WITHOUT_ROLE].sort());
    expect(byAccount[MANAGEMENT]).toEqual({ accountId: MANAGEMENT, region: REGION, accountName: "Management", ouPath: "Root", status: "ok" });
    expect(byAccount[WITH_ROLE]).toMatchObject({
      status: "ok",
      accountName: "Prod Assistant",
      ouPath: "Root/Workloads/Prod",
      roleArn: `arn:aws:iam::${WITH_ROLE}:role/QbizReadinessAudit`,
    });
    // Trust requires an external id that was not given; the role-less account cannot be assumed at all.
    expect(byAccount[WITH_EXTERNAL_ID]).toMatchObject({ status: "error", error: { code: "AccessDenied", operation: "sts:AssumeRole" } });
    expect(byAccount[WITHOUT_ROLE]).toMatchObject({ status: "error", error: { code: "AccessDenied", operation: "sts:AssumeRole" } });
    const unreadable = report.findings.filter((f) => f.checkId === "scan-target-unreadable" && f.status === "fail");
    expect(unreadable.map((f) => f.resource.accountId).sort()).toEqual([WITH_EXTERNAL_ID, WITHOUT_ROLE].sort());
    const missing = unreadable.find((f) => f.resource.accountId === WITHOUT_ROLE)!;
    expect(missing.message).toBe(
      `Could not read ${WITHOUT_ROLE} in ${REGION}: AccessDenied on sts:AssumeRole: User: arn:aws:iam::${MANAGEMENT}:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${WITHOUT_ROLE}:role/QbizReadinessAudit. ` +
        `Deploy the QbizReadinessAudit role in account ${WITHOUT_ROLE} (docs/deploy/roles: CloudFormation template, StackSet or Terraform module), trusting the auditing account, then audit again.`,
    );
    expect(report.organization).toMatchObject({
      organizationId: "o-a1b2c3d4e5",
      skipped: [{ accountId: SUSPENDED, name: "Old Workload", status: "SUSPENDED", ouPath: "Root/Workloads", reason: "suspended" }],
    });
    expect(report.applications.find((a) => a.accountId === WITH_ROLE)).toMatchObject({ accountName: "Prod Assistant", readiness: "not-ready" });
  });

  it("with the external id, the account that requires it is read too; a wrong one is unreadable and says the id must match", async () => {
    const run = (externalId: string) =>
      runAudit({ fixture: auditedOrganization(), credentials: accountCredentials(MANAGEMENT), regions: [REGION], organization: { externalId } });
    const { report } = await run(EXTERNAL_ID);
    expect(report.targets.find((t) => t.accountId === WITH_EXTERNAL_ID)).toMatchObject({ status: "ok", usesExternalId: true });
    const wrong = (await run("not-the-id")).report.findings.find((f) => f.checkId === "scan-target-unreadable" && f.resource.accountId === WITH_EXTERNAL_ID)!;
    expect(wrong.status).toBe("fail");
    expect(wrong.message).toMatch(/trusting the auditing account and requiring the same external id, then audit again\.$/);
  });

  it("gives the same verdicts as the equivalent hand-written targets file", async () => {
    const options = { credentials: accountCredentials(MANAGEMENT), regions: [REGION] };
    const fromOrganization = await runAudit({ fixture: auditedOrganization(), ...options, organization: { externalId: EXTERNAL_ID } });
    const targets = parseTargetsFile({
      targets: [
        { accountId: MANAGEMENT, regions: [REGION] },
        { accountId: WITH_ROLE, regions: [REGION], roleArn: `arn:aws:iam::${WITH_ROLE}:role/QbizReadinessAudit`, externalId: EXTERNAL_ID },
        { accountId: WITH_EXTERNAL_ID, regions: [REGION], roleArn: `arn:aws:iam::${WITH_EXTERNAL_ID}:role/QbizReadinessAudit`, externalId: EXTERNAL_ID },
        { accountId: WITHOUT_ROLE, regions: [REGION], roleArn: `arn:aws:iam::${WITHOUT_ROLE}:role/QbizReadinessAudit`, externalId: EXTERNAL_ID },
      ],
    });
    const fromFile = await runAudit({ fixture: auditedOrganization(), ...options, targets });
    expect(verdicts(fromOrganization.report)).toEqual(verdicts(fromFile.report));
    expect(verdicts(fromOrganization.report).length).toBeGreaterThan(6);
    expect(fromOrganization.report.summary).toEqual(fromFile.report.summary);
    expect(fromOrganization.report.applications.map((a) => [a.applicationId, a.readiness])).toEqual(
      fromFile.report.applications.map((a) => [a.applicationId, a.readiness]),
    );
  });
});
