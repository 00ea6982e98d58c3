/**
 * The socket front: HTTP/1.1 and HTTP/2 in cleartext on one port (the Q
 * Business client speaks HTTP/2, it has event-stream operations; the others
 * HTTP/1.1), told apart by the HTTP/2 connection preface ("PRI * HTTP/2.0").
 * Writing an answer, and closing a connection whose body was refused unread.
 */
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { AddressInfo } from "node:net";
import type { EmuResponse } from "../types";
import type { IncomingRequest, OutgoingResponse } from "./parse";

export type RequestHandler = (raw: IncomingRequest, res: OutgoingResponse) => void;

export interface Listening {
  endpoint: string;
  close(): Promise<void>;
}

export async function listen(onRequest: RequestHandler, opts: { port?: number; host?: string }): Promise<Listening> {
  const h1 = http.createServer(onRequest);
  h1.keepAliveTimeout = 5_000;
  const h2 = http2.createServer(onRequest);
  // "Expect: 100-continue" goes to the same handler, which sends the 100 only
  // once it has decided to read the body (so a refused upload is never sent).
  h1.on("checkContinue", onRequest);
  h2.on("checkContinue", onRequest);
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
  return {
    endpoint: `http://${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        front.close((err) => (err ? reject(err) : resolve()));
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/**
 * Write an answer. `abandonBody`: the request's body was left unread (refused
 * before or while reading it), so the connection is closed after the answer
 * rather than read to its end: HTTP/1.1 says `Connection: close`; HTTP/2
 * resets just that stream with NO_ERROR, as RFC 9113 8.1 allows after a
 * complete response.
 */
export function send(raw: IncomingRequest, res: OutgoingResponse, response: EmuResponse, opts: { isHead: boolean; abandonBody: boolean }): void {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  const body = response.body === undefined ? undefined : Buffer.isBuffer(response.body) ? response.body : Buffer.from(response.body, "utf8");
  if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-length")) {
    headers["content-length"] = String(body?.length ?? 0);
  }
  const isH2 = "stream" in raw;
  if (opts.abandonBody && !isH2) headers["connection"] = "close";
  if (opts.abandonBody && isH2) {
    res.once("finish", () => {
      const stream = (raw as http2.Http2ServerRequest).stream;
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
    });
  }
  // writeHead/end have the same shape on both HTTP versions; the union just defeats overload resolution.
  const out = res as http.ServerResponse;
  out.writeHead(response.status, headers);
  out.end(opts.isHead ? undefined : body);
}
