/**
 * The repository is self-contained: a fresh clone with nothing beside it must
 * build, test and read its own documentation. So no file of the product names
 * the external contract's directory beside the checkout (the formats it
 * defines are written down in docs/), and every relative link in the README
 * and the docs leads to a file of the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "..");
const SCANNED_DIRS = ["app", "scripts", "test", "docs"];
const SCANNED_FILES = ["README.md", "package.json", "vitest.config.ts", "remix.config.js"];
const SKIPPED_DIRS = new Set(["node_modules", ".git", "build", ".cache"]);
// Spelt in pieces so that this file does not match itself.
const FORBIDDEN = [["..", "shared"].join("/"), ["", "work", "shared"].join("/")];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : filesUnder(full);
    return entry.isFile() ? [full] : [];
  });
}

/** The file's text, or null for a binary file (a NUL byte in its first 8 KB). */
function textOf(file: string): string | null {
  const bytes = readFileSync(file);
  return bytes.subarray(0, 8192).includes(0) ? null : bytes.toString("utf8");
}

const relative = (file: string) => path.relative(ROOT, file);

/** Inline Markdown link targets outside fenced code blocks: `[text](target)` and `![alt](target)`. */
function markdownLinkTargets(markdown: string): string[] {
  const outsideFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
  const withoutCodeSpans = outsideFences.replace(/`[^`\n]*`/g, "");
  return [...withoutCodeSpans.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

describe("the repository is self-contained", () => {
  const scanned = [...SCANNED_DIRS.flatMap((dir) => filesUnder(path.join(ROOT, dir))), ...SCANNED_FILES.map((f) => path.join(ROOT, f))];

  it("scans the product's sources, tests, scripts and docs", () => {
    const names = scanned.map(relative);
    expect(names).toContain("README.md");
    expect(names).toContain(path.join("app", "audit", "types.ts"));
    expect(names).toContain(path.join("docs", "checks.md"));
    expect(names).toContain(path.join("test", "repository.test.ts"));
  });

  it("has no file that refers to the external contract's directory outside the repository", () => {
    const offenders: string[] = [];
    for (const file of scanned) {
      if (!existsSync(file)) continue;
      const text = textOf(file);
      if (text === null) continue;
      text.split("\n").forEach((line, i) => {
        if (FORBIDDEN.some((needle) => line.includes(needle))) offenders.push(`${relative(file)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it("links, from the README and every doc, only to files that exist in the repository", () => {
    const markdown = [path.join(ROOT, "README.md"), ...filesUnder(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md"))];
    expect(markdown.length).toBeGreaterThan(5);
    const broken: string[] = [];
    for (const file of markdown) {
      for (const target of markdownLinkTargets(readFileSync(file, "utf8"))) {
        if (isExternal(target) || target.startsWith("#")) continue;
        const resolved = path.resolve(path.dirname(file), decodeURIComponent(target.split("#")[0]));
        const inside = resolved === ROOT || resolved.startsWith(ROOT + path.sep);
        if (!inside || !existsSync(resolved) || (!statSync(resolved).isFile() && !statSync(resolved).isDirectory())) {
          broken.push(`${relative(file)}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it("lists every decision record in docs/decisions/README.md", () => {
    const dir = path.join(ROOT, "docs", "decisions");
    const records = readdirSync(dir).filter((name) => /^\d{4}-.+\.md$/.test(name));
    expect(records.length).toBeGreaterThanOrEqual(6);
    const linked = new Set(markdownLinkTargets(readFileSync(path.join(dir, "README.md"), "utf8")));
    expect(records.filter((name) => !linked.has(name))).toEqual([]);
  });

  it("finds links the way the check above reads them (code is not a link)", () => {
    const sample = 'See [the fixture](docs/fleet-fixture.md#faults) and ![x](img.png "t").\n`[no](code.md)`\n```\n[no](fenced.md)\n```\n';
    expect(markdownLinkTargets(sample)).toEqual(["docs/fleet-fixture.md#faults", "img.png"]);
  });
});
