import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { activityPath } from "~/components/fix-links";
import { RouteError } from "~/components/RouteError";
import { ScanNow } from "~/components/ScanNow";
import { SuppressionForm, SuppressionRulesTable } from "~/components/SuppressionRules";
import { startScan } from "~/dashboard/scans.server";
import { changeSuppressionFromForm, getSuppressionsPage } from "~/dashboard/suppressions.server";

export const meta: MetaFunction = () => [{ title: "Accepted exceptions · qbiz-readiness" }];

/** GET /suppressions[?edit=ID][&checkId=...&accountId=...]: the rules, what each matched, the form (prefilled from a finding's link). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return getSuppressionsPage(new URL(request.url).searchParams, user);
}

/** POST intent=create | edit | remove | scan (operators, CSRF). */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  const form = await readForm(request);
  verifyCsrf(request, form, await getSession(request));
  if (form.get("intent") === "scan") return startScan(user);
  const result = await changeSuppressionFromForm(form, user);
  return Response.json(result, { status: result.ok ? 200 : 400 });
}

export default function Suppressions() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<{ ok: boolean; message?: string; error?: string; activityId?: number }>();
  const editing = data.editing !== null ? data.rules.find((r) => r.rowId === data.editing) : undefined;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Accepted exceptions</h1>
          <p className="muted">
            A finding an accepted exception covers keeps its status and stays listed (the findings page&apos;s “show suppressed”), but no longer makes its
            application not ready nor fails <code>--fail-on</code>. Rules apply from the next audit;{" "}
            {data.latestAudit ? `the counts below are from audit #${data.latestAudit.id}.` : "no audit is stored yet."}
          </p>
        </div>
        <ScanNow initial={data.scan} canScan={data.canEdit} />
      </div>
      {result ? (
        <p role={result.ok ? "status" : "alert"} className={result.ok ? "notice" : "error"} data-testid="suppression-result">
          {result.ok ? result.message : result.error}{" "}
          {result.activityId ? <Link to={activityPath(result.activityId)}>Activity #{result.activityId}</Link> : null}
        </p>
      ) : null}
      <section className="card" aria-labelledby="db-rules">
        <h2 id="db-rules">Made in the dashboard</h2>
        <SuppressionRulesTable rules={data.rules} canEdit={data.canEdit} testId="db-rules" />
      </section>
      {data.canEdit ? (
        <section className="card" aria-labelledby="rule-form">
          <h2 id="rule-form">{editing ? `Change exception #${editing.rowId}` : "Accept an exception"}</h2>
          <SuppressionForm key={editing?.id ?? JSON.stringify(data.prefill)} checks={data.checks} rule={editing} prefill={data.prefill} />
        </section>
      ) : (
        <p className="muted" data-testid="operators-only">
          Operators make and change exceptions: you are signed in as a viewer.
        </p>
      )}
      <section className="card" aria-labelledby="file-rules">
        <h2 id="file-rules">From the suppressions file</h2>
        {data.file.path ? (
          <p className="muted">
            <code>{data.file.path}</code> (QBR_SUPPRESSIONS_FILE): change the file to change these.
          </p>
        ) : (
          <p className="muted">No file is configured (QBR_SUPPRESSIONS_FILE).</p>
        )}
        {data.file.error ? (
          <p role="alert" className="error">
            {data.file.error}
          </p>
        ) : null}
        {data.file.path ? <SuppressionRulesTable rules={data.file.rules} canEdit={false} testId="file-rules" /> : null}
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The accepted exceptions page" />;
}
