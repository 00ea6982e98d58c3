import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AuditTime } from "~/components/AuditTime";
import { FindingFilters } from "~/components/FindingFilters";
import { FindingsTable } from "~/components/FindingsTable";
import { RouteError } from "~/components/RouteError";
import { requireUser } from "~/auth/user.server";
import { dashboardDb } from "~/dashboard/db.server";
import { parseFindingFilters } from "~/dashboard/filters";
import { cachedFindingsPage } from "~/dashboard/cache.server";

export const meta: MetaFunction = () => [{ title: "Findings · qbiz-readiness" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  const filters = parseFindingFilters(new URL(request.url).searchParams);
  return { ...(await cachedFindingsPage(await dashboardDb(), filters)), filters };
}

export default function Findings() {
  const data = useLoaderData<typeof loader>();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Findings</h1>
          <AuditTime audit={data.audit} />
        </div>
        {data.audit ? (
          <nav className="exports" aria-label="Export the latest audit">
            <a href="/findings/export/json" download>
              Export JSON (report)
            </a>
            <a href="/findings/export/csv" download>
              Export CSV
            </a>
          </nav>
        ) : null}
      </div>
      {data.audit ? (
        <>
          <FindingFilters filters={data.filters} options={data.options} />
          <p className="muted" data-testid="findings-count">
            {data.matching === data.findings.length
              ? `${data.matching} finding(s)`
              : `Showing the first ${data.findings.length} of ${data.matching} findings: narrow the filters, or export them all.`}
          </p>
          <FindingsTable rows={data.findings} />
        </>
      ) : (
        <p className="card">No audit is stored yet: start one from the overview.</p>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The findings page" />;
}
