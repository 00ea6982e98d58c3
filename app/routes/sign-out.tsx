import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { destroySession, getSession } from "~/auth/session.server";
import { endServerSession } from "~/auth/server-sessions.server";

/**
 * Signing out is a POST (with the CSRF token), so a link on another site
 * cannot sign anyone out. The server-side session ends, so a copy of the
 * cookie (another tab, a proxy log, a stolen one) no longer signs anyone in.
 */
export async function action({ request }: ActionFunctionArgs) {
  const session = await getSession(request);
  verifyCsrf(request, await readForm(request), session);
  const sessionId = session.get("sessionId");
  if (sessionId) await endServerSession(sessionId);
  return redirect("/sign-in", { headers: { "Set-Cookie": await destroySession(session, request) } });
}

export function loader() {
  return redirect("/");
}
