/**
 * Every SQL statement of the product lives in app/db/ (one module per table
 * or aggregate): no other file of app/ or scripts/ holds SQL text or reaches
 * the driver directly. Tests may hold SQL (they check what the tables refuse).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

const SQL = [
  /\bSELECT\b[\s\S]{0,200}?\bFROM\b/,
  /\bINSERT\s+(OR\s+\w+\s+)?INTO\b/,
  /\bREPLACE\s+INTO\b/,
  /\bUPDATE\s+\w+\s+SET\b/,
  /\bDELETE\s+FROM\b/,
  /\b(CREATE|DROP|ALTER)\s+(TABLE|INDEX|TRIGGER|VIEW|UNIQUE\s+INDEX)\b/,
  /\bPRAGMA\b/,
  /\.prepare\(/,
  /\.pragma\(/,
  /from\s+["']better-sqlite3["']/,
  /from\s+["']pg["']/,
  /from\s+["']kysely["']/,
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}

describe("SQL lives in app/db/", () => {
  it("finds no SQL text and no database driver outside app/db/", () => {
    const files = [...sourceFiles(path.join(root, "app")), ...sourceFiles(path.join(root, "scripts"))].filter(
      (file) => !path.relative(root, file).startsWith(`app${path.sep}db${path.sep}`),
    );
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.flatMap((file) => {
      const text = fs.readFileSync(file, "utf8");
      return SQL.filter((pattern) => pattern.test(text)).map((pattern) => `${path.relative(root, file)}: ${pattern}`);
    });
    expect(offenders).toEqual([]);
  });

  it("would notice one (the patterns match the statements app/db/ holds)", () => {
    const held = sourceFiles(path.join(root, "app", "db"))
      .map((file) => fs.readFileSync(file, "utf8"))
      .join("\n");
    for (const pattern of [SQL[0], SQL[5], SQL[6], SQL[10]]) expect(held).toMatch(pattern!);
    expect("db.prepare(`DELETE FROM fix_locks WHERE lock_key = ?`)").toMatch(SQL[4]!);
  });
});
