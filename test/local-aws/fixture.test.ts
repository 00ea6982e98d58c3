import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { FixtureError, loadFixtureFile, startLocalAws, validateFixture } from "~/local-aws/index";
import type { Fixture } from "~/local-aws/fixture-types";

const APP = "0f6e3a0c-1111-4c1e-9d2b-6a7c3e5d0a01";
const INDEX = "1a2b3c4d-2222-4c1e-9d2b-6a7c3e5d0a02";
const DS1 = "2a2b3c4d-3333-4c1e-9d2b-6a7c3e5d0a03";
const DS2 = "3a2b3c4d-4444-4c1e-9d2b-6a7c3e5d0a04";
const WEB = "4a2b3c4d-5555-4c1e-9d2b-6a7c3e5d0a05";
const JOB = "5a2b3c4d-6666-4c1e-9d2b-6a7c3e5d0a06";
const T = "2024-05-01T10:00:00Z";

/** A fixture using every member fleet-fixture.md defines; tests break one thing at a time. */
function fullFixture() {
  const dataSource = (id: string) => ({
    dataSourceId: id,
    displayName: "hr-data",
    type: "S3",
    status: "ACTIVE",
    createdAt: T,
    updatedAt: T,
    syncSchedule: "",
    roleArn: "arn:aws:iam::111122223333:role/QBusinessS3Role",
    configuration: { type: "S3", version: "1.0.0", syncMode: "FULL_CRAWL" },
    syncJobs: [
      {
        executionId: JOB,
        startTime: T,
        endTime: "2024-05-01T10:05:00Z",
        status: "SUCCEEDED",
        metrics: { documentsAdded: "1", documentsModified: "0", documentsDeleted: "0", documentsFailed: "0", documentsScanned: "1" },
        error: { errorMessage: "none", errorCode: "InternalError" },
      },
    ],
    documents: [{ documentId: "s3://acme-hr/a.txt", status: "INDEXED", createdAt: T, updatedAt: T, s3Key: "a.txt" }],
    syncDurationSeconds: 20,
  });
  return {
    fixtureVersion: 1,
    clock: "2026-11-26T12:00:00Z",
    accounts: [
      {
        accountId: "111122223333",
        alias: "prod",
        regions: {
          "us-east-1": {
            applications: [
              {
                applicationId: APP,
                displayName: "acme-assistant",
                identityType: "AWS_IAM_IDC",
                status: "ACTIVE",
                createdAt: T,
                updatedAt: T,
                indices: [
                  {
                    indexId: INDEX,
                    displayName: "main",
                    type: "ENTERPRISE",
                    status: "ACTIVE",
                    createdAt: T,
                    dataSources: [dataSource(DS1), dataSource(DS2)],
                    uploadedDocuments: [{ documentId: "infograph.pdf", status: "INDEXED", createdAt: T, updatedAt: T, contentType: "PDF" }],
                  },
                ],
                webExperiences: [
                  {
                    webExperienceId: WEB,
                    status: "ACTIVE",
                    createdAt: T,
                    updatedAt: T,
                    roleArn: "arn:aws:iam::111122223333:role/QBusinessWebRole",
                    defaultEndpoint: "https://abcd1234.chat.qbusiness.us-east-1.on.aws/",
                  },
                ],
              },
            ],
          },
        },
        iam: {
          roles: [
            {
              roleName: "QBusinessWebRole",
              path: "/",
              assumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] },
              inlinePolicies: {
                QBusinessWebPolicy: {
                  Version: "2012-10-17",
                  Statement: { Effect: "Allow", Action: "qbusiness:Chat", Resource: "*", Condition: { Bool: { "aws:SecureTransport": true } } },
                },
              },
              attachedPolicyArns: ["arn:aws:iam::111122223333:policy/ChatOnly", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
              permissionsBoundaryArn: "arn:aws:iam::111122223333:policy/Boundary",
            },
          ],
          managedPolicies: [
            { arn: "arn:aws:iam::111122223333:policy/ChatOnly", policyName: "ChatOnly", document: { Version: "2012-10-17", Statement: [] } },
            { arn: "arn:aws:iam::111122223333:policy/Boundary", policyName: "Boundary", document: { Statement: [] } },
            { arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", policyName: "ReadOnlyAccess", document: { Statement: [] } },
          ],
        },
        s3: { buckets: { "acme-hr": { objects: { "a.txt": { text: "hello", lastModified: T }, "b.bin": { base64: "AAEC" } } } } },
        denied: [{ service: "qbusiness", region: "eu-west-1", operation: "*" }],
      },
    ],
    faults: { latencyMs: 0, ratePerSecond: 0, burst: 0, errorRate: 0, seed: 1 },
  };
}

function fixture(): Fixture {
  return JSON.parse(JSON.stringify(fullFixture())) as Fixture;
}

function messageOf(json: unknown): string {
  try {
    validateFixture(json);
  } catch (e) {
    expect(e).toBeInstanceOf(FixtureError);
    return (e as Error).message;
  }
  throw new Error("expected the fixture to be refused");
}

const APP_PATH = 'accounts[0].regions["us-east-1"].applications[0]';

describe("validateFixture", () => {
  it("accepts a fixture using every documented member", () => {
    const fleet = validateFixture(fixture());
    expect(fleet.accounts[0].regions["us-east-1"].applications[0].applicationId).toBe(APP);
  });

  it("accepts the shipped demo fleet", () => {
    expect(loadFixtureFile(path.resolve(__dirname, "../../app/local-aws/fixtures/demo-fleet.json")).accounts.length).toBeGreaterThan(0);
  });

  it("returns a deep copy, so the live state never changes the caller's object", () => {
    const input = fixture();
    const fleet = validateFixture(input);
    fleet.accounts[0].regions["us-east-1"].applications[0].indices[0].dataSources[0].configuration["syncMode"] = "FORCED_FULL_CRAWL";
    expect(input.accounts[0].regions["us-east-1"].applications[0].indices[0].dataSources[0].configuration.syncMode).toBe("FULL_CRAWL");
  });

  it("names the path of an unknown key", () => {
    const f = fixture();
    (f.accounts[0].regions["us-east-1"].applications[0] as unknown as Record<string, unknown>)["colour"] = "blue";
    expect(messageOf(f)).toBe(`fixture: ${APP_PATH}.colour: unknown key`);
  });

  it("names the path of a member of the wrong type", () => {
    const f = fixture();
    (f.accounts[0].regions["us-east-1"].applications[0].indices[0].dataSources[1] as unknown as Record<string, unknown>)["type"] = 3;
    expect(messageOf(f)).toBe(`fixture: ${APP_PATH}.indices[0].dataSources[1].type: expected string, received number`);
  });

  it("names the path of a missing required member", () => {
    const f = fixture();
    delete (f.accounts[0].regions["us-east-1"].applications[0] as unknown as Record<string, unknown>)["displayName"];
    expect(messageOf(f)).toBe(`fixture: ${APP_PATH}.displayName: required string is missing`);
  });

  it("refuses a data source name the API would not accept (spaces), naming its path", () => {
    const f = fixture();
    f.accounts[0].regions["us-east-1"].applications[0].indices[0].dataSources[1].displayName = "HR Data";
    expect(messageOf(f)).toMatch(
      new RegExp(`^fixture: ${APP_PATH.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.indices\\[0\\]\\.dataSources\\[1\\]\\.displayName: .*name pattern`),
    );
  });

  it("refuses an id that is not 36 characters of [a-zA-Z0-9-]", () => {
    const f = fixture();
    f.accounts[0].regions["us-east-1"].applications[0].webExperiences[0].webExperienceId = "web-1";
    expect(messageOf(f)).toMatch(new RegExp(`^fixture: ${escape(APP_PATH)}\\.webExperiences\\[0\\]\\.webExperienceId: expected a 36-character id`));
  });

  it("refuses an account id that is not 12 digits", () => {
    const f = fixture();
    f.accounts[0].accountId = "1111-2222-3333";
    expect(messageOf(f)).toBe("fixture: accounts[0].accountId: expected a 12-digit account id");
  });

  it("refuses a time that is not ISO-8601", () => {
    const f = fixture();
    f.accounts[0].regions["us-east-1"].applications[0].indices[0].dataSources[0].syncJobs[0].startTime = "yesterday";
    expect(messageOf(f)).toMatch(/dataSources\[0\]\.syncJobs\[0\]\.startTime: expected an ISO-8601 time/);
  });

  it("refuses a value outside the documented enum", () => {
    const f = fixture();
    (f.accounts[0].regions["us-east-1"].applications[0] as unknown as Record<string, unknown>)["identityType"] = "SAML";
    expect(messageOf(f)).toMatch(new RegExp(`${escape(APP_PATH)}\\.identityType: expected one of AWS_IAM_IDP_SAML`));
  });

  it("refuses a web experience role that is not among the account's roles", () => {
    const f = fixture();
    f.accounts[0].regions["us-east-1"].applications[0].webExperiences[0].roleArn = "arn:aws:iam::111122223333:role/Missing";
    expect(messageOf(f)).toBe(
      `fixture: ${APP_PATH}.webExperiences[0].roleArn: role arn:aws:iam::111122223333:role/Missing is not in account 111122223333's iam.roles`,
    );
  });

  it("refuses an attached policy that is not among the account's managed policies", () => {
    const f = fixture();
    f.accounts[0].iam!.roles[0].attachedPolicyArns!.push("arn:aws:iam::aws:policy/AdministratorAccess");
    expect(messageOf(f)).toBe(
      "fixture: accounts[0].iam.roles[0].attachedPolicyArns[2]: policy arn:aws:iam::aws:policy/AdministratorAccess is not in this account's iam.managedPolicies",
    );
  });

  it("refuses a permissions boundary that is not among the account's managed policies", () => {
    const f = fixture();
    f.accounts[0].iam!.roles[0].permissionsBoundaryArn = "arn:aws:iam::111122223333:policy/Gone";
    expect(messageOf(f)).toMatch(/^fixture: accounts\[0\]\.iam\.roles\[0\]\.permissionsBoundaryArn: policy .*Gone is not/);
  });

  it("refuses duplicate data source ids within an index", () => {
    const f = fixture();
    f.accounts[0].regions["us-east-1"].applications[0].indices[0].dataSources[1].dataSourceId = DS1;
    expect(messageOf(f)).toMatch(/dataSources\[1\]\.dataSourceId: duplicate dataSourceId .* \(first at .*dataSources\[0\]\.dataSourceId\)/);
  });

  it("refuses the same account twice", () => {
    const f = fixture();
    f.accounts.push(JSON.parse(JSON.stringify(f.accounts[0])));
    expect(messageOf(f)).toMatch(/accounts\[1\]\.accountId: duplicate accountId "111122223333"/);
  });

  it("refuses a fixtureVersion other than 1", () => {
    const f = fixture() as unknown as Record<string, unknown>;
    f["fixtureVersion"] = 2;
    expect(messageOf(f)).toBe("fixture: fixtureVersion: expected 1, received 2");
  });

  it("lists every problem when there are several", () => {
    const f = fixture();
    f.accounts[0].accountId = "x";
    (f as unknown as Record<string, unknown>)["extra"] = true;
    const message = messageOf(f);
    expect(message).toMatch(/^fixture: 2 problems:/);
    expect(message).toContain("accounts[0].accountId:");
    expect(message).toContain("extra: unknown key");
  });
});

describe("validateFixture: prototype keys and runaway nesting", () => {
  const ROLE_PATH = "accounts[0].iam.roles[0]";

  it("refuses an inline policy named __proto__ (it would vanish) with its JSON path", () => {
    // JSON.parse makes "__proto__" an own key, as a fixture file would.
    const f = JSON.parse(JSON.stringify(fixture()).replace('"inlinePolicies":{', '"inlinePolicies":{"__proto__":{"Statement":[]},')) as Fixture;
    expect(messageOf(f)).toBe(
      `fixture: ${ROLE_PATH}.inlinePolicies.__proto__: the key "__proto__" is not allowed (it names an object's prototype in JavaScript)`,
    );
  });

  it("refuses constructor and prototype keys wherever they are, naming each", () => {
    const f = fixture();
    (f.accounts[0].s3!.buckets["acme-hr"].objects as Record<string, unknown>)["constructor"] = { text: "x" };
    (f.accounts[0].regions["us-east-1"].applications[0] as unknown as Record<string, unknown>)["prototype"] = {};
    const message = messageOf(f);
    expect(message).toMatch(/^fixture: 2 problems:/);
    expect(message).toContain('accounts[0].s3.buckets["acme-hr"].objects.constructor: the key "constructor" is not allowed');
    expect(message).toContain(`${APP_PATH}.prototype: the key "prototype" is not allowed`);
  });

  it("refuses a fixture nested 5,000 deep with what is wrong and where, not a stack overflow", () => {
    // Inside a policy's Principal, free JSON the schema does not bound (today: "Maximum call stack size exceeded").
    const f = fixture();
    f.accounts[0].iam!.roles[0].assumeRolePolicyDocument.Statement = [{ Effect: "Allow", Principal: "DEEP", Action: "sts:AssumeRole" }];
    const text = JSON.stringify(f).replace('"DEEP"', '{"a":'.repeat(5000) + "1" + "}".repeat(5000));
    const message = messageOf(JSON.parse(text));
    expect(message).toMatch(
      /^fixture: accounts\[0\]\.iam\.roles\[0\]\.assumeRolePolicyDocument\.Statement\[0\]\.Principal(\.a)+: nesting too deep: more than 100 levels of objects and arrays here$/,
    );
  });

  it("takes ordinary nesting (a policy condition in a role) and keys that merely contain those words", () => {
    const f = fixture();
    (f.accounts[0].s3!.buckets["acme-hr"].objects as Record<string, unknown>)["docs/constructor-guide.txt"] = { text: "x" };
    expect(validateFixture(f).accounts[0].s3!.buckets["acme-hr"].objects["docs/constructor-guide.txt"]).toEqual({ text: "x" });
  });
});

describe("loadFixtureFile and startLocalAws", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "fixture-test-"));

  it("names the file when it is not JSON", () => {
    const file = path.join(dir, "broken.json");
    writeFileSync(file, "{ not json");
    expect(() => loadFixtureFile(file)).toThrow(new RegExp(`^${escape(file)}: not valid JSON`));
  });

  it("names the file and the path of a problem", () => {
    const file = path.join(dir, "bad.json");
    const f = fixture();
    f.accounts[0].accountId = "42";
    writeFileSync(file, JSON.stringify(f));
    expect(() => loadFixtureFile(file)).toThrow(`${file}: accounts[0].accountId: expected a 12-digit account id`);
  });

  it("refuses to start on a bad fixture", async () => {
    const f = fixture();
    (f as unknown as Record<string, unknown>)["regions"] = {};
    await expect(async () => startLocalAws({ fixture: f as never, port: 0 })).rejects.toThrow("regions: unknown key");
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
