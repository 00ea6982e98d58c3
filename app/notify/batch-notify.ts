/**
 * Bulk batches notify once, when they end (issue 14.3): the batch's items are
 * fixes like any other, but their activity entries send nothing of their own
 * (a batch of 100 data sources is one chat message, not 100). An item is
 * known as one while the batch runs it (runInBatch: the async context of its
 * apply and follow) and afterwards by its activity entry's link to the batch
 * (bulk_batch_items.activity_id), which covers a sync another process follows
 * to its end after a restart. A single fix still sends its own message.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db } from "../db/database";
import { bulkItemOfActivity } from "../db/bulk-batches";
import { dashboardBaseUrl } from "../export/common";
import type { BulkBatch } from "../fixes/bulk-summary";
import { batchNotification } from "./batch-message";
import { deliver, hasSinks, sinksFromEnv, type NotifySinks } from "./deliver";
import type { NotifyResult } from "./notify";

const runningBatch = new AsyncLocalStorage<number>();

/** Run a batch's item: the fix notifications of what it records are left to the batch's own. */
export function runInBatch<T>(batchId: number, task: () => Promise<T>): Promise<T> {
  return runningBatch.run(batchId, task);
}

/** Whether activity entry `activityId` is a bulk batch's item (then the batch tells it, not the entry). */
export async function isBatchActivity(db: Db, activityId: number): Promise<boolean> {
  if (runningBatch.getStore() !== undefined) return true;
  return (await bulkItemOfActivity(db, activityId)) !== undefined;
}

/** The batch's one message, sent once it ended; never throws (a failed delivery is recorded by deliver). */
export async function notifyBatchEnd(db: Db, batch: BulkBatch, options: { sinks?: NotifySinks; now?: Date } = {}): Promise<NotifyResult> {
  const sinks = options.sinks ?? sinksFromEnv();
  if (!hasSinks(sinks)) return { deliveries: [] };
  try {
    const message = batchNotification(batch, dashboardBaseUrl());
    return { sent: message, deliveries: await deliver(db, message, sinks, options.now ?? new Date()) };
  } catch (error) {
    console.error(`qbiz-readiness: the notification of bulk batch #${batch.id} failed:`, error);
    return { deliveries: [] };
  }
}
