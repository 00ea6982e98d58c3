/**
 * Adopting a database written before the Kysely migrator: its schema version
 * was PRAGMA user_version (1: audit history, 2: fix actions), with no
 * kysely_migration table. Adoption records migrations 0001..N as applied, in
 * the table Kysely's Migrator keeps, so the migrator continues from N+1 and
 * nothing already there is touched.
 */
import { sql, type Kysely } from "kysely";
import { LEGACY_VERSIONS, MIGRATION_NAMES } from "./migrations/index";

export const MIGRATION_TABLE = "kysely_migration";

export async function userVersion(db: Kysely<any>): Promise<number> {
  const { rows } = await sql<{ user_version: number }>`PRAGMA user_version`.execute(db);
  return rows[0]?.user_version ?? 0;
}

export function newerSchemaError(found: string): Error {
  return new Error(`Database schema version ${found} is newer than this build knows (${MIGRATION_NAMES.length}); upgrade qbiz-readiness.`);
}

async function hasMigrationTable(db: Kysely<any>): Promise<boolean> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  return tables.some((t) => t.name === MIGRATION_TABLE);
}

/**
 * SQLite only. Record the legacy versions as applied migrations, once: the
 * check is repeated under the write lock (the driver's BEGIN IMMEDIATE), so
 * several processes opening one legacy file adopt it once.
 */
export async function adoptLegacySchema(db: Kysely<any>): Promise<void> {
  const version = await userVersion(db);
  if (version > MIGRATION_NAMES.length) throw newerSchemaError(String(version));
  if (version === 0 || (await hasMigrationTable(db))) return;
  await db.transaction().execute(async (trx) => {
    if (await hasMigrationTable(trx)) return;
    const legacy = await userVersion(trx);
    if (legacy > LEGACY_VERSIONS) throw newerSchemaError(String(legacy));
    // The same columns Kysely's Migrator creates (it skips creating an existing table).
    await trx.schema
      .createTable(MIGRATION_TABLE)
      .addColumn("name", "varchar(255)", (c) => c.notNull().primaryKey())
      .addColumn("timestamp", "varchar(255)", (c) => c.notNull())
      .execute();
    const timestamp = new Date().toISOString();
    const adopted = MIGRATION_NAMES.slice(0, legacy).map((name) => ({ name, timestamp }));
    await trx.insertInto(MIGRATION_TABLE).values(adopted).execute();
  });
}

/**
 * Keep user_version equal to the number of applied migrations, so a build
 * from before the migrator refuses a newer file instead of misreading it.
 */
export async function stampUserVersion(db: Kysely<any>, applied: number): Promise<void> {
  if ((await userVersion(db)) === applied) return;
  await sql.raw(`PRAGMA user_version = ${Math.trunc(applied)}`).execute(db);
}
