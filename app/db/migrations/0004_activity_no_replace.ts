/**
 * 4: the activity log refuses INSERT OR REPLACE (issue 10.6). SQLite's REPLACE
 * deletes the conflicting row without firing DELETE triggers (unless
 * recursive_triggers is on), so the append-only triggers of migration 2 did
 * not stop an event from being overwritten. A BEFORE INSERT trigger refuses
 * any insert whose id already exists, whatever its conflict clause.
 * PostgreSQL has no REPLACE (its ON CONFLICT DO UPDATE fires the UPDATE
 * trigger, which already refuses it), but TRUNCATE skips row triggers: there
 * a statement trigger refuses TRUNCATE, and a plpgsql BEFORE INSERT trigger
 * refuses an existing id with the same message as SQLite's.
 */
import { sql, type Kysely, type Migration } from "kysely";
import type { DialectName } from "./dialect";

export function activityNoReplace(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect === "postgres") return postgresTriggers(db);
      for (const table of ["activity", "activity_events"]) {
        await sql
          .raw(
            `CREATE TRIGGER ${table}_no_replace BEFORE INSERT ON ${table}
             WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM ${table} WHERE id = NEW.id)
             BEGIN SELECT RAISE(ABORT, 'the activity log is append-only: an entry cannot be replaced'); END`,
          )
          .execute(db);
      }
    },
  };
}

const REPLACED = "the activity log is append-only: an entry cannot be replaced";

async function postgresTriggers(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `CREATE FUNCTION activity_no_replace() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE found boolean;
       BEGIN
         IF NEW.id IS NOT NULL THEN
           EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', TG_TABLE_NAME) INTO found USING NEW.id;
           IF found THEN RAISE EXCEPTION '${REPLACED}'; END IF;
         END IF;
         RETURN NEW;
       END $$`,
    )
    .execute(db);
  for (const table of ["activity", "activity_events"]) {
    await sql.raw(`CREATE TRIGGER ${table}_no_replace BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION activity_no_replace()`).execute(db);
    await sql.raw(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION activity_append_only()`).execute(db);
  }
}
