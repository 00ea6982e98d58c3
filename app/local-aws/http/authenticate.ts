/**
 * SigV4 authentication at the front door, in two steps so that nothing
 * unauthenticated is read: `authenticateHead` judges what the head alone can
 * tell (a signature is present and well formed, the key and its session token
 * are known, the signing time is within AWS's window), before any byte of the
 * body; `verifyPayload` then recomputes the signature over the body read.
 *
 * Signing times are judged against the real wall clock, not the emulator's
 * fixture clock: clients sign with their real "now" (and so does the
 * emulator's own presigner). Temporary credentials expire on the emulator's
 * clock, so advancing it expires them as time would.
 */
import { randomBytes } from "node:crypto";
import { accountCredentials } from "../fixture-types";
import { parseAmzDate, sha256Hex, verifySignature, type ParsedAuth, type SigningSecret } from "../sigv4";
import type { AwsError, EmuClock } from "../types";
import { AwsError as Err } from "../types";
import {
  MAX_PRESIGN_SECONDS,
  MAX_SKEW_MS,
  expiredToken,
  invalidToken,
  malformedAuth,
  missingAuthentication,
  presignExpired,
  presignNotYetValid,
  requestTimeSkewed,
  signatureMismatch,
  unknownKey,
  type Dialect,
} from "./errors";
import { decodeAwsChunked, type RequestHead } from "./parse";

export type SignedAuth = Extract<ParsedAuth, { kind: "header" | "query" }>;

export interface KnownKey {
  accountId: string;
  secret: SigningSecret;
  callerArn: string;
  /** Temporary keys only: when they stop working (emulator clock). */
  expiration?: Date;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

const FIXED_KEY = /^AKIALOCAL(\d{12})$/;

/** The keys the emulator knows: each fixture account's fixed key, and what STS AssumeRole issued. */
export class KeyStore {
  private readonly issued = new Map<string, KnownKey>();

  constructor(
    private readonly hasAccount: (accountId: string) => boolean,
    private readonly clock: EmuClock,
  ) {}

  lookup(accessKeyId: string): KnownKey | undefined {
    const fixed = FIXED_KEY.exec(accessKeyId);
    if (fixed && this.hasAccount(fixed[1])) {
      return { accountId: fixed[1], secret: accountCredentials(fixed[1]), callerArn: `arn:aws:iam::${fixed[1]}:root` };
    }
    return this.issued.get(accessKeyId);
  }

  issue(accountId: string, callerArn: string, durationSeconds: number): IssuedCredentials {
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const secretAccessKey = randomBytes(30).toString("base64");
    const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(48).toString("base64")}`;
    const expiration = new Date(this.clock.now().getTime() + durationSeconds * 1000);
    this.issued.set(accessKeyId, { accountId, secret: { accessKeyId, secretAccessKey, sessionToken }, callerArn, expiration });
    return { accessKeyId, secretAccessKey, sessionToken, expiration };
  }
}

export type HeadVerdict = { ok: true; auth: SignedAuth; key: KnownKey } | { ok: false; error: AwsError };

/** Everything the head alone can refuse, checked before the body is read. */
export function authenticateHead(opts: {
  head: RequestHead;
  auth: ParsedAuth;
  dialect: Dialect;
  keys: KeyStore;
  clock: EmuClock;
  /** The real wall clock (tests of the window may pass another). */
  wallNow?: Date;
}): HeadVerdict {
  const { auth, dialect: d } = opts;
  const fail = (error: AwsError): HeadVerdict => ({ ok: false, error });
  if (auth.kind === "none") return fail(missingAuthentication(d));
  if (auth.kind === "malformed") return fail(malformedAuth(d, auth.message));
  const key = opts.keys.lookup(auth.accessKeyId);
  if (!key) return fail(unknownKey(d));
  // A long-term key takes no session token at all; a temporary one only its own.
  if (auth.sessionToken !== key.secret.sessionToken) return fail(invalidToken(d));
  const timeError = signingTimeError(auth, d, opts.wallNow ?? new Date());
  if (timeError) return fail(timeError);
  // Temporary keys expire on the emulator's clock, so advancing it far enough expires them as time would.
  if (key.expiration && key.expiration.getTime() <= opts.clock.now().getTime()) return fail(expiredToken(d));
  return { ok: true, auth, key };
}

/** Header signatures: within 15 minutes of now. Presigned URLs: from X-Amz-Date (15 minutes' grace) to X-Amz-Expires. */
function signingTimeError(auth: SignedAuth, d: Dialect, now: Date): AwsError | undefined {
  const signedAt = parseAmzDate(auth.amzDate);
  if (!signedAt) {
    return malformedAuth(d, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'", got '${auth.amzDate}'`);
  }
  const early = signedAt.getTime() - now.getTime();
  if (auth.kind === "header") {
    return Math.abs(early) > MAX_SKEW_MS ? requestTimeSkewed(d, auth.amzDate, now) : undefined;
  }
  const expires = auth.expiresSeconds ?? 0;
  if (expires > MAX_PRESIGN_SECONDS) {
    return new Err("AuthorizationQueryParametersError", `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_SECONDS}`, 400);
  }
  if (early > MAX_SKEW_MS) return presignNotYetValid(d, signedAt, expires, now);
  if (signedAt.getTime() + expires * 1000 < now.getTime()) return presignExpired(d, signedAt, expires, now);
  return undefined;
}

/**
 * The signature recomputed over the body as read, and the body's declared
 * hash checked against it; the payload the service gets (aws-chunked framing
 * removed) or the refusal.
 */
export async function verifyPayload(opts: {
  head: RequestHead;
  auth: SignedAuth;
  key: KnownKey;
  body: Buffer;
  dialect: Dialect;
}): Promise<{ ok: true; payload: Buffer } | { ok: false; error: AwsError }> {
  const { head, auth, body, dialect: d } = opts;
  const received = { method: head.method, rawPath: head.rawPath, query: head.query, headers: head.headers, body };
  if (!(await verifySignature(received, auth, opts.key.secret))) return { ok: false, error: signatureMismatch(d) };
  // The signature covers the declared payload hash; the body must match it.
  const declared = auth.kind === "header" ? head.headers["x-amz-content-sha256"] : undefined;
  if (declared && /^[0-9a-f]{64}$/.test(declared) && declared !== sha256Hex(body)) {
    const error =
      d === "s3"
        ? new Err("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", 400)
        : signatureMismatch(d);
    return { ok: false, error };
  }
  const chunked = declared?.startsWith("STREAMING-") || head.headers["content-encoding"]?.includes("aws-chunked");
  return { ok: true, payload: d === "s3" && chunked ? decodeAwsChunked(body) : body };
}
