/**
 * One replica for the replica tests, in its own process: the product's own
 * fix, follow and scan code on the database of QBR_DATABASE_URL, reaching the
 * test's local AWS at AWS_ENDPOINT_URL with the fleet's keys (the default
 * credential chain, as a deployed replica does). Prints one JSON line per
 * event on stdout.
 *
 *   replica.ts apply FIXTURE START_AT_MS   plan, wait for the instant, apply a full sync (wait: follow it)
 *   replica.ts follow FIXTURE              run the tracked-sync sweeper until killed
 *   replica.ts schedule FIXTURE MINUTES    run the scan scheduler until killed
 */
import fs from "node:fs";
import { targetsForFixture } from "../../app/audit/targets";
import { loadConfig, setConfig } from "../../app/config.server";
import { startScanScheduler } from "../../app/dashboard/scans.server";
import { openDatabase } from "../../app/db/database";
import { createFixContext } from "../../app/fixes/context";
import { applyFullSync, planFullSync } from "../../app/fixes/full-sync";
import { startTrackedSyncSweeper } from "../../app/fixes/tracked-syncs";
import { validateFixture } from "../../app/local-aws/fixture";

const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ pid: process.pid, ...event })}\n`);

async function main(): Promise<void> {
  const [command, fixtureFile, arg] = process.argv.slice(2);
  const fixture = validateFixture(JSON.parse(fs.readFileSync(fixtureFile!, "utf8")));
  const targets = targetsForFixture(fixture);
  if (command === "schedule") {
    setConfig(loadConfig({ ...process.env, QBR_SCAN_INTERVAL_MINUTES: arg }));
    await startScanScheduler({ targets, endpoint: process.env.AWS_ENDPOINT_URL, maxAttempts: 1 });
    say({ ready: true });
    return;
  }
  const db = await openDatabase(process.env.QBR_DATABASE_URL);
  const ctx = createFixContext({
    db,
    targets,
    endpoint: process.env.AWS_ENDPOINT_URL,
    maxAttempts: 1,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 500))),
  });
  const source = JSON.parse(process.env.QBR_TEST_SOURCE!);
  if (command === "follow") {
    startTrackedSyncSweeper(async () => ctx, 500);
    say({ ready: true });
    return;
  }
  const plan = await planFullSync(ctx, source);
  say({ planned: plan.status });
  await new Promise((r) => setTimeout(r, Math.max(0, Number(arg) - Date.now())));
  const result = await applyFullSync(ctx, plan, { actor: `replica:${process.pid}`, confirmPlanHash: plan.planHash, wait: process.env.QBR_TEST_WAIT === "1" });
  say({ outcome: result.outcome, activityId: result.activityId ?? null, message: result.message ?? null });
  await ctx.close();
  await db.close();
}

main().catch((error: unknown) => {
  say({ error: (error as Error).stack ?? String(error) });
  process.exit(1);
});
