/**
 * 8: state the dashboard replicas share (issue 16). shared_state holds small
 * documents every replica reads, keyed by name: the fleet-wide scan's status
 * and progress ("scan"), written by the replica running it. Leases (fix
 * locks, the scan itself, scheduled-scan slots, followed syncs) are rows of
 * fix_locks (migration 2).
 */
import type { Kysely, Migration } from "kysely";
import type { DialectName } from "./dialect";

export function sharedState(_dialect: DialectName): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("shared_state")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("value", "text", (c) => c.notNull())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
    },
  };
}
