/**
 * 4: the activity log refuses INSERT OR REPLACE (issue 10.6). SQLite's REPLACE
 * deletes the conflicting row without firing DELETE triggers (unless
 * recursive_triggers is on), so the append-only triggers of migration 2 did
 * not stop an event from being overwritten. A BEFORE INSERT trigger refuses
 * any insert whose id already exists, whatever its conflict clause.
 * PostgreSQL has no REPLACE: its ON CONFLICT DO UPDATE fires the UPDATE
 * trigger, which already refuses it.
 */
import { sql, type Kysely, type Migration } from "kysely";
import type { DialectName } from "./dialect";

export function activityNoReplace(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      if (dialect !== "sqlite") return;
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
