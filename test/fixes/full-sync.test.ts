/**
 * full-sync through the real SDK against the local AWS: the end user's
 * symptom before, the action, the symptom gone after; the configuration
 * round-trip, the mode restored, no duplicate sync, resume after a restart.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  GetDataSourceCommand,
  GetDocumentContentCommand,
  ListDataSourceSyncJobsCommand,
  StartDataSourceSyncJobCommand,
  UpdateDataSourceCommand,
} from "@aws-sdk/client-qbusiness";
import { applyFullSync, applyFullSyncBulk, planFullSync, verifyFullSync } from "../../app/fixes/full-sync";
import { createFixContext } from "../../app/fixes/context";
import { dataSource, id36 } from "../audit/fleet-builder";
import { getActivity } from "../../app/fixes/activity-log";
import { listTrackedSyncs, ownFullSyncExecutionIds, resumeTrackedSyncs } from "../../app/fixes/tracked-syncs";
import { runAudit } from "../../app/audit/run";
import { targetsForFixture } from "../../app/audit/targets";
import { ACCOUNT, APP, INDEX, REGION, SOURCE, SOURCE_REF, fixFleet } from "./fleet";
import { startFixHarness, type FixHarness } from "./harness";

let h: FixHarness;
afterEach(async () => h?.close());

const sourcePath = { applicationId: APP, indexId: INDEX, dataSourceId: SOURCE };
const ACTOR = { actor: "user:alice@example.com" };

async function dataSourceState(harness: FixHarness) {
  const { qbusiness } = harness.t.clients(ACCOUNT, REGION);
  const { $metadata: _m, updatedAt: _u, ...rest } = await qbusiness.send(new GetDataSourceCommand(sourcePath));
  return rest;
}

async function downloadError(harness: FixHarness): Promise<string | undefined> {
  const { qbusiness } = harness.t.clients(ACCOUNT, REGION);
  try {
    await qbusiness.send(new GetDocumentContentCommand({ ...sourcePath, documentId: "s3://acme-hr/hr-data/benefits.txt" }));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("full-sync", () => {
  it("turns the end user's full-sync refusal into a download, restoring the incremental mode afterwards", async () => {
    h = await startFixHarness(fixFleet());
    expect(await downloadError(h)).toMatch(/requires a full connector sync performed after 07\/02\/2025/);

    const plan = await planFullSync(h.ctx, SOURCE_REF);
    expect(plan.status).toBe("ready");
    expect(plan.details.currentSyncMode).toBe("FULL_CRAWL");
    expect(plan.details.switchesMode).toBe(true);
    expect(plan.details.documentCount).toBe(2);
    expect(plan.details.pastSyncs.map((s) => s.durationSeconds)).toEqual([60]);

    const result = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true });
    expect(result.outcome).toBe("succeeded");
    expect(result.notDone).toEqual([]);
    expect(await downloadError(h)).toBeUndefined();
    expect(((await dataSourceState(h)).configuration as Record<string, unknown>).syncMode).toBe("FULL_CRAWL");
    expect(result.reaudit?.readiness[APP]).toBeDefined();
    expect(result.reaudit?.stillWrong.map((f) => f.checkId)).not.toContain("datasource-full-sync-missing");
    expect((await verifyFullSync(h.ctx, SOURCE_REF)).ok).toBe(true);

    const entry = (await getActivity(h.db, result.activityId!))!;
    expect(entry.actor).toBe("user:alice@example.com");
    expect(entry.status).toBe("succeeded");
    expect(entry.plan.planHash).toBe(plan.planHash);
    expect(entry.requestIds.length).toBeGreaterThanOrEqual(3);
  });

  it("sends back every data source member as it was, changing only configuration.syncMode", async () => {
    h = await startFixHarness(fixFleet());
    const { qbusiness } = h.t.clients(ACCOUNT, REGION);
    // Members the fixture has no place for, set as an admin would have.
    await qbusiness.send(
      new UpdateDataSourceCommand({
        ...sourcePath,
        description: "HR policies",
        vpcConfiguration: { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] },
        documentEnrichmentConfiguration: { inlineConfigurations: [{ documentContentOperator: "DELETE" }] },
      }),
    );
    const before = await dataSourceState(h);
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    const result = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, followInBackground: false });
    expect(result.outcome).toBe("started");

    const during = await dataSourceState(h);
    const expected = { ...before, configuration: { ...(before.configuration as object), syncMode: "FORCED_FULL_CRAWL" } };
    expect(JSON.stringify(during)).toBe(JSON.stringify(expected));
  });

  it("resumes following a sync after a restart and puts the original mode back", async () => {
    h = await startFixHarness(fixFleet());
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    const result = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, followInBackground: false });
    expect(result.outcome).toBe("started");
    expect(await listTrackedSyncs(h.db, { unfinished: true })).toHaveLength(1);

    const restarted = await h.restart();
    const resumed = await resumeTrackedSyncs(restarted);
    expect(resumed).toHaveLength(1);
    expect(resumed[0].jobStatus).toBe("SUCCEEDED");
    expect(resumed[0].tracked.state).toBe("done");
    expect(((await dataSourceState(h)).configuration as Record<string, unknown>).syncMode).toBe("FULL_CRAWL");
    expect(await downloadError(h)).toBeUndefined();
    expect((await getActivity(restarted.db, result.activityId!))!.status).toBe("succeeded");
    expect(await listTrackedSyncs(restarted.db, { unfinished: true })).toHaveLength(0);
  });

  it("keeps the full mode when asked not to restore it", async () => {
    h = await startFixHarness(fixFleet());
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    const result = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true, restoreMode: false });
    expect(result.outcome).toBe("succeeded");
    expect(((await dataSourceState(h)).configuration as Record<string, unknown>).syncMode).toBe("FORCED_FULL_CRAWL");
  });

  it("reports a running sync instead of starting another, leaving the mode alone", async () => {
    h = await startFixHarness(fixFleet());
    const { qbusiness } = h.t.clients(ACCOUNT, REGION);
    const { executionId } = await qbusiness.send(new StartDataSourceSyncJobCommand(sourcePath));
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    expect(plan.details.runningSync?.executionId).toBe(executionId);

    const result = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true });
    expect(result.outcome).toBe("refused");
    expect(result.message).toContain(`A sync is already running: ${executionId}`);
    const jobs = await qbusiness.send(new ListDataSourceSyncJobsCommand(sourcePath));
    expect(jobs.history?.filter((j) => j.status === "SYNCING")).toHaveLength(1);
    expect(((await dataSourceState(h)).configuration as Record<string, unknown>).syncMode).toBe("FULL_CRAWL");
  });

  it("does not apply a plan that changed since it was shown, and returns the new plan", async () => {
    h = await startFixHarness(fixFleet());
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    const { qbusiness } = h.t.clients(ACCOUNT, REGION);
    const before = await dataSourceState(h);
    await qbusiness.send(new UpdateDataSourceCommand({ ...sourcePath, configuration: { ...(before.configuration as object), syncMode: "FORCED_FULL_CRAWL" } }));

    const result = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true });
    expect(result.outcome).toBe("stale-plan");
    expect(result.message).toMatch(/the plan changed since it was shown/i);
    expect(result.plan.planHash).not.toBe(plan.planHash);
    expect(result.plan.details.switchesMode).toBe(false);
    const jobs = await qbusiness.send(new ListDataSourceSyncJobsCommand(sourcePath));
    expect(jobs.history).toHaveLength(1);
  });

  it("runs two concurrent applies on one data source once", async () => {
    h = await startFixHarness(fixFleet());
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    const options = { ...ACTOR, confirmPlanHash: plan.planHash, followInBackground: false };
    const results = await Promise.all([applyFullSync(h.ctx, plan, options), applyFullSync(h.ctx, plan, options)]);
    expect(results.map((r) => r.outcome).sort()).toEqual(["busy", "started"]);
    const { qbusiness } = h.t.clients(ACCOUNT, REGION);
    const jobs = await qbusiness.send(new ListDataSourceSyncJobsCommand(sourcePath));
    expect(jobs.history?.filter((j) => j.status === "SYNCING")).toHaveLength(1);
  });

  it("records its sync as the product's own full sync for the audit", async () => {
    h = await startFixHarness(fixFleet());
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    const result = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, followInBackground: false });
    const ids = (await ownFullSyncExecutionIds(h.db))(SOURCE_REF);
    expect(ids).toHaveLength(1);
    expect((await getActivity(h.db, result.activityId!))!.events.some((e) => e.message.includes(ids[0]))).toBe(true);
  });

  it("makes the next audit count the product's own sync as a full sync after the incremental mode is back", async () => {
    // No documents: only the job's mode can show the sync was full (per-document evidence cannot).
    const fixture = fixFleet();
    fixture.accounts[0].regions[REGION].applications[0].indices[0].dataSources[0].documents = [];
    h = await startFixHarness(fixture);
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true });
    const audit = await runAudit({ targets: targetsForFixture(h.t.aws.fleet), endpoint: h.t.aws.endpoint, db: h.dbPath, maxAttempts: 1 });
    const finding = audit.report.findings.find((f) => f.checkId === "datasource-full-sync-missing" && f.resource.dataSourceId === SOURCE);
    expect(finding?.status).toBe("pass");
  });

  it("shows the action unavailable, naming the permission, when AWS denies reading the data source", async () => {
    const fixture = fixFleet();
    fixture.accounts[0].denied = [{ service: "qbusiness", operation: "GetDataSource" }];
    h = await startFixHarness(fixture);
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    expect(plan.status).toBe("unavailable");
    expect(plan.missingPermissions).toEqual(["qbusiness:GetDataSource"]);
  });

  it("says exactly what was done and not when AWS refuses to start the sync, putting the mode back", async () => {
    const fixture = fixFleet();
    fixture.accounts[0].denied = [{ service: "qbusiness", operation: "StartDataSourceSyncJob" }];
    h = await startFixHarness(fixture);
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    const result = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true });
    expect(result.outcome).toBe("partial");
    expect(result.message).toMatch(/AWS denied qbusiness:StartDataSourceSyncJob/);
    expect(result.done).toEqual(["switch syncMode FULL_CRAWL → FORCED_FULL_CRAWL", "restore syncMode FULL_CRAWL"]);
    expect(result.notDone).toEqual(["start the sync", "follow the sync to its end"]);
    expect(((await dataSourceState(h)).configuration as Record<string, unknown>).syncMode).toBe("FULL_CRAWL");
  });

  it("runs a bulk full sync with at most the per-account cap of syncs at once", async () => {
    const fixture = fixFleet();
    const index = fixture.accounts[0].regions[REGION].applications[0].indices[0];
    for (let i = 0; i < 5; i++) {
      index.dataSources.push(
        dataSource(`ds-bulk-${i}`, { configuration: { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" }, syncDurationSeconds: 10 + i }),
      );
    }
    h = await startFixHarness(fixture);
    let mostRunning = 0;
    const running = () =>
      h.t.aws.fleet.accounts[0].regions[REGION].applications[0].indices[0].dataSources.filter((d) => d.syncJobs.some((j) => j.status === "SYNCING")).length;
    const ctx = createFixContext({
      db: h.db,
      localAws: h.t.aws,
      maxAttempts: 1,
      sleep: async (ms) => {
        mostRunning = Math.max(mostRunning, running());
        h.t.aws.clock.advance(ms);
      },
    });
    const refs = Array.from({ length: 5 }, (_, i) => ({ ...SOURCE_REF, dataSourceId: id36(`ds-bulk-${i}`) }));
    const plans = await Promise.all(refs.map((ref) => planFullSync(ctx, ref)));
    const results = await applyFullSyncBulk(
      ctx,
      refs.map((ref, i) => ({ dataSource: ref, confirmPlanHash: plans[i].planHash })),
      { ...ACTOR, wait: true, concurrencyPerAccount: 2 },
    );
    await ctx.close();
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill("succeeded"));
    expect(mostRunning).toBe(2);
  });
});
