/**
 * Sending the report to AWS Security Hub: ASFF findings with
 * BatchImportFindings, at most 100 per call, into the account and region each
 * finding belongs to, or all into one aggregation account and region (whose
 * credentials must then send them: Security Hub takes a custom integration's
 * findings only from the account named in AwsAccountId). Stable ids make each
 * audit update the same findings. Failures, whole calls or single findings,
 * are reported, never thrown: the audit is done and stored either way.
 */
import {
  BatchImportFindingsCommand,
  BatchUpdateFindingsCommand,
  GetFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
} from "@aws-sdk/client-securityhub";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { AuditReport, Finding } from "../audit/types";
import { plural } from "../util/plural";
import { asffFinding, type AsffOptions } from "./asff";
import { auditedScope, PRODUCT_NAME, stableFindingId } from "./common";

/** BatchImportFindings takes at most 100 findings per call. */
export const BATCH_IMPORT_LIMIT = 100;

export interface SecurityHubDestination {
  accountId: string;
  region: string;
}

export interface SecurityHubOptions {
  /** Send everything to this account and region instead of each finding's own. */
  aggregation?: SecurityHubDestination;
  /** The client for a destination (its credentials and endpoint). */
  clientFor(destination: SecurityHubDestination): SecurityHubClient;
  seen?: AsffOptions["seen"];
}

export interface SecurityHubFailure {
  id: string;
  accountId: string;
  region: string;
  errorCode: string;
  errorMessage: string;
}

export interface SecurityHubResult {
  sent: number;
  imported: number;
  /** Active findings of earlier audits this audit no longer reports (in targets it read), archived (RecordState ARCHIVED). */
  archived: number;
  /** Of those, the ones whose workflow was moved to RESOLVED (BatchUpdateFindings; SUPPRESSED and RESOLVED ones are left as they are). */
  resolved: number;
  failed: SecurityHubFailure[];
  calls: number;
  destinations: SecurityHubDestination[];
}

const destinationKey = (d: SecurityHubDestination) => `${d.accountId}|${d.region}`;

type Group = { destination: SecurityHubDestination; findings: AwsSecurityFinding[] };

/** The report's findings by where they are imported, and every target the audit read (its findings may all be gone). */
function byDestination(report: AuditReport, options: SecurityHubOptions): Map<string, Group> {
  const groups = new Map<string, Group>();
  const group = (destination: SecurityHubDestination) => {
    const key = destinationKey(destination);
    const found = groups.get(key) ?? { destination, findings: [] };
    groups.set(key, found);
    return found;
  };
  for (const finding of report.findings) {
    const destination = options.aggregation ?? { accountId: finding.resource.accountId, region: finding.resource.region };
    group(destination).findings.push(toAsff(report, finding, destination, options));
  }
  for (const t of report.targets) if (t.status === "ok") group(options.aggregation ?? { accountId: t.accountId, region: t.region });
  return groups;
}

function toAsff(report: AuditReport, finding: Finding, destination: SecurityHubDestination, options: SecurityHubOptions): AwsSecurityFinding {
  return asffFinding(report, finding, {
    importAccountId: destination.accountId,
    importRegion: destination.region,
    seen: options.seen,
  }) as unknown as AwsSecurityFinding;
}

const errorOf = (error: unknown) => {
  const e = error as { name?: string; message?: string };
  return { errorCode: e.name ?? "Error", errorMessage: e.message ?? String(error) };
};

/** BatchImportFindings in chunks of 100; counts and failures into the result. */
async function importChunks(
  client: SecurityHubClient,
  destination: SecurityHubDestination,
  findings: AwsSecurityFinding[],
  result: SecurityHubResult,
): Promise<Set<string>> {
  const failedIds = new Set<string>();
  for (let i = 0; i < findings.length; i += BATCH_IMPORT_LIMIT) {
    const chunk = findings.slice(i, i + BATCH_IMPORT_LIMIT);
    result.calls++;
    try {
      const answer = await client.send(new BatchImportFindingsCommand({ Findings: chunk }));
      for (const f of answer.FailedFindings ?? []) {
        failedIds.add(f.Id ?? "?");
        result.failed.push({ id: f.Id ?? "?", ...destination, errorCode: f.ErrorCode ?? "Unknown", errorMessage: f.ErrorMessage ?? "" });
      }
    } catch (error) {
      for (const f of chunk) {
        failedIds.add(f.Id ?? "?");
        result.failed.push({ id: f.Id ?? "?", ...destination, ...errorOf(error) });
      }
    }
  }
  return failedIds;
}

/** Import every finding of the report, then archive what it no longer reports; the result says what failed and why. */
export async function sendToSecurityHub(report: AuditReport, options: SecurityHubOptions): Promise<SecurityHubResult> {
  const result: SecurityHubResult = { sent: 0, imported: 0, archived: 0, resolved: 0, failed: [], calls: 0, destinations: [] };
  const current = new Set(report.findings.map(stableFindingId));
  for (const { destination, findings } of byDestination(report, options).values()) {
    result.destinations.push(destination);
    const client = options.clientFor(destination);
    result.sent += findings.length;
    const failed = await importChunks(client, destination, findings, result);
    result.imported += findings.length - failed.size;
    await archiveVanished(client, destination, report, current, options, result);
  }
  return result;
}

const OWN_FIELD = `${PRODUCT_NAME}/`;

/** Where a stored record's resource lives: the resource's account (ours, else AwsAccountId), region, application (from its ARN). */
function resourceOfRecord(f: AwsSecurityFinding): Pick<Finding, "resource"> {
  const resource = f.Resources?.[0];
  const applicationId = /:application\/([^/]+)/.exec(resource?.Id ?? "")?.[1] ?? null;
  return {
    resource: {
      type: "application",
      accountId: f.ProductFields?.[`${OWN_FIELD}resourceAccountId`] ?? f.AwsAccountId ?? "",
      region: resource?.Region ?? f.Region ?? "",
      applicationId,
      indexId: null,
      dataSourceId: null,
      webExperienceId: null,
      roleArn: null,
      name: null,
    },
  };
}

/** The destination's active findings of this product (GetFindings, every page). */
async function activeFindings(client: SecurityHubClient, destination: SecurityHubDestination, result: SecurityHubResult): Promise<AwsSecurityFinding[]> {
  const productArn = `arn:aws:securityhub:${destination.region}:${destination.accountId}:product/${destination.accountId}/default`;
  const Filters = {
    ProductArn: [{ Value: productArn, Comparison: "EQUALS" as const }],
    RecordState: [{ Value: "ACTIVE", Comparison: "EQUALS" as const }],
    GeneratorId: [{ Value: OWN_FIELD, Comparison: "PREFIX" as const }],
  };
  const out: AwsSecurityFinding[] = [];
  let NextToken: string | undefined;
  do {
    result.calls++;
    const page = await client.send(new GetFindingsCommand({ Filters, MaxResults: 100, NextToken }));
    out.push(...(page.Findings ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}

/** A record of an earlier audit re-imported archived: its provider members as stored, our product fields, this audit's UpdatedAt. */
function archivedFromStored(stored: AwsSecurityFinding, report: AuditReport): AwsSecurityFinding {
  const { Workflow: _w, WorkflowState: _ws, Note: _n, UserDefinedFields: _u, VerificationState: _v, ProcessedAt: _p, ProductFields, ...provider } = stored;
  const own = Object.fromEntries(Object.entries(ProductFields ?? {}).filter(([k]) => k.startsWith(OWN_FIELD)));
  return {
    ...provider,
    RecordState: "ARCHIVED",
    UpdatedAt: report.scannedAt,
    ProductFields: { ...own, [`${OWN_FIELD}closedReason`]: "not-in-audit", [`${OWN_FIELD}closedAt`]: report.scannedAt },
  };
}

/**
 * Findings of earlier audits that this one no longer reports, in targets it
 * read (a deleted application or data source, a check that no longer
 * applies), are archived as a provider does (RecordState ARCHIVED; the
 * report's vanished finding when it has one), and their workflow resolved
 * with BatchUpdateFindings, which is how a customer (this account) sets it:
 * an import cannot. Findings of targets the audit could not read stay active.
 */
async function archiveVanished(
  client: SecurityHubClient,
  destination: SecurityHubDestination,
  report: AuditReport,
  current: Set<string>,
  options: SecurityHubOptions,
  result: SecurityHubResult,
): Promise<void> {
  let active: AwsSecurityFinding[];
  try {
    active = await activeFindings(client, destination, result);
  } catch (error) {
    result.failed.push({ id: "(GetFindings: the findings to archive)", ...destination, ...errorOf(error) });
    return;
  }
  const audited = auditedScope(report);
  const vanished = new Map((report.vanished ?? []).map((f) => [stableFindingId(f), f]));
  const gone = active.filter((f) => f.Id && !current.has(f.Id) && audited(resourceOfRecord(f)));
  if (gone.length === 0) return;
  const records = gone.map((f) => {
    const known = vanished.get(f.Id!);
    return known ? toAsff(report, known, destination, options) : archivedFromStored(f, report);
  });
  const failed = await importChunks(client, destination, records, result);
  result.archived += gone.length - failed.size;
  const toResolve = gone.filter((f) => !failed.has(f.Id!) && (f.Workflow?.Status ?? "NEW") !== "SUPPRESSED" && f.Workflow?.Status !== "RESOLVED");
  for (let i = 0; i < toResolve.length; i += BATCH_IMPORT_LIMIT) {
    const FindingIdentifiers = toResolve.slice(i, i + BATCH_IMPORT_LIMIT).map((f) => ({ Id: f.Id!, ProductArn: f.ProductArn! }));
    result.calls++;
    try {
      const answer = await client.send(new BatchUpdateFindingsCommand({ FindingIdentifiers, Workflow: { Status: "RESOLVED" } }));
      result.resolved += answer.ProcessedFindings?.length ?? 0;
      for (const u of answer.UnprocessedFindings ?? [])
        result.failed.push({ id: u.FindingIdentifier?.Id ?? "?", ...destination, errorCode: u.ErrorCode ?? "Unknown", errorMessage: u.ErrorMessage ?? "" });
    } catch (error) {
      for (const f of FindingIdentifiers) result.failed.push({ id: f.Id, ...destination, ...errorOf(error) });
    }
  }
}

/** A Security Hub client like the audit's others (same credentials and endpoint, bounded retries). */
export function securityHubClient(options: {
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  endpoint?: string;
}): SecurityHubClient {
  return new SecurityHubClient({
    region: options.region,
    credentials: options.credentials,
    maxAttempts: 4,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
}

/** "Security Hub: 412 of 412 findings imported in 5 calls into 3 account/regions", what was archived, and each failure. */
export function describeSecurityHubResult(result: SecurityHubResult): string[] {
  const head = `Security Hub: ${result.imported} of ${plural(result.sent, "finding")} imported in ${plural(result.calls, "call")} into ${result.destinations.map((d) => `${d.accountId}/${d.region}`).join(", ") || "nowhere"}`;
  const archived = result.archived > 0 ? [`  archived: ${plural(result.archived, "finding")} no longer reported (${result.resolved} resolved)`] : [];
  return [
    head,
    ...archived,
    ...result.failed.slice(0, 20).map((f) => `  failed: ${f.id} in ${f.accountId}/${f.region}: ${f.errorCode}: ${f.errorMessage}`),
    ...(result.failed.length > 20 ? [`  ... and ${result.failed.length - 20} more`] : []),
  ];
}
