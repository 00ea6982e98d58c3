import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { getRuntimeInfo } from "~/runtime.server";
import { pageAuthState } from "~/auth/user.server";
import { useNonce } from "~/auth/nonce-context";
import { connectionStatus } from "~/dashboard/connection.server";
import { RouteError } from "~/components/RouteError";
import { TopBar } from "~/components/TopBar";
import { MAIN_ID, RouteFocus, SkipLink } from "~/components/RouteFocus";
import stylesHref from "~/styles/app.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: stylesHref }];

export const meta: MetaFunction = () => [{ title: "qbiz-readiness" }];

/** Every page but /sign-in, /sign-out and /healthz needs a signed-in user (see also auth/guard.server.ts). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, csrfToken, setCookie } = await pageAuthState(request, context);
  // The connection (account, credentials' source, error) is shown to signed-in users only.
  const connection = user ? connectionStatus() : null;
  return json({ ...getRuntimeInfo(), user, csrfToken, connection }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

export function Layout({ children }: { children: React.ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <SkipLink />
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  const runtime = useLoaderData<typeof loader>();
  return (
    <>
      <TopBar runtime={runtime} />
      <main id={MAIN_ID} tabIndex={-1}>
        <Outlet />
      </main>
      <RouteFocus />
    </>
  );
}

/** Any error no route caught, a 404 included: inside the layout, with the navigation, in words. */
export function ErrorBoundary() {
  // The root loader's data, when it ran (a 404 runs it; an error in it does not).
  const runtime = useRouteLoaderData<typeof loader>("root");
  return (
    <>
      <TopBar runtime={runtime} />
      <main className="error-page" id={MAIN_ID} tabIndex={-1}>
        <RouteError page="This page" />
      </main>
      <RouteFocus />
    </>
  );
}
