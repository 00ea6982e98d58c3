import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ApplicationFilters } from "~/components/ApplicationFilters";
import { ApplicationsTable } from "~/components/ApplicationsTable";
import { AuditTime } from "~/components/AuditTime";
import { FailingByCheckChart } from "~/components/FailingByCheckChart";
import { FleetTotals } from "~/components/FleetTotals";
import { ReadinessDonut } from "~/components/ReadinessDonut";
import { ReadinessTrendChart } from "~/components/ReadinessTrendChart";
import { RouteError } from "~/components/RouteError";
import { Pager, PagingSummary } from "~/components/TablePaging";
import { ScanNow, type ScanActionData } from "~/components/ScanNow";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { dashboardDb } from "~/dashboard/db.server";
import { applicationsSearch, parseApplicationFilters } from "~/dashboard/filters";
import { cachedOverview } from "~/dashboard/cache.server";
import { scanStatus, startScan } from "~/dashboard/scans.server";
import { unreadableSummary } from "~/dashboard/counts";

export const meta: MetaFunction = () => [{ title: "Overview · qbiz-readiness" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const filters = parseApplicationFilters(new URL(request.url).searchParams);
  const overview = await cachedOverview(await dashboardDb(), filters);
  return {
    ...overview,
    // The page shown (a link past the last page shows the last one).
    filters: { ...filters, page: overview.applicationsPaging.page },
    scan: scanStatus(),
    canScan: user.role === "operator",
  };
}

/** intent=scan: start a background audit (operators only; one at a time per server). */
export async function action({ request, context }: ActionFunctionArgs): Promise<ScanActionData> {
  const user = await requireOperator(request, context);
  const form = await readForm(request);
  verifyCsrf(request, form, await getSession(request));
  if (form.get("intent") !== "scan") throw new Response(`Unknown action "${String(form.get("intent"))}".`, { status: 400 });
  return startScan(user, { full: form.get("full") === "1" });
}

export default function Overview() {
  const data = useLoaderData<typeof loader>();
  const { audit, totals, filters } = data;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Overview</h1>
          <AuditTime audit={audit} />
        </div>
        <ScanNow initial={data.scan} canScan={data.canScan} />
      </div>
      {audit === null ? (
        <p className="card">
          No audit is stored yet.{" "}
          {data.scan.state === "running" ? "The first scan is running; this page fills in when it ends." : "Start one with “Scan now” or `npm run audit`."}
        </p>
      ) : (
        <>
          {data.unreadableTargets.length > 0 ? (
            <div className="card warning" role="note">
              <strong data-testid="unreadable-summary">{unreadableSummary(data.counts)}</strong>
              <ul>
                {data.unreadableTargets.map((t) => (
                  <li key={`${t.accountId}/${t.region}`}>
                    {t.accountId} {t.region}: {t.error}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          <FleetTotals counts={data.counts} />
          <p className="muted" data-testid="finding-totals">
            Findings: <Link to="/findings?status=fail">{data.findings.fail} failing</Link>, {data.findings.warn} warnings, {data.findings.unknown} unknown,{" "}
            {data.findings.pass} passing.
          </p>
          <div className="charts">
            <ReadinessDonut totals={totals} />
            <FailingByCheckChart counts={data.failingByCheck} />
            <ReadinessTrendChart points={data.trend} markers={data.trendMarkers} />
          </div>
          <section aria-labelledby="applications-heading">
            <h2 id="applications-heading">
              Applications{" "}
              <span className="muted small">
                ({data.applicationsPaging.matching} of {data.applicationsTotal})
              </span>
            </h2>
            <ApplicationFilters filters={filters} options={data.options} accountNames={data.accountNames} />
            <p className="muted">
              <PagingSummary paging={data.applicationsPaging} noun="matching applications" testId="applications-shown" />
            </p>
            <ApplicationsTable rows={data.applications} filters={filters} />
            <Pager paging={data.applicationsPaging} hrefOf={(page) => applicationsSearch(filters, { page }) || "?"} label="Pages of applications" />
          </section>
        </>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The overview" />;
}
