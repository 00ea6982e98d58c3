import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { CsrfInput } from "~/auth/csrf-input";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { FullSyncOptions, FullSyncPlanView } from "~/components/fix-full-sync";
import { fullSyncPath } from "~/components/fix-links";
import { FixApplyForm, FixOutcome, FixPlanStatus } from "~/components/fix-plan";
import { RouteError } from "~/components/RouteError";
import { applyFullSyncFromForm, getFullSyncPage } from "~/dashboard/fixes.server";
import { applicationPath } from "~/dashboard/words";

export const meta: MetaFunction = () => [{ title: "Full sync · qbiz-readiness" }];

/** GET: the plan (viewers too). One data source, or with no dataSourceId every failing S3 data source of the application. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return getFullSyncPage(new URL(request.url).searchParams, user);
}

/** POST intent=apply (operators, CSRF): apply the plan(s) confirmed by their hash. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  const form = await readForm(request);
  verifyCsrf(request, form, await getSession(request));
  return applyFullSyncFromForm(new URL(request.url).searchParams, form, user);
}

export default function FullSyncFix() {
  const page = useLoaderData<typeof loader>();
  const applied = useActionData<typeof action>();
  const navigation = useNavigation();
  const applying = navigation.state === "submitting";
  const plans = page.plans;
  // A data source that is syncing now is not started again (its plan says so).
  const ready = plans.filter((p) => p.status === "ready" && !p.details.runningSync);
  const appName = page.applicationName ?? page.application.applicationId;
  const results = applied?.results ?? [];
  return (
    <>
      <h1>Full sync{page.kind === "bulk" ? ": every failing S3 data source" : ""}</h1>
      <p className="muted">
        Application <Link to={applicationPath(page.application)}>{appName}</Link> · {page.application.accountId} · {page.application.region}
      </p>
      {results.map((result, i) => (
        <FixOutcome key={i} result={result}>
          {result.outcome === "stale-plan" ? <p data-testid="stale-plan">The plan below is the new one: review it, then confirm again.</p> : null}
        </FixOutcome>
      ))}

      {page.kind === "single" ? (
        <section className="card" aria-labelledby="plan-heading">
          {/* After an apply the loader plans again: this is the data source as it is now, not the plan applied. */}
          <h2 id="plan-heading">{results.length > 0 ? "The data source now" : "Plan"}</h2>
          <FixPlanStatus plan={plans[0]} />
          <FullSyncPlanView plan={plans[0]} />
          <FixApplyForm
            plan={plans[0]}
            canApply={page.canApply}
            label={plans[0].details.modeless ? "Start the sync and check every document" : "Start the full sync"}
            blockedBecause={plans[0].details.runningSync ? "A sync is running: a full sync can start when it has ended." : undefined}
          >
            <FullSyncOptions switchesMode={plans[0].details.switchesMode} />
          </FixApplyForm>
        </section>
      ) : (
        <>
          {plans.length === 0 ? <p className="card">No S3 data source of this application fails a full-sync check in the latest audit.</p> : null}
          {plans.map((plan) => (
            <section
              key={plan.details.dataSource.dataSourceId}
              className="card"
              aria-label={`Plan for ${plan.details.dataSource.displayName ?? plan.details.dataSource.dataSourceId}`}
            >
              <h2>{plan.details.dataSource.displayName ?? plan.details.dataSource.dataSourceId}</h2>
              <FixPlanStatus plan={plan} />
              <FullSyncPlanView plan={plan} />
              <p>
                <Link to={fullSyncPath(plan.details.dataSource)}>This data source alone</Link>
              </p>
            </section>
          ))}
          {plans.length > 0 ? (
            <Form method="post" className="card apply-form" data-testid="bulk-apply-form">
              <CsrfInput />
              <input type="hidden" name="intent" value="apply" />
              {ready.map((plan) => (
                <span key={plan.planHash}>
                  <input type="hidden" name="dataSources" value={`${plan.details.dataSource.indexId}/${plan.details.dataSource.dataSourceId}`} />
                  <input type="hidden" name="planHashes" value={plan.planHash} />
                </span>
              ))}
              <FullSyncOptions switchesMode={ready.some((p) => p.details.switchesMode)} />
              <button type="submit" disabled={!page.canApply || ready.length === 0 || applying} data-testid="apply-button">
                {applying ? "Applying…" : `Start ${ready.length} full sync(s)`}
              </button>
              {!page.canApply ? (
                <span className="muted" data-testid="operators-only">
                  {" "}
                  Operators only: you are signed in as a viewer.
                </span>
              ) : null}
              <p className="muted small">At most 3 syncs start at once per account; each is followed in the background.</p>
            </Form>
          ) : null}
        </>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The full-sync page" />;
}
