/**
 * Reading a request off the wire: its head first (method, path, query,
 * flattened headers, declared length), and its body only once the front door
 * has decided to take it, with a cap enforced while it streams.
 */
import type http from "node:http";
import type http2 from "node:http2";

export type IncomingRequest = http.IncomingMessage | http2.Http2ServerRequest;
export type OutgoingResponse = http.ServerResponse | http2.Http2ServerResponse;

export interface RequestHead {
  method: string;
  /** Path exactly as received (still percent-encoded), without the query string. */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-case names, one string each; HTTP/2's :authority stands in for Host. */
  headers: Record<string, string>;
  /** Content-Length when the client sent one (undefined for chunked bodies). */
  contentLength?: number;
  /** The client waits for "100 Continue" before sending its body. */
  expectsContinue: boolean;
}

export function parseHead(raw: IncomingRequest): RequestHead {
  const url = new URL(raw.url ?? "/", "http://localhost");
  const headers = flattenHeaders(raw.headers);
  const length = headers["content-length"];
  return {
    method: (raw.method ?? "GET").toUpperCase(),
    rawPath: url.pathname,
    query: url.searchParams,
    headers,
    contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
    expectsContinue: (headers["expect"] ?? "").toLowerCase() === "100-continue",
  };
}

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

export type BodyRead = { complete: true; body: Buffer } | { complete: false; body: Buffer; received: number };

/**
 * Read the body, but never hold more than `maxBytes` of it: past that the
 * stream is paused and left unread (`complete: false`, with what was read so
 * far), and the caller refuses the request and closes the connection.
 */
export function readBody(raw: IncomingRequest, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = () => {
      raw.off("data", onData);
      raw.off("end", onEnd);
      raw.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        stop();
        raw.pause();
        resolve({ complete: false, body: Buffer.concat(chunks), received });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve({ complete: true, body: Buffer.concat(chunks) });
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    raw.on("data", onData);
    raw.on("end", onEnd);
    raw.on("error", onError);
  });
}

export function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Strip aws-chunked framing (`<hex-size>[;chunk-signature=...]\r\n<data>\r\n ... 0\r\n<trailers>`). */
export function decodeAwsChunked(body: Buffer): Buffer {
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
