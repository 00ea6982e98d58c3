/**
 * The bulk-fix batch page's parts (ADR 0015): the plan aggregated per action,
 * account and region, every item on demand, what the selection left out,
 * and the results (what succeeded, failed and why, was skipped as already
 * fixed). Plain tables; the page polls while the batch runs.
 */
import { Link } from "@remix-run/react";
import type { BulkBatch, BulkGroup, BulkItem, BulkItemState, BulkLeftOut } from "~/fixes/bulk-summary";
import { ACTION_WORDS } from "~/fixes/bulk-summary";
import { activityPath } from "./fix-links";

const STATE_WORDS: Record<BulkItemState, string> = {
  pending: "To do",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  skipped: "Skipped: already fixed",
  refused: "Not applied",
};

/** Badge classes the stylesheet has (pass / fail / warn / unknown). */
const STATE_CLASS: Record<BulkItemState, string> = {
  pending: "unknown",
  running: "plan-ready",
  succeeded: "pass",
  failed: "fail",
  skipped: "pass",
  refused: "warn",
};

export function BulkStateBadge({ state }: { state: BulkItemState }) {
  return <span className={`badge ${STATE_CLASS[state]}`}>{STATE_WORDS[state]}</span>;
}

const n = (value: number | undefined) => value ?? 0;

/** The aggregated plan: one row per action, account and region, with how many data sources, roles and documents. */
export function BulkPlanTable({ groups }: { groups: BulkGroup[] }) {
  return (
    <table data-testid="bulk-plan">
      <caption className="visually-hidden">The plan per action, account and region</caption>
      <thead>
        <tr>
          <th scope="col">Action</th>
          <th scope="col">Account</th>
          <th scope="col">Region</th>
          <th scope="col">Data sources</th>
          <th scope="col">Roles</th>
          <th scope="col">Documents</th>
          <th scope="col">To apply</th>
          <th scope="col">Already fixed</th>
          <th scope="col">Not applicable</th>
          <th scope="col">Done</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={`${g.action}|${g.accountId}|${g.region}`} data-testid="bulk-group">
            <td>{ACTION_WORDS[g.action]}</td>
            <td>{g.accountId}</td>
            <td>{g.region}</td>
            <td>{g.counts.dataSources}</td>
            <td>{g.counts.roles}</td>
            <td>{g.counts.documents}</td>
            <td>{n(g.byPlanStatus.ready)}</td>
            <td>{n(g.byPlanStatus["nothing-to-do"])}</td>
            <td>{n(g.byPlanStatus.refused) + n(g.byPlanStatus.unavailable)}</td>
            <td>
              {n(g.byState.succeeded) + n(g.byState.failed) + n(g.byState.skipped)} of {g.items}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every item: the resource, its plan, its state and message, its activity entry. */
export function BulkItemsTable({ items }: { items: BulkItem[] }) {
  return (
    <table data-testid="bulk-items">
      <caption className="visually-hidden">Every resource of the batch</caption>
      <thead>
        <tr>
          <th scope="col">Resource</th>
          <th scope="col">Account · region</th>
          <th scope="col">State</th>
          <th scope="col">What happened</th>
          <th scope="col">Activity</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.id} data-testid="bulk-item" data-state={item.state} data-name={item.name}>
            <td>
              {ACTION_WORDS[item.action]}: {item.name}
            </td>
            <td>
              {item.accountId} · {item.region}
            </td>
            <td>
              <BulkStateBadge state={item.state} />
            </td>
            <td className="small">{item.message ?? item.planSummary}</td>
            <td>{item.activityId !== null ? <Link to={activityPath(item.activityId)}>#{item.activityId}</Link> : <span className="muted">none</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Selected findings no item covers, by reason. */
export function BulkLeftOutList({ leftOut }: { leftOut: BulkLeftOut[] }) {
  if (leftOut.length === 0) return null;
  return (
    <section className="card" aria-labelledby="left-out-heading" data-testid="bulk-left-out">
      <h2 id="left-out-heading">Selected but not in this batch</h2>
      <ul>
        {leftOut.map((l) => (
          <li key={l.reason}>
            {l.count} {l.count === 1 ? "finding" : "findings"}: {l.reason}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The closing summary: counts, then each failure with its reason. */
export function BulkResults({ batch, counts }: { batch: Pick<BulkBatch, "state" | "items">; counts: Record<BulkItemState, number> }) {
  const failed = batch.items.filter((i) => i.state === "failed" || i.state === "refused");
  return (
    <section className="card" aria-labelledby="results-heading" data-testid="bulk-results">
      <h2 id="results-heading">{batch.state === "done" ? "Results" : "Progress"}</h2>
      <ul className="facts">
        <li data-testid="bulk-count-succeeded">{counts.succeeded} succeeded</li>
        <li data-testid="bulk-count-failed">{counts.failed} failed</li>
        <li data-testid="bulk-count-skipped">{counts.skipped} skipped: already fixed</li>
        {counts.refused > 0 ? <li data-testid="bulk-count-refused">{counts.refused} not applied: their plan refused them</li> : null}
        {batch.state !== "done" ? (
          <li data-testid="bulk-count-open">
            {counts.running} running, {counts.pending} to do
          </li>
        ) : null}
      </ul>
      {failed.length > 0 ? (
        <>
          <h3>Why they failed</h3>
          <ul data-testid="bulk-failures">
            {failed.map((i) => (
              <li key={i.id}>
                <strong>{i.name}</strong> ({i.accountId} · {i.region}): {i.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
