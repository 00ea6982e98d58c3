/**
 * A real PostgreSQL server for the tests: initdb into a folder of its own,
 * pg_ctl start on a free loopback port, pg_ctl stop at the end. PostgreSQL
 * refuses to run as root (CI runs as root): then initdb and pg_ctl run as an
 * unprivileged user (QBR_PG_USER, else "postgres" as Debian's package creates
 * it, else "nobody") through runuser. Nothing here skips: a server that
 * cannot start throws, saying why.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

/** Where initdb and pg_ctl are: QBR_PG_BIN, else PATH, else Debian's /usr/lib/postgresql/<major>/bin (newest). */
export function findPostgresBin(): string {
  const candidates: string[] = [];
  if (process.env.QBR_PG_BIN) candidates.push(process.env.QBR_PG_BIN);
  candidates.push(...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean));
  const debian = "/usr/lib/postgresql";
  if (fs.existsSync(debian)) {
    const majors = fs.readdirSync(debian).filter((v) => /^\d+$/.test(v));
    candidates.push(...majors.sort((a, b) => Number(b) - Number(a)).map((v) => path.join(debian, v, "bin")));
  }
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "pg_ctl")));
  if (!found) {
    throw new Error(
      `PostgreSQL's initdb and pg_ctl were not found (looked in QBR_PG_BIN, PATH and ${debian}/*/bin). Install Debian's postgresql package (apt-get install postgresql) or set QBR_PG_BIN.`,
    );
  }
  return found;
}

interface RunAs {
  /** The command prefix that runs a program as the server's user ([] when not root). */
  prefix: string[];
  uid?: number;
  gid?: number;
}

function unprivilegedUser(): RunAs {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const names = [process.env.QBR_PG_USER, "postgres", "nobody"].filter((n): n is string => Boolean(n));
  for (const name of names) {
    const id = spawnSync("id", ["-u", name], { encoding: "utf8" });
    if (id.status !== 0) continue;
    const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
    if (!fs.existsSync("/usr/sbin/runuser") && spawnSync("runuser", ["--help"]).error) {
      throw new Error("PostgreSQL cannot run as root and runuser (util-linux) is missing, so it cannot be started as another user.");
    }
    return { prefix: ["runuser", "-u", name, "--"], uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  throw new Error(`PostgreSQL cannot run as root and none of the users ${names.join(", ")} exists to run it as.`);
}

function run(as: RunAs, program: string, args: string[]): void {
  const [command, ...rest] = [...as.prefix, program, ...args];
  const result = spawnSync(command!, rest, { encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`.trim();
    throw new Error(`${path.basename(program)} ${args.join(" ")} failed (exit ${result.status}): ${output}`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth, loopback only). */
  url: string;
  dataDir: string;
  stop(): void;
}

/** Settings for a throw-away test server: loopback only, no durability (a crash loses nothing we keep). */
const TEST_SETTINGS = [
  "listen_addresses = '127.0.0.1'",
  "fsync = off",
  "synchronous_commit = off",
  "full_page_writes = off",
  "max_connections = 300",
  "shared_buffers = 32MB",
];

/**
 * initdb into `<dir>/data` and start the server on a free port; `dir` must
 * exist. Retries on another port if the chosen one was taken meanwhile.
 */
export async function startPostgres(dir: string): Promise<RunningPostgres> {
  const bin = findPostgresBin();
  const as = unprivilegedUser();
  const dataDir = path.join(dir, "data");
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o755);
  if (as.uid !== undefined) fs.chownSync(dataDir, as.uid, as.gid!);
  run(as, path.join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"]);
  const log = path.join(dir, "server.log");
  // pg_ctl writes the log as the server's user: create it for that user.
  fs.writeFileSync(log, "");
  if (as.uid !== undefined) fs.chownSync(log, as.uid, as.gid!);
  const baseConf = fs.readFileSync(path.join(dataDir, "postgresql.conf"), "utf8");
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const conf = [...TEST_SETTINGS, `port = ${port}`, `unix_socket_directories = '${dataDir}'`].join("\n");
    fs.writeFileSync(path.join(dataDir, "postgresql.conf"), `${baseConf}\n${conf}\n`);
    try {
      run(as, path.join(bin, "pg_ctl"), ["-D", dataDir, "-l", log, "-w", "-t", "60", "start"]);
      const stop = () => run(as, path.join(bin, "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
      return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, dataDir, stop };
    } catch (error) {
      const tail = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").slice(-10).join("\n") : "";
      lastError = new Error(`${(error as Error).message}\nserver log:\n${tail}`);
    }
  }
  throw lastError;
}

/** Stop the server of a folder startPostgres used, if one is running there. */
export function stopPostgresIn(dir: string): void {
  const dataDir = path.join(dir, "data");
  if (!fs.existsSync(path.join(dataDir, "postmaster.pid"))) return;
  const as = unprivilegedUser();
  run(as, path.join(findPostgresBin(), "pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
}
