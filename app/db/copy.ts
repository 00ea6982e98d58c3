/**
 * Copying a SQLite database into PostgreSQL (`npm run db -- migrate-to`):
 * every table the source has, every row, with its ids, in one target
 * transaction (a failure leaves the target as it was), then the identity
 * sequences moved past the copied ids and the row counts of both compared.
 * Both sides are at this build's migrations first (openDatabase migrated
 * them), so they have the same tables and columns.
 */
import { sql, type Kysely, type Transaction } from "kysely";
import type { Db } from "./database";
import type { Schema } from "./schema";

/** Kysely's own tables: the target's migrator already wrote its own. */
const INTERNAL = /^(kysely_migration|kysely_migration_lock|sqlite_.*)$/;
/** Rows per INSERT: PostgreSQL takes at most 65535 bound parameters per statement. */
const MAX_PARAMETERS = 30_000;

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface CopyResult {
  tables: TableCount[];
  /** Every table has as many rows in the target as in the source. */
  equal: boolean;
}

export class TargetNotEmptyError extends Error {
  constructor(public readonly counts: TableCount[]) {
    const filled = counts.filter((c) => c.target > 0).map((c) => `${c.table} (${c.target})`);
    super(`The target database already holds rows: ${filled.join(", ")}. Copy into an empty database, or pass --replace to delete them first.`);
    this.name = "TargetNotEmptyError";
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The source's tables, parents before the tables whose foreign keys refer to them. */
async function sourceTables(source: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`.execute(source.kysely);
  const tables = rows.map((r) => r.name).filter((name) => !INTERNAL.test(name));
  const parents = new Map<string, string[]>();
  for (const table of tables) {
    const fks = await sql<{ table: string }>`SELECT "table" FROM pragma_foreign_key_list(${table})`.execute(source.kysely);
    parents.set(
      table,
      fks.rows.map((f) => f.table).filter((p) => p !== table),
    );
  }
  const ordered: string[] = [];
  const visit = (table: string, path: string[]) => {
    if (ordered.includes(table) || path.includes(table)) return;
    for (const parent of parents.get(table) ?? []) visit(parent, [...path, table]);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

/** The target table's columns a row can be written to (generated ones are computed), and which one is an identity column. */
async function targetColumns(target: Kysely<Schema>, table: string): Promise<{ writable: Set<string>; generated: Set<string>; identity?: string }> {
  const { rows } = await sql<{ column_name: string; is_generated: string; is_identity: string }>`
    SELECT column_name, is_generated, is_identity FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table}`.execute(target);
  if (rows.length === 0) throw new Error(`The target has no table ${table}: is it at the same migrations as this build?`);
  return {
    writable: new Set(rows.filter((r) => r.is_generated === "NEVER").map((r) => r.column_name)),
    generated: new Set(rows.filter((r) => r.is_generated !== "NEVER").map((r) => r.column_name)),
    identity: rows.find((r) => r.is_identity === "YES")?.column_name,
  };
}

async function countOf(db: Kysely<Schema>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.raw(quote(table))}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/** Copy one table in rowid order, a chunk at a time (memory holds one chunk); returns the rows written. */
async function copyTable(source: Db, trx: Transaction<Schema>, table: string): Promise<number> {
  const { writable, generated, identity } = await targetColumns(trx, table);
  const info = await sql<{ name: string; hidden: number }>`SELECT name, hidden FROM pragma_table_xinfo(${table})`.execute(source.kysely);
  const stored = info.rows.filter((c) => c.hidden === 0).map((c) => c.name);
  const lost = stored.filter((c) => !writable.has(c) && !generated.has(c));
  if (lost.length > 0) throw new Error(`The target's ${table} has no column ${lost.join(", ")}: the copy would lose it.`);
  const columns = stored.filter((c) => writable.has(c));
  const chunk = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const selectList = sql.raw(columns.map(quote).join(", "));
  let after = Number.MIN_SAFE_INTEGER;
  let copied = 0;
  for (;;) {
    const { rows } = await sql<Record<string, unknown> & { qbr_rowid: number }>`
      SELECT rowid AS qbr_rowid, ${selectList} FROM ${sql.raw(quote(table))}
      WHERE rowid > ${after} ORDER BY rowid LIMIT ${chunk}`.execute(source.kysely);
    if (rows.length === 0) break;
    const values = rows.map((row) => sql`(${sql.join(columns.map((c) => row[c]))})`);
    await sql`INSERT INTO ${sql.raw(quote(table))} (${selectList}) VALUES ${sql.join(values)}`.execute(trx);
    copied += rows.length;
    after = rows[rows.length - 1]!.qbr_rowid;
  }
  if (identity) {
    // The next id the target assigns follows the copied ones (a copied id is never handed out again).
    await sql`SELECT setval(pg_get_serial_sequence(${table}, ${identity}), coalesce((SELECT max(${sql.ref(identity)}) FROM ${sql.raw(quote(table))}), 0) + 1, false)`.execute(
      trx,
    );
  }
  return copied;
}

/**
 * Empty the target's tables. The activity log's triggers refuse DELETE and
 * TRUNCATE; they are off for this transaction only (owner's right), so
 * --replace is the one way the log can be emptied, and only on purpose.
 */
async function emptyTarget(trx: Transaction<Schema>, tables: string[]): Promise<void> {
  const list = sql.raw(tables.map(quote).join(", "));
  for (const table of ["activity", "activity_events"].filter((t) => tables.includes(t))) {
    await sql`ALTER TABLE ${sql.raw(quote(table))} DISABLE TRIGGER USER`.execute(trx);
  }
  await sql`TRUNCATE ${list} CASCADE`.execute(trx);
  for (const table of ["activity", "activity_events"].filter((t) => tables.includes(t))) {
    await sql`ALTER TABLE ${sql.raw(quote(table))} ENABLE TRIGGER USER`.execute(trx);
  }
}

/** Row counts of every source table in both databases. */
export async function compareCounts(source: Db, target: Db): Promise<TableCount[]> {
  const tables = await sourceTables(source);
  const counts: TableCount[] = [];
  for (const table of tables) counts.push({ table, source: await countOf(source.kysely, table), target: await countOf(target.kysely, table) });
  return counts;
}

/**
 * Copy every table of `source` (SQLite) into `target` (PostgreSQL), all or
 * nothing. Refuses a target with rows unless `replace`.
 */
export async function copySqliteToPostgres(
  source: Db,
  target: Db,
  options: { replace?: boolean; onTable?: (table: string, rows: number) => void } = {},
): Promise<CopyResult> {
  if (source.dialect !== "sqlite") throw new Error(`The source must be a SQLite file, not ${source.location}.`);
  if (target.dialect !== "postgres") throw new Error(`The target must be a PostgreSQL database (postgres://…), not ${target.location}.`);
  const tables = await sourceTables(source);
  const before = await compareCounts(source, target);
  if (before.some((c) => c.target > 0) && !options.replace) throw new TargetNotEmptyError(before);
  await target.kysely.transaction().execute(async (trx) => {
    if (options.replace) await emptyTarget(trx, tables);
    for (const table of tables) options.onTable?.(table, await copyTable(source, trx, table));
  });
  const counts = await compareCounts(source, target);
  return { tables: counts, equal: counts.every((c) => c.source === c.target) };
}
