/**
 * Bad configuration and bad arguments: one clear message, nothing touched.
 * A database that cannot be opened (read-only, a folder, under a file) stops
 * the dashboard before it listens, with one line naming the file, and the
 * CLIs name it too; `fix` with bad arguments creates no database file.
 */
import { execFileSync } from "node:child_process";
import net, { type AddressInfo } from "node:net";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, runDashboardToExit } from "../browser/harness";
import { runScript } from "../helpers/cli";
import { fixFleet } from "../fixes/fleet";
import { openDatabase } from "~/db/database";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qbr-startup-"));
afterAll(() => {
  if (readOnly?.unmount) readOnly.unmount();
  fs.rmSync(dir, { recursive: true, force: true });
});

const aFile = path.join(dir, "a-file");
fs.writeFileSync(aFile, "not a folder");
const aFolder = path.join(dir, "a-folder");
fs.mkdirSync(aFolder);

/**
 * A database file that cannot be written: its folder and file made read-only
 * (not enough for root, who writes anyway: then a read-only bind mount).
 */
async function readOnlyDatabase(): Promise<{ file: string; unmount?: () => void } | undefined> {
  const source = path.join(dir, "ro-source");
  fs.mkdirSync(source);
  await (await openDatabase(path.join(source, "history.sqlite"))).close();
  if (process.getuid?.() !== 0) {
    fs.chmodSync(path.join(source, "history.sqlite"), 0o444);
    fs.chmodSync(source, 0o555);
    return { file: path.join(source, "history.sqlite") };
  }
  const mounted = path.join(dir, "ro-mounted");
  fs.mkdirSync(mounted);
  try {
    execFileSync("mount", ["--bind", source, mounted], { stdio: "ignore" });
    execFileSync("mount", ["-o", "remount,ro,bind", mounted], { stdio: "ignore" });
  } catch {
    return undefined;
  }
  return { file: path.join(mounted, "history.sqlite"), unmount: () => execFileSync("umount", [mounted], { stdio: "ignore" }) };
}
const readOnly = await readOnlyDatabase();

const UNUSABLE: [string, string][] = [
  ["a folder", aFolder],
  ["a path under a file", path.join(aFile, "history.sqlite")],
];
// As root without the right to mount, no file can be made read-only: that case is then reported as skipped.
if (readOnly) UNUSABLE.unshift(["a read-only database file", readOnly.file]);
else it.skip("a read-only database file (cannot make one here: root without mount)", () => {});

/** Output without the AWS SDK's notice about Node versions. */
const own = (text: string) =>
  text
    .split("\n")
    .filter(
      (line) =>
        line.trim() &&
        !/NodeVersionSupportWarning|versions published after|will require node|To continue receiving|security updates please|More information can be found|--trace-warnings/.test(
          line,
        ),
    )
    .join("\n");

describe("a database that cannot be opened", () => {
  beforeAll(() => buildOnce());

  it.each(UNUSABLE)(
    "(%s) stops the dashboard before it listens, with one line naming the file",
    async (_what, db) => {
      const run = await runDashboardToExit({ QBR_DB: db });
      expect(run.code).toBe(2);
      const lines = own(run.output).split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^QBR_DB: .*${db.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
      expect(run.output).not.toContain("listening on");
      expect(run.output).not.toContain("sign-in?token=");
    },
    90_000,
  );

  it.each(UNUSABLE)(
    "(%s) is named by the audit and fix CLIs",
    async (_what, db) => {
      const fixture = path.join(dir, "fleet.json");
      fs.writeFileSync(fixture, JSON.stringify(fixFleet()));
      const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, NODE_ENV: "test" };
      for (const [script, args] of [
        ["scripts/audit.ts", ["--fixture", fixture, "--db", db]],
        ["scripts/fix.ts", ["patch-role-policy", "--all", "--plan", "--fixture", fixture, "--db", db]],
      ] as const) {
        const run = await runScript(script, [...args], env);
        expect(run.code, script).toBe(2);
        expect(own(run.stderr), script).toContain(`Cannot open the database file ${db}`);
        expect(run.stderr, script).not.toMatch(/^\s+at /m);
      }
    },
    90_000,
  );
});

describe("npm run fix with bad arguments", () => {
  const badFixture = path.join(dir, "bad-fleet.json");
  fs.writeFileSync(badFixture, JSON.stringify({ ...fixFleet(), accounts: [{ accountId: "nope", regions: {} }] }));

  it.each([
    [["reupload-files", "--all"], /reupload-files needs the files: --files DIR or --s3/],
    [["reupload-files", "--all", "--files", path.join(dir, "missing")], /--files .*missing: no such folder/],
    [["reupload-files", "--all", "--s3", "bucket/prefix"], /--s3 bucket\/prefix: not an S3 URI/],
    [["reupload-files", "--application", "app-hr", "--all", "--files", aFolder], /Give one selector, not --application and --all/],
    [["rollback"], /rollback needs --activity <id>/],
    [["full-sync"], /full-sync needs --data-source, --application or --all/],
    [["patch-role-policy", "--all", "--files", aFolder], /--files does not apply to patch-role-policy/],
    [["full-sync", "--all", "--fixture", badFixture], /accounts\[0\]\.accountId/],
  ])(
    "%j: exits 2 with the reason, creating no database file",
    async (args, message) => {
      const db = path.join(dir, `never-${Math.random().toString(36).slice(2)}`, "fix.sqlite");
      const run = await runScript("scripts/fix.ts", [...args, "--db", db], { PATH: process.env.PATH, HOME: dir, NODE_ENV: "test" } as NodeJS.ProcessEnv);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(fs.existsSync(db)).toBe(false);
      expect(fs.existsSync(path.dirname(db))).toBe(false);
    },
    60_000,
  );
});

describe("start-up settings the server cannot use (issue 11 item 10)", () => {
  beforeAll(() => buildOnce());
  const db = () => ({ QBR_DB: path.join(dir, `settings-${Math.random().toString(36).slice(2)}.sqlite`) });

  it.each([
    ["empty", "", /^PORT: is set but empty: give a port number \(0 to 65535\), or unset PORT for the default 3000$/],
    ["blank", "   ", /^PORT: is set but empty/],
    ["not a number", "http", /^PORT: "http" is not a port: give a whole number from 0 to 65535/],
    ["out of range", "70000", /^PORT: 70000 is not a port: it must be between 0 and 65535$/],
  ])(
    "PORT %s is refused with one line naming PORT, before it listens",
    async (_what, value, line) => {
      const run = await runDashboardToExit({ ...db(), PORT: value });
      expect(run.code).toBe(2);
      const lines = own(run.output).split("\n");
      expect(lines).toEqual([expect.stringMatching(line)]);
      expect(run.output).not.toContain("listening on");
    },
    90_000,
  );

  it("a port in use stops the server with one line naming PORT, no stack trace", async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const run = await runDashboardToExit({ ...db(), PORT: String(port) });
      expect(run.code).toBe(2);
      const lines = own(run.output).split("\n");
      expect(lines).toEqual([`PORT: port ${port} on 127.0.0.1 is already in use (by another server): stop it, or set PORT to a free port (PORT=0 picks any).`]);
      expect(run.output).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 90_000);
});
