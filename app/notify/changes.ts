/**
 * What an audit changed, as a notification tells it: applications that became
 * ready or regressed, findings newly failing (accepted exceptions left out),
 * findings fixed; for the first audit of a database, a summary. Pure.
 */
import { compareAuditParts, findingKey, type ReadinessChange } from "../audit/history";
import type { AuditReport, Finding } from "../audit/types";

export interface AuditChanges {
  kind: "first-audit" | "changes";
  becameReady: ReadinessChange[];
  regressed: ReadinessChange[];
  /** Failing now, not failing (or absent) before; not suppressed. */
  newlyFailing: Finding[];
  /** Failing before, passing now, or no longer reported (report.vanished: its resource gone); each with its lifecycle when stored. */
  fixed: Finding[];
}

const failing = (r: AuditReport) => new Map(r.findings.filter((f) => f.status === "fail" && !f.suppressed).map((f) => [findingKey(f), f]));

/** undefined when nothing worth telling changed (an unchanged fleet sends nothing). */
export function auditChanges(
  previous: { id: number; report: AuditReport } | undefined,
  current: { id: number; report: AuditReport },
): AuditChanges | undefined {
  if (!previous) return { kind: "first-audit", becameReady: [], regressed: [], newlyFailing: [], fixed: [] };
  const cmp = compareAuditParts(
    { id: previous.id, applications: previous.report.applications, openFindings: failing(previous.report) },
    { id: current.id, applications: current.report.applications, openFindings: failing(current.report) },
  );
  const passingNow = new Set(current.report.findings.filter((f) => f.status === "pass").map(findingKey));
  const passing = cmp.goneFindings.filter((f) => passingNow.has(findingKey(f)));
  const nowPassing = new Map(current.report.findings.map((f) => [findingKey(f), f]));
  const wasFailing = failing(previous.report);
  // The current report's finding (it carries the lifecycle: fixed at), then the vanished ones that were failing.
  const vanished = (current.report.vanished ?? []).filter((f) => wasFailing.has(findingKey(f)));
  const fixed = [...passing.map((f) => nowPassing.get(findingKey(f)) ?? f), ...vanished];
  const changes: AuditChanges = { kind: "changes", becameReady: cmp.becameReady, regressed: cmp.regressed, newlyFailing: cmp.newFindings, fixed };
  return changes.becameReady.length + changes.regressed.length + changes.newlyFailing.length + changes.fixed.length > 0 ? changes : undefined;
}
