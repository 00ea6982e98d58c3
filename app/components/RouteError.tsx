import { isRouteErrorResponse, Link, useLocation, useRouteError } from "@remix-run/react";
import { NOT_FOUND_PAGE } from "~/util/not-found";

/** The router's own words for an unknown address ("Error: No route matches URL ..."), not meant for people. */
const ROUTER_NOT_FOUND = /^(Error: )?No route matches URL/;

/**
 * A route's error panel: says which page failed and what the admin can do.
 * Thrown Responses carry their words in the body; anything else is a bug or
 * an unreadable database, which is what the hint says.
 */
/** An address no page answers: in words, with the way back (the navigation is above it). */
export function NotFound({ pathname }: { pathname: string }) {
  return (
    <section className="card error-panel" data-testid="not-found">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{pathname}</code>. The link may be mistyped or out of date: the pages are in the navigation above.
      </p>
      <p>
        <Link to="/">Back to the overview</Link>
      </p>
    </section>
  );
}

export function RouteError({ page }: { page: string }) {
  const error = useRouteError();
  const location = useLocation();
  if (isRouteErrorResponse(error)) {
    const words = typeof error.data === "string" ? error.data : JSON.stringify(error.data);
    if (error.status === 404 && (ROUTER_NOT_FOUND.test(words) || words === NOT_FOUND_PAGE)) return <NotFound pathname={location.pathname} />;
    return (
      <section className="card error-panel" role="alert">
        <h1>
          {page}: {error.status === 404 ? "not found" : `error ${error.status}`}
        </h1>
        <p>{words}</p>
        <p>
          <Link to="/">Back to the overview</Link>
        </p>
      </section>
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return (
    <section className="card error-panel" role="alert">
      <h1>{page} could not be shown</h1>
      <p>{message}</p>
      <p className="muted">
        The page reads the stored audits from the dashboard's SQLite database (QBR_DB). Check that the file exists and is readable by the server, then reload.
        The server log has the details.
      </p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </section>
  );
}
