/**
 * STS AssumeRole evaluates the role's trust policy against the caller, as STS
 * does: an AWS principal naming the caller's account or ARN, the
 * sts:ExternalId condition, Deny wins; otherwise AccessDenied worded as STS
 * words it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import type { Fixture, FixtureRole } from "~/local-aws/fixture-types";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { failure } from "../helpers/sdk-errors";

const HUB = "111122223333";
const OTHER = "777788889999";
const SPOKE = "444455556666";

function role(roleName: string, statements: FixtureRole["assumeRolePolicyDocument"]["Statement"]): FixtureRole {
  return { roleName, assumeRolePolicyDocument: { Version: "2012-10-17", Statement: statements } };
}

const fixture: Fixture = {
  fixtureVersion: 1,
  accounts: [
    { accountId: HUB, regions: {}, iam: { roles: [role("Hub", [{ Effect: "Allow", Principal: { AWS: HUB }, Action: "sts:AssumeRole" }])] } },
    { accountId: OTHER, regions: {} },
    {
      accountId: SPOKE,
      regions: {},
      iam: {
        roles: [
          role("ByAccount", [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${HUB}:root` }, Action: "sts:AssumeRole" }]),
          role("ByDigits", [{ Effect: "Allow", Principal: { AWS: [OTHER, HUB] }, Action: ["sts:AssumeRole", "sts:TagSession"] }]),
          role("ByRole", [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${HUB}:role/Hub` }, Action: "sts:AssumeRole" }]),
          role("WithExternalId", [
            {
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${HUB}:root` },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "sts:ExternalId": "ext-123" } },
            },
          ]),
          role("DenyOther", [
            { Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" },
            { Effect: "Deny", Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: "sts:*" },
          ]),
          role("ServiceOnly", [{ Effect: "Allow", Principal: { Service: "qbusiness.amazonaws.com" }, Action: "sts:AssumeRole" }]),
          role("OtherAction", [{ Effect: "Allow", Principal: { AWS: HUB }, Action: "sts:AssumeRoleWithSAML" }]),
        ],
      },
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

const arn = (name: string) => `arn:aws:iam::${SPOKE}:role/${name}`;
function assume(caller: string, roleName: string, externalId?: string) {
  return t.clients(caller).sts.send(new AssumeRoleCommand({ RoleArn: arn(roleName), RoleSessionName: "qbr-test", ExternalId: externalId }));
}
const deniedMessage = (callerArn: string, roleName: string) => `User: ${callerArn} is not authorized to perform: sts:AssumeRole on resource: ${arn(roleName)}`;

describe("AssumeRole trust evaluation", () => {
  it("lets in the account a principal names (its :root ARN or its 12 digits), and nobody else", async () => {
    expect((await assume(HUB, "ByAccount")).AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/ByAccount/qbr-test`);
    expect((await assume(HUB, "ByDigits")).Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(await failure(assume(OTHER, "ByAccount"))).toEqual({
      name: "AccessDenied",
      status: 403,
      message: deniedMessage(`arn:aws:iam::${OTHER}:root`, "ByAccount"),
    });
  });

  it("a role ARN principal admits that role's sessions, not the account's root", async () => {
    const hub = await t.clients(HUB).sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${HUB}:role/Hub`, RoleSessionName: "hub-session" }));
    const c = hub.Credentials!;
    const session = t.clients(HUB, "us-east-1", {
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    });
    const out = await session.sts.send(new AssumeRoleCommand({ RoleArn: arn("ByRole"), RoleSessionName: "chained" }));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${SPOKE}:assumed-role/ByRole/chained`);
    expect((await failure(assume(HUB, "ByRole"))).name).toBe("AccessDenied");
  });

  it("a trust requiring sts:ExternalId refuses a caller without it or with another one", async () => {
    expect(await failure(assume(HUB, "WithExternalId"))).toMatchObject({
      name: "AccessDenied",
      message: deniedMessage(`arn:aws:iam::${HUB}:root`, "WithExternalId"),
    });
    expect((await failure(assume(HUB, "WithExternalId", "ext-999"))).name).toBe("AccessDenied");
    expect((await assume(HUB, "WithExternalId", "ext-123")).Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it("an explicit Deny wins over a wildcard Allow", async () => {
    expect((await assume(HUB, "DenyOther")).Credentials).toBeDefined();
    expect((await failure(assume(OTHER, "DenyOther"))).name).toBe("AccessDenied");
  });

  it("service principals and other actions do not admit an AWS caller", async () => {
    expect((await failure(assume(HUB, "ServiceOnly"))).name).toBe("AccessDenied");
    expect((await failure(assume(HUB, "OtherAction"))).name).toBe("AccessDenied");
  });

  it("a malformed external id is a ValidationError", async () => {
    expect(await failure(assume(HUB, "WithExternalId", "x"))).toMatchObject({ name: "ValidationError", status: 400 });
  });
});
