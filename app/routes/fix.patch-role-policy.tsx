import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { FixApplyForm, FixPlanStatus } from "~/components/fix-plan";
import { ApplyNotice, FixStateCard } from "~/components/fix-state";
import { RolePolicyPatchPlanView } from "~/components/fix-role-patch";
import { RouteError } from "~/components/RouteError";
import { applyRolePatchFromForm, getRolePatchPage } from "~/dashboard/fixes.server";
import { applicationPath } from "~/dashboard/words";

export const meta: MetaFunction = () => [{ title: "Patch the role policy · qbiz-readiness" }];

/** GET ?accountId&roleArn: the plan (viewers too). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return getRolePatchPage(new URL(request.url).searchParams, user);
}

/** POST intent=apply (operators, CSRF): put the inline policy shown, confirmed by its plan hash. */
export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  const form = await readForm(request);
  verifyCsrf(request, form, await getSession(request));
  return applyRolePatchFromForm(new URL(request.url).searchParams, form, user);
}

export default function RolePatchFix() {
  const page = useLoaderData<typeof loader>();
  const applied = useActionData<typeof action>();
  // The loader's plan as it went over the wire: plain JSON of this shape.
  const plan = page.plan;
  return (
    <>
      <h1>Patch the role policy</h1>
      <p className="muted">
        Grants <code>qbusiness:GetDocumentContent</code> to the web experience role on each application that uses it, so end users can open the source documents
        of answers.{" "}
        {plan.applications.map((app, i) => (
          <span key={app.applicationId}>
            {i > 0 ? ", " : ""}
            <Link to={applicationPath(app)}>{app.applicationId}</Link>
          </span>
        ))}
      </p>
      {/* The outcome of a run is the state card's (from the activity log); an apply that did nothing is said once here. */}
      {applied && !applied.result.activityId ? <ApplyNotice outcome={applied.result.outcome} message={applied.result.message} /> : null}
      <FixStateCard state={page.state} />
      <section className="card" aria-labelledby="plan-heading">
        <h2 id="plan-heading">{page.state.offerApply ? "Plan" : "The role now"}</h2>
        <FixPlanStatus plan={plan} badge={false} />
        <RolePolicyPatchPlanView plan={plan} />
        {page.state.offerApply ? <FixApplyForm plan={plan} canApply={page.canApply} label="Put this policy" /> : null}
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The role patch page" />;
}
