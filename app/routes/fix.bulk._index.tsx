/** /fix/bulk: the latest bulk-fix batches; POST intent=plan (from the findings page) plans a new one and opens it. */
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { RouteError } from "~/components/RouteError";
import { getBulkIndexPage, planBatchFromForm } from "~/fixes/bulk-pages.server";
import { ACTION_WORDS } from "~/fixes/bulk-summary";
import { formatTime } from "~/dashboard/words";

export const meta: MetaFunction = () => [{ title: "Bulk fixes · qbiz-readiness" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return getBulkIndexPage();
}

/** POST intent=plan (operators, CSRF): plan the selection (read-only on AWS), then show the plan. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  const form = await readForm(request);
  verifyCsrf(request, form, await getSession(request));
  const id = await planBatchFromForm(form, user);
  return redirect(`/fix/bulk/${id}`);
}

export default function BulkBatches() {
  const { batches, caps } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Bulk fixes</h1>
      <p className="muted">
        Select findings on the <Link to="/findings">findings page</Link> (or all that match its filter) to plan a batch. At most {caps.perAccount} per account
        and {caps.overall} in all run at once by default.
      </p>
      {batches.length === 0 ? (
        <p className="card">No batch yet.</p>
      ) : (
        <table data-testid="bulk-batches">
          <thead>
            <tr>
              <th scope="col">Batch</th>
              <th scope="col">Action</th>
              <th scope="col">By</th>
              <th scope="col">Planned</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {batches.map((b) => (
              <tr key={b.id}>
                <td>
                  <Link to={`/fix/bulk/${b.id}`}>#{b.id}</Link>
                </td>
                <td>{b.action === "mixed" ? "Several fixes" : (ACTION_WORDS[b.action] ?? b.action)}</td>
                <td>{b.actor}</td>
                <td>{formatTime(b.createdAt)}</td>
                <td>{b.message ?? b.state}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The bulk fixes page" />;
}
