/**
 * Documents of the local Q Business: ListDocuments, GetDocumentContent,
 * BatchPutDocument, BatchDeleteDocument.
 */
import {
  UPLOADED_DOCS_DATA_SOURCE_ID,
  type FixtureAccount,
  type FixtureApplication,
  type FixtureDataSource,
  type FixtureDocument,
  type FixtureIndex,
  type FixtureUploadedDocument,
} from "./fixture-types";
import { AwsError, type Emulator } from "./types";
import { bucketOf, hasFullSyncSince, settleDataSource } from "./qbusiness-sync";
import { ROLE_ARN_PATTERN, cannotParse, checkString, epochSeconds, fieldError, notFound, requireDocumentId, requireResourceId } from "./qbusiness-wire";

/** The instant after which a full sync must have run (aws-facts.md: "performed after 07/02/2025"). */
// The emulator keeps its own copy of the cutoff and error text on purpose: it plays AWS (the product's are in app/aws/vocabulary.ts).
export const RAW_DOWNLOAD_CUTOFF = "2025-07-03T00:00:00Z";
const RAW_DOWNLOAD_CUTOFF_MS = Date.parse(RAW_DOWNLOAD_CUTOFF);

/** The message end users see when the raw download feature has not been enabled by a full sync. */
export const FULL_SYNC_REQUIRED_MESSAGE =
  "This document cannot be downloaded because the raw document download feature requires a full connector sync performed after 07/02/2025. Your admin has not yet completed this full sync. Please contact your admin to request a complete sync of the data source.";

/** BatchPutDocument's per-document size limit (50 MB). */
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
/** BatchPutDocument takes 1..10 documents (model: Documents). */
const MAX_DOCUMENTS_PER_BATCH = 10;

/** Either an S3 data source's document or an uploaded/BatchPut one, with where it lives. */
type Located = { kind: "dataSource"; dataSource: FixtureDataSource; document: FixtureDocument } | { kind: "uploaded"; document: FixtureUploadedDocument };

/**
 * Where the emulator keeps the bytes of documents sent through
 * BatchPutDocument (and of console uploads): a bucket of the account's
 * emulated S3, as the real service keeps them in storage of its own, so the
 * pre-signed URL GetDocumentContent returns is served by the emulator's S3.
 */
export const UPLOADED_CONTENT_BUCKET = "qbusiness-local-uploaded-documents";

function uploadedContentKey(app: FixtureApplication, index: FixtureIndex, documentId: string): string {
  return `${app.applicationId}/${index.indexId}/${documentId}`;
}

function storeUploadedContent(account: FixtureAccount, key: string, bytes: Buffer, now: string): void {
  account.s3 ??= { buckets: {} };
  account.s3.buckets[UPLOADED_CONTENT_BUCKET] ??= { objects: {} };
  account.s3.buckets[UPLOADED_CONTENT_BUCKET].objects[key] = { base64: bytes.toString("base64"), lastModified: now };
}

/** What GetDocumentContent hands out: an object of the account's emulated S3 to pre-sign, and its type. */
export interface DocumentContentLink {
  bucket: string;
  key: string;
  mimeType: string;
}

function documentDetails(doc: FixtureDocument | FixtureUploadedDocument) {
  return {
    documentId: doc.documentId,
    status: doc.status,
    createdAt: epochSeconds(doc.createdAt),
    updatedAt: epochSeconds(doc.updatedAt),
  };
}

/** ListDocuments' `dataSourceIds` filter against the model: at most one id, of the DataSourceId format. */
export function checkDataSourceIdsFilter(dataSourceIds: string[]): void {
  if (dataSourceIds.length > 1) {
    throw fieldError("dataSourceIds", `[${dataSourceIds.join(", ")}]`, "Member must have length less than or equal to 1");
  }
  for (const id of dataSourceIds) requireResourceId("dataSourceIds", id);
}

/**
 * The documents ListDocuments walks: one data source's (the `dataSourceIds`
 * filter, which takes exactly one id; the console's uploaded-files id selects
 * uploaded documents), or, without the filter, every document of the index.
 */
export function documentsToList(emu: Emulator, index: FixtureIndex, dataSourceIds: string[]): ReturnType<typeof documentDetails>[] {
  checkDataSourceIdsFilter(dataSourceIds);
  for (const ds of index.dataSources) settleDataSource(emu, ds);
  const uploaded = (index.uploadedDocuments ?? []).map(documentDetails);
  if (dataSourceIds.length === 0) {
    return [...index.dataSources.flatMap((ds) => ds.documents.map(documentDetails)), ...uploaded];
  }
  const id = requireResourceId("dataSourceIds", dataSourceIds[0]);
  if (id === UPLOADED_DOCS_DATA_SOURCE_ID) return uploaded;
  const ds = index.dataSources.find((d) => d.dataSourceId === id);
  if (!ds) throw notFound("DATA_SOURCE", id);
  return ds.documents.map(documentDetails);
}

function locateDocument(index: FixtureIndex, documentId: string, dataSourceId: string | null): Located | undefined {
  const uploaded = () => {
    const document = index.uploadedDocuments?.find((d) => d.documentId === documentId);
    return document ? ({ kind: "uploaded", document } as const) : undefined;
  };
  const inSource = (dataSource: FixtureDataSource) => {
    const document = dataSource.documents.find((d) => d.documentId === documentId);
    return document ? ({ kind: "dataSource", dataSource, document } as const) : undefined;
  };
  if (dataSourceId === UPLOADED_DOCS_DATA_SOURCE_ID) return uploaded();
  if (dataSourceId !== null) {
    const ds = index.dataSources.find((d) => d.dataSourceId === dataSourceId);
    if (!ds) throw notFound("DATA_SOURCE", dataSourceId);
    return inSource(ds);
  }
  // No dataSourceId: BatchPut documents carry none; be lenient and also look in the data sources.
  return uploaded() ?? index.dataSources.map(inSource).find((found) => found !== undefined);
}

const MIME_BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  html: "text/html",
  htm: "text/html",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  json: "application/json",
  xml: "application/xml",
  rtf: "application/rtf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

const MIME_BY_CONTENT_TYPE: Record<string, string> = {
  PDF: "application/pdf",
  HTML: "text/html",
  MS_WORD: MIME_BY_EXTENSION.docx,
  PLAIN_TEXT: "text/plain",
  PPT: MIME_BY_EXTENSION.pptx,
  RTF: "application/rtf",
  XML: "application/xml",
  XSLT: "application/xslt+xml",
  MS_EXCEL: MIME_BY_EXTENSION.xlsx,
  CSV: "text/csv",
  JSON: "application/json",
  MD: "text/markdown",
};

function mimeTypeOf(name: string, contentType?: string): string {
  if (contentType && MIME_BY_CONTENT_TYPE[contentType]) return MIME_BY_CONTENT_TYPE[contentType];
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return (extension && MIME_BY_EXTENSION[extension]) || "application/octet-stream";
}

/** The object key of an S3 data source's document: its s3Key, else read from an `s3://bucket/key` id. */
function s3KeyOf(doc: FixtureDocument, bucket: string): string | undefined {
  if (doc.s3Key) return doc.s3Key;
  const prefix = `s3://${bucket}/`;
  if (!doc.documentId.startsWith(prefix)) return undefined;
  return decodeURIComponent(doc.documentId.slice(prefix.length).replace(/\+/g, " "));
}

/** GetDocumentContent's documentId and query (dataSourceId, outputFormat) against the model. */
export function checkDocumentContentInput(documentId: string, query: URLSearchParams): { dataSourceId: string | null; outputFormat: "RAW" | "EXTRACTED" } {
  requireDocumentId("documentId", documentId);
  const dataSourceId = query.get("dataSourceId");
  if (dataSourceId !== null) requireResourceId("dataSourceId", dataSourceId);
  const outputFormat = query.get("outputFormat") ?? "RAW";
  if (outputFormat !== "RAW" && outputFormat !== "EXTRACTED") {
    throw fieldError("outputFormat", outputFormat, "Member must satisfy enum value set: [RAW, EXTRACTED]");
  }
  return { dataSourceId, outputFormat };
}

/**
 * GetDocumentContent as the service answers it for the fleet's state: the
 * object to pre-sign, or the error an end user would see.
 *
 * Not checked here: the web experience role's permission. The real check runs
 * when an end user's identity-aware session (assumed through the web
 * experience role) calls; here the caller is the admin's SDK, so the role is
 * the audit's and IAM SimulatePrincipalPolicy's business.
 */
export function documentContent(
  emu: Emulator,
  where: { account: FixtureAccount; app: FixtureApplication; index: FixtureIndex },
  documentId: string,
  query: URLSearchParams,
): DocumentContentLink {
  const { account, app, index } = where;
  const { dataSourceId, outputFormat } = checkDocumentContentInput(documentId, query);
  // Anonymous applications have no user identity to check ACLs against, so the
  // service refuses as it refuses any caller without an identity-aware session.
  // (AWS_QUICKSIGHT_IDP is undocumented for this feature; the emulator serves it.)
  if (app.identityType === "ANONYMOUS") {
    throw new AwsError("AccessDeniedException", "User is not authorized for this service call.", 403);
  }
  for (const ds of index.dataSources) settleDataSource(emu, ds);
  const found = locateDocument(index, documentId, dataSourceId);
  if (!found) throw notFound("DOCUMENT", documentId);

  // The model allows ValidationException or AccessDeniedException here; the
  // request is well formed and permitted, the document is just not eligible
  // yet, so ValidationException (which of the two AWS sends is unverified).
  const refuse = () => new AwsError("ValidationException", FULL_SYNC_REQUIRED_MESSAGE, 400, { reason: "FIELD_VALIDATION_FAILED" });
  if (Date.parse(found.document.updatedAt) < RAW_DOWNLOAD_CUTOFF_MS) throw refuse();
  if (found.kind === "dataSource" && !hasFullSyncSince(found.dataSource, RAW_DOWNLOAD_CUTOFF_MS)) throw refuse();

  const extracted = outputFormat === "EXTRACTED";
  if (found.kind === "dataSource") {
    const bucket = bucketOf(found.dataSource);
    const key = bucket ? s3KeyOf(found.document, bucket) : undefined;
    if (bucket && key) return { bucket, key, mimeType: extracted ? "text/plain" : mimeTypeOf(key) };
  }
  const key = uploadedContentKey(app, index, documentId);
  const objects = account.s3?.buckets[UPLOADED_CONTENT_BUCKET]?.objects;
  if (!objects?.[key]) {
    // A fixture's uploads come without their bytes: serve a stand-in so the link opens.
    storeUploadedContent(account, key, Buffer.from(`Uploaded document ${documentId} (its content is not in the fixture).\n`), found.document.createdAt);
  }
  const contentType = found.kind === "uploaded" ? found.document.contentType : undefined;
  return { bucket: UPLOADED_CONTENT_BUCKET, key, mimeType: extracted ? "text/plain" : mimeTypeOf(documentId, contentType) };
}

interface FailedDocument {
  id: string;
  error: { errorCode: string; errorMessage: string };
  dataSourceId?: string;
}

/** The data source whose running sync job `dataSourceSyncId` names (custom-connector style BatchPut). */
function dataSourceOfSync(index: FixtureIndex, executionId: unknown): FixtureDataSource | undefined {
  if (executionId === undefined) return undefined;
  if (typeof executionId !== "string") throw cannotParse("dataSourceSyncId must be a string");
  requireResourceId("dataSourceSyncId", executionId);
  const ds = index.dataSources.find((d) =>
    d.syncJobs.some((j) => j.executionId === executionId && (j.status === "SYNCING" || j.status === "SYNCING_INDEXING")),
  );
  if (!ds) throw notFound("DATA_SOURCE_SYNC_JOB", executionId, `No running sync job with execution ID ${executionId} in this index.`);
  return ds;
}

function documentList(body: Record<string, unknown>): Record<string, unknown>[] {
  const documents = body["documents"];
  if (!Array.isArray(documents)) throw fieldError("documents", documents, "Member must not be null");
  if (!documents.every((d) => d !== null && typeof d === "object" && !Array.isArray(d))) {
    throw cannotParse("documents must be a list of objects");
  }
  return documents as Record<string, unknown>[];
}

/** The model's ContentType enum (Document.contentType). */
const CONTENT_TYPES = ["PDF", "HTML", "MS_WORD", "PLAIN_TEXT", "PPT", "RTF", "XML", "XSLT", "MS_EXCEL", "CSV", "JSON", "MD"] as const;
/** S3BucketName (model): 3..63 characters of this pattern. */
const S3_BUCKET_PATTERN = /^[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9]$/;

/**
 * The model's constraints on one BatchPutDocument Document (the Nth, 1-based,
 * named `documents.N.member.*` as AWS's validators name list members). Any
 * breach refuses the whole request with a ValidationException, before a
 * document is stored, as request validation does; failedDocuments is for
 * documents that are well formed but cannot be ingested.
 */
function checkDocumentInput(input: Record<string, unknown>, n: number): void {
  const at = (member: string) => `documents.${n}.member.${member}`;
  requireDocumentId(at("id"), input["id"]);
  checkString(at("contentType"), input["contentType"], { enum: CONTENT_TYPES });
  checkString(at("title"), input["title"], { min: 1, max: 1024 });
  const attributes = input["attributes"];
  if (attributes !== undefined) {
    if (!Array.isArray(attributes)) throw cannotParse(`${at("attributes")} must be a list.`);
    if (attributes.length < 1 || attributes.length > 500) {
      throw fieldError(at("attributes"), `list of ${attributes.length}`, "Member must have length between 1 and 500");
    }
  }
  const content = input["content"];
  if (content === undefined) return;
  if (content === null || typeof content !== "object" || Array.isArray(content)) throw cannotParse(`${at("content")} must be an object.`);
  const c = content as Record<string, unknown>;
  // DocumentContent is a union: exactly one of blob and s3.
  if (c["blob"] !== undefined && c["s3"] !== undefined) {
    throw fieldError(at("content"), "blob, s3", "Member must have exactly one member set");
  }
  if (c["s3"] !== undefined) {
    if (c["s3"] === null || typeof c["s3"] !== "object") throw cannotParse(`${at("content.s3")} must be an object.`);
    const s3 = c["s3"] as Record<string, unknown>;
    checkString(at("content.s3.bucket"), s3["bucket"], { required: true, min: 1, max: 63, pattern: S3_BUCKET_PATTERN });
    checkString(at("content.s3.key"), s3["key"], { required: true, min: 1, max: 1024 });
  }
}

/**
 * BatchPutDocument's body against the model (1..10 documents, each Document's
 * constraints, roleArn, dataSourceSyncId's format): request validation, run
 * before any resource is looked up. Returns the documents.
 */
export function checkBatchPutInput(body: Record<string, unknown>): Record<string, unknown>[] {
  const documents = documentList(body);
  if (documents.length < 1 || documents.length > MAX_DOCUMENTS_PER_BATCH) {
    throw fieldError("documents", `list of ${documents.length}`, `Member must have length between 1 and ${MAX_DOCUMENTS_PER_BATCH}`);
  }
  documents.forEach((input, i) => checkDocumentInput(input, i + 1));
  checkString("roleArn", body["roleArn"], { max: 1284, pattern: ROLE_ARN_PATTERN });
  checkSyncId(body["dataSourceSyncId"]);
  return documents;
}

/** BatchDeleteDocument's body against the model (each documentId, dataSourceSyncId's format). Returns the document ids. */
export function checkBatchDeleteInput(body: Record<string, unknown>): string[] {
  const ids = documentList(body).map((input, i) => requireDocumentId(`documents.${i + 1}.member.documentId`, input["documentId"]));
  checkSyncId(body["dataSourceSyncId"]);
  return ids;
}

function checkSyncId(executionId: unknown): void {
  if (executionId === undefined) return;
  if (typeof executionId !== "string") throw cannotParse("dataSourceSyncId must be a string");
  requireResourceId("dataSourceSyncId", executionId);
}

/**
 * BatchPutDocument: documents go to the data source whose running sync
 * `dataSourceSyncId` names, or else to the index's uploaded documents.
 * Each is INDEXED at once with updatedAt = now; bad ones come back in
 * failedDocuments, as the service reports them, while the rest are accepted.
 */
export function batchPutDocuments(
  emu: Emulator,
  account: FixtureAccount,
  app: FixtureApplication,
  index: FixtureIndex,
  body: Record<string, unknown>,
): { failedDocuments: FailedDocument[] } {
  const documents = checkBatchPutInput(body);
  const target = dataSourceOfSync(index, body["dataSourceSyncId"]);
  const now = emu.clock.now().toISOString();
  const failedDocuments: FailedDocument[] = [];
  for (const input of documents) {
    const id = input["id"] as string;
    const fail = (errorCode: string, errorMessage: string) =>
      failedDocuments.push({
        id,
        error: { errorCode, errorMessage },
        ...(target ? { dataSourceId: target.dataSourceId } : {}),
      });
    const content = readContent(account, input["content"]);
    if ("error" in content) {
      fail(content.error.errorCode, content.error.errorMessage);
      continue;
    }
    const contentType = typeof input["contentType"] === "string" ? input["contentType"] : undefined;
    upsertDocument(index, target, id, now, contentType);
    storeUploadedContent(account, uploadedContentKey(app, index, id), content.bytes, now);
  }
  return { failedDocuments };
}

function readContent(account: FixtureAccount, content: unknown): { bytes: Buffer } | { error: { errorCode: string; errorMessage: string } } {
  const c = (content ?? {}) as Record<string, unknown>;
  let bytes: Buffer;
  if (typeof c["blob"] === "string") {
    bytes = Buffer.from(c["blob"], "base64");
  } else if (c["s3"] && typeof c["s3"] === "object") {
    const { bucket, key } = c["s3"] as Record<string, unknown>;
    const object = typeof bucket === "string" && typeof key === "string" ? account.s3?.buckets[bucket]?.objects[key] : undefined;
    if (!object) {
      return { error: { errorCode: "ResourceNotFound", errorMessage: `The S3 object s3://${String(bucket)}/${String(key)} does not exist.` } };
    }
    bytes = object.base64 !== undefined ? Buffer.from(object.base64, "base64") : Buffer.from(object.text ?? "", "utf8");
  } else {
    return { error: { errorCode: "InvalidRequest", errorMessage: "The document has no content: give content.blob or content.s3." } };
  }
  if (bytes.length > MAX_DOCUMENT_BYTES) {
    return {
      error: {
        errorCode: "InvalidRequest",
        errorMessage: `The document is ${bytes.length} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes (50 MB).`,
      },
    };
  }
  return { bytes };
}

function upsertDocument(
  index: FixtureIndex,
  target: FixtureDataSource | undefined,
  documentId: string,
  now: string,
  contentType: string | undefined,
): FixtureDocument | FixtureUploadedDocument {
  if (target) {
    const existing = target.documents.find((d) => d.documentId === documentId);
    if (existing) {
      Object.assign(existing, { updatedAt: now, status: "INDEXED" });
      return existing;
    }
    const doc: FixtureDocument = { documentId, status: "INDEXED", createdAt: now, updatedAt: now };
    target.documents.push(doc);
    return doc;
  }
  index.uploadedDocuments ??= [];
  const existing = index.uploadedDocuments.find((d) => d.documentId === documentId);
  if (existing) {
    Object.assign(existing, { updatedAt: now, status: "INDEXED" });
    if (contentType) existing.contentType = contentType;
    return existing;
  }
  const doc: FixtureUploadedDocument = {
    documentId,
    status: "INDEXED",
    createdAt: now,
    updatedAt: now,
    ...(contentType ? { contentType } : {}),
  };
  index.uploadedDocuments.push(doc);
  return doc;
}

/**
 * BatchDeleteDocument: removes the documents from the data source of the
 * running sync `dataSourceSyncId` names, or else from the index (uploaded
 * documents first, then any data source). Unknown ids come back in failedDocuments.
 */
export function batchDeleteDocuments(index: FixtureIndex, body: Record<string, unknown>): { failedDocuments: FailedDocument[] } {
  const ids = checkBatchDeleteInput(body);
  const target = dataSourceOfSync(index, body["dataSourceSyncId"]);
  const failedDocuments: FailedDocument[] = [];
  for (const id of ids) {
    const removed = target
      ? removeFrom(target.documents, id)
      : removeFrom(index.uploadedDocuments ?? [], id) || index.dataSources.some((ds) => removeFrom(ds.documents, id));
    if (!removed) {
      failedDocuments.push({
        id,
        error: { errorCode: "ResourceNotFound", errorMessage: `The document ${id} does not exist in this index.` },
        ...(target ? { dataSourceId: target.dataSourceId } : {}),
      });
    }
  }
  return { failedDocuments };
}

function removeFrom(docs: { documentId: string }[], documentId: string): boolean {
  const at = docs.findIndex((d) => d.documentId === documentId);
  if (at < 0) return false;
  docs.splice(at, 1);
  return true;
}
