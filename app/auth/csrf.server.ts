/**
 * CSRF defence for POST actions: a random token per session, sent back in a
 * hidden field (CsrfInput) and compared here; plus a same-origin check on the
 * Origin header, which browsers send with every cross-site POST.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { CSRF_FIELD } from "~/auth/csrf-input";
import type { AppSession } from "~/auth/session.server";
import { crossSiteRefusal, expectedOrigin } from "~/auth/origin.server";
import { getConfig } from "~/config.server";

/** The session's CSRF token, creating one when the session has none (`created`: commit the session). */
export function ensureCsrfToken(session: AppSession): { token: string; created: boolean } {
  const existing = session.get("csrfToken");
  if (existing) return { token: existing, created: false };
  const token = randomBytes(24).toString("base64url");
  session.set("csrfToken", token);
  return { token, created: true };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Throws a 403 Response unless the form carries this session's CSRF token and
 * the request's Origin (when present) is this dashboard's origin. Call it first in every POST action.
 */
export function verifyCsrf(request: Request, formData: FormData, session: AppSession): void {
  // Scheme, host and port: "null" (sandboxed or privacy-hiding origins) and an https page on an http site are other sites.
  const refusal = crossSiteRefusal(request.method, request.headers.get("origin"), expectedOrigin(request.url, getConfig()));
  if (refusal) throw new Response(refusal, { status: 403 });
  const expected = session.get("csrfToken");
  const sent = formData.get(CSRF_FIELD);
  if (!expected || typeof sent !== "string" || !sameText(sent, expected)) {
    throw new Response("Missing or wrong CSRF token", { status: 403 });
  }
}

/** The posted form; an empty one when the body is not a form (so verifyCsrf answers 403, not a 500). */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    return new FormData();
  }
}
