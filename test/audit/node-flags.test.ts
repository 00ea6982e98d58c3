/**
 * The audit processes users start run with the Node flags the bench measures
 * (app/audit/node-flags.ts, ADR 0017 "Heap growth"): `npm run audit` and
 * `npm run worker` spell them in package.json, and every Node the product
 * supports accepts them (an unknown V8 flag stops Node before the audit starts).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_NODE_FLAGS } from "../../app/audit/node-flags";

const ROOT = path.resolve(__dirname, "../..");
const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("audit processes' Node flags", () => {
  it.each([
    ["audit", "build/cli/scripts/audit.js"],
    ["worker", "build/cli/scripts/worker.js"],
  ])("npm run %s starts node with them", (name, file) => {
    expect(scripts[name]).toMatch(new RegExp(`&& node ${AUDIT_NODE_FLAGS.join(" ")} ${file}$`));
  });

  it("this Node accepts them (it refuses a V8 flag it does not know, exit 9)", () => {
    const out = execFileSync(process.execPath, [...AUDIT_NODE_FLAGS, "-p", "process.execArgv.slice(0, -2).join(' ')"], { encoding: "utf8" });
    expect(out.trim()).toBe(AUDIT_NODE_FLAGS.join(" "));
  });
});
