import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { AwsCallStats, destroyAwsClients } from "../../app/aws/clients";
import {
  AuditSetupError,
  callerAccountId,
  defaultTargets,
  loadTargetsFile,
  parseTargetsFile,
  prepareTargets,
  regionsFromEnv,
  targetsForFixture,
  type PreparedTarget,
} from "../../app/audit/targets";
import { startLocalAws, type LocalAws } from "../../app/local-aws/index";
import { accountCredentials } from "../../app/local-aws/fixture-types";
import { account, application, auditRole, fleet, roleArn, webRole } from "./fleet-builder";

const ME = "111122223333";
const OTHER = "444455556666";
const THIRD = "777788889999";

let aws: LocalAws | undefined;
let prepared: PreparedTarget[] = [];
let tmp: string | undefined;
afterEach(async () => {
  for (const p of prepared) if (p.clients) destroyAwsClients(p.clients);
  prepared = [];
  await aws?.close();
  aws = undefined;
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

describe("targets file", () => {
  it("accepts the documented format, roles and external ids included", () => {
    const specs = parseTargetsFile({
      targets: [
        { accountId: "210987654321", regions: ["us-west-2", "eu-west-1"] },
        { accountId: "123456789012", roleArn: "arn:aws:iam::123456789012:role/QbizReadinessAudit", regions: ["us-east-1"], externalId: "optional" },
      ],
    });
    expect(specs).toHaveLength(2);
    expect(specs[1]).toMatchObject({ roleArn: "arn:aws:iam::123456789012:role/QbizReadinessAudit", externalId: "optional" });
  });

  it.each([
    [{ targets: [{ accountId: "12345", regions: ["us-east-1"] }] }, /targets\[0\]\.accountId: must be a 12-digit AWS account id/],
    [{ targets: [{ accountId: ME, regions: [] }] }, /targets\[0\]\.regions: must list at least one region/],
    [{ targets: [{ accountId: ME, regions: ["useast1"] }] }, /targets\[0\]\.regions\[0\]: must be an AWS region name/],
    [
      { targets: [{ accountId: ME, regions: ["us-east-1"], roleArn: `arn:aws:iam::${OTHER}:role/X` }] },
      /targets\[0\]\.roleArn: is in account 444455556666, not 111122223333/,
    ],
    [{ targets: [{ accountId: ME, regions: ["us-east-1"], region: "x" }] }, /targets\[0\]: Unrecognized key\(s\) in object: 'region'/],
    [{ targets: [{ accountId: ME, regions: ["us-east-1"], externalId: "abc" }] }, /targets\[0\]\.externalId: only applies with a roleArn/],
    [{ targets: [] }, /targets: must list at least one target/],
    [{ accounts: [] }, /targets file: targets: Required/],
  ])("rejects %j naming the problem", (json, message) => {
    expect(() => parseTargetsFile(json)).toThrow(AuditSetupError);
    expect(() => parseTargetsFile(json)).toThrow(message);
  });

  it("a file that is not JSON is refused with the file named", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-targets-"));
    tmp = dir;
    const file = path.join(dir, "targets.json");
    fs.writeFileSync(file, "{ targets: ");
    expect(() => loadTargetsFile(file)).toThrow(new RegExp(`${file}: not valid JSON`));
    expect(() => loadTargetsFile(path.join(dir, "missing.json"))).toThrow(/Cannot read targets file/);
  });
});

describe("regions from the environment", () => {
  it("QBR_REGIONS (comma list) wins over AWS_REGION", () => {
    expect(regionsFromEnv({ QBR_REGIONS: "us-east-1, eu-west-1,", AWS_REGION: "ap-south-1" })).toEqual(["us-east-1", "eu-west-1"]);
    expect(regionsFromEnv({ AWS_REGION: "ap-south-1" })).toEqual(["ap-south-1"]);
    expect(regionsFromEnv({})).toEqual([]);
  });
});

describe("targets for a fixture", () => {
  const fixture = fleet([
    account(ME, { "us-east-1": [], "eu-west-1": [] }),
    account(OTHER, { "us-west-2": [] }, { iam: { roles: [webRole("QBusinessWebRole"), auditRole(ME)] } }),
    account(THIRD, { "us-east-1": [] }, { iam: { roles: [auditRole("999999999999", undefined, "TrustsSomeoneElse")] } }),
  ]);

  it("reads the first account with its own keys, assumes a role that trusts it elsewhere, and uses own keys where none does", () => {
    const specs = targetsForFixture(fixture);
    expect(specs).toEqual([
      { accountId: ME, regions: ["us-east-1", "eu-west-1"], credentials: accountCredentials(ME) },
      { accountId: OTHER, regions: ["us-west-2"], roleArn: roleArn(OTHER, "QbizReadinessAudit"), credentials: accountCredentials(ME) },
      { accountId: THIRD, regions: ["us-east-1"], credentials: accountCredentials(THIRD) },
    ]);
  });

  it("acts as the given caller account when asked", () => {
    const specs = targetsForFixture(fixture, OTHER);
    expect(specs[0]).toEqual({ accountId: OTHER, regions: ["us-west-2"], credentials: accountCredentials(OTHER) });
    // Nothing in ME trusts OTHER: own keys
    expect(specs[1]).toEqual({ accountId: ME, regions: ["us-east-1", "eu-west-1"], credentials: accountCredentials(ME) });
  });
});

describe("preparing targets against the local AWS", () => {
  const fixture = fleet([
    account(ME, { "us-east-1": [application("mine", [])] }),
    account(OTHER, { "us-west-2": [application("theirs", [])] }, { iam: { roles: [auditRole(ME)] } }),
  ]);

  it("the default target is the caller's account in each region given", async () => {
    aws = await startLocalAws({ fixture, port: 0 });
    const specs = await defaultTargets({ endpoint: aws.endpoint, credentials: accountCredentials(ME), regions: ["us-east-1", "eu-west-1"] });
    expect(specs).toEqual([{ accountId: ME, regions: ["us-east-1", "eu-west-1"] }]);
  });

  it("no region anywhere is a setup error that says how to give one", async () => {
    const saved = { ...process.env };
    delete process.env.QBR_REGIONS;
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      await expect(defaultTargets({ credentials: accountCredentials(ME) })).rejects.toThrow(/No region to audit: set QBR_REGIONS or AWS_REGION/);
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it("credentials the service does not know are a setup error naming the failed call", async () => {
    aws = await startLocalAws({ fixture, port: 0 });
    const bad = { accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "nope" };
    const attempt = callerAccountId({ endpoint: aws.endpoint, credentials: bad, maxAttempts: 1 }, "us-east-1");
    await expect(attempt).rejects.toThrow(AuditSetupError);
    await expect(callerAccountId({ endpoint: aws.endpoint, credentials: bad, maxAttempts: 1 }, "us-east-1")).rejects.toThrow(
      /No usable AWS credentials \(sts:GetCallerIdentity failed/,
    );
  });

  it("a target with a roleArn is read with the assumed role's keys for that account, in each of its regions", async () => {
    aws = await startLocalAws({ fixture, port: 0 });
    const stats = new AwsCallStats();
    prepared = await prepareTargets(
      [{ accountId: OTHER, regions: ["us-west-2", "eu-west-1"], roleArn: roleArn(OTHER, "QbizReadinessAudit"), externalId: "ext-1" }],
      { endpoint: aws.endpoint, credentials: accountCredentials(ME), stats },
    );
    expect(prepared.map((p) => [p.target.region, p.error])).toEqual([
      ["us-west-2", undefined],
      ["eu-west-1", undefined],
    ]);
    const identity = await prepared[1].clients!.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(OTHER);
    // one AssumeRole for the account, not one per region
    expect(stats.byOperation["sts:AssumeRole"]).toBe(1);
  });

  it("a target without a roleArn in another account than the credentials' is unreadable and says why", async () => {
    aws = await startLocalAws({ fixture, port: 0 });
    prepared = await prepareTargets([{ accountId: OTHER, regions: ["us-west-2"] }], { endpoint: aws.endpoint, credentials: accountCredentials(ME) });
    expect(prepared[0].clients).toBeUndefined();
    expect(prepared[0].error).toEqual({
      code: "TargetAccountMismatch",
      message: `The default credentials are for account ${ME}, not ${OTHER}: give this target a roleArn to assume.`,
    });
  });

  it("a role that cannot be assumed makes that account's targets unreadable with the STS error", async () => {
    aws = await startLocalAws({ fixture, port: 0 });
    prepared = await prepareTargets([{ accountId: OTHER, regions: ["us-west-2"], roleArn: roleArn(OTHER, "Missing") }], {
      endpoint: aws.endpoint,
      credentials: accountCredentials(ME),
      maxAttempts: 1,
    });
    expect(prepared[0].error?.operation).toBe("sts:AssumeRole");
    expect(prepared[0].error?.code).toMatch(/AccessDenied|NoSuchEntity/);
  });
});
