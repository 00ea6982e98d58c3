/**
 * Each finding's life across audits (issue 14.5, migration 0011): first seen,
 * last seen, fixed at, reopened. The model follows Security Hub's and OCSF's:
 * a finding keeps one identity (finding_key, the export's stable id) while it
 * is open (failing or warning); an audit that finds it passing, or no longer
 * reports it in a target it read, fixes it (fixedAt, and why: "passed",
 * "not-reported" when its resource is still audited, "resource-gone" when no
 * finding of any check names that resource any more); failing again reopens
 * it with a new firstSeen (so "open for N days" counts the current spell),
 * and counts the reopening. "unknown" says nothing either way, and neither
 * does a target the audit could not read (nor an application it could not
 * read whole): those findings stay as they were.
 *
 * The rows follow the stored audits in order; the progress row says which
 * audit was applied last, so audits stored before this table existed (or
 * without it) are replayed from their reports before the next one.
 */
import type { Selectable } from "kysely";
import { findingKey, getAuditReport } from "../audit/history";
import type { AuditReport, Finding, FindingLifecycle, FixedReason } from "../audit/types";
import { auditedScope } from "../export/common";
import type { Db } from "./database";
import type { FindingLifecycleTable } from "./schema";

export type LifecycleRow = Selectable<FindingLifecycleTable>;

/** Stands for the id of the audit being stored, until it has one. */
const THIS_AUDIT = 0;
const OPEN_STATUSES = new Set(["fail", "warn"]);
const WRITE_CHUNK = 100;

/** A finding's resource, whatever the check: "still audited" means some finding of this audit names it. */
const resourceKey = (f: Pick<Finding, "resource">) => {
  const r = f.resource;
  return [r.type, r.accountId, r.region, r.applicationId, r.indexId, r.dataSourceId, r.webExperienceId, r.roleArn].join("|");
};

/** What a row keeps of a finding: enough to tell it and export it once it is no longer reported. */
function snapshot(f: Finding): string {
  const { checkId, status, severity, resource, message, remediation, suppressed } = f;
  return JSON.stringify({ checkId, status, severity, resource, message, remediation, evidence: {}, ...(suppressed ? { suppressed } : {}) });
}

/**
 * The report member of a row. In the report of audit `now`, an open finding
 * it reports has no lastSeen (it is that audit's scannedAt): so an unchanged
 * open finding reads the same in every audit (stored once, issue 15).
 */
export function lifecycleOf(row: LifecycleRow, now?: string): FindingLifecycle {
  return {
    firstSeen: row.first_seen,
    ...(row.state === "open" && row.last_seen === now ? {} : { lastSeen: row.last_seen }),
    ...(row.fixed_at ? { fixedAt: row.fixed_at, fixedReason: row.fixed_reason as FixedReason } : {}),
    ...(row.reopened > 0 ? { reopened: row.reopened, firstSeenEver: row.first_seen_ever } : {}),
  };
}

function opened(f: Finding, key: string, at: string, before: LifecycleRow | undefined): LifecycleRow {
  const spell = !before || before.state === "fixed";
  return {
    finding_key: key,
    check_id: f.checkId,
    account_id: f.resource.accountId,
    region: f.resource.region,
    state: "open",
    status: f.status,
    first_seen: spell ? at : before.first_seen,
    first_audit_id: spell ? THIS_AUDIT : before.first_audit_id,
    last_seen: at,
    last_audit_id: THIS_AUDIT,
    fixed_at: null,
    fixed_audit_id: null,
    fixed_reason: null,
    reopened: (before?.reopened ?? 0) + (before?.state === "fixed" ? 1 : 0),
    first_seen_ever: before?.first_seen_ever ?? at,
    finding: snapshot(f),
  };
}

const fixed = (row: LifecycleRow, at: string, reason: FixedReason): LifecycleRow => ({
  ...row,
  state: "fixed",
  fixed_at: at,
  fixed_audit_id: THIS_AUDIT,
  fixed_reason: reason,
});

export interface LifecycleStep {
  /** The report's findings, each with its lifecycle where it has one. */
  findings: Finding[];
  /** Open findings this audit no longer reports (report.vanished). */
  vanished: Finding[];
  /** The rows to write (THIS_AUDIT for the audit's id). */
  changed: LifecycleRow[];
}

/** One audit's step, pure: the rows as they were before it (by key) and its report. */
export function advanceLifecycle(report: AuditReport, known: Map<string, LifecycleRow>): LifecycleStep {
  const at = report.scannedAt;
  const changed = new Map<string, LifecycleRow>();
  const findings = report.findings.map((f) => {
    const key = findingKey(f);
    const before = known.get(key);
    let row = before;
    if (OPEN_STATUSES.has(f.status)) row = opened(f, key, at, before);
    else if (f.status === "pass" && before?.state === "open") row = fixed(before, at, "passed");
    if (row && row !== before) changed.set(key, row);
    return row ? { ...f, lifecycle: lifecycleOf(row, at) } : f;
  });
  const reported = new Set(report.findings.map(findingKey));
  const resources = new Set(report.findings.map(resourceKey));
  const audited = auditedScope(report);
  const vanished: Finding[] = [];
  for (const row of known.values()) {
    if (row.state !== "open" || reported.has(row.finding_key)) continue;
    const last = JSON.parse(row.finding) as Finding;
    if (!audited(last)) continue;
    const closed = fixed(row, at, resources.has(resourceKey(last)) ? "not-reported" : "resource-gone");
    changed.set(row.finding_key, closed);
    vanished.push({ ...last, lifecycle: lifecycleOf(closed) });
  }
  return { findings, vanished, changed: [...changed.values()] };
}

/** The report with its step applied: findings' lifecycles and the vanished ones (absent when none). */
export function withLifecycle(report: AuditReport, step: LifecycleStep): AuditReport {
  const { vanished: _old, ...rest } = report;
  return { ...rest, findings: step.findings, ...(step.vanished.length > 0 ? { vanished: step.vanished } : {}) };
}

async function allRows(db: Db): Promise<Map<string, LifecycleRow>> {
  const rows = await db.kysely.selectFrom("finding_lifecycle").selectAll().execute();
  return new Map(rows.map((r) => [r.finding_key, r]));
}

async function appliedThrough(db: Db): Promise<number> {
  const row = await db.kysely.selectFrom("finding_lifecycle_progress").select("through_audit_id").where("id", "=", 1).executeTakeFirst();
  return row?.through_audit_id ?? 0;
}

/** Write a step's rows for audit `auditId` and mark it applied, in one transaction. */
async function commitStep(db: Db, auditId: number, changed: LifecycleRow[]): Promise<void> {
  const id = (n: number | null) => (n === THIS_AUDIT ? auditId : n);
  const rows = changed.map((r) => ({ ...r, first_audit_id: id(r.first_audit_id)!, last_audit_id: id(r.last_audit_id)!, fixed_audit_id: id(r.fixed_audit_id) }));
  await db.kysely.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += WRITE_CHUNK) {
      await trx
        .insertInto("finding_lifecycle")
        .values(rows.slice(i, i + WRITE_CHUNK))
        .onConflict((oc) =>
          oc.column("finding_key").doUpdateSet((eb) => ({
            state: eb.ref("excluded.state"),
            status: eb.ref("excluded.status"),
            first_seen: eb.ref("excluded.first_seen"),
            first_audit_id: eb.ref("excluded.first_audit_id"),
            last_seen: eb.ref("excluded.last_seen"),
            last_audit_id: eb.ref("excluded.last_audit_id"),
            fixed_at: eb.ref("excluded.fixed_at"),
            fixed_audit_id: eb.ref("excluded.fixed_audit_id"),
            fixed_reason: eb.ref("excluded.fixed_reason"),
            reopened: eb.ref("excluded.reopened"),
            first_seen_ever: eb.ref("excluded.first_seen_ever"),
            finding: eb.ref("excluded.finding"),
          })),
        )
        .execute();
    }
    await trx
      .insertInto("finding_lifecycle_progress")
      .values({ id: 1, through_audit_id: auditId })
      .onConflict((oc) => oc.column("id").doUpdateSet({ through_audit_id: auditId }))
      .execute();
  });
}

/** Replay the stored audits the rows do not include yet (older than this table, or stored without it), oldest first. */
async function catchUp(db: Db): Promise<void> {
  const through = await appliedThrough(db);
  const pending = await db.kysely.selectFrom("audits").select("id").where("id", ">", through).orderBy("id").execute();
  for (const { id } of pending) {
    const report = await getAuditReport(db, id);
    if (!report) continue;
    await commitStep(db, id, advanceLifecycle(report, await allRows(db)).changed);
  }
}

/**
 * Before an audit is stored: its report with lifecycles (to store and
 * output), and `commit` to call with the stored audit's id.
 */
export async function prepareLifecycle(db: Db, report: AuditReport): Promise<{ report: AuditReport; commit(auditId: number): Promise<void> }> {
  await catchUp(db);
  const step = advanceLifecycle(report, await allRows(db));
  return { report: withLifecycle(report, step), commit: (auditId) => commitStep(db, auditId, step.changed) };
}

/** The rows of some findings (by finding_key), for the pages and exports that read findings from the database. */
export async function lifecycleByKey(db: Db, keys: string[]): Promise<Map<string, FindingLifecycle>> {
  const out = new Map<string, FindingLifecycle>();
  const unique = [...new Set(keys)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db.kysely
      .selectFrom("finding_lifecycle")
      .selectAll()
      .where("finding_key", "in", unique.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.finding_key, lifecycleOf(r));
  }
  return out;
}

export interface FixedFinding {
  finding: Finding;
  lifecycle: FindingLifecycle;
  fixedAuditId: number;
}

/** Findings fixed, most recently fixed first (the findings page's "fixed" view). */
export async function fixedFindings(db: Db, options: { limit: number; offset?: number }): Promise<{ total: number; rows: FixedFinding[] }> {
  const count = await db.kysely
    .selectFrom("finding_lifecycle")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("state", "=", "fixed")
    .executeTakeFirstOrThrow();
  const rows = await db.kysely
    .selectFrom("finding_lifecycle")
    .selectAll()
    .where("state", "=", "fixed")
    .orderBy("fixed_at", "desc")
    .orderBy("finding_key")
    .limit(options.limit)
    .offset(options.offset ?? 0)
    .execute();
  return {
    total: Number(count.n),
    rows: rows.map((r) => ({ finding: JSON.parse(r.finding) as Finding, lifecycle: lifecycleOf(r), fixedAuditId: r.fixed_audit_id ?? 0 })),
  };
}
