/**
 * The local AWS's S3 (restXml, path-style): the object calls a data source's
 * bucket check, a re-upload and a GetDocumentContent link need.
 */
import { createHash } from "node:crypto";
import { accountCredentials, type FixtureS3Object } from "./fixture-types";
import { AwsError, type EmuRequest, type EmuResponse, type Emulator, type ServiceModule } from "./types";
import { s3Document } from "./xml";
import { encodeRfc3986, presignGetUrl } from "./sigv4";
import { handleWrite, writeOperationOf } from "./s3-writes";

const MAX_KEYS = 1000;
/**
 * The emulator's own cap on one request body (PutObject, UploadPart): it keeps
 * objects in memory, so it takes less than AWS's 5 GiB; larger objects go up
 * in parts, as `aws s3 cp` sends anything over 8 MiB.
 */
const MAX_REQUEST_BYTES = 100 * 1024 * 1024;

/** Content types given at PutObject, kept beside the fleet so the fixture shape stays as documented. */
const putContentTypes = new WeakMap<object, Map<string, string>>();

const EXTENSION_TYPES: Record<string, string> = {
  txt: "text/plain",
  md: "text/markdown",
  html: "text/html",
  htm: "text/html",
  csv: "text/csv",
  json: "application/json",
  xml: "application/xml",
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
};

/** `/bucket/key/with/slashes` (still encoded) -> bucket and decoded key. */
function target(req: EmuRequest): { bucket: string; key: string } {
  const raw = req.rawPath.replace(/^\//, "");
  const slash = raw.indexOf("/");
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (slash < 0) return { bucket: decode(raw), key: "" };
  return { bucket: decode(raw.slice(0, slash)), key: decode(raw.slice(slash + 1)) };
}

export function findBucket(req: EmuRequest, emu: Emulator, bucket: string) {
  const mine = emu.account(req.accountId)?.s3?.buckets[bucket];
  if (mine) return mine;
  // Bucket names are global: someone else's bucket is refused, not missing.
  if (emu.fleet.accounts.some((a) => a.s3?.buckets[bucket])) throw new AwsError("AccessDenied", "Access Denied", 403);
  throw new AwsError("NoSuchBucket", "The specified bucket does not exist", 404, { BucketName: bucket });
}

function objectBytes(object: FixtureS3Object): Buffer {
  if (object.base64 !== undefined) return Buffer.from(object.base64, "base64");
  return Buffer.from(object.text ?? "", "utf8");
}

export function etagOf(bytes: Buffer): string {
  return `"${createHash("md5").update(bytes).digest("hex")}"`;
}

/** An object's last-modified time: as the fixture says, else the emulator's start. */
function lastModifiedOf(object: FixtureS3Object, emu: Emulator): Date {
  return new Date(object.lastModified ?? emu.fleet.clock ?? "2024-01-01T00:00:00Z");
}

function contentTypeOf(emu: Emulator, accountId: string, bucket: string, key: string): string {
  const put = putContentTypes.get(emu.fleet)?.get(`${accountId}/${bucket}/${key}`);
  if (put) return put;
  const ext = key.split(".").pop()?.toLowerCase() ?? "";
  return EXTENSION_TYPES[ext] ?? "binary/octet-stream";
}

/** S3 sorts keys by their UTF-8 bytes. */
function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function invalidArgument(message: string, name: string, value: string): AwsError {
  return new AwsError("InvalidArgument", message, 400, { ArgumentName: name, ArgumentValue: value });
}

function encodeContinuation(marker: string): string {
  return Buffer.from(JSON.stringify({ after: marker }), "utf8").toString("base64");
}

function decodeContinuation(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
}

function listObjectsV2(req: EmuRequest, emu: Emulator, bucketName: string): EmuResponse {
  const bucket = findBucket(req, emu, bucketName);
  const q = req.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const urlEncoded = q.get("encoding-type") === "url";
  const maxKeysRaw = q.get("max-keys");
  let maxKeys = MAX_KEYS;
  if (maxKeysRaw !== null) {
    const n = Number(maxKeysRaw);
    if (!Number.isInteger(n) || n < 0) {
      throw invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", maxKeysRaw);
    }
    maxKeys = Math.min(n, MAX_KEYS); // S3 quietly caps larger pages at 1000
  }
  const token = q.get("continuation-token");
  const startAfter = q.get("start-after") ?? "";
  const after = token ? decodeContinuation(token) : startAfter;

  const keys = Object.keys(bucket.objects)
    .filter((k) => k.startsWith(prefix) && (after === "" || byUtf8(k, after) > 0))
    .sort(byUtf8);

  const contents: string[] = [];
  const commonPrefixes: string[] = [];
  let lastMarker = "";
  let truncated = false;
  for (const key of keys) {
    // A resumed listing must not repeat a common prefix it already gave.
    if (delimiter && after.endsWith(delimiter) && key.startsWith(after)) continue;
    let rolledUp: string | undefined;
    if (delimiter) {
      const at = key.indexOf(delimiter, prefix.length);
      if (at >= 0) rolledUp = key.slice(0, at + delimiter.length);
    }
    if (rolledUp !== undefined && commonPrefixes[commonPrefixes.length - 1] === rolledUp) continue;
    if (contents.length + commonPrefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (rolledUp !== undefined) {
      commonPrefixes.push(rolledUp);
      lastMarker = rolledUp;
    } else {
      contents.push(key);
      lastMarker = key;
    }
  }

  const enc = (s: string) => (urlEncoded ? encodeRfc3986(s).replace(/%2F/g, "/") : s);
  const body = s3Document("ListBucketResult", {
    Name: bucketName,
    Prefix: enc(prefix),
    Delimiter: delimiter ? enc(delimiter) : undefined,
    MaxKeys: maxKeys,
    EncodingType: urlEncoded ? "url" : undefined,
    KeyCount: contents.length + commonPrefixes.length,
    IsTruncated: truncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: truncated ? encodeContinuation(lastMarker) : undefined,
    StartAfter: startAfter ? enc(startAfter) : undefined,
    Contents: contents.map((key) => {
      const object = bucket.objects[key];
      const bytes = objectBytes(object);
      return {
        Key: enc(key),
        LastModified: lastModifiedOf(object, emu),
        ETag: etagOf(bytes),
        Size: bytes.length,
        StorageClass: "STANDARD",
      };
    }),
    CommonPrefixes: commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
  return { status: 200, headers: { "content-type": "application/xml" }, body };
}

function objectHeaders(emu: Emulator, req: EmuRequest, bucket: string, key: string, object: FixtureS3Object) {
  const bytes = objectBytes(object);
  return {
    bytes,
    headers: {
      "content-type": contentTypeOf(emu, req.accountId, bucket, key),
      "content-length": String(bytes.length),
      etag: etagOf(bytes),
      "last-modified": lastModifiedOf(object, emu).toUTCString(),
      "accept-ranges": "bytes",
    },
  };
}

function getObject(req: EmuRequest, emu: Emulator, bucketName: string, key: string, head: boolean): EmuResponse {
  const bucket = findBucket(req, emu, bucketName);
  const object = Object.prototype.hasOwnProperty.call(bucket.objects, key) ? bucket.objects[key] : undefined;
  if (!object) throw new AwsError("NoSuchKey", "The specified key does not exist.", 404, { Key: key });
  const { bytes, headers } = objectHeaders(emu, req, bucketName, key, object);
  const range = req.headers["range"];
  if (range === undefined) return { status: 200, headers, body: head ? undefined : bytes };
  // A ranged GET (what `aws s3 cp` sends, in 8 MiB chunks, for a large object): 206 with that slice.
  const slice = byteRange(String(range), bytes.length);
  if (!slice) return { status: 200, headers, body: head ? undefined : bytes };
  const part = bytes.subarray(slice.start, slice.end + 1);
  return {
    status: 206,
    headers: { ...headers, "content-length": String(part.length), "content-range": `bytes ${slice.start}-${slice.end}/${bytes.length}` },
    body: head ? undefined : part,
  };
}

/**
 * One `bytes=first-last`, `bytes=first-` or `bytes=-suffix` range, clamped to
 * the object. A range S3 cannot parse (or several ranges) is ignored, as S3
 * does, and the whole object is sent; one starting past the end is InvalidRange.
 */
function byteRange(header: string, size: number): { start: number; end: number } | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0)
      throw new AwsError("InvalidRange", "The requested range is not satisfiable", 416, { ActualObjectSize: String(size), RangeRequested: header });
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) {
    if (m[2] !== "" && Number(m[2]) < start) return undefined;
    throw new AwsError("InvalidRange", "The requested range is not satisfiable", 416, { ActualObjectSize: String(size), RangeRequested: header });
  }
  return { start, end };
}

function putObject(req: EmuRequest, emu: Emulator, bucketName: string, key: string): EmuResponse {
  storeObject(req, emu, { bucketName, key, bytes: req.body, contentType: req.headers["content-type"] });
  return { status: 200, headers: { etag: etagOf(req.body) } };
}

/** Write (or replace) an object as PutObject does: now as its last-modified time, its content type kept. */
export function storeObject(req: EmuRequest, emu: Emulator, o: { bucketName: string; key: string; bytes: Buffer; contentType?: string }): void {
  const bucket = findBucket(req, emu, o.bucketName);
  if (Buffer.byteLength(o.key, "utf8") > 1024) throw new AwsError("KeyTooLongError", "Your key is too long", 400);
  bucket.objects[o.key] = { base64: o.bytes.toString("base64"), lastModified: emu.clock.now().toISOString() };
  const types = putContentTypes.get(emu.fleet) ?? new Map<string, string>();
  putContentTypes.set(emu.fleet, types);
  types.set(`${req.accountId}/${o.bucketName}/${o.key}`, o.contentType ?? "binary/octet-stream");
}

/**
 * CopyObject (PUT with x-amz-copy-source), what `aws s3 cp s3://b/k s3://b/k
 * --metadata-directive REPLACE` sends to rewrite an object in place (a new
 * LastModified, so a connector's next sync sees it changed). As S3 does, a
 * copy onto itself that changes nothing (directive COPY) is refused.
 */
function copyObject(req: EmuRequest, emu: Emulator, bucketName: string, key: string): EmuResponse {
  const raw = String(req.headers["x-amz-copy-source"]).split("?")[0].replace(/^\//, "");
  let source: string;
  try {
    source = decodeURIComponent(raw);
  } catch {
    throw invalidArgument("Invalid copy source encoding", "x-amz-copy-source", raw);
  }
  const slash = source.indexOf("/");
  if (slash <= 0) throw invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", "x-amz-copy-source", raw);
  const [fromBucket, fromKey] = [source.slice(0, slash), source.slice(slash + 1)];
  const object = findBucket(req, emu, fromBucket).objects[fromKey];
  if (!object) throw new AwsError("NoSuchKey", "The specified key does not exist.", 404, { Key: fromKey });
  const directive = String(req.headers["x-amz-metadata-directive"] ?? "COPY").toUpperCase();
  if (fromBucket === bucketName && fromKey === key && directive !== "REPLACE") {
    throw new AwsError(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      400,
    );
  }
  const bucket = findBucket(req, emu, bucketName);
  const now = emu.clock.now();
  const bytes = objectBytes(object);
  bucket.objects[key] = { base64: bytes.toString("base64"), lastModified: now.toISOString() };
  const types = putContentTypes.get(emu.fleet) ?? new Map<string, string>();
  putContentTypes.set(emu.fleet, types);
  const type = directive === "REPLACE" ? req.headers["content-type"] : contentTypeOf(emu, req.accountId, fromBucket, fromKey);
  if (type) types.set(`${req.accountId}/${bucketName}/${key}`, String(type));
  const body = s3Document("CopyObjectResult", { LastModified: now, ETag: etagOf(bytes) });
  return { status: 200, headers: { "content-type": "application/xml" }, body };
}

export const s3Service: ServiceModule = {
  service: "s3",
  protocol: "restXml",
  maxBodyBytes: MAX_REQUEST_BYTES,
  operationOf(req) {
    const { bucket, key } = target(req);
    if (!bucket) return undefined; // ListBuckets is not served
    const write = writeOperationOf(req, key);
    if (write) return write;
    if (!key) {
      if (req.method === "GET" && req.query.get("list-type") === "2") return "ListObjectsV2";
      if (req.method === "HEAD" && [...req.query.keys()].length === 0) return "HeadBucket";
      return undefined;
    }
    // Sub-resources (?acl, ?tagging, ?uploads, ...) are not served.
    const subresources = [...req.query.keys()].filter((k) => !k.startsWith("X-Amz-") && !k.startsWith("x-id"));
    if (subresources.length > 0) return undefined;
    if (req.method === "GET") return "GetObject";
    if (req.method === "HEAD") return "HeadObject";
    if (req.method === "PUT" && !req.headers["x-amz-copy-source"]) return "PutObject";
    if (req.method === "PUT") return "CopyObject";
    return undefined;
  },
  handle(operation, req, emu) {
    const { bucket, key } = target(req);
    switch (operation) {
      case "ListObjectsV2":
        return listObjectsV2(req, emu, bucket);
      case "HeadBucket":
        findBucket(req, emu, bucket);
        return { status: 200, headers: { "x-amz-bucket-region": req.region } };
      case "GetObject":
        return getObject(req, emu, bucket, key, false);
      case "HeadObject":
        return getObject(req, emu, bucket, key, true);
      case "PutObject":
        return putObject(req, emu, bucket, key);
      case "CopyObject":
        return copyObject(req, emu, bucket, key);
      default:
        return handleWrite(operation, req, emu, { bucket, key });
    }
  },
};

/**
 * A presigned GET URL for an object of the emulator's S3, signed with the
 * account's fixed key (what GetDocumentContent hands out). Signed at the real
 * now, as AWS signs, since URLs are judged against the real clock.
 */
export function presignS3Url(
  emu: Emulator,
  opts: { accountId: string; region: string; bucket: string; key: string; expiresSeconds: number; signingDate?: Date },
): Promise<string> {
  const path = `/${encodeRfc3986(opts.bucket)}/${opts.key.split("/").map(encodeRfc3986).join("/")}`;
  return presignGetUrl({
    endpoint: emu.endpoint,
    path,
    region: opts.region,
    service: "s3",
    secret: accountCredentials(opts.accountId),
    signingDate: opts.signingDate ?? new Date(),
    expiresSeconds: opts.expiresSeconds,
  });
}
