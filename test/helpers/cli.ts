/**
 * Run one of the npm scripts as a user would (tsx scripts/<name>.ts in a
 * child process, from the checkout; or `npm run <name>` itself), with
 * exactly the environment given.
 */
import { spawn } from "node:child_process";
import path from "node:path";

/** The checkout's root. */
export const ROOT = path.resolve(__dirname, "../..");
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `tsx <script> ...args` with `env` as its whole environment; resolves with
 * the exit code and everything printed once it exits. With `stdin`, writes it
 * and closes the input; without, leaves the input open.
 */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<ScriptRun> {
  return run(TSX, [script, ...args], env, stdin);
}

/** `npm run -s <name> -- ...args`, exactly as the README says (e.g. the CLI from its build, ADR 0017). */
export function runNpmScript(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return run("npm", ["run", "-s", name, "--", ...args], env);
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (stdin !== undefined) child.stdin.end(stdin);
  });
}
