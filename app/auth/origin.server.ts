/**
 * Same-origin check for requests that change something: the Origin header a
 * browser sends must be this dashboard's origin, scheme, host and port alike
 * (an https page elsewhere on the same host is another site). Used by the
 * CSRF check of every action, and by the server before Remix sees the request,
 * so a cross-site post is a 403 that says why, not Remix's own empty 500.
 */
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import type { Config } from "~/config.server";

/** Methods that never change anything (no Origin check). */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * This dashboard's origin as the browser sees it. With QBR_COOKIE_SECURE=true
 * a TLS-terminating proxy forwards plain http, but browsers are on https.
 */
export function expectedOrigin(requestUrl: string, config: Pick<Config, "session">): string {
  const url = new URL(requestUrl);
  if (config.session.cookieSecure === true && url.protocol === "http:") url.protocol = "https:";
  return url.origin;
}

/** The scheme://host:port of an Origin header, or undefined for "null" and anything unparsable. */
function originOf(header: string): string | undefined {
  try {
    const origin = new URL(header).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

/**
 * Why a request with this Origin header is refused, or undefined when it may
 * go on (same origin, or no Origin header: not a browser's cross-site post).
 */
export function crossSiteRefusal(method: string, originHeader: string | null | undefined, expected: string): string | undefined {
  if (SAFE_METHODS.has(method.toUpperCase()) || originHeader === null || originHeader === undefined) return undefined;
  const origin = originOf(originHeader);
  if (origin === expected) return undefined;
  const shown = originHeader.length > 100 ? `${originHeader.slice(0, 100)}…` : originHeader;
  return `Cross-site request refused: its Origin ${JSON.stringify(shown)} is not this dashboard (${expected}). Nothing was changed.`;
}

/**
 * Express middleware: answers a cross-site request 403 with the reason, before
 * Remix (whose own check compares only the host, and answers an empty 500).
 */
export function refuseCrossSiteRequests(config: Pick<Config, "session">) {
  return (req: ExpressRequest, res: ExpressResponse, next: NextFunction) => {
    const expected = expectedOrigin(`${req.protocol}://${req.get("host") ?? "localhost"}/`, config);
    const refusal = crossSiteRefusal(req.method, req.get("origin"), expected);
    if (!refusal) return next();
    res.status(403).type("text/plain; charset=utf-8").send(refusal);
  };
}
