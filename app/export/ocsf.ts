/**
 * The report as OCSF Detection Findings (class_uid 2004, schema 1.6.0, the
 * version Security Hub reads): one event per finding, as a JSON array
 * (`--format ocsf`, the dashboard's OCSF export). Every attribute the class
 * requires is set (activity_id, category_uid, class_uid, type_uid, time,
 * severity_id, metadata.product.name, metadata.version, finding_info.uid);
 * the resource, status, remediation and the accepted exception go where the
 * schema puts them. Pure: no AWS, no Node.
 */
import { checkById, howToFixFor } from "../audit/checks";
import type { AuditReport, Finding, Severity } from "../audit/types";
import { dashboardBaseUrl, exportedResource, findingDashboardPath, isVanished, PRODUCT_NAME, stableFindingId } from "./common";

export const OCSF_SCHEMA_VERSION = "1.6.0";
export const OCSF_DETECTION_FINDING = { class_uid: 2004, class_name: "Detection Finding", category_uid: 2, category_name: "Findings" } as const;

/** OCSF severity_id: 2 Low, 3 Medium, 4 High, 5 Critical; a passing check is 1 Informational. */
const SEVERITY_IDS: Record<Severity, { id: number; caption: string }> = {
  low: { id: 2, caption: "Low" },
  medium: { id: 3, caption: "Medium" },
  high: { id: 4, caption: "High" },
  critical: { id: 5, caption: "Critical" },
};

/** The finding's OCSF activity and status: open ones are created/new, passing ones closed/resolved, accepted ones suppressed. */
function lifecycle(finding: Finding): { activity_id: number; activity_name: string; status_id: number; status: string } {
  if (finding.status === "pass" || isVanished(finding)) return { activity_id: 3, activity_name: "Close", status_id: 4, status: "Resolved" };
  if (finding.suppressed) return { activity_id: 2, activity_name: "Update", status_id: 3, status: "Suppressed" };
  return { activity_id: 1, activity_name: "Create", status_id: 1, status: "New" };
}

/** Epoch milliseconds (OCSF timestamp_t). */
const ms = (iso: string) => Date.parse(iso);

export interface OcsfOptions {
  /** The product's version (metadata.product.version). */
  productVersion?: string;
  /** Dashboard address for finding_info.src_url (default QBR_DASHBOARD_URL). */
  dashboardUrl?: string;
  /** First and last seen per stable id, when the history knows them (item 5). */
  seen?: (finding: Finding) => { firstSeen?: string; lastSeen?: string; fixedAt?: string } | undefined;
}

export function ocsfFinding(report: AuditReport, finding: Finding, options: OcsfOptions = {}): Record<string, unknown> {
  const check = checkById(finding.checkId)?.metadata;
  const severity = finding.status === "pass" ? { id: 1, caption: "Informational" } : SEVERITY_IDS[finding.severity];
  const state = lifecycle(finding);
  const resource = exportedResource(finding);
  const base = options.dashboardUrl ?? dashboardBaseUrl();
  const life = finding.lifecycle;
  const seen =
    options.seen?.(finding) ?? (life ? { firstSeen: life.firstSeen, lastSeen: life.lastSeen ?? report.scannedAt, fixedAt: life.fixedAt } : undefined);
  return {
    ...OCSF_DETECTION_FINDING,
    activity_id: state.activity_id,
    activity_name: state.activity_name,
    type_uid: OCSF_DETECTION_FINDING.class_uid * 100 + state.activity_id,
    type_name: `${OCSF_DETECTION_FINDING.class_name}: ${state.activity_name}`,
    time: ms(report.scannedAt),
    severity_id: severity.id,
    severity: severity.caption,
    status_id: state.status_id,
    status: state.status,
    status_detail: isVanished(finding) ? life!.fixedReason : finding.status,
    message: finding.message,
    is_alert: finding.status === "fail" && !finding.suppressed,
    metadata: {
      version: OCSF_SCHEMA_VERSION,
      product: { name: PRODUCT_NAME, vendor_name: PRODUCT_NAME, ...(options.productVersion ? { version: options.productVersion } : {}) },
      log_name: "audit",
    },
    finding_info: {
      uid: stableFindingId(finding),
      title: check?.title ?? finding.checkId,
      desc: finding.message,
      analytic: { uid: finding.checkId, name: finding.checkId, type_id: 1, type: "Rule" },
      types: [`qbiz-readiness/${finding.checkId}`],
      ...(seen?.firstSeen ? { first_seen_time: ms(seen.firstSeen) } : {}),
      ...(seen?.lastSeen ? { last_seen_time: ms(seen.lastSeen) } : {}),
      ...(life?.firstSeenEver ? { created_time: ms(life.firstSeenEver) } : {}),
      ...(seen?.fixedAt ? { modified_time: ms(seen.fixedAt) } : {}),
      ...(base ? { src_url: `${base}${findingDashboardPath(finding)}` } : {}),
    },
    cloud: { provider: "AWS", region: resource.region, account: { uid: resource.accountId, type_id: 10, type: "AWS Account" } },
    resources: [
      {
        uid: resource.id,
        type: resource.type,
        ...(resource.name ? { name: resource.name } : {}),
        region: resource.region,
        cloud_partition: "aws",
        owner: { account: { uid: resource.accountId } },
      },
    ],
    remediation: {
      desc: check ? howToFixFor(check, finding.evidence) : "",
      ...(finding.remediation.action ? { references: [`npm run fix -- ${finding.remediation.action}`] } : {}),
    },
    ...(finding.suppressed
      ? {
          comment: `Accepted exception by ${finding.suppressed.by}${finding.suppressed.expires ? ` until ${finding.suppressed.expires}` : ""}: ${finding.suppressed.reason}`,
        }
      : {}),
    unmapped: {
      check_id: finding.checkId,
      evidence: finding.evidence,
      ...(finding.suppressed ? { suppressed: finding.suppressed } : {}),
      ...(seen?.fixedAt ? { fixed_at: seen.fixedAt, fixed_reason: life?.fixedReason ?? "passed" } : {}),
      ...(life?.reopened ? { reopened: life.reopened } : {}),
    },
  };
}

/** Every finding of the report, pass included (a resolved finding says it is fixed), then the vanished ones (resolved: resource-gone, not-reported). */
export function formatOcsf(report: AuditReport, options: OcsfOptions = {}): string {
  return `${JSON.stringify(
    [...report.findings, ...(report.vanished ?? [])].map((f) => ocsfFinding(report, f, options)),
    null,
    2,
  )}\n`;
}
