/** The accounts page's content: every target of the latest audit, how it was read, and the skipped accounts. */
import type { AccountsPage } from "~/dashboard/accounts.server";
import { skipReasonInWords } from "~/dashboard/accounts-words";
import { toSearch } from "~/dashboard/filters";
import { AuditTime } from "./AuditTime";

export function AccountsView({ page }: { page: AccountsPage }) {
  const { audit, organization, targets, skipped } = page;
  return (
    <>
      <h1>Accounts</h1>
      <AuditTime audit={audit} />
      <p className="muted">
        Every account and region the latest audit read, how it read them, and what to do where it could not.
        {organization ? (
          <>
            {" "}
            From AWS Organizations <code>{organization.organizationId}</code> (management account <code>{organization.managementAccountId}</code>)
            {organization.ous ? <>, OUs {organization.ous.join(", ")}</> : null}.
          </>
        ) : null}
      </p>
      {targets.length === 0 ? (
        <p className="muted">No audit stored yet.</p>
      ) : (
        <table className="accounts" data-testid="accounts-table">
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">OU path</th>
              <th scope="col">Region</th>
              <th scope="col">Read</th>
              <th scope="col">Last read</th>
              <th scope="col">Applications</th>
            </tr>
          </thead>
          <tbody>
            {targets.map((t) => (
              <tr key={`${t.accountId}/${t.region}`} data-status={t.status}>
                <td>
                  {t.accountName ?? t.accountId}
                  {t.accountName ? <div className="muted small">{t.accountId}</div> : null}
                </td>
                <td>{t.ouPath ?? "—"}</td>
                <td>{t.region}</td>
                <td>
                  {t.readVia === "directly" ? (
                    "directly"
                  ) : (
                    <>
                      through <code>{t.readVia}</code>
                    </>
                  )}
                  {t.usesExternalId ? <div className="muted small">with the external id</div> : null}
                </td>
                <td>
                  {t.status === "ok" ? <span className="badge ready">read</span> : <span className="badge not-ready">not read</span>}
                  {t.problem ? (
                    <p className="small" data-testid="account-problem">
                      {t.problem}
                    </p>
                  ) : null}
                </td>
                <td>
                  <a href={`/${toSearch({ account: t.accountId, region: t.region })}`}>{t.applications.total}</a>
                  {t.applications.total > 0 ? (
                    <div className="muted small">
                      {t.applications.ready} ready · {t.applications["not-ready"]} not ready · {t.applications.unsupported} unsupported ·{" "}
                      {t.applications.unknown} unknown
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {skipped.length > 0 ? (
        <>
          <h2>Skipped</h2>
          <ul data-testid="skipped-accounts">
            {skipped.map((s) => (
              <li key={s.accountId}>
                {s.name} <code>{s.accountId}</code> <span className="muted">({s.ouPath})</span>: {skipReasonInWords(s.reason)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
