/**
 * 10: bulk fixes (issue 14 item 2, ADR 0015). `bulk_batches` holds one batch
 * of fixes an operator planned from the findings page (who, which action,
 * the concurrency caps, its state); `bulk_batch_items` one row per resource
 * of the batch (data source or role), its plan as confirmed (hash and
 * summary), what became of it, and the activity entry its apply recorded:
 * the link from each resource's own activity entry to its batch. Kept so a
 * batch can be followed after a refresh and resumed after a restart.
 */
import type { Kysely, Migration } from "kysely";
import { withIdColumn, type DialectName } from "./dialect";

export function bulkBatches(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(dialect, db.schema.createTable("bulk_batches"))
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("created_at", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("per_account", "integer", (c) => c.notNull())
        .addColumn("overall", "integer", (c) => c.notNull())
        .addColumn("selection", "text", (c) => c.notNull())
        .addColumn("options", "text", (c) => c.notNull())
        .addColumn("left_out", "text", (c) => c.notNull())
        .addColumn("started_at", "text")
        .addColumn("finished_at", "text")
        .addColumn("message", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await withIdColumn(dialect, db.schema.createTable("bulk_batch_items"))
        .addColumn("batch_id", "integer", (c) => c.notNull())
        .addColumn("position", "integer", (c) => c.notNull())
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("resource", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("plan_status", "text", (c) => c.notNull())
        .addColumn("plan_hash", "text", (c) => c.notNull())
        .addColumn("plan_summary", "text", (c) => c.notNull())
        .addColumn("plan_counts", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("outcome", "text")
        .addColumn("message", "text")
        .addColumn("activity_id", "integer")
        .addColumn("started_at", "text")
        .addColumn("finished_at", "text")
        .execute();
      await db.schema.createIndex("bulk_batch_items_batch").on("bulk_batch_items").columns(["batch_id", "position"]).execute();
      await db.schema.createIndex("bulk_batch_items_activity").on("bulk_batch_items").column("activity_id").execute();
      await db.schema.createIndex("bulk_batches_state").on("bulk_batches").column("state").execute();
    },
  };
}
