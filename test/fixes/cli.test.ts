/**
 * npm run fix as an admin runs it (tsx scripts/fix.ts in a child process)
 * against a standalone local AWS (AWS_ENDPOINT_URL): what it prints, what it
 * changes, its exit codes, and that the next audit sees the fix.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GetDataSourceCommand, type GetDataSourceResponse } from "@aws-sdk/client-qbusiness";
import { ListRolePoliciesCommand, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { runAudit } from "../../app/audit/run";
import { openDatabase } from "../../app/db/database";
import { listActivity } from "../../app/fixes/activity-log";
import { accountCredentials, type Fixture } from "../../app/local-aws/fixture-types";
import { runScript, type ScriptRun } from "../helpers/cli";
import { startTestAws, type TestAws } from "../helpers/local-aws";
import { ACCOUNT, APP, INDEX, REGION, ROLE_ARN, ROLE_NAME, SOURCE, appArn, chatOnlyRole, fixFleet } from "./fleet";

let t: TestAws | undefined;
let dir: string | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function standalone(fixture: Fixture = fixFleet()): Promise<{ t: TestAws; dbPath: string }> {
  t = await startTestAws(fixture);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-fix-cli-"));
  return { t, dbPath: path.join(dir, "db.sqlite") };
}

/** `npm run fix -- ...args` with only the local AWS's settings in the environment. */
function fix(args: string[], dbPath: string, stdin = ""): Promise<ScriptRun> {
  const keys = accountCredentials(ACCOUNT);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    USER: "tester",
    NODE_ENV: "test",
    QBR_DB: dbPath,
    AWS_ENDPOINT_URL: t!.aws.endpoint,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_REGION: REGION,
  };
  return runScript("scripts/fix.ts", args, env, stdin);
}

async function roleDecision(): Promise<string | undefined> {
  const { iam } = t!.clients(ACCOUNT, REGION);
  const answer = await iam.send(
    new SimulatePrincipalPolicyCommand({ PolicySourceArn: ROLE_ARN, ActionNames: ["qbusiness:GetDocumentContent"], ResourceArns: [appArn(APP)] }),
  );
  return answer.EvaluationResults?.[0]?.EvalDecision;
}

async function roleInlinePolicies(): Promise<string[]> {
  const { iam } = t!.clients(ACCOUNT, REGION);
  return (await iam.send(new ListRolePoliciesCommand({ RoleName: ROLE_NAME }))).PolicyNames ?? [];
}

describe("fix CLI", () => {
  it("with --plan prints the exact policy diff and changes nothing", async () => {
    const { dbPath } = await standalone();
    const run = await fix(["patch-role-policy", "--role", ROLE_NAME, "--plan"], dbPath);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("== patch-role-policy: Create inline policy QBusinessGetDocumentContent of role QBusinessWebRole");
    expect(run.stdout).toContain('+       "Sid": "QBusinessGetDocumentContentPermission",');
    expect(await roleInlinePolicies()).toEqual(["QBusinessWebPolicy"]);
    expect(await roleDecision()).toBe("implicitDeny");
  }, 60_000);

  it("with --yes applies the patch, records it as cli:$USER, and rolls it back by activity id", async () => {
    const { dbPath } = await standalone();
    const run = await fix(["patch-role-policy", "--application", "app-hr", "--yes"], dbPath);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/-> succeeded: Role QBusinessWebRole patched and verified/);
    expect(await roleDecision()).toBe("allowed");
    const db = await openDatabase(dbPath);
    const [entry] = await listActivity(db);
    await db.close();
    expect(entry.actor).toBe("cli:tester");

    const rollback = await fix(["rollback", "--activity", String(entry.id), "--yes"], dbPath);
    expect(rollback.code).toBe(0);
    expect(await roleInlinePolicies()).toEqual(["QBusinessWebPolicy"]);
  }, 60_000);

  it("applies nothing and exits 1 when the admin declines at the prompt", async () => {
    const { dbPath } = await standalone();
    const run = await fix(["patch-role-policy", "--role", ROLE_NAME], dbPath, "n\n");
    expect(run.stdout).toContain("Apply this plan");
    expect(run.stdout).toContain("-> not applied.");
    expect(run.code).toBe(1);
    expect(await roleInlinePolicies()).toEqual(["QBusinessWebPolicy"]);
  }, 60_000);

  it("exits 1 with the reason when the plan is refused", async () => {
    const deny = { Sid: "NoDownloads", Effect: "Deny" as const, Action: "qbusiness:GetDocumentContent", Resource: "*" };
    const { dbPath } = await standalone(
      fixFleet({ role: chatOnlyRole({ inlinePolicies: { ...chatOnlyRole().inlinePolicies, Guardrail: { Version: "2012-10-17", Statement: [deny] } } }) }),
    );
    const run = await fix(["patch-role-policy", "--role", ROLE_NAME, "--yes"], dbPath);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("status: refused");
    expect(run.stdout).toMatch(/explicit deny would still win/);
  }, 60_000);

  it("exits 2 with the usage on an unknown action or a missing selector", async () => {
    const { dbPath } = await standalone();
    const unknown = await fix(["delete-everything"], dbPath);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Usage: npm run fix");
    const noSelector = await fix(["rollback"], dbPath);
    expect(noSelector.code).toBe(2);
    expect(noSelector.stderr).toContain("rollback needs --activity");
  }, 60_000);

  it("with --wait follows a full sync to its end, restores the mode, and the next audit sees the source fixed", async () => {
    const fixture = fixFleet();
    fixture.accounts[0].regions[REGION].applications[0].indices[0].dataSources[0].syncDurationSeconds = 1;
    const { dbPath } = await standalone(fixture);
    const run = await fix(["full-sync", "--data-source", SOURCE, "--yes", "--wait"], dbPath);
    expect(run.stdout).toMatch(/-> succeeded: Full sync .* succeeded; syncMode is FULL_CRAWL again/);
    expect(run.code).toBe(0);
    const { qbusiness } = t!.clients(ACCOUNT, REGION);
    const source: GetDataSourceResponse = await qbusiness.send(new GetDataSourceCommand({ applicationId: APP, indexId: INDEX, dataSourceId: SOURCE }));
    expect((source.configuration as Record<string, unknown>).syncMode).toBe("FULL_CRAWL");

    const next = await runAudit({ endpoint: t!.aws.endpoint, credentials: accountCredentials(ACCOUNT), regions: [REGION], db: dbPath, maxAttempts: 1 });
    const finding = next.report.findings.find((f) => f.checkId === "datasource-full-sync-missing" && f.resource.dataSourceId === SOURCE);
    expect(finding?.status).toBe("pass");
  }, 60_000);

  it("re-uploads the stale files of every index (--all) from a folder, listing the file with no document", async () => {
    const { dbPath } = await standalone();
    const folder = path.join(dir!, "originals");
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, "handbook.pdf"), "%PDF-1.4");
    fs.writeFileSync(path.join(folder, "org-chart.md"), "# Org");
    fs.writeFileSync(path.join(folder, "unrelated.txt"), "x");
    const run = await fix(["reupload-files", "--all", "--files", folder, "--yes"], dbPath);
    expect(run.stdout).toContain(`no stale document for file: ${path.join(folder, "unrelated.txt")}`);
    expect(run.stdout).toMatch(/-> succeeded: 2 of 2 stale documents uploaded again\. Nothing was deleted\./);
    expect(run.code).toBe(0);
  }, 60_000);
});
