/**
 * The fleet fixture, exactly as docs/fleet-fixture.md defines it.
 * The local AWS keeps its live state in these same shapes (mutated in place),
 * so a fixture reads like the API's own answers and the state reads like a fixture.
 */

export type IsoTime = string;

export interface Fixture {
  fixtureVersion: 1;
  /** The emulator's "now" at start; it then advances in real time. */
  clock?: IsoTime;
  accounts: FixtureAccount[];
  /** What AWS Organizations answers; may name accounts that `accounts` does not emulate. */
  organization?: FixtureOrganization;
  faults?: FixtureFaults;
}

export interface FixtureOrganization {
  organizationId: string;
  /** Only this account may call the management-only Organizations operations. */
  managementAccountId: string;
  /** Default "r-" + the organization id's first 4 characters. */
  rootId?: string;
  organizationalUnits?: { id: string; name: string; parentId: string }[];
  accounts: FixtureOrganizationAccount[];
}

export interface FixtureOrganizationAccount {
  accountId: string;
  name: string;
  email: string;
  status: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE";
  /** The root or an OU. */
  parentId: string;
}

export interface FixtureFaults {
  latencyMs?: number;
  /** Token bucket per account+region+operation; 0 = unlimited. */
  ratePerSecond?: number;
  burst?: number;
  /** Share (0..1) of calls answered InternalServerException. */
  errorRate?: number;
  seed?: number;
}

export interface FixtureAccount {
  accountId: string;
  alias?: string;
  regions: Record<string, FixtureRegion>;
  iam?: FixtureIam;
  s3?: FixtureS3;
  denied?: FixtureDenied[];
}

export interface FixtureDenied {
  service: "qbusiness" | "iam" | "sts" | "s3" | string;
  region?: string;
  operation: string; // "*" for all
}

export interface FixtureRegion {
  applications: FixtureApplication[];
}

export type IdentityType = "AWS_IAM_IDP_SAML" | "AWS_IAM_IDP_OIDC" | "AWS_IAM_IDC" | "AWS_QUICKSIGHT_IDP" | "ANONYMOUS";

export interface FixtureApplication {
  applicationId: string;
  displayName: string;
  identityType: IdentityType;
  status: "CREATING" | "ACTIVE" | "DELETING" | "FAILED" | "UPDATING";
  createdAt: IsoTime;
  updatedAt?: IsoTime;
  indices: FixtureIndex[];
  webExperiences: FixtureWebExperience[];
}

export interface FixtureIndex {
  indexId: string;
  displayName: string;
  type: "ENTERPRISE" | "STARTER";
  status: "CREATING" | "ACTIVE" | "DELETING" | "FAILED" | "UPDATING";
  createdAt: IsoTime;
  updatedAt?: IsoTime;
  dataSources: FixtureDataSource[];
  uploadedDocuments?: FixtureUploadedDocument[];
}

export type SyncJobStatus = "FAILED" | "SUCCEEDED" | "SYNCING" | "INCOMPLETE" | "STOPPING" | "ABORTED" | "SYNCING_INDEXING";

export interface FixtureSyncJob {
  executionId: string;
  startTime: IsoTime;
  endTime?: IsoTime;
  status: SyncJobStatus;
  metrics?: {
    documentsAdded?: string;
    documentsModified?: string;
    documentsDeleted?: string;
    documentsFailed?: string;
    documentsScanned?: string;
  };
  error?: { errorMessage?: string; errorCode?: string };
  dataSourceErrorCode?: string;
}

export type DocumentStatus = "RECEIVED" | "PROCESSING" | "INDEXED" | "UPDATED" | "FAILED" | "DELETING" | "DELETED" | "DOCUMENT_FAILED_TO_INDEX";

export interface FixtureDocument {
  documentId: string;
  status: DocumentStatus;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  /** Optional link to an object in the data source's bucket. */
  s3Key?: string;
}

export interface FixtureUploadedDocument {
  documentId: string;
  status: DocumentStatus;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  contentType?: string;
}

export interface FixtureDataSource {
  dataSourceId: string;
  displayName: string;
  type: string; // "S3", "S3V2", ... free string
  status: "PENDING_CREATION" | "CREATING" | "ACTIVE" | "DELETING" | "FAILED" | "UPDATING";
  createdAt: IsoTime;
  updatedAt: IsoTime;
  syncSchedule?: string;
  roleArn?: string;
  description?: string;
  configuration: Record<string, unknown>;
  syncJobs: FixtureSyncJob[];
  documents: FixtureDocument[];
  /** How long a sync started in the emulator runs (emulator seconds). */
  syncDurationSeconds?: number;
  /**
   * What one sync of a connector without a sync mode (S3V2) re-ingests: every
   * document ("all") or only those whose S3 object changed since ("changed",
   * the default). AWS does not document which; tests cover both.
   */
  syncReingests?: "all" | "changed";
}

export interface FixtureWebExperience {
  webExperienceId: string;
  status: "CREATING" | "ACTIVE" | "DELETING" | "FAILED" | "PENDING_AUTH_CONFIG";
  createdAt: IsoTime;
  updatedAt: IsoTime;
  roleArn?: string;
  defaultEndpoint?: string;
}

// The emulator's own copy of the policy shape (it plays AWS; the product's is app/policy/types.ts).
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

export interface FixtureRole {
  roleName: string;
  path?: string;
  assumeRolePolicyDocument: PolicyDocument;
  inlinePolicies?: Record<string, PolicyDocument>;
  attachedPolicyArns?: string[];
  permissionsBoundaryArn?: string;
}

export interface FixtureManagedPolicy {
  arn: string;
  policyName: string;
  document: PolicyDocument;
}

export interface FixtureIam {
  roles: FixtureRole[];
  managedPolicies?: FixtureManagedPolicy[];
}

export interface FixtureS3Object {
  text?: string;
  base64?: string;
  lastModified?: IsoTime;
}

export interface FixtureS3 {
  buckets: Record<string, { objects: Record<string, FixtureS3Object> }>;
}

/** Each fixture account's fixed credentials (fleet-fixture.md). */
export function accountCredentials(accountId: string) {
  return { accessKeyId: `AKIALOCAL${accountId}`, secretAccessKey: `local-secret-${accountId}` };
}

/** The data source id the console gives uploaded files (the emulator's own copy, as AWS; the product's is in app/aws/vocabulary.ts). */
export const UPLOADED_DOCS_DATA_SOURCE_ID = "uploaded-docs-file-stat-datasourceid";
