/**
 * npm run fix -- full-sync --bulk as an admin runs it (tsx scripts/fix.ts in a
 * child process) against a standalone local AWS: the plan per account and
 * region printed and nothing applied without --yes; a bad cap refused before
 * any database is made; with --yes the batch runs capped at 1 per account
 * (read from the local AWS's own job times) and prints each item's result.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ListDataSourceSyncJobsCommand } from "@aws-sdk/client-qbusiness";
import { accountCredentials } from "../../app/local-aws/fixture-types";
import { runScript, type ScriptRun } from "../helpers/cli";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { dataSource, documents, id36, syncJob, BEFORE } from "../audit/fleet-builder";
import { ACCOUNT, APP, INDEX, REGION, fixFleet } from "./fleet";

let t: TestAws | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The fix fleet's account with three stale S3 data sources whose syncs take 1 s. */
async function standalone(): Promise<string> {
  const fixture = fixFleet();
  const sources = fixture.accounts[0].regions[REGION].applications[0].indices[0].dataSources;
  sources[0].syncDurationSeconds = 1;
  for (const label of ["ds-two", "ds-three"]) {
    sources.push(
      dataSource(label, {
        configuration: { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" },
        syncJobs: [syncJob(`${label}-old`, "2025-04-01T10:00:00Z")],
        documents: documents(2, BEFORE, label),
        syncDurationSeconds: 1,
      }),
    );
  }
  t = await startTestAws(fixture);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-bulk-cli-"));
  return path.join(dir, "db.sqlite");
}

function fix(args: string[], dbPath: string): Promise<ScriptRun> {
  const keys = accountCredentials(ACCOUNT);
  return runScript("scripts/fix.ts", args, {
    PATH: process.env.PATH,
    HOME: dir,
    USER: "tester",
    NODE_ENV: "test",
    QBR_DB: dbPath,
    AWS_ENDPOINT_URL: t!.aws.endpoint,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: REGION,
  });
}

describe("npm run fix -- --bulk", () => {
  it("prints the plan, applies only with --yes, at most one sync at a time in the account, and prints each result", async () => {
    const dbPath = await standalone();
    const bad = await fix(["full-sync", "--bulk", "--all", "--per-account", "0"], dbPath);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--per-account must be a whole number from 1 to 20, not "0".');
    expect(fs.existsSync(dbPath)).toBe(false);

    const planned = await fix(["full-sync", "--bulk", "--all", "--per-account", "1"], dbPath);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain("Batch #1: Full sync, at most 1 per account and 10 in all.");
    expect(planned.stdout).toContain(`${ACCOUNT} ${REGION}: 3 data sources, 6 documents; 3 to apply, 0 already fixed, 0 not applicable`);
    expect(planned.stdout).toContain("Not applied: run again with --yes, or apply it from the dashboard at /fix/bulk/1.");
    const { qbusiness } = t!.clients(ACCOUNT, REGION);
    const jobsOf = async (label: string) =>
      (await qbusiness.send(new ListDataSourceSyncJobsCommand({ applicationId: APP, indexId: INDEX, dataSourceId: id36(label) }))).history ?? [];
    expect((await jobsOf("ds-two")).length).toBe(1);

    const applied = await fix(["full-sync", "--bulk", "--all", "--per-account", "1", "--yes"], dbPath);
    expect(applied.stderr).not.toContain("fix:");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("Batch #2: 3 succeeded, 0 failed, 0 skipped (already fixed)");
    expect(applied.stdout.match(/^ {2}succeeded /gm)).toHaveLength(3);
    const ours = (await Promise.all(["ds-hr", "ds-two", "ds-three"].map(jobsOf))).map((history) => history.find((j) => j.startTime! > new Date("2026-01-01"))!);
    const spans = ours.map((j) => [j.startTime!.getTime(), j.endTime!.getTime()]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
  }, 120_000);
});
