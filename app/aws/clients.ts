/**
 * One place that builds the AWS SDK clients the audit and the fixer use, with
 * the same retry policy and a shared call counter.
 *
 * Without `endpoint` the SDK's own configuration applies (including
 * AWS_ENDPOINT_URL, which the SDK honours itself); with one (the local AWS),
 * only the endpoint (and S3 path-style addressing) changes.
 */
import { IAMClient } from "@aws-sdk/client-iam";
import { QBusinessClient } from "@aws-sdk/client-qbusiness";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@aws-sdk/types";

export interface AwsClients {
  qbusiness: QBusinessClient;
  iam: IAMClient;
  sts: STSClient;
  s3: S3Client;
}

export interface AwsClientOptions {
  region: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  endpoint?: string;
  /** Attempts per request including the first (default 8). */
  maxAttempts?: number;
  /** Default "adaptive": client-side rate limiting on top of backoff with jitter. */
  retryMode?: "standard" | "adaptive" | "legacy";
  /** Counter shared by every client of one audit (default: a new one). */
  stats?: AwsCallStats;
  /** The account these clients act in: labels the per-bucket counts (`AwsCallStats.byBucket`). */
  accountId?: string;
}

export const DEFAULT_MAX_ATTEMPTS = 8;

/** IAM is global: its endpoint signs for us-east-1 whatever the audited region. */
export const IAM_SIGNING_REGION = "us-east-1";

const THROTTLING_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "RequestThrottled",
  "RequestThrottledException",
]);

/**
 * HTTP attempts made by the SDK (retries included), by "service:Operation",
 * and how many of them were throttled.
 */
export class AwsCallStats {
  calls = 0;
  throttled = 0;
  /** Attempts answered with a 5xx server error (InternalServerException, ...): the SDK retries them. */
  serverErrors = 0;
  byOperation: Record<string, number> = {};
  /** HTTP attempts awaiting their answer now, and the most there ever were at once. */
  inFlight = 0;
  peakInFlight = 0;
  /**
   * Attempts and throttled attempts per rate-limit bucket, keyed
   * "account|region|service:Operation" (IAM and STS count under us-east-1, the
   * region their clients sign for): what a per-bucket lower bound is computed from.
   */
  byBucket: Record<string, { calls: number; throttled: number }> = {};

  record(operation: string, bucket?: string): void {
    this.calls++;
    this.byOperation[operation] = (this.byOperation[operation] ?? 0) + 1;
    if (bucket) (this.byBucket[bucket] ??= { calls: 0, throttled: 0 }).calls++;
  }

  recordThrottled(bucket?: string): void {
    this.throttled++;
    if (bucket) (this.byBucket[bucket] ??= { calls: 0, throttled: 0 }).throttled++;
  }

  snapshot(): {
    apiCalls: number;
    throttled: number;
    byOperation: Record<string, number>;
    byBucket: Record<string, { calls: number; throttled: number }>;
    peakInFlight: number;
    serverErrors: number;
  } {
    const byBucket = Object.fromEntries(Object.entries(this.byBucket).map(([k, v]) => [k, { ...v }]));
    return { apiCalls: this.calls, throttled: this.throttled, byOperation: { ...this.byOperation }, byBucket, peakInFlight: this.peakInFlight, serverErrors: this.serverErrors };
  }
}

export function isThrottlingError(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return !!e && (THROTTLING_CODES.has(e.name ?? "") || e.$metadata?.httpStatusCode === 429);
}

type Middlewareable = QBusinessClient | IAMClient | STSClient | S3Client;

/**
 * Count each HTTP attempt. Placed right after the retry middleware, so it sees
 * every attempt and the parsed error of each one.
 */
function countCalls(client: Middlewareable, service: string, stats: AwsCallStats, bucketPrefix: string | undefined): void {
  client.middlewareStack.addRelativeTo(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (next: any, context: any) => async (args: any) => {
      const operation = `${service}:${String(context.commandName ?? "Unknown").replace(/Command$/, "")}`;
      const bucket = bucketPrefix ? `${bucketPrefix}|${operation}` : undefined;
      stats.record(operation, bucket);
      stats.peakInFlight = Math.max(stats.peakInFlight, ++stats.inFlight);
      try {
        return await next(args);
      } catch (error) {
        if (isThrottlingError(error)) stats.recordThrottled(bucket);
        else if (((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0) >= 500) stats.serverErrors++;
        throw error;
      } finally {
        stats.inFlight--;
      }
    },
    { name: "qbrCallStats", relation: "after", toMiddleware: "retryMiddleware", override: true },
  );
}

/** The SDK clients for one region and one set of credentials. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const stats = options.stats ?? new AwsCallStats();
  const common = {
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: options.retryMode ?? "adaptive",
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const clients: AwsClients = {
    // The SDK gives Q Business a fresh HTTP/2 session (a new connection) per request, for Chat's
    // event streams; plain requests multiplexed on one session save a handshake each (event streams
    // still get their own session).
    qbusiness: new QBusinessClient({ ...common, region: options.region, requestHandler: { disableConcurrentStreams: false } }),
    iam: new IAMClient({ ...common, region: IAM_SIGNING_REGION }),
    sts: new STSClient({ ...common, region: options.region }),
    s3: new S3Client({ ...common, region: options.region, ...(options.endpoint ? { forcePathStyle: true } : {}) }),
  };
  const bucket = (region: string) => (options.accountId ? `${options.accountId}|${region}` : undefined);
  countCalls(clients.qbusiness, "qbusiness", stats, bucket(options.region));
  countCalls(clients.iam, "iam", stats, bucket(IAM_SIGNING_REGION));
  countCalls(clients.sts, "sts", stats, bucket(IAM_SIGNING_REGION));
  countCalls(clients.s3, "s3", stats, bucket(options.region));
  return clients;
}

/** Release the clients' sockets (the CLI exits sooner; tests do not leak handles). */
export function destroyAwsClients(clients: AwsClients): void {
  clients.qbusiness.destroy();
  clients.iam.destroy();
  clients.sts.destroy();
  clients.s3.destroy();
}

/** The AWS error as the audit records it: SDK error name and message. */
export function awsErrorInfo(error: unknown, operation?: string): { code: string; message: string; operation?: string } {
  // SDK service errors carry the AWS code as their name; network errors (ECONNREFUSED, ...) as `code`.
  const e = error as { name?: string; code?: string; Code?: string; message?: string } | undefined;
  const code = e?.name && e.name !== "Error" ? e.name : e?.code ?? e?.Code ?? "Error";
  return { code, message: e?.message ?? String(error), ...(operation ? { operation } : {}) };
}
