import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { CsrfInput } from "~/auth/csrf-input";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { FullSyncOptions, FullSyncPlanView } from "~/components/fix-full-sync";
import { fullSyncPath } from "~/components/fix-links";
import { FixApplyForm, FixPlanStatus } from "~/components/fix-plan";
import { ApplyNotice, FixStateCard } from "~/components/fix-state";
import { RouteError } from "~/components/RouteError";
import { applyFullSyncFromForm, getFullSyncPage } from "~/dashboard/fixes.server";
import { applicationPath, plural } from "~/dashboard/words";

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

/** Outcomes of an apply that leave no run in the activity log (nothing was done): said once, above the state. */
const UNRECORDED = new Set(["stale-plan", "busy", "refused", "unavailable", "nothing-to-do"]);

export default function FullSyncFix() {
  const page = useLoaderData<typeof loader>();
  const applied = useActionData<typeof action>();
  const appName = page.applicationName ?? page.application.applicationId;
  const notices = (applied?.results ?? []).filter((r) => UNRECORDED.has(r.outcome));
  return (
    <>
      <h1>Full sync{page.kind === "bulk" ? ": the application's S3 data sources" : ""}</h1>
      <p className="muted">
        Application <Link to={applicationPath(page.application)}>{appName}</Link> · {page.application.accountId} · {page.application.region}
      </p>
      {notices.map((result, i) => (
        <ApplyNotice
          key={i}
          outcome={result.outcome}
          message={result.outcome === "stale-plan" ? `${result.message} The plan below is the new one.` : result.message}
        />
      ))}
      {page.kind === "single" ? (
        <SingleFullSync plan={page.plans[0]} shown={page.states[0]} canApply={page.canApply} />
      ) : (
        <BulkFullSync plans={page.plans} states={page.states} canApply={page.canApply} />
      )}
    </>
  );
}

type Shown = ReturnType<typeof useLoaderData<typeof loader>>["states"][number];
type ShownPlan = ReturnType<typeof useLoaderData<typeof loader>>["plans"][number];

/** One data source: its state, then the data source as it is now, and apply only when the state offers it. */
function SingleFullSync({ plan, shown, canApply }: { plan: ShownPlan; shown: Shown; canApply: boolean }) {
  const { state } = shown;
  return (
    <>
      <FixStateCard state={state} trackedSyncs={shown.trackedSyncs} />
      <section className="card" aria-labelledby="plan-heading">
        <h2 id="plan-heading">{state.offerApply ? "Plan" : "The data source now"}</h2>
        {state.offerApply || plan.status === "refused" || plan.status === "unavailable" ? <FixPlanStatus plan={plan} badge={false} /> : null}
        <FullSyncPlanView plan={plan} offered={state.offerApply} />
        {state.offerApply ? (
          <FixApplyForm
            plan={plan}
            canApply={canApply}
            label={plan.details.modeless ? "Start the sync and check every document" : "Start the full sync"}
            blockedBecause={plan.details.runningSync ? "A sync is running: a full sync can start when it has ended." : undefined}
          >
            <FullSyncOptions switchesMode={plan.details.switchesMode} />
          </FixApplyForm>
        ) : null}
      </section>
    </>
  );
}

/** Every data source the bulk page covers, each with its own state; one form applies those whose state offers it. */
function BulkFullSync({ plans, states, canApply }: { plans: ShownPlan[]; states: Shown[]; canApply: boolean }) {
  const navigation = useNavigation();
  const applying = navigation.state === "submitting";
  // A data source that is syncing now is not started again (its plan says so).
  const ready = plans.filter((p, i) => states[i].state.offerApply && !p.details.runningSync);
  if (plans.length === 0) return <p className="card">No S3 data source of this application fails a full-sync check in the latest audit.</p>;
  return (
    <>
      {plans.map((plan, i) => (
        <section
          key={plan.details.dataSource.dataSourceId}
          className="card"
          aria-label={`Data source ${plan.details.dataSource.displayName ?? plan.details.dataSource.dataSourceId}`}
          data-testid="bulk-source"
          data-state={states[i].state.kind}
        >
          <h2>{plan.details.dataSource.displayName ?? plan.details.dataSource.dataSourceId}</h2>
          <FixStateCard state={states[i].state} trackedSyncs={states[i].trackedSyncs} />
          {states[i].state.offerApply || plan.status === "refused" || plan.status === "unavailable" ? <FixPlanStatus plan={plan} badge={false} /> : null}
          <FullSyncPlanView plan={plan} offered={states[i].state.offerApply} />
          <p>
            <Link to={fullSyncPath(plan.details.dataSource)}>This data source alone</Link>
          </p>
        </section>
      ))}
      {ready.length > 0 ? (
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
          <button type="submit" disabled={!canApply || applying} data-testid="apply-button">
            {applying ? "Applying…" : `Start ${plural(ready.length, "full sync")}`}
          </button>
          {!canApply ? (
            <span className="muted" data-testid="operators-only">
              {" "}
              Operators only: you are signed in as a viewer.
            </span>
          ) : null}
          <p className="muted small">At most 3 syncs start at once per account; each is followed in the background.</p>
        </Form>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The full-sync page" />;
}
