/**
 * Test harness: a local AWS on an ephemeral port and the real, unmodified SDK
 * clients pointed at it with an account's fixed keys.
 */
import { QBusinessClient } from "@aws-sdk/client-qbusiness";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { S3Client } from "@aws-sdk/client-s3";
import { startLocalAws, type LocalAws } from "~/local-aws/index";
import { accountCredentials, type Fixture } from "~/local-aws/fixture-types";

export interface ClientOptions {
  /** SDK attempts per call (1 = no retries); SDK default (3) when omitted. */
  maxAttempts?: number;
  /** Other credentials than the account's fixed key, e.g. from AssumeRole. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface TestAws {
  aws: LocalAws;
  /** SDK clients for one account and region (IAM always signs for us-east-1, as the real global endpoint wants). */
  clients(accountId: string, region?: string, opts?: ClientOptions): { qbusiness: QBusinessClient; iam: IAMClient; sts: STSClient; s3: S3Client };
  close(): Promise<void>;
}

export async function startTestAws(fixture: Fixture | string): Promise<TestAws> {
  const aws = await startLocalAws({ fixture, port: 0 });
  const made: { destroy(): void }[] = [];
  return {
    aws,
    clients(accountId, region = "us-east-1", opts = {}) {
      const common = {
        endpoint: aws.endpoint,
        credentials: opts.credentials ?? accountCredentials(accountId),
        ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
      };
      const set = {
        qbusiness: new QBusinessClient({ ...common, region }),
        iam: new IAMClient({ ...common, region: "us-east-1" }),
        sts: new STSClient({ ...common, region }),
        s3: new S3Client({ ...common, region, forcePathStyle: true }),
      };
      made.push(...Object.values(set));
      return set;
    },
    async close() {
      for (const client of made) client.destroy();
      await aws.close();
    },
  };
}
