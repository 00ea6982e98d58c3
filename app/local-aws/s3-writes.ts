/**
 * The local AWS's S3 writes beyond PutObject: multipart upload (what `aws s3
 * cp` and the SDK's Upload send for anything over 8 MiB / 5 MiB) and object
 * deletion, as the S3 API reference describes them. Uploads in progress live
 * beside the fleet (they are not objects until completed, as in S3).
 */
import { createHash } from "node:crypto";
import { AwsError, type EmuRequest, type EmuResponse, type Emulator } from "./types";
import { s3Document } from "./xml";
import { etagOf, findBucket, storeObject } from "./s3";

/** Every part but the last must be at least 5 MiB; part numbers run 1..10000. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10000;
/** DeleteObjects takes at most 1000 keys. */
const MAX_DELETE_KEYS = 1000;

interface Upload {
  accountId: string;
  bucket: string;
  key: string;
  contentType?: string;
  parts: Map<number, { bytes: Buffer; etag: string }>;
}

const uploadsByFleet = new WeakMap<object, Map<string, Upload>>();

function uploadsOf(emu: Emulator): Map<string, Upload> {
  const uploads = uploadsByFleet.get(emu.fleet) ?? new Map<string, Upload>();
  uploadsByFleet.set(emu.fleet, uploads);
  return uploads;
}

/** The write operation a request asks for, from its method and sub-resource; undefined for others. */
export function writeOperationOf(req: EmuRequest, key: string): string | undefined {
  const q = req.query;
  if (!key) return req.method === "POST" && q.has("delete") ? "DeleteObjects" : undefined;
  if (req.method === "POST" && q.has("uploads")) return "CreateMultipartUpload";
  if (req.method === "PUT" && q.has("uploadId") && q.has("partNumber") && !req.headers["x-amz-copy-source"]) return "UploadPart";
  if (req.method === "POST" && q.has("uploadId")) return "CompleteMultipartUpload";
  if (req.method === "DELETE" && q.has("uploadId")) return "AbortMultipartUpload";
  const subresources = [...q.keys()].filter((k) => !k.startsWith("X-Amz-") && k !== "x-id");
  if (req.method === "DELETE" && subresources.length === 0) return "DeleteObject";
  return undefined;
}

export function handleWrite(operation: string, req: EmuRequest, emu: Emulator, at: { bucket: string; key: string }): EmuResponse {
  switch (operation) {
    case "CreateMultipartUpload":
      return createUpload(req, emu, at);
    case "UploadPart":
      return uploadPart(req, emu, at);
    case "CompleteMultipartUpload":
      return completeUpload(req, emu, at);
    case "AbortMultipartUpload":
      findUpload(req, emu, at);
      uploadsOf(emu).delete(req.query.get("uploadId") ?? "");
      return { status: 204 };
    case "DeleteObject":
      // S3 answers 204 whether or not the key existed.
      delete findBucket(req, emu, at.bucket).objects[at.key];
      return { status: 204 };
    case "DeleteObjects":
      return deleteObjects(req, emu, at.bucket);
    default:
      throw new AwsError("NotImplemented", "A header you provided implies functionality that is not implemented.", 501);
  }
}

function createUpload(req: EmuRequest, emu: Emulator, at: { bucket: string; key: string }): EmuResponse {
  findBucket(req, emu, at.bucket);
  if (Buffer.byteLength(at.key, "utf8") > 1024) throw new AwsError("KeyTooLongError", "Your key is too long", 400);
  const uploadId = createHash("sha256").update(emu.newId()).digest("base64url");
  uploadsOf(emu).set(uploadId, { accountId: req.accountId, ...at, contentType: req.headers["content-type"], parts: new Map() });
  const body = s3Document("InitiateMultipartUploadResult", { Bucket: at.bucket, Key: at.key, UploadId: uploadId });
  return { status: 200, headers: { "content-type": "application/xml" }, body };
}

function noSuchUpload(uploadId: string): AwsError {
  return new AwsError(
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    404,
    { UploadId: uploadId },
  );
}

function findUpload(req: EmuRequest, emu: Emulator, at: { bucket: string; key: string }): Upload {
  findBucket(req, emu, at.bucket);
  const uploadId = req.query.get("uploadId") ?? "";
  const upload = uploadsOf(emu).get(uploadId);
  if (!upload || upload.accountId !== req.accountId || upload.bucket !== at.bucket || upload.key !== at.key) throw noSuchUpload(uploadId);
  return upload;
}

function uploadPart(req: EmuRequest, emu: Emulator, at: { bucket: string; key: string }): EmuResponse {
  const raw = req.query.get("partNumber") ?? "";
  const partNumber = Number(raw);
  if (!/^\d+$/.test(raw) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new AwsError("InvalidArgument", `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, 400, {
      ArgumentName: "partNumber",
      ArgumentValue: raw,
    });
  }
  const upload = findUpload(req, emu, at);
  const etag = etagOf(req.body);
  upload.parts.set(partNumber, { bytes: Buffer.from(req.body), etag });
  return { status: 200, headers: { etag } };
}

/** The <Part> list of a CompleteMultipartUpload body, in the order given. */
function listedParts(body: string): { partNumber: number; etag: string }[] {
  if (!/<CompleteMultipartUpload[\s>]/.test(body)) {
    throw new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
  }
  return [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
    partNumber: Number(/<PartNumber>\s*(\d+)\s*<\/PartNumber>/.exec(m[1])?.[1] ?? NaN),
    etag: decodeXml(/<ETag>([\s\S]*?)<\/ETag>/.exec(m[1])?.[1] ?? "").trim(),
  }));
}

const quoted = (etag: string) => (etag.startsWith('"') ? etag : `"${etag}"`);

function completeUpload(req: EmuRequest, emu: Emulator, at: { bucket: string; key: string }): EmuResponse {
  const upload = findUpload(req, emu, at);
  const listed = listedParts(req.body.toString("utf8"));
  if (listed.length === 0) {
    throw new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
  }
  const invalidPart = new AwsError(
    "InvalidPart",
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    400,
  );
  const chosen = listed.map((p, i) => {
    if (i > 0 && !(p.partNumber > listed[i - 1].partNumber)) {
      throw new AwsError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", 400);
    }
    const part = upload.parts.get(p.partNumber);
    if (!part || part.etag !== quoted(p.etag)) throw invalidPart;
    return { ...part, partNumber: p.partNumber };
  });
  const small = chosen.slice(0, -1).find((p) => p.bytes.length < MIN_PART_BYTES);
  if (small) {
    throw new AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400, {
      ProposedSize: small.bytes.length,
      MinSizeAllowed: MIN_PART_BYTES,
      PartNumber: small.partNumber,
      ETag: small.etag,
    });
  }
  storeObject(req, emu, { bucketName: at.bucket, key: at.key, bytes: Buffer.concat(chosen.map((p) => p.bytes)), contentType: upload.contentType });
  uploadsOf(emu).delete(req.query.get("uploadId") ?? "");
  // A multipart ETag is the MD5 of the parts' binary MD5s, then "-" and the part count.
  const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.etag.replace(/"/g, ""), "hex")));
  const etag = `"${createHash("md5").update(md5s).digest("hex")}-${chosen.length}"`;
  const location = `${emu.endpoint}/${encodeURIComponent(at.bucket)}/${at.key.split("/").map(encodeURIComponent).join("/")}`;
  const body = s3Document("CompleteMultipartUploadResult", { Location: location, Bucket: at.bucket, Key: at.key, ETag: etag });
  return { status: 200, headers: { "content-type": "application/xml" }, body };
}

function deleteObjects(req: EmuRequest, emu: Emulator, bucketName: string): EmuResponse {
  const bucket = findBucket(req, emu, bucketName);
  const xml = req.body.toString("utf8");
  if (!/<Delete[\s>]/.test(xml)) {
    throw new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
  }
  const keys = [...xml.matchAll(/<Object>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Object>/g)].map((m) => decodeXml(m[1]));
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS) {
    throw new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
  }
  const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(xml);
  for (const key of keys) delete bucket.objects[key];
  const body = s3Document("DeleteResult", { Deleted: quiet ? [] : keys.map((Key) => ({ Key })) });
  return { status: 200, headers: { "content-type": "application/xml" }, body };
}

function decodeXml(text: string): string {
  return text.replace(/&(quot|apos|lt|gt|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { quot: '"', apos: "'", lt: "<", gt: ">", amp: "&" }[name] ?? "";
  });
}
