/** /activity: the list. A separate index route, so /activity/:id (activity.$id.tsx) is not nested inside it. */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireUser } from "~/auth/user.server";
import { ActivityFilters, ActivityTable } from "~/components/fix-activity";
import { RouteError } from "~/components/RouteError";
import { ACTIVITY_PAGE_LIMIT, getActivityPage, parseActivityFilters } from "~/dashboard/fixes.server";
import { dashboardDb } from "~/dashboard/db.server";
import { plural } from "~/dashboard/words";

export const meta: MetaFunction = () => [{ title: "Activity · qbiz-readiness" }];

/** GET /activity?actor&action&status&resource: the append-only log of fix actions, newest first. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const filters = parseActivityFilters(new URL(request.url).searchParams);
  // The limit goes with the data: a value imported from a .server module is empty in the browser.
  return { ...(await getActivityPage(await dashboardDb(), filters)), filters, limit: ACTIVITY_PAGE_LIMIT, canApply: user.role === "operator" };
}

export default function Activity() {
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Activity</h1>
      <p className="muted">
        Every fix applied from the dashboard or the CLI: who, when, on what, the plan as confirmed, and what happened. Entries are never changed or deleted;
        later events are appended.
      </p>
      <ActivityFilters filters={data.filters} actors={data.actors} />
      <p className="muted" data-testid="activity-count">
        {data.matching <= data.limit ? plural(data.matching, "entry") : `The newest ${data.limit} of ${data.matching} entries: narrow the filters.`}
      </p>
      <ActivityTable entries={data.entries} canApply={data.canApply} names={data.applicationNames} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The activity log" />;
}
