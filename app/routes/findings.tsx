import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AuditTime } from "~/components/AuditTime";
import { FindingFilters } from "~/components/FindingFilters";
import { FindingsTable } from "~/components/FindingsTable";
import { BulkFixBar } from "~/components/BulkFixBar";
import { RouteError } from "~/components/RouteError";
import { requireUser } from "~/auth/user.server";
import { dashboardDb } from "~/dashboard/db.server";
import { FindingsExports } from "~/components/FindingsExports";
import { Pager, PagingSummary } from "~/components/TablePaging";
import { findingsSearch, parseFindingFilters } from "~/dashboard/filters";
import { cachedFindingsPage } from "~/dashboard/cache.server";
import { formatCount } from "~/dashboard/paging";
import { plural } from "~/util/plural";

export const meta: MetaFunction = () => [{ title: "Findings · qbiz-readiness" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  const filters = parseFindingFilters(new URL(request.url).searchParams);
  const page = await cachedFindingsPage(await dashboardDb(), filters);
  // The page shown (a link past the last page shows the last one).
  return { ...page, filters: { ...filters, page: page.paging.page } };
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
        {data.audit ? <FindingsExports filters={data.filters} matching={data.paging.matching} /> : null}
      </div>
      {data.audit ? (
        <>
          <FindingFilters filters={data.filters} options={data.options} accountNames={data.accountNames} />
          <p className="muted" data-testid="findings-count">
            <PagingSummary paging={data.paging} noun="matching findings" testId="findings-shown" /> ·{" "}
            <span data-testid="findings-total">
              {formatCount(data.total)} {data.total === 1 ? "finding" : "findings"} in this audit
            </span>{" "}
            ·{" "}
            <Link to="/findings/fixed" data-testid="fixed-findings-link">
              fixed findings
            </Link>
            {data.suppressedMatching && !data.filters.suppressed ? (
              <>
                {" "}
                ·{" "}
                <Link to={findingsSearch(data.filters, { suppressed: "show", page: 1 })} data-testid="suppressed-hidden">
                  {plural(data.suppressedMatching, "accepted exception")} hidden: show suppressed
                </Link>
              </>
            ) : null}
          </p>
          {data.findings.length > 0 ? <BulkFixBar search={findingsSearch(data.filters, { page: 1 })} total={data.paging.matching} /> : null}
          <FindingsTable rows={data.findings} filters={data.filters} accountNames={data.accountNames} />
          <Pager paging={data.paging} hrefOf={(page) => findingsSearch(data.filters, { page }) || "?"} label="Pages of findings" />
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
