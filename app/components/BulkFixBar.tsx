/**
 * The findings page's bulk fix: tick findings (their checkboxes carry
 * form="bulk-fix-form", so rows stay plain markup with no React state), or
 * take all that match the filter, choose the fix, and plan it. The plan is
 * shown on /fix/bulk/:id before anything changes.
 */
import { Form, useRouteLoaderData } from "@remix-run/react";
import { CsrfInput } from "~/auth/csrf-input";

export const BULK_FORM_ID = "bulk-fix-form";

/** One finding's checkbox, for the findings table (plain input: no per-row state). */
export function BulkSelectBox({ findingId, label }: { findingId: number; label: string }) {
  return <input type="checkbox" name="findingIds" value={findingId} form={BULK_FORM_ID} aria-label={`Select ${label}`} data-testid="bulk-select" />;
}

export function BulkFixBar({ search, total }: { search: string; total: number }) {
  // The signed-in user, from the root loader: planning a batch is for operators.
  const root = useRouteLoaderData("root") as { user?: { role?: string } | null } | undefined;
  const viewer = root?.user?.role !== "operator";
  return (
    <Form method="post" action="/fix/bulk" id={BULK_FORM_ID} className="card apply-form" data-testid="bulk-fix-bar">
      <CsrfInput />
      <input type="hidden" name="intent" value="plan" />
      <input type="hidden" name="filter" value={search} />
      <label>
        Fix{" "}
        <select name="choice" defaultValue="each">
          <option value="each">each finding&apos;s own fix</option>
          <option value="full-sync">full sync (data sources)</option>
          <option value="patch-role-policy">role policy patch (roles)</option>
        </select>
      </label>{" "}
      <button type="submit" name="scope" value="selected" disabled={viewer} data-testid="bulk-plan-selected">
        Plan for the selected findings
      </button>{" "}
      <button type="submit" name="scope" value="filter" disabled={viewer} data-testid="bulk-plan-filter">
        Plan for all {total} that match this filter
      </button>
      <details>
        <summary>Concurrency</summary>
        <label>
          At most per account <input type="number" name="perAccount" min={1} max={20} placeholder="3" />
        </label>{" "}
        <label>
          At most in all <input type="number" name="overall" min={1} max={100} placeholder="10" />
        </label>
      </details>
      <p className="muted small">
        {viewer ? "Operators only: you are signed in as a viewer." : "Nothing changes yet: the plan is shown, per account and region, for you to confirm."}
      </p>
    </Form>
  );
}
