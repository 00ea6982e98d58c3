/**
 * The local AWS's front door as AWS's: session tokens, signing-time windows
 * (judged on the real clock, not the fixture's) and bodies refused before
 * they are read. Through the real SDK where a client can send the request.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import http from "node:http";
import http2 from "node:http2";
import { SignatureV4 } from "@smithy/signature-v4";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ListApplicationsCommand, QBusinessClient } from "@aws-sdk/client-qbusiness";
import { NodeSha256 } from "~/local-aws/sigv4";
import { failure } from "../helpers/sdk-errors";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { accountCredentials, type Fixture } from "~/local-aws/fixture-types";

const ACCOUNT = "111122223333";
const trust = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow" as const, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }],
};
const fixture: Fixture = {
  fixtureVersion: 1,
  // A fixture clock far from real time: signatures must still be judged on the real one.
  clock: "2025-01-15T08:00:00Z",
  accounts: [
    {
      accountId: ACCOUNT,
      regions: { "us-east-1": { applications: [] } },
      iam: { roles: [{ roleName: "Auditor", assumeRolePolicyDocument: trust }] },
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

type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** SDK clients with their own credentials and clock offset (ms added to the real now when signing). */
function clients(opts: { credentials?: Creds; systemClockOffset?: number; maxAttempts?: number } = {}) {
  const common = {
    endpoint: t.aws.endpoint,
    region: "us-east-1",
    credentials: opts.credentials ?? accountCredentials(ACCOUNT),
    maxAttempts: opts.maxAttempts ?? 1,
    ...(opts.systemClockOffset !== undefined ? { systemClockOffset: opts.systemClockOffset } : {}),
  };
  return {
    qbusiness: new QBusinessClient(common),
    iam: new IAMClient(common),
    sts: new STSClient(common),
    s3: new S3Client({ ...common, forcePathStyle: true }),
  };
}

const withToken = (sessionToken: string) => clients({ credentials: { ...accountCredentials(ACCOUNT), sessionToken } });

describe("session tokens", () => {
  const garbage = "IQoJb3JpZ2luX2VjEGarbageGarbageGarbage==";

  it("refuses a long-term key sent with a session token on Q Business: 403 UnrecognizedClientException", async () => {
    const err = await failure(withToken(garbage).qbusiness.send(new ListApplicationsCommand({})));
    expect(err).toMatchObject({ name: "UnrecognizedClientException", status: 403, message: "The security token included in the request is invalid." });
  });

  it("refuses it on IAM and STS: 403 InvalidClientTokenId", async () => {
    const c = withToken(garbage);
    expect(await failure(c.iam.send(new GetRoleCommand({ RoleName: "Auditor" })))).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
    expect(await failure(c.sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
  });

  it("refuses it on S3: 400 InvalidToken", async () => {
    const err = await failure(withToken(garbage).s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" })));
    expect(err).toMatchObject({ name: "InvalidToken", status: 400, message: "The provided token is malformed or otherwise invalid." });
  });

  it("takes the session an AssumeRole issued, on every service, and refuses its key with another token", async () => {
    const out = await clients().sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/Auditor`, RoleSessionName: "audit" }));
    const session = {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    };
    const c = clients({ credentials: session });
    expect((await c.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Auditor/audit`);
    expect((await c.qbusiness.send(new ListApplicationsCommand({}))).applications).toEqual([]);
    expect((await c.s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" }))).KeyCount).toBe(1);
    expect((await c.iam.send(new GetRoleCommand({ RoleName: "Auditor" }))).Role?.RoleName).toBe("Auditor");
    const other = clients({ credentials: { ...session, sessionToken: garbage } });
    expect(await failure(other.sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "InvalidClientTokenId" });
  });
});

describe("signing time (15 minutes either way of the real clock)", () => {
  const TWO_HOURS = 2 * 3600_000;

  it("refuses a request signed two hours ago on S3 with 403 RequestTimeTooSkewed", async () => {
    const err = await failure(clients({ systemClockOffset: -TWO_HOURS }).s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" })));
    expect(err).toMatchObject({
      name: "RequestTimeTooSkewed",
      status: 403,
      message: "The difference between the request time and the current time is too large.",
    });
  });

  it("refuses it on STS and IAM with SignatureDoesNotMatch 'Signature expired'", async () => {
    const c = clients({ systemClockOffset: -TWO_HOURS });
    const sts = await failure(c.sts.send(new GetCallerIdentityCommand({})));
    expect(sts).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    expect(sts.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
    expect(await failure(c.iam.send(new GetRoleCommand({ RoleName: "Auditor" })))).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
  });

  it("refuses it on Q Business with InvalidSignatureException, and a request thirty days old too", async () => {
    const err = await failure(clients({ systemClockOffset: -TWO_HOURS }).qbusiness.send(new ListApplicationsCommand({})));
    expect(err).toMatchObject({ name: "InvalidSignatureException", status: 403 });
    expect(err.message).toMatch(/^Signature expired: /);
    const old = await failure(clients({ systemClockOffset: -30 * 24 * 3600_000 }).qbusiness.send(new ListApplicationsCommand({})));
    expect(old.name).toBe("InvalidSignatureException");
  });

  it("refuses a request signed twenty minutes ahead: 'Signature not yet current'", async () => {
    const err = await failure(clients({ systemClockOffset: 20 * 60_000 }).sts.send(new GetCallerIdentityCommand({})));
    expect(err).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
    expect(err.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/);
  });

  it("takes a request ten minutes off; a skewed SDK learns the server's time from the refusal and its next call passes", async () => {
    expect((await clients({ systemClockOffset: -10 * 60_000 }).sts.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
    const skewed = clients({ systemClockOffset: -TWO_HOURS });
    expect(await failure(skewed.s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" })))).toMatchObject({ name: "RequestTimeTooSkewed" });
    expect((await skewed.s3.send(new ListObjectsV2Command({ Bucket: "acme-hr" }))).KeyCount).toBe(1);
  });

  it("judges by the real clock, not the fixture's (2025-01-15) nor an advanced one", async () => {
    t.aws.clock.advance(24 * 3600_000);
    expect((await clients().sts.send(new GetCallerIdentityCommand({}))).Account).toBe(ACCOUNT);
  });
});

/** Send a request with a body of `totalBytes` zeros in 64 KiB writes; what the server answered and how much it took. */
function streamBody(opts: { path: string; method: string; headers: Record<string, string>; totalBytes: number }) {
  const url = new URL(t.aws.endpoint);
  return new Promise<{ status?: number; text: string; bytesWritten: number }>((resolve) => {
    const chunk = Buffer.alloc(64 * 1024);
    let bytesWritten = 0;
    let status: number | undefined;
    let text = "";
    const req = http.request({ host: url.hostname, port: url.port, path: opts.path, method: opts.method, headers: opts.headers });
    const done = () => resolve({ status, text, bytesWritten });
    req.on("response", (res) => {
      status = res.statusCode;
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", done);
      res.on("error", done);
    });
    req.on("error", done);
    const pump = () => {
      while (bytesWritten < opts.totalBytes && !req.destroyed) {
        bytesWritten += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

async function signedPut(opts: { key: string; headers: Record<string, string> }) {
  const url = new URL(t.aws.endpoint);
  const signer = new SignatureV4({ credentials: accountCredentials(ACCOUNT), region: "us-east-1", service: "s3", sha256: NodeSha256, uriEscapePath: false });
  const signed = await signer.sign({
    method: "PUT",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: `/acme-hr/${opts.key}`,
    query: {},
    headers: { host: url.host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...opts.headers },
  });
  return signed.headers;
}

describe("bodies refused before they are read", () => {
  const MB = 1024 * 1024;

  it("an unsigned 200 MB S3 PUT gets 403 AccessDenied and the connection closes long before the body is sent", async () => {
    const out = await streamBody({ path: "/acme-hr/big.bin", method: "PUT", headers: { "content-length": String(200 * MB) }, totalBytes: 200 * MB });
    expect(out.status).toBe(403);
    expect(out.text).toContain("<Code>AccessDenied</Code>");
    expect(out.bytesWritten).toBeLessThan(50 * MB);
  });

  it("an unsigned 200 MB IAM-looking POST gets MissingAuthenticationToken after at most its first 64 KiB", async () => {
    const out = await streamBody({
      path: "/",
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "transfer-encoding": "chunked" },
      totalBytes: 200 * MB,
    });
    expect(out.bytesWritten).toBeLessThan(50 * MB);
    // Whether the refusal is read before the close depends on timing; when it is, it is IAM's.
    if (out.status !== undefined) expect(out.status).toBe(403);
  });

  it("a signed S3 PUT declaring 200 MB gets 400 EntityTooLarge with the sizes, its body unread", async () => {
    const headers = await signedPut({ key: "big.bin", headers: { "content-length": String(200 * MB) } });
    const out = await streamBody({ path: "/acme-hr/big.bin", method: "PUT", headers, totalBytes: 200 * MB });
    expect(out.status).toBe(400);
    expect(out.text).toContain(
      `<Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message><ProposedSize>${200 * MB}</ProposedSize><MaxSizeAllowed>${100 * MB}</MaxSizeAllowed>`,
    );
    expect(out.bytesWritten).toBeLessThan(50 * MB);
  });

  it("a signed chunked S3 PUT is cut off once it passes the cap", async () => {
    const headers = await signedPut({ key: "big.bin", headers: { "transfer-encoding": "chunked" } });
    const out = await streamBody({ path: "/acme-hr/big.bin", method: "PUT", headers, totalBytes: 200 * MB });
    expect(out.bytesWritten).toBeLessThan(150 * MB);
    if (out.status !== undefined) expect(out.text).toContain("<Code>EntityTooLarge</Code>");
  });

  it("the SDK's own PutObject over the cap is refused before its body is sent (Expect: 100-continue)", async () => {
    const body = Buffer.alloc(101 * MB);
    const err = await failure(clients().s3.send(new PutObjectCommand({ Bucket: "acme-hr", Key: "big.bin", Body: body })));
    expect(err).toMatchObject({ name: "EntityTooLarge", status: 400 });
  });

  it("a signed Q Business call declaring more than its largest request gets 413", async () => {
    const url = new URL(t.aws.endpoint);
    const signer = new SignatureV4({ credentials: accountCredentials(ACCOUNT), region: "us-east-1", service: "qbusiness", sha256: NodeSha256 });
    const size = 800 * MB;
    const signed = await signer.sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/applications",
      query: {},
      headers: { host: url.host, "content-type": "application/json", "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-length": String(size) },
    });
    const out = await streamBody({ path: "/applications", method: "POST", headers: signed.headers, totalBytes: 4 * MB });
    expect(out.status).toBe(413);
  });
});

describe("bodies refused unread over HTTP/2 (the Q Business client's protocol)", () => {
  it("an unsigned 200 MB POST on an HTTP/2 stream gets 403 MissingAuthenticationTokenException and the stream is reset, not read", async () => {
    const session = http2.connect(t.aws.endpoint);
    try {
      const out = await new Promise<{ status?: number; type?: string; bytesWritten: number }>((resolve) => {
        const stream = session.request({ ":method": "POST", ":path": "/applications", "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024);
        let bytesWritten = 0;
        let status: number | undefined;
        let type: string | undefined;
        stream.on("response", (headers) => {
          status = Number(headers[":status"]);
          type = String(headers["x-amzn-errortype"]);
        });
        stream.resume(); // the answer's body must be read for the stream to close
        stream.on("close", () => resolve({ status, type, bytesWritten }));
        stream.on("error", () => undefined);
        const pump = () => {
          while (bytesWritten < 200 * 1024 * 1024 && !stream.destroyed) {
            bytesWritten += chunk.length;
            if (!stream.write(chunk)) return void stream.once("drain", pump);
          }
          if (!stream.destroyed) stream.end();
        };
        pump();
      });
      expect(out).toMatchObject({ status: 403, type: "MissingAuthenticationTokenException" });
      expect(out.bytesWritten).toBeLessThan(50 * 1024 * 1024);
    } finally {
      session.close();
    }
  });
});
