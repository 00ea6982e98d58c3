/**
 * npm run fix -- <full-sync|patch-role-policy|reupload-files|rollback|resume> <selector>
 *   [--plan] [--yes] [--wait] [--fixture FILE] [--db PATH | --database-url URL] [--targets FILE]
 *   [--files DIR | --s3 s3://bucket/prefix] [--keep-full-mode] [--policy-name NAME]
 *
 * Selectors: --application <id or display name> (every finding of that
 * application this action fixes), --data-source <id>, --role <name or ARN>,
 * --activity <id> (rollback), --all. Prints each plan, asks before applying
 * unless --yes; --plan only prints. Same database and activity log as the
 * dashboard (actor cli:$USER).
 *
 * Exit 0: every plan applied (or nothing to do, or --plan); 1: something was
 * not done (refused, unavailable, declined, stale, busy, failed, partial);
 * 2: the command could not run (bad arguments, bad fixture, no audit target).
 */
import fs from "node:fs";
import os from "node:os";
import readline from "node:readline/promises";
import { parseArgs } from "node:util";
import { getAuditReport, latestAuditId, type StoredApplicationInventory } from "../app/audit/history";
import { inventoriesOfAudit } from "../app/db/audit-applications";
import { runAudit } from "../app/audit/run";
import { resumeBulkBatches } from "../app/fixes/bulk";
import { bulkFromCli } from "../app/fixes/bulk-cli";
import { AuditSetupError, loadTargetsFile, targetsForFixture, type TargetSpec } from "../app/audit/targets";
import type { AuditReport } from "../app/audit/types";
import { FULL_SYNC_MODE } from "../app/aws/vocabulary";
import { isPostgresUrl, openDatabase, resolveDbPath, type Db } from "../app/db/database";
import {
  applyFullSync,
  applyReupload,
  applyRolePolicyPatch,
  applyRollback,
  createFixContext,
  planFullSync,
  planReupload,
  planRolePolicyPatch,
  planRollback,
  resumeTrackedSyncs,
  type ApplyResult,
  type DataSourceRef,
  type FileSource,
  type FixContext,
  type FixPlan,
  type RoleRef,
  FIX_ACTIONS,
  type UploadedDocumentsRef,
} from "../app/fixes/index";
import { FixtureError, loadFixtureFile, startLocalAws, type LocalAws } from "../app/local-aws/index";
import { settleFixNotifications } from "../app/fixes/activity-log";

const ACTIONS = [...FIX_ACTIONS, "resume"] as const;
type CliAction = (typeof ACTIONS)[number];

const USAGE = `Usage: npm run fix -- <full-sync|patch-role-policy|reupload-files|rollback|resume> <selector>
  [--plan] [--yes] [--wait] [--fixture FILE] [--db PATH | --database-url postgres://...] [--targets FILE]
  [--files DIR | --s3 s3://bucket/prefix] [--keep-full-mode] [--policy-name NAME] [--fix-role-name NAME]
  --fix-role-name (or QBR_FIX_ROLE_NAME): the role fixes assume in each account without a fixRoleArn.
Selectors: --application <id or display name> | --data-source <id> | --role <name or ARN> | --activity <id> | --all
  --bulk (full-sync, patch-role-policy; with --all or --application): one batch, the plan per account and region,
    applied with --yes at most --per-account N (default 3) per account and --overall N (default 10) at once.
  resume: follow every tracked full sync to its end and put the original sync modes back.`;

class UsageError extends Error {}

/** One thing to fix: how to plan it and apply the plan. */
interface Job {
  label: string;
  plan(): Promise<FixPlan>;
  apply(plan: FixPlan): Promise<ApplyResult>;
}

const out = (line = "") => process.stdout.write(`${line}\n`);

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        application: { type: "string" },
        "data-source": { type: "string" },
        role: { type: "string" },
        activity: { type: "string" },
        all: { type: "boolean" },
        plan: { type: "boolean" },
        yes: { type: "boolean", short: "y" },
        wait: { type: "boolean" },
        fixture: { type: "string" },
        db: { type: "string" },
        "database-url": { type: "string" },
        targets: { type: "string" },
        files: { type: "string" },
        s3: { type: "string" },
        "keep-full-mode": { type: "boolean" },
        "policy-name": { type: "string" },
        "fix-role-name": { type: "string" },
        bulk: { type: "boolean" },
        "per-account": { type: "string" },
        overall: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

type Args = ReturnType<typeof parse>["values"];

/** The latest audit's report and stored inventories (auditing first when asked or when there is none). */
interface Audited {
  report: AuditReport;
  applications: StoredApplicationInventory[];
}

async function readAudit(db: Db): Promise<Audited | undefined> {
  const id = await latestAuditId(db);
  const report = id === undefined ? undefined : await getAuditReport(db, id);
  if (id === undefined || !report) return undefined;
  const inventories = await inventoriesOfAudit(db, id);
  return { report, applications: inventories.map((json) => JSON.parse(json) as StoredApplicationInventory) };
}

function findApplication(audited: Audited, selector: string): StoredApplicationInventory {
  const matches = audited.applications.filter((a) => a.applicationId === selector || a.displayName === selector);
  if (matches.length === 0) throw new UsageError(`No audited application has the id or display name "${selector}".`);
  if (matches.length > 1) {
    throw new UsageError(
      `"${selector}" names ${matches.length} applications (${matches.map((a) => `${a.applicationId} in ${a.accountId}/${a.region}`).join(", ")}): give the id.`,
    );
  }
  return matches[0];
}

/** Open findings this action fixes, optionally only those of one application. */
function openFindings(audited: Audited, action: string, applicationId?: string) {
  return audited.report.findings.filter(
    (f) => f.remediation.action === action && f.status !== "pass" && (!applicationId || f.resource.applicationId === applicationId),
  );
}

const unique = <T>(items: T[], key: (t: T) => string): T[] => [...new Map(items.map((i) => [key(i), i])).values()];

function fullSyncJobs(ctx: FixContext, args: Args, audited: Audited): DataSourceRef[] {
  if (args["data-source"]) {
    for (const app of audited.applications) {
      for (const index of app.indices) {
        if (index.dataSources.some((d) => d.dataSourceId === args["data-source"])) {
          return [
            { accountId: app.accountId, region: app.region, applicationId: app.applicationId, indexId: index.indexId, dataSourceId: args["data-source"]! },
          ];
        }
      }
    }
    throw new UsageError(`No audited data source has the id ${args["data-source"]}.`);
  }
  const applicationId = args.application ? findApplication(audited, args.application).applicationId : undefined;
  if (!applicationId && !args.all) throw new UsageError("full-sync needs --data-source, --application or --all.");
  const refs = openFindings(audited, "full-sync", applicationId)
    .filter((f) => f.resource.dataSourceId && f.resource.indexId && f.resource.applicationId)
    .map((f) => ({
      accountId: f.resource.accountId,
      region: f.resource.region,
      applicationId: f.resource.applicationId!,
      indexId: f.resource.indexId!,
      dataSourceId: f.resource.dataSourceId!,
    }));
  return unique(refs, (r) => `${r.accountId}/${r.region}/${r.dataSourceId}`);
}

function roleJobs(args: Args, audited: Audited): RoleRef[] {
  const policyName = args["policy-name"];
  if (args.role) {
    const selector = args.role;
    const roleArns = audited.applications.flatMap((a) => a.webExperiences.map((w) => w.roleArn).filter((r): r is string => !!r));
    const arn = selector.startsWith("arn:") ? selector : roleArns.find((r) => r.endsWith(`/${selector}`));
    if (!arn) throw new UsageError(`No audited web experience uses a role named ${selector}: give its ARN.`);
    const accountId = /^arn:aws[a-z-]*:iam::(\d{12}):role\//.exec(arn)?.[1];
    if (!accountId) throw new UsageError(`${arn} is not an IAM role ARN.`);
    return [{ accountId, roleArn: arn, policyName }];
  }
  const applicationId = args.application ? findApplication(audited, args.application).applicationId : undefined;
  if (!applicationId && !args.all) throw new UsageError("patch-role-policy needs --role, --application or --all.");
  const refs = openFindings(audited, "patch-role-policy", applicationId)
    .filter((f) => f.resource.roleArn)
    .map((f) => ({ accountId: f.resource.accountId, roleArn: f.resource.roleArn!, policyName }));
  return unique(refs, (r) => r.roleArn);
}

function reuploadJobs(args: Args, audited: Audited): UploadedDocumentsRef[] {
  const applicationId = args.application ? findApplication(audited, args.application).applicationId : undefined;
  if (!applicationId && !args.all) throw new UsageError("reupload-files needs --application or --all.");
  const refs = openFindings(audited, "reupload-files", applicationId)
    .filter((f) => f.resource.indexId && f.resource.applicationId)
    .map((f) => ({ accountId: f.resource.accountId, region: f.resource.region, applicationId: f.resource.applicationId!, indexId: f.resource.indexId! }));
  return unique(refs, (r) => `${r.accountId}/${r.region}/${r.indexId}`);
}

function fileSource(args: Args): FileSource {
  if (args.files && args.s3) throw new UsageError("Give --files or --s3, not both.");
  if (args.files) return { kind: "folder", path: args.files };
  if (args.s3) return { kind: "s3", uri: args.s3 };
  throw new UsageError("reupload-files needs the files: --files DIR or --s3 s3://bucket/prefix.");
}

// ---------------------------------------------------------------- printing

function printPlan(plan: FixPlan): void {
  out(`== ${plan.action}: ${plan.summary}`);
  out(`   status: ${plan.status}   plan hash: ${plan.planHash}`);
  for (const reason of plan.reasons) out(`   - ${reason}`);
  if (plan.missingPermissions.length) out(`   missing permission: ${plan.missingPermissions.join(", ")}`);
  if (plan.action === "full-sync") {
    const d = plan.details;
    out(
      `   data source: ${d.dataSource.displayName ?? ""} ${d.dataSource.dataSourceId} (${d.dataSource.type ?? "?"}) in ${d.dataSource.accountId}/${d.dataSource.region}`,
    );
    if (d.modeless) {
      // S3V2: no sync mode to show or switch; the plan's summary says what apply does instead.
      out(`   sync mode: none (S3 v2 connector: no full-sync setting); bucket: ${d.modeless.bucket ?? "not named in the configuration"}`);
      out(`   deletion protection: ${d.modeless.deletionProtection.enabled ? `on, threshold ${d.modeless.deletionProtection.threshold}%` : "off"}`);
    } else {
      out(`   sync mode now: ${d.currentSyncMode ?? "unknown"}${d.switchesMode ? ` → ${FULL_SYNC_MODE} for the sync, then back` : ""}`);
    }
    if (d.documentCount !== undefined) out(`   documents: ${d.documentCountCapped ? "at least " : ""}${d.documentCount}`);
    for (const s of d.pastSyncs.slice(0, 5))
      out(`   past sync ${s.executionId}: ${s.status ?? "?"}, ${s.durationSeconds ?? "?"} s, started ${s.startTime ?? "?"}`);
    if (d.runningSync) out(`   running now: ${d.runningSync.executionId} (started ${d.runningSync.startTime ?? "?"})`);
  } else if (plan.action === "patch-role-policy" || plan.action === "rollback") {
    const d = plan.details;
    out(`   role: ${d.roleArn}   inline policy: ${d.policyName}`);
    if (plan.action === "patch-role-policy" && plan.details.inlineSizeAfter !== undefined) {
      out(`   inline policies after: ${plan.details.inlineSizeAfter} of ${plan.details.inlineQuota} characters`);
    }
    for (const line of d.diff) out(`   ${line}`);
  } else if (plan.action === "reupload-files") {
    const d = plan.details;
    out(`   source: ${d.source}`);
    for (const doc of d.staleDocuments) out(`   stale: ${doc.documentId} (updated ${doc.updatedAt ?? "?"})`);
    for (const m of d.matched) {
      out(`   ${m.tooLarge ? "TOO LARGE" : "upload"}: ${m.file} → ${m.documentId} (${m.bytes} bytes, ${m.contentType ?? "type detected by the service"})`);
      if (m.typeWarning) out(`     WARNING: ${m.typeWarning}`);
    }
    for (const r of d.refusedFiles ?? []) out(`   REFUSED: ${r.file} → ${r.documentId}: ${r.reason}`);
    for (const e of d.skippedEntries ?? []) out(`   skipped: ${e}`);
    for (const f of d.unmatchedFiles) out(`   no stale document for file: ${f}`);
    for (const id of d.missingFiles) out(`   no file for stale document: ${id}`);
  }
}

function printResult(result: ApplyResult): void {
  out(`-> ${result.outcome}: ${result.message}`);
  if (result.activityId !== undefined) out(`   activity #${result.activityId}`);
  for (const d of result.done) out(`   done: ${d}`);
  for (const n of result.notDone) out(`   NOT done: ${n}`);
  if (result.verification) printVerification(result.verification);
  if (result.reaudit) {
    const states = Object.entries(result.reaudit.readiness)
      .map(([app, r]) => `${app}: ${r}`)
      .join(", ");
    out(`   re-audit #${result.reaudit.auditId}: ${states}`);
    for (const f of result.reaudit.stillWrong) out(`   still ${f.status}: ${f.checkId}: ${f.message}`);
  }
  if (result.requestIds.length) out(`   AWS request ids: ${result.requestIds.join(", ")}`);
}

/** A verification, and (S3V2 full sync) its next steps and the exact commands, one per line so they can be pasted. */
function printVerification(v: NonNullable<ApplyResult["verification"]>): void {
  const details = v.details ?? {};
  const steps = Array.isArray(details.nextSteps) ? (details.nextSteps as string[]) : [];
  const commands = Array.isArray(details.touchCommands) ? (details.touchCommands as string[]) : [];
  out(`   verified: ${v.ok ? "yes" : "no"}: ${steps.length ? v.message.split(" Next steps")[0] : v.message}`);
  if (steps.length) out("   next steps, cheapest first:");
  steps.forEach((step, i) => {
    out(`   ${step}`);
    // The commands are step 1's (touch the stale objects).
    if (i === 0) for (const command of commands) out(`     ${command}`);
  });
}

const SUCCESS = new Set(["succeeded", "started", "nothing-to-do"]);

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

// ---------------------------------------------------------------- arguments

/** Options that only one action reads: given with another, they are a mistake (nothing would use them). */
const OPTION_ACTIONS: Record<string, readonly CliAction[]> = {
  activity: ["rollback"],
  "data-source": ["full-sync"],
  "keep-full-mode": ["full-sync"],
  wait: ["full-sync"],
  role: ["patch-role-policy"],
  "policy-name": ["patch-role-policy"],
  files: ["reupload-files"],
  s3: ["reupload-files"],
  bulk: ["full-sync", "patch-role-policy"],
  "per-account": ["full-sync", "patch-role-policy"],
  overall: ["full-sync", "patch-role-policy"],
};

/**
 * Everything about the arguments that can be checked without AWS or the
 * database, checked before either is touched: bad arguments create no
 * database file and store no audit.
 */
function checkArguments(action: CliAction, args: Args): void {
  for (const [option, actions] of Object.entries(OPTION_ACTIONS)) {
    if (args[option as keyof Args] !== undefined && !actions.includes(action)) {
      throw new UsageError(`--${option} does not apply to ${action} (only to ${actions.join(", ")}).`);
    }
  }
  const selectors = ["application", "data-source", "role", "all"].filter((name) => args[name as keyof Args] !== undefined);
  if (selectors.length > 1) throw new UsageError(`Give one selector, not ${selectors.map((name) => `--${name}`).join(" and ")}.`);
  if (args.bulk && (args["data-source"] !== undefined || args.role !== undefined)) throw new UsageError("--bulk takes --all or --application.");
  if (!args.bulk && (args["per-account"] !== undefined || args.overall !== undefined)) throw new UsageError("--per-account and --overall go with --bulk.");
  for (const [name, max] of [
    ["per-account", 20],
    ["overall", 100],
  ] as const) {
    const value = args[name];
    if (value !== undefined && !(/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= max)) {
      throw new UsageError(`--${name} must be a whole number from 1 to ${max}, not "${value}".`);
    }
  }
  if (action === "rollback" && (!args.activity || !/^[1-9]\d*$/.test(args.activity))) throw new UsageError("rollback needs --activity <id>.");
  if (action === "full-sync" && selectors.length === 0) throw new UsageError("full-sync needs --data-source, --application or --all.");
  if (action === "patch-role-policy" && selectors.length === 0) throw new UsageError("patch-role-policy needs --role, --application or --all.");
  if (action === "reupload-files") {
    if (selectors.length === 0) throw new UsageError("reupload-files needs --application or --all.");
    fileSource(args);
    if (args.files) {
      let isFolder = false;
      try {
        isFolder = fs.statSync(args.files).isDirectory();
      } catch {
        throw new UsageError(`--files ${args.files}: no such folder.`);
      }
      if (!isFolder) throw new UsageError(`--files ${args.files} is not a folder.`);
    }
    if (args.s3 && !/^s3:\/\/[^/]+/.test(args.s3)) throw new UsageError(`--s3 ${args.s3}: not an S3 URI (expected s3://bucket/prefix).`);
  }
  if (args.targets && !fs.existsSync(args.targets)) throw new UsageError(`--targets ${args.targets}: no such file.`);
  if (args.fixture && !fs.existsSync(args.fixture)) throw new UsageError(`--fixture ${args.fixture}: no such file.`);
}

// ---------------------------------------------------------------- main

/** What the command will plan and apply: one job per resource its selector names (an audit first when none is at hand). */
async function jobsFor(
  action: Exclude<CliAction, "resume">,
  run: { ctx: FixContext; args: Args; db: Db; actor: string; targets?: TargetSpec[]; endpoint?: string },
): Promise<Job[]> {
  const { ctx, args, db, actor, targets, endpoint } = run;
  if (action === "rollback") {
    const id = Number(args.activity);
    if (!args.activity || !Number.isInteger(id) || id < 1) throw new UsageError("rollback needs --activity <id>.");
    return [
      {
        label: `rollback of activity #${id}`,
        plan: () => planRollback(ctx, id),
        apply: (plan) => applyRollback(ctx, plan as never, { actor, confirmPlanHash: plan.planHash }),
      },
    ];
  } else {
    // A fixture's fleet is new in this process: audit it first; otherwise audit only when there is no audit yet.
    let audited = args.fixture ? undefined : await readAudit(db);
    if (!audited) {
      process.stderr.write("Auditing first, to find what to fix...\n");
      await runAudit({ targets, endpoint, db });
      audited = await readAudit(db);
    }
    if (!audited) throw new AuditSetupError("No audit could be made.");
    if (action === "full-sync") {
      const wait = !!args.wait;
      return fullSyncJobs(ctx, args, audited).map((ref) => ({
        label: `full sync of ${ref.dataSourceId}`,
        plan: () => planFullSync(ctx, ref),
        apply: (plan) =>
          applyFullSync(ctx, plan as never, {
            actor,
            confirmPlanHash: plan.planHash,
            wait,
            waitForRunning: wait,
            restoreMode: !args["keep-full-mode"],
            // The CLI exits after the command: a later `resume` (or the dashboard server) follows the job.
            followInBackground: false,
          }),
      }));
    } else if (action === "patch-role-policy") {
      return roleJobs(args, audited).map((ref) => ({
        label: `role ${ref.roleArn}`,
        plan: () => planRolePolicyPatch(ctx, ref),
        apply: (plan) => applyRolePolicyPatch(ctx, plan as never, { actor, confirmPlanHash: plan.planHash }),
      }));
    } else {
      const files = fileSource(args);
      return reuploadJobs(args, audited).map((ref) => ({
        label: `uploaded files of index ${ref.indexId}`,
        plan: () => planReupload(ctx, { ...ref, files }),
        apply: (plan) => applyReupload(ctx, plan as never, { actor, confirmPlanHash: plan.planHash, files }),
      }));
    }
  }
}

/** Plan each job, print it, and apply it when asked to and confirmed. True when every job ended done. */
async function runJobs(jobs: Job[], args: Args): Promise<boolean> {
  let allDone = true;
  for (const job of jobs) {
    const plan = await job.plan();
    printPlan(plan);
    if (plan.status !== "ready") {
      if (plan.status !== "nothing-to-do") allDone = false;
      continue;
    }
    if (args.plan) continue;
    if (!args.yes && !(await confirm(`Apply this plan (${job.label})? [y/N] `))) {
      out("-> not applied.");
      allDone = false;
      continue;
    }
    const result = await job.apply(plan);
    printResult(result);
    if (result.outcome === "stale-plan") printPlan(result.plan);
    if (result.outcome === "started") out("   The sync is tracked: `npm run fix -- resume` (or the dashboard server) follows it and restores the mode.");
    if (!SUCCESS.has(result.outcome)) allDone = false;
  }
  return allDone;
}

async function main(argv: string[]): Promise<number> {
  const { values: args, positionals } = parse(argv);
  if (args.help) {
    out(USAGE);
    return 0;
  }
  const action = positionals[0] as CliAction | undefined;
  if (!action || !ACTIONS.includes(action)) throw new UsageError(`Name the action: one of ${ACTIONS.join(", ")}.`);
  if (positionals.length > 1) throw new UsageError(`Unexpected argument: ${positionals[1]}`);
  checkArguments(action, args);
  // The files named are read (and refused, with the JSON path of the problem) before the database is opened.
  const fixture = args.fixture ? loadFixtureFile(args.fixture) : undefined;
  const targetsFile = args.targets ?? process.env.QBR_TARGETS_FILE;
  let targets: TargetSpec[] | undefined = targetsFile ? loadTargetsFile(targetsFile) : undefined;

  const url = args["database-url"];
  if (url !== undefined && !isPostgresUrl(url)) throw new UsageError("--database-url must be a postgres:// or postgresql:// URL");
  if (url !== undefined && args.db !== undefined) throw new UsageError("--db and --database-url name two databases: give one");
  const dbPath = resolveDbPath(url ?? args.db);
  const db = await openDatabase(dbPath);
  let localAws: LocalAws | undefined;
  let ctx: FixContext | undefined;
  try {
    // A standalone local AWS: an explicit endpoint also makes S3 path-style, as it must be there.
    const endpoint = args.fixture ? undefined : process.env.AWS_ENDPOINT_URL;
    if (fixture) {
      localAws = await startLocalAws({ fixture });
      targets ??= targetsForFixture(localAws.fleet);
      process.stderr.write(
        "Note: --fixture runs an in-process local AWS: the fixes below vanish when this command exits. Use a standalone one (npm run local-aws, AWS_ENDPOINT_URL) for fixes that stay.\n",
      );
    }
    ctx = createFixContext({ db, localAws, targets, endpoint, fixRoleName: args["fix-role-name"] ?? process.env.QBR_FIX_ROLE_NAME });
    const actor = `cli:${process.env.USER ?? os.userInfo().username}`;

    if (action === "resume") {
      // Bulk batches a stopped process was running resume alongside the syncs they wait for (ADR 0015).
      const [results, batches] = await Promise.all([resumeTrackedSyncs(ctx), resumeBulkBatches(ctx)]);
      for (const id of batches) out(`bulk batch #${id}: resumed to its end (npm run fix -- or /fix/bulk/${id} for its results).`);
      if (results.length === 0) out("No tracked sync left to follow.");
      for (const r of results)
        out(`sync ${r.tracked.executionId || "(never started)"}: ${r.jobStatus}; ${[...r.done, ...r.notDone.map((n) => `NOT done: ${n}`)].join("; ")}`);
      return results.every((r) => r.ok) ? 0 : 1;
    }

    if (args.bulk && (action === "full-sync" || action === "patch-role-policy")) {
      // One batch, capped per account (ADR 0015); a fixture's fleet, or a database without an audit, is audited first.
      if (args.fixture || (await latestAuditId(db)) === undefined) {
        process.stderr.write("Auditing first, to find what to fix...\n");
        await runAudit({ targets, endpoint: localAws?.endpoint ?? endpoint, db });
      }
      const code = await bulkFromCli(
        ctx,
        {
          action,
          actor,
          application: args.application,
          perAccount: args["per-account"],
          overall: args.overall,
          yes: !!args.yes,
          restoreMode: !args["keep-full-mode"],
        },
        out,
      );
      await settleFixNotifications();
      return code;
    }

    const jobs = await jobsFor(action, { ctx, args, db, actor, targets, endpoint: localAws?.endpoint ?? endpoint });
    if (jobs.length === 0) {
      out(`Nothing to fix with ${action} for this selector (no open finding it fixes).`);
      return 0;
    }

    const allDone = await runJobs(jobs, args);
    await settleFixNotifications(); // QBR_NOTIFY_*: what the fixes did, delivered before the CLI exits
    return allDone ? 0 : 1;
  } finally {
    await ctx?.close();
    await db.close();
    await localAws?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) process.stderr.write(`fix: ${message}\n${USAGE}\n`);
    else if (error instanceof FixtureError || error instanceof AuditSetupError) process.stderr.write(`fix: ${message}\n`);
    else process.stderr.write(`fix: could not run: ${message}\n`);
    process.exitCode = 2;
  },
);
