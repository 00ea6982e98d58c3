/**
 * The audits table, and saving one audit as a whole (its row, its
 * applications, its findings) in one transaction. The JSON columns are text
 * here; app/audit/history.ts builds and parses them.
 */
import type { Insertable } from "kysely";
import type { Db } from "./database";
import type { AuditApplicationsTable, AuditsTable, FindingsTable } from "./schema";

/** SQLite allows 32766 bound parameters per statement: insert findings in chunks well below. */
const ROWS_PER_INSERT = 500;

export interface NewAudit {
  audit: Insertable<AuditsTable>;
  applications: Omit<Insertable<AuditApplicationsTable>, "audit_id">[];
  findings: Omit<Insertable<FindingsTable>, "audit_id" | "id">[];
}

/** Save an audit with its applications and findings, all or nothing; returns the audit's id. */
export async function insertAudit(db: Db, data: NewAudit): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto("audits").values(data.audit).returning("id").executeTakeFirstOrThrow();
    for (let i = 0; i < data.applications.length; i += ROWS_PER_INSERT) {
      const chunk = data.applications.slice(i, i + ROWS_PER_INSERT).map((a) => ({ ...a, audit_id: id }));
      await trx.insertInto("audit_applications").values(chunk).execute();
    }
    for (let i = 0; i < data.findings.length; i += ROWS_PER_INSERT) {
      const chunk = data.findings.slice(i, i + ROWS_PER_INSERT).map((f) => ({ ...f, audit_id: id }));
      await trx.insertInto("findings").values(chunk).execute();
    }
    return id;
  });
}

export interface AuditHead {
  id: number;
  scanned_at: string;
  cutoff: string;
  status: string;
  summary: string;
}

/** The newest audits' small columns, newest first. */
export async function listAuditHeads(db: Db, limit: number): Promise<AuditHead[]> {
  return db.kysely.selectFrom("audits").select(["id", "scanned_at", "cutoff", "status", "summary"]).orderBy("id", "desc").limit(limit).execute();
}

/** The stored report's JSON text. */
export async function auditReportJson(db: Db, auditId: number): Promise<string | undefined> {
  const row = await db.kysely.selectFrom("audits").select("report").where("id", "=", auditId).executeTakeFirst();
  return row?.report;
}

/** The report JSON text's length in characters (both engines count characters), for reading it in slices. */
export async function reportJsonLength(db: Db, auditId: number): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom("audits")
    .select((eb) => eb.fn<number>("length", ["report"]).as("n"))
    .where("id", "=", auditId)
    .executeTakeFirst();
  return row ? Number(row.n) : undefined;
}

/** `length` characters of the report JSON text from `start` (0-based): a streamed export never holds the whole report. */
export async function reportJsonSlice(db: Db, auditId: number, start: number, length: number): Promise<string> {
  const row = await db.kysely
    .selectFrom("audits")
    .select((eb) => eb.fn<string>("substr", ["report", eb.val(start + 1), eb.val(length)]).as("part"))
    .where("id", "=", auditId)
    .executeTakeFirst();
  return row?.part ?? "";
}

/** The latest audit's id, scan time and report JSON text. */
export async function latestAuditReportJson(db: Db): Promise<{ id: number; scanned_at: string; report: string } | undefined> {
  return db.kysely.selectFrom("audits").select(["id", "scanned_at", "report"]).orderBy("id", "desc").limit(1).executeTakeFirst();
}

export async function latestAuditId(db: Db): Promise<number | undefined> {
  const row = await db.kysely
    .selectFrom("audits")
    .select((eb) => eb.fn.max("id").as("id"))
    .executeTakeFirst();
  return row?.id ?? undefined;
}

/** An audit's id, scan time and cutoff. */
export async function auditStamp(db: Db, auditId: number): Promise<{ id: number; scannedAt: string; cutoff: string } | undefined> {
  return db.kysely.selectFrom("audits").select(["id", "scanned_at as scannedAt", "cutoff"]).where("id", "=", auditId).executeTakeFirst();
}

/** The audit's targets column (JSON text: small, one per account and region). */
export async function auditTargetsJson(db: Db, auditId: number): Promise<string | undefined> {
  const row = await db.kysely.selectFrom("audits").select("targets").where("id", "=", auditId).executeTakeFirst();
  return row?.targets;
}

/** How many rows each table holds (migration checks, diagnostics). */
export async function countRows(db: Db): Promise<Record<string, number>> {
  const tables = [
    "audits",
    "audit_applications",
    "findings",
    "activity",
    "activity_events",
    "activity_resources",
    "fix_locks",
    "tracked_syncs",
    "reaudits",
    "sessions",
  ] as const;
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await db.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}
