/**
 * The product's SQLite database: one file, WAL mode, schema migrated on open.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations";

export type Db = Database.Database;

export const DEFAULT_DB_PATH = "data/qbiz-readiness.sqlite";

/** Where the database lives: the explicit path, else QBR_DB, else data/qbiz-readiness.sqlite. */
export function resolveDbPath(explicit?: string): string {
  return explicit || process.env.QBR_DB || DEFAULT_DB_PATH;
}

/**
 * Open (creating the folder and file if needed) and migrate the database.
 * ":memory:" gives a private in-memory database (tests).
 */
export function openDatabase(dbPath?: string): Db {
  const file = resolveDbPath(dbPath);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // The dashboard and a CLI audit may write at the same time: wait rather than fail.
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
}

/** Apply every migration above the file's user_version, each in its own transaction. */
export function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `Database schema version ${current} is newer than this build knows (${MIGRATIONS.length}); upgrade qbiz-readiness.`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    // IMMEDIATE takes the write lock before reading user_version again, so two
    // processes opening a new file at once (dashboard and CLI) migrate it once.
    db.transaction(() => {
      const now = db.pragma("user_version", { simple: true }) as number;
      if (now > version) return;
      db.exec(MIGRATIONS[version]);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
