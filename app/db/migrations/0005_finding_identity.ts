/**
 * 5: a finding's identity across audits (issue 11, findings at scale): the
 * findings page shows when each finding was first and last seen, which means
 * finding the same check on the same resource in other audits. finding_key is
 * that identity (the check id and every resource column, as
 * app/audit/history.ts's findingKey joins them), a generated column so every
 * writer (audits, re-audits, a legacy file adopted) has it without code, and
 * existing rows have it at once. The index (key, status, audit) answers
 * "earliest and latest audit with this finding in this status" with one seek.
 *
 * SQLite can only add a VIRTUAL generated column to an existing table (it is
 * stored in the index); PostgreSQL only has STORED ones. `||` and coalesce
 * are immutable in PostgreSQL, as a generated column requires.
 */
import { sql, type Kysely, type Migration } from "kysely";
import type { DialectName } from "./dialect";

const PARTS = ["check_id", "resource_type", "account_id", "region", "application_id", "index_id", "data_source_id", "web_experience_id", "role_arn"];
/** Nullable columns join as "" (as Array.join renders null), so the key equals findingKey's. */
const NOT_NULL = new Set(["check_id", "resource_type", "account_id", "region"]);

export const FINDING_KEY_SQL = PARTS.map((c) => (NOT_NULL.has(c) ? c : `coalesce(${c}, '')`)).join(" || '|' || ");

export function findingIdentity(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      const kind = dialect === "sqlite" ? "VIRTUAL" : "STORED";
      await sql.raw(`ALTER TABLE findings ADD COLUMN finding_key text GENERATED ALWAYS AS (${FINDING_KEY_SQL}) ${kind}`).execute(db);
      await db.schema.createIndex("findings_key_status").on("findings").columns(["finding_key", "status", "audit_id"]).execute();
    },
  };
}
