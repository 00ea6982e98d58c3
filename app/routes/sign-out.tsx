import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { destroySession, getSession } from "~/auth/session.server";

/** Signing out is a POST (with the CSRF token), so a link on another site cannot sign anyone out. */
export async function action({ request }: ActionFunctionArgs) {
  const session = await getSession(request);
  verifyCsrf(request, await readForm(request), session);
  return redirect("/sign-in", { headers: { "Set-Cookie": await destroySession(session, request) } });
}

export function loader() {
  return redirect("/");
}
