/**
 * The dashboard's OCSF and ASFF downloads of the latest audit (every
 * finding): the stored report turned into the format, streamed a few
 * findings at a time so the answer starts at once.
 */
import { getAuditReport } from "../audit/history";
import type { Db } from "../db/database";
import { asffFinding } from "./asff";
import { ocsfFinding } from "./ocsf";

export const SECURITY_EXPORT_FORMATS = ["ocsf", "asff"] as const;
export type SecurityExportFormat = (typeof SECURITY_EXPORT_FORMATS)[number];

const PER_CHUNK = 200;

export async function securityExport(
  db: Db,
  auditId: number,
  format: SecurityExportFormat,
): Promise<{ filename: string; contentType: string; body: ReadableStream<Uint8Array> } | null> {
  const report = await getAuditReport(db, auditId);
  if (!report) return null;
  const encoder = new TextEncoder();
  const toEvent =
    format === "ocsf" ? (f: (typeof report.findings)[number]) => ocsfFinding(report, f) : (f: (typeof report.findings)[number]) => asffFinding(report, f);
  // The vanished findings (resource gone, no longer reported) follow the report's: resolved in OCSF, archived in ASFF.
  const findings = [...report.findings, ...(report.vanished ?? [])];
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= findings.length) {
        controller.enqueue(encoder.encode(at === 0 ? "[]\n" : "\n]\n"));
        controller.close();
        return;
      }
      const chunk = findings.slice(at, at + PER_CHUNK).map((f) => JSON.stringify(toEvent(f)));
      controller.enqueue(encoder.encode(`${at === 0 ? "[\n" : ",\n"}${chunk.join(",\n")}`));
      at += PER_CHUNK;
    },
  });
  const stamp = report.scannedAt.replace(/[:.]/g, "-");
  return { filename: `qbiz-readiness-audit-${auditId}-${stamp}.${format}.json`, contentType: "application/json; charset=utf-8", body };
}
