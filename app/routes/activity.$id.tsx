import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { CsrfInput } from "~/auth/csrf-input";
import { READ_AGAIN_MS, useReadAgainWhile } from "~/components/read-again";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { ActivityEvents, ResourceLinks } from "~/components/fix-activity";
import { FullSyncPlanView } from "~/components/fix-full-sync";
import { activityPath, FIX_ACTION_LABELS } from "~/components/fix-links";
import { ActivityLatest, FixOutcome, FixPlanStatus, stillRunning, TrackedSyncList } from "~/components/fix-plan";
import { ReuploadMatchView, StaleDocumentsList } from "~/components/fix-reupload";
import { RollbackPlanView, RolePolicyPatchPlanView } from "~/components/fix-role-patch";
import { RouteError } from "~/components/RouteError";
import { applyRollbackFromForm, getActivityEntryPage } from "~/dashboard/fixes.server";
import { latestApplicationNames } from "~/dashboard/activity-names.server";
import { dashboardDb } from "~/dashboard/db.server";
import { formatTime } from "~/dashboard/words";
import type { FixPlan } from "~/fixes/types";

export const meta: MetaFunction = ({ params }) => [{ title: `Activity #${params.id} · qbiz-readiness` }];

function activityId(params: { id?: string }): number {
  const id = Number(params.id);
  if (!Number.isInteger(id) || id <= 0) throw new Response(`"${params.id}" is not an activity number.`, { status: 404 });
  return id;
}

/** GET /activity/:id: one entry (the fix pages poll it for a sync's progress). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const [page, applicationNames] = await Promise.all([getActivityEntryPage(activityId(params), user), latestApplicationNames(await dashboardDb())]);
  return { ...page, applicationNames };
}

/** POST intent=rollback (operators, CSRF): roll back this role patch, confirmed by the rollback plan's hash. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  const form = await readForm(request);
  verifyCsrf(request, form, await getSession(request));
  return { result: await applyRollbackFromForm(activityId(params), form, user) };
}

function PlanAsShown({ plan }: { plan: FixPlan }) {
  switch (plan.action) {
    case "full-sync":
      return <FullSyncPlanView plan={plan} />;
    case "patch-role-policy":
      return <RolePolicyPatchPlanView plan={plan} />;
    case "reupload-files":
      return (
        <>
          <StaleDocumentsList plan={plan} />
          <ReuploadMatchView plan={plan} />
        </>
      );
    case "rollback":
      return <RollbackPlanView plan={plan} />;
  }
}

export default function ActivityEntryPage() {
  const data = useLoaderData<typeof loader>();
  const rolledBack = useActionData<typeof action>();
  const navigation = useNavigation();
  // The loader returns plain JSON types: what went over the wire has the same shapes.
  const entry = data.entry;
  const syncs = data.trackedSyncs;
  const rollback = data.rollback;
  const running = stillRunning(entry, syncs);

  useReadAgainWhile(running);

  const rollingBack = navigation.state === "submitting" && navigation.formData?.get("intent") === "rollback";
  return (
    <>
      <h1>
        Activity #{entry.id}: {FIX_ACTION_LABELS[entry.action]}
      </h1>
      <dl className="facts">
        <dt>Who</dt>
        <dd>{entry.actor}</dd>
        <dt>When</dt>
        <dd>{formatTime(entry.startedAt)}</dd>
        <dt>Resources</dt>
        <dd>
          <ResourceLinks entry={entry} names={data.applicationNames} />
        </dd>
        {data.bulkBatchId !== null ? (
          <>
            <dt>Batch</dt>
            <dd>
              <Link to={`/fix/bulk/${data.bulkBatchId}`} data-testid="activity-batch">
                Bulk fix #{data.bulkBatchId}
              </Link>
            </dd>
          </>
        ) : null}
        {entry.rollbackOf !== undefined ? (
          <>
            <dt>Rolls back</dt>
            <dd>
              <Link to={activityPath(entry.rollbackOf)}>#{entry.rollbackOf}</Link>
            </dd>
          </>
        ) : null}
        {entry.rolledBackBy !== undefined ? (
          <>
            <dt>Rolled back by</dt>
            <dd>
              <Link to={activityPath(entry.rolledBackBy)} data-testid="rolled-back-by">
                #{entry.rolledBackBy}
              </Link>
            </dd>
          </>
        ) : null}
      </dl>

      {rolledBack ? <FixOutcome result={rolledBack.result} /> : null}

      <section className="card" aria-labelledby="outcome-heading">
        <h2 id="outcome-heading">Outcome</h2>
        <ActivityLatest entry={entry} />
        {running ? (
          <p className="muted" data-testid="following">
            Still running: this page reads it again every {READ_AGAIN_MS / 1000} s.
          </p>
        ) : null}
        <TrackedSyncList syncs={syncs} />
        <h3>Events</h3>
        <ActivityEvents entry={entry} />
      </section>

      {data.rollback || data.rollbackProblem ? (
        <section className="card" id="rollback" aria-labelledby="rollback-heading">
          <h2 id="rollback-heading">Rollback</h2>
          {data.rollbackProblem ? <p className="error-text">{data.rollbackProblem}</p> : null}
          {rollback ? (
            <>
              <FixPlanStatus plan={rollback} />
              <RollbackPlanView plan={rollback} />
              {data.canApply ? (
                <Form method="post" data-testid="rollback-form">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="rollback" />
                  <input type="hidden" name="planHash" value={rollback.planHash} />
                  <label className="confirm">
                    <input type="checkbox" name="confirm" value="yes" required data-testid="rollback-confirm" /> I want to undo this role patch
                  </label>{" "}
                  <button type="submit" disabled={rollback.status !== "ready" || rollingBack} data-testid="rollback-button">
                    {rollingBack ? "Rolling back…" : "Roll back"}
                  </button>
                </Form>
              ) : (
                <p className="muted" data-testid="operators-only">
                  Rollback: operators only.
                </p>
              )}
            </>
          ) : null}
        </section>
      ) : null}

      <section className="card" aria-labelledby="plan-heading">
        <h2 id="plan-heading">The plan as confirmed</h2>
        <FixPlanStatus plan={entry.plan} asConfirmed />
        <PlanAsShown plan={entry.plan} />
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The activity entry" />;
}
