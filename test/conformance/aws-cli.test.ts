/**
 * Conformance of the local AWS with a second, independent client: the AWS
 * CLI from Debian (`apt-get install -y awscli`) with the official Q Business
 * model added through `aws configure add-model` (into a temporary HOME, so the
 * machine's own AWS configuration is neither read nor changed). It drives
 * every operation the product uses, with pagination, errors and signatures,
 * and compares the answers with the fixture the emulator was loaded from.
 *
 * Without the `aws` binary the tests FAIL, saying to install awscli: a
 * fidelity check that silently skips would prove nothing.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the CLI's answers are untyped JSON, compared member by member with the fixture */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountCredentials } from "../../app/local-aws/fixture-types";
import { createLimiter } from "../../app/util/concurrency";
import { AWS_CLI_INSTALL_HINT as INSTALL_HINT, findAwsCli, runAwsCli, type CliResult } from "../helpers/aws-cli";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import {
  A,
  APP,
  APP_ARN,
  B,
  BUCKET,
  BUSY_SOURCE,
  CHAT_ONLY_ARN,
  DENIED_REGION,
  EXTERNAL_ID,
  INDEX,
  OBJECT_KEYS,
  REGION,
  SOURCE_IDS,
  cliFleet,
} from "./cli-fleet";

const MODEL = path.resolve(__dirname, "../helpers/aws-models/qbusiness-2023-11-27.service-2.json");
/** Each CLI call spawns python (~1 s of CPU); a test batches up to a dozen on a shared machine. */
const CLI_TEST_TIMEOUT_MS = 180_000;
interface Caller {
  account?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const AWS_BIN = findAwsCli();
let env: TestAws;
let home: string;
let version = "";
// Each call is a python process: a few at a time keeps the 2-core machine responsive.
const limit = createLimiter(4);

function run(args: string[], caller: Caller = {}): Promise<CliResult> {
  const credentials = caller.credentials ?? accountCredentials(caller.account ?? A);
  return limit(() => runAwsCli({ args, home, credentials, region: caller.region ?? REGION }));
}

/** A call against the local AWS, answered as JSON. */
function aws(args: string[], caller: Caller = {}): Promise<CliResult> {
  return run([...args, "--endpoint-url", env.aws.endpoint, "--output", "json"], caller);
}

function ok(result: CliResult): any {
  expect(result.stderr, `exit ${result.code}`).toBe("");
  expect(result.code).toBe(0);
  return result.stdout.trim() ? JSON.parse(result.stdout) : {};
}

/** A service error as the CLI reports it: exit 254 and "An error occurred (Code) when calling the Op operation". */
function failsWith(result: CliResult, code: string, operation: string): void {
  expect(result.stderr).toContain(`An error occurred (${code}) when calling the ${operation} operation`);
  expect(result.code).toBe(254);
}

beforeAll(async () => {
  env = await startTestAws(cliFleet());
  home = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-awscli-"));
  fs.mkdirSync(path.join(home, ".aws"));
  // Path-style S3 addressing: the emulator is one host, not a bucket per subdomain.
  fs.writeFileSync(path.join(home, ".aws", "config"), `[default]\nregion = ${REGION}\ns3 =\n    addressing_style = path\n`);
  fs.writeFileSync(path.join(home, ".aws", "credentials"), "");
  if (!AWS_BIN) return;
  version = (await run(["--version"])).stdout.trim();
  ok(await run(["configure", "add-model", "--service-model", `file://${MODEL}`, "--service-name", "qbusiness"]));
}, 120_000);

afterAll(async () => {
  await env?.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
});

describe("the AWS CLI", () => {
  it(
    "is installed (Debian's awscli) and took the official Q Business model",
    () => {
      if (!AWS_BIN) throw new Error(INSTALL_HINT);
      expect(version).toMatch(/^aws-cli\/\d/);
      expect(fs.existsSync(path.join(home, ".aws", "models", "qbusiness", "2023-11-27", "service-2.json"))).toBe(true);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

/** Every item of a Q Business list, following nextToken by hand (the added model brings no paginators). */
async function allPages(args: string[], member: string, maxResults: number): Promise<{ pages: number[]; items: any[] }> {
  const pages: number[] = [];
  const items: any[] = [];
  let token: string | undefined;
  do {
    const page = ok(await aws([...args, "--max-results", String(maxResults), ...(token ? ["--next-token", token] : [])]));
    pages.push(page[member].length);
    items.push(...page[member]);
    token = page.nextToken;
  } while (token && pages.length < 20);
  return { pages, items };
}

describe("Q Business through the AWS CLI", () => {
  const app = ["--application-id", APP];
  const idx = [...app, "--index-id", INDEX];
  const busy = [...idx, "--data-source-id", BUSY_SOURCE];

  it(
    "answers the product's list and get calls as the fixture says, page by page",
    async () => {
      const fixtureApp = cliFleet().accounts[0].regions[REGION].applications[0];
      const busySource = fixtureApp.indices[0].dataSources[0];
      const [apps, application, indices, sources, source, jobs, docs, webs, web] = await Promise.all([
        aws(["qbusiness", "list-applications"]).then(ok),
        aws(["qbusiness", "get-application", ...app]).then(ok),
        aws(["qbusiness", "list-indices", ...app]).then(ok),
        allPages(["qbusiness", "list-data-sources", ...idx], "dataSources", 10),
        aws(["qbusiness", "get-data-source", ...busy]).then(ok),
        allPages(["qbusiness", "list-data-source-sync-jobs", ...busy], "history", 10),
        allPages(["qbusiness", "list-documents", ...idx, "--data-source-ids", BUSY_SOURCE], "documentDetailList", 100),
        aws(["qbusiness", "list-web-experiences", ...app]).then(ok),
        aws(["qbusiness", "get-web-experience", ...app, "--web-experience-id", fixtureApp.webExperiences[0].webExperienceId]).then(ok),
      ]);
      expect(apps.applications.map((a: any) => [a.applicationId, a.displayName, a.identityType])).toEqual([[APP, "cli-app", "AWS_IAM_IDC"]]);
      expect(application).toMatchObject({ applicationId: APP, applicationArn: APP_ARN, displayName: "cli-app", status: "ACTIVE", identityType: "AWS_IAM_IDC" });
      expect(indices.indices.map((i: any) => i.indexId)).toEqual([INDEX]);
      expect(sources.pages).toEqual([10, 2]);
      expect(sources.items.map((s: any) => s.dataSourceId).sort()).toEqual([...SOURCE_IDS].sort());
      expect(source).toMatchObject({ dataSourceId: BUSY_SOURCE, type: "S3", status: "ACTIVE", configuration: busySource.configuration });
      expect(jobs.pages).toEqual([10, 2]);
      expect(jobs.items.map((j: any) => j.executionId).sort()).toEqual(busySource.syncJobs.map((j) => j.executionId).sort());
      expect(jobs.items[0].metrics).toEqual(busySource.syncJobs[0].metrics);
      expect(docs.pages).toEqual([100, 20]);
      expect(new Set(docs.items.map((d: any) => d.documentId))).toEqual(new Set(busySource.documents.map((d) => d.documentId)));
      expect(webs.webExperiences.map((w: any) => w.webExperienceId)).toEqual([fixtureApp.webExperiences[0].webExperienceId]);
      expect(web.roleArn).toBe(fixtureApp.webExperiences[0].roleArn);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "refuses as Q Business does: not found, access denied, a second sync",
    async () => {
      const [missing, denied, first] = await Promise.all([
        aws(["qbusiness", "get-application", "--application-id", "00000000-0000-4000-8000-000000000000"]),
        aws(["qbusiness", "list-applications"], { region: DENIED_REGION }),
        aws(["qbusiness", "start-data-source-sync-job", ...idx, "--data-source-id", SOURCE_IDS[1]]),
      ]);
      failsWith(missing, "ResourceNotFoundException", "GetApplication");
      failsWith(denied, "AccessDeniedException", "ListApplications");
      expect(ok(first).executionId).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9-]{35}$/);
      failsWith(
        await aws(["qbusiness", "start-data-source-sync-job", ...idx, "--data-source-id", SOURCE_IDS[1]]),
        "ConflictException",
        "StartDataSourceSyncJob",
      );
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe("IAM through the AWS CLI", () => {
  const role = cliFleet().accounts[0].iam!.roles[0];

  it(
    "reads roles and policies as the fixture has them, decoded, with --max-items pagination",
    async () => {
      const [got, names, firstPage, inline, attached, policy] = await Promise.all([
        aws(["iam", "get-role", "--role-name", role.roleName]).then(ok),
        aws(["iam", "list-role-policies", "--role-name", role.roleName]).then(ok),
        aws(["iam", "list-role-policies", "--role-name", role.roleName, "--max-items", "1"]).then(ok),
        aws(["iam", "get-role-policy", "--role-name", role.roleName, "--policy-name", "QBusinessWebPolicy"]).then(ok),
        aws(["iam", "list-attached-role-policies", "--role-name", role.roleName]).then(ok),
        aws(["iam", "get-policy", "--policy-arn", CHAT_ONLY_ARN]).then(ok),
      ]);
      expect(got.Role).toMatchObject({
        RoleName: role.roleName,
        Arn: `arn:aws:iam::${A}:role/${role.roleName}`,
        AssumeRolePolicyDocument: role.assumeRolePolicyDocument,
      });
      expect([...names.PolicyNames].sort()).toEqual(Object.keys(role.inlinePolicies!).sort());
      expect(firstPage.PolicyNames).toHaveLength(1);
      const rest = ok(await aws(["iam", "list-role-policies", "--role-name", role.roleName, "--max-items", "1", "--starting-token", firstPage.NextToken]));
      expect([...firstPage.PolicyNames, ...rest.PolicyNames].sort()).toEqual([...names.PolicyNames].sort());
      expect(inline.PolicyDocument).toEqual(role.inlinePolicies!.QBusinessWebPolicy);
      expect(attached.AttachedPolicies).toEqual([{ PolicyName: "ChatOnly", PolicyArn: CHAT_ONLY_ARN }]);
      const version = ok(await aws(["iam", "get-policy-version", "--policy-arn", CHAT_ONLY_ARN, "--version-id", policy.Policy.DefaultVersionId]));
      expect(version.PolicyVersion.Document).toEqual(cliFleet().accounts[0].iam!.managedPolicies![0].document);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "simulates the web role as IAM does, and names a missing role NoSuchEntity",
    async () => {
      const roleArn = `arn:aws:iam::${A}:role/${role.roleName}`;
      const [allowed, denied, missing] = await Promise.all([
        aws([
          "iam",
          "simulate-principal-policy",
          "--policy-source-arn",
          roleArn,
          "--action-names",
          "qbusiness:GetDocumentContent",
          "--resource-arns",
          APP_ARN,
          `${APP_ARN}/index/${INDEX}`,
        ]).then(ok),
        aws([
          "iam",
          "simulate-principal-policy",
          "--policy-source-arn",
          roleArn,
          "--action-names",
          "qbusiness:DeleteApplication",
          "--resource-arns",
          APP_ARN,
        ]).then(ok),
        aws(["iam", "get-role", "--role-name", "NoSuchRole"]),
      ]);
      expect(allowed.EvaluationResults.map((r: any) => [r.EvalResourceName, r.EvalDecision])).toEqual([
        [APP_ARN, "allowed"],
        [`${APP_ARN}/index/${INDEX}`, "allowed"],
      ]);
      expect(denied.EvaluationResults[0].EvalDecision).toBe("implicitDeny");
      failsWith(missing, "NoSuchEntity", "GetRole");
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe("STS through the AWS CLI", () => {
  it(
    "says who the caller is, assumes a cross-account role behind its external id, and refuses it without",
    async () => {
      const roleArn = `arn:aws:iam::${B}:role/QbrAuditor`;
      const [me, assumed, refused] = await Promise.all([
        aws(["sts", "get-caller-identity"]).then(ok),
        aws(["sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "qbr-cli", "--external-id", EXTERNAL_ID]).then(ok),
        aws(["sts", "assume-role", "--role-arn", roleArn, "--role-session-name", "qbr-cli"]),
      ]);
      expect(me.Account).toBe(A);
      failsWith(refused, "AccessDenied", "AssumeRole");
      const c = assumed.Credentials;
      const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
      const [who, apps] = await Promise.all([
        aws(["sts", "get-caller-identity"], { credentials }).then(ok),
        aws(["qbusiness", "list-applications"], { credentials }).then(ok),
      ]);
      expect(who).toMatchObject({ Account: B, Arn: `arn:aws:sts::${B}:assumed-role/QbrAuditor/qbr-cli` });
      expect(apps.applications.map((a: any) => a.displayName)).toEqual(["sandbox-app"]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe("S3 through the AWS CLI", () => {
  it(
    "lists with --page-size and --max-items/--starting-token, gets, puts, deletes as the fixture says",
    async () => {
      const out = path.join(home, "a.txt");
      const [all, first, got] = await Promise.all([
        aws(["s3api", "list-objects-v2", "--bucket", BUCKET, "--page-size", "2", "--prefix", "docs/"]).then(ok),
        aws(["s3api", "list-objects-v2", "--bucket", BUCKET, "--max-items", "2", "--prefix", "docs/"]).then(ok),
        aws(["s3api", "get-object", "--bucket", BUCKET, "--key", OBJECT_KEYS[0], out]).then(ok),
      ]);
      expect(all.Contents.map((o: any) => o.Key)).toEqual(OBJECT_KEYS);
      expect(first.Contents.map((o: any) => o.Key)).toEqual(OBJECT_KEYS.slice(0, 2));
      const [rest, put] = await Promise.all([
        aws(["s3api", "list-objects-v2", "--bucket", BUCKET, "--max-items", "10", "--prefix", "docs/", "--starting-token", first.NextToken]).then(ok),
        aws(["s3api", "put-object", "--bucket", BUCKET, "--key", "new/put.txt", "--body", path.join(home, ".aws", "config")]).then(ok),
      ]);
      expect(rest.Contents.map((o: any) => o.Key)).toEqual(OBJECT_KEYS.slice(2));
      expect(fs.readFileSync(out, "utf8")).toBe(`text of ${OBJECT_KEYS[0]}\n`);
      expect(got.ContentLength).toBe(Buffer.byteLength(`text of ${OBJECT_KEYS[0]}\n`));
      expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
      ok(await aws(["s3api", "delete-object", "--bucket", BUCKET, "--key", "new/put.txt"]));
      const [gone, missingBucket] = await Promise.all([
        aws(["s3api", "head-object", "--bucket", BUCKET, "--key", "new/put.txt"]),
        aws(["s3api", "get-object", "--bucket", BUCKET, "--key", "docs/none.txt", path.join(home, "none")]),
      ]);
      expect(gone.stderr).toMatch(/\(404\)|Not Found/);
      failsWith(missingBucket, "NoSuchKey", "GetObject");
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "aws s3 cp touches an object in place with --metadata-directive REPLACE (the S3V2 fix's next step): same bytes, newer LastModified",
    async () => {
      const uri = `s3://${BUCKET}/${OBJECT_KEYS[1]}`;
      const before = ok(await aws(["s3api", "head-object", "--bucket", BUCKET, "--key", OBJECT_KEYS[1]])).LastModified;
      const [touched, refused] = await Promise.all([
        aws(["s3", "cp", uri, uri, "--metadata-directive", "REPLACE", "--only-show-errors"]),
        aws(["s3api", "copy-object", "--bucket", BUCKET, "--key", OBJECT_KEYS[2], "--copy-source", `${BUCKET}/${OBJECT_KEYS[2]}`]),
      ]);
      ok(touched);
      failsWith(refused, "InvalidRequest", "CopyObject");
      const after = ok(await aws(["s3api", "head-object", "--bucket", BUCKET, "--key", OBJECT_KEYS[1]]));
      expect(Date.parse(after.LastModified)).toBeGreaterThan(Date.parse(before));
      expect(after.ContentLength).toBe(Buffer.byteLength(`text of ${OBJECT_KEYS[1]}\n`));
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    "aws s3 cp uploads a file over 8 MiB in parts (multipart upload), whole",
    async () => {
      const big = path.join(home, "big.bin");
      const bytes = Buffer.alloc(9 * 1024 * 1024, "q");
      fs.writeFileSync(big, bytes);
      env.aws.clearRequests();
      ok(await aws(["s3", "cp", big, `s3://${BUCKET}/big/big.bin`, "--only-show-errors"]));
      // The CLI's 8 MiB chunks: two parts, sent as a multipart upload.
      expect(env.aws.requests.map((r) => r.operation)).toEqual(["CreateMultipartUpload", "UploadPart", "UploadPart", "CompleteMultipartUpload"]);
      const head = ok(await aws(["s3api", "head-object", "--bucket", BUCKET, "--key", "big/big.bin"]));
      expect(head.ContentLength).toBe(bytes.length);
      const down = path.join(home, "big.down");
      ok(await aws(["s3", "cp", `s3://${BUCKET}/big/big.bin`, down, "--only-show-errors"]));
      expect(fs.readFileSync(down).equals(bytes)).toBe(true);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});

describe("signatures through the AWS CLI", () => {
  it(
    "refuses a long-term key with a made-up session token, a wrong secret key and an unknown access key, each service in its own words",
    async () => {
      const wrong = { credentials: { accessKeyId: accountCredentials(A).accessKeyId, secretAccessKey: "not-the-secret" } };
      const unknown = { credentials: { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "whatever" } };
      const garbage = { credentials: { ...accountCredentials(A), sessionToken: "garbage-token" } };
      const [qToken, iamToken, s3Token] = await Promise.all([
        aws(["qbusiness", "list-applications"], garbage),
        aws(["iam", "get-role", "--role-name", "QBusinessWebRole"], garbage),
        aws(["s3api", "list-objects-v2", "--bucket", BUCKET], garbage),
      ]);
      failsWith(qToken, "UnrecognizedClientException", "ListApplications");
      failsWith(iamToken, "InvalidClientTokenId", "GetRole");
      failsWith(s3Token, "InvalidToken", "ListObjectsV2");
      const [q, iam, s3, sts, qUnknown, iamUnknown, s3Unknown] = await Promise.all([
        aws(["qbusiness", "list-applications"], wrong),
        aws(["iam", "get-role", "--role-name", "QBusinessWebRole"], wrong),
        aws(["s3api", "list-objects-v2", "--bucket", BUCKET], wrong),
        aws(["sts", "get-caller-identity"], wrong),
        aws(["qbusiness", "list-applications"], unknown),
        aws(["iam", "get-role", "--role-name", "QBusinessWebRole"], unknown),
        aws(["s3api", "list-objects-v2", "--bucket", BUCKET], unknown),
      ]);
      failsWith(q, "InvalidSignatureException", "ListApplications");
      failsWith(iam, "SignatureDoesNotMatch", "GetRole");
      failsWith(s3, "SignatureDoesNotMatch", "ListObjectsV2");
      failsWith(sts, "SignatureDoesNotMatch", "GetCallerIdentity");
      failsWith(qUnknown, "UnrecognizedClientException", "ListApplications");
      failsWith(iamUnknown, "InvalidClientTokenId", "GetRole");
      failsWith(s3Unknown, "InvalidAccessKeyId", "ListObjectsV2");
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
/* eslint-enable @typescript-eslint/no-explicit-any -- end of the untyped CLI answers */
