import { Link } from "@remix-run/react";
import type { ConsoleLink } from "~/dashboard/console-links";
import type { DataSourceRef, FixAction, RoleRef, UploadedDocumentsRef, ApplicationRef } from "~/fixes/types";
import { applicationPath } from "~/dashboard/words";
import { ExternalLink } from "./ExternalLink";

/** The fix page of the action that fixes a finding (resolved by its row in the latest audit). */
export function findingFixPath(findingId: number): string {
  return `/fix/finding/${findingId}`;
}

/**
 * The fix pages' addresses carry the resource's ids and nothing else: each
 * field is picked by name, so an object with more members (a loader's page,
 * a plan's data source with its display name) never ends up in the URL.
 */
function query(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function fullSyncPath(ref: DataSourceRef): string {
  const { accountId, region, applicationId, indexId, dataSourceId } = ref;
  return `/fix/full-sync?${query({ accountId, region, applicationId, indexId, dataSourceId })}`;
}

/** Bulk: every failing S3 data source of one application (a short address: account, region, application). */
export function bulkFullSyncPath(app: ApplicationRef): string {
  const { accountId, region, applicationId } = app;
  return `/fix/full-sync?${query({ accountId, region, applicationId })}`;
}

export function rolePatchPath(ref: Pick<RoleRef, "accountId" | "roleArn">): string {
  return `/fix/patch-role-policy?${query({ accountId: ref.accountId, roleArn: ref.roleArn })}`;
}

export function reuploadPath(ref: UploadedDocumentsRef): string {
  const { accountId, region, applicationId, indexId } = ref;
  return `/fix/reupload-files?${query({ accountId, region, applicationId, indexId })}`;
}

export function activityPath(id: number): string {
  return `/activity/${id}`;
}

export const FIX_ACTION_LABELS: Record<FixAction, string> = {
  "full-sync": "Full sync",
  "patch-role-policy": "Patch the role policy",
  "reupload-files": "Re-upload files",
  rollback: "Rollback",
};

/** "Fix: full sync" link for a failing or warning finding that has a remediation action (a plain link: see FindingFixCell). */
function FindingFixLink({ findingId, action }: { findingId: number; action: string }) {
  const label = FIX_ACTION_LABELS[action as FixAction] ?? action;
  return (
    <a className="fix-link" href={findingFixPath(findingId)} data-testid="finding-fix-link" data-action={action}>
      Fix: {label.toLowerCase()}
    </a>
  );
}

/**
 * The findings table's Fix cell: the fix link of a finding with an action; for
 * one without, a link to its manual steps and console pages on its
 * application's page (or the check's entry for a finding of no application).
 * Plain links: the findings table navigates them through the router
 * (useInPageNavigation), a `<Link>` per row costs too much to render.
 */
export function FindingFixCell({
  finding: f,
}: {
  finding: { id: number; status: string; remediation: string | null; checkId: string; accountId: string; region: string; applicationId: string | null };
}) {
  if (f.status === "pass") return <span className="muted">none needed</span>;
  if (f.remediation) return <FindingFixLink findingId={f.id} action={f.remediation} />;
  const to = f.applicationId
    ? `${applicationPath({ accountId: f.accountId, region: f.region, applicationId: f.applicationId })}#finding-${f.id}`
    : `/checks#${encodeURIComponent(f.checkId)}`;
  return (
    <a href={to} data-testid="manual-fix-link">
      By hand: the steps
    </a>
  );
}

/** One fix action on one resource, with the findings it fixes (built by fixes.server.ts applicationFixes). */
export interface ResourceFixView {
  action: FixAction;
  path: string;
  /** The resource, for people ("hr-benefits-s3", "role EngineeringAssistantWebRole"). */
  resource: string;
  findings: { id: number; checkTitle: string }[];
}

/** A finding's manual fix: the steps and the console pages of its resource. */
export interface ManualFixView {
  steps: string[];
  links: ConsoleLink[];
}

/** The application page's fixes: one link per resource and action, plus the bulk full sync when several data sources fail. */
export function ApplicationFixes({ fixes }: { fixes: { actions: ResourceFixView[]; bulkPath: string | null } }) {
  if (fixes.actions.length === 0) return null;
  return (
    <section aria-labelledby="fixes-heading" className="card fixes" data-testid="application-fixes">
      <h2 id="fixes-heading">Fixes</h2>
      <ul>
        {fixes.actions.map((fix) => (
          <li key={fix.path}>
            <Link className="fix-link" to={fix.path} data-testid="finding-fix-link" data-action={fix.action}>
              Fix: {FIX_ACTION_LABELS[fix.action].toLowerCase()}
            </Link>{" "}
            <span className="muted small">
              {fix.resource} · {fix.findings.map((f) => f.checkTitle).join("; ")}
            </span>
          </li>
        ))}
      </ul>
      {fixes.bulkPath ? (
        <p>
          <Link to={fixes.bulkPath} data-testid="bulk-full-sync-link">
            Full sync all failing S3 data sources of this application
          </Link>
        </p>
      ) : null}
    </section>
  );
}

/** Console links, each with where to click once there. */
export function ConsoleLinksList({ links }: { links: ConsoleLink[] }) {
  if (links.length === 0) return null;
  return (
    <ul className="plain console-links" data-testid="console-links">
      {links.map((link) => (
        <li key={`${link.href}|${link.then ?? ""}`}>
          <ExternalLink href={link.href} newTab>
            {link.label}
          </ExternalLink>
          {link.then ? <span className="muted small"> · then {link.then}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** The manual steps of a finding no fix action covers, and the console pages they happen on. */
export function ManualFix({ manual }: { manual: ManualFixView }) {
  return (
    <div className="manual-fix" data-testid="manual-fix">
      <h4>Fix it by hand</h4>
      <ol>
        {manual.steps.map((step, i) => (
          <li key={i}>{step}</li>
        ))}
      </ol>
      <ConsoleLinksList links={manual.links} />
    </div>
  );
}
