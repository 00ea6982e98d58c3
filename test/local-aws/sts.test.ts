import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { failure } from "../helpers/sdk-errors";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import type { Fixture } from "~/local-aws/fixture-types";

const HUB = "111122223333";
const SPOKE = "444455556666";
// The hub's root may assume both roles (AssumeRole evaluates trust policies; test/organizations/trust.test.ts covers refusals).
const trust = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow" as const, Principal: { AWS: `arn:aws:iam::111122223333:root` }, Action: "sts:AssumeRole" }],
};

const fixture: Fixture = {
  fixtureVersion: 1,
  clock: "2026-11-26T12:00:00Z",
  accounts: [
    { accountId: HUB, regions: {}, iam: { roles: [{ roleName: "Scanner", assumeRolePolicyDocument: trust }] } },
    {
      accountId: SPOKE,
      regions: {},
      iam: { roles: [{ roleName: "QBizAuditor", path: "/audit/", assumeRolePolicyDocument: trust }] },
      s3: { buckets: { "spoke-docs": { objects: { "readme.txt": { text: "spoke" } } } } },
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

async function assumeSpoke(durationSeconds?: number) {
  const out = await t.clients(HUB).sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${SPOKE}:role/audit/QBizAuditor`,
      RoleSessionName: "qbiz-readiness",
      DurationSeconds: durationSeconds,
    }),
  );
  const c = out.Credentials!;
  return { out, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } };
}

describe("STS", () => {
  it("GetCallerIdentity names the account and its root for the account's fixed key", async () => {
    const me = await t.clients(HUB, "eu-west-1").sts.send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: HUB, Arn: `arn:aws:iam::${HUB}:root`, UserId: HUB });
  });

  it("AssumeRole into a second account gives credentials that identify as that account's role session", async () => {
    const { out, credentials } = await assumeSpoke();
    expect(credentials.accessKeyId).toMatch(/^ASIA/);
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/QBizAuditor/qbiz-readiness`);
    const me = await t.clients(SPOKE, "us-east-1", { credentials }).sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(SPOKE);
    expect(me.Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/QBizAuditor/qbiz-readiness`);
    expect(me.UserId).toBe(out.AssumedRoleUser?.AssumedRoleId);
  });

  it("assumed-role credentials reach the second account's S3", async () => {
    const { credentials } = await assumeSpoke();
    const object = await t.clients(SPOKE, "us-east-1", { credentials }).s3.send(new GetObjectCommand({ Bucket: "spoke-docs", Key: "readme.txt" }));
    expect(await object.Body!.transformToString()).toBe("spoke");
  });

  it("credentials expire DurationSeconds after the emulator's now", async () => {
    const before = t.aws.clock.now().getTime();
    const { out } = await assumeSpoke(900);
    const expiresIn = out.Credentials!.Expiration!.getTime() - before;
    expect(expiresIn).toBeGreaterThanOrEqual(899_000);
    expect(expiresIn).toBeLessThan(905_000);
  });

  it("refuses assumed-role keys sent with the wrong session token", async () => {
    const { credentials } = await assumeSpoke();
    const c = t.clients(SPOKE, "us-east-1", { maxAttempts: 1, credentials: { ...credentials, sessionToken: "forged" } });
    expect(await failure(c.sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
  });

  it("refuses AssumeRole on a role the account does not have, as STS words it", async () => {
    const roleArn = `arn:aws:iam::${SPOKE}:role/NoSuchRole`;
    const err = await failure(t.clients(HUB, "us-east-1", { maxAttempts: 1 }).sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "s1" })));
    expect(err).toMatchObject({ name: "AccessDenied", status: 403 });
    expect(err.message).toBe(`User: arn:aws:iam::${HUB}:root is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  });

  it("refuses AssumeRole into an account outside the fleet", async () => {
    const err = await failure(
      t
        .clients(HUB, "us-east-1", { maxAttempts: 1 })
        .sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::999999999999:role/QBizAuditor", RoleSessionName: "s1" })),
    );
    expect(err.name).toBe("AccessDenied");
  });

  it("refuses a DurationSeconds under 900 with ValidationError", async () => {
    const err = await failure(
      t
        .clients(HUB, "us-east-1", { maxAttempts: 1 })
        .sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${SPOKE}:role/audit/QBizAuditor`, RoleSessionName: "s1", DurationSeconds: 60 })),
    );
    expect(err).toMatchObject({ name: "ValidationError", status: 400 });
  });
});

describe("temporary credentials", () => {
  it("stop working with ExpiredToken once the emulator's clock passes their expiration", async () => {
    const { credentials } = await assumeSpoke(900);
    const sts = t.clients(SPOKE, "us-east-1", { maxAttempts: 1, credentials }).sts;
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe(SPOKE);
    t.aws.clock.advance(901_000);
    expect(await failure(sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: "ExpiredToken", status: 403 });
  });
});
