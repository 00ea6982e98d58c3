/**
 * The registry of readiness checks, in the order of the catalogue
 * (docs/checks.md). The report, the dashboard's catalogue and the
 * docs all read the metadata from here.
 */
import type { Check, CheckMetadata } from "../types";
import { check as applicationIdentityUnsupported } from "./application-identity-unsupported";
import { check as datasourceFullSyncMissing } from "./datasource-full-sync-missing";
import { check as datasourceDocumentsStale } from "./datasource-documents-stale";
import { check as uploadedDocumentsStale } from "./uploaded-documents-stale";
import { check as datasourceSyncFailing } from "./datasource-sync-failing";
import { check as webexperienceRoleMissing } from "./webexperience-role-missing";
import { check as webexperienceRoleGetDocumentContent } from "./webexperience-role-getdocumentcontent";
import { check as webexperienceRoleExplicitDeny } from "./webexperience-role-explicit-deny";
import { check as webexperienceRoleTrust } from "./webexperience-role-trust";
import { check as scanTargetUnreadable } from "./scan-target-unreadable";

export const allChecks: readonly Check[] = [
  applicationIdentityUnsupported,
  datasourceFullSyncMissing,
  datasourceDocumentsStale,
  uploadedDocumentsStale,
  datasourceSyncFailing,
  webexperienceRoleMissing,
  webexperienceRoleGetDocumentContent,
  webexperienceRoleExplicitDeny,
  webexperienceRoleTrust,
  scanTargetUnreadable,
];

const byId = new Map(allChecks.map((check) => [check.metadata.id, check]));

/** The check with this id, or undefined for an id not in the catalogue. */
export function checkById(id: string): Check | undefined {
  return byId.get(id);
}

/**
 * The advice for one finding: the check's words for the finding's data source
 * type when it has some (evidence.dataSourceType, e.g. S3V2, which has no sync
 * mode), its general howToFix otherwise.
 */
export function howToFixFor(metadata: CheckMetadata, evidence: Record<string, unknown> | undefined): string {
  const type = evidence?.dataSourceType;
  const specific = typeof type === "string" ? metadata.howToFixByDataSourceType?.[type.toUpperCase()] : undefined;
  return specific ?? metadata.howToFix;
}

export const checkMetadata: readonly CheckMetadata[] = allChecks.map((check) => check.metadata);
