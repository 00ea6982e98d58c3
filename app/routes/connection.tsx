import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { CsrfInput } from "~/auth/csrf-input";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireUser } from "~/auth/user.server";
import { RouteError } from "~/components/RouteError";
import { checkConnection, connectionStatus, type ConnectionStatus } from "~/dashboard/connection.server";
import { formatTime } from "~/dashboard/words";

export const meta: MetaFunction = () => [{ title: "Connection · qbiz-readiness" }];

/** GET /connection: the last check; a first visit before any check waits for one. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  const status = connectionStatus();
  return { status: status.state === "unchecked" ? await checkConnection() : status };
}

/** POST (any signed-in user, CSRF): check again now; it only reads who the credentials are. */
export async function action({ request, context }: ActionFunctionArgs) {
  await requireUser(request, context);
  verifyCsrf(request, await readForm(request), await getSession(request));
  return { status: await checkConnection() };
}

const STATE_WORDS: Record<ConnectionStatus["state"], string> = {
  unchecked: "Not checked yet",
  checking: "Checking…",
  ok: "Connected",
  error: "Cannot read AWS",
};

function Facts({ status }: { status: ConnectionStatus }) {
  return (
    <dl className="facts" data-testid="connection-facts">
      <dt>Mode</dt>
      <dd data-testid="connection-mode">
        {status.mode === "local" ? `Local AWS (demo data, no real account): ${status.description}` : "Real AWS, through the SDK's default configuration"}
      </dd>
      <dt>Account</dt>
      <dd data-testid="connection-account">{status.accountId ? `${status.accountId} (${status.callerArn ?? "caller unknown"})` : "unknown (not reached)"}</dd>
      <dt>Regions</dt>
      <dd data-testid="connection-regions">{status.regions.length ? status.regions.join(", ") : "none set (QBR_REGIONS, AWS_REGION)"}</dd>
      <dt>Credentials from</dt>
      <dd data-testid="connection-credentials">{status.credentialSource}</dd>
      {status.endpoint ? (
        <>
          <dt>Endpoint</dt>
          <dd>{status.endpoint} (AWS_ENDPOINT_URL)</dd>
        </>
      ) : null}
      <dt>Checked</dt>
      <dd>{status.checkedAt ? formatTime(status.checkedAt) : "not yet"} with sts:GetCallerIdentity</dd>
    </dl>
  );
}

export default function Connection() {
  const { status } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Connection</h1>
      <p data-testid="connection-state" data-state={status.state}>
        <strong>{STATE_WORDS[status.state]}</strong>
      </p>
      <Facts status={status} />
      {status.error ? (
        <section className="card error-panel" role="alert" aria-labelledby="connection-error-heading" data-testid="connection-error">
          <h2 id="connection-error-heading">The error</h2>
          <p>
            <code>{status.error.code}</code>: {status.error.message}
          </p>
        </section>
      ) : null}
      {status.fix.length ? (
        <section className="card" aria-labelledby="connection-fix-heading" data-testid="connection-fix">
          <h2 id="connection-fix-heading">How to fix it</h2>
          <ol>
            {status.fix.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </section>
      ) : null}
      <Form method="post">
        <CsrfInput />
        <button type="submit">Check again</button>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The connection page" />;
}
