/**
 * The AWS permissions each fix action needs, declared beside the actions
 * (least privilege for the fixer's role; a plan names the one AWS denied).
 */
import { isAccessDeniedCode, ROLE_POLICY_READ_PERMISSIONS, type IamAction } from "../aws/vocabulary";
import type { FixAction } from "./types";

export const FIX_PERMISSIONS: Record<FixAction, readonly IamAction[]> = {
  "full-sync": [
    "qbusiness:GetDataSource",
    "qbusiness:UpdateDataSource",
    "qbusiness:ListDataSourceSyncJobs",
    "qbusiness:StartDataSourceSyncJob",
    "qbusiness:ListDocuments",
    // UpdateDataSource passes the data source's role to the service.
    "iam:PassRole",
  ],
  "patch-role-policy": [...ROLE_POLICY_READ_PERMISSIONS, "iam:PutRolePolicy", "iam:SimulatePrincipalPolicy"],
  "reupload-files": [
    "qbusiness:ListDocuments",
    "qbusiness:BatchPutDocument",
    // Only for files taken from an S3 prefix.
    "s3:ListBucket",
    "s3:GetObject",
  ],
  rollback: ["iam:GetRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
};

/** True when the error is AWS refusing the caller a permission. */
export function isAccessDenied(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return !!e && (isAccessDeniedCode(e.name) || isAccessDeniedCode(e.Code));
}
