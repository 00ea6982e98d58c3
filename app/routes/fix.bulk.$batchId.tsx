/**
 * /fix/bulk/:batchId: one batch. Planned: the plan aggregated per action,
 * account and region (every item on demand) and, for operators, Apply.
 * Running: live progress per item (the page re-reads every 2 s). Done: what
 * succeeded, what failed and why, what was skipped as already fixed.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { CsrfInput } from "~/auth/csrf-input";
import { useReadAgainWhile } from "~/components/read-again";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { BulkItemsTable, BulkLeftOutList, BulkPlanTable, BulkResults } from "~/components/BulkBatch";
import { ApplyNotice } from "~/components/fix-state";
import { RouteError } from "~/components/RouteError";
import { applyBatchFromForm, getBulkBatchPage } from "~/fixes/bulk-pages.server";
import { ACTION_WORDS } from "~/fixes/bulk-summary";
import { formatTime, plural } from "~/dashboard/words";

export const meta: MetaFunction = ({ params }) => [{ title: `Bulk fix #${params.batchId} · qbiz-readiness` }];

function batchIdOf(params: { batchId?: string }): number {
  const id = Number(params.batchId);
  if (!Number.isInteger(id) || id < 1) throw new Response(`"${params.batchId}" is not a batch number.`, { status: 404 });
  return id;
}

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return getBulkBatchPage(batchIdOf(params), user);
}

/** POST intent=apply (operators, CSRF): start the batch confirmed by its hash. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const user = await requireOperator(request, context);
  const form = await readForm(request);
  verifyCsrf(request, form, await getSession(request));
  return applyBatchFromForm(batchIdOf(params), form, user);
}

export default function BulkBatchPage() {
  const page = useLoaderData<typeof loader>();
  const applied = useActionData<typeof action>();
  const { batch } = page;
  const running = batch.state === "running";
  useReadAgainWhile(running);
  const title = batch.action === "mixed" ? "Several fixes" : (ACTION_WORDS[batch.action] ?? batch.action);
  return (
    <>
      <h1>
        Bulk fix #{batch.id}: {title}
      </h1>
      <p className="muted" data-testid="bulk-state" data-state={batch.state}>
        {plural(batch.items.length, "resource")} · planned by {batch.actor} at {formatTime(batch.createdAt)} · at most {batch.perAccount} per account,{" "}
        {batch.overall} in all ·{" "}
        {batch.state === "planned" ? "not applied yet" : batch.state === "running" ? "running" : `ended ${formatTime(batch.finishedAt)}`}
      </p>
      {applied && applied.outcome !== "started" ? <ApplyNotice outcome={applied.outcome} message={applied.message} /> : null}
      {page.orphaned ? (
        <p className="card warning" data-testid="bulk-orphaned">
          No process is running this batch now (the server stopped). It resumes where it was when the dashboard starts again.
        </p>
      ) : null}
      {batch.state !== "planned" ? <BulkResults batch={batch} counts={page.counts} /> : null}
      <section className="card" aria-labelledby="plan-heading">
        <h2 id="plan-heading">{batch.state === "planned" ? "Plan" : "Per account and region"}</h2>
        <BulkPlanTable groups={page.groups} />
        {batch.state === "planned" ? <ApplyBatch batch={batch} canApply={page.canApply} /> : null}
      </section>
      {batch.state === "planned" ? (
        <details className="card" data-testid="bulk-itemised">
          <summary>Every item ({batch.items.length})</summary>
          <BulkItemsTable items={batch.items} />
        </details>
      ) : (
        <section className="card" aria-labelledby="items-heading">
          <h2 id="items-heading">Every item</h2>
          <BulkItemsTable items={batch.items} />
        </section>
      )}
      <BulkLeftOutList leftOut={batch.leftOut} />
      <p>
        <Link to="/fix/bulk">Every batch</Link> · <Link to="/activity">Activity log</Link>
      </p>
    </>
  );
}

type ShownBatch = ReturnType<typeof useLoaderData<typeof loader>>["batch"];

function ApplyBatch({ batch, canApply }: { batch: ShownBatch; canApply: boolean }) {
  const navigation = useNavigation();
  const applying = navigation.state === "submitting";
  const toApply = batch.items.filter((i) => i.state === "pending").length;
  if (toApply === 0) return <p data-testid="bulk-nothing">Nothing to apply: every item is already fixed or not applicable.</p>;
  return (
    <Form method="post" className="apply-form" data-testid="bulk-apply-form">
      <CsrfInput />
      <input type="hidden" name="intent" value="apply" />
      <input type="hidden" name="batchHash" value={batch.batchHash} />
      <button type="submit" disabled={!canApply || applying} data-testid="bulk-apply">
        {applying ? "Applying…" : `Apply to ${plural(toApply, "resource")}`}
      </button>
      {!canApply ? <span className="muted"> Operators only: you are signed in as a viewer.</span> : null}
      <p className="muted small">
        Each resource gets its own activity entry; one failure never stops the others. A resource already fixed when its turn comes is skipped.
      </p>
    </Form>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The bulk fix page" />;
}
