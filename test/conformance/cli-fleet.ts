/**
 * The fleet the AWS CLI conformance test drives: small, but with more than a
 * page of everything the product pages through (data sources > 10, sync jobs
 * > 10, documents > 100), IAM roles with inline, attached and boundary
 * policies, a cross-account role behind an external id, an S3 bucket, and a
 * region the account refuses (access denied).
 */
import type { Fixture } from "../../app/local-aws/fixture-types";
import {
  account,
  allowGetDocumentContent,
  application,
  dataSource,
  documents,
  fleet,
  id36,
  index,
  numberedId,
  roleArn,
  syncJob,
  webExperience,
  webRole,
} from "../audit/fleet-builder";

export const A = "111122223333";
export const B = "444455556666";
export const REGION = "us-east-1";
export const DENIED_REGION = "eu-west-1";
export const BUCKET = "conformance-docs";
export const EXTERNAL_ID = "qbr-conformance-7f3a";
export const APP = id36("cli-app");
export const INDEX = id36("cli-idx");
/** 12 data sources: more than ListDataSources' page of 10. */
export const SOURCE_IDS = Array.from({ length: 12 }, (_, i) => numberedId("cli-ds", i + 1));
/** The data source with 12 sync jobs (more than a page of 10) and 120 documents (more than a page of 100). */
export const BUSY_SOURCE = SOURCE_IDS[0];
export const OBJECT_KEYS = ["docs/a.txt", "docs/b.txt", "docs/c.txt", "docs/d.txt", "docs/e.txt"];
export const APP_ARN = `arn:aws:qbusiness:${REGION}:${A}:application/${APP}`;
export const CHAT_ONLY_ARN = `arn:aws:iam::${A}:policy/ChatOnly`;

export function cliFleet(): Fixture {
  const sources = SOURCE_IDS.map((dataSourceId, i) =>
    dataSource(`cli-source-${i + 1}`, {
      dataSourceId,
      configuration: {
        type: "S3",
        version: "1.0.0",
        syncMode: i % 2 ? "FULL_CRAWL" : "FORCED_FULL_CRAWL",
        connectionConfiguration: { repositoryEndpointMetadata: { BucketName: BUCKET } },
        repositoryConfigurations: { document: { fieldMappings: [] } },
      },
      // Long enough that a second StartDataSourceSyncJob a few CLI calls later still meets this one running.
      syncDurationSeconds: 600,
      ...(dataSourceId === BUSY_SOURCE
        ? {
            syncJobs: Array.from({ length: 12 }, (_, n) => syncJob(`cli-job-${n + 1}`, new Date(Date.UTC(2025, 7, n + 1, 3)).toISOString())),
            documents: documents(120, "2025-08-01T03:01:00Z", "cli-doc"),
          }
        : {}),
    }),
  );
  const webRoleArn = roleArn(A, "QBusinessWebRole");
  const role = webRole("QBusinessWebRole", allowGetDocumentContent([APP_ARN, `${APP_ARN}/index/*`]), {
    inlinePolicies: {
      QBusinessWebPolicy: { Version: "2012-10-17", Statement: allowGetDocumentContent([APP_ARN, `${APP_ARN}/index/*`]) },
      ChatPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["qbusiness:Chat", "qbusiness:ChatSync"], Resource: APP_ARN }] },
    },
    attachedPolicyArns: [CHAT_ONLY_ARN],
  });
  const auditor = {
    roleName: "QbrAuditor",
    assumeRolePolicyDocument: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow" as const,
          Principal: { AWS: `arn:aws:iam::${A}:root` },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } },
        },
      ],
    },
  };
  const app = application("cli-app", [index("cli-idx", sources, { indexId: INDEX })], [webExperience("cli-web", webRoleArn)], { applicationId: APP });
  const appB = application("sandbox-app", [index("sandbox-idx", [])], []);
  const objects = Object.fromEntries(OBJECT_KEYS.map((key) => [key, { text: `text of ${key}\n`, lastModified: "2025-01-01T00:00:00Z" }]));
  return fleet([
    account(
      A,
      { [REGION]: [app] },
      {
        iam: {
          roles: [role],
          managedPolicies: [
            {
              arn: CHAT_ONLY_ARN,
              policyName: "ChatOnly",
              document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "qbusiness:Chat", Resource: "*" }] },
            },
          ],
        },
        s3: { buckets: { [BUCKET]: { objects } } },
        denied: [{ service: "qbusiness", region: DENIED_REGION, operation: "*" }],
      },
    ),
    account(B, { [REGION]: [appB] }, { iam: { roles: [auditor] } }),
  ]);
}
