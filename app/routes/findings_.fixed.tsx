import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { FixedFindings } from "~/components/FixedFindings";
import { RouteError } from "~/components/RouteError";
import { requireUser } from "~/auth/user.server";
import { dashboardDb } from "~/dashboard/db.server";
import { getFixedPage } from "~/dashboard/fixed.server";

export const meta: MetaFunction = () => [{ title: "Fixed findings · qbiz-readiness" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return getFixedPage(await dashboardDb(), new URL(request.url).searchParams);
}

export default function Fixed() {
  const page = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Fixed findings</h1>
      <p>
        Findings that failed or warned in an audit and were fixed in a later one: the check passes, the resource is gone, or the audit no longer reports it.{" "}
        <Link to="/findings">Open findings</Link>
      </p>
      <FixedFindings page={page} />
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The fixed findings page" />;
}
