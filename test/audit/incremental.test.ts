/**
 * Issue 15 item 1: an incremental re-audit gives the verdicts a full audit
 * gives, on fleets whose state changes between audits, while skipping the job
 * history and the document scan where stored evidence still holds. Each
 * change is made to the local AWS's live state (through the SDK where the API
 * has the write, else in its state, as AWS itself would change it), then the
 * same fleet is audited incrementally and in full, over HTTP, into a real
 * SQLite file.
 */
import { PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { UpdateDataSourceCommand } from "@aws-sdk/client-qbusiness";
import { beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../app/db/database";
import { evidenceForCutoff } from "../../app/db/evidence";
import type { FixtureDataSource, FixtureSyncJob } from "../../app/local-aws/fixture-types";
import { dataSourceFinding, incrementalThenFull, incrementalWorld } from "./incremental-world";
import { AFTER, BEFORE, CUTOFF, documents, id36, index, dataSource, servedApplication, singleAppFleet, syncJob } from "./fleet-builder";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const FULL_CRAWL = { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" };

/** The fleet: sources whose verdicts rest on each kind of evidence, and one whose verdict rests on none. */
function sources(): FixtureDataSource[] {
  return [
    // A full sync (FORCED_FULL_CRAWL, unchanged since) and every document re-ingested.
    dataSource("forced", { syncJobs: [syncJob("forced-1", AFTER)], documents: documents(3, AFTER, "forced") }),
    // Mode unknown (updated after its job): only the documents prove it.
    dataSource("changed", {
      updatedAt: "2025-09-01T00:00:00Z",
      configuration: FULL_CRAWL,
      syncJobs: [syncJob("changed-1", AFTER)],
      documents: documents(3, AFTER, "changed"),
    }),
    // A full sync, but one document failed: the documents prove nothing.
    dataSource("partial", {
      syncJobs: [syncJob("partial-1", AFTER)],
      documents: [...documents(2, AFTER, "partial"), ...documents(1, AFTER, "partial-failed", "DOCUMENT_FAILED_TO_INDEX")],
    }),
    // Created after the cutoff, incremental: its first sync (the oldest of 12 jobs, beyond the first page) is full.
    dataSource("young", {
      createdAt: "2025-07-20T00:00:00Z",
      updatedAt: "2025-07-20T00:00:00Z",
      configuration: FULL_CRAWL,
      syncJobs: Array.from({ length: 12 }, (_, i) => syncJob(`young-${12 - i}`, new Date(Date.parse("2025-09-01T00:00:00Z") - i * 86_400_000).toISOString())),
      documents: documents(2, AFTER, "young"),
    }),
    // Incremental with stale documents, one on its way out (a stale scan is kept only when every document counts, rule 4): nothing stored.
    dataSource("incr", {
      configuration: FULL_CRAWL,
      syncJobs: [syncJob("incr-1", AFTER)],
      documents: [...documents(2, BEFORE, "incr"), ...documents(1, BEFORE, "incr-gone", "DELETING")],
    }),
  ];
}

const WEB_ROLE = "QBusinessWebRole";

function testFleet() {
  const labels = { app: "app", index: "idx", web: "web", role: WEB_ROLE };
  const resources = [`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/*`];
  return singleAppFleet(ACCOUNT, REGION, servedApplication(ACCOUNT, REGION, labels, sources(), { resources }));
}

const world = incrementalWorld(testFleet, "qbr-incremental-");

const live = (label: string): FixtureDataSource => {
  const ds = world.t.aws.fleet.accounts[0].regions[REGION].applications[0].indices[0].dataSources.find((d) => d.displayName === label);
  if (!ds) throw new Error(`no data source ${label}`);
  return ds;
};

/** A job that just ran on the emulator's clock. */
function jobNow(label: string, status: FixtureSyncJob["status"], metrics: Partial<Record<string, string>>): FixtureSyncJob {
  const end = world.t.aws.clock.now();
  const start = new Date(end.getTime() - 60_000);
  return {
    executionId: id36(label),
    startTime: start.toISOString(),
    endTime: end.toISOString(),
    status,
    metrics: { documentsAdded: "0", documentsModified: "0", documentsDeleted: "0", documentsFailed: "0", documentsScanned: "0", ...metrics },
  };
}

describe("incremental re-audit of an unchanged fleet", () => {
  it("reuses the lasting evidence, marks it, reads fewer pages, and gives the full audit's verdicts", async () => {
    const first = await world.audit();
    expect(first.scan).toEqual({ full: true, reason: "every-nth" });
    const { incremental, full } = await incrementalThenFull(world);
    const reused = { auditId: first.auditId, scannedAt: first.report.scannedAt };
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "forced").evidence.reusedFrom).toEqual(reused);
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "changed").evidence).toMatchObject({
      decidedBy: "documents",
      reusedFrom: reused,
    });
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "young").evidence).toMatchObject({
      decidingJob: { executionId: id36("young-1"), basis: "first-sync" },
      reusedFrom: reused,
    });
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "incr").evidence.reusedFrom).toBeUndefined();
    expect(dataSourceFinding(full.report, "datasource-documents-stale", "forced").evidence.reusedFrom).toBeUndefined();
    // forced, changed and young keep their document counts; partial and incr (and the uploads) are read again.
    expect(incremental.calls("qbusiness:ListDocuments")).toBe(full.calls("qbusiness:ListDocuments") - 3);
    // young's first sync is kept from the first audit: its first page of jobs is all that is read.
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "young").evidence.syncJobsRead).toMatchObject({
      pages: 1,
      stoppedBecause: "reused-evidence",
    });
    expect(dataSourceFinding(full.report, "datasource-full-sync-missing", "young").evidence.syncJobsRead).toMatchObject({
      pages: 2,
      stoppedBecause: "history-exhausted",
    });
    expect(incremental.calls("qbusiness:ListDataSourceSyncJobs")).toBe(full.calls("qbusiness:ListDataSourceSyncJobs") - 1);
  });

  it("keeps the evidence across a restart (a new database handle), and ignores it once the cutoff changes", async () => {
    await world.audit();
    const check = await openDatabase(world.db);
    expect((await evidenceForCutoff(check, CUTOFF)).map((r) => `${r.dataSourceId.slice(0, 7)} ${r.kind}`).sort()).toEqual([
      "changed documents",
      "forced- documents",
      "forced- full-sync",
      "partial full-sync",
      "young-0 documents",
      "young-0 full-sync",
    ]);
    await check.close();
    const again = await world.audit();
    expect(dataSourceFinding(again.report, "datasource-documents-stale", "forced").evidence.reusedFrom).toBeDefined();
    const otherCutoff = await world.audit({ cutoff: "2025-07-10T00:00:00.000Z" });
    expect(otherCutoff.report.findings.some((f) => f.evidence.reusedFrom !== undefined)).toBe(false);
    expect(otherCutoff.calls("qbusiness:ListDocuments")).toBe(again.calls("qbusiness:ListDocuments") + 3);
  });

  it("reads everything on --full and on every N-th audit", async () => {
    const modes = [];
    for (let i = 0; i < 4; i++) modes.push((await world.audit({ fullScanEvery: 3 })).scan);
    expect(modes.map((m) => m?.reason)).toEqual(["every-nth", "incremental", "incremental", "every-nth"]);
    const forced = await world.audit({ full: true });
    expect(forced.scan).toEqual({ full: true, reason: "requested" });
    expect(forced.report.findings.some((f) => f.evidence.reusedFrom !== undefined)).toBe(false);
  });
});

describe("incremental re-audit after the fleet changed", () => {
  beforeEach(async () => {
    await world.audit();
  });

  it("new documents that fail to index: the documents no longer prove the full sync", async () => {
    const ds = live("changed");
    ds.syncJobs.push(jobNow("changed-2", "SUCCEEDED", { documentsAdded: "2", documentsFailed: "2", documentsScanned: "5" }));
    const now = world.t.aws.clock.now().toISOString();
    ds.documents.push(...documents(2, now, "changed-new", "DOCUMENT_FAILED_TO_INDEX"));
    const { incremental } = await incrementalThenFull(world);
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "changed").status).toBe("warn");
    expect(dataSourceFinding(incremental.report, "datasource-sync-failing", "changed").status).toBe("warn");
  });

  it("a data source deleted and recreated with the same name (a new id, or a new creation time) is judged afresh", async () => {
    const ix = world.t.aws.fleet.accounts[0].regions[REGION].applications[0].indices[0];
    const now = world.t.aws.clock.now().toISOString();
    const fresh = { createdAt: now, updatedAt: now, syncJobs: [], documents: [] };
    ix.dataSources = ix.dataSources.map((d) => {
      if (d.displayName === "forced") return { ...d, ...fresh, dataSourceId: id36("forced-again") };
      if (d.displayName === "young") return { ...d, ...fresh };
      return d;
    });
    const { incremental } = await incrementalThenFull(world);
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "forced-again").status).toBe("fail");
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "young").status).toBe("fail");
    expect(incremental.report.findings.some((f) => f.evidence.reusedFrom !== undefined && f.resource.dataSourceId === id36("young"))).toBe(false);
  });

  it("a configuration changed back to incremental: the full sync's mode is no longer known", async () => {
    const qbusiness = world.t.clients(ACCOUNT, REGION).qbusiness;
    await qbusiness.send(
      new UpdateDataSourceCommand({ applicationId: id36("app"), indexId: id36("idx"), dataSourceId: id36("partial"), configuration: FULL_CRAWL as never }),
    );
    const { incremental } = await incrementalThenFull(world);
    expect(dataSourceFinding(incremental.report, "datasource-full-sync-missing", "partial").status).toBe("warn");
  });

  it("a sync that failed and removed documents: the documents are read again and the failure is seen", async () => {
    const ds = live("forced");
    ds.syncJobs.push(jobNow("forced-2", "FAILED", { documentsDeleted: "2" }));
    ds.documents = ds.documents.slice(2);
    const { incremental } = await incrementalThenFull(world);
    expect(dataSourceFinding(incremental.report, "datasource-sync-failing", "forced").status).toBe("warn");
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "forced")).toMatchObject({ status: "pass", evidence: { scanned: 1 } });
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "forced").evidence.reusedFrom).toBeUndefined();
  });

  it("a role policy changed: the role is read again", async () => {
    const iam = world.t.clients(ACCOUNT, REGION).iam;
    const deny = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["qbusiness:Chat"], Resource: ["*"] }] };
    await iam.send(new PutRolePolicyCommand({ RoleName: WEB_ROLE, PolicyName: "QBusinessWebPolicy", PolicyDocument: JSON.stringify(deny) }));
    const { incremental } = await incrementalThenFull(world);
    const role = incremental.report.findings.find((f) => f.checkId === "webexperience-role-getdocumentcontent");
    expect(role?.status).toBe("fail");
  });

  it("a new index: its data sources are read in full", async () => {
    const app = world.t.aws.fleet.accounts[0].regions[REGION].applications[0];
    app.indices.push(index("idx-new", [dataSource("new-ds", { syncJobs: [syncJob("new-1", AFTER)], documents: documents(2, BEFORE, "new") })]));
    const { incremental } = await incrementalThenFull(world);
    expect(dataSourceFinding(incremental.report, "datasource-documents-stale", "new-ds").status).toBe("fail");
  });
});
