/**
 * Injected faults: latency, per account+region+operation rate limits (token
 * buckets), random server errors from a seeded PRNG, and `denied` calls, each
 * answered in the shape the real service uses.
 */
import type { FixtureAccount, FixtureFaults } from "./fixture-types";
import { AwsError, type EmuClock, type ServiceName } from "./types";
import { seededRandom } from "../util/random";
import type { Dialect } from "./http/errors";

export interface LocalAwsStats {
  /** Calls that reached a known operation (after signature checks). */
  calls: number;
  /** Calls answered with the service's throttling error. */
  throttled: number;
  /** "service:Operation" -> calls. */
  byOperation: Record<string, number>;
}

/** IAM and STS are global services: their limits are kept under us-east-1 whatever the signing region. */
export function rateLimitRegion(service: ServiceName, region: string): string {
  return service === "iam" || service === "sts" ? "us-east-1" : region;
}

interface Bucket {
  tokens: number;
  atMs: number;
}

export class FaultInjector {
  private faults: FixtureFaults = {};
  private buckets = new Map<string, Bucket>();
  private random: () => number = Math.random;

  constructor(
    faults: FixtureFaults | undefined,
    private readonly clock: EmuClock,
  ) {
    this.set(faults);
  }

  /** Replace all faults at runtime; buckets refill and the PRNG restarts from the seed. */
  set(faults: FixtureFaults | undefined): void {
    this.faults = { ...(faults ?? {}) };
    this.buckets.clear();
    this.random = seededRandom(this.faults.seed ?? 1);
  }

  get current(): FixtureFaults {
    return { ...this.faults };
  }

  get latencyMs(): number {
    return Math.max(0, this.faults.latencyMs ?? 0);
  }

  /** Take one token for this key; false when the bucket is empty (the call is throttled). */
  takeToken(accountId: string, region: string, operation: string): boolean {
    const rate = this.faults.ratePerSecond ?? 0;
    if (!(rate > 0)) return true;
    const burst = this.faults.burst && this.faults.burst > 0 ? this.faults.burst : Math.max(1, Math.ceil(rate));
    const key = `${accountId}|${region}|${operation}`;
    const nowMs = this.clock.now().getTime();
    const bucket = this.buckets.get(key) ?? { tokens: burst, atMs: nowMs };
    bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, nowMs - bucket.atMs) * rate) / 1000);
    bucket.atMs = nowMs;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whether this call is one of the `errorRate` share answered with a server error. */
  rollServerError(): boolean {
    const rate = this.faults.errorRate ?? 0;
    return rate > 0 && this.random() < rate;
  }
}

/** Whether the account's `denied` list refuses this call. */
export function isDenied(account: FixtureAccount | undefined, service: ServiceName, region: string, operation: string): boolean {
  return (account?.denied ?? []).some(
    (d) =>
      d.service === service &&
      // IAM and STS are global, so a region on their entry cannot narrow it.
      (d.region === undefined || rateLimitRegion(service, d.region) === rateLimitRegion(service, region)) &&
      (d.operation === "*" || d.operation === operation),
  );
}

export function throttlingError(d: Dialect): AwsError {
  switch (d) {
    case "json":
      return new AwsError("ThrottlingException", "Rate exceeded", 429);
    case "s3":
      return new AwsError("SlowDown", "Please reduce your request rate.", 503);
    case "query":
      return new AwsError("Throttling", "Rate exceeded", 400);
  }
}

export function serverError(d: Dialect): AwsError {
  switch (d) {
    case "json":
      return new AwsError("InternalServerException", "Internal server error", 500);
    case "s3":
      return new AwsError("InternalError", "We encountered an internal error. Please try again.", 500);
    case "query":
      return new AwsError("ServiceFailure", "The request processing has failed because of an unknown error, exception or failure.", 500);
  }
}

/** AccessDenied as each service words it. `resource` is the ARN the call acts on. */
export function accessDeniedError(d: Dialect, call: { service: ServiceName; callerArn: string; operation: string; resource: string }): AwsError {
  const action = `${call.service}:${call.operation}`;
  const message = `User: ${call.callerArn} is not authorized to perform: ${action} on resource: ${call.resource} because no identity-based policy allows the ${action} action`;
  switch (d) {
    case "json":
      return new AwsError("AccessDeniedException", message, 403);
    case "s3":
      return new AwsError("AccessDenied", "Access Denied", 403);
    case "query":
      return new AwsError("AccessDenied", message, 403);
  }
}

/**
 * The fault this call meets, in the order AWS's own would hit it: latency
 * first (every call waits), then a `denied` entry, then the rate limit, then
 * a random server error; undefined when the call goes through.
 */
export async function injectedFault(opts: {
  faults: FaultInjector;
  stats: LocalAwsStats;
  account: FixtureAccount | undefined;
  req: { service: ServiceName; region: string; accountId: string; callerArn: string };
  dialect: Dialect;
  operation: string;
  /** The ARN the call acts on, for the AccessDenied message. */
  resource: () => string;
}): Promise<AwsError | undefined> {
  const { faults, req, operation, dialect } = opts;
  if (faults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
  if (isDenied(opts.account, req.service, req.region, operation)) {
    return accessDeniedError(dialect, { service: req.service, callerArn: req.callerArn, operation, resource: opts.resource() });
  }
  if (!faults.takeToken(req.accountId, rateLimitRegion(req.service, req.region), operation)) {
    opts.stats.throttled++;
    return throttlingError(dialect);
  }
  if (faults.rollServerError()) return serverError(dialect);
  return undefined;
}
