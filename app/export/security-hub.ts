/**
 * Sending the report to AWS Security Hub: ASFF findings with
 * BatchImportFindings, at most 100 per call, into the account and region each
 * finding belongs to, or all into one aggregation account and region (whose
 * credentials must then send them: Security Hub takes a custom integration's
 * findings only from the account named in AwsAccountId). Stable ids make each
 * audit update the same findings. Failures, whole calls or single findings,
 * are reported, never thrown: the audit is done and stored either way.
 */
import { BatchImportFindingsCommand, SecurityHubClient, type AwsSecurityFinding } from "@aws-sdk/client-securityhub";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";
import type { AuditReport, Finding } from "../audit/types";
import { plural } from "../util/plural";
import { asffFinding, type AsffOptions } from "./asff";

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
  failed: SecurityHubFailure[];
  calls: number;
  destinations: SecurityHubDestination[];
}

const destinationKey = (d: SecurityHubDestination) => `${d.accountId}|${d.region}`;

function byDestination(report: AuditReport, options: SecurityHubOptions): Map<string, { destination: SecurityHubDestination; findings: AwsSecurityFinding[] }> {
  const groups = new Map<string, { destination: SecurityHubDestination; findings: AwsSecurityFinding[] }>();
  for (const finding of report.findings) {
    const destination = options.aggregation ?? { accountId: finding.resource.accountId, region: finding.resource.region };
    const key = destinationKey(destination);
    const group = groups.get(key) ?? { destination, findings: [] };
    group.findings.push(toAsff(report, finding, destination, options) as unknown as AwsSecurityFinding);
    groups.set(key, group);
  }
  return groups;
}

function toAsff(report: AuditReport, finding: Finding, destination: SecurityHubDestination, options: SecurityHubOptions) {
  return asffFinding(report, finding, { importAccountId: destination.accountId, importRegion: destination.region, seen: options.seen });
}

/** Import every finding of the report; the result says what failed and why. */
export async function sendToSecurityHub(report: AuditReport, options: SecurityHubOptions): Promise<SecurityHubResult> {
  const result: SecurityHubResult = { sent: 0, imported: 0, failed: [], calls: 0, destinations: [] };
  for (const { destination, findings } of byDestination(report, options).values()) {
    result.destinations.push(destination);
    const client = options.clientFor(destination);
    for (let i = 0; i < findings.length; i += BATCH_IMPORT_LIMIT) {
      const chunk = findings.slice(i, i + BATCH_IMPORT_LIMIT);
      result.sent += chunk.length;
      result.calls++;
      try {
        const answer = await client.send(new BatchImportFindingsCommand({ Findings: chunk }));
        result.imported += answer.SuccessCount ?? 0;
        for (const f of answer.FailedFindings ?? []) {
          result.failed.push({ id: f.Id ?? "?", ...destination, errorCode: f.ErrorCode ?? "Unknown", errorMessage: f.ErrorMessage ?? "" });
        }
      } catch (error) {
        const e = error as { name?: string; message?: string };
        for (const f of chunk) result.failed.push({ id: f.Id ?? "?", ...destination, errorCode: e.name ?? "Error", errorMessage: e.message ?? String(error) });
      }
    }
  }
  return result;
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

/** "Security Hub: 412 of 412 findings imported in 5 calls into 3 account/regions" and each failure. */
export function describeSecurityHubResult(result: SecurityHubResult): string[] {
  const head = `Security Hub: ${result.imported} of ${plural(result.sent, "finding")} imported in ${plural(result.calls, "call")} into ${result.destinations.map((d) => `${d.accountId}/${d.region}`).join(", ") || "nowhere"}`;
  return [
    head,
    ...result.failed.slice(0, 20).map((f) => `  failed: ${f.id} in ${f.accountId}/${f.region}: ${f.errorCode}: ${f.errorMessage}`),
    ...(result.failed.length > 20 ? [`  ... and ${result.failed.length - 20} more`] : []),
  ];
}
