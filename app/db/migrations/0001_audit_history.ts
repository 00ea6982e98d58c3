/**
 * 1: audit history. audits (one row per audit run), audit_applications (one
 * row per application per audit, with that application's inventory as JSON)
 * and findings (one row per finding). The same tables as the pre-Kysely
 * schema's version 1, which a legacy file adopts without running this.
 */
import type { Kysely, Migration } from "kysely";
import { withIdColumn, type DialectName } from "./dialect";

export function auditHistory(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(dialect, db.schema.createTable("audits"))
        .addColumn("scanned_at", "text", (c) => c.notNull())
        .addColumn("cutoff", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("summary", "text", (c) => c.notNull())
        .addColumn("report", "text", (c) => c.notNull())
        .addColumn("targets", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("audits_scanned_at").on("audits").column("scanned_at").execute();

      await db.schema
        .createTable("audit_applications")
        .addColumn("audit_id", "integer", (c) => c.notNull().references("audits.id").onDelete("cascade"))
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("application_id", "text", (c) => c.notNull())
        .addColumn("display_name", "text", (c) => c.notNull())
        .addColumn("identity_type", "text")
        .addColumn("readiness", "text", (c) => c.notNull())
        .addColumn("inventory", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("audit_applications_pk", ["audit_id", "account_id", "region", "application_id"])
        .execute();
      await db.schema.createIndex("audit_applications_readiness").on("audit_applications").columns(["audit_id", "readiness"]).execute();
      await db.schema.createIndex("audit_applications_app").on("audit_applications").columns(["application_id", "audit_id"]).execute();

      await withIdColumn(dialect, db.schema.createTable("findings"))
        .addColumn("audit_id", "integer", (c) => c.notNull().references("audits.id").onDelete("cascade"))
        .addColumn("check_id", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("severity", "text", (c) => c.notNull())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("application_id", "text")
        .addColumn("index_id", "text")
        .addColumn("data_source_id", "text")
        .addColumn("web_experience_id", "text")
        .addColumn("role_arn", "text")
        .addColumn("resource_type", "text", (c) => c.notNull())
        .addColumn("name", "text")
        .addColumn("message", "text", (c) => c.notNull())
        .addColumn("evidence", "text", (c) => c.notNull())
        .addColumn("remediation_action", "text")
        .execute();
      const findingIndexes: [string, string[]][] = [
        ["findings_audit_status", ["audit_id", "status", "severity"]],
        ["findings_audit_check", ["audit_id", "check_id"]],
        ["findings_audit_app", ["audit_id", "application_id"]],
        ["findings_audit_account", ["audit_id", "account_id", "region"]],
      ];
      for (const [name, columns] of findingIndexes) await db.schema.createIndex(name).on("findings").columns(columns).execute();
    },
  };
}
