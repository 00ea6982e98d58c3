/**
 * The local Q Business through the unmodified SDK client over HTTP:
 * reads, pagination at the real limits, errors in the real shapes,
 * documents, GetDocumentContent and BatchPut/BatchDelete.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BatchDeleteDocumentCommand,
  BatchPutDocumentCommand,
  GetApplicationCommand,
  GetDataSourceCommand,
  GetDocumentContentCommand,
  GetIndexCommand,
  GetWebExperienceCommand,
  ListApplicationsCommand,
  ListDataSourcesCommand,
  ListDocumentsCommand,
  ListIndicesCommand,
  ListWebExperiencesCommand,
  UpdateDataSourceCommand,
  paginateListDataSources,
  paginateListDocuments,
  type QBusinessClient,
} from "@aws-sdk/client-qbusiness";
import type { Fixture, FixtureDataSource, FixtureDocument } from "../../app/local-aws/fixture-types";
import { FULL_SYNC_REQUIRED_MESSAGE } from "../../app/local-aws/qbusiness";
import { rejection } from "../helpers/sdk-errors";
import { account, application, fleet as fleetOf, index, numberedId as id } from "../audit/fleet-builder";
import { startTestAws } from "../helpers/local-aws";

const ACCOUNT = "111122223333";
const REGION = "us-east-1";
const NOW = "2026-11-26T12:00:00Z";

const APP = id("app", 1);
const ANON_APP = id("anon", 1);
const BIG_APP = id("big", 1);
const INDEX = id("idx", 1);
/** An index whose data sources show, in the fixture, a forced full sync and an incremental one after the cutoff. */
const SYNCED_INDEX = id("idx", 2);
const FORCED = id("ds", 11);
const INCREMENTAL = id("ds", 12);
const BIG_INDEX = id("bigidx", 1);
const HR = id("ds", 1);
const WEB = id("web", 1);
const WEB_ROLE = `arn:aws:iam::${ACCOUNT}:role/QBusinessWebRole`;

const HR_CONFIGURATION = {
  type: "S3",
  version: "1.0.0",
  syncMode: "FULL_CRAWL",
  connectionConfiguration: { repositoryEndpointMetadata: { BucketName: "acme-hr" } },
  repositoryConfigurations: { document: { fieldMappings: [] } },
  additionalProperties: { inclusionPrefixes: ["hr-data/"], maxFileSizeInMegaBytes: "50" },
};

function dataSource(dataSourceId: string, overrides: Partial<FixtureDataSource> = {}): FixtureDataSource {
  return {
    dataSourceId,
    displayName: `source-${dataSourceId.slice(0, 7)}`,
    type: "S3",
    status: "ACTIVE",
    createdAt: "2024-05-01T10:00:00Z",
    updatedAt: "2024-05-01T10:00:00Z",
    configuration: structuredClone(HR_CONFIGURATION),
    syncJobs: [],
    documents: [],
    ...overrides,
  };
}

function doc(documentId: string, updatedAt: string, s3Key?: string): FixtureDocument {
  return { documentId, status: "INDEXED", createdAt: "2024-05-02T10:00:00Z", updatedAt, ...(s3Key ? { s3Key } : {}) };
}

/** A fresh fleet per test: the emulator mutates its state in place. */
function fleet(): Fixture {
  const bigSources = Array.from({ length: 23 }, (_, n) => dataSource(id("bigds", n + 1)));
  bigSources[0].documents = Array.from({ length: 250 }, (_, n) => doc(`s3://acme-hr/bulk/file-${String(n).padStart(3, "0")}.txt`, "2025-08-01T00:00:00Z"));
  const hrIndex = index(
    "main",
    [
      dataSource(HR, {
        displayName: "hr-data",
        syncJobs: [
          {
            executionId: id("exec", 1),
            startTime: "2024-05-02T10:00:00Z",
            endTime: "2024-05-02T10:05:00Z",
            status: "SUCCEEDED",
            metrics: { documentsAdded: "2", documentsModified: "0", documentsDeleted: "0", documentsFailed: "0", documentsScanned: "2" },
          },
        ],
        documents: [
          doc("s3://acme-hr/hr-data/Employee+health+benefits+policy.docx", "2024-05-02T10:05:00Z", "hr-data/Employee health benefits policy.docx"),
          doc("s3://acme-hr/hr-data/handbook.pdf", "2024-05-02T10:05:00Z", "hr-data/handbook.pdf"),
        ],
      }),
    ],
    {
      indexId: INDEX,
      uploadedDocuments: [
        { documentId: "old-upload.pdf", status: "INDEXED", createdAt: "2025-01-10T00:00:00Z", updatedAt: "2025-01-10T00:00:00Z", contentType: "PDF" },
        { documentId: "new-upload.pdf", status: "INDEXED", createdAt: "2025-09-10T00:00:00Z", updatedAt: "2025-09-10T00:00:00Z", contentType: "PDF" },
      ],
    },
  );
  const syncedIndex = index(
    "synced",
    [FORCED, INCREMENTAL].map((dataSourceId) =>
      dataSource(dataSourceId, {
        configuration: { ...structuredClone(HR_CONFIGURATION), syncMode: dataSourceId === FORCED ? "FORCED_FULL_CRAWL" : "FULL_CRAWL" },
        syncJobs: [
          { executionId: id("exec", 1), startTime: "2024-05-02T10:00:00Z", endTime: "2024-05-02T10:05:00Z", status: "SUCCEEDED" },
          { executionId: id("exec", 2), startTime: "2025-08-01T10:00:00Z", endTime: "2025-08-01T10:05:00Z", status: "SUCCEEDED" },
        ],
        documents: [doc("s3://acme-hr/hr-data/handbook.pdf", "2025-08-01T10:05:00Z", "hr-data/handbook.pdf")],
      }),
    ),
    { indexId: SYNCED_INDEX },
  );
  const web = {
    webExperienceId: WEB,
    status: "ACTIVE" as const,
    createdAt: "2024-05-03T10:00:00Z",
    updatedAt: "2024-05-04T10:00:00Z",
    roleArn: WEB_ROLE,
    defaultEndpoint: "https://abcd1234.chat.qbusiness.us-east-1.on.aws/",
  };
  const publicIndex = index("public", [], {
    indexId: INDEX,
    type: "STARTER",
    createdAt: "2025-09-01T10:00:00Z",
    uploadedDocuments: [{ documentId: "faq.pdf", status: "INDEXED", createdAt: "2025-09-10T00:00:00Z", updatedAt: "2025-09-10T00:00:00Z" }],
  });
  const applications = [
    application("acme-assistant", [hrIndex, syncedIndex], [web], { applicationId: APP }),
    application("public-assistant", [publicIndex], [], { applicationId: ANON_APP, identityType: "ANONYMOUS", createdAt: "2025-09-01T10:00:00Z" }),
    application("big-assistant", [index("big", bigSources, { indexId: BIG_INDEX, createdAt: "2024-01-01T00:00:00Z" })], [], {
      applicationId: BIG_APP,
      identityType: "AWS_IAM_IDP_SAML",
      createdAt: "2024-01-01T00:00:00Z",
    }),
  ];
  const iam = { roles: [{ roleName: "QBusinessWebRole", assumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] } }] };
  const s3 = {
    buckets: {
      "acme-hr": {
        objects: {
          "hr-data/Employee health benefits policy.docx": { text: "benefits", lastModified: "2024-04-01T00:00:00Z" },
          "hr-data/handbook.pdf": { text: "handbook", lastModified: "2024-04-01T00:00:00Z" },
          "to-ingest/notes.txt": { text: "notes from S3", lastModified: "2026-11-01T00:00:00Z" },
        },
      },
    },
  };
  return fleetOf([account(ACCOUNT, { [REGION]: applications, "eu-west-1": [] }, { iam, s3 })], { clock: NOW });
}

let env: Awaited<ReturnType<typeof startTestAws>>;
let qb: QBusinessClient;

beforeEach(async () => {
  env = await startTestAws(fleet());
  qb = env.clients(ACCOUNT, REGION).qbusiness;
});

afterEach(async () => {
  await env.close();
});

/** The error an SDK call rejects with (fails the test if it resolves). */
describe("applications, indices, web experiences", () => {
  it("ListApplications lists the region's applications with identity type and timestamps", async () => {
    const out = await qb.send(new ListApplicationsCommand({}));
    expect(out.applications?.map((a) => [a.applicationId, a.identityType])).toEqual([
      [APP, "AWS_IAM_IDC"],
      [ANON_APP, "ANONYMOUS"],
      [BIG_APP, "AWS_IAM_IDP_SAML"],
    ]);
    expect(out.applications?.[0].createdAt).toEqual(new Date("2024-05-01T10:00:00Z"));
    expect(out.nextToken).toBeUndefined();
  });

  it("ListApplications in another region sees that region's state only", async () => {
    const out = await env.clients(ACCOUNT, "eu-west-1").qbusiness.send(new ListApplicationsCommand({}));
    expect(out.applications).toEqual([]);
  });

  it("ListApplications pages by maxResults with a nextToken", async () => {
    const first = await qb.send(new ListApplicationsCommand({ maxResults: 2 }));
    expect(first.applications).toHaveLength(2);
    const second = await qb.send(new ListApplicationsCommand({ maxResults: 2, nextToken: first.nextToken }));
    expect(second.applications?.map((a) => a.applicationId)).toEqual([BIG_APP]);
    expect(second.nextToken).toBeUndefined();
  });

  it("GetApplication returns the application ARN", async () => {
    const out = await qb.send(new GetApplicationCommand({ applicationId: APP }));
    expect(out.applicationArn).toBe(`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${APP}`);
    expect(out.identityType).toBe("AWS_IAM_IDC");
    expect(out.updatedAt).toEqual(new Date("2024-05-01T10:00:00Z"));
  });

  it("GetApplication of an unknown application is ResourceNotFoundException with resourceId and resourceType", async () => {
    const missing = id("nope", 9);
    const error = await rejection(qb.send(new GetApplicationCommand({ applicationId: missing })));
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.resourceId).toBe(missing);
    expect(error.resourceType).toBe("APPLICATION");
  });

  it("a malformed application id is a ValidationException naming the field", async () => {
    const error = await rejection(qb.send(new GetApplicationCommand({ applicationId: "too-short" })));
    expect(error.name).toBe("ValidationException");
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.reason).toBe("FIELD_VALIDATION_FAILED");
    expect(error.fields?.[0]?.name).toBe("applicationId");
  });

  it("ListIndices and GetIndex describe the index with its ARN and type", async () => {
    const list = await qb.send(new ListIndicesCommand({ applicationId: APP }));
    expect(list.indices?.map((i) => i.indexId)).toEqual([INDEX, SYNCED_INDEX]);
    const index = await qb.send(new GetIndexCommand({ applicationId: APP, indexId: INDEX }));
    expect(index.indexArn).toBe(`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${APP}/index/${INDEX}`);
    expect(index.type).toBe("ENTERPRISE");
    expect(index.indexStatistics?.textDocumentStatistics?.indexedTextDocumentCount).toBe(4);
  });

  it("GetIndex of an index of another application is ResourceNotFoundException", async () => {
    const error = await rejection(qb.send(new GetIndexCommand({ applicationId: BIG_APP, indexId: INDEX })));
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.resourceType).toBe("INDEX");
  });

  it("ListWebExperiences and GetWebExperience return the role and the web experience ARN", async () => {
    const list = await qb.send(new ListWebExperiencesCommand({ applicationId: APP }));
    expect(list.webExperiences).toEqual([
      {
        webExperienceId: WEB,
        status: "ACTIVE",
        createdAt: new Date("2024-05-03T10:00:00Z"),
        updatedAt: new Date("2024-05-04T10:00:00Z"),
        defaultEndpoint: "https://abcd1234.chat.qbusiness.us-east-1.on.aws/",
      },
    ]);
    const we = await qb.send(new GetWebExperienceCommand({ applicationId: APP, webExperienceId: WEB }));
    expect(we.roleArn).toBe(WEB_ROLE);
    expect(we.webExperienceArn).toBe(`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${APP}/web-experience/${WEB}`);
    expect(we.authenticationConfiguration).toBeUndefined();
  });

  it("a path the model does not define is UnknownOperationException", async () => {
    const client = env.clients(ACCOUNT, REGION, { maxAttempts: 1 }).qbusiness;
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { path: string }).path = `/applications/${APP}/no-such-thing`;
        return next(args);
      },
      { step: "build" },
    );
    const error = await rejection(client.send(new GetApplicationCommand({ applicationId: APP })));
    expect(error.name).toBe("UnknownOperationException");
  });
});

describe("data sources", () => {
  it("ListDataSources serves 23 data sources in pages of 10, 10 and 3", async () => {
    const sizes: number[] = [];
    const ids: string[] = [];
    for await (const page of paginateListDataSources({ client: qb }, { applicationId: BIG_APP, indexId: BIG_INDEX })) {
      sizes.push(page.dataSources?.length ?? 0);
      ids.push(...(page.dataSources ?? []).map((d) => d.dataSourceId!));
    }
    expect(sizes).toEqual([10, 10, 3]);
    expect(new Set(ids).size).toBe(23);
  });

  it("ListDataSources with maxResults 11 is a ValidationException", async () => {
    const error = await rejection(qb.send(new ListDataSourcesCommand({ applicationId: BIG_APP, indexId: BIG_INDEX, maxResults: 11 })));
    expect(error.name).toBe("ValidationException");
    expect(error.reason).toBe("FIELD_VALIDATION_FAILED");
    expect(error.fields?.[0]?.name).toBe("maxResults");
  });

  it("a tampered nextToken is a ValidationException", async () => {
    const first = await qb.send(new ListDataSourcesCommand({ applicationId: BIG_APP, indexId: BIG_INDEX }));
    const tampered = `x${first.nextToken!.slice(1)}`;
    const error = await rejection(qb.send(new ListDataSourcesCommand({ applicationId: BIG_APP, indexId: BIG_INDEX, nextToken: tampered })));
    expect(error.name).toBe("ValidationException");
  });

  it("a nextToken from another list is a ValidationException", async () => {
    const docs = await qb.send(new ListDocumentsCommand({ applicationId: BIG_APP, indexId: BIG_INDEX }));
    const error = await rejection(qb.send(new ListDataSourcesCommand({ applicationId: BIG_APP, indexId: BIG_INDEX, nextToken: docs.nextToken })));
    expect(error.name).toBe("ValidationException");
  });

  it("ListDataSources summaries carry type, status and timestamps", async () => {
    const out = await qb.send(new ListDataSourcesCommand({ applicationId: APP, indexId: INDEX }));
    expect(out.dataSources).toEqual([
      {
        displayName: "hr-data",
        dataSourceId: HR,
        type: "S3",
        status: "ACTIVE",
        createdAt: new Date("2024-05-01T10:00:00Z"),
        updatedAt: new Date("2024-05-01T10:00:00Z"),
      },
    ]);
  });

  it("GetDataSource returns the configuration document as the fixture holds it and the data source ARN", async () => {
    const out = await qb.send(new GetDataSourceCommand({ applicationId: APP, indexId: INDEX, dataSourceId: HR }));
    expect(out.configuration).toEqual(HR_CONFIGURATION);
    expect(out.dataSourceArn).toBe(`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${APP}/index/${INDEX}/data-source/${HR}`);
  });

  it("GetDataSource of an unknown data source is ResourceNotFoundException naming it", async () => {
    const missing = id("ds", 99);
    const error = await rejection(qb.send(new GetDataSourceCommand({ applicationId: APP, indexId: INDEX, dataSourceId: missing })));
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.resourceId).toBe(missing);
    expect(error.resourceType).toBe("DATA_SOURCE");
  });

  it("UpdateDataSource round-trips the configuration exactly and moves updatedAt to now", async () => {
    const configuration = {
      ...structuredClone(HR_CONFIGURATION),
      syncMode: "FORCED_FULL_CRAWL",
      nested: { list: [1, "two", { three: null }], flag: false, unicode: "é✓" },
    };
    const mediaExtractionConfiguration = { imageExtractionConfiguration: { imageExtractionStatus: "ENABLED" as const } };
    await qb.send(
      new UpdateDataSourceCommand({
        applicationId: APP,
        indexId: INDEX,
        dataSourceId: HR,
        configuration,
        description: "now full",
        mediaExtractionConfiguration,
      }),
    );
    const out = await qb.send(new GetDataSourceCommand({ applicationId: APP, indexId: INDEX, dataSourceId: HR }));
    expect(out.configuration).toEqual(configuration);
    expect(out.description).toBe("now full");
    expect(out.mediaExtractionConfiguration).toEqual(mediaExtractionConfiguration);
    expect(out.displayName).toBe("hr-data");
    expect(Math.abs(out.updatedAt!.getTime() - env.aws.clock.now().getTime())).toBeLessThan(5_000);
  });
});

describe("documents", () => {
  it("ListDocuments serves 250 documents in pages of 100, 100 and 50", async () => {
    const sizes: number[] = [];
    for await (const page of paginateListDocuments({ client: qb }, { applicationId: BIG_APP, indexId: BIG_INDEX })) {
      sizes.push(page.documentDetailList?.length ?? 0);
    }
    expect(sizes).toEqual([100, 100, 50]);
  });

  it("ListDocuments filtered by a data source lists only its documents", async () => {
    const out = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [HR] }));
    expect(out.documentDetailList?.map((d) => d.documentId)).toEqual([
      "s3://acme-hr/hr-data/Employee+health+benefits+policy.docx",
      "s3://acme-hr/hr-data/handbook.pdf",
    ]);
    expect(out.documentDetailList?.[0].updatedAt).toEqual(new Date("2024-05-02T10:05:00Z"));
  });

  it("ListDocuments filtered by the uploaded-files id lists the uploaded documents", async () => {
    const out = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: ["uploaded-docs-file-stat-datasourceid"] }));
    expect(out.documentDetailList?.map((d) => d.documentId)).toEqual(["old-upload.pdf", "new-upload.pdf"]);
  });

  it("ListDocuments without a filter lists every document of the index", async () => {
    const out = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX }));
    expect(out.documentDetailList).toHaveLength(4);
  });

  it("ListDocuments with two data source ids is a ValidationException", async () => {
    const error = await rejection(qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [HR, id("ds", 2)] })));
    expect(error.name).toBe("ValidationException");
  });

  it("ListDocuments filtered by an unknown data source is ResourceNotFoundException", async () => {
    const error = await rejection(qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: [id("ds", 42)] })));
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.resourceId).toBe(id("ds", 42));
  });

  it("GetDocumentContent refuses a document not re-synced since the cutoff with the full-sync message", async () => {
    const error = await rejection(
      qb.send(
        new GetDocumentContentCommand({
          applicationId: APP,
          indexId: INDEX,
          dataSourceId: HR,
          documentId: "s3://acme-hr/hr-data/Employee+health+benefits+policy.docx",
        }),
      ),
    );
    expect(error.name).toBe("ValidationException");
    expect(error.message).toBe(FULL_SYNC_REQUIRED_MESSAGE);
    expect(error.message).toContain("requires a full connector sync performed after 07/02/2025");
  });

  it("GetDocumentContent refuses an upload from before the cutoff with the same message", async () => {
    const error = await rejection(
      qb.send(
        new GetDocumentContentCommand({
          applicationId: APP,
          indexId: INDEX,
          documentId: "old-upload.pdf",
          dataSourceId: "uploaded-docs-file-stat-datasourceid",
        }),
      ),
    );
    expect(error.message).toBe(FULL_SYNC_REQUIRED_MESSAGE);
  });

  it("GetDocumentContent returns a pre-signed URL the emulator serves for an upload after the cutoff", async () => {
    const out = await qb.send(
      new GetDocumentContentCommand({ applicationId: APP, indexId: INDEX, documentId: "new-upload.pdf", dataSourceId: "uploaded-docs-file-stat-datasourceid" }),
    );
    expect(out.mimeType).toBe("application/pdf");
    expect(out.presignedUrl).toMatch(/X-Amz-Signature=/);
    const response = await fetch(out.presignedUrl!);
    expect(response.status).toBe(200);
  });

  it("GetDocumentContent serves a document of a source the fixture shows force-synced after the cutoff", async () => {
    const out = await qb.send(
      new GetDocumentContentCommand({
        applicationId: APP,
        indexId: SYNCED_INDEX,
        dataSourceId: FORCED,
        documentId: "s3://acme-hr/hr-data/handbook.pdf",
      }),
    );
    expect(out.mimeType).toBe("application/pdf");
    expect(await (await fetch(out.presignedUrl!)).text()).toBe("handbook");
  });

  it("GetDocumentContent refuses a document whose only sync after the cutoff was provably incremental", async () => {
    const error = await rejection(
      qb.send(
        new GetDocumentContentCommand({
          applicationId: APP,
          indexId: SYNCED_INDEX,
          dataSourceId: INCREMENTAL,
          documentId: "s3://acme-hr/hr-data/handbook.pdf",
        }),
      ),
    );
    expect(error.message).toBe(FULL_SYNC_REQUIRED_MESSAGE);
  });

  it("GetDocumentContent of an anonymous application is AccessDeniedException", async () => {
    const error = await rejection(qb.send(new GetDocumentContentCommand({ applicationId: ANON_APP, indexId: INDEX, documentId: "faq.pdf" })));
    expect(error.name).toBe("AccessDeniedException");
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it("GetDocumentContent of an unknown document is ResourceNotFoundException", async () => {
    const error = await rejection(qb.send(new GetDocumentContentCommand({ applicationId: APP, indexId: INDEX, documentId: "no/such/doc.pdf" })));
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.resourceId).toBe("no/such/doc.pdf");
  });

  it("BatchPutDocument stores the document: ListDocuments shows updatedAt = now and its content downloads", async () => {
    const now = env.aws.clock.now();
    const put = await qb.send(
      new BatchPutDocumentCommand({
        applicationId: APP,
        indexId: INDEX,
        documents: [{ id: "old-upload.pdf", contentType: "PLAIN_TEXT", content: { blob: new TextEncoder().encode("uploaded again") } }],
      }),
    );
    expect(put.failedDocuments).toEqual([]);
    const listed = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX, dataSourceIds: ["uploaded-docs-file-stat-datasourceid"] }));
    const reuploaded = listed.documentDetailList?.find((d) => d.documentId === "old-upload.pdf");
    expect(reuploaded?.status).toBe("INDEXED");
    expect(Math.abs(reuploaded!.updatedAt!.getTime() - now.getTime())).toBeLessThan(5_000);
    expect(reuploaded?.createdAt).toEqual(new Date("2025-01-10T00:00:00Z"));

    const content = await qb.send(new GetDocumentContentCommand({ applicationId: APP, indexId: INDEX, documentId: "old-upload.pdf" }));
    expect(content.mimeType).toBe("text/plain");
    expect(await (await fetch(content.presignedUrl!)).text()).toBe("uploaded again");
  });

  it("BatchPutDocument takes content from S3 and adds a new document", async () => {
    const put = await qb.send(
      new BatchPutDocumentCommand({
        applicationId: APP,
        indexId: INDEX,
        documents: [{ id: "notes.txt", content: { s3: { bucket: "acme-hr", key: "to-ingest/notes.txt" } } }],
      }),
    );
    expect(put.failedDocuments).toEqual([]);
    const content = await qb.send(new GetDocumentContentCommand({ applicationId: APP, indexId: INDEX, documentId: "notes.txt" }));
    expect(await (await fetch(content.presignedUrl!)).text()).toBe("notes from S3");
  });

  it("BatchPutDocument reports bad documents in failedDocuments and accepts the rest", async () => {
    const put = await qb.send(
      new BatchPutDocumentCommand({
        applicationId: APP,
        indexId: INDEX,
        documents: [
          { id: "no-content.txt" },
          { id: "missing-object.txt", content: { s3: { bucket: "acme-hr", key: "nope.txt" } } },
          { id: "good.txt", content: { blob: new TextEncoder().encode("ok") } },
        ],
      }),
    );
    expect(put.failedDocuments?.map((f) => [f.id?.slice(0, 20), f.error?.errorCode])).toEqual([
      ["no-content.txt", "InvalidRequest"],
      ["missing-object.txt", "ResourceNotFound"],
    ]);
    const listed = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX }));
    const ids = listed.documentDetailList?.map((d) => d.documentId);
    expect(ids).toContain("good.txt");
    expect(ids).not.toContain("no-content.txt");
  });

  it("BatchPutDocument refuses a document over 50 MB in failedDocuments", async () => {
    const put = await qb.send(
      new BatchPutDocumentCommand({
        applicationId: APP,
        indexId: INDEX,
        documents: [{ id: "huge.bin", content: { blob: new Uint8Array(50 * 1024 * 1024 + 1) } }],
      }),
    );
    expect(put.failedDocuments?.[0]?.id).toBe("huge.bin");
    expect(put.failedDocuments?.[0]?.error?.errorMessage).toMatch(/50 MB/);
  }, 30_000);

  it("BatchPutDocument with 11 documents is a ValidationException", async () => {
    const documents = Array.from({ length: 11 }, (_, n) => ({ id: `d${n}`, content: { blob: new Uint8Array([n]) } }));
    const error = await rejection(qb.send(new BatchPutDocumentCommand({ applicationId: APP, indexId: INDEX, documents })));
    expect(error.name).toBe("ValidationException");
  });

  it("BatchDeleteDocument removes documents and reports unknown ones", async () => {
    const out = await qb.send(
      new BatchDeleteDocumentCommand({
        applicationId: APP,
        indexId: INDEX,
        documents: [{ documentId: "old-upload.pdf" }, { documentId: "never-there.pdf" }],
      }),
    );
    expect(out.failedDocuments?.map((f) => f.id)).toEqual(["never-there.pdf"]);
    const listed = await qb.send(new ListDocumentsCommand({ applicationId: APP, indexId: INDEX }));
    expect(listed.documentDetailList?.map((d) => d.documentId)).not.toContain("old-upload.pdf");
  });
});
