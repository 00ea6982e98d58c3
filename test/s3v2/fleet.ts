/**
 * The S3 (v2) fleet the S3V2 tests share: one application whose index holds
 * an S3V2 data source ("legal-v2") crawling bucket acme-legal. It synced once
 * in 2024 (before the cutoff); one of its three objects changed since, so a
 * sync that re-ingests only changed objects leaves two documents stale.
 */
import type { Fixture, FixtureDataSource } from "../../app/local-aws/fixture-types";
import { account, application, fleet, id36, index, webExperience, webRole, roleArn, allowGetDocumentContent } from "../audit/fleet-builder";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const BUCKET = "acme-legal";
export const APP = id36("s3v2-app");
export const INDEX = id36("s3v2-idx");
export const SOURCE = id36("s3v2-legal");
export const SOURCE_REF = { accountId: ACCOUNT, region: REGION, applicationId: APP, indexId: INDEX, dataSourceId: SOURCE };
export const SYNC_SECONDS = 30;

/** The objects: key, and whether it changed since the 2024 sync. */
export const OBJECTS = [
  { key: "contracts/Master services agreement.pdf", changed: false },
  { key: "contracts/nda-2024.docx", changed: false },
  { key: "contracts/pricing.xlsx", changed: true },
];

export const documentIdOf = (key: string) =>
  `s3://${BUCKET}/${key
    .split("/")
    .map((p) => encodeURIComponent(p).replace(/%20/g, "+"))
    .join("/")}`;

const SYNCED_2024 = "2024-06-01T10:05:00Z";

export function s3v2Source(extra: Partial<FixtureDataSource> = {}): FixtureDataSource {
  return {
    dataSourceId: SOURCE,
    displayName: "legal-v2",
    type: "S3V2",
    status: "ACTIVE",
    createdAt: "2024-06-01T10:00:00Z",
    updatedAt: "2024-06-01T10:00:00Z",
    configuration: {
      type: "S3V2",
      connectionConfiguration: { bucketName: BUCKET, bucketOwnerAccountId: ACCOUNT },
      filterConfiguration: { inclusionPrefixes: ["contracts/"] },
      deletionProtectionConfiguration: { enableDeletionProtection: true, deletionProtectionThreshold: 15 },
    },
    syncJobs: [{ executionId: id36("s3v2-exec-2024"), startTime: "2024-06-01T10:00:00Z", endTime: SYNCED_2024, status: "SUCCEEDED" }],
    documents: OBJECTS.map(({ key }) => ({ documentId: documentIdOf(key), status: "INDEXED", createdAt: SYNCED_2024, updatedAt: SYNCED_2024, s3Key: key })),
    syncDurationSeconds: SYNC_SECONDS,
    ...extra,
  };
}

/** The fleet; `source` overrides members of the S3V2 data source (syncReingests, documents, ...). */
export function s3v2Fleet(source: Partial<FixtureDataSource> = {}): Fixture {
  const role = webRole(
    "QBusinessWebRole",
    allowGetDocumentContent([`arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${APP}`, `arn:aws:qbusiness:${REGION}:${ACCOUNT}:application/${APP}/index/*`]),
  );
  const app = application("s3v2-app", [index("s3v2-idx", [s3v2Source(source)])], [webExperience("s3v2-web", roleArn(ACCOUNT, "QBusinessWebRole"))]);
  const objects = Object.fromEntries(
    OBJECTS.map(({ key, changed }) => [key, { text: `content of ${key}`, lastModified: changed ? "2026-02-01T00:00:00Z" : "2024-05-01T00:00:00Z" }]),
  );
  return fleet([account(ACCOUNT, { [REGION]: [app] }, { iam: { roles: [role] }, s3: { buckets: { [BUCKET]: { objects } } } })]);
}
