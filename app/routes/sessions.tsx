import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { getConfig } from "~/config.server";
import { CsrfInput } from "~/auth/csrf-input";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { destroySession, getSession } from "~/auth/session.server";
import { endEverySession } from "~/auth/server-sessions.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { RouteError } from "~/components/RouteError";

export const meta: MetaFunction = () => [{ title: "Sessions · qbiz-readiness" }];

/** Built-in sign-in keeps its sessions here; behind a proxy, the proxy does. */
function sessionsAreOurs(): boolean {
  return getConfig().auth.mode === "builtin";
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return { canSignOutEveryone: user.role === "operator" && sessionsAreOurs(), builtin: sessionsAreOurs() };
}

/** POST (operators, CSRF): ends every session at once, the operator's own included, and signs them out. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  const session = await getSession(request);
  verifyCsrf(request, await readForm(request), session);
  if (!sessionsAreOurs()) {
    throw new Response("Sign-in is handled by the authenticating proxy: sign people out there.", { status: 400 });
  }
  const ended = await endEverySession(`user:${user.username}`);
  const params = new URLSearchParams({ signedOutEveryone: String(ended) });
  return redirect(`/sign-in?${params}`, { headers: { "Set-Cookie": await destroySession(session, request) } });
}

export default function Sessions() {
  const { canSignOutEveryone, builtin } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Sessions</h1>
      {!builtin ? (
        <p>Sign-in is handled by your organisation&apos;s proxy: sessions end there.</p>
      ) : (
        <section className="card" aria-labelledby="everyone-heading">
          <h2 id="everyone-heading">Sign out everyone</h2>
          <p>
            Ends every signed-in session on this dashboard at once, yours included: everyone signs in again with their password. Use it when a password or a
            session cookie may have leaked, or someone left the team. Sessions also end on sign-out, after 12 hours, after an idle period
            (QBR_SESSION_IDLE_MINUTES), and when a user&apos;s password or role changes.
          </p>
          {canSignOutEveryone ? (
            <Form method="post" data-testid="sign-out-everyone">
              <CsrfInput />
              <button type="submit" className="danger">
                Sign out everyone
              </button>
            </Form>
          ) : (
            <p className="muted" data-testid="operators-only">
              Operators only: you are signed in as a viewer.
            </p>
          )}
        </section>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The sessions page" />;
}
