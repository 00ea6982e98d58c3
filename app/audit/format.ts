/**
 * The report for people (a text table) and for spreadsheets (CSV). JSON needs
 * no formatter: it is `JSON.stringify(report, null, 2)`.
 */
import { checkById, howToFixFor } from "./checks";
import { cutoffLabel } from "./checks/common";
import { FINDING_STATUSES, rankIn, SEVERITIES, type AuditReport, type Finding, type FindingStatus } from "./types";

/** Where a finding is, in words: "111122223333/us-east-1 › acme-assistant › data source hr-data". */
export function describeLocation(report: AuditReport, finding: Finding): string {
  const r = finding.resource;
  const parts = [`${r.accountId}/${r.region}`];
  if (r.applicationId) {
    const app = report.applications.find((a) => a.applicationId === r.applicationId && a.accountId === r.accountId && a.region === r.region);
    parts.push(app?.displayName ?? r.applicationId);
  }
  switch (r.type) {
    case "data-source":
      parts.push(r.dataSourceId ? `data source ${r.name ?? r.dataSourceId}` : (r.name ?? "data sources"));
      break;
    case "uploaded-documents":
    case "web-experience":
      parts.push(r.name ?? r.webExperienceId ?? r.type);
      break;
    case "role":
      parts.push(`role ${r.name ?? r.roleArn}${r.webExperienceId ? ` (web experience ${r.webExperienceId})` : ""}`);
      break;
    default:
      break;
  }
  return parts.join(" › ");
}

/** "Accepted by alice until 2027-06-30 (file rule file:0): public FAQ, no downloads wanted". */
export function acceptedLine(s: NonNullable<Finding["suppressed"]>): string {
  return `Accepted by ${s.by}${s.expires ? ` until ${s.expires}` : ""} (${s.source} rule ${s.ruleId}): ${s.reason}`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

/**
 * For people: readiness per application, then every failing, warning and
 * unknown finding (worst first) with its message and how to fix it.
 */
export function formatTable(report: AuditReport): string {
  const out: string[] = [];
  const cutoff = new Date(report.cutoff);
  out.push(`Q Business clickable URL readiness, scanned ${report.scannedAt}`);
  out.push(`Cutoff: ${report.cutoff} (full sync must be after ${cutoffLabel(cutoff)})`);
  const unreadable = report.targets.filter((t) => t.status === "error");
  out.push(`Targets: ${report.targets.length - unreadable.length} read, ${unreadable.length} unreadable`);
  for (const t of unreadable) {
    out.push(`  ${t.accountId}/${t.region}: ${t.error ? `${t.error.code}: ${t.error.message}` : "error"}`);
  }
  out.push("");

  const apps = report.summary.applications;
  out.push(`Applications: ${apps.total} (ready ${apps.ready}, not ready ${apps.notReady}, unsupported ${apps.unsupported}, unknown ${apps.unknown})`);
  if (report.applications.length > 0) {
    const rows = report.applications.map((app) => {
      const own = report.findings.filter(
        (f) => f.resource.applicationId === app.applicationId && f.resource.accountId === app.accountId && f.resource.region === app.region,
      );
      const count = (s: FindingStatus) => String(own.filter((f) => f.status === s).length);
      return [
        app.readiness,
        app.accountId,
        app.region,
        app.displayName,
        app.identityType ?? "-",
        count("fail"),
        count("warn"),
        count("unknown"),
        app.applicationId,
      ];
    });
    out.push(...table(["READINESS", "ACCOUNT", "REGION", "APPLICATION", "IDENTITY", "FAIL", "WARN", "UNKNOWN", "APPLICATION ID"], rows));
    for (const app of report.applications.filter((a) => a.error)) {
      const e = app.error!;
      out.push(`  ${app.displayName} was read only in part: ${e.code}${e.operation ? ` on ${e.operation}` : ""}: ${e.message}`);
    }
  }
  out.push("");

  const f = report.summary.findings;
  const accepted = report.suppressions ? `; ${report.suppressions.suppressedFindings} of them accepted exceptions` : "";
  out.push(`Findings: ${f.fail} fail, ${f.warn} warn, ${f.unknown} unknown, ${f.pass} pass${accepted}`);
  const attention = report.findings
    .filter((x) => x.status !== "pass")
    .sort((a, b) => rankIn(FINDING_STATUSES, a.status) - rankIn(FINDING_STATUSES, b.status) || rankIn(SEVERITIES, a.severity) - rankIn(SEVERITIES, b.severity));
  if (attention.length === 0) {
    out.push("Nothing needs attention.");
  }
  for (const finding of attention) {
    out.push("");
    out.push(`${finding.status.toUpperCase()}  ${finding.severity}  ${finding.checkId}${finding.suppressed ? "  (accepted exception)" : ""}`);
    out.push(`  ${describeLocation(report, finding)}`);
    if (finding.suppressed) out.push(`  ${acceptedLine(finding.suppressed)}`);
    out.push(`  ${finding.message}`);
    const metadata = checkById(finding.checkId)?.metadata;
    if (finding.status !== "unknown" && metadata) out.push(`  Fix: ${howToFixFor(metadata, finding.evidence)}`);
    const withheld = finding.remediation.action === null && metadata?.remediation && (finding.status === "fail" || finding.status === "warn");
    out.push(`  Automatic fix: ${finding.remediation.action ?? (withheld ? `none (${metadata!.remediation} cannot help here)` : "none")}`);
  }
  return out.join("\n") + "\n";
}

export const CSV_COLUMNS = [
  "checkId",
  "status",
  "severity",
  "resourceType",
  "accountId",
  "region",
  "applicationId",
  "applicationName",
  "indexId",
  "dataSourceId",
  "webExperienceId",
  "roleArn",
  "resourceName",
  "message",
  "remediation",
  "evidence",
  "suppressed",
  "suppressionReason",
] as const;

/** Appended after CSV_COLUMNS (never renamed or moved): a finding's lifecycle (issue 14.5), empty without a database. */
export const LIFECYCLE_CSV_COLUMNS = ["firstSeen", "lastSeen", "fixedAt", "fixedReason", "reopened"] as const;

/** The lifecycle cells of a finding in the report of `scannedAt` (an open finding it reports was last seen then). */
export function lifecycleCells(life: Finding["lifecycle"], scannedAt: string, open: boolean): (string | null)[] {
  if (!life) return [null, null, null, null, null];
  return [
    life.firstSeen,
    life.lastSeen ?? (open ? scannedAt : null),
    life.fixedAt ?? null,
    life.fixedReason ?? null,
    life.reopened ? String(life.reopened) : null,
  ];
}

/**
 * What a spreadsheet reads as the start of a formula (or DDE), per OWASP's CSV
 * injection advice: IAM names such as "=1+2" or "@evil" are valid, and come
 * from accounts an attacker may control.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field per RFC 4180: quoted (quotes doubled) when it holds a comma, a
 * quote, CR or LF. A field a spreadsheet would run as a formula is prefixed
 * with a single quote and quoted (OWASP), so it shows as the text it is.
 */
export function csvField(value: string | null | undefined): string {
  const text = value ?? "";
  if (FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One finding per row (pass included), header first, CRLF line ends (RFC 4180); evidence as JSON. */
export function formatCsv(report: AuditReport): string {
  const rows = report.findings.map((finding) => {
    const r = finding.resource;
    const app = r.applicationId
      ? report.applications.find((a) => a.applicationId === r.applicationId && a.accountId === r.accountId && a.region === r.region)
      : undefined;
    return [
      finding.checkId,
      finding.status,
      finding.severity,
      r.type,
      r.accountId,
      r.region,
      r.applicationId,
      app?.displayName ?? null,
      r.indexId,
      r.dataSourceId,
      r.webExperienceId,
      r.roleArn,
      r.name,
      finding.message,
      finding.remediation.action,
      JSON.stringify(finding.evidence),
      finding.suppressed ? "true" : "false",
      finding.suppressed ? acceptedLine(finding.suppressed) : null,
      ...lifecycleCells(finding.lifecycle, report.scannedAt, finding.status === "fail" || finding.status === "warn"),
    ];
  });
  return [[...CSV_COLUMNS, ...LIFECYCLE_CSV_COLUMNS], ...rows].map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}
