/**
 * 6: incremental audits (issue 15, ADR 0010). data_source_evidence keeps, per
 * data source, the evidence that can only stay true: a full sync confirmed
 * after the cutoff (its job and how its mode was established) and "every
 * document re-ingested after the cutoff" (counts and when the scan started).
 * A row applies only to the same data source id and creation time and the
 * same cutoff, which are its columns. audit_scans records whether each audit
 * read everything or reused evidence, so every QBR_FULL_SCAN_EVERY-th audit
 * can be a full one. Both go with their audit (ON DELETE CASCADE).
 *
 * Only portable types (text, integer): the same statements on both engines.
 */
import type { Kysely, Migration } from "kysely";
import type { DialectName } from "./dialect";

export function dataSourceEvidence(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("data_source_evidence")
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("application_id", "text", (c) => c.notNull())
        .addColumn("index_id", "text", (c) => c.notNull())
        .addColumn("data_source_id", "text", (c) => c.notNull())
        /** full-sync | documents */
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("data_source_created_at", "text", (c) => c.notNull())
        .addColumn("cutoff", "text", (c) => c.notNull())
        .addColumn("audit_id", "integer", (c) => c.notNull().references("audits.id").onDelete("cascade"))
        .addColumn("scanned_at", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("data_source_evidence_pk", ["account_id", "region", "application_id", "index_id", "data_source_id", "kind"])
        .execute();
      await db.schema.createIndex("data_source_evidence_cutoff").on("data_source_evidence").columns(["cutoff"]).execute();
      await db.schema.createIndex("data_source_evidence_audit").on("data_source_evidence").columns(["audit_id"]).execute();
      await db.schema
        .createTable("audit_scans")
        .addColumn("audit_id", "integer", (c) => c.primaryKey().references("audits.id").onDelete("cascade"))
        .addColumn("full_scan", "integer", (c) => c.notNull())
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("reused_data_sources", "integer", (c) => c.notNull())
        .execute();
    },
  };
}
