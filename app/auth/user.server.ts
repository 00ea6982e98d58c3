/**
 * Who is signed in, and the guards routes call: requireUser (redirects to
 * /sign-in) and requireOperator (403 for viewers).
 */
import { redirect, type AppLoadContext } from "@remix-run/node";
import { getConfig, type ConfiguredUser, type Role } from "~/config.server";
import { ensureCsrfToken } from "~/auth/csrf.server";
import { UNMATCHABLE_HASH, verifyPassword } from "~/auth/password.server";
import { proxyIdentity } from "~/auth/proxy.server";
import { safeRedirectPath } from "~/auth/safe-redirect";
import { commitSession, getSession, newSession } from "~/auth/session.server";
import { liveSession, startServerSession, type SessionKind } from "~/auth/server-sessions.server";

export interface SignedInUser {
  username: string;
  role: Role;
  /** How this user was recognised. */
  via: SessionKind | "proxy";
}

/** The name shown for whoever signed in with the one-time link. */
export const ONE_TIME_LINK_USERNAME = "local-operator";

/**
 * The signed-in user, or null when signed out. Throws a 403 Response when an
 * authenticating proxy vouches for someone who is not on either list.
 */
export async function getUser(request: Request, context: AppLoadContext | undefined): Promise<SignedInUser | null> {
  const { auth } = getConfig();
  if (auth.mode === "proxy") {
    const identity = proxyIdentity(auth, request, context?.peerAddress);
    if (identity === undefined) return null;
    if (auth.operators.includes(identity)) return { username: identity, role: "operator", via: "proxy" };
    if (auth.viewers.includes(identity)) return { username: identity, role: "viewer", via: "proxy" };
    throw new Response(`${identity} is signed in, but is not allowed to use this dashboard. Ask an administrator to add you as a viewer or operator.`, {
      status: 403,
    });
  }
  return sessionUser(request);
}

// One look-up per request, however many loaders (root, guard, route) ask.
const usersByRequest = new WeakMap<Request, Promise<SignedInUser | null>>();

/** The user of the request's server-side session, while it lives (expiry, idle, sign-out, changed credentials). */
function sessionUser(request: Request): Promise<SignedInUser | null> {
  let user = usersByRequest.get(request);
  if (!user) {
    user = (async () => {
      const sessionId = (await getSession(request)).get("sessionId");
      if (typeof sessionId !== "string" || sessionId === "") return null;
      const live = await liveSession(sessionId);
      return live ? { username: live.username, role: live.role, via: live.via } : null;
    })();
    usersByRequest.set(request, user);
  }
  return user;
}

/** Path + query of the request, for coming back after sign-in (single-fetch ".data" stripped). */
function returnPath(request: Request): string {
  const url = new URL(request.url);
  url.searchParams.delete("_routes");
  const path = url.pathname.replace(/\.data$/, "").replace(/^\/_root$/, "/") || "/";
  return path + url.search;
}

/** The signed-in user; throws a redirect to /sign-in?redirectTo=<this page> when signed out. */
export async function requireUser(request: Request, context: AppLoadContext | undefined): Promise<SignedInUser> {
  const user = await getUser(request, context);
  if (user) return user;
  const params = new URLSearchParams({ redirectTo: returnPath(request) });
  throw redirect(`/sign-in?${params}`);
}

/** The signed-in operator; throws a 403 Response for viewers (and the sign-in redirect when signed out). */
export async function requireOperator(request: Request, context: AppLoadContext | undefined): Promise<SignedInUser> {
  const user = await requireUser(request, context);
  if (user.role !== "operator") {
    throw new Response(`This needs an operator; ${user.username} is signed in as a viewer.`, { status: 403 });
  }
  return user;
}

/** The configured user with this name and password, or null. Takes as long for unknown names. */
export async function checkPassword(username: string, password: string): Promise<ConfiguredUser | null> {
  const { auth } = getConfig();
  const user = auth.mode === "builtin" ? auth.users.find((u) => u.username === username) : undefined;
  const matches = await verifyPassword(password, user?.passwordHash ?? UNMATCHABLE_HASH);
  return user && matches ? user : null;
}

export { safeRedirectPath };

/** Starts a fresh server-side session for `username` (new cookie, new CSRF token) and redirects to `redirectTo`. */
export async function signIn(request: Request, username: string, signedInWith: SessionKind, redirectTo: string): Promise<Response> {
  const session = await newSession();
  session.set("sessionId", await startServerSession(username, signedInWith));
  ensureCsrfToken(session);
  return redirect(safeRedirectPath(redirectTo), { headers: { "Set-Cookie": await commitSession(session, request) } });
}

const PUBLIC_PATHS = new Set(["/sign-in", "/sign-out", "/healthz"]);

/**
 * What the root loader needs: the user (required on every page but the public
 * ones), the CSRF token for forms, and a Set-Cookie when the session was just created.
 */
export async function pageAuthState(request: Request, context: AppLoadContext | undefined) {
  const path = returnPath(request).split("?")[0];
  const user = PUBLIC_PATHS.has(path) ? await getUser(request, context) : await requireUser(request, context);
  const session = await getSession(request);
  const { token, created } = ensureCsrfToken(session);
  return { user, csrfToken: token, setCookie: created ? await commitSession(session, request) : undefined };
}
