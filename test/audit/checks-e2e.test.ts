/**
 * Every check's verdicts end to end: small fleets in fixture shapes, served by
 * an in-process local AWS, read by the real SDK clients through runAudit, then
 * judged. What is asserted is what an admin would read in the report.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../app/audit/run";
import { targetsForFixture } from "../../app/audit/targets";
import { startLocalAws } from "../../app/local-aws/index";
import { accountCredentials } from "../../app/local-aws/fixture-types";
import { application, dataSource, IDC_TRUST, id36, index, webExperience } from "./fleet-builder";
import type { AuditReport, Finding } from "../../app/audit/types";
import type {
  Fixture,
  FixtureApplication,
  FixtureDataSource,
  FixtureDocument,
  FixtureRole,
  FixtureSyncJob,
  FixtureUploadedDocument,
  PolicyDocument,
} from "../../app/local-aws/fixture-types";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";

const appArn = (label: string) => `arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${id36(label)}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

function job(label: string, startTime: string, status: FixtureSyncJob["status"] = "SUCCEEDED"): FixtureSyncJob {
  return { executionId: id36(label), startTime, endTime: new Date(Date.parse(startTime) + 600_000).toISOString(), status };
}

function docs(count: number, updatedAt: string, prefix: string): FixtureDocument[] {
  return Array.from({ length: count }, (_, i) => ({
    documentId: `s3://bucket/${prefix}-${i}.pdf`,
    status: "INDEXED" as const,
    createdAt: "2024-05-01T10:00:00Z",
    updatedAt,
  }));
}

/** An Identity Center application with one index, one data source and one web experience using `role`. */
function app(label: string, opts: { source?: FixtureDataSource; role?: string; extra?: Partial<FixtureApplication> } = {}): FixtureApplication {
  return application(
    label,
    [index(`${label}-ix`, opts.source ? [opts.source] : [], { displayName: "main" })],
    [webExperience(`${label}-we`, roleArn(opts.role ?? "GoodWebRole"))],
    opts.extra,
  );
}

function withUploads(application: FixtureApplication, uploads: FixtureUploadedDocument[]): FixtureApplication {
  application.indices[0].uploadedDocuments = uploads;
  return application;
}

function role(name: string, inline: PolicyDocument["Statement"], extra: Partial<FixtureRole> = {}): FixtureRole {
  return { roleName: name, assumeRolePolicyDocument: IDC_TRUST, inlinePolicies: { WebPolicy: { Version: "2012-10-17", Statement: inline } }, ...extra };
}

const ALLOW_ALL_GDC: PolicyDocument["Statement"] = [
  { Sid: "Gdc", Effect: "Allow", Action: "qbusiness:GetDocumentContent", Resource: [`arn:aws:qbusiness:*:${ACCOUNT}:application/*`] },
];

const CUTOFF_AFTER = "2025-08-01T10:00:00Z";
const BEFORE = "2025-05-14T10:00:00Z";

/** The main fleet: one application per scenario, plus a region the scanner may not read. */
function mainFleet(): Fixture {
  return {
    fixtureVersion: 1,
    clock: "2026-11-26T12:00:00Z",
    accounts: [
      {
        accountId: ACCOUNT,
        regions: {
          [REGION]: {
            applications: [
              app("forced-full", {
                source: dataSource("forced-full-ds", { syncJobs: [job("ff-1", CUTOFF_AFTER)], documents: docs(2, "2025-08-01T10:10:00Z", "ff") }),
              }),
              app("config-changed", {
                source: dataSource("config-changed-ds", { updatedAt: "2025-09-01T00:00:00Z", syncJobs: [job("cc-1", CUTOFF_AFTER)] }),
              }),
              app("first-sync", {
                source: dataSource("first-sync-ds", {
                  createdAt: "2025-07-05T00:00:00Z",
                  updatedAt: "2025-07-05T00:00:00Z",
                  configuration: { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" },
                  syncJobs: [job("fs-1", "2025-07-05T01:00:00Z"), job("fs-2", "2025-08-05T01:00:00Z")],
                  documents: docs(2, "2025-07-05T01:10:00Z", "fs"),
                }),
              }),
              app("failed-only", {
                source: dataSource("failed-only-ds", {
                  syncJobs: [job("fo-old", BEFORE), job("fo-new", CUTOFF_AFTER, "FAILED")],
                  documents: docs(1, BEFORE, "fo"),
                }),
              }),
              app("docs-prove", {
                source: dataSource("docs-prove-ds", {
                  updatedAt: "2025-09-01T00:00:00Z",
                  syncJobs: [job("dp-1", CUTOFF_AFTER)],
                  documents: docs(3, "2025-08-01T10:05:00Z", "dp"),
                }),
              }),
              app("role-star", { role: "StarRole" }),
              app("role-app-only", { role: "AppOnlyRole" }),
              app("role-boundary", { role: "BoundaryRole" }),
              app("role-deny", { role: "DenyRole" }),
              app("anonymous", { extra: { identityType: "ANONYMOUS", webExperiences: [] } }),
              app("quicksight", { extra: { identityType: "AWS_QUICKSIGHT_IDP" } }),
              app("no-role", {
                extra: {
                  webExperiences: [
                    { webExperienceId: id36("no-role-we"), status: "ACTIVE", createdAt: "2024-05-01T10:00:00Z", updatedAt: "2024-05-01T10:00:00Z" },
                  ],
                },
              }),
              app("ghost-role", { role: "DeletedRole" }),
              app("saml-no-role", {
                extra: {
                  identityType: "AWS_IAM_IDP_SAML",
                  webExperiences: [
                    { webExperienceId: id36("saml-we"), status: "ACTIVE", createdAt: "2024-05-01T10:00:00Z", updatedAt: "2024-05-01T10:00:00Z" },
                  ],
                },
              }),
              app("trust-partial", { role: "AssumeOnlyRole" }),
              withUploads(app("uploads"), [
                { documentId: "old-agenda.docx", status: "INDEXED", createdAt: "2025-03-18T09:00:00Z", updatedAt: "2025-03-18T09:00:00Z" },
                { documentId: "new-map.pdf", status: "INDEXED", createdAt: "2025-10-21T09:00:00Z", updatedAt: "2025-10-21T09:00:00Z" },
              ]),
              withUploads(app("uploads-fresh"), [
                { documentId: "new-map.pdf", status: "INDEXED", createdAt: "2025-10-21T09:00:00Z", updatedAt: "2025-10-21T09:00:00Z" },
              ]),
            ],
          },
          "eu-west-1": { applications: [app("unlisted")] },
          "us-west-2": {
            applications: [
              app("jobs-hidden", { source: dataSource("jobs-hidden-ds", { syncJobs: [job("jh-1", CUTOFF_AFTER)], documents: docs(1, CUTOFF_AFTER, "jh") }) }),
            ],
          },
        },
        iam: {
          roles: [
            role("GoodWebRole", ALLOW_ALL_GDC),
            role("StarRole", [{ Effect: "Allow", Action: "qbusiness:*", Resource: "*" }]),
            role("AppOnlyRole", [{ Sid: "AppOnly", Effect: "Allow", Action: "qbusiness:GetDocumentContent", Resource: appArn("role-app-only") }]),
            role("BoundaryRole", ALLOW_ALL_GDC, { permissionsBoundaryArn: `arn:aws:iam::${ACCOUNT}:policy/ChatOnlyBoundary` }),
            role("DeletedRole", ALLOW_ALL_GDC),
            role("DenyRole", ALLOW_ALL_GDC, { attachedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/NoRawDownloads`] }),
            role("AssumeOnlyRole", ALLOW_ALL_GDC, {
              assumeRolePolicyDocument: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: { Service: "application.qbusiness.amazonaws.com" }, Action: "sts:AssumeRole" }],
              },
            }),
          ],
          managedPolicies: [
            {
              arn: `arn:aws:iam::${ACCOUNT}:policy/ChatOnlyBoundary`,
              policyName: "ChatOnlyBoundary",
              document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["qbusiness:Chat", "qbusiness:ChatSync"], Resource: "*" }] },
            },
            {
              arn: `arn:aws:iam::${ACCOUNT}:policy/NoRawDownloads`,
              policyName: "NoRawDownloads",
              document: { Version: "2012-10-17", Statement: [{ Sid: "NoRaw", Effect: "Deny", Action: "qbusiness:GetDocumentContent", Resource: "*" }] },
            },
          ],
        },
        denied: [
          { service: "qbusiness", region: "eu-west-1", operation: "*" },
          { service: "qbusiness", region: "us-west-2", operation: "ListDataSourceSyncJobs" },
          { service: "qbusiness", region: "us-west-2", operation: "ListDocuments" },
        ],
      },
    ],
  };
}

function findingsOf(report: AuditReport, appLabel: string, checkId: string): Finding[] {
  return report.findings.filter((f) => f.checkId === checkId && f.resource.applicationId === id36(appLabel));
}

function one(report: AuditReport, appLabel: string, checkId: string): Finding {
  const found = findingsOf(report, appLabel, checkId);
  expect(found, `${checkId} findings for ${appLabel}`).toHaveLength(1);
  return found[0];
}

const readiness = (report: AuditReport, appLabel: string) => report.applications.find((a) => a.applicationId === id36(appLabel))?.readiness;

describe("checks end to end through the SDK against the local AWS", () => {
  let report: AuditReport;
  beforeAll(async () => {
    // A fixture may not name a role it lacks, so the role is deleted from the live state, as an admin would delete it.
    const fixture = mainFleet();
    const aws = await startLocalAws({ fixture });
    try {
      const iam = aws.fleet.accounts[0].iam!;
      iam.roles = iam.roles.filter((r) => r.roleName !== "DeletedRole");
      ({ report } = await runAudit({
        endpoint: aws.endpoint,
        targets: targetsForFixture(fixture, ACCOUNT),
        credentials: accountCredentials(ACCOUNT),
        maxAttempts: 1,
      }));
    } finally {
      await aws.close();
    }
  });

  it("confirms a full sync: SUCCEEDED after the cutoff in FORCED_FULL_CRAWL, data source not updated since", () => {
    const f = one(report, "forced-full", "datasource-full-sync-missing");
    expect(f.status).toBe("pass");
    expect(f.evidence.decidingJob).toMatchObject({ executionId: id36("ff-1"), mode: "full", basis: "forced-full-crawl" });
    expect(f.evidence.syncMode).toBe("FORCED_FULL_CRAWL");
    expect(readiness(report, "forced-full")).toBe("ready");
  });

  it("warns with mode unknown when the same job ran before the data source was updated", () => {
    const f = one(report, "config-changed", "datasource-full-sync-missing");
    expect(f.status).toBe("warn");
    expect(f.evidence.decidingJob).toMatchObject({ executionId: id36("cc-1"), mode: "unknown", basis: "configuration-changed-since" });
    expect(f.evidence.dataSourceUpdatedAt).toBe("2025-09-01T00:00:00.000Z");
    expect(f.remediation.action).toBe("full-sync");
    expect(readiness(report, "config-changed")).toBe("ready");
  });

  it("passes the first sync of a data source created after the cutoff", () => {
    const f = one(report, "first-sync", "datasource-full-sync-missing");
    expect(f.status).toBe("pass");
    expect(f.evidence.decidingJob).toMatchObject({ executionId: id36("fs-1"), basis: "first-sync" });
  });

  it("fails when the only job after the cutoff FAILED, and warns that the sync is failing", () => {
    const f = one(report, "failed-only", "datasource-full-sync-missing");
    expect(f.status).toBe("fail");
    expect(f.message).toBe("No full sync after 07/02/2025: no sync since then succeeded (latest 2025-08-01 FAILED).");
    expect(one(report, "failed-only", "datasource-sync-failing").status).toBe("warn");
    expect(one(report, "failed-only", "datasource-documents-stale").status).toBe("fail");
    expect(readiness(report, "failed-only")).toBe("not-ready");
  });

  it("passes by documents when every document was re-ingested after the cutoff though the job's mode is unknown", () => {
    const f = one(report, "docs-prove", "datasource-full-sync-missing");
    expect(f.status).toBe("pass");
    expect(f.evidence.decidedBy).toBe("documents");
    expect(f.evidence.documents).toMatchObject({ scanned: 3, fresh: 3, stale: 0, capped: false });
  });

  it("passes a role allowed qbusiness:* on *, as simulated by IAM", () => {
    const f = one(report, "role-star", "webexperience-role-getdocumentcontent");
    expect(f.status).toBe("pass");
    expect(f.evidence.method).toBe("simulate");
    expect((f.evidence.decisions as { decision: string }[]).map((d) => d.decision)).toEqual(["allowed", "allowed"]);
  });

  it("fails a role allowed on the application but not on its index, offering the patch", () => {
    const f = one(report, "role-app-only", "webexperience-role-getdocumentcontent");
    expect(f.status).toBe("fail");
    expect(f.remediation.action).toBe("patch-role-policy");
    expect(f.message).toContain(`index ${id36("role-app-only-ix")}`);
    expect(f.evidence.decisions).toEqual([
      expect.objectContaining({ resourceArn: appArn("role-app-only"), decision: "allowed" }),
      expect.objectContaining({ resourceArn: `${appArn("role-app-only")}/index/${id36("role-app-only-ix")}`, decision: "implicitDeny" }),
    ]);
  });

  it("fails without a patch when the permissions boundary blocks", () => {
    const f = one(report, "role-boundary", "webexperience-role-getdocumentcontent");
    expect(f.status).toBe("fail");
    expect(f.message).toContain("permissions boundary blocks");
    expect(f.remediation.action).toBeNull();
    expect(f.evidence.permissionsBoundaryArn).toBe(`arn:aws:iam::${ACCOUNT}:policy/ChatOnlyBoundary`);
  });

  it("fails the explicit-deny check for a Deny in an attached managed policy, and offers no patch", () => {
    const f = one(report, "role-deny", "webexperience-role-explicit-deny");
    expect(f.status).toBe("fail");
    expect(f.remediation.action).toBeNull();
    expect(f.message).toContain(`arn:aws:iam::${ACCOUNT}:policy/NoRawDownloads`);
    expect(f.evidence.denyStatements).toEqual([expect.objectContaining({ policy: `arn:aws:iam::${ACCOUNT}:policy/NoRawDownloads`, policyType: "managed" })]);
    const offered = report.findings.filter((x) => x.resource.applicationId === id36("role-deny") && x.remediation.action === "patch-role-policy");
    expect(offered).toEqual([]);
    expect(findingsOf(report, "role-deny", "webexperience-role-getdocumentcontent")).toEqual([]);
  });

  it("reports an anonymous application as unsupported", () => {
    expect(one(report, "anonymous", "application-identity-unsupported").status).toBe("fail");
    expect(readiness(report, "anonymous")).toBe("unsupported");
  });

  it("is unknown for QuickSight identity", () => {
    expect(one(report, "quicksight", "application-identity-unsupported").status).toBe("unknown");
    expect(readiness(report, "quicksight")).toBe("unknown");
  });

  it("fails an Identity Center web experience without a role, and one whose role does not exist", () => {
    expect(one(report, "no-role", "webexperience-role-missing")).toMatchObject({ status: "fail", message: "The web experience has no IAM role." });
    const ghost = one(report, "ghost-role", "webexperience-role-missing");
    expect(ghost.status).toBe("fail");
    expect(ghost.message).toContain("DeletedRole, which does not exist");
    expect(findingsOf(report, "ghost-role", "webexperience-role-getdocumentcontent")).toEqual([]);
    expect(one(report, "forced-full", "webexperience-role-missing").status).toBe("pass");
  });

  it("is unknown for an IAM federation web experience without a role", () => {
    expect(one(report, "saml-no-role", "webexperience-role-missing").status).toBe("unknown");
  });

  it("fails the trust check for a role that Q Business may assume but not SetContext on, and passes the documented trust", () => {
    const f = one(report, "trust-partial", "webexperience-role-trust");
    expect(f.status).toBe("fail");
    expect(f.message).toContain("for sts:SetContext");
    expect(one(report, "forced-full", "webexperience-role-trust").status).toBe("pass");
  });

  it("fails uploaded files from before the cutoff, offering re-upload, and passes fresh ones", () => {
    const f = one(report, "uploads", "uploaded-documents-stale");
    expect(f.status).toBe("fail");
    expect(f.remediation.action).toBe("reupload-files");
    expect(f.evidence.staleExamples).toEqual([{ documentId: "old-agenda.docx", updatedAt: "2025-03-18T09:00:00.000Z" }]);
    expect(one(report, "uploads-fresh", "uploaded-documents-stale").status).toBe("pass");
  });

  it("is unknown with the AWS error where sync jobs and documents may not be read", () => {
    for (const checkId of ["datasource-full-sync-missing", "datasource-sync-failing", "datasource-documents-stale"]) {
      const f = one(report, "jobs-hidden", checkId);
      expect(f.status, checkId).toBe("unknown");
      expect(JSON.stringify(f.evidence), checkId).toContain("AccessDeniedException");
    }
    expect(readiness(report, "jobs-hidden")).toBe("unknown");
  });

  it("passes the data source checks of a healthy source", () => {
    expect(one(report, "forced-full", "datasource-documents-stale").status).toBe("pass");
    expect(one(report, "forced-full", "datasource-sync-failing").status).toBe("pass");
    expect(one(report, "forced-full", "webexperience-role-explicit-deny").status).toBe("pass");
  });

  it("fails scan-target-unreadable for a region that refuses the scanner, with the AWS error", () => {
    const f = report.findings.find((x) => x.checkId === "scan-target-unreadable" && x.resource.region === "eu-west-1");
    expect(f?.status).toBe("fail");
    expect(f?.evidence.error).toMatchObject({ code: "AccessDeniedException" });
    expect(report.applications.some((a) => a.applicationId === id36("unlisted"))).toBe(false);
  });
});

describe("local evaluation when the scanner may not simulate", () => {
  it("is unknown (method local), never pass, for an allow under a Condition", async () => {
    const fleet = mainFleet();
    const acct = fleet.accounts[0];
    acct.regions = { [REGION]: { applications: [app("conditional", { role: "ConditionalRole" })] } };
    acct.iam!.roles.push(
      role("ConditionalRole", [
        { Effect: "Allow", Action: "qbusiness:GetDocumentContent", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
      ]),
    );
    acct.denied = [{ service: "iam", operation: "SimulatePrincipalPolicy" }];
    const { report } = await runAudit({ fixture: fleet, maxAttempts: 1 });
    const f = one(report, "conditional", "webexperience-role-getdocumentcontent");
    expect(f.status).toBe("unknown");
    expect(f.evidence.method).toBe("local");
    expect(f.evidence.simulateError).toMatchObject({ code: "AccessDenied" });
    expect(readiness(report, "conditional")).toBe("unknown");
  });
});

describe("a document scan stopped at its cap", () => {
  it("cannot show every document fresh: documents-stale is unknown and the full-sync check stays a warning", async () => {
    const fleet = mainFleet();
    const acct = fleet.accounts[0];
    acct.denied = [];
    acct.regions = {
      [REGION]: {
        applications: [
          app("capped", {
            source: dataSource("capped-ds", {
              updatedAt: "2025-09-01T00:00:00Z",
              syncJobs: [job("cp-1", CUTOFF_AFTER)],
              documents: docs(5, "2025-08-01T10:05:00Z", "cp"),
            }),
          }),
        ],
      },
    };
    const { report } = await runAudit({ fixture: fleet, documentCap: 2, maxAttempts: 1 });
    const stale = one(report, "capped", "datasource-documents-stale");
    expect(stale.status).toBe("unknown");
    expect(stale.evidence).toMatchObject({ scanned: 2, capped: true });
    expect(one(report, "capped", "datasource-full-sync-missing").status).toBe("warn");
    expect(readiness(report, "capped")).toBe("unknown");
  });
});
