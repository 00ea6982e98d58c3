import { Form, Link } from "@remix-run/react";
import { CsrfInput } from "~/auth/csrf-input";
import type { SuppressionRuleOutcome } from "~/audit/suppressions";
import { formatTime, plural } from "~/dashboard/words";

/** A rule as the page shows it (the loader's ShownRule, as JSON). */
export interface RuleRow {
  id: string;
  rowId?: number;
  source: "database" | "file";
  checkId: string;
  accountId?: string;
  region?: string;
  applicationId?: string;
  dataSourceId?: string;
  roleArn?: string;
  reason: string;
  expires?: string;
  by: string;
  createdAt?: string;
  updatedAt?: string;
  updatedBy?: string;
  expiredNow: boolean;
  latest: SuppressionRuleOutcome | null;
}

const MATCH_LABELS = [
  ["accountId", "Account"],
  ["region", "Region"],
  ["applicationId", "Application"],
  ["dataSourceId", "Data source"],
  ["roleArn", "Role ARN"],
] as const;

function Scope({ rule }: { rule: RuleRow }) {
  const parts = MATCH_LABELS.filter(([key]) => rule[key] !== undefined && rule[key] !== "*");
  if (parts.length === 0) return <span>everywhere</span>;
  return (
    <ul className="plain">
      {parts.map(([key, label]) => (
        <li key={key}>
          {label}: <code>{rule[key]}</code>
        </li>
      ))}
    </ul>
  );
}

/** What the rule did in the latest audit: matched N, matched nothing (stale?), or expired. */
function Effect({ rule }: { rule: RuleRow }) {
  if (rule.expiredNow || rule.latest?.expired) {
    return (
      <span className="badge warn">
        expired
        {rule.latest?.matchedIfActive
          ? `: ${plural(rule.latest.matchedIfActive, "finding")} ${rule.latest.matchedIfActive === 1 ? "counts" : "count"} again`
          : ""}
      </span>
    );
  }
  if (!rule.latest) return <span className="muted">not applied yet (next audit)</span>;
  if (rule.latest.matched === 0) return <span className="badge unknown">matched nothing</span>;
  const params = new URLSearchParams({ suppressed: "only", check: rule.checkId.includes("*") ? "" : rule.checkId });
  return <Link to={`/findings?${params}`}>{plural(rule.latest.matched, "finding")}</Link>;
}

export function SuppressionRulesTable({ rules, canEdit, testId }: { rules: RuleRow[]; canEdit: boolean; testId: string }) {
  if (rules.length === 0) return <p className="muted">None.</p>;
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col">Check</th>
          <th scope="col">Where</th>
          <th scope="col">Reason</th>
          <th scope="col">Accepted by</th>
          <th scope="col">Expires</th>
          <th scope="col">Latest audit</th>
          {canEdit ? <th scope="col">Change</th> : null}
        </tr>
      </thead>
      <tbody>
        {rules.map((rule) => (
          <tr key={rule.id} data-rule={rule.id}>
            <td>{rule.rowId !== undefined ? `#${rule.rowId}` : rule.id}</td>
            <td>
              <code>{rule.checkId}</code>
            </td>
            <td>
              <Scope rule={rule} />
            </td>
            <td>{rule.reason}</td>
            <td>
              {rule.by}
              {rule.createdAt ? <div className="muted small">{formatTime(rule.createdAt)}</div> : null}
              {rule.updatedBy ? <div className="muted small">changed by {rule.updatedBy}</div> : null}
            </td>
            <td>{rule.expires ?? "never"}</td>
            <td>
              <Effect rule={rule} />
            </td>
            {canEdit && rule.rowId !== undefined ? (
              <td>
                <Link to={`/suppressions?edit=${rule.rowId}#rule-form`}>Edit</Link>
                <Form method="post" className="inline">
                  <CsrfInput />
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="id" value={rule.rowId} />
                  <button type="submit" className="link danger">
                    Remove
                  </button>
                </Form>
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const FIELDS = [
  ["accountId", "Account id", "111122223333 or 1111* or *"],
  ["region", "Region", "us-east-1 or *"],
  ["applicationId", "Application id", "id or prefix*"],
  ["dataSourceId", "Data source id", "id or *"],
  ["roleArn", "Web experience role ARN", "arn:aws:iam::*:role/QBusinessWeb*"],
] as const;

/** Create (or, given `rule`, change) a rule. Blank fields match anything. */
export function SuppressionForm({ checks, rule, prefill }: { checks: { id: string; title: string }[]; rule?: RuleRow; prefill: Record<string, string> }) {
  const value = (key: string) => (rule ? ((rule as unknown as Record<string, string | undefined>)[key] ?? "") : (prefill[key] ?? ""));
  return (
    <Form method="post" className="rule-form" data-testid="suppression-form">
      <CsrfInput />
      <input type="hidden" name="intent" value={rule ? "edit" : "create"} />
      {rule?.rowId !== undefined ? <input type="hidden" name="id" value={rule.rowId} /> : null}
      <div className="field">
        <label htmlFor="rule-check">Check (a * pattern matches several)</label>
        <input id="rule-check" name="checkId" list="rule-checks" required defaultValue={value("checkId")} />
        <datalist id="rule-checks">
          {checks.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </datalist>
      </div>
      {FIELDS.map(([key, label, placeholder]) => (
        <div className="field" key={key}>
          <label htmlFor={`rule-${key}`}>{label}</label>
          <input id={`rule-${key}`} name={key} placeholder={placeholder} defaultValue={value(key)} />
        </div>
      ))}
      <div className="field">
        <label htmlFor="rule-reason">Reason</label>
        <textarea id="rule-reason" name="reason" required defaultValue={value("reason")} />
      </div>
      <div className="field">
        <label htmlFor="rule-expires">Expires (last day it applies; blank: never)</label>
        <input id="rule-expires" name="expires" type="date" defaultValue={value("expires")} />
      </div>
      <button type="submit">{rule ? "Save the change" : "Accept the exception"}</button>
      {rule ? <Link to="/suppressions">Cancel</Link> : null}
    </Form>
  );
}
