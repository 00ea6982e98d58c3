/**
 * npm run bench -- [--only medium,sequential,peer,large,xl,dashboard,load,resilience]
 *
 * The audit engine at fleet scale (issue 6): generates the medium and large
 * fleets, serves each on the local AWS (in a child process) with the issue's
 * latency and rate limits, runs the audit as the CLI does (each in a child
 * process of its own, so peak RSS is the audit's), then the medium fleet at
 * concurrency 1, the peer auditor on the medium fleet (issue 15), the large
 * fleet audited again right after into the same database (large.repeat), the
 * xl fleet (12 accounts), the dashboard's loaders on the stored large audit, and the
 * resilience runs, and the load phase (the built dashboard on loopback under
 * 200 connections; QBR_BENCH_LOAD_DB=file reuses a database holding the large
 * audit, QBR_BENCH_SKIP_BUILD=1 skips `npm run build`). Prints tables, then one JSON line with every figure.
 * Progress goes to stderr. Exit 0 when every target is met, 1 otherwise, 2 on bad arguments.
 */
import { parseArgs } from "node:util";
import { benchJson, checkTargets, formatBenchTables } from "../app/bench/print";
import { BENCH_PARTS, runBench, type BenchPart } from "../app/bench/run";

const USAGE = `Usage: npm run bench -- [--only ${BENCH_PARTS.join(",")}]`;

async function main(argv: string[]): Promise<number> {
  let only: BenchPart[] | undefined;
  try {
    const { values } = parseArgs({ args: argv, strict: true, options: { only: { type: "string" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.only !== undefined) {
      only = values.only.split(",").map((p) => p.trim()) as BenchPart[];
      const unknown = only.filter((p) => !BENCH_PARTS.includes(p));
      if (unknown.length || only.length === 0) throw new Error(`--only takes ${BENCH_PARTS.join(", ")}; got "${values.only}"`);
    }
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const results = await runBench({ parts: only, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`${formatBenchTables(results)}\n`);
  process.stdout.write(`${JSON.stringify(benchJson(results))}\n`);
  return checkTargets(results).every((c) => c.met) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 2;
  },
);
