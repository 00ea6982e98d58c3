/**
 * CSV formula injection: IAM role names such as "=1+2" and "@evil" are valid,
 * and reach the CSV the CLI prints and the dashboard exports. Every cell a
 * spreadsheet would run as a formula arrives prefixed with ' and quoted (OWASP).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig, setConfig } from "~/config.server";
import { hashPassword } from "~/auth/password.server";
import { csvField } from "~/audit/format";
import * as exportRoute from "~/routes/findings.export.$format";
import type { Fixture } from "~/local-aws/fixture-types";
import { account, application, fleet, index, roleArn, webExperience, webRole } from "../audit/fleet-builder";
import { runScript, type ScriptRun } from "../helpers/cli";
import { args, getRequest, sessionOf } from "../helpers/dashboard-requests";
import { parseCsv } from "../helpers/csv";

const ACCOUNT = "111122223333";
const HOSTILE_ROLES = ["=1+2", "@evil", "+cmd", "-2+3"];

/** One application per hostile role name; each role lacks GetDocumentContent, so a finding names it. */
function hostileFleet(): Fixture {
  const apps = HOSTILE_ROLES.map((name, i) => application(`app-${i}`, [index(`index-${i}`, [])], [webExperience(`web-${i}`, roleArn(ACCOUNT, name))]));
  return fleet([account(ACCOUNT, { "us-east-1": apps }, { iam: { roles: HOSTILE_ROLES.map((name) => webRole(name, [])) } })]);
}

/** Every cell that would start a formula, and the raw text around it, for the failure message. */
function formulaCells(csv: string): string[] {
  return parseCsv(csv)
    .flat()
    .filter((cell) => /^[=+\-@\t\r]/.test(cell));
}

function expectNeutralised(csv: string) {
  const cells = parseCsv(csv).flat();
  expect(formulaCells(csv)).toEqual([]);
  for (const name of HOSTILE_ROLES) expect(cells).toContain(`'${name}`);
  // As text in the file: quoted, so the leading quote is inside the field.
  expect(csv).toContain(`"'=1+2"`);
  expect(csv).toContain(`"'@evil"`);
}

let dir: string;
let cliRun: ScriptRun;
const dbFile = () => path.join(dir, "audits.sqlite");

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-csv-"));
  const fixture = path.join(dir, "hostile.json");
  fs.writeFileSync(fixture, JSON.stringify(hostileFleet()));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, QBR_DB: dbFile(), NODE_ENV: "test" };
  cliRun = await runScript("scripts/audit.ts", ["--fixture", fixture, "--format", "csv", "--fail-on", "none"], env);
}, 60_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("CSV cells a spreadsheet would run as formulas", () => {
  it("are neutralised in the CLI's --format csv", () => {
    expect(cliRun.code, cliRun.stderr).toBe(0);
    expectNeutralised(cliRun.stdout);
  });

  it("are neutralised in the dashboard's /findings/export/csv", async () => {
    setConfig({ ...loadConfig({ QBR_OPERATORS: `olivia:${await hashPassword("password")}` }), db: dbFile() });
    const viewer = await sessionOf("olivia");
    const response = (await exportRoute.loader(args(getRequest("/findings/export/csv", viewer), { format: "csv" }))) as Response;
    expect(response.status).toBe(200);
    expectNeutralised(await response.text());
  });

  it("covers tab and carriage return starts too, and leaves other cells as RFC 4180 has them", () => {
    expect(csvField("\tcmd")).toBe(`"'\tcmd"`);
    expect(csvField("\rcmd")).toBe(`"'\rcmd"`);
    expect(csvField('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvField("role/=1+2")).toBe("role/=1+2");
    expect(csvField("a,b")).toBe('"a,b"');
  });
});
