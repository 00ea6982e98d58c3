/**
 * `npm run audit -- --organization` as an admin runs it: on an organisation
 * fixture, with the management account's keys, every active account audited
 * through its role and the unreadable ones named with what to deploy.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "~/audit/types";
import { accountCredentials } from "~/local-aws/fixture-types";
import { runScript } from "../helpers/cli";
import { EXTERNAL_ID, MANAGEMENT, SUSPENDED, WITHOUT_ROLE, WITH_EXTERNAL_ID, WITH_ROLE, auditedOrganization } from "./org-fleet";

let dir: string;
let fixtureFile: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-org-cli-"));
  fixtureFile = path.join(dir, "org.json");
  fs.writeFileSync(fixtureFile, JSON.stringify(auditedOrganization()));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const keys = accountCredentials(MANAGEMENT);
const env = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: dir,
  NODE_ENV: "test",
  AWS_ACCESS_KEY_ID: keys.accessKeyId,
  AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
});

describe("npm run audit -- --organization", () => {
  it("audits every active account through its role and names the ones it could not read", async () => {
    const run = await runScript(
      "scripts/audit.ts",
      [
        "--fixture",
        fixtureFile,
        "--organization",
        "--external-id",
        EXTERNAL_ID,
        "--regions",
        "us-east-1",
        "--format",
        "json",
        "--fail-on",
        "none",
        "--db",
        path.join(dir, "a.sqlite"),
      ],
      env(),
    );
    expect(run.stderr).not.toMatch(/could not run/);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.targets.map((t) => [t.accountId, t.status, t.accountName]).sort()).toEqual(
      [
        [MANAGEMENT, "ok", "Management"],
        [WITH_ROLE, "ok", "Prod Assistant"],
        [WITH_EXTERNAL_ID, "ok", "Prod Partner"],
        [WITHOUT_ROLE, "error", "Workloads New"],
      ].sort(),
    );
    // An external id sent to a role whose trust does not ask for one does not keep the caller out.
    expect(report.organization?.skipped.map((s) => s.accountId)).toEqual([SUSPENDED]);
    const unreadable = report.findings.find((f) => f.checkId === "scan-target-unreadable" && f.resource.accountId === WITHOUT_ROLE);
    expect(unreadable?.message).toContain(`Deploy the QbizReadinessAudit role in account ${WITHOUT_ROLE}`);
  });

  it("refuses options that only apply with --organization, and --organization with --targets", async () => {
    const lone = await runScript("scripts/audit.ts", ["--fixture", fixtureFile, "--ou", "ou-a1b2-11111111"], env());
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain("--ou only applies with --organization");
    const both = await runScript("scripts/audit.ts", ["--organization", "--targets", path.join(dir, "t.json")], env());
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--organization and --targets are two ways to name the targets: give one");
  });
});
