/**
 * The local AWS's HTTP front: reads the request, verifies its SigV4 signature
 * against the keys the fleet knows, injects faults, dispatches by the
 * credential scope's service to a service module, and renders AwsErrors in that
 * service's wire protocol.
 */
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { accountCredentials, type Fixture, type FixtureFaults } from "./fixture-types";
import {
  AwsError,
  type EmuClock,
  type EmuRequest,
  type EmuResponse,
  type Emulator,
  type ServiceModule,
  type ServiceName,
} from "./types";
import { createClock } from "./clock";
import {
  FaultInjector,
  accessDeniedError,
  isDenied,
  rateLimitRegion,
  serverError,
  throttlingError,
  type LocalAwsStats,
} from "./faults";
import { parseAmzDate, parseAuth, sha256Hex, verifySignature, type ParsedAuth, type SigningSecret } from "./sigv4";
import { IAM_XMLNS, STS_XMLNS, parseQueryForm, queryErrorBody, s3ErrorBody } from "./xml";
import { RequestLog, iamActionOf, type RequestLogEntry } from "./request-log";
import { qbusinessService } from "./qbusiness";
import { iamService } from "./iam";
import { stsService } from "./sts";
import { s3Service } from "./s3";
import { organizationsService } from "./organizations";

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

const MODULES: Record<ServiceName, ServiceModule> = {
  qbusiness: qbusinessService,
  iam: iamService,
  sts: stsService,
  s3: s3Service,
  organizations: organizationsService,
};

const API_VERSION: Partial<Record<ServiceName, string>> = { iam: "2010-05-08", sts: "2011-06-15" };

interface IssuedCredentials {
  accountId: string;
  secretAccessKey: string;
  sessionToken: string;
  callerArn: string;
  expiration: Date;
}

const FIXED_KEY = /^AKIALOCAL(\d{12})$/;

/** Start the HTTP front over an already validated, already copied fleet. */
export async function serveLocalAws(fleet: Fixture, opts: { port?: number; host?: string } = {}): Promise<LocalAws> {
  const clock: EmuClock = createClock(fleet.clock);
  const faults = new FaultInjector(fleet.faults, clock);
  const issued = new Map<string, IssuedCredentials>();
  const stats: LocalAwsStats = { calls: 0, throttled: 0, byOperation: {} };
  const requestLog = new RequestLog();
  let endpoint = "";

  const emulator: Emulator = {
    fleet,
    clock,
    get endpoint() {
      return endpoint;
    },
    newId: () => randomUUID(),
    account: (accountId) => fleet.accounts.find((a) => a.accountId === accountId),
    issueCredentials(accountId, assumedRoleArn, sessionName, durationSeconds = 3600) {
      const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
      const secretAccessKey = randomBytes(30).toString("base64");
      const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(48).toString("base64")}`;
      const expiration = new Date(clock.now().getTime() + durationSeconds * 1000);
      issued.set(accessKeyId, {
        accountId,
        secretAccessKey,
        sessionToken,
        callerArn: sessionArn(accountId, assumedRoleArn, sessionName),
        expiration,
      });
      return { accessKeyId, secretAccessKey, sessionToken, expiration };
    },
  } as Emulator;

  /** The secret (and session) behind an access key, or undefined for a key nobody issued. */
  function lookupKey(
    accessKeyId: string,
  ): { accountId: string; secret: SigningSecret; callerArn: string; expiration?: Date } | undefined {
    const fixed = FIXED_KEY.exec(accessKeyId);
    if (fixed && emulator.account(fixed[1])) {
      return {
        accountId: fixed[1],
        secret: accountCredentials(fixed[1]),
        callerArn: `arn:aws:iam::${fixed[1]}:root`,
      };
    }
    const temp = issued.get(accessKeyId);
    if (temp) {
      return {
        accountId: temp.accountId,
        secret: { accessKeyId, secretAccessKey: temp.secretAccessKey, sessionToken: temp.sessionToken },
        callerArn: temp.callerArn,
        expiration: temp.expiration,
      };
    }
    return undefined;
  }

  async function answer(
    raw: IncomingRequest,
    body: Buffer,
    requestId: string,
  ): Promise<{ service?: ServiceName; response: EmuResponse }> {
    const url = new URL(raw.url ?? "/", "http://localhost");
    const rawPath = url.pathname;
    const headers = flattenHeaders(raw.headers);
    const method = (raw.method ?? "GET").toUpperCase();
    const auth = parseAuth(headers, url.searchParams);
    const service = serviceOf(auth, method, rawPath, body);
    if (!service) {
      return { response: jsonError(new AwsError("UnrecognizedServiceException", "The local AWS serves qbusiness, iam, sts and s3 only.", 400), requestId) };
    }
    const fail = (error: AwsError) => ({ service, response: renderError(service, error, requestId, method) });

    if (auth.kind === "none") return fail(missingAuthentication(service));
    if (auth.kind === "malformed") return fail(malformedAuth(service, auth.message));

    const key = lookupKey(auth.accessKeyId);
    if (!key) return fail(unknownKey(service));
    if (key.secret.sessionToken !== undefined && auth.sessionToken !== key.secret.sessionToken) {
      return fail(invalidToken(service));
    }
    const received = { method, rawPath, query: url.searchParams, headers, body };
    if (!(await verifySignature(received, auth, key.secret))) return fail(signatureMismatch(service));
    // Temporary keys expire on the emulator's clock, so advancing it far enough expires them as time would.
    if (key.expiration && key.expiration.getTime() <= clock.now().getTime()) return fail(expiredToken(service));

    if (auth.kind === "query") {
      const signedAt = parseAmzDate(auth.amzDate);
      if (!signedAt || signedAt.getTime() + (auth.expiresSeconds ?? 0) * 1000 < clock.now().getTime()) {
        return fail(new AwsError("AccessDenied", "Request has expired", 403, {
          Expires: new Date((signedAt?.getTime() ?? 0) + (auth.expiresSeconds ?? 0) * 1000).toISOString(),
          ServerTime: clock.now().toISOString(),
        }));
      }
    }

    // The signature covers the declared payload hash; the body must match it.
    let payload = body;
    const declared = auth.kind === "header" ? headers["x-amz-content-sha256"] : undefined;
    if (declared && /^[0-9a-f]{64}$/.test(declared) && declared !== sha256Hex(body)) {
      return fail(
        service === "s3"
          ? new AwsError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", 400)
          : signatureMismatch(service),
      );
    }
    if (service === "s3" && (declared?.startsWith("STREAMING-") || headers["content-encoding"]?.includes("aws-chunked"))) {
      payload = decodeAwsChunked(body);
    }

    const req: EmuRequest = {
      service,
      region: auth.region,
      accountId: key.accountId,
      accessKeyId: auth.accessKeyId,
      callerArn: key.callerArn,
      method,
      path: safeDecode(rawPath),
      rawPath,
      query: url.searchParams,
      headers,
      body: payload,
      requestId,
    };
    const module = MODULES[service];
    const operation = module.operationOf(req);
    if (!operation) return fail(unknownOperation(service, req));

    stats.calls++;
    const opKey = `${service}:${operation}`;
    stats.byOperation[opKey] = (stats.byOperation[opKey] ?? 0) + 1;
    const result = await dispatch(module, operation, req);
    requestLog.add({
      service,
      operation,
      action: iamActionOf(service, operation),
      accountId: req.accountId,
      region: req.region,
      status: result.status,
    });
    return { service, response: result };
  }

  async function dispatch(module: ServiceModule, operation: string, req: EmuRequest): Promise<EmuResponse> {
    const service = req.service;
    const fail = (error: AwsError) => renderError(service, error, req.requestId, req.method);
    const opKey = `${service}:${operation}`;
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (isDenied(emulator.account(req.accountId), service, req.region, operation)) {
      return fail(accessDeniedError(service, req.callerArn, operation, resourceOf(req)));
    }
    if (!faults.takeToken(req.accountId, rateLimitRegion(service, req.region), operation)) {
      stats.throttled++;
      return fail(throttlingError(service));
    }
    if (faults.rollServerError()) return fail(serverError(service));

    try {
      return await module.handle(operation, req, emulator);
    } catch (error) {
      if (error instanceof AwsError) return fail(error);
      console.error(`local-aws: ${opKey} failed:`, error);
      return fail(serverError(service));
    }
  }

  const onRequest = (raw: IncomingRequest, res: OutgoingResponse) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", () => {
      const requestId = randomUUID();
      answer(raw, Buffer.concat(chunks), requestId)
        .then(({ service, response }) => send(res, service, response, requestId, raw.method === "HEAD"))
        .catch((error) => {
          console.error("local-aws: request failed:", error);
          if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
          res.end("local-aws internal error");
        });
    });
  };
  // The Q Business client speaks HTTP/2 (it has event-stream operations); the
  // others HTTP/1.1. Both arrive in cleartext on one port, told apart by the
  // HTTP/2 connection preface ("PRI * HTTP/2.0").
  const h1 = http.createServer(onRequest);
  h1.keepAliveTimeout = 5_000;
  const h2 = http2.createServer(onRequest);
  const sockets = new Set<net.Socket>();
  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.once("readable", () => {
      const head: Buffer | null = socket.read();
      if (!head) return socket.destroy();
      socket.unshift(head);
      (head.subarray(0, 3).toString("latin1") === "PRI" ? h2 : h1).emit("connection", socket);
    });
  });

  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const address = front.address() as AddressInfo;
  endpoint = `http://${address.address}:${address.port}`;

  const localAws = Object.assign(emulator, {
    stats,
    requests: requestLog.entries,
    clearRequests: () => requestLog.clear(),
    setFaults(next: FixtureFaults | undefined) {
      faults.set(next);
      // Keep the live state reading like a fixture of what the emulator now does.
      if (next) fleet.faults = { ...next };
      else delete fleet.faults;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        front.close((err) => (err ? reject(err) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  });
  return localAws as LocalAws;
}

function sessionArn(accountId: string, roleOrSessionArn: string, sessionName: string): string {
  if (roleOrSessionArn.includes(":assumed-role/")) return roleOrSessionArn;
  const roleName = roleOrSessionArn.split("/").pop() ?? roleOrSessionArn;
  return `arn:aws:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
}

type IncomingRequest = http.IncomingMessage | http2.Http2ServerRequest;
type OutgoingResponse = http.ServerResponse | http2.Http2ServerResponse;

/** Lower-case headers, one string each; HTTP/2's :authority stands in for Host. */
function flattenHeaders(headers: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // The SDK's HTTP/2 handler signs :authority, so that pseudo-header is kept.
    if (value === undefined || (name.startsWith(":") && name !== ":authority")) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  const authority = headers[":authority"];
  if (out["host"] === undefined && typeof authority === "string") out["host"] = authority;
  return out;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Which service a request is for: the credential scope says so when signed; an
 * unsigned request is recognised by its shape so it gets that service's refusal.
 */
function serviceOf(auth: ParsedAuth, method: string, rawPath: string, body: Buffer): ServiceName | undefined {
  if (auth.kind === "header" || auth.kind === "query") {
    return (Object.keys(MODULES) as ServiceName[]).find((s) => s === auth.service);
  }
  if (rawPath.startsWith("/applications")) return "qbusiness";
  if (method === "POST" && rawPath === "/") {
    const version = parseQueryForm(body)["Version"];
    if (version === API_VERSION.sts) return "sts";
    if (version === API_VERSION.iam) return "iam";
  }
  return "s3";
}

/** Strip aws-chunked framing (`<hex-size>[;chunk-signature=...]\r\n<data>\r\n ... 0\r\n<trailers>`). */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const lineEnd = body.indexOf("\r\n", at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString("latin1").split(";")[0], 16);
    if (!(size > 0)) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function resourceOf(req: EmuRequest): string {
  if (req.service === "qbusiness") {
    const m = /^\/applications\/([^/]+)(?:\/(?:indices|index)\/([^/]+))?/.exec(req.path);
    if (!m) return `arn:aws:qbusiness:${req.region}:${req.accountId}:application/*`;
    const app = `arn:aws:qbusiness:${req.region}:${req.accountId}:application/${m[1]}`;
    return m[2] ? `${app}/index/${m[2]}` : app;
  }
  if (req.service === "s3") return `arn:aws:s3:::${req.path.replace(/^\//, "")}`;
  const params = parseQueryForm(req.body);
  if (params["RoleArn"]) return params["RoleArn"];
  if (params["PolicySourceArn"]) return params["PolicySourceArn"];
  if (params["PolicyArn"]) return params["PolicyArn"];
  if (params["RoleName"]) return `arn:aws:iam::${req.accountId}:role/${params["RoleName"]}`;
  return "*";
}

const INVALID_TOKEN = "The security token included in the request is invalid.";
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

function missingAuthentication(service: ServiceName): AwsError {
  if (service === "qbusiness") return new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
  if (service === "s3") return new AwsError("AccessDenied", "Access Denied", 403);
  return new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
}

function malformedAuth(service: ServiceName, message: string): AwsError {
  if (service === "qbusiness") return new AwsError("IncompleteSignatureException", message, 403);
  if (service === "s3") return new AwsError("AuthorizationQueryParametersError", message, 400);
  return new AwsError("IncompleteSignature", message, 403);
}

function unknownKey(service: ServiceName): AwsError {
  if (service === "qbusiness") return new AwsError("UnrecognizedClientException", INVALID_TOKEN, 403);
  if (service === "s3") {
    return new AwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403);
  }
  return new AwsError("InvalidClientTokenId", INVALID_TOKEN, 403);
}

function invalidToken(service: ServiceName): AwsError {
  if (service === "qbusiness") return new AwsError("UnrecognizedClientException", INVALID_TOKEN, 403);
  if (service === "s3") return new AwsError("InvalidToken", "The provided token is malformed or otherwise invalid.", 400);
  return new AwsError("InvalidClientTokenId", INVALID_TOKEN, 403);
}

function expiredToken(service: ServiceName): AwsError {
  if (service === "qbusiness") return new AwsError("ExpiredTokenException", "The security token included in the request is expired", 403);
  if (service === "s3") return new AwsError("ExpiredToken", "The provided token has expired.", 400);
  return new AwsError("ExpiredToken", "The security token included in the request is expired", 403);
}

function signatureMismatch(service: ServiceName): AwsError {
  // JSON services call it InvalidSignatureException; the XML ones SignatureDoesNotMatch.
  if (service === "qbusiness") return new AwsError("InvalidSignatureException", SIGNATURE_MISMATCH, 403);
  if (service === "s3") {
    return new AwsError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      403,
    );
  }
  return new AwsError("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403);
}

function unknownOperation(service: ServiceName, req: EmuRequest): AwsError {
  if (service === "qbusiness") return new AwsError("UnknownOperationException", "Unknown operation", 404);
  if (service === "s3") {
    return ["GET", "PUT", "HEAD", "POST", "DELETE"].includes(req.method)
      ? new AwsError("NotImplemented", "A header you provided implies functionality that is not implemented.", 501)
      : new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, {
          Method: req.method,
          ResourceType: "OBJECT",
        });
  }
  const action = parseQueryForm(req.body)["Action"] ?? "";
  return new AwsError("InvalidAction", `Could not find operation ${action} for version ${API_VERSION[service]}`, 400);
}

function jsonError(error: AwsError, requestId: string): EmuResponse {
  return {
    status: error.status,
    headers: {
      "content-type": "application/json",
      "x-amzn-errortype": error.code,
      "x-amzn-requestid": requestId,
    },
    body: JSON.stringify({ message: error.message, ...error.fields }),
  };
}

/** An AwsError in the service's wire protocol. */
export function renderError(service: ServiceName, error: AwsError, requestId: string, method = "GET"): EmuResponse {
  switch (MODULES[service].protocol) {
    case "restJson1":
      return jsonError(error, requestId);
    case "awsJson1_0":
    case "awsJson1_1": {
      // awsJson names the error in the body's __type (and the header); Organizations' errors say Message.
      const json = jsonError(error, requestId);
      return { ...json, body: JSON.stringify({ __type: error.code, Message: error.message, ...error.fields }) };
    }
    case "awsQuery":
      return {
        status: error.status,
        headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
        body: queryErrorBody(error, requestId, service === "sts" ? STS_XMLNS : IAM_XMLNS),
      };
    case "restXml":
      return {
        status: error.status,
        headers: { "content-type": "application/xml", "x-amz-request-id": requestId, "x-amz-id-2": requestId },
        // HEAD answers carry no body; the SDK then names the error from the status alone.
        body: method === "HEAD" ? undefined : s3ErrorBody(error, requestId),
      };
  }
}

function send(
  res: OutgoingResponse,
  service: ServiceName | undefined,
  response: EmuResponse,
  requestId: string,
  isHead: boolean,
): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  const body = response.body === undefined ? undefined : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body, "utf8");
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers["content-length"] = String(body?.length ?? 0);
  }
  if (service === "s3" && !headers["x-amz-request-id"]) headers["x-amz-request-id"] = requestId;
  if (service && service !== "s3" && !headers["x-amzn-requestid"]) headers["x-amzn-requestid"] = requestId;
  // writeHead/end have the same shape on both HTTP versions; the union just defeats overload resolution.
  const out = res as http.ServerResponse;
  out.writeHead(response.status, headers);
  out.end(isHead ? undefined : body);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
