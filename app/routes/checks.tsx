import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { AuditTime } from "~/components/AuditTime";
import { RouteError } from "~/components/RouteError";
import { requireUser } from "~/auth/user.server";
import { getCheckCatalogue } from "~/dashboard/checks.server";
import { dashboardDb } from "~/dashboard/db.server";
import { toSearch } from "~/dashboard/filters";

export const meta: MetaFunction = () => [{ title: "Checks · qbiz-readiness" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireUser(request, context);
  return getCheckCatalogue(await dashboardDb());
}

export default function Checks() {
  const { audit, checks } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Checks</h1>
      <AuditTime audit={audit} />
      <p className="muted">
        What the audit verifies for every application, and how each check stood in the latest audit. The same metadata drives the reports and the CLI.
      </p>
      {checks.map((c) => (
        <article key={c.id} id={c.id} className="card check" aria-labelledby={`${c.id}-title`}>
          <h2 id={`${c.id}-title`}>{c.title}</h2>
          <p className="muted small">
            <code>{c.id}</code> · severity <strong>{c.severity}</strong> · about a {c.resourceType} · fix: {c.remediation ?? "none (explained)"}
          </p>
          <dl>
            <dt>Fails when</dt>
            <dd>{c.meaning}</dd>
            <dt>Why it matters</dt>
            <dd>{c.whyItMatters}</dd>
            <dt>How to fix</dt>
            <dd>{c.howToFix}</dd>
            <dt>Permissions it reads with</dt>
            <dd className="permissions">
              {c.permissions.map((p) => (
                <code key={p}>{p}</code>
              ))}
            </dd>
            {audit ? (
              <>
                <dt>Latest audit</dt>
                <dd>
                  <Link to={`/findings${toSearch({ check: c.id, status: "fail" })}`}>{c.counts.fail} failing</Link>, {c.counts.warn} warning, {c.counts.unknown}{" "}
                  unknown, {c.counts.pass} passing
                </dd>
              </>
            ) : null}
          </dl>
        </article>
      ))}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The checks catalogue" />;
}
