/**
 * Bounded request bodies, before authentication and before any parsing: the
 * Remix request handler for express (what @remix-run/express does), except
 * that each request's body may carry at most its route's limit. A declared
 * Content-Length over it is answered 413 without reading a byte; a body that
 * says nothing (chunked) is counted as it streams and refused the moment it
 * goes over, so nothing ever holds more than the limit in memory.
 */
import { Transform, type TransformCallback } from "node:stream";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { createReadableStreamFromReadable, createRequestHandler, writeReadableStreamToWritable, type AppLoadContext, type ServerBuild } from "@remix-run/node";

/** Every form the dashboard posts (sign-in, sign-out, scans, fix plans and applies) fits in a few KB. */
export const FORM_BODY_LIMIT = 64 * 1024;
/**
 * The re-upload post: files of at most 50 MB (Amazon Q Business's per-document
 * limit), 20 of them at most per post here. The route then refuses, before
 * reading, a post larger than its plan allows (stale documents + 5 files).
 */
export const UPLOAD_BODY_LIMIT = 20 * 50 * 1024 * 1024 + FORM_BODY_LIMIT;
/** After refusing, how long the rest of a body is read and dropped (so the client sees the 413) before the connection is cut. */
const LINGER_MS = 2_000;

const UPLOAD_PATHS = /^\/fix\/reupload-files(\.data)?\/?$/;

/** The most bytes a request to `pathname` may send. */
export function bodyLimitFor(pathname: string): number {
  return UPLOAD_PATHS.test(pathname) ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT;
}

function inWords(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}

export function tooLargeMessage(pathname: string, limit: number): string {
  return `Request body too large: ${pathname} accepts at most ${inWords(limit)}. Nothing was read or changed.`;
}

/** Passes bytes through until more than `limit` have gone by, then fails the stream (and remembers it). */
class ByteLimit extends Transform {
  seen = 0;
  exceeded = false;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.seen += chunk.byteLength;
    if (this.seen > this.limit) {
      this.exceeded = true;
      callback(new Error(`request body over ${this.limit} bytes`));
      return;
    }
    callback(null, chunk);
  }
}

/**
 * Answers 413, then drops whatever the client is still sending for a moment
 * (a client that is mid-upload reads the answer) and cuts the connection.
 */
function refuse(req: ExpressRequest, res: ExpressResponse, limit: number): void {
  req.unpipe();
  if (!res.headersSent) {
    res.status(413).type("text/plain; charset=utf-8").send(tooLargeMessage(req.path, limit));
  } else {
    res.end();
  }
  if (req.complete) return;
  // Dropped, not kept; a body that has not ended by then has its connection cut.
  req.resume();
  const cut = setTimeout(() => req.socket.destroy(), LINGER_MS);
  cut.unref();
  req.once("end", () => clearTimeout(cut));
}

/**
 * A route answered without reading all of the body (a redirect to sign-in, a
 * 403): the rest is read and dropped, still within the limit, so the
 * connection can serve the next request.
 */
function dropRest(req: ExpressRequest, res: ExpressResponse, limiter: ByteLimit): void {
  req.unpipe(limiter);
  limiter.destroy();
  let seen = limiter.seen;
  req.on("data", (chunk: Buffer) => {
    seen += chunk.byteLength;
    if (seen > bodyLimitFor(req.path)) req.socket.destroy();
  });
  req.resume();
}

function fetchHeaders(incoming: ExpressRequest["headers"]): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const each of Array.isArray(value) ? value : [value]) headers.append(name, each);
  }
  return headers;
}

/** Writes Remix's answer to express (as @remix-run/express does). */
async function sendResponse(res: ExpressResponse, response: Response): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [name, value] of response.headers.entries()) res.append(name, value);
  if (/text\/event-stream/i.test(response.headers.get("content-type") ?? "")) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}

/** The Fetch Request Remix reads, its body through a ByteLimit (as @remix-run/express builds it otherwise). */
function remixRequest(req: ExpressRequest, res: ExpressResponse, limiter: ByteLimit): Request {
  const hostPort = Number.parseInt(req.get("host")?.split(":")[1] ?? "", 10);
  const host = `${req.hostname}${Number.isSafeInteger(hostPort) ? `:${hostPort}` : ""}`;
  const url = new URL(`${req.protocol}://${host}${req.originalUrl}`);
  let controller: AbortController | null = new AbortController();
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers: fetchHeaders(req.headers), signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    req.pipe(limiter);
    init.body = createReadableStreamFromReadable(limiter);
    init.duplex = "half";
  }
  // Loaders and actions are aborted when the client goes away before the answer is written.
  res.on("finish", () => (controller = null));
  res.on("close", () => controller?.abort());
  return new Request(url.href, init);
}

export interface LimitedHandlerOptions {
  build: ServerBuild;
  mode: string;
  getLoadContext: (req: ExpressRequest) => AppLoadContext;
}

/** The express handler serving `build`, each request body within bodyLimitFor(its path). */
export function createBodyLimitedRequestHandler(options: LimitedHandlerOptions) {
  const handleRequest = createRequestHandler(options.build, options.mode);
  // Express 4 ignores a handler's promise: every failure is caught inside and passed to next().
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction): void => {
    void handleLimited(req, res, next);
  };

  async function handleLimited(req: ExpressRequest, res: ExpressResponse, next: NextFunction): Promise<void> {
    const limit = bodyLimitFor(req.path);
    const declared = Number(req.get("content-length"));
    if (declared > limit) {
      refuse(req, res, limit);
      return;
    }
    const limiter = new ByteLimit(limit);
    limiter.once("error", () => refuse(req, res, limit));
    try {
      const response = await handleRequest(remixRequest(req, res, limiter), options.getLoadContext(req));
      // The route saw a failed body (and answered as it does for unreadable forms): the answer is the 413.
      if (limiter.exceeded) return;
      await sendResponse(res, response);
      if (!req.complete) dropRest(req, res, limiter);
    } catch (error) {
      if (limiter.exceeded) return;
      next(error);
    }
  }
}
