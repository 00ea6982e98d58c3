/**
 * Small hand-built inventories for the pure check tests: defaults describe a
 * healthy Identity Center application, each test changes what it is about.
 */
import type {
  ApplicationInventory,
  Check,
  DataSourceInventory,
  DocumentScan,
  Finding,
  IndexInventory,
  Inventory,
  RoleAccessEvaluation,
  RoleInventory,
  SyncJobRecord,
  WebExperienceInventory,
} from "../../../app/audit/types";

export const CUTOFF = new Date("2025-07-03T00:00:00.000Z");
export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const APP_ID = "a0000000-0000-4000-8000-000000000001";
export const INDEX_ID = "i0000000-0000-4000-8000-000000000001";
export const APP_ARN = `arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${APP_ID}`;
export const INDEX_ARN = `${APP_ARN}/index/${INDEX_ID}`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/QBusinessWebRole`;

export function scan(partial: Partial<DocumentScan> = {}): DocumentScan {
  return { scanned: 0, capped: false, staleCount: 0, staleExamples: [], freshCount: 0, ...partial };
}

export function job(partial: Partial<SyncJobRecord> & { executionId: string }): SyncJobRecord {
  return { status: "SUCCEEDED", ...partial };
}

export function dataSource(partial: Partial<DataSourceInventory> = {}): DataSourceInventory {
  return {
    dataSourceId: "d0000000-0000-4000-8000-000000000001",
    displayName: "hr-data",
    type: "S3",
    status: "ACTIVE",
    createdAt: "2024-05-01T10:00:00.000Z",
    updatedAt: "2024-05-01T10:00:00.000Z",
    configuration: { type: "S3", version: "1.0.0", syncMode: "FORCED_FULL_CRAWL" },
    syncJobs: [],
    documents: scan({ scanned: 3, freshCount: 3 }),
    ...partial,
  };
}

export function index(partial: Partial<IndexInventory> = {}): IndexInventory {
  return { indexId: INDEX_ID, indexArn: INDEX_ARN, displayName: "main", dataSources: [], ...partial };
}

export function webExperience(partial: Partial<WebExperienceInventory> = {}): WebExperienceInventory {
  return { webExperienceId: "w0000000-0000-4000-8000-000000000001", roleArn: ROLE_ARN, roleArnSource: "roleArn", ...partial };
}

export function application(partial: Partial<ApplicationInventory> = {}): ApplicationInventory {
  return {
    accountId: ACCOUNT,
    region: REGION,
    applicationId: APP_ID,
    applicationArn: APP_ARN,
    displayName: "acme-assistant",
    identityType: "AWS_IAM_IDC",
    indices: [],
    webExperiences: [],
    ...partial,
  };
}

export const QBUSINESS_TRUST = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow" as const,
      Principal: { Service: "application.qbusiness.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:SetContext"],
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnEquals: { "aws:SourceArn": APP_ARN } },
    },
  ],
};

export function role(partial: Partial<RoleInventory> = {}): RoleInventory {
  return {
    roleArn: ROLE_ARN,
    roleName: "QBusinessWebRole",
    accountId: ACCOUNT,
    exists: true,
    trustPolicy: QBUSINESS_TRUST,
    inlinePolicies: [],
    attachedPolicies: [],
    ...partial,
  };
}

/** Access as the simulator reports it: the same decision on the application and index ARNs. */
export function access(decision: RoleAccessEvaluation["resources"][number]["decision"], partial: Partial<RoleAccessEvaluation> = {}): RoleAccessEvaluation {
  return {
    method: "simulate",
    resources: [APP_ARN, INDEX_ARN].map((resourceArn) => ({
      resourceArn,
      decision,
      matchedStatements:
        decision === "allowed" ? [{ policy: "QBusinessWebPolicy", policyType: "inline" as const, sid: "Allow", effect: "Allow" as const }] : [],
    })),
    ...partial,
  };
}

export function inventory(applications: ApplicationInventory[], partial: Partial<Inventory> = {}): Inventory {
  return {
    scannedAt: "2026-11-26T12:00:00.000Z",
    cutoff: CUTOFF.toISOString(),
    targets: [{ accountId: ACCOUNT, region: REGION, status: "ok" }],
    applications,
    roles: { [ROLE_ARN]: role() },
    ...partial,
  };
}

export function runCheck(check: Check, inv: Inventory, cutoff = CUTOFF): Finding[] {
  return check.run({ inventory: inv, cutoff });
}

/** The only finding the check made; fails the test when there is not exactly one. */
export function onlyFinding(check: Check, inv: Inventory): Finding {
  const findings = runCheck(check, inv);
  if (findings.length !== 1) throw new Error(`expected one finding, got ${findings.length}: ${JSON.stringify(findings, null, 2)}`);
  return findings[0];
}

/** An inventory with one application, one index and this data source. */
export function withDataSource(ds: DataSourceInventory): Inventory {
  return inventory([application({ indices: [index({ dataSources: [ds] })] })]);
}
