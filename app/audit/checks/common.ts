/**
 * What every check module shares: walking the inventory, naming the resource a
 * finding is about, and turning a verdict into a Finding whose severity and
 * remediation come from the check's own metadata (never repeated by hand).
 */
import type {
  ApplicationInventory,
  AwsErrorInfo,
  CheckMetadata,
  DataSourceInventory,
  Finding,
  FindingResource,
  FindingStatus,
  IndexInventory,
  Inventory,
  RoleInventory,
  TargetResult,
  WebExperienceInventory,
} from "../types";
import { UPLOADED_DOCS_DATA_SOURCE_ID } from "../../aws/vocabulary";

/** Data source types of the S3 connector, whose documents carry clickable URLs. */
export const S3_DATA_SOURCE_TYPES = ["S3", "S3V2"];

export function isS3DataSource(ds: DataSourceInventory): boolean {
  return ds.type !== undefined && S3_DATA_SOURCE_TYPES.includes(ds.type.toUpperCase());
}

/**
 * The console's uploaded files may be listed as a data source (unverified,
 * aws-facts.md); they are judged by uploaded-documents-stale, not as a connector.
 */
export function isUploadedFilesSource(ds: DataSourceInventory): boolean {
  return ds.dataSourceId === UPLOADED_DOCS_DATA_SOURCE_ID;
}

export function applicationResource(app: ApplicationInventory): FindingResource {
  return {
    type: "application",
    accountId: app.accountId,
    region: app.region,
    applicationId: app.applicationId,
    indexId: null,
    dataSourceId: null,
    webExperienceId: null,
    roleArn: null,
    name: app.displayName ?? null,
  };
}

export function dataSourceResource(app: ApplicationInventory, index: IndexInventory, ds: DataSourceInventory): FindingResource {
  return {
    ...applicationResource(app),
    type: "data-source",
    indexId: index.indexId,
    dataSourceId: ds.dataSourceId,
    name: ds.displayName ?? null,
  };
}

/** The data sources of an index (or of an application) as a whole, when they could not be listed. */
export function unlistedDataSourcesResource(app: ApplicationInventory, index?: IndexInventory): FindingResource {
  return {
    ...applicationResource(app),
    type: "data-source",
    indexId: index?.indexId ?? null,
    name: index ? `data sources of index ${index.displayName ?? index.indexId}` : "data sources",
  };
}

export function uploadedDocumentsResource(app: ApplicationInventory, index: IndexInventory): FindingResource {
  return {
    ...applicationResource(app),
    type: "uploaded-documents",
    indexId: index.indexId,
    dataSourceId: UPLOADED_DOCS_DATA_SOURCE_ID,
    name: `uploaded files of index ${index.displayName ?? index.indexId}`,
  };
}

export function webExperienceResource(app: ApplicationInventory, we: WebExperienceInventory): FindingResource {
  return {
    ...applicationResource(app),
    type: "web-experience",
    webExperienceId: we.webExperienceId,
    roleArn: we.roleArn ?? null,
    name: `web experience ${we.webExperienceId}`,
  };
}

/** The role as one application's web experience uses it (so that application's readiness sees it). */
export function roleResource(app: ApplicationInventory, we: WebExperienceInventory, roleArn: string): FindingResource {
  return {
    ...applicationResource(app),
    type: "role",
    webExperienceId: we.webExperienceId,
    roleArn,
    name: roleNameOf(roleArn),
  };
}

export function targetResource(target: TargetResult): FindingResource {
  return {
    type: "target",
    accountId: target.accountId,
    region: target.region,
    applicationId: null,
    indexId: null,
    dataSourceId: null,
    webExperienceId: null,
    roleArn: null,
    name: `${target.accountId}/${target.region}`,
  };
}

export function roleNameOf(roleArn: string): string {
  return roleArn.slice(roleArn.lastIndexOf("/") + 1);
}

/**
 * A finding of `check`. Remediation is offered only for `fail` and `warn`: a
 * passing resource needs nothing, and an `unknown` one has no evidence that
 * would justify changing it. `offerRemediation: false` withholds it when the
 * check's usual fix cannot help (e.g. a permissions boundary blocks).
 */
export function finding(
  check: CheckMetadata,
  status: FindingStatus,
  resource: FindingResource,
  message: string,
  evidence: Record<string, unknown>,
  options: { offerRemediation?: boolean } = {},
): Finding {
  const offered = (status === "fail" || status === "warn") && options.offerRemediation !== false;
  return {
    checkId: check.id,
    status,
    severity: check.severity,
    resource,
    message,
    evidence,
    remediation: { action: offered ? check.remediation : null },
  };
}

/** An AWS error as evidence, without undefined members. */
export function errorEvidence(error: AwsErrorInfo): Record<string, string> {
  const out: Record<string, string> = { code: error.code, message: error.message };
  if (error.operation) out.operation = error.operation;
  return out;
}

/** "AccessDeniedException on qbusiness:ListDataSources: ..." in one line for messages. */
export function describeError(error: AwsErrorInfo): string {
  const where = error.operation ? ` on ${error.operation}` : "";
  return `${error.code}${where}: ${error.message}`;
}

/**
 * Which parts of an application an application-level error hides. The
 * collector records one error per application; its operation tells which
 * listing failed (none named: assume everything beneath is hidden).
 */
export function applicationErrorHides(app: ApplicationInventory, part: "indices" | "webExperiences"): boolean {
  const error = app.error;
  if (!error) return false;
  const op = error.operation ?? "";
  if (!op || /GetApplication$/.test(op)) return true;
  if (part === "indices") return /ListIndices$|GetIndex$/.test(op);
  return /ListWebExperiences$/.test(op);
}

/** "2025-05-14" (UTC) for messages; the full instant stays in the evidence. */
export function day(iso: string | undefined): string {
  return iso ? iso.slice(0, 10) : "an unknown date";
}

/**
 * The cutoff as AWS words it: the instant 2025-07-03T00:00Z reads "07/02/2025"
 * (a sync must be performed *after* that day). A cutoff not at midnight UTC is
 * shown as the instant itself.
 */
export function cutoffLabel(cutoff: Date): string {
  const midnight = cutoff.getUTCHours() === 0 && cutoff.getUTCMinutes() === 0 && cutoff.getUTCSeconds() === 0 && cutoff.getUTCMilliseconds() === 0;
  if (!midnight) return cutoff.toISOString();
  const dayBefore = new Date(cutoff.getTime() - 24 * 3600 * 1000);
  const mm = String(dayBefore.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(dayBefore.getUTCDate()).padStart(2, "0");
  return `${mm}/${dd}/${dayBefore.getUTCFullYear()}`;
}

/** "after 07/02/2025", or "since <instant>" for a cutoff not at midnight UTC. */
export function afterCutoff(cutoff: Date): string {
  const label = cutoffLabel(cutoff);
  return label.includes("T") ? `since ${label}` : `after ${label}`;
}

/** Milliseconds of an ISO instant; NaN when absent or unparseable. */
export function timeOf(iso: string | undefined): number {
  return iso ? Date.parse(iso) : NaN;
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/** A web experience and the role it names, as the role checks see them. */
export interface WebExperienceRole {
  app: ApplicationInventory;
  we: WebExperienceInventory;
  roleArn: string;
  role: RoleInventory;
}

/**
 * Web experiences whose role exists and was read, for the checks about the
 * role's contents. Anonymous applications are left out (their readiness is
 * "unsupported" whatever the role says); a missing or unreadable role is
 * webexperience-role-missing's finding, not repeated by every role check.
 */
export function readableWebExperienceRoles(inventory: Inventory): WebExperienceRole[] {
  const out: WebExperienceRole[] = [];
  for (const app of inventory.applications) {
    if (app.identityType === "ANONYMOUS") continue;
    for (const we of app.webExperiences) {
      if (we.error || !we.roleArn) continue;
      const role = inventory.roles[we.roleArn];
      if (!role || role.error || !role.exists) continue;
      out.push({ app, we, roleArn: we.roleArn, role });
    }
  }
  return out;
}

/** "the application" or "index <id>" for a resource ARN of GetDocumentContent. */
export function describeResourceArn(app: ApplicationInventory, resourceArn: string): string {
  if (resourceArn === app.applicationArn) return "the application";
  const marker = "/index/";
  const at = resourceArn.indexOf(marker);
  return at >= 0 ? `index ${resourceArn.slice(at + marker.length)}` : resourceArn;
}

/** "a, b and c". */
export function listInWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
