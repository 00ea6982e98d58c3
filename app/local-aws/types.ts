/**
 * The contract between the local AWS's HTTP front (server.ts: SigV4, faults,
 * routing, error rendering) and its service modules (qbusiness.ts, iam.ts,
 * sts.ts, s3.ts). A service module exports a `ServiceModule`.
 */
import type { Fixture } from "./fixture-types";

export type ServiceName = "qbusiness" | "iam" | "sts" | "s3" | "organizations" | "securityhub" | "sns";
export type Protocol = "restJson1" | "awsJson1_0" | "awsJson1_1" | "awsQuery" | "restXml";

/** A request that has passed signature verification. */
export interface EmuRequest {
  service: ServiceName;
  /** Region from the SigV4 credential scope (IAM and STS: as signed, usually us-east-1). */
  region: string;
  /** The account the access key belongs to. */
  accountId: string;
  accessKeyId: string;
  /** The caller's principal ARN (root of the account, or the assumed-role session). */
  callerArn: string;
  method: string;
  /** Decoded path without the query string, e.g. /applications/abc/indices. */
  path: string;
  /** Raw path as received (percent-encoded). */
  rawPath: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
  requestId: string;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * An error as AWS answers it. server.ts renders it in the service's protocol:
 * restJson1: `x-amzn-errortype: <code>` header + JSON `{message, ...fields}`;
 * awsQuery: `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`;
 * restXml: `<Error><Code/><Message/><RequestId/></Error>`.
 */
export class AwsError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status: number,
    /** Extra members of the error shape (restJson1), e.g. resourceId, resourceType, reason, fields. */
    public readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = code;
  }
}

/** The emulator's clock: real time (plus any test advance), the product's one clock (ADR 0008). */
export interface EmuClock {
  now(): Date;
  /** Tests and demos may jump the clock forward (e.g. to finish a sync). */
  advance(ms: number): void;
}

/** What every service module sees of the emulator. */
export interface Emulator {
  /** Live fleet state, in fixture shapes, mutated in place by write operations. */
  readonly fleet: Fixture;
  readonly clock: EmuClock;
  /** The http://127.0.0.1:PORT the emulator listens on. */
  readonly endpoint: string;
  /** Deterministic-enough id source for new resources (36-char ids, execution ids). */
  newId(): string;
  /** Find an account of the fleet; undefined when not in the fixture. */
  account(accountId: string): Fixture["accounts"][number] | undefined;
  /** Temporary credentials issued by STS AssumeRole (accessKeyId -> secret, account, session arn). */
  issueCredentials(
    accountId: string,
    assumedRoleArn: string,
    sessionName: string,
    durationSeconds?: number,
  ): {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: Date;
  };
}

export interface ServiceModule {
  service: ServiceName;
  protocol: Protocol;
  /** awsQuery services: the API version every request carries (IAM 2010-05-08) and the XML namespace of answers. */
  apiVersion?: string;
  xmlns?: string;
  /**
   * The largest request body this service takes, checked from Content-Length
   * before the body is read and while it streams; 1 MiB when omitted.
   */
  maxBodyBytes?: number;
  /**
   * Whether an unsigned request (no credential scope to name its service) is
   * for this service, from its head and the first bytes of its body; S3 takes
   * whatever no service claims. Lets an unsigned call get this service's refusal.
   */
  claimsUnsigned?(head: { method: string; rawPath: string; headers: Record<string, string> }, bodyStart: Buffer): boolean;
  /** The operation name this request asks for (used for faults, rate limits, `denied`), or undefined when unknown. */
  operationOf(req: EmuRequest): string | undefined;
  /** Answer the request; throw AwsError for AWS errors. */
  handle(operation: string, req: EmuRequest, emu: Emulator): Promise<EmuResponse> | EmuResponse;
}
