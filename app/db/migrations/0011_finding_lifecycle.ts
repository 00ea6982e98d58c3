/**
 * 11: each finding's life across audits (issue 14.5), one row per finding
 * identity (finding_key, migration 5): when its current episode of failing
 * or warning began (first_seen) and was last reported (last_seen), when an
 * audit found it fixed (fixed_at) and how (fixed_reason: passed, or not
 * reported any more while its resource was still audited, or its resource
 * gone), how often it came back after a fix (reopened), and the finding as
 * last reported (JSON), so a finding whose resource vanished can still be
 * told and archived. It is kept apart from the audits so that pruning old
 * audits (issue 15's retention) never loses when something started.
 *
 * finding_lifecycle_progress holds the id of the last audit applied: rows
 * are derived from the stored audits in order, so a database whose audits
 * predate this table (or an audit stored without it) catches up from its
 * history at the next audit (app/db/finding-lifecycle.ts).
 */
import type { Kysely, Migration } from "kysely";
import type { DialectName } from "./dialect";

export function findingLifecycle(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("finding_lifecycle")
        .addColumn("finding_key", "text", (c) => c.primaryKey())
        .addColumn("check_id", "text", (c) => c.notNull())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("first_seen", "text", (c) => c.notNull())
        .addColumn("first_audit_id", "integer", (c) => c.notNull())
        .addColumn("last_seen", "text", (c) => c.notNull())
        .addColumn("last_audit_id", "integer", (c) => c.notNull())
        .addColumn("fixed_at", "text")
        .addColumn("fixed_audit_id", "integer")
        .addColumn("fixed_reason", "text")
        .addColumn("reopened", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("first_seen_ever", "text", (c) => c.notNull())
        .addColumn("finding", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("finding_lifecycle_scope").on("finding_lifecycle").columns(["state", "account_id", "region"]).execute();
      await db.schema.createIndex("finding_lifecycle_fixed").on("finding_lifecycle").columns(["fixed_at"]).execute();
      await db.schema
        .createTable("finding_lifecycle_progress")
        .addColumn("id", "integer", (c) => c.primaryKey())
        .addColumn("through_audit_id", "integer", (c) => c.notNull())
        .execute();
    },
  };
}
