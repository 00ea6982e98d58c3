/**
 * SigV4 verification for the local AWS: the signature is recomputed with the
 * same signer the SDK uses (@smithy/signature-v4) from the key's known secret,
 * the credential scope and exactly the headers the client says it signed.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Checksum, SourceData } from "@smithy/types";

const ALGORITHM = "AWS4-HMAC-SHA256";
export const UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

/** The sha256 the signer needs (hash, or hmac when given a key), on node:crypto. */
export class NodeSha256 implements Checksum {
  private hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error("not supported");
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data as ArrayBuffer);
}

export function sha256Hex(body: Buffer | string): string {
  return createHash("sha256").update(body).digest("hex");
}

/** What a request says about who signed it, before we know whether it is true. */
export type ParsedAuth =
  | { kind: "none" }
  | { kind: "malformed"; message: string }
  | {
      kind: "header" | "query";
      accessKeyId: string;
      shortDate: string;
      region: string;
      service: string;
      signedHeaders: string[];
      signature: string;
      /** x-amz-date / X-Amz-Date, e.g. 20261126T120000Z */
      amzDate: string;
      sessionToken?: string;
      /** Query auth only: X-Amz-Expires seconds. */
      expiresSeconds?: number;
    };

/** Read the Authorization header, or the X-Amz-* query parameters of a presigned URL. */
export function parseAuth(headers: Record<string, string>, query: URLSearchParams): ParsedAuth {
  const authorization = headers["authorization"];
  if (authorization) {
    if (!authorization.startsWith(`${ALGORITHM} `)) {
      return { kind: "malformed", message: "Unsupported Authorization Type" };
    }
    const parts = new Map<string, string>();
    for (const piece of authorization.slice(ALGORITHM.length + 1).split(",")) {
      const eq = piece.indexOf("=");
      if (eq > 0) parts.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
    }
    const credential = parts.get("Credential");
    const signedHeaders = parts.get("SignedHeaders");
    const signature = parts.get("Signature");
    const amzDate = headers["x-amz-date"];
    if (!credential || !signedHeaders || !signature) {
      return { kind: "malformed", message: "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters." };
    }
    if (!amzDate) return { kind: "malformed", message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." };
    const scope = parseCredential(credential);
    if (!scope) return { kind: "malformed", message: `Credential should be scoped to a valid region. ` };
    return {
      kind: "header",
      ...scope,
      signedHeaders: signedHeaders.split(";"),
      signature,
      amzDate,
      sessionToken: headers["x-amz-security-token"],
    };
  }
  if (query.has("X-Amz-Signature") || query.has("X-Amz-Credential")) {
    const credential = query.get("X-Amz-Credential") ?? "";
    const scope = parseCredential(credential);
    const signature = query.get("X-Amz-Signature");
    const amzDate = query.get("X-Amz-Date");
    const signedHeaders = query.get("X-Amz-SignedHeaders");
    const expires = Number(query.get("X-Amz-Expires"));
    if (query.get("X-Amz-Algorithm") !== ALGORITHM || !scope || !signature || !amzDate || !signedHeaders || !(expires > 0)) {
      return {
        kind: "malformed",
        message:
          "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
      };
    }
    return {
      kind: "query",
      ...scope,
      signedHeaders: signedHeaders.split(";"),
      signature,
      amzDate,
      sessionToken: query.get("X-Amz-Security-Token") ?? undefined,
      expiresSeconds: expires,
    };
  }
  return { kind: "none" };
}

function parseCredential(credential: string) {
  // AKID/20261126/us-east-1/qbusiness/aws4_request
  const [accessKeyId, shortDate, region, service, terminator] = credential.split("/");
  if (!accessKeyId || !shortDate || !region || !service || terminator !== "aws4_request") return undefined;
  return { accessKeyId, shortDate, region, service };
}

/** "20261126T120000Z" -> Date */
export function parseAmzDate(amzDate: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

export interface ReceivedRequest {
  method: string;
  /** Path exactly as received (still percent-encoded), without the query string. */
  rawPath: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

export interface SigningSecret {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Query parameters as the signer wants them: decoded, repeated keys as arrays. */
function queryRecord(query: URLSearchParams, omit: (key: string) => boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of query) {
    if (omit(key)) continue;
    const prior = out[key];
    if (prior === undefined) out[key] = value;
    else out[key] = Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return out;
}

function signer(secret: SigningSecret, region: string, service: string) {
  return new SignatureV4({
    credentials: secret,
    region,
    service,
    sha256: NodeSha256,
    // S3 signs the path as sent; every other service double-encodes it.
    uriEscapePath: service !== "s3",
    applyChecksum: false,
  });
}

/**
 * Recompute the signature of a received request and say whether it matches.
 * Only the headers listed as signed take part, as AWS does.
 */
export async function verifySignature(req: ReceivedRequest, auth: Extract<ParsedAuth, { kind: "header" | "query" }>, secret: SigningSecret): Promise<boolean> {
  const signingDate = parseAmzDate(auth.amzDate);
  if (!signingDate) return false;
  const signedSet = new Set(auth.signedHeaders);
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    if (req.headers[name] !== undefined) headers[name] = req.headers[name];
  }
  const base = {
    method: req.method,
    protocol: "http:",
    hostname: (req.headers["host"] ?? "").split(":")[0],
    path: req.rawPath,
    headers,
  };
  const v4 = signer(secret, auth.region, auth.service);
  let expected: string | undefined;
  if (auth.kind === "header") {
    // Without a signed x-amz-content-sha256 the payload hash is the body's own.
    const signed = await v4.sign(
      { ...base, query: queryRecord(req.query, () => false), body: req.body.length ? req.body : undefined },
      { signingDate, signableHeaders: signedSet },
    );
    expected = /Signature=([0-9a-f]+)/.exec(signed.headers["authorization"] ?? "")?.[1];
  } else {
    const presigned = await v4.presign(
      {
        ...base,
        headers: { ...headers, "x-amz-content-sha256": UNSIGNED_PAYLOAD },
        query: queryRecord(req.query, (k) => k === "X-Amz-Signature"),
      },
      {
        signingDate,
        expiresIn: auth.expiresSeconds,
        signableHeaders: signedSet,
        unsignableHeaders: new Set(["x-amz-content-sha256"]),
        unhoistableHeaders: new Set(["x-amz-content-sha256"]),
      },
    );
    const value = presigned.query?.["X-Amz-Signature"];
    expected = typeof value === "string" ? value : undefined;
  }
  return expected !== undefined && safeEqual(expected, auth.signature);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A presigned GET URL (query-string SigV4, UNSIGNED-PAYLOAD, only `host` signed),
 * as S3's presigner makes it. `path` must already be percent-encoded.
 */
export async function presignGetUrl(opts: {
  endpoint: string;
  path: string;
  region: string;
  service: string;
  secret: SigningSecret;
  signingDate: Date;
  expiresSeconds: number;
}): Promise<string> {
  const url = new URL(opts.endpoint);
  const v4 = signer(opts.secret, opts.region, opts.service);
  const presigned = await v4.presign(
    {
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      path: opts.path,
      query: {},
      headers: { host: url.host, "x-amz-content-sha256": UNSIGNED_PAYLOAD },
    },
    {
      signingDate: opts.signingDate,
      expiresIn: opts.expiresSeconds,
      unsignableHeaders: new Set(["x-amz-content-sha256"]),
      unhoistableHeaders: new Set(["x-amz-content-sha256"]),
    },
  );
  const search = Object.entries(presigned.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v ?? ""]).map((one) => `${encodeRfc3986(k)}=${encodeRfc3986(one)}`))
    .join("&");
  return `${url.protocol}//${url.host}${opts.path}?${search}`;
}

export function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
