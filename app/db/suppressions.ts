/**
 * The dashboard's accepted-exception rules (table `suppressions`, migration
 * 0007). Rows hold patterns as typed; app/audit/suppressions.ts matches them.
 * Each change is also written to the activity log by its caller.
 */
import type { Insertable, Selectable, Updateable } from "kysely";
import type { Db } from "./database";
import type { SuppressionsTable } from "./schema";

export type SuppressionRow = Selectable<SuppressionsTable>;
export type NewSuppressionRow = Omit<Insertable<SuppressionsTable>, "id">;
export type SuppressionChange = Omit<Updateable<SuppressionsTable>, "id" | "created_by" | "created_at">;

/** Every rule, oldest first (the order they are tried in). */
export async function listSuppressionRows(db: Db): Promise<SuppressionRow[]> {
  return db.kysely.selectFrom("suppressions").selectAll().orderBy("id").execute();
}

export async function suppressionRowById(db: Db, id: number): Promise<SuppressionRow | undefined> {
  return db.kysely.selectFrom("suppressions").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertSuppressionRow(db: Db, row: NewSuppressionRow): Promise<number> {
  const { id } = await db.kysely.insertInto("suppressions").values(row).returning("id").executeTakeFirstOrThrow();
  return id;
}

/** Returns false when there is no such rule. */
export async function updateSuppressionRow(db: Db, id: number, change: SuppressionChange): Promise<boolean> {
  const result = await db.kysely.updateTable("suppressions").set(change).where("id", "=", id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Returns false when there is no such rule. */
export async function deleteSuppressionRow(db: Db, id: number): Promise<boolean> {
  const result = await db.kysely.deleteFrom("suppressions").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
