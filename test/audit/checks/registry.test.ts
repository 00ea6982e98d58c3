/**
 * Every check module in app/audit/checks is in the registry, once, and its id
 * is its file name (so a check written but never registered, or registered
 * under another name, fails here rather than silently never running).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allChecks } from "../../../app/audit/checks";
import type { Check } from "../../../app/audit/types";

const DIR = path.resolve(__dirname, "../../../app/audit/checks");
/** Modules of the directory that are not checks: the registry and the helpers checks share. */
const NOT_CHECKS = new Set(["index.ts", "common.ts", "document-staleness.ts"]);

const checkFiles = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith(".ts") && !NOT_CHECKS.has(f))
  .sort();

describe("check registry", () => {
  it("finds the check modules on disk", () => {
    expect(checkFiles.length).toBeGreaterThanOrEqual(10);
  });

  it.each(checkFiles)("%s exports a check whose id is its file name, and it is registered", async (file) => {
    const mod = (await import(path.join(DIR, file))) as { check?: Check };
    expect(mod.check, `${file} exports no \`check\``).toBeDefined();
    expect(mod.check!.metadata.id).toBe(file.replace(/\.ts$/, ""));
    expect(allChecks).toContain(mod.check);
  });

  it("registers each check once, and nothing that is not a module of the directory", () => {
    const ids = allChecks.map((c) => c.metadata.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(checkFiles.map((f) => f.replace(/\.ts$/, "")));
  });

  it("does not count a helper module as a check (the exclusions are real helpers, not checks)", async () => {
    for (const helper of NOT_CHECKS) {
      const mod = (await import(path.join(DIR, helper))) as { check?: unknown };
      expect(mod.check, `${helper} exports a check: it must be registered, not excluded`).toBeUndefined();
    }
  });
});
