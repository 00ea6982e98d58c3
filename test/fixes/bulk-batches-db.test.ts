/**
 * bulk_batches and bulk_batch_items (migration 0010) answer the same on
 * SQLite and PostgreSQL: a batch and its items stored at once, read back in
 * order, moved planned → running exactly once, an item updated, the item of
 * an activity found, the running batches listed (what a restart resumes).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "~/db/database";
import {
  bulkBatchItemRows,
  bulkBatchRow,
  bulkItemOfActivity,
  insertBulkBatch,
  moveBulkBatchState,
  unfinishedBulkBatchRows,
  updateBulkBatchItemRow,
  type NewBulkBatchItem,
} from "~/db/bulk-batches";
import { ENGINES, openTestDatabase } from "../helpers/postgres";

const AT = "2026-12-01T10:00:00.000Z";

const item = (position: number): NewBulkBatchItem => ({
  position,
  action: "full-sync",
  account_id: `11111111111${position}`,
  region: "us-east-1",
  resource: JSON.stringify({ dataSourceId: `ds-${position}` }),
  name: `ds-${position}`,
  plan_status: "ready",
  plan_hash: `hash-${position}`,
  plan_summary: "Start a full sync",
  plan_counts: JSON.stringify({ dataSources: 1, roles: 0, documents: 2, applications: 1 }),
  state: "pending",
  outcome: null,
  message: null,
  activity_id: null,
  started_at: null,
  finished_at: null,
});

describe.each(ENGINES)("bulk batches repository (%s)", (engine) => {
  let db: Db;
  beforeEach(async () => {
    db = await openTestDatabase(engine);
  });
  afterEach(async () => {
    await db.close();
  });

  it("stores a batch with 120 items, moves it to running once, and finds an item by its activity", async () => {
    const batch = {
      action: "full-sync",
      actor: "user:alice",
      created_at: AT,
      state: "planned",
      per_account: 1,
      overall: 10,
      selection: JSON.stringify({ findingIds: [1, 2], choice: "full-sync" }),
      options: JSON.stringify({ restoreMode: true }),
      left_out: "[]",
      started_at: null,
      finished_at: null,
      message: null,
      updated_at: AT,
    };
    const id = await insertBulkBatch(
      db,
      batch,
      Array.from({ length: 120 }, (_, i) => item(i)),
    );
    expect(await bulkBatchRow(db, id)).toEqual({ id, ...batch });
    const items = await bulkBatchItemRows(db, id);
    expect(items.map((r) => r.position)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(items[3]).toMatchObject({ ...item(3), batch_id: id });

    expect(await moveBulkBatchState(db, id, "planned", { state: "running", updated_at: AT, started_at: AT })).toBe(true);
    expect(await moveBulkBatchState(db, id, "planned", { state: "running", updated_at: AT })).toBe(false);
    expect((await unfinishedBulkBatchRows(db)).map((r) => r.id)).toEqual([id]);

    await updateBulkBatchItemRow(db, items[5].id, { state: "succeeded", outcome: "succeeded", activity_id: 42, finished_at: AT });
    expect(await bulkItemOfActivity(db, 42)).toEqual({ batchId: id, itemId: items[5].id });
    expect(await bulkItemOfActivity(db, 43)).toBeUndefined();
    expect((await bulkBatchItemRows(db, id))[5]).toMatchObject({ state: "succeeded", activity_id: 42 });
  });
});
