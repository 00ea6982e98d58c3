/**
 * The dashboard's handle on the audit history database. One connection per
 * file for the server's life, kept on globalThis because the Remix server
 * build carries its own copy of app modules (see runtime.server.ts).
 */
import { getConfig } from "~/config.server";
import { openDatabase, resolveDbPath, type Db } from "~/db/database";

const KEY = Symbol.for("qbiz-readiness.dashboard-db");
type Holder = { [KEY]?: Map<string, Db> };

/** The configured database (QBR_DB, default data/qbiz-readiness.sqlite), opened and migrated on first use. */
export function dashboardDb(): Db {
  const holder = globalThis as Holder;
  const open = (holder[KEY] ??= new Map());
  const file = resolveDbPath(getConfig().db);
  let db = open.get(file);
  if (!db) {
    db = openDatabase(file);
    open.set(file, db);
  }
  return db;
}
