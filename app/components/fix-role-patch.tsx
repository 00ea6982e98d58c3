import type { RollbackPlan, RolePolicyPatchPlan } from "~/fixes/types";

/** A line diff ("+ ", "- ", "  " prefixes) coloured by line. */
export function PolicyDiff({ lines, label }: { lines: string[]; label: string }) {
  if (lines.length === 0) return <p className="muted">No change to the policy document.</p>;
  return (
    <pre className="policy-diff" aria-label={label} data-testid="policy-diff">
      {lines.map((line, i) => {
        const kind = line.startsWith("+") ? "added" : line.startsWith("-") ? "removed" : "same";
        return (
          <span key={i} className={`diff-line ${kind}`}>
            {line}
            {"\n"}
          </span>
        );
      })}
    </pre>
  );
}

function PolicyJson({ document, empty }: { document: unknown; empty: string }) {
  return document === null || document === undefined ? <p className="muted">{empty}</p> : <pre>{JSON.stringify(document, null, 2)}</pre>;
}

/** The role patch plan: which role and inline policy, the exact diff, the applications it covers. */
export function RolePolicyPatchPlanView({ plan }: { plan: RolePolicyPatchPlan }) {
  const { details } = plan;
  return (
    <div className="plan role-patch-plan" data-testid="role-patch-plan">
      <dl className="facts">
        <dt>Role</dt>
        <dd>
          {details.roleName}{" "}
          <span className="muted small">
            <code>{details.roleArn}</code>
          </span>
        </dd>
        <dt>Inline policy</dt>
        <dd>
          <code>{details.policyName}</code>{" "}
          {details.previousDocument === null ? "(does not exist yet: apply creates it)" : "(exists: apply merges into it, its other statements kept)"}
        </dd>
        <dt>Applications covered</dt>
        <dd>
          <ul className="plain" data-testid="covered-applications">
            {plan.applications.map((app) => (
              <li key={`${app.accountId}/${app.region}/${app.applicationId}`}>
                <code>{app.applicationId}</code>{" "}
                <span className="muted small">
                  {app.accountId} · {app.region}
                </span>
              </li>
            ))}
          </ul>
        </dd>
        <dt>Resources granted</dt>
        <dd>
          <ul className="plain">
            {details.requiredResources.map((arn) => (
              <li key={arn}>
                <code>{arn}</code>
              </li>
            ))}
          </ul>
        </dd>
        <dt>Inline policies size</dt>
        <dd>
          {details.inlineSizeAfter === undefined ? "unknown" : `${details.inlineSizeAfter} characters after the patch`} of IAM&apos;s {details.inlineQuota} per
          role
        </dd>
      </dl>
      <h3>The change</h3>
      <PolicyDiff lines={details.diff} label={`Diff of the inline policy ${details.policyName}`} />
      <details>
        <summary>Before and after</summary>
        <div className="before-after">
          <div>
            <h4>Before</h4>
            <PolicyJson document={details.previousDocument} empty="No inline policy of this name." />
          </div>
          <div>
            <h4>After</h4>
            <PolicyJson document={details.newDocument} empty="Nothing would be written." />
          </div>
        </div>
      </details>
    </div>
  );
}

/** What a rollback of a role patch would do. */
export function RollbackPlanView({ plan }: { plan: RollbackPlan }) {
  const { details } = plan;
  return (
    <div className="plan rollback-plan" data-testid="rollback-plan">
      <p>
        {details.operation === "DeleteRolePolicy" ? (
          <>
            Rollback deletes the inline policy <code>{details.policyName}</code> of <code>{details.roleArn}</code>: the patch created it.
          </>
        ) : (
          <>
            Rollback puts back the previous document of the inline policy <code>{details.policyName}</code> of <code>{details.roleArn}</code>.
          </>
        )}
      </p>
      <PolicyDiff lines={details.diff} label="Diff of the rollback" />
    </div>
  );
}
