import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkMetadata } from "~/audit/checks";
import { CATALOGUE_FILES, renderAuditPolicy, withCatalogueSection } from "~/docs/catalogue";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("shows the quick start's two commands", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm test");
  });

  it("carries the check catalogue exactly as the checks' metadata renders it (run `npm run docs` after changing a check)", () => {
    expect(withCatalogueSection(readme)).toBe(readme);
    for (const check of checkMetadata) expect(readme).toContain(`\`${check.id}\``);
  });

  it.each(CATALOGUE_FILES.filter((file) => file !== "README.md"))("%s carries the same generated catalogue (run `npm run docs`)", (file) => {
    const text = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
    expect(withCatalogueSection(text, file)).toBe(text);
    for (const check of checkMetadata) expect(text).toContain(`| \`${check.id}\` | ${check.severity} |`);
  });

  it("prints an audit policy that grants every permission a check declares, and nothing that writes", () => {
    const policy = JSON.parse(renderAuditPolicy());
    const actions: string[] = policy.Statement[0].Action;
    for (const check of checkMetadata) for (const permission of check.permissions) expect(actions).toContain(permission);
    expect(actions.filter((action) => /:(Put|Delete|Update|Start|Stop|Batch|Create)/.test(action))).toEqual([]);
  });
});
