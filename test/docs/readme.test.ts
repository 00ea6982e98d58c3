import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkMetadata } from "~/audit/checks";
import { CATALOGUE_BEGIN, CATALOGUE_END, CATALOGUE_FILES, normaliseSection, renderAuditPolicy, renderCatalogueSection } from "~/docs/catalogue";

/** The generated section of a file, normalised as the docs generator compares it (a formatter's alignment aside). */
function catalogueOf(text: string): string {
  const begin = text.indexOf(CATALOGUE_BEGIN);
  const end = text.indexOf(CATALOGUE_END);
  expect(begin).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(begin);
  return normaliseSection(text.slice(begin, end + CATALOGUE_END.length));
}

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("README", () => {
  it("shows the quick start's two commands", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm test");
  });

  it("carries the check catalogue exactly as the checks' metadata renders it (run `npm run docs` after changing a check)", () => {
    expect(catalogueOf(readme)).toBe(normaliseSection(renderCatalogueSection()));
    for (const check of checkMetadata) expect(readme).toContain(`\`${check.id}\``);
  });

  it.each(CATALOGUE_FILES.filter((file) => file !== "README.md"))("%s carries the same generated catalogue (run `npm run docs`)", (file) => {
    const text = readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
    expect(catalogueOf(text)).toBe(normaliseSection(renderCatalogueSection()));
    for (const check of checkMetadata) expect(catalogueOf(text)).toContain(`|\`${check.id}\`|${check.severity}|`);
  });

  it("judges a section by what it says, not by how a formatter laid it out", () => {
    const rendered = renderCatalogueSection();
    const aligned = rendered.replace(CATALOGUE_BEGIN, `${CATALOGUE_BEGIN}\n`).replace(/^\| (`[a-z-]+`) \|/gm, "| $1     |");
    expect(normaliseSection(aligned)).toBe(normaliseSection(rendered));
    const changed = rendered.replace("| critical |", "| high |");
    expect(normaliseSection(changed)).not.toBe(normaliseSection(rendered));
  });

  it("prints an audit policy that grants every permission a check declares, and nothing that writes", () => {
    const policy = JSON.parse(renderAuditPolicy());
    const actions: string[] = policy.Statement[0].Action;
    for (const check of checkMetadata) for (const permission of check.permissions) expect(actions).toContain(permission);
    expect(actions.filter((action) => /:(Put|Delete|Update|Start|Stop|Batch|Create)/.test(action))).toEqual([]);
  });
});
