/**
 * Small builders for the fleets the audit tests run against (fixture shapes
 * from fleet-fixture.md). Ids are 36 characters, as the API requires.
 */
import type {
  Fixture,
  FixtureAccount,
  FixtureApplication,
  FixtureDataSource,
  FixtureDocument,
  FixtureIndex,
  FixtureRole,
  FixtureSyncJob,
  FixtureWebExperience,
  PolicyDocument,
} from "../../app/local-aws/fixture-types";

export const CUTOFF = "2025-07-03T00:00:00.000Z";
export const BEFORE = "2025-05-14T10:00:00.000Z";
export const AFTER = "2025-08-01T10:00:00.000Z";

/** A 36-character id, readable in test output: "app-1" → "app-1-000...". */
export function id36(label: string): string {
  return `${label}-`.padEnd(36, "0").slice(0, 36);
}

/** A 36-character numbered id: ("app", 1) → "app-0001-000...". */
export function numberedId(kind: string, n: number): string {
  return `${kind}-${String(n).padStart(4, "0")}-`.padEnd(36, "0");
}

export function fleet(accounts: FixtureAccount[], extra: Partial<Fixture> = {}): Fixture {
  return { fixtureVersion: 1, clock: "2026-11-26T12:00:00Z", accounts, ...extra };
}

export function account(accountId: string, regions: Record<string, FixtureApplication[]>, extra: Partial<FixtureAccount> = {}): FixtureAccount {
  return {
    accountId,
    regions: Object.fromEntries(Object.entries(regions).map(([r, applications]) => [r, { applications }])),
    ...extra,
  };
}

export function application(
  label: string,
  indices: FixtureIndex[],
  webExperiences: FixtureWebExperience[] = [],
  extra: Partial<FixtureApplication> = {},
): FixtureApplication {
  return {
    applicationId: id36(label),
    displayName: label,
    identityType: "AWS_IAM_IDC",
    status: "ACTIVE",
    createdAt: "2024-05-01T10:00:00Z",
    indices,
    webExperiences,
    ...extra,
  };
}

export function index(label: string, dataSources: FixtureDataSource[], extra: Partial<FixtureIndex> = {}): FixtureIndex {
  return { indexId: id36(label), displayName: label, type: "ENTERPRISE", status: "ACTIVE", createdAt: "2024-05-01T10:00:00Z", dataSources, ...extra };
}

export function dataSource(label: string, extra: Partial<FixtureDataSource> = {}): FixtureDataSource {
  return {
    dataSourceId: id36(label),
    displayName: label,
    type: "S3",
    status: "ACTIVE",
    createdAt: "2024-05-01T10:00:00Z",
    updatedAt: "2024-05-01T10:00:00Z",
    configuration: { type: "S3", version: "1.0.0", syncMode: "FORCED_FULL_CRAWL" },
    syncJobs: [],
    documents: [],
    ...extra,
  };
}

export function syncJob(label: string, startTime: string, status: FixtureSyncJob["status"] = "SUCCEEDED"): FixtureSyncJob {
  const end = new Date(Date.parse(startTime) + 60_000).toISOString();
  return {
    executionId: id36(label),
    startTime,
    endTime: end,
    status,
    metrics: { documentsAdded: "1", documentsModified: "0", documentsDeleted: "0", documentsFailed: "0", documentsScanned: "1" },
  };
}

export function documents(count: number, updatedAt: string, prefix = "doc", status: FixtureDocument["status"] = "INDEXED"): FixtureDocument[] {
  return Array.from({ length: count }, (_, i) => ({
    documentId: `s3://bucket/${prefix}-${i}.txt`,
    status,
    createdAt: "2024-05-01T10:00:00Z",
    updatedAt,
  }));
}

export function webExperience(label: string, roleArn?: string): FixtureWebExperience {
  return { webExperienceId: id36(label), status: "ACTIVE", createdAt: "2024-05-01T10:00:00Z", updatedAt: "2024-05-01T10:00:00Z", roleArn };
}

export function roleArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:role/${name}`;
}

export const IDC_TRUST: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "application.qbusiness.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:SetContext"],
    },
  ],
};

/** A web experience role allowing GetDocumentContent on every application and index of the account. */
export function webRole(name: string, statements: PolicyDocument["Statement"] = [], extra: Partial<FixtureRole> = {}): FixtureRole {
  return {
    roleName: name,
    assumeRolePolicyDocument: IDC_TRUST,
    inlinePolicies: { QBusinessWebPolicy: { Version: "2012-10-17", Statement: statements } },
    ...extra,
  };
}

export function allowGetDocumentContent(resources: string[], condition?: Record<string, Record<string, string>>): PolicyDocument["Statement"] {
  return [
    {
      Sid: "QBusinessGetDocumentContentPermission",
      Effect: "Allow",
      Action: ["qbusiness:GetDocumentContent"],
      Resource: resources,
      ...(condition ? { Condition: condition } : {}),
    },
  ];
}

/** The ARN of a fixture application, as GetDocumentContent's resource names it. */
export function applicationArn(accountId: string, region: string, applicationId: string): string {
  return `arn:aws:qbusiness:${region}:${accountId}:application/${applicationId}`;
}

/** The labels of a served application's parts: their ids and names come from these. */
export interface ServedLabels {
  app: string;
  index: string;
  web: string;
  role: string;
}

/**
 * One application with one index of `dataSources`, served by a web
 * experience whose role may call GetDocumentContent on `resources` (default:
 * the application and its indices). The role goes into the account's
 * iam.roles (singleAppFleet does both).
 */
export function servedApplication(
  accountId: string,
  region: string,
  labels: ServedLabels,
  dataSources: FixtureDataSource[],
  options: { resources?: string[]; policyName?: string } = {},
): { app: FixtureApplication; role: FixtureRole } {
  const app = application(labels.app, [index(labels.index, dataSources)], [webExperience(labels.web, roleArn(accountId, labels.role))]);
  const appArn = applicationArn(accountId, region, app.applicationId);
  const statements = allowGetDocumentContent(options.resources ?? [appArn, `${appArn}/index/*`]);
  const role = webRole(labels.role, statements);
  if (options.policyName) role.inlinePolicies = { [options.policyName]: { Version: "2012-10-17", Statement: statements } };
  return { app, role };
}

/** A fleet of one account with one served application (servedApplication) in one region. */
export function singleAppFleet(accountId: string, region: string, served: { app: FixtureApplication; role: FixtureRole }): Fixture {
  return fleet([account(accountId, { [region]: [served.app] }, { iam: { roles: [served.role] } })]);
}

/** The audit role of a member account: `trusted`'s principals may assume it, optionally only with an external id. */
export function auditRole(trusted: string, externalId?: string, roleName = "QbizReadinessAudit"): FixtureRole {
  const trust: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${trusted}:root` },
        Action: "sts:AssumeRole",
        ...(externalId ? { Condition: { StringEquals: { "sts:ExternalId": externalId } } } : {}),
      },
    ],
  };
  return { roleName, assumeRolePolicyDocument: trust };
}
