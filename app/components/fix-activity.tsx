import { Form, Link } from "@remix-run/react";
import type { ActivityEntry, ActivityStatus, FixAction, ResourceRef } from "~/fixes/types";
import { applicationPath, formatTime } from "~/dashboard/words";
import { applicationNameOf, resourceInWords, type ApplicationNames } from "~/dashboard/activity-words";
import { activityPath, FIX_ACTION_LABELS, fullSyncPath, rolePatchPath } from "./fix-links";

export const ACTIVITY_STATUSES: ActivityStatus[] = [
  "running",
  "started",
  "succeeded",
  "partial",
  "failed",
  "stale-plan",
  "busy",
  "refused",
  "unavailable",
  "nothing-to-do",
  "rolled-back",
];

/** The page's filters as they come back from its loader. */
export interface ShownActivityFilters {
  actor?: string;
  action?: FixAction;
  status?: ActivityStatus;
  resource?: string;
}

/** A GET form, so every filtered view has a URL and works without JavaScript. */
export function ActivityFilters({ filters, actors }: { filters: ShownActivityFilters; actors: string[] }) {
  return (
    <Form key={JSON.stringify(filters)} method="get" className="filters" aria-label="Filter the activity log" preventScrollReset>
      <div className="field">
        <label htmlFor="activity-actor">Who</label>
        <select id="activity-actor" name="actor" defaultValue={filters.actor ?? ""}>
          <option value="">Anyone</option>
          {actors.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="activity-action">Action</label>
        <select id="activity-action" name="action" defaultValue={filters.action ?? ""}>
          <option value="">Any action</option>
          {(Object.keys(FIX_ACTION_LABELS) as FixAction[]).map((a) => (
            <option key={a} value={a}>
              {FIX_ACTION_LABELS[a]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="activity-status">Outcome</label>
        <select id="activity-status" name="status" defaultValue={filters.status ?? ""}>
          <option value="">Any outcome</option>
          {ACTIVITY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="activity-resource">Resource</label>
        <input id="activity-resource" name="resource" defaultValue={filters.resource ?? ""} placeholder="name, id or ARN" />
      </div>
      <button type="submit">Apply filters</button>
      <Link to="/activity" className="clear">
        Clear filters
      </Link>
    </Form>
  );
}

/** Where a resource of the log is seen: its application page, or its fix page for a role. */
function resourceLink(r: ResourceRef): string | null {
  if (r.type === "role" && r.roleArn) return rolePatchPath({ accountId: r.accountId, roleArn: r.roleArn });
  if (r.region && r.applicationId) {
    if (r.type === "data-source" && r.indexId && r.dataSourceId) {
      return fullSyncPath({ accountId: r.accountId, region: r.region, applicationId: r.applicationId, indexId: r.indexId, dataSourceId: r.dataSourceId });
    }
    return applicationPath({ accountId: r.accountId, region: r.region, applicationId: r.applicationId });
  }
  return null;
}

/** The entry's resources by name (ids beside), and the applications it re-audited; `names` are the latest audit's application names. */
export function ResourceLinks({ entry, names = {} }: { entry: Pick<ActivityEntry, "resources" | "plan">; names?: ApplicationNames }) {
  const apps = entry.plan.applications.filter((app) => !entry.resources.some((r) => r.type === "application" && r.applicationId === app.applicationId));
  return (
    <ul className="plain resources">
      {entry.resources.map((r, i) => {
        const to = resourceLink(r);
        return (
          <li key={i}>
            {to ? <Link to={to}>{resourceInWords(r, names)}</Link> : resourceInWords(r, names)}{" "}
            <span className="muted small">
              {r.type !== "application" && applicationNameOf(r, names) ? `in ${applicationNameOf(r, names)} · ` : ""}
              {r.accountId}
              {r.region ? ` · ${r.region}` : ""}
            </span>
          </li>
        );
      })}
      {apps.map((app) => (
        <li key={`${app.accountId}/${app.region}/${app.applicationId}`}>
          <Link to={applicationPath(app)}>application {applicationNameOf(app, names) ?? app.applicationId}</Link>
        </li>
      ))}
    </ul>
  );
}

/** A role patch that succeeded and was not rolled back yet can be. */
export function canRollBack(entry: Pick<ActivityEntry, "action" | "status" | "rolledBackBy">): boolean {
  return entry.action === "patch-role-policy" && entry.status === "succeeded" && entry.rolledBackBy === undefined;
}

export function ActivityTable({ entries, canApply, names = {} }: { entries: ActivityEntry[]; canApply: boolean; names?: ApplicationNames }) {
  if (entries.length === 0) return <p className="muted">No activity matches these filters.</p>;
  return (
    <table className="activity" data-testid="activity-table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">When</th>
          <th scope="col">Who</th>
          <th scope="col">Action</th>
          <th scope="col">Resources</th>
          <th scope="col">Outcome</th>
          <th scope="col">
            <span className="visually-hidden">Rollback</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map((entry) => (
          <tr key={entry.id} data-testid="activity-row" data-action={entry.action} data-status={entry.status}>
            <td>
              <Link to={activityPath(entry.id)}>#{entry.id}</Link>
            </td>
            <td>{formatTime(entry.startedAt)}</td>
            <td>{entry.actor}</td>
            <td>
              {FIX_ACTION_LABELS[entry.action]}
              {entry.rollbackOf !== undefined ? (
                <div className="small">
                  of <Link to={activityPath(entry.rollbackOf)}>#{entry.rollbackOf}</Link>
                </div>
              ) : null}
            </td>
            <td>
              <ResourceLinks entry={entry} names={names} />
            </td>
            <td>
              <span className={`badge activity-${entry.status}`}>{entry.status}</span>
              <div className="small">{entry.message}</div>
              {entry.rolledBackBy !== undefined ? (
                <div className="small">
                  by <Link to={activityPath(entry.rolledBackBy)}>#{entry.rolledBackBy}</Link>
                </div>
              ) : null}
            </td>
            <td>
              {canRollBack(entry) ? (
                canApply ? (
                  <Link className="button" to={`${activityPath(entry.id)}#rollback`} data-testid="rollback-link">
                    Roll back…
                  </Link>
                ) : (
                  <span className="muted small">Rollback: operators only</span>
                )
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every event of an entry, oldest first: append-only, as stored. */
export function ActivityEvents({ entry }: { entry: ActivityEntry }) {
  return (
    <ol className="activity-events" data-testid="activity-events">
      {entry.events.map((event, i) => {
        const done = event.data?.done as string[] | undefined;
        const notDone = event.data?.notDone as string[] | undefined;
        return (
          <li key={i} data-status={event.status}>
            <span className="muted small">{formatTime(event.at)}</span> <span className={`badge activity-${event.status}`}>{event.status}</span> {event.message}
            {done?.length ? <div className="small">Done: {done.join("; ")}</div> : null}
            {notDone?.length ? <div className="small error-text">Not done: {notDone.join("; ")}</div> : null}
            {event.requestIds.length > 0 ? (
              <div className="small muted">
                AWS request ids:{" "}
                {event.requestIds.map((id) => (
                  <code key={id}>{id} </code>
                ))}
              </div>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
