import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "~/local-aws/sigv4";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetRoleCommand, ListUsersCommand } from "@aws-sdk/client-iam";
import { GetBucketAclCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { ListApplicationsCommand } from "@aws-sdk/client-qbusiness";
import { failure } from "../helpers/sdk-errors";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { accountCredentials, type Fixture } from "~/local-aws/fixture-types";
import { paginate } from "~/local-aws/pagination";
import { AwsError } from "~/local-aws/types";

const ACCOUNT = "111122223333";

const fixture: Fixture = {
  fixtureVersion: 1,
  clock: "2026-11-26T12:00:00Z",
  accounts: [
    {
      accountId: ACCOUNT,
      regions: { "us-east-1": { applications: [] } },
      iam: { roles: [{ roleName: "QBusinessWebRole", assumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] } }] },
      s3: { buckets: { "acme-hr": { objects: { "a.txt": { text: "a" } } } } },
    },
  ],
};

let t: TestAws;
beforeAll(async () => {
  t = await startTestAws(fixture);
});
afterAll(async () => {
  await t.close();
});

function wrongSecret(maxAttempts = 1) {
  return t.clients(ACCOUNT, "us-east-1", {
    maxAttempts,
    credentials: { accessKeyId: `AKIALOCAL${ACCOUNT}`, secretAccessKey: "not-the-secret" },
  });
}
function unknownKey() {
  return t.clients(ACCOUNT, "us-east-1", {
    maxAttempts: 1,
    credentials: { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "whatever" },
  });
}

describe("signature verification", () => {
  it("accepts a call signed with the account's fixed key", async () => {
    const out = await t.clients(ACCOUNT).sts.send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe(ACCOUNT);
  });

  it("refuses a bad signature on STS with 403 SignatureDoesNotMatch", async () => {
    const err = await failure(wrongSecret().sts.send(new GetCallerIdentityCommand({})));
    expect(err).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    expect(err.message).toMatch(/^The request signature we calculated does not match the signature you provided/);
  });

  it("refuses a bad signature on IAM with 403 SignatureDoesNotMatch", async () => {
    const err = await failure(wrongSecret().iam.send(new GetRoleCommand({ RoleName: "QBusinessWebRole" })));
    expect(err).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
  });

  it("refuses a bad signature on S3 with 403 SignatureDoesNotMatch", async () => {
    const err = await failure(wrongSecret().s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" })));
    expect(err).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
  });

  it("refuses a bad signature on Q Business (HTTP/2) with 403 InvalidSignatureException", async () => {
    const err = await failure(wrongSecret().qbusiness.send(new ListApplicationsCommand({})));
    expect(err).toMatchObject({ name: "InvalidSignatureException", status: 403 });
    expect(err.message).toMatch(/does not match the signature you provided/);
  });

  it("does not retry a bad signature with SDK default retries", async () => {
    const before = t.aws.stats.calls;
    const err = await failure(wrongSecret(3).sts.send(new GetCallerIdentityCommand({})));
    expect(err.name).toBe("SignatureDoesNotMatch");
    expect(t.aws.stats.calls).toBe(before); // refused before dispatch
  });

  it("refuses an unknown access key on STS and IAM with InvalidClientTokenId", async () => {
    const c = unknownKey();
    expect(await failure(c.sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
    expect(await failure(c.iam.send(new GetRoleCommand({ RoleName: "QBusinessWebRole" })))).toMatchObject({
      name: "InvalidClientTokenId",
      status: 403,
    });
  });

  it("refuses an unknown access key on S3 with InvalidAccessKeyId", async () => {
    const err = await failure(unknownKey().s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" })));
    expect(err).toMatchObject({ name: "InvalidAccessKeyId", status: 403 });
  });

  it("refuses an unknown access key on Q Business with UnrecognizedClientException", async () => {
    const err = await failure(unknownKey().qbusiness.send(new ListApplicationsCommand({})));
    expect(err).toMatchObject({ name: "UnrecognizedClientException", status: 403 });
  });

  it("refuses the fixed key of an account that is not in the fleet", async () => {
    const c = t.clients("999999999999", "us-east-1", { maxAttempts: 1 });
    expect(await failure(c.sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "InvalidClientTokenId" });
  });

  it("refuses an unsigned IAM call with MissingAuthenticationToken", async () => {
    const res = await fetch(`${t.aws.endpoint}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetRole&Version=2010-05-08&RoleName=QBusinessWebRole",
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Code>MissingAuthenticationToken</Code>");
  });

  it("refuses an unsigned S3 GET with AccessDenied", async () => {
    const res = await fetch(`${t.aws.endpoint}/acme-hr/a.txt`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("<Code>AccessDenied</Code>");
  });
});

describe("unknown operations", () => {
  it("answers an IAM action it does not serve with 400 InvalidAction", async () => {
    const err = await failure(t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).iam.send(new ListUsersCommand({})));
    expect(err).toMatchObject({ name: "InvalidAction", status: 400 });
    expect(err.message).toBe("Could not find operation ListUsers for version 2010-05-08");
  });

  it("answers an S3 sub-resource it does not serve with 501 NotImplemented", async () => {
    const err = await failure(t.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).s3.send(new GetBucketAclCommand({ Bucket: "acme-hr" })));
    expect(err).toMatchObject({ name: "NotImplemented", status: 501 });
  });

  it("answers an unknown Q Business path with 404 UnknownOperationException", async () => {
    const url = new URL(`${t.aws.endpoint}/no-such-operation`);
    const signer = new SignatureV4({
      credentials: { accessKeyId: `AKIALOCAL${ACCOUNT}`, secretAccessKey: `local-secret-${ACCOUNT}` },
      region: "us-east-1",
      service: "qbusiness",
      sha256: NodeSha256,
    });
    const signed = await signer.sign({
      method: "GET",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { host: url.host },
    });
    const res = await fetch(url, { headers: signed.headers });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
    expect(res.headers.get("x-amzn-requestid")).toBeTruthy();
  });
});

describe("emulator clock", () => {
  it("runs on real time, not the fixture's clock (ADR 0008), and moves forward by advance()", () => {
    const before = Date.now();
    const start = t.aws.clock.now().getTime();
    expect(start).toBeGreaterThanOrEqual(before);
    expect(start).toBeLessThanOrEqual(Date.now());
    t.aws.clock.advance(3_600_000);
    expect(t.aws.clock.now().getTime() - start).toBeGreaterThanOrEqual(3_600_000);
  });
});

describe("npm run local-aws", () => {
  const root = path.resolve(__dirname, "../..");
  const tsx = path.join(root, "node_modules/.bin/tsx");

  function fixtureFile(json: unknown): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "local-aws-script-")), "fleet.json");
    writeFileSync(file, JSON.stringify(json));
    return file;
  }

  it("prints its endpoint and the account keys, serves SDK calls, and stops on SIGINT", async () => {
    const child = spawn(tsx, ["scripts/local-aws.ts", "--fixture", fixtureFile(fixture), "--port", "0"], { cwd: root });
    try {
      let stdout = "";
      const endpoint = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          const m = /Local AWS listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (m && stdout.includes("Ctrl-C")) resolve(m[1]);
        });
        child.once("exit", (code) => reject(new Error(`exited ${code} before listening: ${stdout}`)));
      });
      expect(stdout).toContain(`AKIALOCAL${ACCOUNT} / local-secret-${ACCOUNT}`);
      expect(stdout).toContain(`AWS_ENDPOINT_URL=${endpoint} AWS_ACCESS_KEY_ID=AKIALOCAL${ACCOUNT}`);

      const sts = new STSClient({ region: "us-east-1", endpoint, credentials: accountCredentials(ACCOUNT) });
      const me = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      expect(me.Account).toBe(ACCOUNT);

      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses a bad fixture with exit 2 and the JSON path on stderr", async () => {
    const bad = { ...fixture, accounts: [{ ...fixture.accounts[0], accountId: "12345" }] };
    const child = spawn(tsx, ["scripts/local-aws.ts", "--fixture", fixtureFile(bad)], { cwd: root });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toContain("accounts[0].accountId: expected a 12-digit account id");
  });
});

describe("opaque page tokens", () => {
  const items = Array.from({ length: 25 }, (_, i) => i);

  it("walks a list in pages of maxResults with tokens only this list accepts", () => {
    const first = paginate(items, { maxResults: 10, limit: 10, scope: "ListDataSources:a" });
    expect(first.items).toEqual(items.slice(0, 10));
    const second = paginate(items, { maxResults: 10, nextToken: first.nextToken, limit: 10, scope: "ListDataSources:a" });
    const third = paginate(items, { maxResults: 10, nextToken: second.nextToken, limit: 10, scope: "ListDataSources:a" });
    expect([...second.items, ...third.items]).toEqual(items.slice(10));
    expect(third.nextToken).toBeUndefined();
    expect(() => paginate(items, { nextToken: first.nextToken, limit: 10, scope: "ListDataSources:b" })).toThrow(/Invalid nextToken/);
  });

  it("refuses maxResults above the service limit with a ValidationException naming the field", () => {
    let error: unknown;
    try {
      paginate(items, { maxResults: 11, limit: 10, scope: "s" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AwsError);
    expect(error).toMatchObject({ code: "ValidationException", status: 400, fields: { reason: "FIELD_VALIDATION_FAILED" } });
    expect((error as Error).message).toContain("Member must have value less than or equal to 10");
  });

  it("refuses a made-up token", () => {
    expect(() => paginate(items, { nextToken: "bm90LWEtdG9rZW4", limit: 100, scope: "s" })).toThrow(/Invalid nextToken/);
  });
});

describe("request log", () => {
  it("names each call that reached an operation by its IAM action, with account, region and status", async () => {
    t.aws.clearRequests();
    const c = t.clients(ACCOUNT, "eu-west-1", { maxAttempts: 1 });
    await c.qbusiness.send(new ListApplicationsCommand({}));
    await c.iam.send(new GetRoleCommand({ RoleName: "QBusinessWebRole" }));
    await c.s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" }));
    await failure(c.iam.send(new GetRoleCommand({ RoleName: "NoSuchRole" })));
    await failure(wrongSecret().sts.send(new GetCallerIdentityCommand({}))); // refused before any operation
    expect(t.aws.requests).toEqual([
      { service: "qbusiness", operation: "ListApplications", action: "qbusiness:ListApplications", accountId: ACCOUNT, region: "eu-west-1", status: 200 },
      { service: "iam", operation: "GetRole", action: "iam:GetRole", accountId: ACCOUNT, region: "us-east-1", status: 200 },
      { service: "s3", operation: "ListObjectsV2", action: "s3:ListBucket", accountId: ACCOUNT, region: "eu-west-1", status: 200 },
      { service: "iam", operation: "GetRole", action: "iam:GetRole", accountId: ACCOUNT, region: "us-east-1", status: 404 },
    ]);
    t.aws.clearRequests();
    expect(t.aws.requests).toEqual([]);
  });
});
