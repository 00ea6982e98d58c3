import { isRouteErrorResponse, useRouteError } from "@remix-run/react";

/**
 * A route's error panel: says which page failed and what the admin can do.
 * Thrown Responses carry their words in the body; anything else is a bug or
 * an unreadable database, which is what the hint says.
 */
export function RouteError({ page }: { page: string }) {
  const error = useRouteError();
  if (isRouteErrorResponse(error)) {
    const words = typeof error.data === "string" ? error.data : JSON.stringify(error.data);
    return (
      <section className="card error-panel" role="alert">
        <h1>
          {page}: {error.status === 404 ? "not found" : `error ${error.status}`}
        </h1>
        <p>{words}</p>
        <p>
          <a href="/">Back to the overview</a>
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
