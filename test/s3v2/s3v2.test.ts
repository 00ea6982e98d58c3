/**
 * S3 (v2) data sources end to end through the real SDK against the local
 * AWS: the checks' verdicts from the documents (fresh: pass; stale: fail with
 * their count, never syncMode advice), and the full-sync fix on both
 * behaviours a sync may have (`syncReingests` "all": verified fixed;
 * "changed": still stale, with the exact next steps, which then work).
 */
import { afterEach, describe, expect, it } from "vitest";
import { GetDocumentContentCommand, StartDataSourceSyncJobCommand } from "@aws-sdk/client-qbusiness";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { howToFixFor, checkById } from "../../app/audit/checks";
import { formatTable } from "../../app/audit/format";
import { runAudit } from "../../app/audit/run";
import { targetsForFixture } from "../../app/audit/targets";
import type { Finding } from "../../app/audit/types";
import { applyFullSync, planFullSync, verifyFullSync } from "../../app/fixes/full-sync";
import { getActivity } from "../../app/fixes/activity-log";
import { listTrackedSyncs, resumeTrackedSyncs } from "../../app/fixes/tracked-syncs";
import type { FixtureDataSource } from "../../app/local-aws/fixture-types";
import { id36 } from "../audit/fleet-builder";
import { startFixHarness, type FixHarness } from "../fixes/harness";
import { ACCOUNT, APP, BUCKET, INDEX, OBJECTS, REGION, SOURCE, SOURCE_REF, documentIdOf, s3v2Fleet, s3v2Source } from "./fleet";

let h: FixHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const ACTOR = { actor: "user:alice@example.com" };
const CHECKS = ["datasource-full-sync-missing", "datasource-documents-stale"];
const SYNCED_AFTER = "2025-08-01T10:05:00Z";

/** The S3V2 source as after a sync in August 2025 that re-ingested only `fresh` of its documents. */
function syncedAfterCutoff(freshKeys: string[]): Partial<FixtureDataSource> {
  const base = s3v2Source();
  return {
    syncJobs: [...base.syncJobs, { executionId: id36("s3v2-exec-2025"), startTime: "2025-08-01T10:00:00Z", endTime: SYNCED_AFTER, status: "SUCCEEDED" }],
    documents: base.documents.map((d) => (freshKeys.includes(d.s3Key!) ? { ...d, updatedAt: SYNCED_AFTER } : d)),
  };
}

async function s3v2Findings(source: Partial<FixtureDataSource>): Promise<{ findings: Finding[]; table: string }> {
  h = await startFixHarness(s3v2Fleet(source));
  const { report } = await runAudit({ targets: targetsForFixture(h.t.aws.fleet), endpoint: h.t.aws.endpoint, db: h.db, maxAttempts: 1 });
  const findings = report.findings.filter((f) => CHECKS.includes(f.checkId) && f.resource.dataSourceId === SOURCE);
  expect(findings.map((f) => f.checkId).sort()).toEqual([...CHECKS].sort());
  return { findings, table: formatTable(report) };
}

const advice = (f: Finding) => howToFixFor(checkById(f.checkId)!.metadata, f.evidence);

describe("S3V2 in the checks", () => {
  it("passes both checks when every document was re-ingested after the cutoff, though the sync's mode is unknown", async () => {
    const { findings } = await s3v2Findings(syncedAfterCutoff(OBJECTS.map((o) => o.key)));
    for (const f of findings) expect([f.checkId, f.status]).toEqual([f.checkId, "pass"]);
    const missing = findings.find((f) => f.checkId === "datasource-full-sync-missing")!;
    expect(missing.message).toBe("All 3 documents re-ingested after 07/02/2025, though the mode of the sync of 2025-08-01 is unknown.");
    expect(missing.evidence).toMatchObject({ dataSourceType: "S3V2", decidedBy: "documents", decidingJob: { mode: "unknown" } });
  });

  it("fails both checks with the stale count when the sync after the cutoff left documents stale, advising no syncMode", async () => {
    const { findings, table } = await s3v2Findings(syncedAfterCutoff(["contracts/pricing.xlsx"]));
    const missing = findings.find((f) => f.checkId === "datasource-full-sync-missing")!;
    const stale = findings.find((f) => f.checkId === "datasource-documents-stale")!;
    expect(missing.status).toBe("fail");
    expect(missing.message).toContain("2 documents of 3 still from before the cutoff");
    expect(stale.status).toBe("fail");
    expect(stale.message).toMatch(/^2 documents of 3 not re-ingested after 07\/02\/2025/);
    expect(stale.evidence).toMatchObject({ dataSourceType: "S3V2", staleCount: 2 });
    for (const f of [missing, stale]) {
      expect(f.remediation.action).toBe("full-sync");
      expect(advice(f)).not.toMatch(/syncMode|FORCED_FULL_CRAWL|FULL_CRAWL/);
      expect(advice(f)).toMatch(/--metadata-directive REPLACE/);
    }
    // What an admin reads in the CLI's table for this source: the S3V2 advice, not the mode switch.
    const block = table.split("\n\n").filter((b) => b.includes("legal-v2"));
    expect(block.length).toBeGreaterThanOrEqual(2);
    for (const b of block) expect(b).not.toMatch(/syncMode|FORCED_FULL_CRAWL/);
  });
});

async function downloadError(harness: FixHarness, key: string): Promise<string | undefined> {
  const { qbusiness } = harness.t.clients(ACCOUNT, REGION);
  try {
    await qbusiness.send(new GetDocumentContentCommand({ applicationId: APP, indexId: INDEX, dataSourceId: SOURCE, documentId: documentIdOf(key) }));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

async function planAndApply(harness: FixHarness) {
  const plan = await planFullSync(harness.ctx, SOURCE_REF);
  return { plan, result: await applyFullSync(harness.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, wait: true }) };
}

describe("the full-sync fix for S3V2", () => {
  it("plans a sync and a document check, saying plainly there is no full-sync setting and touching no configuration", async () => {
    h = await startFixHarness(s3v2Fleet());
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    expect(plan.status).toBe("ready");
    expect(plan.summary).toMatch(/S3 \(v2\) connector, which has no full-sync setting: start a sync, follow it to its end, then check every document/);
    expect(plan.details.switchesMode).toBe(false);
    expect(plan.details.newConfiguration).toBeUndefined();
    expect(plan.details.modeless).toEqual({ bucket: BUCKET, deletionProtection: { enabled: true, threshold: 15 } });
  });

  it('syncReingests "all": the sync re-ingests every document, so the fix is verified fixed and the documents open', async () => {
    h = await startFixHarness(s3v2Fleet({ syncReingests: "all" }));
    expect(await downloadError(h, "contracts/nda-2024.docx")).toMatch(/requires a full connector sync/);
    const { result } = await planAndApply(h);
    expect(result.outcome).toBe("succeeded");
    expect(result.message).toMatch(/all 3 documents were re-ingested after the cutoff: verified fixed/);
    expect(result.verification?.ok).toBe(true);
    expect(result.notDone).toEqual([]);
    expect(await downloadError(h, "contracts/nda-2024.docx")).toBeUndefined();
    expect((await verifyFullSync(h.ctx, SOURCE_REF)).ok).toBe(true);
    // Recorded as a sync of ours, but not as a full one: the audit must decide S3V2 from the documents.
    expect((await listTrackedSyncs(h.db)).map((t) => t.fullMode)).toEqual([false]);
  });

  it('syncReingests "changed": 2 documents stay stale; the fix says so with the exact touch commands, and following them fixes it', async () => {
    h = await startFixHarness(s3v2Fleet({ syncReingests: "changed" }));
    const { result } = await planAndApply(h);
    expect(result.outcome).toBe("partial");
    expect(result.verification?.ok).toBe(false);
    expect(result.message).toMatch(/but 2 of 3 documents are still from before the cutoff/);
    expect(result.message).toMatch(
      /1\. Touch the 2 stale objects in s3:\/\/acme-legal.*2\. Or recreate the data source.*It loses the data source id, its sync history/,
    );
    expect(result.verification?.details?.touchCommands).toEqual([
      "aws s3 cp 's3://acme-legal/contracts/Master services agreement.pdf' 's3://acme-legal/contracts/Master services agreement.pdf' --metadata-directive REPLACE",
      "aws s3 cp s3://acme-legal/contracts/nda-2024.docx s3://acme-legal/contracts/nda-2024.docx --metadata-directive REPLACE",
    ]);
    expect(result.notDone).toContain("re-ingest 2 stale documents");
    const verification = await verifyFullSync(h.ctx, SOURCE_REF);
    expect(verification).toMatchObject({ ok: false, details: { staleDocuments: 2, documents: 3 } });

    // The first next step: rewrite the two objects in place (what the cp commands do), then run the fix again.
    const { s3 } = h.t.clients(ACCOUNT, REGION);
    for (const key of ["contracts/Master services agreement.pdf", "contracts/nda-2024.docx"]) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: `content of ${key}` }));
    }
    const again = await planAndApply(h);
    expect(again.result.outcome).toBe("succeeded");
    expect(again.result.message).toMatch(/verified fixed/);
    expect(await downloadError(h, "contracts/Master services agreement.pdf")).toBeUndefined();
  });

  it("followed in the background (the dashboard's way, or resumed after a restart), the sync's end records the same document check", async () => {
    h = await startFixHarness(s3v2Fleet({ syncReingests: "changed" }));
    const plan = await planFullSync(h.ctx, SOURCE_REF);
    const started = await applyFullSync(h.ctx, plan, { ...ACTOR, confirmPlanHash: plan.planHash, followInBackground: false });
    expect(started.outcome).toBe("started");
    expect(started.message).toMatch(/then every document is checked/);
    const [followed] = await resumeTrackedSyncs(await h.restart());
    expect(followed.verification).toMatchObject({ ok: false, details: { staleDocuments: 2 } });
    const entry = await getActivity(h.db, started.activityId!);
    expect(entry?.status).toBe("partial");
    expect(entry?.message).toMatch(/2 of 3 documents are still from before the cutoff.*1\. Touch the 2 stale objects/);
  });

  it("starts no second sync while one runs (as for S3), and says which one runs", async () => {
    h = await startFixHarness(s3v2Fleet());
    const { qbusiness } = h.t.clients(ACCOUNT, REGION);
    const { executionId } = await qbusiness.send(new StartDataSourceSyncJobCommand({ applicationId: APP, indexId: INDEX, dataSourceId: SOURCE }));
    const { plan, result } = await planAndApply(h);
    expect(plan.details.runningSync?.executionId).toBe(executionId);
    expect(result.outcome).toBe("refused");
    expect(result.message).toBe(`A sync is already running: ${executionId}. No other sync was started.`);
    expect(await listTrackedSyncs(h.db)).toEqual([]);
  });

  it("says in words that deletion protection blocked the sync", async () => {
    const gone = {
      documentId: documentIdOf("contracts/gone.txt"),
      status: "INDEXED" as const,
      createdAt: "2024-06-01T10:05:00Z",
      updatedAt: "2024-06-01T10:05:00Z",
      s3Key: "contracts/gone.txt",
    };
    h = await startFixHarness(s3v2Fleet({ documents: [...s3v2Source().documents, gone] }));
    const { result } = await planAndApply(h);
    expect(result.outcome).toBe("failed");
    expect(result.message).toMatch(/ended FAILED: Sync blocked by deletion protection/);
    expect(result.message).toMatch(/Deletion protection blocked the sync: it would have deleted more than 15% of the data source's documents/);
    expect(result.message).toMatch(/deletionProtectionThreshold|enableDeletionProtection/);
  });
});
