/**
 * Is the database still the file this process opened, and can it be written?
 * Before every fix apply (issue 10.6): a fix whose activity entry, with its
 * rollback data, went to a deleted or replaced file would be an action nobody
 * can see or undo. Also: SQLite's "disk full" and "read-only" errors turned
 * into messages that name the file.
 */
import fs from "node:fs";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import type { Schema } from "./schema";

/** The file behind an open SQLite database, as it was when opened. */
export interface OpenedFile {
  /** Absolute path. */
  path: string;
  dev: number;
  ino: number;
}

/** What the health check needs of an open database (app/db/database.ts's Db). */
export interface CheckedDb {
  readonly location: string;
  readonly opened?: OpenedFile;
}

export class DatabaseUnavailableError extends Error {
  constructor(
    message: string,
    public readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}

export function identifyFile(file: string): OpenedFile {
  const absolute = path.resolve(file);
  const stat = fs.statSync(absolute);
  return { path: absolute, dev: stat.dev, ino: stat.ino };
}

/**
 * Throw DatabaseUnavailableError, naming the file and the problem, unless the
 * file at the database's path is the one opened (same device and inode) and
 * the file and its folder are writable. In-memory and server databases pass.
 */
export function assertDatabaseWritable(db: CheckedDb): void {
  const opened = db.opened;
  if (!opened) return;
  let now: fs.Stats;
  try {
    now = fs.statSync(opened.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === "ENOENT" ? "was deleted" : `cannot be read (${code})`;
    throw new DatabaseUnavailableError(
      `The database file ${opened.path} ${problem} while the server was running; nothing was applied. Restart qbiz-readiness so it opens the file again.`,
      opened.path,
      { cause: error },
    );
  }
  if (now.dev !== opened.dev || now.ino !== opened.ino) {
    throw new DatabaseUnavailableError(
      `The database file ${opened.path} was replaced by another file while the server was running; nothing was applied. Restart qbiz-readiness so it opens the file again.`,
      opened.path,
    );
  }
  for (const [what, target] of [
    ["file", opened.path],
    ["folder", path.dirname(opened.path)],
  ] as const) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (error) {
      throw new DatabaseUnavailableError(
        `The database ${what} ${target} is not writable (${(error as NodeJS.ErrnoException).code}); nothing was applied.`,
        opened.path,
        { cause: error },
      );
    }
  }
}

const SQLITE_PROBLEMS: [RegExp, string][] = [
  [/^SQLITE_FULL/, "is full: the disk or its quota has no space left"],
  [/^SQLITE_READONLY_DBMOVED/, "was moved or deleted while open"],
  [/^SQLITE_READONLY/, "is read-only"],
  [/^SQLITE_CANTOPEN/, "cannot be opened"],
  [/^SQLITE_IOERR/, "cannot be read or written (I/O error)"],
  [/^SQLITE_CORRUPT|^SQLITE_NOTADB/, "is damaged or not a database"],
];

/**
 * A SQLite error about the file itself (full, read-only, moved, I/O, not a
 * database) as a DatabaseUnavailableError naming the file; other errors as they are.
 */
export function describeDatabaseError(location: string, error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || error instanceof DatabaseUnavailableError) return error;
  const problem = SQLITE_PROBLEMS.find(([pattern]) => pattern.test(code))?.[1];
  if (!problem) return error;
  return new DatabaseUnavailableError(`The database file ${location} ${problem} (${code}: ${(error as Error).message}).`, location, { cause: error });
}

/** What /healthz says about the database: reachable and answering, with how long one query took. */
export interface DatabaseHealth {
  ok: boolean;
  engine: string;
  /** "ok (12 ms)", or the reason it is not usable. */
  detail: string;
}

/** One trivial query, bounded by `timeoutMs`: a replica whose database is gone reports it instead of hanging. */
export async function databaseHealth(db: CheckedDb & { dialect: string; kysely: Kysely<Schema> }, timeoutMs = 2000): Promise<DatabaseHealth> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    assertDatabaseWritable(db);
    await Promise.race([sql`SELECT 1`.execute(db.kysely), timeout]);
    return { ok: true, engine: db.dialect, detail: `ok (${Date.now() - started} ms)` };
  } catch (error) {
    return { ok: false, engine: db.dialect, detail: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
