/**
 * audit_applications: one row per application per audit, with the
 * application's inventory (JSON text) as the audit saved it, stored once per
 * distinct text in application_inventories (migration 0009, ADR 0014).
 */
import { sql } from "kysely";
import { unpackText } from "./contents";
import type { Db } from "./database";
import { dictionariesOf } from "./dictionaries";
import { READINESS_ORDER, rankIn } from "./order";

export interface ApplicationKey {
  accountId: string;
  region: string;
  applicationId: string;
}

export interface StoredApplicationRow {
  accountId: string;
  region: string;
  applicationId: string;
  displayName: string;
  identityType: string | null;
  readiness: string;
}

/** One application's inventory JSON text and readiness in an audit. */
export async function applicationOfAudit(db: Db, auditId: number, key: ApplicationKey): Promise<{ inventory: string; readiness: string } | undefined> {
  const row = await db.kysely
    .selectFrom("audit_applications as a")
    .innerJoin("application_inventories as i", "i.id", "a.inventory_id")
    .select(["i.inventory", "a.readiness"])
    .where("a.audit_id", "=", auditId)
    .where("a.account_id", "=", key.accountId)
    .where("a.region", "=", key.region)
    .where("a.application_id", "=", key.applicationId)
    .executeTakeFirst();
  return row ? { inventory: unpackText(row.inventory, await dictionariesOf(db)), readiness: row.readiness } : undefined;
}

/** Every application of an audit (without its inventory). */
export async function applicationsOfAudit(db: Db, auditId: number): Promise<StoredApplicationRow[]> {
  return db.kysely
    .selectFrom("audit_applications")
    .select([
      "account_id as accountId",
      "region",
      "application_id as applicationId",
      "display_name as displayName",
      "identity_type as identityType",
      "readiness",
    ])
    .where("audit_id", "=", auditId)
    .execute();
}

/** The inventory JSON texts of an audit's applications, optionally of one account only. */
export async function inventoriesOfAudit(db: Db, auditId: number, accountId?: string): Promise<string[]> {
  let query = db.kysely
    .selectFrom("audit_applications as a")
    .innerJoin("application_inventories as i", "i.id", "a.inventory_id")
    .select("i.inventory")
    .where("a.audit_id", "=", auditId);
  if (accountId !== undefined) query = query.where("a.account_id", "=", accountId);
  const rows = await query.execute();
  const dictionaries = await dictionariesOf(db);
  return rows.map((r) => unpackText(r.inventory, dictionaries));
}

/** The distinct accounts and regions of an audit's applications. */
export async function placesOfAudit(db: Db, auditId: number): Promise<{ accountId: string; region: string }[]> {
  return db.kysely.selectFrom("audit_applications").select(["account_id as accountId", "region"]).distinct().where("audit_id", "=", auditId).execute();
}

/** The application's display name in the latest audit that has it. */
export async function latestDisplayName(db: Db, app: ApplicationKey): Promise<string | undefined> {
  const row = await db.kysely
    .selectFrom("audit_applications")
    .select("display_name")
    .where("account_id", "=", app.accountId)
    .where("region", "=", app.region)
    .where("application_id", "=", app.applicationId)
    .orderBy("audit_id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.display_name;
}

export interface ApplicationQuery {
  account?: string | null;
  region?: string | null;
  readiness?: string | null;
  /** Text in the display name or the application id. */
  q?: string | null;
  /** Only applications failing this check. */
  check?: string | null;
  sort: "name" | "account" | "region" | "readiness" | "failing";
  dir: "asc" | "desc";
}

export type ApplicationCountsRow = StoredApplicationRow & { failCount: number; warnCount: number };

const SORTS = {
  // lower() rather than COLLATE NOCASE: the same order on SQLite and PostgreSQL (ASCII case folding).
  name: sql`lower(a.display_name)`,
  account: sql.ref("a.account_id"),
  region: sql.ref("a.region"),
  readiness: rankIn("a.readiness", READINESS_ORDER),
  failing: sql`coalesce(c.fail_count, 0)`,
} as const;

/** The WHERE terms of the applications table's filters. */
function applicationWhere(auditId: number, filters: Omit<ApplicationQuery, "sort" | "dir">) {
  const where = [sql`a.audit_id = ${auditId}`];
  if (filters.account) where.push(sql`a.account_id = ${filters.account}`);
  if (filters.region) where.push(sql`a.region = ${filters.region}`);
  if (filters.readiness) where.push(sql`a.readiness = ${filters.readiness}`);
  if (filters.q) {
    // A pasted application ARN (arn:aws:qbusiness:region:account:application/ID) finds its application by the id.
    const text = filters.q.startsWith("arn:") ? (filters.q.split("/").filter(Boolean).pop() ?? filters.q) : filters.q;
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not; this matches the same rows on both.
    where.push(sql`(lower(a.display_name) LIKE lower(${like}) ESCAPE '\\' OR lower(a.application_id) LIKE lower(${like}) ESCAPE '\\')`);
  }
  if (filters.check) {
    where.push(sql`EXISTS (SELECT 1 FROM findings ff
                 WHERE ff.audit_id = ${auditId} AND ff.check_id = ${filters.check} AND ff.status = 'fail'
                   AND ff.account_id = a.account_id AND ff.region = a.region AND ff.application_id = a.application_id)`);
  }
  return sql.join(where, sql` AND `);
}

/** How many applications of the audit pass the filters (the table's "N of M"). */
export async function countApplicationRows(db: Db, auditId: number, filters: Omit<ApplicationQuery, "sort" | "dir">): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM audit_applications a WHERE ${applicationWhere(auditId, filters)}`.execute(db.kysely);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The applications of one audit that pass the filters, with their failing and
 * warning counts, in the chosen order; one page of them when `page` is given.
 * Counts come from the few fail/warn rows (index on status), never from a
 * join over every finding of the audit.
 */
export async function queryApplicationRows(
  db: Db,
  auditId: number,
  filters: ApplicationQuery,
  page?: { offset: number; limit: number },
): Promise<ApplicationCountsRow[]> {
  const direction = sql.raw(filters.dir === "desc" ? "DESC" : "ASC");
  const { rows } = await sql<ApplicationCountsRow>`
    WITH counts AS (
      SELECT account_id, region, application_id,
             count(CASE WHEN status = 'fail' THEN 1 END) AS fail_count,
             count(CASE WHEN status = 'warn' THEN 1 END) AS warn_count
      FROM findings
      WHERE audit_id = ${auditId} AND status IN ('fail', 'warn')
      GROUP BY account_id, region, application_id)
    SELECT a.account_id AS "accountId", a.region, a.application_id AS "applicationId",
           a.display_name AS "displayName", a.identity_type AS "identityType", a.readiness,
           coalesce(c.fail_count, 0) AS "failCount", coalesce(c.warn_count, 0) AS "warnCount"
    FROM audit_applications a
    LEFT JOIN counts c ON c.account_id = a.account_id AND c.region = a.region AND c.application_id = a.application_id
    WHERE ${applicationWhere(auditId, filters)}
    ORDER BY ${SORTS[filters.sort]} ${direction}, lower(a.display_name), a.application_id, a.account_id, a.region
    ${page ? sql`LIMIT ${page.limit} OFFSET ${page.offset}` : sql``}`.execute(db.kysely);
  return rows.map((r) => ({ ...r, failCount: Number(r.failCount), warnCount: Number(r.warnCount) }));
}
