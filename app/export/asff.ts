/**
 * The report in the AWS Security Finding Format (ASFF 2018-10-08), as a
 * custom integration sends it: ProductArn `product/{account}/default` of the
 * account the finding is imported into, a stable Id per check and resource
 * (so each audit updates the same finding), Compliance.Status PASSED for a
 * passing check (Security Hub then resolves the finding's workflow), FAILED
 * or WARNING otherwise, NOT_AVAILABLE for unknown; FirstObservedAt and
 * LastObservedAt from the finding's lifecycle, and a finding no longer
 * reported (report.vanished) RecordState ARCHIVED. Workflow, Note and
 * UserDefinedFields are the customer's, never sent. Pure: no AWS, no Node.
 */
import { checkById, howToFixFor } from "../audit/checks";
import type { AuditReport, Finding, FindingStatus, Severity } from "../audit/types";
import { dashboardBaseUrl, exportedResource, findingDashboardPath, isVanished, PRODUCT_NAME, stableFindingId } from "./common";

export const ASFF_SCHEMA_VERSION = "2018-10-08";

const SEVERITY_LABELS: Record<Severity, string> = { critical: "CRITICAL", high: "HIGH", medium: "MEDIUM", low: "LOW" };
const COMPLIANCE: Record<FindingStatus, string> = { pass: "PASSED", fail: "FAILED", warn: "WARNING", unknown: "NOT_AVAILABLE" };

/** Security Hub's own resource types where one exists; Q Business resources are "Other" (their type in Details). */
function asffResource(finding: Finding) {
  const r = exportedResource(finding);
  const type = r.type.startsWith("AWS::") ? "Other" : r.type;
  return {
    Type: type,
    Id: r.id,
    Partition: "aws",
    Region: r.region,
    ...(type === "Other" ? { Details: { Other: { Type: r.type, ...(r.name ? { Name: r.name.slice(0, 1024) } : {}) } } } : {}),
  };
}

export interface AsffOptions {
  /** The account the finding is imported into (AwsAccountId, ProductArn); default the finding's own. */
  importAccountId?: string;
  /** The region it is imported into (ProductArn); default the finding's own. */
  importRegion?: string;
  /** Dashboard address for SourceUrl (default QBR_DASHBOARD_URL). */
  dashboardUrl?: string;
  seen?: (finding: Finding) => { firstSeen?: string; lastSeen?: string } | undefined;
}

/** First and last observed from the finding's lifecycle: last observed is this audit for an open finding it reports. */
function seenOf(report: AuditReport, f: Finding): { firstSeen?: string; lastSeen?: string } | undefined {
  const life = f.lifecycle;
  if (!life) return undefined;
  return { firstSeen: life.firstSeen, lastSeen: life.lastSeen ?? report.scannedAt };
}

/** ProductFields saying when it was fixed and how, and that it was reopened (strings, as ASFF wants). */
function lifecycleFields(f: Finding): Record<string, string> {
  const life = f.lifecycle;
  if (!life) return {};
  return {
    "qbiz-readiness/firstSeen": life.firstSeen,
    ...(life.fixedAt ? { "qbiz-readiness/fixedAt": life.fixedAt, "qbiz-readiness/closedReason": life.fixedReason ?? "passed" } : {}),
    ...(life.reopened ? { "qbiz-readiness/reopened": String(life.reopened) } : {}),
  };
}

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

export function asffFinding(report: AuditReport, finding: Finding, options: AsffOptions = {}): Record<string, unknown> {
  const check = checkById(finding.checkId)?.metadata;
  const account = options.importAccountId ?? finding.resource.accountId;
  const region = options.importRegion ?? finding.resource.region;
  const base = options.dashboardUrl ?? dashboardBaseUrl();
  const seen = options.seen?.(finding) ?? seenOf(report, finding);
  const gone = isVanished(finding);
  const fix = check ? howToFixFor(check, finding.evidence) : "";
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: stableFindingId(finding),
    ProductArn: `arn:aws:securityhub:${region}:${account}:product/${account}/default`,
    ProductName: PRODUCT_NAME,
    CompanyName: PRODUCT_NAME,
    GeneratorId: `${PRODUCT_NAME}/${finding.checkId}`,
    AwsAccountId: account,
    Region: region,
    Types: ["Software and Configuration Checks/AWS Security Best Practices/Amazon Q Business clickable URLs"],
    CreatedAt: finding.lifecycle?.firstSeenEver ?? seen?.firstSeen ?? report.scannedAt,
    UpdatedAt: report.scannedAt,
    ...(seen?.firstSeen ? { FirstObservedAt: seen.firstSeen } : {}),
    LastObservedAt: seen?.lastSeen ?? report.scannedAt,
    Severity: { Label: finding.status === "pass" ? "INFORMATIONAL" : SEVERITY_LABELS[finding.severity], Original: finding.severity },
    Title: clip(check?.title ?? finding.checkId, 256),
    Description: clip(finding.message, 1024),
    ...(fix ? { Remediation: { Recommendation: { Text: clip(fix, 512), ...(base ? { Url: `${base}${findingDashboardPath(finding)}` } : {}) } } } : {}),
    ...(base ? { SourceUrl: `${base}${findingDashboardPath(finding)}` } : {}),
    Resources: [asffResource(finding)],
    Compliance: { Status: COMPLIANCE[finding.status] },
    // A finding no longer reported (its resource gone, or the check no longer applies) is archived, as a provider does.
    RecordState: gone ? "ARCHIVED" : "ACTIVE",
    ProductFields: {
      "qbiz-readiness/checkId": finding.checkId,
      "qbiz-readiness/status": finding.status,
      "qbiz-readiness/resourceAccountId": finding.resource.accountId,
      ...(finding.remediation.action ? { "qbiz-readiness/fixAction": finding.remediation.action } : {}),
      ...lifecycleFields(finding),
      ...(finding.suppressed
        ? {
            "qbiz-readiness/suppressed": "true",
            "qbiz-readiness/suppressionReason": clip(
              `${finding.suppressed.reason} (by ${finding.suppressed.by}${finding.suppressed.expires ? `, until ${finding.suppressed.expires}` : ""})`,
              1000,
            ),
          }
        : {}),
    },
  };
}

/** `--format asff`: every finding (pass included), then the vanished ones archived, as the JSON array BatchImportFindings takes in chunks. */
export function formatAsff(report: AuditReport, options: AsffOptions = {}): string {
  return `${JSON.stringify(
    [...report.findings, ...(report.vanished ?? [])].map((f) => asffFinding(report, f, options)),
    null,
    2,
  )}\n`;
}
