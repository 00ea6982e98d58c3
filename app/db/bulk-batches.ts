/**
 * bulk_batches and bulk_batch_items (migration 0010, ADR 0015): a batch of
 * fixes and one row per resource of it, written as the batch runs so it can
 * be followed after a refresh and resumed after a restart. The engine is
 * app/fixes/bulk.ts; this module only reads and writes rows.
 */
import type { Insertable, Selectable } from "kysely";
import type { Db } from "./database";
import type { BulkBatchItemsTable, BulkBatchesTable } from "./schema";

export type BulkBatchRow = Selectable<BulkBatchesTable>;
export type BulkBatchItemRow = Selectable<BulkBatchItemsTable>;
export type NewBulkBatch = Omit<Insertable<BulkBatchesTable>, "id">;
export type NewBulkBatchItem = Omit<Insertable<BulkBatchItemsTable>, "id" | "batch_id">;

/** A batch and all its items, all or nothing; returns the batch's id. */
export async function insertBulkBatch(db: Db, batch: NewBulkBatch, items: NewBulkBatchItem[]): Promise<number> {
  return db.kysely.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto("bulk_batches").values(batch).returning("id").executeTakeFirstOrThrow();
    // In slices: SQLite allows a limited number of bound values per statement.
    for (let i = 0; i < items.length; i += 50) {
      await trx
        .insertInto("bulk_batch_items")
        .values(items.slice(i, i + 50).map((item) => ({ ...item, batch_id: id })))
        .execute();
    }
    return id;
  });
}

export async function bulkBatchRow(db: Db, id: number): Promise<BulkBatchRow | undefined> {
  return db.kysely.selectFrom("bulk_batches").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function bulkBatchItemRows(db: Db, batchId: number): Promise<BulkBatchItemRow[]> {
  return db.kysely.selectFrom("bulk_batch_items").selectAll().where("batch_id", "=", batchId).orderBy("position").execute();
}

/** Newest first. */
export async function recentBulkBatchRows(db: Db, limit = 20): Promise<BulkBatchRow[]> {
  return db.kysely.selectFrom("bulk_batches").selectAll().orderBy("id", "desc").limit(limit).execute();
}

/** Batches a process was running (or had been asked to run) and did not finish. */
export async function unfinishedBulkBatchRows(db: Db): Promise<BulkBatchRow[]> {
  return db.kysely.selectFrom("bulk_batches").selectAll().where("state", "=", "running").orderBy("id").execute();
}

export async function updateBulkBatchRow(
  db: Db,
  id: number,
  change: Partial<Pick<BulkBatchRow, "state" | "started_at" | "finished_at" | "message">> & { updated_at: string },
): Promise<void> {
  await db.kysely.updateTable("bulk_batches").set(change).where("id", "=", id).execute();
}

/** Move a batch from `from` to `to` only if it is still in `from`: true when this caller moved it. */
export async function moveBulkBatchState(
  db: Db,
  id: number,
  from: string,
  to: Partial<BulkBatchRow> & { state: string; updated_at: string },
): Promise<boolean> {
  const result = await db.kysely.updateTable("bulk_batches").set(to).where("id", "=", id).where("state", "=", from).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function updateBulkBatchItemRow(
  db: Db,
  id: number,
  change: Partial<Pick<BulkBatchItemRow, "state" | "outcome" | "message" | "activity_id" | "started_at" | "finished_at">>,
): Promise<void> {
  await db.kysely.updateTable("bulk_batch_items").set(change).where("id", "=", id).execute();
}

/** The batch item whose apply recorded activity `activityId` (the activity entry's link to its batch). */
export async function bulkItemOfActivity(db: Db, activityId: number): Promise<{ batchId: number; itemId: number } | undefined> {
  const row = await db.kysely
    .selectFrom("bulk_batch_items")
    .select(["batch_id as batchId", "id as itemId"])
    .where("activity_id", "=", activityId)
    .executeTakeFirst();
  return row;
}
