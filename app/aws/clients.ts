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
import http from "node:http";
import https from "node:https";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { readDocumentPagesDirectly } from "./document-pages";
import { iamActionOf } from "./vocabulary";

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
  /**
   * Default "standard": backoff with jitter. The audit paces each rate-limit bucket
   * itself (RatePacing); "adaptive" would slow every operation of a client when one throttles.
   */
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

  /** The audit's pacing of rate-limit buckets, when it paces them (set by RatePacing). */
  pacing: RatePacing | undefined;

  private readonly attemptListeners: ((bucket: string, throttled: boolean) => void)[] = [];

  /** Be told how each attempt of a labelled client ended (throttled or not): what RatePacing learns from. */
  onAttempt(listener: (bucket: string, throttled: boolean) => void): void {
    this.attemptListeners.push(listener);
  }

  attemptEnded(bucket: string | undefined, throttled: boolean): void {
    if (bucket) for (const listener of this.attemptListeners) listener(bucket, throttled);
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
    return {
      apiCalls: this.calls,
      throttled: this.throttled,
      byOperation: { ...this.byOperation },
      byBucket,
      peakInFlight: this.peakInFlight,
      serverErrors: this.serverErrors,
    };
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
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one middleware for four clients whose middleware types differ; it reads only commandName
    (next: any, context: any) => async (args: any) => {
      const operation = iamActionOf(service, String(context.commandName ?? "Unknown"));
      const bucket = bucketPrefix ? `${bucketPrefix}|${operation}` : undefined;
      for (let pacedRetries = 0; ; pacedRetries++) {
        stats.record(operation, bucket);
        stats.peakInFlight = Math.max(stats.peakInFlight, ++stats.inFlight);
        let throttled = false;
        try {
          const result = await next(args);
          stats.attemptEnded(bucket, false);
          return result;
        } catch (error) {
          throttled = isThrottlingError(error);
          if (throttled) stats.recordThrottled(bucket);
          else if (((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0) >= 500) stats.serverErrors++;
          stats.attemptEnded(bucket, throttled);
          // Paced clients: a throttled attempt goes again when its bucket's pace (just lowered by this
          // very throttle) lets it, instead of the SDK's exponential backoff; past a few, the SDK's retries take over.
          if (!(throttled && bucket && stats.pacing && pacedRetries < MAX_PACED_RETRIES)) throw error;
        } finally {
          stats.inFlight--;
        }
        await stats.pacing.pace(bucket);
      }
    },
    { name: "qbrCallStats", relation: "after", toMiddleware: "retryMiddleware", override: true },
  );
}

/** An HTTP/1.1 handler on kept-alive sockets (as many as the SDK's default handler allows). */
function keptAliveHttp1(): NodeHttpHandler {
  return new NodeHttpHandler({
    httpAgent: new http.Agent({ keepAlive: true, maxSockets: 50 }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 50 }),
  });
}

/** The SDK clients for one region and one set of credentials. */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const stats = options.stats ?? new AwsCallStats();
  const common = {
    credentials: options.credentials,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: options.retryMode ?? "standard",
    // The SDK resolves (copies and sorts) a command's middleware stack on every send unless told to keep it:
    // an audit sends tens of thousands of requests of a dozen commands (issue 15 item 5, ADR 0017).
    cacheMiddleware: true,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
  const clients: AwsClients = {
    // The SDK gives Q Business a fresh HTTP/2 session (a new connection) per request, for Chat's
    // event streams, which the product never opens. Its plain REST requests go over HTTP/1.1 on
    // kept-alive sockets, as IAM's and STS's do: Node's HTTP/2 client costs more CPU and memory per
    // request than a reused HTTP/1.1 socket (ADR 0017).
    qbusiness: new QBusinessClient({ ...common, region: options.region, requestHandler: keptAliveHttp1() }),
    iam: new IAMClient({ ...common, region: IAM_SIGNING_REGION }),
    sts: new STSClient({ ...common, region: options.region }),
    s3: new S3Client({ ...common, region: options.region, ...(options.endpoint ? { forcePathStyle: true } : {}) }),
  };
  const bucket = (region: string) => (options.accountId ? `${options.accountId}|${region}` : undefined);
  countCalls(clients.qbusiness, "qbusiness", stats, bucket(options.region));
  countCalls(clients.iam, "iam", stats, bucket(IAM_SIGNING_REGION));
  countCalls(clients.sts, "sts", stats, bucket(IAM_SIGNING_REGION));
  countCalls(clients.s3, "s3", stats, bucket(options.region));
  for (const client of [clients.qbusiness, clients.iam, clients.sts]) shareSigner(client);
  readDocumentPagesDirectly(clients.qbusiness);
  return clients;
}

type SignerProvider = (authScheme?: { name?: string; signingRegion?: string; signingName?: string }) => Promise<unknown>;

/**
 * One SigV4 signer per client (and auth scheme) instead of one per request: the SDK's default builds
 * a new SignatureV4 from a copy of the whole client configuration for every request it signs. The
 * signer keeps no per-request state (it reads the credentials' provider at each signing), so sharing
 * it changes no signature (ADR 0017).
 */
function shareSigner(client: QBusinessClient | IAMClient | STSClient): void {
  const config = client.config as unknown as { signer?: SignerProvider };
  const original = config.signer;
  if (typeof original !== "function") return;
  const signers = new Map<string, Promise<unknown>>();
  config.signer = (authScheme) => {
    const key = `${authScheme?.name ?? ""}|${authScheme?.signingRegion ?? ""}|${authScheme?.signingName ?? ""}`;
    let signer = signers.get(key);
    if (!signer) {
      signer = original(authScheme);
      signers.set(key, signer);
      signer.catch(() => signers.delete(key));
    }
    return signer;
  };
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
  const code = e?.name && e.name !== "Error" ? e.name : (e?.code ?? e?.Code ?? "Error");
  return { code, message: e?.message ?? String(error), ...(operation ? { operation } : {}) };
}

/** Throttled attempts a paced client sends again itself before the SDK's own retries see the throttle. */
const MAX_PACED_RETRIES = 10;

/** Longest a throttled bucket's measured rate looks back. */
const PACE_WINDOW_MS = 1000;
/** Slowest pace ever set: a bucket throttling everything still gets a request through now and then. */
const MIN_RATE_PER_SECOND = 0.5;

/**
 * The pace of one rate-limit bucket (account + region + operation), learnt
 * from its throttling: unlimited until the first throttle, then the rate the
 * bucket was seen to accept in the last second, a little under it; raised by
 * 5% every second without throttling while requests wait, so a limit that was
 * underestimated (or rises) is found again.
 */
class BucketPace {
  /** Requests per second let through; Infinity until the bucket first throttles. */
  rate = Infinity;
  private tokens = 1;
  private refilledAt = performance.now();
  private readonly waiting: (() => void)[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When recent attempts were accepted (not throttled), oldest first. */
  private readonly accepted: number[] = [];
  private lastCut = -Infinity;
  private lastRaise = -Infinity;

  acquire(): Promise<void> {
    if (this.rate === Infinity && this.waiting.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.release();
    });
  }

  observe(throttled: boolean): void {
    const now = performance.now();
    while (this.accepted.length && this.accepted[0] < now - PACE_WINDOW_MS) this.accepted.shift();
    if (!throttled) {
      this.accepted.push(now);
      return;
    }
    // One cut per half second: the throttles of one burst all answer the same overload.
    if (now - this.lastCut < PACE_WINDOW_MS / 2) return;
    // Measured since the last cut when it is recent: the bucket was empty then, so what it accepted
    // since is its refill rate (the window before the first cut also holds its initial burst).
    const since = Math.max(now - PACE_WINDOW_MS, this.lastCut);
    const measured = (this.acceptedSince(since) * 1000) / (now - since);
    this.rate = Math.max(MIN_RATE_PER_SECOND, Math.min(this.rate, measured) * 0.95);
    this.tokens = Math.min(this.tokens, 1);
    this.lastCut = now;
    this.lastRaise = now;
  }

  private acceptedSince(since: number): number {
    let count = 0;
    for (let i = this.accepted.length - 1; i >= 0 && this.accepted[i] > since; i--) count++;
    return count;
  }

  /** Let waiting requests go as the pace allows; wake up when the next one may. */
  private release(): void {
    if (this.timer) return;
    const now = performance.now();
    // Probe upwards only while the pace is what holds requests back: the bucket took about as many as
    // the pace allowed in the last second. (When slots or answers are the bottleneck, a pace raised
    // unseen would let a flood through once they free up.)
    if (
      this.rate !== Infinity &&
      this.waiting.length &&
      now - this.lastRaise >= PACE_WINDOW_MS &&
      this.acceptedSince(now - PACE_WINDOW_MS) >= 0.9 * this.rate
    ) {
      this.rate *= 1.05;
      this.lastRaise = now;
    }
    // A small allowance (a quarter second's worth) so a pause does not lose the bucket's refill.
    const capacity = Math.max(1, this.rate * 0.25);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.refilledAt) * this.rate) / 1000);
    this.refilledAt = now;
    while (this.waiting.length && (this.rate === Infinity || this.tokens >= 1)) {
      if (this.rate !== Infinity) this.tokens -= 1;
      this.waiting.shift()!();
    }
    if (this.waiting.length) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.release();
        },
        Math.max(1, ((1 - this.tokens) * 1000) / this.rate),
      );
    }
  }
}

/**
 * Client-side pacing per rate-limit bucket, for a whole audit. AWS throttles
 * each account+region+operation on its own; the SDK's adaptive retry mode
 * instead slows a whole client (every operation of a target) when one
 * operation throttles, which starves the others. Each bucket here keeps its
 * own pace, learnt from the throttles the shared AwsCallStats reports.
 */
export class RatePacing {
  private readonly buckets = new Map<string, BucketPace>();

  constructor(stats: AwsCallStats | undefined) {
    if (stats) stats.pacing = this;
    stats?.onAttempt((bucket, throttled) => this.buckets.get(bucket)?.observe(throttled));
  }

  /** Wait until a request of `bucket` ("account|region|service:Operation") may start. */
  pace(bucket: string): Promise<void> {
    return this.bucketPace(bucket).acquire();
  }

  /**
   * Like `pace`, for a request that may then wait a while for a concurrency
   * slot: resolves to a check to make once it holds the slot. True means it
   * was let through while the bucket was still unpaced and a pace has been
   * learnt meanwhile: it should give the slot back and be admitted again, so
   * the first throttle does not find a flood already on its way, and no slot
   * is held by a request waiting for its bucket's pace (which would keep the
   * target's other operations waiting too).
   */
  async admit(bucket: string): Promise<() => boolean> {
    const pace = this.bucketPace(bucket);
    const unpaced = pace.rate === Infinity;
    await pace.acquire();
    return () => unpaced && pace.rate !== Infinity;
  }

  private bucketPace(bucket: string): BucketPace {
    let pace = this.buckets.get(bucket);
    if (!pace) {
      pace = new BucketPace();
      this.buckets.set(bucket, pace);
    }
    return pace;
  }

  /** The learnt rate of a bucket (Infinity: never throttled). */
  rateOf(bucket: string): number {
    return this.buckets.get(bucket)?.rate ?? Infinity;
  }
}

/** The rate-limit bucket of a call: IAM and STS are global, counted under us-east-1. */
export function bucketOf(accountId: string, region: string, operation: string): string {
  const global = operation.startsWith("iam:") || operation.startsWith("sts:");
  return `${accountId}|${global ? IAM_SIGNING_REGION : region}|${operation}`;
}
