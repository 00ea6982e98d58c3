/**
 * The per-document verdict shared by datasource-documents-stale and
 * uploaded-documents-stale: a document whose updatedAt is before the cutoff
 * was not re-ingested since, whatever the sync jobs say.
 *
 * Choices:
 * - No documents at all: pass. Nothing stale can block a download; whether
 *   the source was ever synced is datasource-full-sync-missing's question. The
 *   message says there were none, so a pass is never mistaken for a count.
 * - A capped scan with none stale: unknown, not pass. The documents beyond
 *   the cap were not read, and a pass needs evidence for all of them; the
 *   message says how many were read so the admin can raise the cap.
 * - A capped scan with stale ones: fail, counted as "at least".
 */
import type { DocumentScan, FindingStatus } from "../types";
import { afterCutoff, describeError, errorEvidence, plural } from "./common";

export interface StalenessVerdict {
  status: FindingStatus;
  message: string;
  evidence: Record<string, unknown>;
}

/** `what` words the messages: the documents ("document", "uploaded file") and how they were renewed ("re-ingested", "uploaded"). */
export function judgeStaleness(scan: DocumentScan, cutoff: Date, what: { one: string; many: string; none: string; renewed: string }): StalenessVerdict {
  const after = afterCutoff(cutoff);
  const evidence: Record<string, unknown> = {
    scanned: scan.scanned,
    staleCount: scan.staleCount,
    freshCount: scan.freshCount,
    failedCount: scan.failedCount ?? null,
    capped: scan.capped,
    countsAreAtLeast: scan.capped,
    staleExamples: scan.staleExamples,
    cutoff: cutoff.toISOString(),
  };
  if (scan.error) {
    return {
      status: "unknown",
      message: `Documents could not be read: ${describeError(scan.error)}`,
      evidence: { ...evidence, error: errorEvidence(scan.error) },
    };
  }
  if (scan.staleCount > 0) {
    const count = `${scan.capped ? "At least " : ""}${plural(scan.staleCount, what.one, what.many)}`;
    const examples = scan.staleExamples.map((e) => e.documentId).slice(0, 3);
    const of = scan.capped ? "" : ` of ${scan.scanned}`;
    return {
      status: "fail",
      message: `${count}${of} not ${what.renewed} ${after}${examples.length ? ` (e.g. ${examples.join(", ")})` : ""}.`,
      evidence,
    };
  }
  if (scan.capped) {
    return {
      status: "unknown",
      message: `None of the first ${plural(scan.scanned, what.one, what.many)} is stale, but the scan stopped at its cap: the rest were not checked.`,
      evidence,
    };
  }
  if (scan.freshCount === 0) {
    // Nothing listed, or only documents being deleted (neither stale nor fresh).
    const leaving = scan.scanned > 0 ? ` (${scan.scanned} being deleted)` : "";
    return { status: "pass", message: `${what.none}${leaving}: nothing is stale.`, evidence };
  }
  return { status: "pass", message: `All ${plural(scan.freshCount, what.one, what.many)} ${what.renewed} ${after}.`, evidence };
}
