/**
 * Fleet fixture validation, mirroring docs/fleet-fixture.md exactly:
 * unknown keys, wrong types, bad ids, bad times, duplicates and dangling
 * references are refused with the JSON path named, never ignored.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Fixture, FixtureApplication } from "./fixture-types";
import { organizationIssues, organizationSchema } from "./organizations-fixture";
import { structureIssues } from "./fixture-structure";

/** A fixture that does not follow the contract; `message` names the JSON path of each problem. */
export class FixtureError extends Error {
  constructor(
    message: string,
    public readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "FixtureError";
  }
}

const ID_36 = /^[a-zA-Z0-9][a-zA-Z0-9-]{35}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const id36 = z.string().regex(ID_36, { message: "expected a 36-character id matching [a-zA-Z0-9][a-zA-Z0-9-]{35}" });
const isoTime = z.string().refine((s) => ISO_TIME.test(s) && !Number.isNaN(Date.parse(s)), { message: "expected an ISO-8601 time like 2026-11-26T12:00:00Z" });
const resourceStatus = z.enum(["CREATING", "ACTIVE", "DELETING", "FAILED", "UPDATING"]);
const stringOrList = z.union([z.string(), z.array(z.string())]);

const statement = z
  .object({
    Sid: z.string().optional(),
    Effect: z.enum(["Allow", "Deny"]),
    Principal: z.unknown().optional(),
    NotPrincipal: z.unknown().optional(),
    Action: stringOrList.optional(),
    NotAction: stringOrList.optional(),
    Resource: stringOrList.optional(),
    NotResource: stringOrList.optional(),
    Condition: z.record(z.record(z.union([z.string(), z.array(z.string()), z.boolean(), z.number()]))).optional(),
  })
  .strict();

const policyDocument = z
  .object({
    Version: z.string().optional(),
    Id: z.string().optional(),
    Statement: z.union([statement, z.array(statement)]),
  })
  .strict();

const documentStatus = z.enum(["RECEIVED", "PROCESSING", "INDEXED", "UPDATED", "FAILED", "DELETING", "DELETED", "DOCUMENT_FAILED_TO_INDEX"]);

const syncJob = z
  .object({
    executionId: id36,
    startTime: isoTime,
    endTime: isoTime.optional(),
    status: z.enum(["FAILED", "SUCCEEDED", "SYNCING", "INCOMPLETE", "STOPPING", "ABORTED", "SYNCING_INDEXING"]),
    metrics: z
      .object({
        documentsAdded: z.string().optional(),
        documentsModified: z.string().optional(),
        documentsDeleted: z.string().optional(),
        documentsFailed: z.string().optional(),
        documentsScanned: z.string().optional(),
      })
      .strict()
      .optional(),
    error: z.object({ errorMessage: z.string().optional(), errorCode: z.string().optional() }).strict().optional(),
    dataSourceErrorCode: z.string().optional(),
  })
  .strict();

const document = z
  .object({
    documentId: z.string().min(1).max(1825),
    status: documentStatus,
    createdAt: isoTime,
    updatedAt: isoTime,
    s3Key: z.string().optional(),
  })
  .strict();

const uploadedDocument = z
  .object({
    documentId: z.string().min(1).max(1825),
    status: documentStatus,
    createdAt: isoTime,
    updatedAt: isoTime,
    contentType: z.string().optional(),
  })
  .strict();

/** ApplicationName, IndexName and DataSourceName in the API model: what CreateApplication/CreateIndex/CreateDataSource accept. */
const resourceName = z
  .string()
  .min(1)
  .max(1000)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, "must match the API's name pattern [a-zA-Z0-9][a-zA-Z0-9_-]* (no spaces)");

/**
 * The S3 (v2) connector's configuration, as AWS's "Amazon S3 (v2) connector"
 * API page describes it: only `type` and `connectionConfiguration` are
 * required. Members the page names are checked when present; others pass, as
 * `configuration` is free JSON in the fixture contract (older fixtures carry
 * the v1 shape's members). There is no `syncMode` in this connector.
 */
const s3v2Configuration = z
  .object({
    type: z.literal("S3V2"),
    connectionConfiguration: z
      .object({
        bucketName: z.string().min(3).max(63).optional(),
        bucketOwnerAccountId: z
          .string()
          .regex(/^\d{12}$/, { message: "expected the 12-digit account id of the bucket's owner" })
          .optional(),
      })
      .passthrough(),
    filterConfiguration: z
      .object({
        inclusionPatterns: z.array(z.string()).optional(),
        exclusionPatterns: z.array(z.string()).optional(),
        inclusionPrefixes: z.array(z.string()).optional(),
        exclusionPrefixes: z.array(z.string()).optional(),
        maxFileSizeInMegaBytes: z.number().min(0).max(10240).optional(),
      })
      .strict()
      .optional(),
    accessControlConfiguration: z
      .object({ aclConfigurationFilePath: z.string().min(1).max(1024).optional() })
      .passthrough()
      .optional(),
    deletionProtectionConfiguration: z
      .object({ enableDeletionProtection: z.boolean().optional(), deletionProtectionThreshold: z.number().int().min(0).max(100).optional() })
      .strict()
      .optional(),
    metadataFilesPrefix: z.string().optional(),
  })
  .passthrough();

const dataSource = z
  .object({
    dataSourceId: id36,
    displayName: resourceName,
    type: z.string(),
    status: z.enum(["PENDING_CREATION", "CREATING", "ACTIVE", "DELETING", "FAILED", "UPDATING"]),
    createdAt: isoTime,
    updatedAt: isoTime,
    syncSchedule: z.string().optional(),
    roleArn: z.string().optional(),
    description: z.string().optional(),
    configuration: z.record(z.unknown()),
    syncJobs: z.array(syncJob),
    documents: z.array(document),
    syncDurationSeconds: z.number().nonnegative().optional(),
    syncReingests: z.enum(["all", "changed"]).optional(),
  })
  .strict()
  .superRefine((ds, ctx) => {
    if (ds.type !== "S3V2") return;
    const parsed = s3v2Configuration.safeParse(ds.configuration);
    for (const issue of parsed.success ? [] : parsed.error.issues) ctx.addIssue({ ...issue, path: ["configuration", ...issue.path] });
  });

const index = z
  .object({
    indexId: id36,
    displayName: resourceName,
    type: z.enum(["ENTERPRISE", "STARTER"]),
    status: resourceStatus,
    createdAt: isoTime,
    updatedAt: isoTime.optional(),
    dataSources: z.array(dataSource),
    uploadedDocuments: z.array(uploadedDocument).optional(),
  })
  .strict();

const webExperience = z
  .object({
    webExperienceId: id36,
    status: z.enum(["CREATING", "ACTIVE", "DELETING", "FAILED", "PENDING_AUTH_CONFIG"]),
    createdAt: isoTime,
    updatedAt: isoTime,
    roleArn: z.string().optional(),
    defaultEndpoint: z.string().optional(),
  })
  .strict();

const application = z
  .object({
    applicationId: id36,
    displayName: resourceName,
    identityType: z.enum(["AWS_IAM_IDP_SAML", "AWS_IAM_IDP_OIDC", "AWS_IAM_IDC", "AWS_QUICKSIGHT_IDP", "ANONYMOUS"]),
    status: resourceStatus,
    createdAt: isoTime,
    updatedAt: isoTime.optional(),
    indices: z.array(index),
    webExperiences: z.array(webExperience),
  })
  .strict();

const role = z
  .object({
    roleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, { message: "expected an IAM role name ([\\w+=,.@-]{1,64})" }),
    path: z
      .string()
      .regex(/^\/(.*\/)?$/, { message: "expected an IAM path like / or /service-role/" })
      .optional(),
    assumeRolePolicyDocument: policyDocument,
    inlinePolicies: z.record(policyDocument).optional(),
    attachedPolicyArns: z.array(z.string()).optional(),
    permissionsBoundaryArn: z.string().optional(),
  })
  .strict();

const managedPolicy = z
  .object({
    arn: z.string().regex(/^arn:aws:iam::(\d{12}|aws):policy\/(.+\/)?[\w+=,.@-]+$/, {
      message: "expected a policy ARN like arn:aws:iam::111122223333:policy/Name",
    }),
    policyName: z.string(),
    document: policyDocument,
  })
  .strict();

const s3Object = z.object({ text: z.string().optional(), base64: z.string().base64().optional(), lastModified: isoTime.optional() }).strict();

const account = z
  .object({
    accountId: z.string().regex(/^\d{12}$/, { message: "expected a 12-digit account id" }),
    alias: z.string().optional(),
    regions: z.record(
      z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { message: "expected a region name like us-east-1" }),
      z.object({ applications: z.array(application) }).strict(),
    ),
    iam: z
      .object({ roles: z.array(role), managedPolicies: z.array(managedPolicy).optional() })
      .strict()
      .optional(),
    s3: z
      .object({ buckets: z.record(z.object({ objects: z.record(s3Object) }).strict()) })
      .strict()
      .optional(),
    denied: z.array(z.object({ service: z.string(), region: z.string().optional(), operation: z.string() }).strict()).optional(),
  })
  .strict();

const fixtureSchema = z
  .object({
    fixtureVersion: z.literal(1),
    clock: isoTime.optional(),
    accounts: z.array(account),
    organization: organizationSchema.optional(),
    faults: z
      .object({
        latencyMs: z.number().nonnegative().optional(),
        ratePerSecond: z.number().nonnegative().optional(),
        burst: z.number().nonnegative().optional(),
        errorRate: z.number().min(0).max(1).optional(),
        seed: z.number().int().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** `["accounts", 0, "regions", "us-east-1"]` -> `accounts[0].regions["us-east-1"]` */
export function formatJsonPath(path: (string | number)[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || "(root)";
}

function zodIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatJsonPath([...issue.path, key]), message: "unknown key" }));
    }
    if (issue.code === "invalid_type") {
      const message = issue.received === "undefined" ? `required ${issue.expected} is missing` : `expected ${issue.expected}, received ${issue.received}`;
      return [{ path: formatJsonPath(issue.path), message }];
    }
    if (issue.code === "invalid_enum_value") {
      return [{ path: formatJsonPath(issue.path), message: `expected one of ${issue.options.join(", ")}, received ${JSON.stringify(issue.received)}` }];
    }
    if (issue.code === "invalid_literal") {
      return [{ path: formatJsonPath(issue.path), message: `expected ${JSON.stringify(issue.expected)}, received ${JSON.stringify(issue.received)}` }];
    }
    if (issue.code === "invalid_union") {
      // Report the branch that got furthest, not "invalid input".
      const deepest = issue.unionErrors.flatMap((e) => zodIssues(e)).sort((a, b) => b.path.length - a.path.length)[0];
      return deepest ? [deepest] : [{ path: formatJsonPath(issue.path), message: issue.message }];
    }
    return [{ path: formatJsonPath(issue.path), message: issue.message }];
  });
}

type Issues = { path: string; message: string }[];
type At = (...rest: (string | number)[]) => string;
/** Records `id` as seen at `path`, or an issue when it was seen before. */
type Duplicate = (seen: Map<string, string>, id: string, path: string, what: string) => void;

/** Cross-references zod cannot see: duplicates and dangling role/policy ARNs. */
function referenceIssues(fixture: Fixture): Issues {
  const issues: Issues = [];
  const duplicate: Duplicate = (seen, id, path, what) => {
    const first = seen.get(id);
    if (first !== undefined) issues.push({ path, message: `duplicate ${what} ${JSON.stringify(id)} (first at ${first})` });
    else seen.set(id, path);
  };
  const accountIds = new Map<string, string>();
  const bucketNames = new Map<string, string>();
  const applicationIds = new Map<string, string>();

  fixture.accounts.forEach((account, a) => {
    const at: At = (...rest) => formatJsonPath(["accounts", a, ...rest]);
    duplicate(accountIds, account.accountId, at("accountId"), "accountId");
    const roleArns = iamReferenceIssues({ account, at, duplicate, issues });
    for (const name of Object.keys(account.s3?.buckets ?? {})) {
      duplicate(bucketNames, name, at("s3", "buckets", name), "bucket name (bucket names are global)");
    }
    for (const [region, { applications }] of Object.entries(account.regions)) {
      applications.forEach((app, p) => {
        const appAt: At = (...rest) => at("regions", region, "applications", p, ...rest);
        duplicate(applicationIds, app.applicationId, appAt("applicationId"), "applicationId");
        applicationReferenceIssues({ app, accountId: account.accountId, appAt, roleArns, duplicate, issues });
      });
    }
  });
  return issues;
}

/** Role names and policy ARNs of one account; the ARNs of its roles, for web experiences to refer to. */
function iamReferenceIssues(o: { account: Fixture["accounts"][number]; at: At; duplicate: Duplicate; issues: Issues }): Set<string> {
  const { account, at, duplicate, issues } = o;
  const roleArns = new Set<string>();
  const roleNames = new Map<string, string>();
  account.iam?.roles.forEach((role, r) => {
    duplicate(roleNames, role.roleName.toLowerCase(), at("iam", "roles", r, "roleName"), "roleName");
    roleArns.add(`arn:aws:iam::${account.accountId}:role${role.path ?? "/"}${role.roleName}`);
  });
  const policyArns = new Map<string, string>();
  account.iam?.managedPolicies?.forEach((policy, p) => {
    duplicate(policyArns, policy.arn, at("iam", "managedPolicies", p, "arn"), "managed policy arn");
    if (!policy.arn.startsWith("arn:aws:iam::aws:") && !policy.arn.startsWith(`arn:aws:iam::${account.accountId}:`)) {
      issues.push({ path: at("iam", "managedPolicies", p, "arn"), message: `policy ${policy.arn} belongs to another account` });
    }
  });
  account.iam?.roles.forEach((role, r) => {
    role.attachedPolicyArns?.forEach((arn, i) => {
      if (!policyArns.has(arn)) {
        issues.push({ path: at("iam", "roles", r, "attachedPolicyArns", i), message: `policy ${arn} is not in this account's iam.managedPolicies` });
      }
    });
    if (role.permissionsBoundaryArn !== undefined && !policyArns.has(role.permissionsBoundaryArn)) {
      issues.push({
        path: at("iam", "roles", r, "permissionsBoundaryArn"),
        message: `policy ${role.permissionsBoundaryArn} is not in this account's iam.managedPolicies`,
      });
    }
  });
  return roleArns;
}

/** Ids unique within an application, and its web experiences' roles among the account's. */
function applicationReferenceIssues(o: {
  app: FixtureApplication;
  accountId: string;
  appAt: At;
  roleArns: Set<string>;
  duplicate: Duplicate;
  issues: Issues;
}): void {
  const { app, appAt, duplicate } = o;
  const indexIds = new Map<string, string>();
  app.indices.forEach((index, i) => {
    duplicate(indexIds, index.indexId, appAt("indices", i, "indexId"), "indexId");
    const dataSourceIds = new Map<string, string>();
    index.dataSources.forEach((ds, d) => {
      const dsAt: At = (...rest) => appAt("indices", i, "dataSources", d, ...rest);
      duplicate(dataSourceIds, ds.dataSourceId, dsAt("dataSourceId"), "dataSourceId");
      const executionIds = new Map<string, string>();
      ds.syncJobs.forEach((job, j) => duplicate(executionIds, job.executionId, dsAt("syncJobs", j, "executionId"), "executionId"));
      const documentIds = new Map<string, string>();
      ds.documents.forEach((doc, k) => duplicate(documentIds, doc.documentId, dsAt("documents", k, "documentId"), "documentId"));
    });
    const uploadedIds = new Map<string, string>();
    index.uploadedDocuments?.forEach((doc, k) =>
      duplicate(uploadedIds, doc.documentId, appAt("indices", i, "uploadedDocuments", k, "documentId"), "documentId"),
    );
  });
  const webIds = new Map<string, string>();
  app.webExperiences.forEach((web, w) => {
    duplicate(webIds, web.webExperienceId, appAt("webExperiences", w, "webExperienceId"), "webExperienceId");
    if (web.roleArn !== undefined && !o.roleArns.has(web.roleArn)) {
      o.issues.push({ path: appAt("webExperiences", w, "roleArn"), message: `role ${web.roleArn} is not in account ${o.accountId}'s iam.roles` });
    }
  });
}

/**
 * Check a parsed fixture against the contract and return a deep copy that the
 * emulator may mutate. Throws FixtureError naming the JSON path of every problem.
 */
export function validateFixture(json: unknown, source = "fixture"): Fixture {
  // Prototype keys and runaway nesting first: the schema would lose the one and overflow on the other.
  const structural = structureIssues(json);
  if (structural.length > 0) throw fixtureError(source, structural);
  const parsed = fixtureSchema.safeParse(json);
  const issues = parsed.success
    ? [...referenceIssues(parsed.data as Fixture), ...organizationIssues((parsed.data as Fixture).organization)]
    : zodIssues(parsed.error);
  if (issues.length > 0) throw fixtureError(source, issues);
  return structuredClone(parsed.data) as Fixture;
}

function fixtureError(source: string, issues: { path: string; message: string }[]): FixtureError {
  const lines = issues.slice(0, 20).map((i) => `${i.path}: ${i.message}`);
  if (issues.length > 20) lines.push(`... and ${issues.length - 20} more`);
  return new FixtureError(issues.length === 1 ? `${source}: ${lines[0]}` : `${source}: ${issues.length} problems:\n  ${lines.join("\n  ")}`, issues);
}

/** Read and validate a fixture file; errors name the file and the JSON path. */
export function loadFixtureFile(path: string): Fixture {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new FixtureError(`${path}: cannot read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new FixtureError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  return validateFixture(json, path);
}
