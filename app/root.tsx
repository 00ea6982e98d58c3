import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, isRouteErrorResponse, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useLoaderData, useRouteError } from "@remix-run/react";
import { getRuntimeInfo } from "~/runtime.server";
import { pageAuthState } from "~/auth/user.server";
import { CsrfInput } from "~/auth/csrf-input";
import { useNonce } from "~/auth/nonce-context";
import stylesHref from "~/styles/app.css";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: stylesHref }];

export const meta: MetaFunction = () => [{ title: "qbiz-readiness" }];

/** Every page but /sign-in, /sign-out and /healthz needs a signed-in user (see also auth/guard.server.ts). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const { user, csrfToken, setCookie } = await pageAuthState(request, context);
  return json({ ...getRuntimeInfo(), user, csrfToken }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

const navigation = [
  { to: "/", label: "Overview" },
  { to: "/findings", label: "Findings" },
  { to: "/checks", label: "Checks" },
  { to: "/accounts", label: "Accounts" },
  { to: "/changes", label: "What changed" },
  { to: "/activity", label: "Activity" },
];

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
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function DemoBanner({ description }: { description: string }) {
  return (
    <div className="demo-banner" role="status" data-testid="demo-banner">
      Demo fleet on the local AWS: {description}. Nothing here touches a real AWS account.
    </div>
  );
}

export default function App() {
  const runtime = useLoaderData<typeof loader>();
  return (
    <>
      {runtime.mode === "local" ? <DemoBanner description={runtime.description} /> : null}
      <header className="top">
        <a className="brand" href="/">
          qbiz-readiness
        </a>
        <nav aria-label="Main">
          {navigation.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.to === "/"}>
              {item.label}
            </NavLink>
          ))}
        </nav>
        {runtime.user ? (
          <div className="signed-in" data-testid="signed-in-user" style={{ display: "flex", alignItems: "center", gap: "0.75rem", marginLeft: "auto" }}>
            <span>
              {runtime.user.username} <span className="role">({runtime.user.role})</span>
            </span>
            {runtime.user.via === "proxy" || runtime.user.role !== "operator" ? null : <a href="/sessions">Sessions</a>}
            {runtime.user.via === "proxy" ? null : (
              <Form method="post" action="/sign-out">
                <CsrfInput />
                <button type="submit">Sign out</button>
              </Form>
            )}
          </div>
        ) : null}
      </header>
      <main>
        <Outlet />
      </main>
    </>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  const detail = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : JSON.stringify(error.data)
    : error instanceof Error
      ? error.message
      : String(error);
  return (
    <main className="error-page">
      <h1>{title}</h1>
      <p>{detail}</p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </main>
  );
}
