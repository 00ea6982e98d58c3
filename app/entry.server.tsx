/**
 * Server rendering (the whole document, then one write), plus the security
 * headers every document carries: a CSP with a per-request nonce for Remix's
 * inline scripts, no framing.
 */
import { Writable } from "node:stream";
import { randomBytes } from "node:crypto";
import type { AppLoadContext, EntryContext, HandleDataRequestFunction, HandleErrorFunction } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/auth/nonce-context";
import { BASE_SECURITY_HEADERS, contentSecurityPolicy } from "~/auth/security-headers.server";

const ABORT_DELAY = 5_000;

function setSecurityHeaders(headers: Headers, nonce?: string) {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) headers.set(name, value);
  if (nonce) headers.set("Content-Security-Policy", contentSecurityPolicy(nonce));
}

export const handleDataRequest: HandleDataRequestFunction = (response) => {
  setSecurityHeaders(response.headers);
  return response;
};

/**
 * An unknown address (404) or method (405) is the visitor's mistake, answered
 * with the 404 page: not worth a stack trace in the server's log. Aborted
 * requests are not errors. Anything else is logged with its stack, as Remix does.
 */
export const handleError: HandleErrorFunction = (error, { request }) => {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && (error.status === 404 || error.status === 405)) return;
  console.error(error);
};

/**
 * The document rendered whole, then sent in one piece: the dashboard's pages
 * defer nothing (no Suspense boundary waits on data), so streaming the shell
 * early gains nothing, and a page of ~60 writes through a web stream cost a
 * busy server more than the render's last bytes (issue 10, item 8).
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  _loadContext: AppLoadContext,
) {
  const nonce = randomBytes(16).toString("base64");

  return new Promise<Response>((resolve, reject) => {
    let failed = false;
    const chunks: Buffer[] = [];
    const body = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        setSecurityHeaders(responseHeaders, nonce);
        resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: responseStatusCode }));
        done();
      },
    });
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onAllReady() {
          clearTimeout(timer);
          pipe(body);
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (!failed) console.error(error);
          failed = true;
        },
      },
    );
    const timer = setTimeout(abort, ABORT_DELAY);
  });
}
