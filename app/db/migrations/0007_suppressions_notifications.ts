/**
 * 7: accepted exceptions and notifications (issue 14). `suppressions` holds
 * the dashboard's rules (file rules are read from their file at each audit);
 * `findings.suppressed` keeps, per stored finding, the exception that covered
 * it (JSON, null when none) so the findings page can filter on it;
 * `notifications` records every delivery attempt's outcome (webhook, SNS), so
 * a failed one is seen without blocking the audit or fix that sent it.
 */
import type { Kysely, Migration } from "kysely";
import { withIdColumn, type DialectName } from "./dialect";

export function suppressionsAndNotifications(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(dialect, db.schema.createTable("suppressions"))
        .addColumn("check_id", "text", (c) => c.notNull())
        .addColumn("account_id", "text")
        .addColumn("region", "text")
        .addColumn("application_id", "text")
        .addColumn("data_source_id", "text")
        .addColumn("role_arn", "text")
        .addColumn("reason", "text", (c) => c.notNull())
        .addColumn("expires", "text")
        .addColumn("created_by", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("updated_by", "text")
        .addColumn("updated_at", "text")
        .execute();
      await db.schema.alterTable("findings").addColumn("suppressed", "text").execute();
      await db.schema.createIndex("findings_audit_suppressed").on("findings").columns(["audit_id", "suppressed"]).execute();

      await withIdColumn(dialect, db.schema.createTable("notifications"))
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("sink", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("error", "text")
        .addColumn("audit_id", "integer")
        .addColumn("activity_id", "integer")
        .addColumn("payload", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("notifications_at").on("notifications").column("id").execute();
    },
  };
}
