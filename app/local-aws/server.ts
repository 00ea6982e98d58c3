/**
 * The local AWS's HTTP front, as a pipeline over the modules in ./http:
 * parse the head, route it to a service (http/route.ts), authenticate what
 * the head can tell (http/authenticate.ts) before reading any body, read the
 * body under the service's cap, verify the signature over it, then inject
 * faults (faults.ts) and hand the call to the service module. Every call that
 * reaches an operation is counted and logged (request-log.ts). State (the
 * fleet, keys, faults) lives apart from the wire handlers.
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Fixture, FixtureFaults } from "./fixture-types";
import { AwsError, type EmuClock, type EmuRequest, type EmuResponse, type Emulator, type ServiceModule } from "./types";
import { carryInFlightJobs, createClock } from "./clock";
import { FaultInjector, injectedFault, serverError, type LocalAwsStats } from "./faults";
import { parseAuth } from "./sigv4";
import { RequestLog, iamActionOf, type RequestLogEntry } from "./request-log";
import { parseHead, readBody, safeDecode, type IncomingRequest, type OutgoingResponse, type RequestHead } from "./http/parse";
import { KeyStore, authenticateHead, verifyPayload, type KnownKey, type SignedAuth } from "./http/authenticate";
import { bodyTooLarge, dialectOf, jsonError, renderError } from "./http/errors";
import { listen, send } from "./http/listen";
import { SERVICES, UNSIGNED_PEEK_BYTES, maxBodyBytesOf, resourceOf, signedService, unknownOperation, unsignedNeedsBody, unsignedService } from "./http/route";
import { localOnly } from "./local-only";

export { renderError } from "./http/errors";

export interface LocalAws extends Emulator {
  close(): Promise<void>;
  readonly stats: LocalAwsStats;
  /** Every call that reached an operation, in order, with the IAM action it needs and its status. */
  readonly requests: readonly RequestLogEntry[];
  /** Empty `requests` (e.g. before the run whose calls a test inspects). */
  clearRequests(): void;
  /** Replace the injected faults (latency, rate limit, error rate) while running. */
  setFaults(faults: FixtureFaults | undefined): void;
}

/** The emulator's state the front door works on. */
interface Front {
  emulator: Emulator;
  keys: KeyStore;
  faults: FaultInjector;
  stats: LocalAwsStats;
  log: RequestLog;
}

/** What came of one request: the answer, for which service, and whether its body was left unread. */
interface Outcome {
  module?: ServiceModule;
  response: EmuResponse;
  abandonBody: boolean;
}

/** Start the HTTP front over an already validated, already copied fleet. */
export async function serveLocalAws(fleet: Fixture, opts: { port?: number; host?: string } = {}): Promise<LocalAws> {
  const clock: EmuClock = createClock();
  carryInFlightJobs(fleet, clock.now());
  let endpoint = "";
  const keys = new KeyStore((accountId) => fleet.accounts.some((a) => a.accountId === accountId), clock);
  const emulator = {
    fleet,
    clock,
    get endpoint() {
      return endpoint;
    },
    newId: () => randomUUID(),
    account: (accountId: string) => fleet.accounts.find((a) => a.accountId === accountId),
    issueCredentials(accountId: string, assumedRoleArn: string, sessionName: string, durationSeconds = 3600) {
      return keys.issue(accountId, sessionArn(accountId, assumedRoleArn, sessionName), durationSeconds);
    },
  } satisfies Emulator;
  const front: Front = {
    emulator,
    keys,
    faults: new FaultInjector(fleet.faults, clock),
    stats: { calls: 0, throttled: 0, byOperation: {} },
    log: new RequestLog(),
  };
  const listening = await listen((raw, res) => void onRequest(front, raw, res), opts);
  endpoint = listening.endpoint;

  return Object.assign(emulator, {
    stats: front.stats,
    requests: front.log.entries,
    clearRequests: () => front.log.clear(),
    setFaults(next: FixtureFaults | undefined) {
      front.faults.set(next);
      // Keep the live state reading like a fixture of what the emulator now does.
      if (next) fleet.faults = { ...next };
      else delete fleet.faults;
    },
    close: () => listening.close(),
  });
}

function sessionArn(accountId: string, roleOrSessionArn: string, sessionName: string): string {
  if (roleOrSessionArn.includes(":assumed-role/")) return roleOrSessionArn;
  const roleName = roleOrSessionArn.split("/").pop() ?? roleOrSessionArn;
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

async function onRequest(front: Front, raw: IncomingRequest, res: OutgoingResponse): Promise<void> {
  const requestId = randomUUID();
  const head = parseHead(raw);
  try {
    const outcome = await answer({ front, raw, res, head, requestId });
    const response = withRequestId(outcome, requestId);
    send(raw, res, response, { isHead: head.method === "HEAD", abandonBody: outcome.abandonBody && !raw.complete });
  } catch (error) {
    console.error("local-aws: request failed:", error);
    if (!res.headersSent) (res as ServerResponse).writeHead(500, { "content-type": "text/plain", connection: "close" });
    res.end("local-aws internal error");
  }
}

function withRequestId(outcome: Outcome, requestId: string): EmuResponse {
  const headers: Record<string, string> = { ...(outcome.response.headers ?? {}) };
  const s3 = outcome.module && dialectOf(outcome.module.protocol) === "s3";
  if (outcome.module && s3 && !headers["x-amz-request-id"]) headers["x-amz-request-id"] = requestId;
  if (outcome.module && !s3 && !headers["x-amzn-requestid"]) headers["x-amzn-requestid"] = requestId;
  return { ...outcome.response, headers };
}

interface Exchange {
  front: Front;
  raw: IncomingRequest;
  res: OutgoingResponse;
  head: RequestHead;
  requestId: string;
}

/** Route, authenticate, read the body, verify; then the call proper. Refusals before the body leave it unread. */
async function answer(x: Exchange): Promise<Outcome> {
  const { head, requestId } = x;
  // What tests and the demo read that no AWS API shows (SNS messages): under /_local/ only, GET only, never an AWS path.
  const local = localOnly(head, x.front.emulator);
  if (local) return { response: local, abandonBody: true };
  const auth = parseAuth(head.headers, head.query);
  let module: ServiceModule;
  if (auth.kind === "header" || auth.kind === "query") {
    const named = signedService(auth);
    if (!named) {
      const error = new AwsError("UnrecognizedServiceException", `The local AWS serves ${Object.keys(SERVICES).join(", ")} only.`, 400);
      return { response: jsonError(error, requestId), abandonBody: true };
    }
    module = named;
  } else {
    // Only the start of a body is read to tell which service an unsigned call is for.
    const peek = unsignedNeedsBody(head) && !head.expectsContinue ? await readBody(x.raw, UNSIGNED_PEEK_BYTES) : undefined;
    module = unsignedService(head, peek?.body ?? Buffer.alloc(0));
  }
  const refuse = (error: AwsError, abandonBody: boolean): Outcome => ({
    module,
    response: renderError(module, error, requestId, head.method),
    abandonBody,
  });
  const dialect = dialectOf(module.protocol);
  const verdict = authenticateHead({ head, auth, dialect, keys: x.front.keys, clock: x.front.emulator.clock });
  if (!verdict.ok) return refuse(verdict.error, true);

  const max = maxBodyBytesOf(module);
  const declared = declaredBodyBytes(head);
  if (declared !== undefined && declared > max) return refuse(bodyTooLarge(dialect, declared, max), true);
  if (head.expectsContinue) x.res.writeContinue();
  const read = await readBody(x.raw, framedCap(head, max));
  if (!read.complete) return refuse(bodyTooLarge(dialect, undefined, max), true);

  const checked = await verifyPayload({ head, auth: verdict.auth, key: verdict.key, body: read.body, dialect });
  if (!checked.ok) return refuse(checked.error, false);
  const req = emuRequest({ module, head, auth: verdict.auth, key: verdict.key, payload: checked.payload, requestId });
  const operation = module.operationOf(req);
  if (!operation) return refuse(unknownOperation(module, req), false);
  return { module, response: await call(x.front, module, operation, req), abandonBody: false };
}

/** The body's size as the client declares it (S3's aws-chunked uploads say the decoded size apart). */
function declaredBodyBytes(head: RequestHead): number | undefined {
  const decoded = head.headers["x-amz-decoded-content-length"];
  if (decoded !== undefined && /^\d+$/.test(decoded)) return Number(decoded);
  return head.contentLength;
}

/** The cap while reading: aws-chunked framing (sizes, signatures, trailers) comes on top of the payload. */
function framedCap(head: RequestHead, max: number): number {
  const chunked = head.headers["content-encoding"]?.includes("aws-chunked") || head.headers["x-amz-content-sha256"]?.startsWith("STREAMING-");
  return chunked ? Math.ceil(max * 1.01) + 64 * 1024 : max;
}

function emuRequest(opts: { module: ServiceModule; head: RequestHead; auth: SignedAuth; key: KnownKey; payload: Buffer; requestId: string }): EmuRequest {
  const { head, auth, key } = opts;
  return {
    service: opts.module.service,
    region: auth.region,
    accountId: key.accountId,
    accessKeyId: auth.accessKeyId,
    callerArn: key.callerArn,
    method: head.method,
    path: safeDecode(head.rawPath),
    rawPath: head.rawPath,
    query: head.query,
    headers: head.headers,
    body: opts.payload,
    requestId: opts.requestId,
  };
}

/** A call that reached an operation: counted, faulted or answered by its service, and logged with its status. */
async function call(front: Front, module: ServiceModule, operation: string, req: EmuRequest): Promise<EmuResponse> {
  const { stats } = front;
  stats.calls++;
  const opKey = `${req.service}:${operation}`;
  stats.byOperation[opKey] = (stats.byOperation[opKey] ?? 0) + 1;
  const response = await dispatch(front, module, operation, req);
  front.log.add({
    service: req.service,
    operation,
    action: iamActionOf(req.service, operation),
    accountId: req.accountId,
    region: req.region,
    status: response.status,
  });
  return response;
}

async function dispatch(front: Front, module: ServiceModule, operation: string, req: EmuRequest): Promise<EmuResponse> {
  const dialect = dialectOf(module.protocol);
  const fail = (error: AwsError) => renderError(module, error, req.requestId, req.method);
  const fault = await injectedFault({
    faults: front.faults,
    stats: front.stats,
    account: front.emulator.account(req.accountId),
    req,
    dialect,
    operation,
    resource: () => resourceOf(req),
  });
  if (fault) return fail(fault);
  try {
    return await module.handle(operation, req, front.emulator);
  } catch (error) {
    if (error instanceof AwsError) return fail(error);
    console.error(`local-aws: ${req.service}:${operation} failed:`, error);
    return fail(serverError(dialect));
  }
}
