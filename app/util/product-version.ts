/**
 * The product's version, from its package.json: found by looking up from a
 * file of the project, so it holds whether that file runs from scripts/
 * (tsx) or from the CLI's build (build/cli/scripts/, ADR 0017).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const NAME = "qbiz-readiness";

export function productVersion(from: string | URL): string {
  let dir = path.dirname(typeof from === "string" ? from : fileURLToPath(from));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === NAME && pkg.version) return pkg.version;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`No package.json of ${NAME} above ${String(from)}`);
    dir = up;
  }
}
