import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { CsrfInput } from "~/auth/csrf-input";
import { readForm, verifyCsrf } from "~/auth/csrf.server";
import { getSession } from "~/auth/session.server";
import { requireOperator, requireUser } from "~/auth/user.server";
import { FixPlanStatus } from "~/components/fix-plan";
import { ApplyNotice, FixStateCard } from "~/components/fix-state";
import { ReuploadFilePicker, ReuploadMatchView, StaleDocumentsList } from "~/components/fix-reupload";
import { RouteError } from "~/components/RouteError";
import { getReuploadPage, readReuploadUpload, reuploadFromForm, reuploadUploadLimits } from "~/dashboard/fixes.server";
import { applicationPath, plural } from "~/dashboard/words";

export const meta: MetaFunction = () => [{ title: "Re-upload files · qbiz-readiness" }];

/** GET ?accountId&region&applicationId&indexId: the stale uploaded documents (viewers too). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return getReuploadPage(new URL(request.url).searchParams, user);
}

/**
 * POST multipart (CSRF), operators only: intent=check matches the files to the
 * stale documents (nothing is sent to AWS); intent=apply uploads them,
 * confirmed by the hash of the checked plan.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  // Before any of the body is read: a viewer, who may not apply, must not make the server hold files in memory.
  const user = await requireOperator(request, context);
  const params = new URL(request.url).searchParams;
  let form: FormData;
  if ((request.headers.get("content-type") ?? "").startsWith("multipart/form-data")) {
    const upload = await readReuploadUpload(request, await reuploadUploadLimits(params));
    if (upload.problem !== null) return { checked: null, result: null, problem: upload.problem };
    form = upload.form;
  } else {
    // A post that is not multipart has no files: read it as a plain form, so the CSRF check answers it.
    form = await readForm(request);
  }
  verifyCsrf(request, form, await getSession(request));
  return { ...(await reuploadFromForm(params, form, user)), problem: null };
}

export default function ReuploadFix() {
  const page = useLoaderData<typeof loader>();
  const answer = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  // Plans as they went over the wire: plain JSON of these shapes.
  const plan = page.plan;
  // The files checked, until they are sent: after an upload the state card (from the activity log) reports them, and the form starts afresh.
  const checked = answer?.checked && !answer.result?.activityId ? answer.checked : null;
  const result = answer?.result ?? null;
  const busy = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  const canUpload = page.canApply && checked?.status === "ready" && checked.details.matched.some((m) => !m.tooLarge);
  return (
    <>
      <h1>Re-upload files</h1>
      <p className="muted">
        Application <Link to={applicationPath(page.index)}>{page.applicationName ?? page.index.applicationId}</Link> · {page.index.accountId} ·{" "}
        {page.index.region}
      </p>
      {/* A run's outcome is the state card's (from the activity log); an apply that did nothing is said once here. */}
      {result && !result.activityId ? (
        <ApplyNotice
          outcome={result.outcome}
          message={
            result.outcome === "stale-plan"
              ? "The files or the documents changed since they were checked: review the new match below, then upload again."
              : result.message
          }
        />
      ) : null}
      <FixStateCard state={page.state} />
      {answer?.problem ? (
        <p className="card error-text" role="alert">
          {answer.problem}
        </p>
      ) : null}

      <section className="card" aria-labelledby="stale-heading">
        <h2 id="stale-heading">Stale documents</h2>
        <StaleDocumentsList plan={plan} />
      </section>

      {page.state.offerApply ? (
        <section className="card" aria-labelledby="upload-heading">
          <h2 id="upload-heading">{page.state.kind === "partly-fixed" ? "Upload the rest again" : "Upload them again"}</h2>
          <p className="muted small">
            Choose the original files. They are matched to the documents by name and checked here before anything is sent; uploads replace the documents in
            place, nothing is deleted first.
          </p>
          <Form
            // A new run starts the form afresh: the files just sent are not left chosen.
            key={page.state.run?.activityId ?? "no-run"}
            method="post"
            encType="multipart/form-data"
            data-testid="reupload-form"
            onChange={(event) => {
              // With JavaScript, choosing files checks them at once (the button does it without).
              // Viewers may not post files: the picker alone shows them which files match.
              const target = event.target as HTMLInputElement;
              if (target.type !== "file" || !page.canApply) return;
              const data = new FormData(event.currentTarget);
              data.set("intent", "check");
              submit(data, { method: "post", encType: "multipart/form-data" });
            }}
          >
            <CsrfInput />
            <input type="hidden" name="planHash" value={checked?.planHash ?? ""} />
            <ReuploadFilePicker staleDocumentIds={plan.details.staleDocuments.map((d) => d.documentId)} />
            <button type="submit" name="intent" value="check" disabled={!page.canApply || busy === "check"} data-testid="check-files">
              {busy === "check" ? "Checking…" : "Check files"}
            </button>{" "}
            <button type="submit" name="intent" value="apply" disabled={!canUpload || !!busy} data-testid="apply-button">
              {busy === "apply"
                ? "Uploading…"
                : checked
                  ? `Upload ${plural(checked.details.matched.filter((m) => !m.tooLarge).length, "matched file")}`
                  : "Upload the matched files"}
            </button>
            {!page.canApply ? (
              <span className="muted" data-testid="operators-only">
                {" "}
                Operators only: you are signed in as a viewer.
              </span>
            ) : null}
          </Form>
          {checked ? (
            <>
              <FixPlanStatus plan={checked} badge={false} />
              <ReuploadMatchView plan={checked} />
            </>
          ) : null}
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <RouteError page="The re-upload page" />;
}
