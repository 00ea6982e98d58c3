/**
 * reupload-files: console uploads older than the cutoff cannot be downloaded
 * and no sync renews them; uploading them again under the same document id
 * does (BatchPutDocument replaces a document with the same id, so nothing is
 * ever deleted). Files come from a folder, an S3 prefix, or the browser, and
 * are matched to stale documents by name.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BatchPutDocumentCommand, ListDocumentsCommand, type ContentType, type Document, type DocumentDetails } from "@aws-sdk/client-qbusiness";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { UPLOADED_DOCS_DATA_SOURCE_ID } from "../aws/vocabulary";
import { applySafely, AwsCalls, PermissionDenied, sealPlan } from "./common";
import { contentTypeWarning } from "./file-content";
import type { ApplyResult, FileSource, FixContext, ReuploadApplyOptions, ReuploadFileOutcome, ReuploadPlan, UploadedDocumentsRef, Verification } from "./types";

/** BatchPutDocument's limits: documents per call and bytes per document (50 MB). */
export const MAX_DOCUMENTS_PER_BATCH = 10;
export const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;

const CONTENT_TYPES: Record<string, ContentType> = {
  pdf: "PDF",
  html: "HTML",
  htm: "HTML",
  doc: "MS_WORD",
  docx: "MS_WORD",
  txt: "PLAIN_TEXT",
  text: "PLAIN_TEXT",
  ppt: "PPT",
  pptx: "PPT",
  rtf: "RTF",
  xml: "XML",
  xsl: "XSLT",
  xslt: "XSLT",
  xls: "MS_EXCEL",
  xlsx: "MS_EXCEL",
  csv: "CSV",
  json: "JSON",
  md: "MD",
  markdown: "MD",
};

/** The Q Business content type of a file, from its extension (undefined: let the service detect it). */
export function contentTypeOf(name: string): ContentType | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return extension ? CONTENT_TYPES[extension] : undefined;
}

/** A file offered for re-upload: name, size, fingerprint, and how to read it. */
interface OfferedFile {
  name: string;
  /** Where it is, for people (path, s3 URI, or the upload's name). */
  origin: string;
  bytes: number;
  /** sha256 of the content, or the S3 ETag (not read until apply). */
  fingerprint: string;
  /** The content does not look like the extension says (files read at plan time: folders and browser uploads). */
  typeWarning?: string;
  read(): Promise<Uint8Array>;
}

/** The files offered, and the folder entries that were not (symbolic links, devices, sockets). */
interface Offered {
  files: OfferedFile[];
  skipped: string[];
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Parse s3://bucket/prefix. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new Error(`Not an S3 URI: ${uri} (expected s3://bucket/prefix)`);
  return { bucket: match[1], prefix: match[2] };
}

function describeSource(files: FileSource): string {
  if (files.kind === "folder") return `folder ${files.path}`;
  if (files.kind === "s3") return files.uri;
  return `${files.files.length} uploaded file${files.files.length === 1 ? "" : "s"}`;
}

function inMemoryFile(name: string, origin: string, data: Uint8Array, read: () => Promise<Uint8Array>): OfferedFile {
  return { name, origin, bytes: data.byteLength, fingerprint: sha256(data), typeWarning: contentTypeWarning(name, data), read };
}

/**
 * Every regular file under `root`, subfolders included. Symbolic links are not
 * followed (they may point outside the folder, or loop) but listed, so nobody
 * wonders why a file was not matched.
 */
function folderFiles(root: string): Offered {
  const files: OfferedFile[] = [];
  const skipped: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) files.push(inMemoryFile(entry.name, full, fs.readFileSync(full), async () => fs.readFileSync(full)));
      else skipped.push(`${full} (${entry.isSymbolicLink() ? "symbolic link, not followed" : "not a regular file"})`);
    }
  };
  walk(root);
  return { files, skipped: skipped.sort() };
}

async function offeredFiles(ctx: FixContext, ref: UploadedDocumentsRef, files: FileSource, calls: AwsCalls): Promise<Offered> {
  if (files.kind === "buffers") {
    return { files: files.files.map((f) => inMemoryFile(path.basename(f.name), f.name, f.data, async () => f.data)), skipped: [] };
  }
  if (files.kind === "folder") return folderFiles(files.path);
  const { bucket, prefix } = parseS3Uri(files.uri);
  const { s3 } = await ctx.clients(ref.accountId, ref.region);
  const out: OfferedFile[] = [];
  let token: string | undefined;
  do {
    const page: { Contents?: { Key?: string; Size?: number; ETag?: string }[]; NextContinuationToken?: string } = await calls.send(
      s3,
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      "s3:ListBucket",
    );
    for (const object of page.Contents ?? []) {
      const key = object.Key ?? "";
      if (!key || key.endsWith("/")) continue;
      out.push({
        name: path.posix.basename(key),
        origin: `s3://${bucket}/${key}`,
        bytes: object.Size ?? 0,
        fingerprint: `etag:${object.ETag ?? ""}`,
        read: async () => {
          const got = await calls.send<{ Body?: { transformToByteArray(): Promise<Uint8Array> } }>(
            s3,
            new GetObjectCommand({ Bucket: bucket, Key: key }),
            "s3:GetObject",
          );
          return (await got.Body?.transformToByteArray()) ?? new Uint8Array();
        },
      });
    }
    token = page.NextContinuationToken;
  } while (token);
  return { files: out, skipped: [] };
}

/** The index's uploaded documents (the console's uploaded-files data source id). */
async function uploadedDocuments(ctx: FixContext, ref: UploadedDocumentsRef, calls: AwsCalls): Promise<DocumentDetails[]> {
  const { qbusiness } = await ctx.clients(ref.accountId, ref.region);
  const out: DocumentDetails[] = [];
  let nextToken: string | undefined;
  do {
    const page: { documentDetailList?: DocumentDetails[]; nextToken?: string } = await calls.send(
      qbusiness,
      new ListDocumentsCommand({
        applicationId: ref.applicationId,
        indexId: ref.indexId,
        dataSourceIds: [UPLOADED_DOCS_DATA_SOURCE_ID],
        maxResults: 100,
        nextToken,
      }),
      "qbusiness:ListDocuments",
    );
    out.push(...(page.documentDetailList ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

/** A file matches a document when its name is the document id, or the id's last path segment. */
function matches(file: OfferedFile, documentId: string): boolean {
  return file.name === documentId || file.name === documentId.slice(documentId.lastIndexOf("/") + 1);
}

/**
 * Why a document's candidate files are refused, or undefined for one usable
 * file: an empty file would blank the document (and still be "fixed", being
 * newer), and of two files with its name we cannot tell which one is meant.
 */
function refusal(documentId: string, candidates: OfferedFile[]): string | undefined {
  if (candidates.length > 1) {
    return `${candidates.length} files are named like ${documentId} (${candidates.map((f) => f.origin).join(", ")}): keep only the right one; none of them is sent.`;
  }
  const [file] = candidates;
  if (file.bytes === 0) return `${file.origin} is empty (0 bytes): uploading it would blank ${documentId}. It is not sent.`;
  return undefined;
}

async function matchFiles(ctx: FixContext, ref: UploadedDocumentsRef, files: FileSource, calls: AwsCalls) {
  const documents = await uploadedDocuments(ctx, ref, calls);
  const stale = documents
    .filter((d) => !d.updatedAt || d.updatedAt.getTime() < ctx.cutoff.getTime())
    .map((d) => ({ documentId: d.documentId ?? "", updatedAt: d.updatedAt?.toISOString() }))
    .sort((a, b) => a.documentId.localeCompare(b.documentId));
  const offered = await offeredFiles(ctx, ref, files, calls);
  const used = new Set<OfferedFile>();
  const matched: { document: { documentId: string }; file: OfferedFile }[] = [];
  const refusedFiles: { documentId: string; file: string; reason: string }[] = [];
  const missingFiles: string[] = [];
  for (const document of stale) {
    const candidates = offered.files.filter((f) => !used.has(f) && matches(f, document.documentId));
    if (candidates.length === 0) {
      missingFiles.push(document.documentId);
      continue;
    }
    for (const file of candidates) used.add(file);
    const reason = refusal(document.documentId, candidates);
    if (reason) refusedFiles.push({ documentId: document.documentId, file: candidates.map((f) => f.origin).join(", "), reason });
    else matched.push({ document, file: candidates[0] });
  }
  const unmatchedFiles = offered.files
    .filter((f) => !used.has(f))
    .map((f) => f.origin)
    .sort();
  return { stale, matched, refusedFiles, missingFiles, unmatchedFiles, skippedEntries: offered.skipped };
}

/** Read-only: which stale uploaded documents the files would replace. */
export async function planReupload(ctx: FixContext, input: UploadedDocumentsRef & { files: FileSource }): Promise<ReuploadPlan> {
  const ref: UploadedDocumentsRef = { accountId: input.accountId, region: input.region, applicationId: input.applicationId, indexId: input.indexId };
  const calls = new AwsCalls();
  const base = {
    action: "reupload-files" as const,
    resource: { type: "uploaded-documents" as const, ...ref },
    applications: [{ accountId: ref.accountId, region: ref.region, applicationId: ref.applicationId }],
    missingPermissions: [] as string[],
  };
  const source = describeSource(input.files);
  try {
    const { stale, matched, refusedFiles, missingFiles, unmatchedFiles, skippedEntries } = await matchFiles(ctx, ref, input.files, calls);
    const rows = matched.map(({ document, file }) => ({
      documentId: document.documentId,
      file: file.origin,
      bytes: file.bytes,
      contentType: contentTypeOf(file.name),
      sha256: file.fingerprint,
      ...(file.bytes > MAX_DOCUMENT_BYTES ? { tooLarge: true } : {}),
      ...(file.typeWarning ? { typeWarning: file.typeWarning } : {}),
    }));
    const uploadable = rows.filter((r) => !r.tooLarge);
    const reasons = [
      ...refusedFiles.map((r) => r.reason),
      ...rows.filter((r) => r.tooLarge).map((r) => `${r.file} is ${r.bytes} bytes, over BatchPutDocument's 50 MB: it will not be sent.`),
      ...rows.flatMap((r) => (r.typeWarning && !r.tooLarge ? [`Warning: ${r.typeWarning}`] : [])),
      ...(skippedEntries.length ? [`Not read (${skippedEntries.length}): ${skippedEntries.join(", ")}.`] : []),
      ...(missingFiles.length
        ? [`No file was given for ${missingFiles.length} stale document${missingFiles.length === 1 ? "" : "s"}: ${missingFiles.join(", ")}.`]
        : []),
    ];
    const status: ReuploadPlan["status"] = stale.length === 0 ? "nothing-to-do" : uploadable.length === 0 ? "refused" : "ready";
    const summary =
      status === "nothing-to-do"
        ? "No uploaded document of this index is older than the cutoff."
        : status === "refused"
          ? `None of the ${stale.length} stale uploaded documents has a file to upload from ${source}.`
          : `Upload ${uploadable.length} of ${stale.length} stale uploaded documents again from ${source} (same document ids; nothing is deleted).`;
    return sealPlan<ReuploadPlan>(ctx, {
      ...base,
      status,
      summary,
      reasons: status === "nothing-to-do" ? [summary] : reasons,
      details: {
        index: ref,
        cutoff: ctx.cutoff.toISOString(),
        staleDocuments: stale,
        matched: rows,
        refusedFiles,
        skippedEntries,
        unmatchedFiles,
        missingFiles,
        source,
      },
    });
  } catch (error) {
    if (!(error instanceof PermissionDenied)) throw error;
    return sealPlan<ReuploadPlan>(ctx, {
      ...base,
      status: "unavailable",
      summary: `Re-upload unavailable: AWS denied ${error.permission}.`,
      reasons: [error.message],
      missingPermissions: [error.permission],
      details: { index: ref, cutoff: ctx.cutoff.toISOString(), staleDocuments: [], matched: [], unmatchedFiles: [], missingFiles: [], source },
    });
  }
}

/** Do the uploaded documents with these ids now carry an updatedAt after the cutoff? */
export async function verifyReupload(ctx: FixContext, ref: UploadedDocumentsRef, documentIds?: string[], calls = new AwsCalls()): Promise<Verification> {
  const documents = await uploadedDocuments(ctx, ref, calls);
  const wanted = documentIds ? documents.filter((d) => documentIds.includes(d.documentId ?? "")) : documents;
  const stale = wanted.filter((d) => !d.updatedAt || d.updatedAt.getTime() < ctx.cutoff.getTime()).map((d) => d.documentId ?? "");
  const absent = (documentIds ?? []).filter((id) => !documents.some((d) => d.documentId === id));
  const ok = stale.length === 0 && absent.length === 0;
  return {
    ok,
    message: ok
      ? `All ${wanted.length} documents are dated after the cutoff.`
      : [stale.length ? `still from before the cutoff: ${stale.join(", ")}` : "", absent.length ? `not listed: ${absent.join(", ")}` : ""]
          .filter(Boolean)
          .join("; "),
    details: { checked: wanted.length, stale, absent },
  };
}

/**
 * Upload the matched files again (batches of at most 10), then verify with
 * ListDocuments. Re-plans first with the same files; a changed plan is not applied.
 */
export async function applyReupload(
  ctx: FixContext,
  plan: ReuploadPlan,
  options: ReuploadApplyOptions,
): Promise<ApplyResult<ReuploadPlan> & { files: ReuploadFileOutcome[] }> {
  const ref = plan.details.index;
  const outcomes: ReuploadFileOutcome[] = [];
  const result = await applySafely<ReuploadPlan>(ctx, {
    options,
    resource: plan.resource,
    action: "reupload-files",
    replan: () => planReupload(ctx, { ...ref, files: options.files }),
    run: async (fresh, _activityId, calls) => {
      const { qbusiness } = await ctx.clients(ref.accountId, ref.region);
      const fileCalls = new AwsCalls();
      const offered = (await offeredFiles(ctx, ref, options.files, fileCalls)).files;
      for (const row of fresh.details.matched.filter((r) => r.tooLarge)) {
        outcomes.push({ documentId: row.documentId, file: row.file, outcome: "refused-too-large", error: `${row.bytes} bytes: over the 50 MB limit` });
      }
      const toSend = fresh.details.matched.filter((r) => !r.tooLarge);
      for (let at = 0; at < toSend.length; at += MAX_DOCUMENTS_PER_BATCH) {
        const batch = toSend.slice(at, at + MAX_DOCUMENTS_PER_BATCH);
        try {
          const documents: Document[] = [];
          for (const row of batch) {
            const file = offered.find((f) => f.origin === row.file)!;
            const data = await file.read();
            // The file changed between plan and now: its size may break the limit checked in the plan.
            if (data.byteLength > MAX_DOCUMENT_BYTES) throw new Error(`${row.file} is now ${data.byteLength} bytes, over 50 MB`);
            if (data.byteLength === 0) throw new Error(`${row.file} is now empty (0 bytes): not sent, it would blank the document`);
            documents.push({ id: row.documentId, content: { blob: data }, ...(row.contentType ? { contentType: row.contentType as ContentType } : {}) });
          }
          const answer = await calls.send<{ failedDocuments?: { id?: string; error?: { errorCode?: string; errorMessage?: string } }[] }>(
            qbusiness,
            new BatchPutDocumentCommand({ applicationId: ref.applicationId, indexId: ref.indexId, documents }),
            "qbusiness:BatchPutDocument",
          );
          for (const row of batch) {
            const failed = answer.failedDocuments?.find((f) => f.id === row.documentId);
            outcomes.push(
              failed
                ? {
                    documentId: row.documentId,
                    file: row.file,
                    outcome: "failed",
                    error: `${failed.error?.errorCode ?? "Error"}: ${failed.error?.errorMessage ?? ""}`,
                  }
                : { documentId: row.documentId, file: row.file, outcome: "uploaded" },
            );
          }
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          for (const row of batch) outcomes.push({ documentId: row.documentId, file: row.file, outcome: "failed", error: reason });
        }
      }
      calls.requestIds.push(...fileCalls.requestIds);
      const uploaded = outcomes.filter((o) => o.outcome === "uploaded");
      const notUploaded = outcomes.filter((o) => o.outcome !== "uploaded");
      const verification = uploaded.length
        ? await verifyReupload(
            ctx,
            ref,
            uploaded.map((o) => o.documentId),
            calls,
          )
        : undefined;
      const done = uploaded.map((o) => `uploaded ${o.file} as ${o.documentId}`);
      const notDone = [
        ...notUploaded.map((o) => `${o.documentId} (${o.file}): ${o.outcome === "refused-too-large" ? "not sent, " : ""}${o.error}`),
        ...(fresh.details.refusedFiles ?? []).map((r) => `${r.documentId}: ${r.reason}`),
        ...fresh.details.missingFiles.map((id) => `${id}: no file given`),
        ...(verification && !verification.ok ? [`verification: ${verification.message}`] : []),
      ];
      const outcome = uploaded.length === 0 ? "failed" : notDone.length ? "partial" : "succeeded";
      return {
        outcome,
        message: `${uploaded.length} of ${fresh.details.staleDocuments.length} stale documents uploaded again${notUploaded.length ? `, ${notUploaded.length} not` : ""}${fresh.details.missingFiles.length ? `, ${fresh.details.missingFiles.length} without a file` : ""}. Nothing was deleted.`,
        done,
        notDone,
        verification,
        reaudit: uploaded.length > 0,
        data: { files: outcomes },
      };
    },
  });
  return { ...result, files: outcomes };
}
