/**
 * The dashboard's handle on its database: one per file for the server's
 * life, shared by serve.ts and the Remix build (a process singleton).
 */
import { getConfig } from "~/config.server";
import { openDatabase, resolveDbPath, type Db } from "~/db/database";
import { singleton } from "~/util/singleton.server";

/** The configured database (QBR_DB, default data/qbiz-readiness.sqlite), opened and migrated on first use. */
export function dashboardDb(): Promise<Db> {
  const open = singleton("dashboard-db", () => new Map<string, Promise<Db>>());
  const file = resolveDbPath(getConfig().db);
  let db = open.get(file);
  if (!db) {
    db = openDatabase(file);
    // A file that could not be opened is tried again on the next request (its error names the file).
    db.catch(() => open.delete(file));
    open.set(file, db);
  }
  return db;
}
