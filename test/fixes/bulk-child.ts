/**
 * A separate process that runs one bulk batch (as the dashboard's server
 * would), so the bulk test can kill it mid-batch with SIGKILL: a real
 * restart, not a simulated one. Arguments: the database file, the batch id,
 * the local AWS endpoint and the targets (JSON). Sleeps in real time.
 */
import { openDatabase } from "../../app/db/database";
import { createFixContext } from "../../app/fixes/context";
import { runBulkBatch } from "../../app/fixes/bulk";
import type { TargetSpec } from "../../app/audit/targets";

const [dbPath, batchId, endpoint, targetsJson] = process.argv.slice(2);
const db = await openDatabase(dbPath);
const ctx = createFixContext({ db, endpoint, targets: JSON.parse(targetsJson) as TargetSpec[], maxAttempts: 1 });
const batch = await runBulkBatch(ctx, Number(batchId));
console.log(JSON.stringify({ state: batch?.state, message: batch?.message }));
await ctx.close();
await db.close();
