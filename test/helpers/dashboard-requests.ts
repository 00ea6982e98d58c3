/**
 * Requests as the dashboard's browser sends them, for route tests that call
 * loaders and actions the way Remix does: a signed-in session's cookie and
 * CSRF token, GETs and form POSTs against one base URL.
 */
import { CSRF_FIELD } from "~/auth/csrf-input";
import { getSession } from "~/auth/session.server";
import { signIn } from "~/auth/user.server";

export const BASE = "http://dashboard.test";

/** A signed-in user: the session cookie and the session's CSRF token. */
export type Who = { cookie: string; csrf: string };

/** Sign `username` in (password "password", as the tests configure their users) and read back the session's CSRF token. */
export async function sessionOf(username: string): Promise<Who> {
  const response = await signIn(new Request(`${BASE}/sign-in`), username, "password", "/");
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0];
  const session = await getSession(new Request(BASE, { headers: { cookie } }));
  return { cookie, csrf: session.get("csrfToken") ?? "" };
}

/** A GET with the user's cookie; `null`: signed out. */
export function getRequest(pathAndQuery: string, who: { cookie: string } | null) {
  return new Request(`${BASE}${pathAndQuery}`, { headers: who ? { cookie: who.cookie } : {} });
}

/**
 * A form POST as the browser sends it, with the session's CSRF token unless
 * `csrf: false` (for tests that send no token, or set the field themselves).
 */
export function formPost(pathAndQuery: string, who: Who, fields: Record<string, string | string[]>, options: { csrf?: boolean } = {}) {
  const body = new URLSearchParams();
  if (options.csrf !== false) body.append(CSRF_FIELD, who.csrf);
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return new Request(`${BASE}${pathAndQuery}`, {
    method: "POST",
    headers: { cookie: who.cookie, "content-type": "application/x-www-form-urlencoded", origin: BASE },
    body: body.toString(),
  });
}

/** A loader's or action's arguments, as Remix passes them. */
export const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });

/** Loaders return plain data (single fetch); a thrown Response is the unhappy path. This returns it, and fails when none is thrown. */
export async function thrown(promise: Promise<unknown>): Promise<Response> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Response) return error;
    throw error;
  }
  throw new Error("expected a thrown Response");
}
