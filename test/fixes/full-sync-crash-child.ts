/**
 * A separate process that applies one full sync (as the CLI would), so the
 * crash test can kill it with SIGKILL at a chosen moment: the test sets
 * QBR_TEST_PAUSE_AFTER_MODE_SWITCH_MS (or QBR_TEST_PAUSE_AFTER_SYNC_DONE_MS)
 * to hold it there. Arguments: the database file, the local AWS endpoint,
 * the targets (JSON), the data source (JSON) and "wait" or "no-wait".
 */
import { openDatabase } from "../../app/db/database";
import { createFixContext } from "../../app/fixes/context";
import { applyFullSync, planFullSync } from "../../app/fixes/full-sync";
import type { TargetSpec } from "../../app/audit/targets";
import type { DataSourceRef } from "../../app/fixes/types";

const [dbPath, endpoint, targetsJson, sourceJson, wait] = process.argv.slice(2);
const db = await openDatabase(dbPath);
// Sleeping in real time: the local AWS runs the sync on its own clock, which the test moves.
const ctx = createFixContext({ db, endpoint, targets: JSON.parse(targetsJson) as TargetSpec[], maxAttempts: 1 });
const plan = await planFullSync(ctx, JSON.parse(sourceJson) as DataSourceRef);
const result = await applyFullSync(ctx, plan, {
  actor: "user:alice@example.com",
  confirmPlanHash: plan.planHash,
  wait: wait === "wait",
  followInBackground: false,
});
console.log(JSON.stringify({ outcome: result.outcome, message: result.message }));
await ctx.close();
await db.close();
