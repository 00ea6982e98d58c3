/**
 * The findings exports (issue 11): CSV or JSON of exactly the findings the
 * page's filters select, in the page's order, or of everything (the CSV: every
 * finding; the JSON: the stored report, the audit-report.md contract, byte for
 * byte). Streamed: rows are read from the database EXPORT_CHUNK at a time and
 * written as they are read, so the server's memory does not grow with the
 * audit (a 300-application audit's report is megabytes).
 */
import { acceptedLine, CSV_COLUMNS, csvField } from "~/audit/format";
import type { Finding, FindingLifecycle } from "~/audit/types";
import { reportJsonParts } from "~/db/audits";
import type { Db } from "~/db/database";
import { lifecycleByKey } from "~/db/finding-lifecycle";
import { exportFindingChunks, type FindingExportRow } from "~/db/findings";
import { accountNameIn, type AccountNames } from "./account-names";
import { accountNamesOfAudit } from "./account-names.server";
import { auditStamp, findingQuery } from "./findings.server";
import type { AuditStamp, FindingFilters } from "./types";

export type ExportFormat = "csv" | "json";

export interface FindingsExport {
  filename: string;
  contentType: string;
  body: ReadableStream<Uint8Array>;
}

/** The dashboard's CSV: the CLI's columns (CSV_COLUMNS), then what only the history knows. */
export const EXPORT_CSV_COLUMNS = [...CSV_COLUMNS, "accountName", "firstSeen", "lastSeen", "fixedAt", "fixedReason", "reopened"] as const;

/** A finding row with what the export adds: the account's name, and its first and last seen dates. */
interface ExportRow extends FindingExportRow {
  accountName: string | null;
  /** Its lifecycle (app/db/finding-lifecycle.ts): when it was fixed and how, how often reopened. */
  lifecycle: FindingLifecycle | null;
}

const CELLS: Record<(typeof EXPORT_CSV_COLUMNS)[number], (r: ExportRow) => string | null> = {
  checkId: (r) => r.checkId,
  status: (r) => r.status,
  severity: (r) => r.severity,
  resourceType: (r) => r.resourceType,
  accountId: (r) => r.accountId,
  region: (r) => r.region,
  applicationId: (r) => r.applicationId,
  applicationName: (r) => r.applicationName,
  indexId: (r) => r.indexId,
  dataSourceId: (r) => r.dataSourceId,
  webExperienceId: (r) => r.webExperienceId,
  roleArn: (r) => r.roleArn,
  resourceName: (r) => r.name,
  message: (r) => r.message,
  remediation: (r) => r.remediation,
  evidence: (r) => r.evidence,
  suppressed: (r) => (r.suppressed ? "true" : "false"),
  suppressionReason: (r) => (r.suppressed ? acceptedLine(JSON.parse(r.suppressed) as NonNullable<Finding["suppressed"]>) : null),
  accountName: (r) => r.accountName,
  firstSeen: (r) => r.firstSeen,
  lastSeen: (r) => r.lastSeen,
  fixedAt: (r) => r.lifecycle?.fixedAt ?? null,
  fixedReason: (r) => r.lifecycle?.fixedReason ?? null,
  reopened: (r) => (r.lifecycle?.reopened ? String(r.lifecycle.reopened) : null),
};

/** One CSV line (RFC 4180, CRLF), every cell through csvField (formula neutralisation). */
const csvLine = (cells: (string | null)[]) => `${cells.map(csvField).join(",")}\r\n`;

/** A finding as the report writes it (audit-report.md), plus the export's additions; the evidence is the stored JSON text as is. */
function jsonFinding(r: ExportRow): string {
  const resource = {
    type: r.resourceType,
    accountId: r.accountId,
    region: r.region,
    applicationId: r.applicationId,
    indexId: r.indexId,
    dataSourceId: r.dataSourceId,
    webExperienceId: r.webExperienceId,
    roleArn: r.roleArn,
    name: r.name,
  };
  const head = JSON.stringify({ checkId: r.checkId, status: r.status, severity: r.severity, resource, message: r.message });
  const tail = JSON.stringify({
    remediation: { action: r.remediation },
    ...(r.suppressed ? { suppressed: JSON.parse(r.suppressed) as unknown } : {}),
    applicationName: r.applicationName,
    accountName: r.accountName,
    firstSeen: r.firstSeen,
    lastSeen: r.lastSeen,
    ...(r.lifecycle?.fixedAt ? { fixedAt: r.lifecycle.fixedAt, fixedReason: r.lifecycle.fixedReason } : {}),
    ...(r.lifecycle?.reopened ? { reopened: r.lifecycle.reopened } : {}),
  });
  return `${head.slice(0, -1)},"evidence":${r.evidence},${tail.slice(1)}`;
}

/** The export's rows, a chunk at a time, with account names and seen dates added. */
async function* exportRows(db: Db, auditId: number, filters: FindingFilters | null, names: AccountNames): AsyncGenerator<ExportRow[]> {
  for await (const chunk of exportFindingChunks(db, auditId, filters ? findingQuery(filters) : null)) {
    const lives = await lifecycleByKey(
      db,
      chunk.map((r) => r.findingKey),
    );
    yield chunk.map((r) => {
      const lifecycle = lives.get(r.findingKey) ?? null;
      return { ...r, accountName: accountNameIn(r.accountId, names), lifecycle };
    });
  }
}

async function* csvText(rows: AsyncGenerator<ExportRow[]>): AsyncGenerator<string> {
  yield csvLine([...EXPORT_CSV_COLUMNS]);
  for await (const chunk of rows) yield chunk.map((r) => csvLine(EXPORT_CSV_COLUMNS.map((c) => CELLS[c](r)))).join("");
}

/** The filtered JSON export: which audit and filters, how many, then the findings, written as they are read. */
async function* filteredJsonText(audit: AuditStamp, filters: FindingFilters, rows: AsyncGenerator<ExportRow[]>): AsyncGenerator<string> {
  const { page: _page, ...selection } = filters;
  const head = { auditId: audit.id, scannedAt: audit.scannedAt, cutoff: audit.cutoff, filters: selection };
  yield `${JSON.stringify(head).slice(0, -1)},"findings":[`;
  let first = true;
  let count = 0;
  for await (const chunk of rows) {
    const text = chunk.map(jsonFinding).join(",\n");
    yield first ? `\n${text}` : `,\n${text}`;
    first = false;
    count += chunk.length;
  }
  yield `\n],"count":${count}}\n`;
}

/** The stored report (the contract) in parts, never whole in memory (app/db/audits.ts puts it back together, ADR 0014). */
function reportText(db: Db, auditId: number): AsyncGenerator<string> {
  return reportJsonParts(db, auditId);
}

/** A pull-driven byte stream over text parts: the next part is read only when the client took the last one. */
export function textStream(parts: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await parts.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await parts.return(undefined);
    },
  });
}

export interface ExportRequest {
  db: Db;
  auditId: number;
  format: ExportFormat;
  /** null: everything (every finding; for JSON the stored report). */
  filters: FindingFilters | null;
}

/** The export of one stored audit, as a stream with its file name; null when the audit is not stored. */
export async function exportFindings({ db, auditId, format, filters }: ExportRequest): Promise<FindingsExport | null> {
  const audit = await auditStamp(db, auditId);
  if (!audit) return null;
  const stamp = audit.scannedAt.replace(/[:.]/g, "-");
  const scope = filters ? "filtered" : "all";
  const names = await accountNamesOfAudit(db, auditId);
  const parts =
    format === "csv"
      ? csvText(exportRows(db, auditId, filters, names))
      : filters
        ? filteredJsonText(audit, filters, exportRows(db, auditId, filters, names))
        : reportText(db, auditId);
  return {
    filename: `qbiz-readiness-audit-${audit.id}-${stamp}${filters ? `-${scope}` : ""}.${format}`,
    contentType: format === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
    body: textStream(parts),
  };
}
