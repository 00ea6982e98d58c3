/**
 * "What changed": two stored audits compared (by default the latest against
 * the one before), through the history module's comparison.
 */
import { compareAudits, listAudits, type AuditComparison } from "~/audit/history";
import type { Db } from "~/db/database";
import { checkTitle } from "./catalogue.server";
import type { AuditStamp } from "./types";

/** The audits the "compare" selects offer. */
const SELECTABLE_AUDITS = 200;

export interface ChangesPage {
  audits: (AuditStamp & { summary: string })[];
  from: AuditStamp | null;
  to: AuditStamp | null;
  comparison: (AuditComparison & { checkTitles: Record<string, string> }) | null;
}

function parseId(value: string | null): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Compares audit `to` (default: the latest) with `from` (default: the one
 * before `to`). Throws a 404 Response naming the audit when one is not stored.
 */
export function getChanges(db: Db, params: URLSearchParams): ChangesPage {
  const audits = listAudits(db, SELECTABLE_AUDITS).map((a) => ({
    id: a.id,
    scannedAt: a.scannedAt,
    cutoff: a.cutoff,
    summary: `${a.summary.applications.ready} ready, ${a.summary.applications.notReady} not ready`,
  }));
  const stamp = (id: number) => {
    const found = audits.find((a) => a.id === id);
    if (found) return found;
    const row = db.prepare(`SELECT id, scanned_at AS scannedAt, cutoff FROM audits WHERE id = ?`).get(id) as AuditStamp | undefined;
    if (!row) throw new Response(`Audit #${id} is not stored (it may have been removed). Pick another audit to compare.`, { status: 404 });
    return row;
  };
  const toId = parseId(params.get("to")) ?? audits[0]?.id;
  if (toId === undefined) return { audits, from: null, to: null, comparison: null };
  const to = stamp(toId);
  const fromId = parseId(params.get("from")) ?? audits.find((a) => a.id < toId)?.id;
  if (fromId === undefined) return { audits, from: null, to, comparison: null };
  const from = stamp(fromId);
  const comparison = compareAudits(db, from.id, to.id);
  const checkTitles: Record<string, string> = {};
  for (const f of [...comparison.newFindings, ...comparison.goneFindings]) checkTitles[f.checkId] ??= checkTitle(f.checkId);
  return { audits, from, to, comparison: { ...comparison, checkTitles } };
}
