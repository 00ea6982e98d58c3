/**
 * The S3 (v2) connector in the local AWS, through the unmodified SDK: its
 * configuration in the fixture (no sync mode), what a sync re-ingests as
 * `syncReingests` says ("changed" by default, or "all"), objects added and
 * removed, deletion protection blocking a sync, and GetDocumentContent after.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  GetDataSourceCommand,
  GetDocumentContentCommand,
  ListDataSourceSyncJobsCommand,
  ListDocumentsCommand,
  StartDataSourceSyncJobCommand,
} from "@aws-sdk/client-qbusiness";
import { FixtureError, validateFixture } from "../../app/local-aws/fixture";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { rejection } from "../helpers/sdk-errors";
import { ACCOUNT, APP, BUCKET, INDEX, OBJECTS, REGION, SOURCE, SYNC_SECONDS, documentIdOf, s3v2Fleet, s3v2Source } from "../s3v2/fleet";

let env: TestAws | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const at = { applicationId: APP, indexId: INDEX, dataSourceId: SOURCE };
const CUTOFF_MS = Date.parse("2025-07-03T00:00:00Z");

async function start(source: Parameters<typeof s3v2Fleet>[0] = {}) {
  env = await startTestAws(s3v2Fleet(source));
  return env.clients(ACCOUNT, REGION).qbusiness;
}

async function syncToEnd(qb: Awaited<ReturnType<typeof start>>) {
  const { executionId } = await qb.send(new StartDataSourceSyncJobCommand(at));
  env!.aws.clock.advance(SYNC_SECONDS * 1000);
  const { history } = await qb.send(new ListDataSourceSyncJobsCommand(at));
  expect(history![0].executionId).toBe(executionId);
  return history![0];
}

async function freshKeys(qb: Awaited<ReturnType<typeof start>>): Promise<string[]> {
  const { documentDetailList } = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [SOURCE] }));
  return documentDetailList!
    .filter((d) => d.updatedAt!.getTime() >= CUTOFF_MS)
    .map((d) => d.documentId!)
    .sort();
}

function refusal(source: object): string {
  try {
    validateFixture(s3v2Fleet(source as never));
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureError);
    return (error as Error).message;
  }
  throw new Error("the fixture was accepted");
}

describe("S3V2 in the fixture", () => {
  it("loads the documented S3V2 configuration and GetDataSource returns it as is, without a syncMode", async () => {
    const qb = await start();
    const ds = await qb.send(new GetDataSourceCommand(at));
    expect(ds.type).toBe("S3V2");
    expect(ds.configuration).toEqual(s3v2Source().configuration);
    expect(ds.configuration).not.toHaveProperty("syncMode");
  });

  it("refuses a malformed S3V2 configuration, naming the JSON path", () => {
    const base = s3v2Source().configuration;
    expect(refusal({ configuration: { ...base, connectionConfiguration: { bucketName: BUCKET, bucketOwnerAccountId: "1234" } } })).toMatch(
      /dataSources\[0\]\.configuration\.connectionConfiguration\.bucketOwnerAccountId: expected the 12-digit account id/,
    );
    expect(refusal({ configuration: { type: "S3V2" } })).toMatch(/configuration\.connectionConfiguration: required object is missing/);
    expect(refusal({ configuration: { ...base, deletionProtectionConfiguration: { deletionProtectionThreshold: 150 } } })).toMatch(
      /configuration\.deletionProtectionConfiguration\.deletionProtectionThreshold/,
    );
    expect(refusal({ syncReingests: "everything" })).toMatch(/syncReingests: expected one of all, changed/);
  });
});

describe("what an S3V2 sync re-ingests", () => {
  it('"changed" (the default): only the document whose object changed since the last sync', async () => {
    const qb = await start();
    const job = await syncToEnd(qb);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.metrics).toMatchObject({ documentsAdded: "0", documentsModified: "1", documentsDeleted: "0", documentsScanned: "3" });
    expect(await freshKeys(qb)).toEqual([documentIdOf("contracts/pricing.xlsx")]);
  });

  it('"all": every document, changed or not', async () => {
    const qb = await start({ syncReingests: "all" });
    const job = await syncToEnd(qb);
    expect(job.metrics).toMatchObject({ documentsModified: "3" });
    expect(await freshKeys(qb)).toEqual(OBJECTS.map((o) => documentIdOf(o.key)).sort());
  });

  it("GetDocumentContent serves the re-ingested document and refuses the stale ones after a 'changed' sync", async () => {
    const qb = await start();
    await syncToEnd(qb);
    const fresh = await qb.send(new GetDocumentContentCommand({ ...at, documentId: documentIdOf("contracts/pricing.xlsx") }));
    expect(fresh.presignedUrl).toMatch(/^http/);
    const stale = await rejection(qb.send(new GetDocumentContentCommand({ ...at, documentId: documentIdOf("contracts/nda-2024.docx") })));
    expect(stale.message).toMatch(/requires a full connector sync performed after 07\/02\/2025/);
  });

  it("adds a document for a new object under the inclusion prefixes, and removes one whose object is gone when protection allows", async () => {
    const documents = s3v2Source().documents.concat([
      {
        documentId: documentIdOf("contracts/old.txt"),
        status: "INDEXED",
        createdAt: "2024-06-01T10:05:00Z",
        updatedAt: "2024-06-01T10:05:00Z",
        s3Key: "contracts/old.txt",
      },
    ]);
    const qb = await start({
      documents: documents.filter((d) => d.s3Key !== "contracts/nda-2024.docx"),
      configuration: { ...s3v2Source().configuration, deletionProtectionConfiguration: { enableDeletionProtection: false } },
    });
    const job = await syncToEnd(qb);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.metrics).toMatchObject({ documentsAdded: "1", documentsDeleted: "1" });
    const { documentDetailList } = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [SOURCE] }));
    expect(documentDetailList!.map((d) => d.documentId).sort()).toEqual(OBJECTS.map((o) => documentIdOf(o.key)).sort());
  });

  it("deletion protection: a sync that would delete more than the threshold FAILS with the reason and changes nothing", async () => {
    const gone = {
      documentId: documentIdOf("contracts/gone.txt"),
      status: "INDEXED" as const,
      createdAt: "2024-06-01T10:05:00Z",
      updatedAt: "2024-06-01T10:05:00Z",
      s3Key: "contracts/gone.txt",
    };
    const qb = await start({ documents: [...s3v2Source().documents, gone] });
    const job = await syncToEnd(qb);
    expect(job.status).toBe("FAILED");
    expect(job.error?.errorMessage).toMatch(/deletion protection: it would delete 1 of 4 documents \(25%\), more than the threshold of 15%/);
    expect(await freshKeys(qb)).toEqual([]);
    const { documentDetailList } = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [SOURCE] }));
    expect(documentDetailList).toHaveLength(4);
  });
});

describe("touching an object in place (CopyObject onto itself, REPLACE)", () => {
  it("gives the object a new LastModified, so the next 'changed' sync re-ingests its document", async () => {
    const { CopyObjectCommand, HeadObjectCommand } = await import("@aws-sdk/client-s3");
    const qb = await start();
    const { s3 } = env!.clients(ACCOUNT, REGION);
    const key = "contracts/nda-2024.docx";
    env!.aws.clock.advance(60_000);
    await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/${key}`, MetadataDirective: "REPLACE" }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.LastModified!.getTime()).toBeGreaterThan(Date.parse("2026-01-01T00:00:00Z"));
    const refused = await rejection(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: key, CopySource: `${BUCKET}/${key}` })));
    expect(refused.name).toBe("InvalidRequest");
    await syncToEnd(qb);
    expect(await freshKeys(qb)).toEqual([documentIdOf("contracts/nda-2024.docx"), documentIdOf("contracts/pricing.xlsx")].sort());
  });
});
