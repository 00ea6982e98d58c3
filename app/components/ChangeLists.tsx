import { Link } from "@remix-run/react";
import type { ReadinessChange } from "~/audit/history";
import type { Finding } from "~/audit/types";
import { accountLabel, type AccountNames } from "~/dashboard/account-names";
import { applicationPath } from "~/dashboard/words";
import { ReadinessBadge, StatusBadge } from "./Badges";

export function ReadinessChanges({
  title,
  changes,
  empty,
  accountNames,
}: {
  title: string;
  changes: ReadinessChange[];
  empty: string;
  accountNames: AccountNames;
}) {
  return (
    <section className="card" aria-label={title}>
      <h2>
        {title} <span className="muted small">({changes.length})</span>
      </h2>
      {changes.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="changes">
          {changes.map((c) => (
            <li key={`${c.application.accountId}/${c.application.region}/${c.application.applicationId}`}>
              <Link to={applicationPath(c.application)}>{c.application.displayName}</Link>{" "}
              <span className="muted small">
                {accountLabel(c.application.accountId, accountNames)} · {c.application.region}
              </span>
              : <ReadinessBadge readiness={c.from} /> → <ReadinessBadge readiness={c.to} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function FindingChanges({
  title,
  findings,
  checkTitles,
  empty,
  accountNames,
}: {
  title: string;
  findings: Finding[];
  checkTitles: Record<string, string>;
  empty: string;
  accountNames: AccountNames;
}) {
  return (
    <section className="card" aria-label={title}>
      <h2>
        {title} <span className="muted small">({findings.length})</span>
      </h2>
      {findings.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Check</th>
              <th scope="col">Resource</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {findings.map((f, i) => (
              <tr key={i}>
                <td>
                  <StatusBadge status={f.status} />
                </td>
                <td>{checkTitles[f.checkId] ?? f.checkId}</td>
                <td>
                  {f.resource.applicationId ? (
                    <Link to={applicationPath({ accountId: f.resource.accountId, region: f.resource.region, applicationId: f.resource.applicationId })}>
                      {f.resource.name ?? f.resource.applicationId}
                    </Link>
                  ) : (
                    (f.resource.name ?? f.resource.type)
                  )}
                  <div className="muted small">
                    {accountLabel(f.resource.accountId, accountNames)} · {f.resource.region}
                  </div>
                </td>
                <td>{f.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
