/**
 * npm run build:cli: bundle the CLI (audit, worker) and the bench's audit
 * child into build/cli/, which `npm run audit` and `npm run worker` then run
 * under plain Node (ADR 0017).
 *
 * Several may start at once (a scheduled audit and a manual one, a few
 * workers), each building first: a file is written only when its bytes
 * changed, to a temporary name renamed into place, so a CLI starting next to a
 * build never reads a half-written file. Chunks are named by their content;
 * entry points are written last, so an entry only ever names chunks already in
 * place. Chunks of earlier builds are left alone: a worker started before a
 * rebuild may still import one when it first needs it.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type OutputFile } from "esbuild";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT = path.join(ROOT, "build/cli");
const ENTRIES = ["scripts/audit.ts", "scripts/worker.ts", "app/bench/audit-process.ts"];

function writeIfChanged(file: OutputFile): boolean {
  if (fs.existsSync(file.path) && fs.readFileSync(file.path).equals(file.contents)) return false;
  fs.mkdirSync(path.dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, file.contents);
  fs.renameSync(temporary, file.path);
  return true;
}

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ENTRIES,
  outdir: OUT,
  outbase: ROOT,
  bundle: true,
  // Split: what runAudit imports on use (Organizations, pg-boss, Security Hub, ...) stays in chunks loaded on use.
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  logLevel: "warning",
  write: false,
});
const entries = new Set(ENTRIES.map((e) => path.join(OUT, e.replace(/\.ts$/, ".js"))));
const ordered = [...result.outputFiles.filter((f) => !entries.has(f.path)), ...result.outputFiles.filter((f) => entries.has(f.path))];
const written = ordered.filter(writeIfChanged).length;
if (process.argv.includes("--verbose")) process.stderr.write(`build/cli: ${written} of ${ordered.length} files written\n`);
