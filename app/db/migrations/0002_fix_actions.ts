/**
 * 2: fix actions (app/fixes): the append-only activity log, locks, tracked
 * syncs, re-audits. The same tables as the pre-Kysely schema's version 2.
 */
import { sql, type Kysely, type Migration } from "kysely";
import { withIdColumn, type DialectName } from "./dialect";

const APPEND_ONLY = "the activity log is append-only";

/** The log is append-only: history cannot be rewritten. Triggers are each engine's own language. */
async function appendOnlyTriggers(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === "sqlite") {
    for (const table of ["activity", "activity_events"]) {
      for (const op of ["update", "delete"]) {
        await sql.raw(`CREATE TRIGGER ${table}_no_${op} BEFORE ${op.toUpperCase()} ON ${table} BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}'); END`).execute(db);
      }
    }
    return;
  }
  await sql.raw(`CREATE FUNCTION activity_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '${APPEND_ONLY}'; END $$`).execute(db);
  for (const table of ["activity", "activity_events"]) {
    await sql.raw(`CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION activity_append_only()`).execute(db);
  }
}

export function fixActions(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await withIdColumn(dialect, db.schema.createTable("activity"))
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("resources", "text", (c) => c.notNull())
        .addColumn("plan", "text", (c) => c.notNull())
        .addColumn("rollback_data", "text")
        .addColumn("rollback_of", "integer", (c) => c.references("activity.id"))
        .execute();
      await db.schema.createIndex("activity_action").on("activity").columns(["action", "id"]).execute();

      await withIdColumn(dialect, db.schema.createTable("activity_events"))
        .addColumn("activity_id", "integer", (c) => c.notNull().references("activity.id"))
        .addColumn("at", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("message", "text", (c) => c.notNull())
        .addColumn("request_ids", "text", (c) => c.notNull())
        .addColumn("data", "text")
        .execute();
      await db.schema.createIndex("activity_events_activity").on("activity_events").columns(["activity_id", "id"]).execute();

      await db.schema
        .createTable("activity_resources")
        .addColumn("activity_id", "integer", (c) => c.notNull().references("activity.id"))
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("region", "text")
        .addColumn("application_id", "text")
        .addColumn("resource_key", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("activity_resources_app").on("activity_resources").columns(["application_id", "activity_id"]).execute();
      await db.schema.createIndex("activity_resources_account").on("activity_resources").columns(["account_id", "activity_id"]).execute();

      await appendOnlyTriggers(db, dialect);

      await db.schema
        .createTable("fix_locks")
        .addColumn("lock_key", "text", (c) => c.primaryKey())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("acquired_at", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();

      await withIdColumn(dialect, db.schema.createTable("tracked_syncs"))
        .addColumn("activity_id", "integer", (c) => c.notNull().references("activity.id"))
        .addColumn("account_id", "text", (c) => c.notNull())
        .addColumn("region", "text", (c) => c.notNull())
        .addColumn("application_id", "text", (c) => c.notNull())
        .addColumn("index_id", "text", (c) => c.notNull())
        .addColumn("data_source_id", "text", (c) => c.notNull())
        .addColumn("execution_id", "text", (c) => c.notNull())
        .addColumn("original_sync_mode", "text")
        .addColumn("restore_mode", "integer", (c) => c.notNull())
        .addColumn("full_mode", "integer", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("job_status", "text")
        .addColumn("message", "text")
        .addColumn("started_at", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("tracked_syncs_state").on("tracked_syncs").column("state").execute();
      await db.schema.createIndex("tracked_syncs_source").on("tracked_syncs").columns(["account_id", "region", "data_source_id"]).execute();

      await db.schema
        .createTable("reaudits")
        .addColumn("audit_id", "integer", (c) => c.primaryKey().references("audits.id").onDelete("cascade"))
        .addColumn("based_on_audit", "integer")
        .addColumn("activity_id", "integer")
        .addColumn("applications", "text", (c) => c.notNull())
        .execute();
    },
  };
}
