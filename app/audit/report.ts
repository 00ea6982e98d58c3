/**
 * From inventory to report: run every check (pure functions of the
 * inventory), then assemble the JSON contract of docs/audit-report.md
 * with each application's readiness and the summary counts.
 */
import { allChecks } from "./checks";
import { applicationReadiness, findingsByApplication } from "./readiness";
import { applySuppressions, type SuppressionRule } from "./suppressions";
import type { ApplicationHeader, AuditReport, Finding, Inventory, ReportApplication } from "./types";
import { DEFAULT_CUTOFF } from "./types";

const CHECK_ORDER = new Map(allChecks.map((check, i) => [check.metadata.id, i]));

/** null sorts first, so a target's findings lead those of its applications. */
function compareNullable(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Report order: by account, region, application, then catalogue order, then resource. */
export function compareFindings(a: Finding, b: Finding): number {
  const ra = a.resource;
  const rb = b.resource;
  return (
    compareNullable(ra.accountId, rb.accountId) ||
    compareNullable(ra.region, rb.region) ||
    compareNullable(ra.applicationId, rb.applicationId) ||
    (CHECK_ORDER.get(a.checkId) ?? 99) - (CHECK_ORDER.get(b.checkId) ?? 99) ||
    compareNullable(ra.indexId, rb.indexId) ||
    compareNullable(ra.dataSourceId, rb.dataSourceId) ||
    compareNullable(ra.webExperienceId, rb.webExperienceId) ||
    compareNullable(ra.roleArn, rb.roleArn)
  );
}

/**
 * Runs every check of the catalogue over the inventory.
 * `cutoff` defaults to the inventory's own (which defaults to 2025-07-03T00:00Z).
 */
export function runChecks(inventory: Inventory, options: { cutoff?: Date | string } = {}): Finding[] {
  const cutoff = new Date(options.cutoff ?? inventory.cutoff ?? DEFAULT_CUTOFF);
  if (Number.isNaN(cutoff.getTime())) throw new Error(`Invalid cutoff: ${String(options.cutoff ?? inventory.cutoff)}`);
  const ctx = { inventory, cutoff };
  return allChecks.flatMap((check) => check.run(ctx)).sort(compareFindings);
}

/**
 * The audit report (reportVersion 1) for an inventory and the findings of
 * runChecks, with the accepted exceptions applied (expiry judged at the scan time).
 */
/** What a report is built from besides the findings: the inventory's targets and each application's header. */
export type ReportInput = Pick<Inventory, "scannedAt" | "cutoff" | "targets" | "organization"> & { applications: readonly ApplicationHeader[] };

export function buildReport(inventory: ReportInput, checked: Finding[], options: { suppressions?: SuppressionRule[] } = {}): AuditReport {
  const rules = options.suppressions ?? [];
  const applied = applySuppressions(checked, rules, new Date(inventory.scannedAt));
  const findings = applied.findings;
  const ownFindings = findingsByApplication(findings);
  const accountNames = new Map(inventory.targets.flatMap((t) => (t.accountName !== undefined ? [[t.accountId, t.accountName] as const] : [])));
  const applications: ReportApplication[] = inventory.applications
    .map((app) => ({
      accountId: app.accountId,
      region: app.region,
      applicationId: app.applicationId,
      displayName: app.displayName,
      identityType: app.identityType ?? null,
      ...readinessOf(app, ownFindings(app)),
      ...(accountNames.has(app.accountId) ? { accountName: accountNames.get(app.accountId) } : {}),
      ...(app.error ? { error: app.error } : {}),
    }))
    .sort(
      (a, b) =>
        compareNullable(a.accountId, b.accountId) ||
        compareNullable(a.region, b.region) ||
        a.displayName.localeCompare(b.displayName) ||
        compareNullable(a.applicationId, b.applicationId),
    );
  const countApps = (readiness: ReportApplication["readiness"]) => applications.filter((a) => a.readiness === readiness).length;
  const countFindings = (status: Finding["status"]) => findings.filter((f) => f.status === status).length;
  return {
    reportVersion: 1,
    scannedAt: inventory.scannedAt,
    cutoff: new Date(inventory.cutoff ?? DEFAULT_CUTOFF).toISOString(),
    targets: inventory.targets,
    summary: {
      applications: {
        total: applications.length,
        ready: countApps("ready"),
        notReady: countApps("not-ready"),
        unsupported: countApps("unsupported"),
        unknown: countApps("unknown"),
      },
      findings: { fail: countFindings("fail"), warn: countFindings("warn"), unknown: countFindings("unknown"), pass: countFindings("pass") },
    },
    applications,
    findings,
    ...(inventory.organization ? { organization: inventory.organization } : {}),
    ...(rules.length > 0 ? { suppressions: applied.summary } : {}),
  };
}

/** An application's readiness from its own findings and, when some apply, how many of them are accepted exceptions. */
function readinessOf(app: ApplicationHeader, own: Finding[]): Pick<ReportApplication, "readiness" | "suppressedFindings"> {
  const suppressed = own.filter((f) => f.suppressed !== undefined).length;
  return { readiness: applicationReadiness(app, own), ...(suppressed > 0 ? { suppressedFindings: suppressed } : {}) };
}
