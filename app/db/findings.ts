/**
 * findings: one row per finding of an audit, the columns the dashboard
 * filters and sorts by, evidence as JSON text.
 */
import { sql } from "kysely";
import type { Db } from "./database";
import { SEVERITIES, STATUS_ORDER, rankIn } from "./order";
import type { FindingRow } from "./schema";

const OPEN = ["fail", "warn", "unknown"];

/** SQLite only: the index a query should read (the planner otherwise picks a worse one on big audits). */
const indexed = (db: Db, index: string) => (db.dialect === "sqlite" ? sql.raw(`INDEXED BY ${index}`) : sql``);

/** Failing findings per check, most first. */
export async function failingCountsByCheck(db: Db, auditId: number): Promise<{ checkId: string; count: number }[]> {
  const { rows } = await sql<{ checkId: string; count: number }>`
    SELECT check_id AS "checkId", count(*) AS count FROM findings ${indexed(db, "findings_audit_status")}
    WHERE audit_id = ${auditId} AND status = 'fail' GROUP BY check_id ORDER BY count(*) DESC, check_id`.execute(db.kysely);
  return rows.map((r) => ({ checkId: r.checkId, count: Number(r.count) }));
}

/** Findings per check and status. */
export async function statusCountsByCheck(db: Db, auditId: number): Promise<{ checkId: string; status: string; n: number }[]> {
  const rows = await db.kysely
    .selectFrom("findings")
    .select((eb) => ["check_id as checkId", "status", eb.fn.countAll<number>().as("n")])
    .where("audit_id", "=", auditId)
    .groupBy(["check_id", "status"])
    .execute();
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** The findings of an audit that do not pass, in id order. */
export async function openFindingRows(db: Db, auditId: number): Promise<FindingRow[]> {
  const { rows } = await sql<FindingRow>`
    SELECT * FROM findings ${indexed(db, "findings_audit_status")}
    WHERE audit_id = ${auditId} AND status IN (${sql.join(OPEN)}) ORDER BY id`.execute(db.kysely);
  return rows;
}

/** The findings of one application in an audit. */
export async function findingsOfApplication(db: Db, auditId: number, key: { accountId: string; region: string; applicationId: string }): Promise<FindingRow[]> {
  return db.kysely
    .selectFrom("findings")
    .selectAll()
    .where("audit_id", "=", auditId)
    .where("application_id", "=", key.applicationId)
    .where("account_id", "=", key.accountId)
    .where("region", "=", key.region)
    .execute();
}

export async function findingById(db: Db, id: number): Promise<FindingRow | undefined> {
  return db.kysely.selectFrom("findings").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The (index, data source) pairs of an application failing a check whose fix is a full sync. */
export async function failingFullSyncPairs(
  db: Db,
  auditId: number,
  app: { accountId: string; region: string; applicationId: string },
): Promise<{ indexId: string; dataSourceId: string }[]> {
  const rows = await db.kysely
    .selectFrom("findings")
    .select(["index_id", "data_source_id"])
    .distinct()
    .where("audit_id", "=", auditId)
    .where("account_id", "=", app.accountId)
    .where("region", "=", app.region)
    .where("application_id", "=", app.applicationId)
    .where("remediation_action", "=", "full-sync")
    .where("status", "=", "fail")
    .where("index_id", "is not", null)
    .where("data_source_id", "is not", null)
    .orderBy("index_id")
    .orderBy("data_source_id")
    .execute();
  return rows.map((r) => ({ indexId: r.index_id!, dataSourceId: r.data_source_id! }));
}

export interface FindingQuery {
  /** null: the open ones (fail, warn, unknown); "all": every status. */
  status: string | null;
  check?: string | null;
  severity?: string | null;
  account?: string | null;
  region?: string | null;
}

export interface FindingListRow {
  id: number;
  checkId: string;
  status: string;
  severity: string;
  resourceType: string;
  accountId: string;
  region: string;
  applicationId: string | null;
  applicationName: string | null;
  name: string | null;
  message: string;
  remediation: string | null;
}

/**
 * The findings page: how many findings match, and the first `limit` of them,
 * most urgent first (status, then severity as the lists order them).
 */
export async function queryFindings(db: Db, auditId: number, filters: FindingQuery, limit: number): Promise<{ matching: number; rows: FindingListRow[] }> {
  let query = db.kysely.selectFrom("findings as f").where("f.audit_id", "=", auditId);
  if (filters.status === null) query = query.where("f.status", "in", OPEN);
  else if (filters.status !== "all") query = query.where("f.status", "=", filters.status);
  if (filters.check) query = query.where("f.check_id", "=", filters.check);
  if (filters.severity) query = query.where("f.severity", "=", filters.severity);
  if (filters.account) query = query.where("f.account_id", "=", filters.account);
  if (filters.region) query = query.where("f.region", "=", filters.region);

  const counted = await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const rows = await query
    .leftJoin("audit_applications as a", (join) =>
      join
        .onRef("a.audit_id", "=", "f.audit_id")
        .onRef("a.account_id", "=", "f.account_id")
        .onRef("a.region", "=", "f.region")
        .onRef("a.application_id", "=", "f.application_id"),
    )
    .select([
      "f.id",
      "f.check_id as checkId",
      "f.status",
      "f.severity",
      "f.resource_type as resourceType",
      "f.account_id as accountId",
      "f.region",
      "f.application_id as applicationId",
      "a.display_name as applicationName",
      "f.name",
      "f.message",
      "f.remediation_action as remediation",
    ])
    .orderBy(rankIn("f.status", STATUS_ORDER))
    .orderBy(rankIn("f.severity", SEVERITIES))
    .orderBy("f.check_id")
    .orderBy("f.account_id")
    .orderBy("f.region")
    .orderBy("a.display_name")
    .orderBy("f.name")
    .orderBy("f.id")
    .limit(limit)
    .execute();
  return { matching: Number(counted.n), rows };
}
