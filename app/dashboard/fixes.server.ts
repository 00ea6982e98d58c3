/**
 * Glue between the fix pages and the fix actions (app/fixes/): the one fix
 * context the server uses, the parsing of what a page is about from its URL,
 * and the few reads of the latest audit the pages need (which fix a finding
 * calls for, which data sources of an application fail). The actions
 * themselves (plans, applies, locks, the activity log) are app/fixes/.
 */
import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler as createMemoryUploadHandler,
  unstable_parseMultipartFormData as parseMultipartFormData,
  type UploadHandler,
} from "@remix-run/node";
import { z } from "zod";
import { latestAuditId } from "~/audit/history";
import { loadTargetsFile, type TargetSpec } from "~/audit/targets";
import { getConfig } from "~/config.server";
import type { SignedInUser } from "~/auth/user.server";
import { bulkFullSyncPath, fullSyncPath, reuploadPath, rolePatchPath } from "~/components/fix-links";
import { latestDisplayName } from "~/db/audit-applications";
import type { Db } from "~/db/database";
import { failingFullSyncPairs, findingById, findingsOfApplication } from "~/db/findings";
import { auditStamp } from "~/db/audits";
import { reauditsOfActivities } from "~/db/reaudits";
import type { LocalAws } from "~/local-aws/index";
import { getActivity, listActivity } from "~/fixes/activity-log";
import { applyRollback, planRollback } from "~/fixes/rollback";
import { createFixContext } from "~/fixes/context";
import { listTrackedSyncs, resumeTrackedSyncs, startTrackedSyncSweeper } from "~/fixes/tracked-syncs";
import { resumeBulkBatches } from "~/fixes/bulk";
import { bulkItemOfActivity } from "~/db/bulk-batches";
import { applyFullSync, applyFullSyncBulk, planFullSync } from "~/fixes/full-sync";
import { applyRolePolicyPatch, planRolePolicyPatch } from "~/fixes/patch-role-policy";
import { applyReupload, MAX_DOCUMENT_BYTES, planReupload } from "~/fixes/reupload-files";
import type {
  ActivityFilter,
  ApplicationRef,
  DataSourceRef,
  PlanBase,
  FixAction,
  FileSource,
  FixContext,
  RoleRef,
  RollbackPlan,
  TrackedSync,
  UploadedDocumentsRef,
} from "~/fixes/types";
import { ACTIVITY_STATUSES, FIX_ACTIONS } from "~/fixes/types";
import type { FindingStatus } from "~/audit/types";
import { singleton } from "~/util/singleton.server";
import { checkMetadata, checkTitle } from "./catalogue.server";
import { dashboardDb } from "./db.server";
import { applicationPath } from "./words";
import { consoleLinks, type ConsoleResource } from "./console-links";
import { deriveFixState, sameResource, type FixPageState, type ResourceFinding } from "./fix-state";
import type { ManualFixView, ResourceFixView } from "~/components/fix-links";
import type { FindingRow as StoredFindingRow } from "~/db/schema";
import { runtimeNow } from "~/runtime.server";
import { plural } from "~/util/plural";
import { latestApplicationNames } from "./activity-names.server";
import { activityMentions } from "./activity-words";

/** What the fixes act on: the embedded local AWS (demo), or these targets (else QBR_TARGETS_FILE, else the default credentials). */
export interface DashboardFixSetup {
  localAws?: LocalAws;
  targets?: TargetSpec[];
  /** Wait between polls (tests advance the local AWS clock instead). */
  sleep?: (ms: number) => Promise<void>;
}

interface FixState {
  setup: DashboardFixSetup;
  db?: Db;
  context?: FixContext;
}

function holder(): { state: FixState } {
  return singleton("fix-context", () => ({ state: { setup: {} } as FixState }));
}

/** Sets what the fixes act on (serve.ts at start, tests); the next fix builds its context from it. */
export function configureDashboardFixes(setup: DashboardFixSetup): void {
  const held = holder();
  void held.state.context?.close();
  held.state = { setup };
}

/**
 * The fix context of the dashboard: its database, and the accounts reached as
 * the dashboard's scans reach them. One per process, on globalThis: serve.ts
 * and the Remix build each carry a copy of this module (see runtime.server.ts).
 */
export async function dashboardFixContext(): Promise<FixContext> {
  const db = await dashboardDb();
  const { state } = holder();
  if (!state.context || state.db !== db) {
    const targetsFile = process.env.QBR_TARGETS_FILE;
    const targets = state.setup.targets ?? (targetsFile && !state.setup.localAws ? loadTargetsFile(targetsFile) : undefined);
    state.db = db;
    // QBR_ORGANIZATION: fixes reach each account as the scans do (discovered targets, their fix role).
    const { organization, fixRoleName } = getConfig();
    state.context = createFixContext({
      db,
      localAws: state.setup.localAws,
      targets: organization && !state.setup.targets ? undefined : targets,
      organization: state.setup.targets ? undefined : organization,
      sleep: state.setup.sleep,
      fixRoleName,
      // The product's one clock (ADR 0008), the one scans are dated by (serve.ts makes it the embedded local AWS's).
      now: state.setup.localAws ? () => state.setup.localAws!.clock.now() : runtimeNow,
    });
    return state.context;
  }
  return state.context;
}

/**
 * Configures the fixes and, in the background, picks up following the syncs
 * a previous server started (and putting their modes back). serve.ts calls it
 * once at start; a failure is logged, not fatal: the dashboard still serves.
 */
export function startDashboardFixes(setup: DashboardFixSetup): Promise<void> {
  configureDashboardFixes(setup);
  // Replicas: take over the syncs a crashed replica was following once its lease runs out (one sweeper per process).
  const sweeper = singleton("tracked-sync-sweeper", (): { stop?: () => void } => ({}));
  sweeper.stop ??= startTrackedSyncSweeper(dashboardFixContext);
  // Bulk batches a stopped server was running resume here (ADR 0015), alongside the syncs they wait for.
  void dashboardFixContext()
    .then(resumeBulkBatches)
    .then(
      (resumed) => {
        if (resumed.length > 0) console.log(`Resumed ${plural(resumed.length, "bulk fix batch", "bulk fix batches")}.`);
      },
      (error: unknown) => console.error("Could not resume the bulk fix batches:", error),
    );
  return dashboardFixContext()
    .then(resumeTrackedSyncs)
    .then(
      (resumed) => {
        if (resumed.length > 0) console.log(`Resumed ${plural(resumed.length, "tracked full sync")}.`);
      },
      (error: unknown) => console.error("Could not resume the tracked full syncs:", error),
    );
}

/** How the activity log names a dashboard user. */
export function actorOf(user: SignedInUser): string {
  return `user:${user.username}`;
}

// ------------------------------------------------------------------ what a page is about

const id = z.string().trim().min(1);
const applicationRefSchema = z.object({ accountId: id, region: id, applicationId: id });
const dataSourceRefSchema = applicationRefSchema.extend({ indexId: id, dataSourceId: id });
const uploadedDocumentsRefSchema = applicationRefSchema.extend({ indexId: id });
const roleRefSchema = z.object({ accountId: id, roleArn: id });

function parseRef<T>(schema: z.ZodType<T>, params: URLSearchParams, what: string): T {
  const parsed = schema.safeParse(Object.fromEntries(params));
  if (!parsed.success) {
    const missing = parsed.error.issues.map((issue) => issue.path.join(".")).join(", ");
    throw new Response(`This page needs ${what} in its address (missing or empty: ${missing}). Open it from a finding.`, { status: 400 });
  }
  return parsed.data;
}

/** The data source of /fix/full-sync?accountId&region&applicationId&indexId&dataSourceId. */
export function dataSourceRefFrom(params: URLSearchParams): DataSourceRef {
  return parseRef(dataSourceRefSchema, params, "the data source (accountId, region, applicationId, indexId, dataSourceId)");
}

/** The application of /fix/full-sync?accountId&region&applicationId (bulk, no dataSourceId). */
export function applicationRefFrom(params: URLSearchParams): ApplicationRef {
  return parseRef(applicationRefSchema, params, "the application (accountId, region, applicationId)");
}

export function roleRefFrom(params: URLSearchParams): RoleRef {
  return parseRef(roleRefSchema, params, "the role (accountId, roleArn)");
}

export function uploadedDocumentsRefFrom(params: URLSearchParams): UploadedDocumentsRef {
  return parseRef(uploadedDocumentsRefSchema, params, "the index (accountId, region, applicationId, indexId)");
}

// ------------------------------------------------------------------ the latest audit

interface FindingTargetRow {
  status: string;
  remediation: FixAction | null;
  accountId: string;
  region: string;
  applicationId: string | null;
  indexId: string | null;
  dataSourceId: string | null;
  roleArn: string | null;
}

/**
 * The fix page for a finding of the latest audit; for a finding no action
 * fixes, its manual steps; or a 404 Response saying why there is none
 * (unknown finding, not enough of a resource).
 */
export async function fixPathOfFinding(db: Db, findingId: number): Promise<string> {
  const found = await findingById(db, findingId);
  const row: FindingTargetRow | undefined = found && {
    status: found.status,
    remediation: found.remediation_action as FixAction | null,
    accountId: found.account_id,
    region: found.region,
    applicationId: found.application_id,
    indexId: found.index_id,
    dataSourceId: found.data_source_id,
    roleArn: found.role_arn,
  };
  if (!row)
    throw new Response(`There is no finding ${findingId}: a newer audit may have replaced it. Open the fix from the findings page again.`, { status: 404 });
  const { accountId, region, applicationId, indexId, dataSourceId, roleArn } = row;
  switch (row.remediation) {
    case "full-sync":
      if (applicationId && indexId && dataSourceId) return fullSyncPath({ accountId, region, applicationId, indexId, dataSourceId });
      if (applicationId) return bulkFullSyncPath({ accountId, region, applicationId });
      break;
    case "patch-role-policy":
      if (roleArn) return rolePatchPath({ accountId, roleArn });
      break;
    case "reupload-files":
      if (applicationId && indexId) return reuploadPath({ accountId, region, applicationId, indexId });
      break;
    default:
      // No dead end: a finding no action fixes goes to its manual steps and console links (its application's page, else its check).
      return applicationId ? `${applicationPath({ accountId, region, applicationId })}#finding-${findingId}` : `/checks#${encodeURIComponent(found!.check_id)}`;
  }
  throw new Response(`The finding does not name the resource its fix (${row.remediation}) needs.`, { status: 404 });
}

/**
 * The S3 data sources of an application that fail a full-sync check in the
 * latest audit (what the bulk full sync covers), each once.
 */
export async function failingFullSyncSources(db: Db, app: ApplicationRef): Promise<DataSourceRef[]> {
  const auditId = await latestAuditId(db);
  if (auditId === undefined) return [];
  const rows = await failingFullSyncPairs(db, auditId, app);
  return rows.map((r) => ({ ...app, ...r }));
}

/**
 * The data sources the bulk full-sync page shows: those failing now, and
 * those a full sync of this application ran on (so its result stays on the
 * page after a refresh, when they no longer fail).
 */
export async function bulkFullSyncSources(db: Db, app: ApplicationRef): Promise<DataSourceRef[]> {
  const failing = await failingFullSyncSources(db, app);
  const ran = (await listActivity(db, { action: "full-sync", accountId: app.accountId, applicationId: app.applicationId }))
    .flatMap((e) => e.resources)
    .filter((r) => r.type === "data-source" && r.region === app.region && r.indexId && r.dataSourceId)
    .map((r) => ({ ...app, indexId: r.indexId!, dataSourceId: r.dataSourceId! }));
  const key = (d: DataSourceRef) => `${d.indexId}/${d.dataSourceId}`;
  return [...new Map([...failing, ...ran].map((d) => [key(d), d])).values()];
}

/** The application's display name in the latest audit, for headings. */
export async function applicationName(db: Db, app: ApplicationRef): Promise<string | null> {
  return (await latestDisplayName(db, app)) ?? null;
}

// ------------------------------------------------------------------ the application page's fixes

/** The fix page of a stored finding's action on its resource; null when the finding does not name enough of it. */
function fixPathOfRow(row: StoredFindingRow, action: FixableAction): string | null {
  const { account_id: accountId, region, application_id: applicationId, index_id: indexId, data_source_id: dataSourceId, role_arn: roleArn } = row;
  if (action === "full-sync")
    return applicationId && indexId && dataSourceId ? fullSyncPath({ accountId, region, applicationId, indexId, dataSourceId }) : null;
  if (action === "patch-role-policy") return roleArn ? rolePatchPath({ accountId, roleArn }) : null;
  return applicationId && indexId ? reuploadPath({ accountId, region, applicationId, indexId }) : null;
}

/** What the console links of a stored finding need: its resource, and the policies its evidence names. */
function consoleResourceOf(row: StoredFindingRow): ConsoleResource {
  let evidence: Record<string, unknown> = {};
  try {
    evidence = JSON.parse(row.evidence) as Record<string, unknown>;
  } catch {
    // Evidence that does not parse names no policy: the role's own page still serves.
  }
  const deny = Array.isArray(evidence.denyStatements) ? (evidence.denyStatements as { policy?: unknown }[]) : [];
  const policyArns = [...new Set(deny.map((s) => s.policy).filter((p): p is string => typeof p === "string" && p.startsWith("arn:")))];
  const boundary = evidence.permissionsBoundaryArn;
  return {
    accountId: row.account_id,
    region: row.region,
    applicationId: row.application_id,
    indexId: row.index_id,
    dataSourceId: row.data_source_id,
    webExperienceId: row.web_experience_id,
    roleArn: row.role_arn,
    name: row.name,
    policyArns,
    permissionsBoundaryArn: typeof boundary === "string" ? boundary : null,
  };
}

/** The manual fix of a finding: its check's steps (only when no action is offered for it) and its resource's console pages. */
function manualFixOf(row: StoredFindingRow): ManualFixView | null {
  const manual = checkMetadata(row.check_id)?.manualFix;
  if (!manual) return null;
  const links = consoleLinks(manual.console, consoleResourceOf(row));
  return { steps: row.remediation_action ? [] : [...manual.steps], links };
}

/**
 * The application page's fixes from audit `auditId`: one action per resource
 * and action (two checks failing on one data source give one full sync), the
 * bulk full sync only when several data sources need one, and for every open
 * finding its manual steps and console links.
 */
export async function applicationFixes(db: Db, app: ApplicationRef, auditId: number) {
  const open = (await findingsOfApplication(db, auditId, app)).filter((row) => row.status !== "pass").sort((a, b) => a.id - b.id);
  const actions = new Map<string, ResourceFixView>();
  const manual: Record<number, ManualFixView> = {};
  for (const row of open) {
    const fix = manualFixOf(row);
    if (fix && (fix.steps.length > 0 || fix.links.length > 0)) manual[row.id] = fix;
    const action = row.remediation_action as FixableAction | null;
    const path = action && (row.status === "fail" || row.status === "warn") ? fixPathOfRow(row, action) : null;
    if (!action || !path) continue;
    const entry = actions.get(path) ?? { action, path, resource: row.name ?? row.resource_type, findings: [] };
    entry.findings.push({ id: row.id, checkTitle: checkTitle(row.check_id) });
    actions.set(path, entry);
  }
  const fullSyncs = [...actions.values()].filter((a) => a.action === "full-sync").length;
  return { actions: [...actions.values()], bulkPath: fullSyncs > 1 ? bulkFullSyncPath(app) : null, manual };
}

// ------------------------------------------------------------------ activity

const ACTIONS = FIX_ACTIONS;
const STATUSES = ACTIVITY_STATUSES;

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const activityFiltersSchema = z.object({
  actor: z.preprocess(blankToUndefined, z.string().trim().optional()),
  action: z.preprocess(blankToUndefined, z.enum(ACTIONS).optional().catch(undefined)),
  status: z.preprocess(blankToUndefined, z.enum(STATUSES).optional().catch(undefined)),
  resource: z.preprocess(blankToUndefined, z.string().trim().optional()),
});

export type ActivityFilters = z.infer<typeof activityFiltersSchema>;

/** The activity page's filters from its query string (unknown values are ignored, not errors). */
export function parseActivityFilters(params: URLSearchParams): ActivityFilters {
  return activityFiltersSchema.parse(Object.fromEntries(params));
}

/** At most this many entries are listed; the filters narrow it. */
export const ACTIVITY_PAGE_LIMIT = 200;

/** The activity page: entries newest first, filtered (the resource box also finds application names), and the actors to filter by. */
export async function getActivityPage(db: Db, filters: ActivityFilters) {
  const filter: ActivityFilter = { action: filters.action, actor: filters.actor, status: filters.status };
  let entries = await listActivity(db, filter);
  const applicationNames = await latestApplicationNames(db);
  if (filters.resource) entries = entries.filter((e) => activityMentions(e, filters.resource!, applicationNames));
  const actors = [...new Set((await listActivity(db, {})).map((e) => e.actor))].sort();
  return { entries: entries.slice(0, ACTIVITY_PAGE_LIMIT), matching: entries.length, actors, applicationNames };
}

/** The tracked syncs of an activity (its full syncs' progress). */
export function trackedSyncsOf(db: Db, activityId: number): Promise<TrackedSync[]> {
  return listTrackedSyncs(db, { activityId });
}

// ------------------------------------------------------------------ the page's one state

type FixableAction = Exclude<FixAction, "rollback">;

/** Whether a stored finding is about the resource a plan acts on. */
function findingIsAbout(
  row: { resource_type: string; index_id: string | null; data_source_id: string | null; role_arn: string | null },
  plan: PlanBase,
): boolean {
  const r = plan.resource;
  if (r.type === "role") return row.role_arn === r.roleArn;
  if (r.type === "uploaded-documents") return row.resource_type === "uploaded-documents" && row.index_id === r.indexId;
  return row.resource_type === "data-source" && row.index_id === r.indexId && row.data_source_id === r.dataSourceId;
}

/** The resource's findings in `auditId`, for the checks whose fix is this plan's action. */
async function resourceFindings(db: Db, auditId: number, plan: PlanBase): Promise<ResourceFinding[]> {
  const rows = (await Promise.all(plan.applications.map((app) => findingsOfApplication(db, auditId, app)))).flat();
  return rows
    .filter((row) => checkMetadata(row.check_id)?.remediation === plan.action && findingIsAbout(row, plan))
    .map((row) => ({ id: row.id, checkId: row.check_id, checkTitle: checkTitle(row.check_id), status: row.status as FindingStatus, message: row.message }));
}

/**
 * The fix page's one state for `plan` (fix-state.ts), from what is stored:
 * the activity entries of the resource, the syncs its newest entry tracks,
 * the re-audits after it, and the resource's findings in the latest audit.
 */
export async function fixStateOf(db: Db, plan: PlanBase & { action: FixableAction }): Promise<{ state: FixPageState; trackedSyncs: TrackedSync[] }> {
  const activity = (await listActivity(db, { accountId: plan.resource.accountId })).filter((e) => e.resources.some((r) => sameResource(r, plan.resource)));
  const newest = activity[0];
  const latest = await latestAuditId(db);
  const trackedSyncs = newest ? await listTrackedSyncs(db, { activityId: newest.id }) : [];
  let auditedAfterRun = false;
  if (newest && latest !== undefined) {
    const reaudits = await reauditsOfActivities(db, [newest.id]);
    const lastEventAt = Date.parse(newest.events[newest.events.length - 1]?.at ?? newest.startedAt);
    // Its own re-audit is the proof; without one (it failed), a scan recorded after the run's last event.
    auditedAfterRun = reaudits.some((r) => r.auditId <= latest) || Date.parse((await auditStamp(db, latest))?.scannedAt ?? "") > lastEventAt;
  }
  const findings = latest === undefined ? [] : await resourceFindings(db, latest, plan);
  const state = deriveFixState({ action: plan.action, plan, activity, trackedSyncs, findings, auditedAfterRun });
  return { state, trackedSyncs };
}

// ------------------------------------------------------------------ pages

/** An AWS or setup error while planning, as a Response an admin can act on (the route's ErrorBoundary shows it). */
async function planned<T>(what: string, plan: () => Promise<T>): Promise<T> {
  try {
    return await plan();
  } catch (error) {
    if (error instanceof Response) throw error;
    const e = error as { name?: string; message?: string };
    const status = e.name === "ResourceNotFoundException" || e.name === "NoSuchEntityException" || e.name === "NoSuchEntity" ? 404 : 502;
    throw new Response(`Could not plan ${what}: ${e.name ? `${e.name}: ` : ""}${e.message ?? String(error)}`, { status });
  }
}

/** The full-sync page: one data source's plan, or (no dataSourceId) every failing S3 data source of an application. */
export async function getFullSyncPage(params: URLSearchParams, user: SignedInUser) {
  const ctx = await dashboardFixContext();
  const canApply = user.role === "operator";
  if (params.has("dataSourceId")) {
    const ref = dataSourceRefFrom(params);
    const plan = await planned("the full sync", () => planFullSync(ctx, ref));
    const states = [await fixStateOf(ctx.db, plan)];
    return { kind: "single" as const, canApply, applicationName: await applicationName(ctx.db, ref), application: ref, plan, plans: [plan], states };
  }
  const app = applicationRefFrom(params);
  const refs = await bulkFullSyncSources(ctx.db, app);
  const plans = await planned("the full syncs", () => Promise.all(refs.map((ref) => planFullSync(ctx, ref))));
  const states = await Promise.all(plans.map((plan) => fixStateOf(ctx.db, plan)));
  return { kind: "bulk" as const, canApply, applicationName: await applicationName(ctx.db, app), application: app, plan: null, plans, states };
}

const hash = z.string().trim().min(1, "the plan's hash is missing: reload the page and confirm the plan shown");

const fullSyncApplySchema = z.object({
  intent: z.literal("apply"),
  planHash: hash,
  restoreMode: z.literal("on").optional(),
});

/** "indexId/dataSourceId" and the hash of its plan as shown, in the same order. */
const bulkApplySchema = z
  .object({
    intent: z.literal("apply"),
    dataSources: z.array(z.string().regex(/^[^/]+\/[^/]+$/)).min(1, "no data source was confirmed"),
    planHashes: z.array(hash),
    restoreMode: z.literal("on").optional(),
  })
  .refine((form) => form.dataSources.length === form.planHashes.length, "each data source needs the hash of its plan");

/** Form fields as zod sees them: repeated names as arrays. */
function formObject(form: FormData, repeated: string[] = []): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    object[key] = repeated.includes(key) ? form.getAll(key) : form.get(key);
  }
  for (const key of repeated) object[key] ??= [];
  return object;
}

function parseForm<T>(schema: z.ZodType<T>, object: Record<string, unknown>): T {
  const parsed = schema.safeParse(object);
  if (!parsed.success) {
    throw new Response(`The form could not be read: ${parsed.error.issues.map((i) => `${i.path.join(".") || "form"}: ${i.message}`).join("; ")}`, {
      status: 400,
    });
  }
  return parsed.data;
}

/**
 * Applies the full sync(s) the operator confirmed. Syncs are started and
 * followed in the background (their progress is on the activity entry);
 * a stale plan comes back as outcome stale-plan with nothing changed.
 */
export async function applyFullSyncFromForm(params: URLSearchParams, form: FormData, user: SignedInUser) {
  const ctx = await dashboardFixContext();
  const actor = actorOf(user);
  if (params.has("dataSourceId")) {
    const ref = dataSourceRefFrom(params);
    const fields = parseForm(fullSyncApplySchema, formObject(form));
    const result = await applyFullSync(ctx, ref, { actor, confirmPlanHash: fields.planHash, wait: false, restoreMode: fields.restoreMode === "on" });
    return { results: [result] };
  }
  const app = applicationRefFrom(params);
  const fields = parseForm(bulkApplySchema, formObject(form, ["dataSources", "planHashes"]));
  const items = fields.dataSources.map((key, i) => {
    const [indexId, dataSourceId] = key.split("/");
    return { dataSource: { ...app, indexId, dataSourceId }, confirmPlanHash: fields.planHashes[i] };
  });
  const results = await applyFullSyncBulk(ctx, items, { actor, wait: false, restoreMode: fields.restoreMode === "on" });
  return { results };
}

/** An activity entry, its tracked syncs, and for a role patch not yet rolled back the rollback plan. */
export async function getActivityEntryPage(id: number, user: SignedInUser) {
  const ctx = await dashboardFixContext();
  const entry = await getActivity(ctx.db, id);
  if (!entry) throw new Response(`There is no activity #${id}.`, { status: 404 });
  const rollbackable = entry.action === "patch-role-policy" && entry.status === "succeeded" && entry.rolledBackBy === undefined;
  let rollback: RollbackPlan | null = null;
  let rollbackProblem: string | null = null;
  if (rollbackable) {
    try {
      rollback = await planRollback(ctx, id);
    } catch (error) {
      rollbackProblem = `The rollback cannot be planned: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  // The bulk batch this entry was applied in (ADR 0015), if any.
  const bulkBatchId = (await bulkItemOfActivity(ctx.db, id))?.batchId ?? null;
  return {
    entry,
    trackedSyncs: await listTrackedSyncs(ctx.db, { activityId: id }),
    rollback,
    rollbackProblem,
    canApply: user.role === "operator",
    bulkBatchId,
  };
}

const rollbackSchema = z.object({ intent: z.literal("rollback"), planHash: hash });

/** Rolls back the role patch of activity `id`, confirmed by the hash of the rollback plan shown. */
export async function applyRollbackFromForm(id: number, form: FormData, user: SignedInUser) {
  const fields = parseForm(rollbackSchema, formObject(form));
  return applyRollback(await dashboardFixContext(), id, { actor: actorOf(user), confirmPlanHash: fields.planHash });
}

/** The role-patch page: the exact change to the role's inline policy, or why it is refused. */
export async function getRolePatchPage(params: URLSearchParams, user: SignedInUser) {
  const ref = roleRefFrom(params);
  const ctx = await dashboardFixContext();
  const plan = await planned("the role policy patch", () => planRolePolicyPatch(ctx, ref));
  return { canApply: user.role === "operator", plan, ...(await fixStateOf(ctx.db, plan)) };
}

const confirmSchema = z.object({ intent: z.literal("apply"), planHash: hash });

/** Applies the role patch the operator confirmed (verified with SimulatePrincipalPolicy, then re-audited). */
export async function applyRolePatchFromForm(params: URLSearchParams, form: FormData, user: SignedInUser) {
  const ref = roleRefFrom(params);
  const fields = parseForm(confirmSchema, formObject(form));
  return { result: await applyRolePolicyPatch(await dashboardFixContext(), ref, { actor: actorOf(user), confirmPlanHash: fields.planHash }) };
}

/** No files yet: the plan of what is stale (every stale document "missing" its file). */
const NO_FILES: FileSource = { kind: "buffers", files: [] };

/** The re-upload page: the index's stale uploaded documents by name and date. */
export async function getReuploadPage(params: URLSearchParams, user: SignedInUser) {
  const ref = uploadedDocumentsRefFrom(params);
  const ctx = await dashboardFixContext();
  const plan = await planned("the re-upload", () => planReupload(ctx, { ...ref, files: NO_FILES }));
  // Planned without files, a re-upload is "refused" (nothing to send yet): the files are chosen on the page, so stale documents make it ready.
  const stale = plan.details.staleDocuments.length;
  const asOffered =
    plan.status === "refused" && stale > 0 && plan.details.matched.length === 0
      ? { ...plan, status: "ready" as const, summary: `${stale} stale document${stale === 1 ? "" : "s"} to upload again: choose their files below.` }
      : plan;
  return {
    canApply: user.role === "operator",
    applicationName: await applicationName(ctx.db, ref),
    index: ref,
    plan,
    ...(await fixStateOf(ctx.db, asOffered)),
  };
}

/** Files one re-upload post may carry beyond one per stale document (a few unmatched ones are reported, not refused). */
export const EXTRA_UPLOAD_FILES = 5;
/** The form's own fields (CSRF token, intent, plan hash) are short; anything bigger or more numerous is not this form. */
const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 20;

/** The most one re-upload post may carry: files (each at most 50 MB) and bytes in all. */
export interface ReuploadUploadLimits {
  maxFiles: number;
  maxBytes: number;
}

/** Thrown while reading an upload that goes over its limits; the message is for the operator. */
class UploadRefused extends Error {}

/** The limits of one re-upload post for the index in the URL: its stale documents' count + 5 files. */
export async function reuploadUploadLimits(params: URLSearchParams): Promise<ReuploadUploadLimits> {
  const ref = uploadedDocumentsRefFrom(params);
  const ctx = await dashboardFixContext();
  const plan = await planned("the re-upload", () => planReupload(ctx, { ...ref, files: NO_FILES }));
  const maxFiles = plan.details.staleDocuments.length + EXTRA_UPLOAD_FILES;
  return { maxFiles, maxBytes: maxFiles * MAX_DOCUMENT_BYTES + MAX_FIELDS * MAX_FIELD_BYTES };
}

function tooManyFiles(limits: ReuploadUploadLimits): string {
  return `Too many files: at most ${limits.maxFiles} can be sent at once (one per stale document, plus ${EXTRA_UPLOAD_FILES}). Nothing was sent: choose only the files of the stale documents.`;
}

/**
 * Reads a re-upload post (multipart) into memory within `limits`, or says why
 * it was refused. A Content-Length over the limit is refused before any of the
 * body is read; a body without one stops being read once it goes over.
 */
export async function readReuploadUpload(
  request: Request,
  limits: ReuploadUploadLimits,
): Promise<{ form: FormData; problem: null } | { form: null; problem: string }> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limits.maxBytes) {
    return {
      form: null,
      problem: `The upload is ${Math.ceil(declared / 1024 / 1024)} MB, more than the ${Math.floor(limits.maxBytes / 1024 / 1024)} MB one post may carry here (${limits.maxFiles} files of at most 50 MB). Nothing was sent: choose fewer files.`,
    };
  }
  // Files stay in memory for this request only; the 50 MB per-file limit is Amazon Q Business's per document.
  const files = createMemoryUploadHandler({ maxPartSize: MAX_DOCUMENT_BYTES });
  const fields = createMemoryUploadHandler({ maxPartSize: MAX_FIELD_BYTES });
  let fileCount = 0;
  let fieldCount = 0;
  const handler: UploadHandler = async (part) => {
    if (typeof part.filename === "string") {
      if (++fileCount > limits.maxFiles) throw new UploadRefused(tooManyFiles(limits));
      return files(part);
    }
    if (++fieldCount > MAX_FIELDS) throw new UploadRefused("The upload has more form fields than the re-upload form sends; it was not read.");
    try {
      return await fields(part);
    } catch (error) {
      if (error instanceof MaxPartSizeExceededError)
        throw new UploadRefused(`The form field "${part.name}" is larger than the re-upload form sends; it was not read.`);
      throw error;
    }
  };
  try {
    return { form: await parseMultipartFormData(request, handler), problem: null };
  } catch (error) {
    if (error instanceof UploadRefused) return { form: null, problem: error.message };
    if (error instanceof MaxPartSizeExceededError) {
      return {
        form: null,
        problem: "A file is larger than 50 MB, the most Amazon Q Business accepts per document. Nothing was sent: remove it and choose the files again.",
      };
    }
    throw new Response("The upload could not be read; choose the files again.", { status: 400 });
  }
}

/** The files of a multipart form (field "files"), as the re-upload reads them; an empty file input sends none. */
async function uploadedFiles(form: FormData): Promise<FileSource> {
  const files: { name: string; data: Uint8Array }[] = [];
  for (const entry of form.getAll("files")) {
    if (typeof entry === "string" || !entry.name) continue;
    files.push({ name: entry.name, data: new Uint8Array(await entry.arrayBuffer()) });
  }
  return { kind: "buffers", files };
}

const reuploadSchema = z.discriminatedUnion("intent", [z.object({ intent: z.literal("check") }), z.object({ intent: z.literal("apply"), planHash: hash })]);

/**
 * intent=check: the plan with these files (matched, unmatched, missing), nothing sent.
 * intent=apply: upload them if the plan is still the one checked (else the new plan, nothing sent).
 */
export async function reuploadFromForm(params: URLSearchParams, form: FormData, user: SignedInUser) {
  const ref = uploadedDocumentsRefFrom(params);
  const ctx = await dashboardFixContext();
  const fields = parseForm(reuploadSchema, formObject(form));
  const files = await uploadedFiles(form);
  const checked = await planned("the re-upload", () => planReupload(ctx, { ...ref, files }));
  if (fields.intent === "check") return { checked, result: null };
  const result = await applyReupload(ctx, checked, { actor: actorOf(user), confirmPlanHash: fields.planHash, files });
  return { checked: result.plan, result };
}
