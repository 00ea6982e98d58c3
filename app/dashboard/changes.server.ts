/**
 * "What changed": two stored audits compared (by default the latest against
 * the one before). Read from the indexed rows (applications, and only the
 * findings that do not pass, each as stored), not from the two whole reports:
 * a 300-application audit's report is megabytes of JSON.
 */
import { applicationKey, compareAuditParts, findingKey, listAudits, type AuditComparison } from "~/audit/history";
import type { Finding, ReportApplication } from "~/audit/types";
import { applicationsOfAudit } from "~/db/audit-applications";
import type { Db } from "~/db/database";
import { openStoredFindings } from "~/db/findings";
import type { AccountNames } from "./account-names";
import { accountNamesOfAudit, accountNamesOfAudits } from "./account-names.server";
import { checkTitle } from "./catalogue.server";
import { auditStamp } from "./findings.server";
import type { AuditStamp } from "./types";

/** The audits the "compare" selects offer. */
const SELECTABLE_AUDITS = 200;

export interface ChangesPage {
  audits: (AuditStamp & { summary: string })[];
  from: AuditStamp | null;
  to: AuditStamp | null;
  comparison: (AuditComparison & { checkTitles: Record<string, string> }) | null;
  /** The names of both audits' accounts (organization audits). */
  accountNames: AccountNames;
}

function parseId(value: string | null): number | undefined {
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

async function applicationsOf(db: Db, auditId: number): Promise<Map<string, ReportApplication>> {
  const rows = (await applicationsOfAudit(db, auditId)) as ReportApplication[];
  return new Map(rows.map((a) => [applicationKey(a), a]));
}

/** The findings of an audit that do not pass (as its report holds them), by their identity across audits. */
async function openFindingsOf(db: Db, auditId: number): Promise<Map<string, Finding>> {
  return new Map((await openStoredFindings(db, auditId)).map((f) => [findingKey(f), f]));
}

/** The comparison compareAudits makes, from the rows: readiness changes and findings that came or went. */
export async function compareStoredAudits(db: Db, fromId: number, toId: number): Promise<AuditComparison> {
  return compareAuditParts(
    { id: fromId, applications: (await applicationsOf(db, fromId)).values(), openFindings: await openFindingsOf(db, fromId) },
    { id: toId, applications: (await applicationsOf(db, toId)).values(), openFindings: await openFindingsOf(db, toId) },
  );
}

/**
 * Compares audit `to` (default: the latest) with `from` (default: the one
 * before `to`). Throws a 404 Response naming the audit when one is not stored.
 */
export async function getChanges(db: Db, params: URLSearchParams): Promise<ChangesPage> {
  const audits = (await listAudits(db, SELECTABLE_AUDITS)).map((a) => ({
    id: a.id,
    scannedAt: a.scannedAt,
    cutoff: a.cutoff,
    summary: `${a.summary.applications.ready} ready, ${a.summary.applications.notReady} not ready`,
  }));
  const stamp = async (id: number) => {
    const found = await auditStamp(db, id);
    if (!found) throw new Response(`Audit #${id} is not stored (it may have been removed). Pick another audit to compare.`, { status: 404 });
    return found;
  };
  const toId = parseId(params.get("to")) ?? audits[0]?.id;
  if (toId === undefined) return { audits, from: null, to: null, comparison: null, accountNames: {} };
  const to = await stamp(toId);
  const fromId = parseId(params.get("from")) ?? audits.find((a) => a.id < toId)?.id;
  if (fromId === undefined) return { audits, from: null, to, comparison: null, accountNames: await accountNamesOfAudit(db, to.id) };
  const from = await stamp(fromId);
  const comparison = await compareStoredAudits(db, from.id, to.id);
  const checkTitles: Record<string, string> = {};
  for (const f of [...comparison.newFindings, ...comparison.goneFindings]) checkTitles[f.checkId] ??= checkTitle(f.checkId);
  return { audits, from, to, comparison: { ...comparison, checkTitles }, accountNames: await accountNamesOfAudits(db, [from.id, to.id]) };
}
