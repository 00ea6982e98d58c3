/**
 * Signing in the way a browser does, through the real sign-in route (page
 * first for the anonymous session's CSRF token, then the form post), for the
 * security tests.
 */
import type { AppLoadContext } from "@remix-run/node";
import { loadConfig, setConfig } from "~/config.server";
import { hashPassword } from "~/auth/password.server";
import { loader as rootLoader } from "~/root";
import * as signInRoute from "~/routes/sign-in";

export const BASE = "http://dashboard.test";
const noContext = {} as AppLoadContext;

/** Runs a loader/action and returns its Response, whether returned or thrown (plain data becomes JSON). */
export async function respond(run: () => unknown): Promise<Response> {
  try {
    const result = await run();
    return result instanceof Response ? result : Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

export function cookieOf(response: Response): string | undefined {
  return response.headers.get("set-cookie")?.split(";")[0];
}

export function get(path: string, cookie?: string, headers: Record<string, string> = {}): Request {
  return new Request(BASE + path, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
}

export function post(path: string, fields: Record<string, string>, cookie?: string, headers: Record<string, string> = {}): Request {
  return new Request(BASE + path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { "content-type": "application/x-www-form-urlencoded", ...(cookie ? { cookie } : {}), ...headers },
  });
}

/** The root loader's response and data (what every page gets: user, CSRF token). */
export async function rootData(request: Request, context: AppLoadContext = noContext) {
  const response = await respond(() => rootLoader({ request, context, params: {} }));
  return { response, data: response.status === 200 ? await response.json() : undefined };
}

/** Users olivia (operator, "correct horse") and victor (viewer, "viewer pass"); returns the hashes for reconfiguring. */
export async function configureUsers(extra: Record<string, string> = {}) {
  const hashes = { olivia: await hashPassword("correct horse"), victor: await hashPassword("viewer pass") };
  setConfig(loadConfig({ QBR_OPERATORS: `olivia:${hashes.olivia}`, QBR_VIEWERS: `victor:${hashes.victor}`, ...extra }));
  return hashes;
}

/** Opens /sign-in (anonymous cookie + CSRF token) and posts the form; the action's response. */
export async function signInWithPassword(username: string, password: string, redirectTo = "/", context = noContext) {
  const page = await rootData(get("/sign-in"));
  const cookie = cookieOf(page.response)!;
  const request = post("/sign-in", { csrfToken: page.data.csrfToken, username, password, redirectTo }, cookie);
  return respond(() => signInRoute.action({ request, context, params: {} }));
}

/** A signed-in browser: its session cookie and the CSRF token its pages carry. */
export async function signedIn(username: string, password: string) {
  const response = await signInWithPassword(username, password);
  if (response.status !== 302) throw new Error(`sign-in of ${username} answered ${response.status}`);
  const cookie = cookieOf(response)!;
  const { data } = await rootData(get("/", cookie));
  return { cookie, csrf: data.csrfToken as string };
}
