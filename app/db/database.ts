/**
 * The product's database: a typed Kysely handle over one SQLite file (WAL
 * mode, better-sqlite3) or, given a postgres:// URL, a PostgreSQL server
 * (./postgres.ts), migrated on open by Kysely's Migrator. Only modules in
 * app/db/ use the handle's query builder; everything else calls their
 * functions with the Db it was given. Both engines run the same migrations
 * and repositories (docs/decisions/0007, 0011).
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import {
  CompiledQuery,
  Kysely,
  Migrator,
  SqliteAdapter,
  SqliteDriver,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type QueryResult,
} from "kysely";
import { describeDatabaseError, identifyFile, type OpenedFile } from "./health";
import { isPostgresUrl, postgresKysely, postgresOptionsFromEnv, redactUrl, withMigrationLock, type PostgresOptions } from "./postgres";
import { adoptLegacySchema, newerSchemaError, stampUserVersion } from "./legacy";
import { MIGRATION_NAMES, migrationProvider, type DialectName } from "./migrations/index";
import type { Schema } from "./schema";

export type { DialectName } from "./migrations/index";

/** An open, migrated database. */
export interface Db {
  /** The typed query builder: for app/db/ modules only. */
  readonly kysely: Kysely<Schema>;
  readonly dialect: DialectName;
  /** What messages name: the SQLite file's absolute path, ":memory:", or the PostgreSQL URL without its password. */
  readonly location: string;
  /** The SQLite file as opened (the health check compares it with what is at the path now). */
  readonly opened?: OpenedFile;
  close(): Promise<void>;
}

export const DEFAULT_DB_PATH = "data/qbiz-readiness.sqlite";

/**
 * Where the database lives: the explicit path or postgres:// URL, else
 * QBR_DATABASE_URL (PostgreSQL), else QBR_DB, else data/qbiz-readiness.sqlite.
 */
export function resolveDbPath(explicit?: string): string {
  return explicit || process.env.QBR_DATABASE_URL || process.env.QBR_DB || DEFAULT_DB_PATH;
}

export { isPostgresUrl, redactUrl } from "./postgres";

/** What a message about the database names: the file's absolute path, or the URL without its password. */
export function describeDbTarget(target: string): string {
  return isPostgresUrl(target) ? redactUrl(target) : target === ":memory:" ? target : path.resolve(target);
}

/**
 * Kysely's SQLite driver with two changes: transactions begin IMMEDIATE (they
 * take the write lock first, so a read-then-write transaction such as a lock
 * take-over or a migration never fails upgrading its lock when another
 * process wrote meanwhile; busy_timeout makes it wait instead), and errors
 * about the file itself name the file.
 */
class ProductSqliteDriver extends SqliteDriver {
  readonly #location: string;
  readonly #wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();

  constructor(database: Database.Database, location: string) {
    super({ database });
    this.#location = location;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) {
      const location = this.#location;
      wrapped = {
        async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
          try {
            return await connection.executeQuery<R>(query);
          } catch (error) {
            throw describeDatabaseError(location, error);
          }
        },
        streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
      };
      this.#wrapped.set(connection, wrapped);
    }
    return wrapped;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

/**
 * Kysely's SQLite adapter says SQLite has no transactional DDL, so its
 * Migrator would run each migration outside a transaction and, having no
 * lock either, two processes opening one new file would both run them.
 * SQLite's DDL is transactional: with this, the Migrator runs the whole
 * check-and-apply in one transaction, which the driver begins IMMEDIATE.
 */
class ProductSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

function sqliteDialect(database: Database.Database, location: string): Dialect {
  return {
    createAdapter: () => new ProductSqliteAdapter(),
    createDriver: () => new ProductSqliteDriver(database, location),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}

function openSqliteFile(file: string): Database.Database {
  try {
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new Database(file);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("foreign_keys = ON");
    // The dashboard and a CLI audit may write at the same time: wait rather than fail.
    sqlite.pragma("busy_timeout = 5000");
    return sqlite;
  } catch (error) {
    const reason = (error as Error).message;
    throw new Error(`Cannot open the database file ${path.resolve(file)}: ${reason}`, { cause: error });
  }
}

/**
 * Open (creating the folder and file if needed) and migrate the database.
 * ":memory:" gives a private in-memory database (tests); a postgres:// URL a
 * pool on that server, with `postgres` options (default: from QBR_DATABASE_*).
 */
export async function openDatabase(dbPath?: string, postgres?: PostgresOptions): Promise<Db> {
  const target = resolveDbPath(dbPath);
  return isPostgresUrl(target) ? openPostgres(target, postgres ?? postgresOptionsFromEnv()) : openSqlite(target);
}

async function openPostgres(url: string, options: PostgresOptions): Promise<Db> {
  const location = redactUrl(url);
  const kysely = postgresKysely(url, location, options);
  const db: Db = { kysely, dialect: "postgres", location, close: () => kysely.destroy() };
  try {
    await migrate(db);
  } catch (error) {
    await kysely.destroy();
    throw error;
  }
  return db;
}

async function openSqlite(file: string): Promise<Db> {
  const sqlite = openSqliteFile(file);
  const location = file === ":memory:" ? file : path.resolve(file);
  const kysely = new Kysely<Schema>({ dialect: sqliteDialect(sqlite, location) });
  const db: Db = {
    kysely,
    dialect: "sqlite",
    location,
    ...(file === ":memory:" ? {} : { opened: identifyFile(file) }),
    close: () => kysely.destroy(),
  };
  try {
    await migrate(db);
  } catch (error) {
    await kysely.destroy();
    throw error;
  }
  return db;
}

/**
 * Keep at most `kb` of SQLite's page cache on this connection (better-sqlite3's
 * default is 16 MB): for a process that writes an audit once and reads little
 * (the CLI's store: the pages it writes would otherwise stay cached, ADR 0017).
 * PostgreSQL's cache is the server's: nothing to do.
 */
export async function limitPageCache(db: Db, kb: number): Promise<void> {
  if (db.dialect !== "sqlite") return;
  if (!Number.isInteger(kb) || kb < 1) throw new Error(`page cache must be a whole number of KB, 1 or more; got ${kb}`);
  await db.kysely.executeQuery(CompiledQuery.raw(`PRAGMA cache_size = -${kb}`));
}

const isBusy = (error: unknown) => /^SQLITE_BUSY/.test(String((error as { code?: unknown } | null)?.code));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Bring the schema to the latest migration, once even when several processes
 * open one new file at the same moment: the migrator's transaction takes the
 * write lock first (BEGIN IMMEDIATE) and sees what another process applied;
 * a SQLITE_BUSY that outlasts busy_timeout is retried.
 */
export async function migrate(db: Db): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await migrateOnce(db);
      return;
    } catch (error) {
      if (!isBusy(error) || attempt >= 8) throw error;
      await pause(50 * attempt + Math.random() * 100);
    }
  }
}

async function migrateOnce(db: Db): Promise<void> {
  if (db.dialect === "postgres") {
    await withMigrationLock(db.kysely, (connection) => runMigrator(connection, db.dialect));
    return;
  }
  await adoptLegacySchema(db.kysely);
  await runMigrator(db.kysely, db.dialect);
}

async function runMigrator(kysely: Kysely<Schema>, dialect: DialectName): Promise<void> {
  // Numbers are handed out to parallel work (0006 landed after 0007): a database that ran 0007 first still takes 0006.
  const migrator = new Migrator({ db: kysely, provider: migrationProvider(dialect), allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    const missing = /previously executed migration (\S+) is missing/.exec(String((error as Error).message));
    if (missing) throw newerSchemaError(missing[1]!);
    throw error;
  }
  if (dialect === "sqlite") {
    const applied = (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined).length;
    await stampUserVersion(kysely, applied);
  }
}

/** The migrations this build has, in order (tests, diagnostics). */
export const MIGRATIONS = MIGRATION_NAMES;
