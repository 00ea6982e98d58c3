/**
 * The small fleet the fix tests act on: one account, one Identity Center
 * application whose S3 data source only ever ran incremental syncs before the
 * cutoff, stale console uploads, and a web experience role without
 * GetDocumentContent; a second application sharing that role.
 */
import type { Fixture, FixtureRole } from "../../app/local-aws/fixture-types";
import { account, application, dataSource, fleet, id36, index, roleArn, syncJob, webExperience, webRole, BEFORE } from "../audit/fleet-builder";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const APP = id36("app-hr");
export const APP2 = id36("app-sales");
export const INDEX = id36("idx-hr");
export const INDEX2 = id36("idx-sales");
export const SOURCE = id36("ds-hr");
export const ROLE_NAME = "QBusinessWebRole";
export const ROLE_ARN = roleArn(ACCOUNT, ROLE_NAME);
export const appArn = (applicationId: string) => `arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${applicationId}`;
export const SOURCE_REF = { accountId: ACCOUNT, region: REGION, applicationId: APP, indexId: INDEX, dataSourceId: SOURCE };

/** Role with a chat-only inline policy (no GetDocumentContent). */
export function chatOnlyRole(extra: Partial<FixtureRole> = {}): FixtureRole {
  return webRole(ROLE_NAME, [{ Sid: "Chat", Effect: "Allow", Action: ["qbusiness:Chat", "qbusiness:ChatSync"], Resource: [appArn(APP), appArn(APP2)] }], extra);
}

export function fixFleet(options: { role?: FixtureRole; extraRoles?: FixtureRole[]; webRoleArn?: string } = {}): Fixture {
  const webRoleArn = options.webRoleArn ?? ROLE_ARN;
  const source = dataSource("ds-hr", {
    configuration: {
      type: "S3",
      version: "1.0.0",
      syncMode: "FULL_CRAWL",
      connectionConfiguration: { repositoryEndpointMetadata: { BucketName: "acme-hr" } },
      repositoryConfigurations: { document: { fieldMappings: [{ indexFieldName: "title", dataSourceFieldName: "title" }] } },
      additionalProperties: { inclusionPrefixes: ["hr-data/"], maxFileSizeInMegaBytes: "50", enableDeletionProtection: false },
    },
    syncSchedule: "",
    roleArn: `arn:aws:iam::${ACCOUNT}:role/QBusinessS3Role`,
    syncJobs: [syncJob("job-old", "2025-04-01T10:00:00Z")],
    documents: [
      {
        documentId: "s3://acme-hr/hr-data/benefits.txt",
        status: "INDEXED",
        createdAt: "2024-05-01T10:00:00Z",
        updatedAt: BEFORE,
        s3Key: "hr-data/benefits.txt",
      },
      { documentId: "s3://acme-hr/hr-data/leave.txt", status: "INDEXED", createdAt: "2024-05-01T10:00:00Z", updatedAt: BEFORE, s3Key: "hr-data/leave.txt" },
    ],
    syncDurationSeconds: 20,
  });
  const hr = application(
    "app-hr",
    [
      index("idx-hr", [source], {
        uploadedDocuments: [
          { documentId: "handbook.pdf", status: "INDEXED", createdAt: BEFORE, updatedAt: BEFORE, contentType: "PDF" },
          { documentId: "org-chart.md", status: "INDEXED", createdAt: BEFORE, updatedAt: BEFORE, contentType: "MD" },
          { documentId: "fresh.txt", status: "INDEXED", createdAt: "2025-09-01T10:00:00Z", updatedAt: "2025-09-01T10:00:00Z" },
        ],
      }),
    ],
    [webExperience("web-hr", webRoleArn)],
  );
  const sales = application("app-sales", [index("idx-sales", [])], [webExperience("web-sales", webRoleArn)]);
  return fleet([
    account(
      ACCOUNT,
      { [REGION]: [hr, sales] },
      {
        iam: { roles: [options.role ?? chatOnlyRole(), ...(options.extraRoles ?? [])], managedPolicies: [] },
        s3: {
          buckets: {
            "acme-hr": {
              objects: {
                "hr-data/benefits.txt": { text: "Benefits", lastModified: "2024-05-01T10:00:00Z" },
                "hr-data/leave.txt": { text: "Leave", lastModified: "2024-05-01T10:00:00Z" },
              },
            },
            "acme-uploads": {
              objects: {
                "originals/handbook.pdf": { text: "%PDF-1.4 handbook", lastModified: "2025-09-01T10:00:00Z" },
                "originals/other.docx": { text: "other", lastModified: "2025-09-01T10:00:00Z" },
              },
            },
          },
        },
      },
    ),
  ]);
}
