/**
 * npm run db -- <command>
 *
 *   migrate [--db PATH | --database-url URL]
 *       Bring the database to this build's migrations and exit (run it once
 *       before rolling out a new build to the replicas; they also migrate on
 *       start, under a lock, so running it is optional).
 *   counts [--db PATH | --database-url URL]
 *       Rows per table.
 *   migrate-to postgres://… [--from PATH] [--replace]
 *       Copy the SQLite database (--from, else QBR_DB, else the default file)
 *       into PostgreSQL: every table and row, ids kept, in one transaction;
 *       then prints each table's rows on both sides. Refuses a target that
 *       already holds rows unless --replace (which deletes them first).
 *
 * Exit 0: done (counts equal); 1: the counts differ; 2: the command could not
 * run (bad arguments, a database that cannot be opened, a non-empty target).
 */
import { parseArgs } from "node:util";
import { copySqliteToPostgres, TargetNotEmptyError, type TableCount } from "../app/db/copy";
import { countRows } from "../app/db/audits";
import { DEFAULT_DB_PATH, isPostgresUrl, MIGRATIONS, openDatabase, resolveDbPath, type Db } from "../app/db/database";

const USAGE = `Usage: npm run db -- migrate [--db PATH | --database-url URL]
       npm run db -- counts [--db PATH | --database-url URL]
       npm run db -- migrate-to postgres://USER:PASSWORD@HOST:5432/DB [--from PATH] [--replace]
  migrate-to copies the SQLite file (--from, else QBR_DB, else ${DEFAULT_DB_PATH}) into an empty PostgreSQL database.`;

class UsageError extends Error {}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: "string" },
        "database-url": { type: "string" },
        from: { type: "string" },
        replace: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function printCounts(counts: TableCount[]): void {
  const width = Math.max(5, ...counts.map((c) => c.table.length));
  process.stdout.write(`${"table".padEnd(width)}  ${"sqlite".padStart(10)}  ${"postgres".padStart(10)}\n`);
  for (const c of counts) {
    const mark = c.source === c.target ? "" : "  MISMATCH";
    process.stdout.write(`${c.table.padEnd(width)}  ${String(c.source).padStart(10)}  ${String(c.target).padStart(10)}${mark}\n`);
  }
}

async function migrateTo(url: string | undefined, from: string | undefined, replace: boolean): Promise<number> {
  if (!url || !isPostgresUrl(url)) throw new UsageError("migrate-to needs the target as a postgres:// or postgresql:// URL");
  const file = from ?? process.env.QBR_DB ?? DEFAULT_DB_PATH;
  if (isPostgresUrl(file)) throw new UsageError("--from names the SQLite file to copy, not a URL");
  const source = await openDatabase(file);
  let target: Db | undefined;
  try {
    target = await openDatabase(url);
    process.stderr.write(`Copying ${source.location} into ${target.location} (${MIGRATIONS.length} migrations on both)\n`);
    const result = await copySqliteToPostgres(source, target, { replace, onTable: (table, rows) => process.stderr.write(`  ${table}: ${rows} rows\n`) });
    printCounts(result.tables);
    process.stdout.write(result.equal ? "Every table has the same number of rows in both.\n" : "The row counts differ: see MISMATCH above.\n");
    return result.equal ? 0 : 1;
  } catch (error) {
    if (error instanceof TargetNotEmptyError) {
      printCounts(error.counts);
      process.stderr.write(`db: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await target?.close();
    await source.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values: args, positionals } = parse(argv);
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === "migrate-to") return migrateTo(rest[0] ?? args["database-url"], args.from, args.replace ?? false);
  if (rest.length > 0) throw new UsageError(`Unexpected argument: ${rest[0]}`);
  if (command !== "migrate" && command !== "counts") throw new UsageError(`Name the command: migrate, counts or migrate-to (not ${command ?? "nothing"}).`);
  if (args.db !== undefined && args["database-url"] !== undefined) throw new UsageError("--db and --database-url name two databases: give one");
  const db = await openDatabase(resolveDbPath(args["database-url"] ?? args.db));
  try {
    if (command === "migrate") process.stdout.write(`${db.location}: at migration ${MIGRATIONS.at(-1)} (${MIGRATIONS.length} applied)\n`);
    else for (const [table, n] of Object.entries(await countRows(db))) process.stdout.write(`${table}\t${n}\n`);
  } finally {
    await db.close();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(error instanceof UsageError ? `db: ${message}\n${USAGE}\n` : `db: ${message}\n`);
    process.exit(2);
  },
);
