import type { DataSourceView, ExplainedFinding, IndexView, WebExperienceView } from "~/dashboard/types";
import { formatTime, syncModeLabel } from "~/dashboard/words";
import { SeverityLabel, StatusBadge } from "./Badges";
import { SyncHistoryChart } from "./SyncHistoryChart";
import { Breakable } from "./Breakable";
import { ExternalLink } from "./ExternalLink";
import { ConsoleLinksList, ManualFix, type ManualFixView } from "./fix-links";

export function FindingCard({ finding, manual }: { finding: ExplainedFinding; manual?: ManualFixView }) {
  return (
    <article id={`finding-${finding.id}`} className={`card finding ${finding.status}`} data-check={finding.checkId} data-status={finding.status}>
      <h3>
        <StatusBadge status={finding.status} /> {finding.checkTitle}{" "}
        <span className="muted small">
          · <SeverityLabel severity={finding.severity} status={finding.status} /> · {finding.name ?? finding.resourceType}
        </span>
      </h3>
      <p>{finding.message}</p>
      {finding.evidence.length > 0 ? (
        <div className="evidence">
          <h4>Evidence</h4>
          <ul>
            {finding.evidence.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {finding.endUserError ? (
        <div className="user-error">
          <h4>What end users see</h4>
          <blockquote>{finding.endUserError}</blockquote>
        </div>
      ) : null}
      {finding.fix ? (
        <div className="fix">
          <h4>Fix</h4>
          <p>
            {finding.fix}
            {finding.remediation ? (
              <>
                {" "}
                <span className="muted small">
                  (action: <code>{finding.remediation}</code>)
                </span>
              </>
            ) : null}
          </p>
        </div>
      ) : null}
      {/* No dead ends: without a fix action, the exact steps; with one, the resource's console pages beside it. */}
      {manual && manual.steps.length > 0 ? <ManualFix manual={manual} /> : null}
      {manual && manual.steps.length === 0 ? <ConsoleLinksList links={manual.links} /> : null}
    </article>
  );
}

function staleWords(ds: DataSourceView): string {
  if (ds.staleDocuments === null) return "not read";
  return `${ds.staleCapped ? "at least " : ""}${ds.staleDocuments} of ${ds.documentsScanned ?? "?"}${ds.staleCapped ? "+" : ""}`;
}

export function IndexSection({ index, cutoff }: { index: IndexView; cutoff: string }) {
  return (
    <section className="card index" aria-label={`Index ${index.name}`}>
      <h3>
        Index {index.name}{" "}
        <span className="muted small">
          {index.type ?? ""} · {index.status ?? "status unknown"} · {index.indexId}
        </span>
      </h3>
      {index.error ? <p className="error-text">Could not be read fully: {index.error}</p> : null}
      {index.dataSources.length === 0 ? (
        <p className="muted">No data sources.</p>
      ) : (
        <table className="data-sources">
          <thead>
            <tr>
              <th scope="col">Data source</th>
              <th scope="col">Type</th>
              <th scope="col">Sync mode</th>
              <th scope="col">Last successful sync</th>
              <th scope="col">Last confirmed full sync</th>
              <th scope="col">Stale documents</th>
            </tr>
          </thead>
          <tbody>
            {index.dataSources.map((ds) => (
              <tr key={ds.dataSourceId}>
                <td>
                  {ds.name}
                  <div className="muted small">{ds.dataSourceId}</div>
                  {ds.error ? <div className="error-text small">{ds.error}</div> : null}
                </td>
                <td>{ds.type ?? "unknown"}</td>
                <td>{ds.syncMode ? syncModeLabel(ds.syncMode) : <span className="muted">not in configuration</span>}</td>
                <td>{formatTime(ds.lastSuccessfulSync)}</td>
                <td>{ds.lastConfirmedFullSync ? formatTime(ds.lastConfirmedFullSync) : <strong>none</strong>}</td>
                <td>{staleWords(ds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {index.uploaded ? (
        <p>
          Uploaded files: {index.uploaded.scanned}
          {index.uploaded.capped ? "+" : ""} read, {index.uploaded.stale} uploaded before the cutoff{index.uploaded.error ? ` (${index.uploaded.error})` : ""}.
        </p>
      ) : null}
      <div className="sync-charts">
        {index.dataSources.map((ds) => (
          <SyncHistoryChart key={ds.dataSourceId} name={ds.name} jobs={ds.jobs} cutoff={cutoff} />
        ))}
      </div>
    </section>
  );
}

const DECISION_WORDS: Record<string, string> = {
  allowed: "allowed",
  explicitDeny: "explicitly denied",
  implicitDeny: "not allowed (no statement allows it)",
  unknown: "unknown",
};

export function WebExperienceSection({ web }: { web: WebExperienceView }) {
  return (
    <section className="card web-experience" aria-label={`Web experience ${web.webExperienceId}`}>
      <h3>
        Web experience{" "}
        <span className="muted small">
          {web.webExperienceId} · {web.status ?? "status unknown"}
        </span>
      </h3>
      {web.defaultEndpoint ? (
        <p>
          <ExternalLink href={web.defaultEndpoint} />
        </p>
      ) : null}
      <p>
        Role:{" "}
        {web.roleArn ? (
          <code>
            <Breakable text={web.roleArn} />
          </code>
        ) : (
          <strong>none</strong>
        )}
        {web.roleArnSource === "samlConfiguration" ? " (from the legacy SAML configuration)" : ""}
        {web.roleExists === false ? <strong> — this role does not exist</strong> : null}
      </p>
      {web.error ? <p className="error-text">{web.error}</p> : null}
      {web.methodNote ? <p className="muted">{web.methodNote}</p> : null}
      {web.decisions.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">qbusiness:GetDocumentContent on</th>
              <th scope="col">Decision</th>
              <th scope="col">Deciding statements</th>
            </tr>
          </thead>
          <tbody>
            {web.decisions.map((d) => (
              <tr key={d.resourceArn}>
                <td>
                  <code>
                    <Breakable text={d.resourceArn} />
                  </code>
                </td>
                <td>
                  <span className={`decision ${d.decision}`}>{DECISION_WORDS[d.decision] ?? d.decision}</span>
                  {d.note ? <div className="small">{d.note}</div> : null}
                </td>
                <td>
                  {d.statements.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    d.statements.map((s, i) => (
                      <details key={i}>
                        <summary>
                          {s.effect ?? ""} {s.sid ? `"${s.sid}"` : "statement"} in {s.policyType} policy {s.policy}
                        </summary>
                        {s.json ? <pre>{s.json}</pre> : <p className="muted">statement text not available</p>}
                      </details>
                    ))
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
