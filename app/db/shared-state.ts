/**
 * shared_state: small JSON documents every replica reads (the fleet-wide
 * scan's status), written whole by the process that owns them.
 */
import type { Db } from "./database";

export interface SharedDocument<T> {
  value: T;
  holder: string;
  updatedAt: string;
}

export async function putSharedState(db: Db, key: string, doc: { value: unknown; holder: string; at: string }): Promise<void> {
  await db.kysely
    .insertInto("shared_state")
    .values({ key, value: JSON.stringify(doc.value), holder: doc.holder, updated_at: doc.at })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({ value: eb.ref("excluded.value"), holder: eb.ref("excluded.holder"), updated_at: eb.ref("excluded.updated_at") })),
    )
    .execute();
}

export async function getSharedState<T>(db: Db, key: string): Promise<SharedDocument<T> | undefined> {
  const row = await db.kysely.selectFrom("shared_state").select(["value", "holder", "updated_at"]).where("key", "=", key).executeTakeFirst();
  return row ? { value: JSON.parse(row.value) as T, holder: row.holder, updatedAt: row.updated_at } : undefined;
}
