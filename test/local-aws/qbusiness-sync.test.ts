/**
 * Sync jobs of the local Q Business through the unmodified SDK client:
 * start/stop, finishing on the emulator clock, what full and incremental
 * syncs do to documents, and the GetDocumentContent turnaround a full sync brings.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BatchPutDocumentCommand,
  GetDocumentContentCommand,
  ListDataSourceSyncJobsCommand,
  ListDocumentsCommand,
  StartDataSourceSyncJobCommand,
  StopDataSourceSyncJobCommand,
  UpdateDataSourceCommand,
  paginateListDataSourceSyncJobs,
  type QBusinessClient,
} from "@aws-sdk/client-qbusiness";
import type { Fixture, FixtureDataSource, FixtureSyncJob } from "../../app/local-aws/fixture-types";
import { FULL_SYNC_REQUIRED_MESSAGE, settleSyncJobs } from "../../app/local-aws/qbusiness";
import { rejection } from "../helpers/sdk-errors";
import { account, application, fleet as fleetOf, index, numberedId as id } from "../audit/fleet-builder";
import { startTestAws } from "../helpers/local-aws";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const NOW = "2026-11-26T12:00:00Z";
const SYNC_SECONDS = 20;

const APP = id("app", 1);
const INDEX = id("idx", 1);
/** An S3 source synced once in 2024, in incremental mode, one of whose objects changed since. */
const HR = id("ds", 1);
/** A data source created after the cutoff that has never synced. */
const FRESH = id("ds", 2);
/** A data source with 25 finished jobs, for the history filters and pages. */
const BUSY = id("ds", 3);
/** A data source the fixture shows mid-sync (a forced full crawl started 5 s before the fixture's clock). */
const RUNNING = id("ds", 4);

const CHANGED_DOC = "s3://acme-hr/hr-data/changed.docx";
const UNCHANGED_DOC = "s3://acme-hr/hr-data/unchanged.pdf";

function configuration(syncMode: string) {
  return {
    type: "S3",
    version: "1.0.0",
    syncMode,
    connectionConfiguration: { repositoryEndpointMetadata: { BucketName: "acme-hr" } },
    repositoryConfigurations: { document: { fieldMappings: [] } },
  };
}

function busyHistory(): FixtureSyncJob[] {
  // One job a day through January 2026; every fifth failed.
  return Array.from({ length: 25 }, (_, n) => ({
    executionId: id("busy", n + 1),
    startTime: new Date(Date.UTC(2026, 0, n + 1, 3)).toISOString(),
    endTime: new Date(Date.UTC(2026, 0, n + 1, 4)).toISOString(),
    status: n % 5 === 4 ? "FAILED" : "SUCCEEDED",
  }));
}

function source(dataSourceId: string, overrides: Partial<FixtureDataSource>): FixtureDataSource {
  return {
    dataSourceId,
    displayName: `source-${dataSourceId.slice(0, 7)}`,
    type: "S3",
    status: "ACTIVE",
    createdAt: "2024-05-01T10:00:00Z",
    updatedAt: "2024-05-01T10:00:00Z",
    configuration: configuration("FULL_CRAWL"),
    syncJobs: [],
    documents: [],
    syncDurationSeconds: SYNC_SECONDS,
    ...overrides,
  };
}

function fleet(): Fixture {
  const sources = [
    source(HR, {
      syncJobs: [{ executionId: id("exec", 1), startTime: "2024-05-02T10:00:00Z", endTime: "2024-05-02T10:05:00Z", status: "SUCCEEDED" }],
      documents: [
        { documentId: CHANGED_DOC, status: "INDEXED", createdAt: "2024-05-02T10:05:00Z", updatedAt: "2024-05-02T10:05:00Z", s3Key: "hr-data/changed.docx" },
        { documentId: UNCHANGED_DOC, status: "INDEXED", createdAt: "2024-05-02T10:05:00Z", updatedAt: "2024-05-02T10:05:00Z", s3Key: "hr-data/unchanged.pdf" },
      ],
    }),
    source(FRESH, {
      createdAt: "2026-11-01T00:00:00Z",
      updatedAt: "2026-11-01T00:00:00Z",
      documents: [{ documentId: "s3://acme-hr/fresh/a.txt", status: "RECEIVED", createdAt: "2026-11-01T00:00:00Z", updatedAt: "2026-11-01T00:00:00Z" }],
    }),
    source(BUSY, { syncJobs: busyHistory() }),
    source(RUNNING, {
      configuration: configuration("FORCED_FULL_CRAWL"),
      syncJobs: [
        { executionId: id("exec", 1), startTime: "2025-01-02T10:00:00Z", endTime: "2025-01-02T10:05:00Z", status: "SUCCEEDED" },
        { executionId: id("exec", 2), startTime: "2026-11-26T11:59:55Z", status: "SYNCING" },
      ],
      documents: [{ documentId: "s3://acme-hr/running/a.txt", status: "INDEXED", createdAt: "2025-01-02T10:05:00Z", updatedAt: "2025-01-02T10:05:00Z" }],
    }),
  ];
  const s3 = {
    buckets: {
      "acme-hr": {
        objects: {
          "hr-data/changed.docx": { text: "v2", lastModified: "2026-03-01T00:00:00Z" },
          "hr-data/unchanged.pdf": { text: "v1", lastModified: "2024-04-01T00:00:00Z" },
        },
      },
    },
  };
  const app = application("acme-assistant", [index("main", sources, { indexId: INDEX })], [], { applicationId: APP });
  return fleetOf([account(ACCOUNT, { [REGION]: [app] }, { s3 })], { clock: NOW });
}

let env: Awaited<ReturnType<typeof startTestAws>>;
let qb: QBusinessClient;
const at = (dataSourceId: string) => ({ applicationId: APP, indexId: INDEX, dataSourceId });

beforeEach(async () => {
  env = await startTestAws(fleet());
  qb = env.clients(ACCOUNT, REGION).qbusiness;
});

afterEach(async () => {
  await env.close();
});

async function latestJob(dataSourceId: string) {
  const out = await qb.send(new ListDataSourceSyncJobsCommand(at(dataSourceId)));
  return out.history![0];
}

async function updatedAtOf(dataSourceId: string): Promise<Record<string, number>> {
  const out = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [dataSourceId] }));
  return Object.fromEntries(out.documentDetailList!.map((d) => [d.documentId!, d.updatedAt!.getTime()]));
}

async function setSyncMode(dataSourceId: string, syncMode: string) {
  await qb.send(new UpdateDataSourceCommand({ ...at(dataSourceId), configuration: configuration(syncMode) }));
}

/** Runs a sync to its end on the emulator clock and returns the finished job. */
async function syncToCompletion(dataSourceId: string) {
  const { executionId } = await qb.send(new StartDataSourceSyncJobCommand(at(dataSourceId)));
  env.aws.clock.advance(SYNC_SECONDS * 1000);
  const job = await latestJob(dataSourceId);
  expect(job.executionId).toBe(executionId);
  return job;
}

describe("starting and finishing", () => {
  it("StartDataSourceSyncJob creates a SYNCING job listed first", async () => {
    const { executionId } = await qb.send(new StartDataSourceSyncJobCommand(at(HR)));
    expect(executionId).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9-]{35}$/);
    const job = await latestJob(HR);
    expect(job).toMatchObject({ executionId, status: "SYNCING" });
    expect(job.endTime).toBeUndefined();
  });

  it("a second StartDataSourceSyncJob while one is SYNCING is a ConflictException naming the data source", async () => {
    await qb.send(new StartDataSourceSyncJobCommand(at(HR)));
    const error = await rejection(qb.send(new StartDataSourceSyncJobCommand(at(HR))));
    expect(error.name).toBe("ConflictException");
    expect(error.$metadata.httpStatusCode).toBe(409);
    expect(error.resourceId).toBe(HR);
    expect(error.resourceType).toBeTruthy();
  });

  it("the job is still SYNCING just before its duration has passed", async () => {
    await qb.send(new StartDataSourceSyncJobCommand(at(HR)));
    env.aws.clock.advance((SYNC_SECONDS - 2) * 1000);
    expect((await latestJob(HR)).status).toBe("SYNCING");
  });

  it("the job SUCCEEDS after its duration, ending at start + duration with string metrics", async () => {
    const job = await syncToCompletion(HR);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.endTime!.getTime() - job.startTime!.getTime()).toBe(SYNC_SECONDS * 1000);
    expect(job.metrics).toEqual({
      documentsAdded: "0",
      documentsModified: "1",
      documentsDeleted: "0",
      documentsFailed: "0",
      documentsScanned: "2",
    });
  });

  it("a new sync can start once the previous one finished", async () => {
    await syncToCompletion(HR);
    const second = await qb.send(new StartDataSourceSyncJobCommand(at(HR)));
    expect((await latestJob(HR)).executionId).toBe(second.executionId);
  });

  it("settleSyncJobs finishes due jobs without any read", async () => {
    await qb.send(new StartDataSourceSyncJobCommand(at(HR)));
    env.aws.clock.advance(SYNC_SECONDS * 1000);
    const sources = env.aws.fleet.accounts[0].regions[REGION].applications[0].indices[0].dataSources;
    const hr = sources.find((d) => d.dataSourceId === HR)!;
    const running = sources.find((d) => d.dataSourceId === RUNNING)!;
    expect(hr.syncJobs.at(-1)?.status).toBe("SYNCING");
    // HR's job and the one the fixture left running are both due.
    expect(settleSyncJobs(env.aws)).toBe(2);
    expect(hr.syncJobs.at(-1)?.status).toBe("SUCCEEDED");
    expect(running.syncJobs.at(-1)?.status).toBe("SUCCEEDED");
  });

  it("StopDataSourceSyncJob turns the job STOPPING, then ABORTED, without touching documents", async () => {
    await setSyncMode(HR, "FORCED_FULL_CRAWL");
    const before = await updatedAtOf(HR);
    await qb.send(new StartDataSourceSyncJobCommand(at(HR)));
    await qb.send(new StopDataSourceSyncJobCommand(at(HR)));
    expect((await latestJob(HR)).status).toBe("STOPPING");
    env.aws.clock.advance(SYNC_SECONDS * 1000);
    expect((await latestJob(HR)).status).toBe("ABORTED");
    expect(await updatedAtOf(HR)).toEqual(before);
  });

  it("a job the fixture shows SYNCING finishes syncDurationSeconds after its start, in the configured mode", async () => {
    const first = await latestJob(RUNNING);
    expect(first.status).toBe("SYNCING");
    // In flight at the fixture's clock, so in flight now (ADR 0008): started 5 s before the local AWS did.
    const startedAgo = Date.now() - first.startTime!.getTime();
    expect(startedAgo).toBeGreaterThanOrEqual(5_000);
    expect(startedAgo).toBeLessThan(60_000);
    const conflictError = await rejection(qb.send(new StartDataSourceSyncJobCommand(at(RUNNING))));
    expect(conflictError.name).toBe("ConflictException");
    env.aws.clock.advance(SYNC_SECONDS * 1000);
    const done = await latestJob(RUNNING);
    expect(done.status).toBe("SUCCEEDED");
    expect(done.endTime).toEqual(new Date(first.startTime!.getTime() + SYNC_SECONDS * 1000));
    expect(Object.values(await updatedAtOf(RUNNING))).toEqual([done.endTime!.getTime()]);
  });

  it("StopDataSourceSyncJob with no running job is a ConflictException", async () => {
    const error = await rejection(qb.send(new StopDataSourceSyncJobCommand(at(HR))));
    expect(error.name).toBe("ConflictException");
  });
});

describe("what a sync does to documents", () => {
  it("a FORCED_FULL_CRAWL sync moves every document's updatedAt to the job's end", async () => {
    await setSyncMode(HR, "FORCED_FULL_CRAWL");
    const job = await syncToCompletion(HR);
    expect(await updatedAtOf(HR)).toEqual({
      [CHANGED_DOC]: job.endTime!.getTime(),
      [UNCHANGED_DOC]: job.endTime!.getTime(),
    });
  });

  it("a FULL_CRAWL (incremental) sync moves only documents whose S3 object changed", async () => {
    const before = await updatedAtOf(HR);
    const job = await syncToCompletion(HR);
    expect(await updatedAtOf(HR)).toEqual({
      [CHANGED_DOC]: job.endTime!.getTime(),
      [UNCHANGED_DOC]: before[UNCHANGED_DOC],
    });
  });

  it("the first sync of a data source covers all content even in FULL_CRAWL mode", async () => {
    const job = await syncToCompletion(FRESH);
    const out = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [FRESH] }));
    expect(out.documentDetailList?.map((d) => [d.status, d.updatedAt?.getTime()])).toEqual([["INDEXED", job.endTime!.getTime()]]);
    expect(job.metrics?.documentsAdded).toBe("1");
  });

  it("UpdateDataSource during a sync succeeds and the running job keeps the mode it started with", async () => {
    const before = await updatedAtOf(HR);
    await qb.send(new StartDataSourceSyncJobCommand(at(HR)));
    await setSyncMode(HR, "FORCED_FULL_CRAWL");
    env.aws.clock.advance(SYNC_SECONDS * 1000);
    const job = await latestJob(HR);
    expect(job.status).toBe("SUCCEEDED");
    expect((await updatedAtOf(HR))[UNCHANGED_DOC]).toBe(before[UNCHANGED_DOC]);
  });

  it("GetDocumentContent is refused with the full-sync message before a full sync and succeeds after it", async () => {
    const request = new GetDocumentContentCommand({ applicationId: APP, indexId: INDEX, dataSourceId: HR, documentId: UNCHANGED_DOC });
    const before = await rejection(qb.send(request));
    expect(before.message).toBe(FULL_SYNC_REQUIRED_MESSAGE);

    await setSyncMode(HR, "FORCED_FULL_CRAWL");
    await syncToCompletion(HR);
    const after = await qb.send(request);
    expect(after.mimeType).toBe("application/pdf");
    const response = await fetch(after.presignedUrl!);
    expect(await response.text()).toBe("v1");
  });

  it("GetDocumentContent stays refused after an incremental sync that re-ingested the document", async () => {
    await syncToCompletion(HR);
    const error = await rejection(qb.send(new GetDocumentContentCommand({ applicationId: APP, indexId: INDEX, dataSourceId: HR, documentId: CHANGED_DOC })));
    expect(error.message).toBe(FULL_SYNC_REQUIRED_MESSAGE);
  });
});

describe("documents sent during a sync", () => {
  it("BatchPutDocument with the running job's dataSourceSyncId adds the documents to that data source", async () => {
    const { executionId } = await qb.send(new StartDataSourceSyncJobCommand(at(FRESH)));
    const put = await qb.send(
      new BatchPutDocumentCommand({
        applicationId: APP,
        indexId: INDEX,
        dataSourceSyncId: executionId,
        documents: [{ id: "custom/one.txt", content: { blob: new TextEncoder().encode("one") } }, { id: "custom/empty.txt" }],
      }),
    );
    expect(put.failedDocuments?.map((f) => [f.id, f.dataSourceId])).toEqual([["custom/empty.txt", FRESH]]);
    expect(Object.keys(await updatedAtOf(FRESH))).toContain("custom/one.txt");
    expect(Object.keys(await updatedAtOf(HR))).not.toContain("custom/one.txt");
  });

  it("BatchPutDocument with the dataSourceSyncId of a finished job is ResourceNotFoundException", async () => {
    const job = await syncToCompletion(FRESH);
    const error = await rejection(
      qb.send(
        new BatchPutDocumentCommand({
          applicationId: APP,
          indexId: INDEX,
          dataSourceSyncId: job.executionId,
          documents: [{ id: "late.txt", content: { blob: new TextEncoder().encode("late") } }],
        }),
      ),
    );
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.resourceId).toBe(job.executionId);
  });
});

describe("sync history", () => {
  it("ListDataSourceSyncJobs serves 25 jobs newest first in pages of 10, 10 and 5", async () => {
    const sizes: number[] = [];
    const starts: number[] = [];
    for await (const page of paginateListDataSourceSyncJobs({ client: qb }, at(BUSY))) {
      sizes.push(page.history!.length);
      starts.push(...page.history!.map((j) => j.startTime!.getTime()));
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
  });

  it("ListDataSourceSyncJobs with maxResults 11 is a ValidationException", async () => {
    const error = await rejection(qb.send(new ListDataSourceSyncJobsCommand({ ...at(BUSY), maxResults: 11 })));
    expect(error.name).toBe("ValidationException");
    expect(error.fields?.[0]?.name).toBe("maxResults");
  });

  it("the startTime filter keeps jobs started at or after it", async () => {
    const out = await qb.send(new ListDataSourceSyncJobsCommand({ ...at(BUSY), startTime: new Date("2026-01-21T00:00:00Z") }));
    expect(out.history?.map((j) => j.executionId)).toEqual([25, 24, 23, 22, 21].map((n) => id("busy", n)));
  });

  it("startTime and endTime together keep jobs started within the range", async () => {
    const out = await qb.send(
      new ListDataSourceSyncJobsCommand({
        ...at(BUSY),
        startTime: new Date("2026-01-02T00:00:00Z"),
        endTime: new Date("2026-01-03T23:00:00Z"),
      }),
    );
    expect(out.history?.map((j) => j.executionId)).toEqual([id("busy", 3), id("busy", 2)]);
  });

  it("the syncStatus filter keeps jobs in that status", async () => {
    const out = await qb.send(new ListDataSourceSyncJobsCommand({ ...at(BUSY), statusFilter: "FAILED" }));
    expect(out.history?.map((j) => j.executionId)).toEqual([25, 20, 15, 10, 5].map((n) => id("busy", n)));
  });

  it("an unknown data source is ResourceNotFoundException", async () => {
    const error = await rejection(qb.send(new ListDataSourceSyncJobsCommand(at(id("ds", 77)))));
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.resourceId).toBe(id("ds", 77));
  });
});
