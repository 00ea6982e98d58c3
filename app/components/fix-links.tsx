import { Link } from "@remix-run/react";
import type { DataSourceRef, FixAction, RoleRef, UploadedDocumentsRef, ApplicationRef } from "~/fixes/types";

/** The fix page of the action that fixes a finding (resolved by its row in the latest audit). */
export function findingFixPath(findingId: number): string {
  return `/fix/finding/${findingId}`;
}

export function fullSyncPath(ref: DataSourceRef): string {
  return `/fix/full-sync?${new URLSearchParams({ ...ref })}`;
}

/** Bulk: every failing S3 data source of one application. */
export function bulkFullSyncPath(app: ApplicationRef): string {
  return `/fix/full-sync?${new URLSearchParams({ ...app })}`;
}

export function rolePatchPath(ref: Pick<RoleRef, "accountId" | "roleArn">): string {
  return `/fix/patch-role-policy?${new URLSearchParams({ accountId: ref.accountId, roleArn: ref.roleArn })}`;
}

export function reuploadPath(ref: UploadedDocumentsRef): string {
  return `/fix/reupload-files?${new URLSearchParams({ ...ref })}`;
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

/** "Fix: full sync" link for a failing or warning finding that has a remediation action. */
export function FindingFixLink({ findingId, action }: { findingId: number; action: string }) {
  const label = FIX_ACTION_LABELS[action as FixAction] ?? action;
  return (
    <Link className="fix-link" to={findingFixPath(findingId)} data-testid="finding-fix-link" data-action={action}>
      Fix: {label.toLowerCase()}
    </Link>
  );
}

/** The application page's fix links: one per failing/warning finding with an action, plus the bulk full sync. */
export function ApplicationFixes({
  application,
  findings,
}: {
  application: ApplicationRef;
  findings: { id: number; status: string; remediation: string | null; checkTitle: string; name: string | null }[];
}) {
  const fixable = findings.filter((f) => f.remediation && (f.status === "fail" || f.status === "warn"));
  if (fixable.length === 0) return null;
  const fullSyncs = fixable.filter((f) => f.remediation === "full-sync" && f.status === "fail");
  return (
    <section aria-labelledby="fixes-heading" className="card fixes" data-testid="application-fixes">
      <h2 id="fixes-heading">Fixes</h2>
      <ul>
        {fixable.map((f) => (
          <li key={f.id}>
            <FindingFixLink findingId={f.id} action={f.remediation!} />{" "}
            <span className="muted small">
              {f.checkTitle} · {f.name ?? ""}
            </span>
          </li>
        ))}
      </ul>
      {fullSyncs.length > 0 ? (
        <p>
          <Link to={bulkFullSyncPath(application)} data-testid="bulk-full-sync-link">
            Full sync all failing S3 data sources of this application
          </Link>
        </p>
      ) : null}
    </section>
  );
}
