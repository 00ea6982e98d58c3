/**
 * Reads the inventory the checks need, through the unmodified AWS SDK:
 * applications, indices, data sources (with their sync jobs and a streamed
 * count of their documents), uploaded files, web experiences, and the IAM
 * roles those use, with how each role answers GetDocumentContent.
 *
 * Never writes. Every failure lands on the node it concerns (a target that
 * cannot be listed, a data source whose jobs cannot be read, ...): nothing is
 * dropped silently, and one bad target does not stop the audit.
 */
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  SimulatePrincipalPolicyCommand,
  type EvaluationResult,
  type Statement,
} from "@aws-sdk/client-iam";
import {
  GetApplicationCommand,
  GetDataSourceCommand,
  GetWebExperienceCommand,
  ListApplicationsCommand,
  ListDataSourcesCommand,
  ListDataSourceSyncJobsCommand,
  ListDocumentsCommand,
  ListIndicesCommand,
  ListWebExperiencesCommand,
  type DataSourceSyncJob,
} from "@aws-sdk/client-qbusiness";
import { AwsCallStats, awsErrorInfo, bucketOf, RatePacing, type AwsClients } from "../aws/clients";
import { UPLOADED_DOCS_DATA_SOURCE_ID, type PolicyDocument } from "../local-aws/fixture-types";
import {
  evaluateRequest,
  matchesActionPattern,
  matchesResourcePattern,
  statementsOf,
  type PolicySource,
} from "../policy/evaluate";

import type { PreparedTarget } from "./targets";
import {
  DEFAULT_CUTOFF,
  type ApplicationInventory,
  type AwsErrorInfo,
  type DataSourceInventory,
  type DocumentScan,
  type IndexInventory,
  type Inventory,
  type MatchedStatement,
  type ResourceDecision,
  type RoleAccessEvaluation,
  type RoleInventory,
  type SyncJobRecord,
  type TargetResult,
  type WebExperienceInventory,
} from "./types";

export const GET_DOCUMENT_CONTENT = "qbusiness:GetDocumentContent";
export const DEFAULT_DOCUMENT_CAP = 10_000;
// Requests waiting on a bucket's pace hold no slot, so slots only bound real requests in flight
// (and the memory they hold); the bench's large fleet ran ~6% faster at 64/16 than at 32/8.
export const DEFAULT_CONCURRENCY_PER_TARGET = 16;
export const DEFAULT_CONCURRENCY = 64;

export interface DataSourceKey {
  accountId: string;
  region: string;
  applicationId: string;
  indexId: string;
  dataSourceId: string;
}

export interface CollectProgress {
  targetsDone: number;
  targetsTotal: number;
  apiCalls: number;
  throttled: number;
}

export interface CollectOptions {
  /** Default 2025-07-03T00:00:00Z. */
  cutoff?: string | Date;
  /** Most documents read per data source (and per index's uploads); beyond it counts are "at least". Default 10,000. */
  documentCap?: number;
  /** Requests in flight per target (account × region). Default 16. */
  concurrencyPerTarget?: number;
  /** Requests in flight overall. Default 64. */
  concurrency?: number;
  /** The counter the targets' clients were built with (for inventory.stats and progress). */
  stats?: AwsCallStats;
  /** Sync jobs the product itself started in full mode (its activity log). */
  ownFullSyncExecutionIds?: (key: DataSourceKey) => string[] | Promise<string[]>;
  onProgress?: (progress: CollectProgress) => void;
  /** The audit's "now" (default: the real clock). */
  now?: () => Date;
}

const DENIED_CODES = new Set(["AccessDenied", "AccessDeniedException"]);

const iso = (d: Date | undefined): string | undefined => (d ? d.toISOString() : undefined);

/** IAM returns policy documents URL-encoded (RFC 3986); the SDK does not decode them. */
export function decodePolicyDocument(doc: string): PolicyDocument {
  return JSON.parse(decodeURIComponent(doc)) as PolicyDocument;
}

function metric(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function syncJobRecord(job: DataSourceSyncJob): SyncJobRecord {
  const m = job.metrics;
  return {
    executionId: job.executionId ?? "",
    startTime: iso(job.startTime),
    endTime: iso(job.endTime),
    status: job.status,
    ...(job.error ? { error: { errorMessage: job.error.errorMessage, errorCode: job.error.errorCode } } : {}),
    ...(job.dataSourceErrorCode ? { dataSourceErrorCode: job.dataSourceErrorCode } : {}),
    ...(m
      ? {
          metrics: {
            documentsAdded: metric(m.documentsAdded),
            documentsModified: metric(m.documentsModified),
            documentsDeleted: metric(m.documentsDeleted),
            documentsFailed: metric(m.documentsFailed),
            documentsScanned: metric(m.documentsScanned),
          },
        }
      : {}),
  };
}

function roleNameOf(roleArn: string): string {
  const resource = roleArn.split(":").slice(5).join(":"); // role/path/name
  return resource.split("/").pop() ?? resource;
}

function accountOfArn(arn: string): string {
  return arn.split(":")[4] ?? "";
}

function emptyScan(): DocumentScan {
  return { scanned: 0, capped: false, staleCount: 0, staleExamples: [], freshCount: 0, failedCount: 0 };
}

/**
 * The operations that make up the bulk of an audit's requests (a few per data
 * source, a page per hundred documents) and lead to nothing else. Every other
 * request (applications, indices, data source lists, web experiences, IAM)
 * opens further requests, so it goes first: the long chains (web experience →
 * role → policies → simulation) start early instead of after the bulk.
 */
/**
 * Data sources in progress per request slot of a target (each has a few requests in flight at most).
 * 64 per target by default: on the bench's large fleet the audit kept its speed and its peak RSS
 * fell from ~390 to ~310 MB (all 200 sources of a target at once held thousands of waiting requests).
 */
const DATA_SOURCES_PER_SLOT = 4;

const BULK_OPERATIONS = new Set(["qbusiness:ListDocuments", "qbusiness:ListDataSourceSyncJobs", "qbusiness:GetDataSource"]);

/** A counting semaphore with two FIFO queues: urgent tasks take a free slot before any other. */
type PriorityLimiter = <T>(task: () => Promise<T>, urgent?: boolean) => Promise<T>;

function createPriorityLimiter(limit: number): PriorityLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`concurrency must be a positive integer, got ${limit}`);
  let running = 0;
  const urgentQueue: (() => void)[] = [];
  const queue: (() => void)[] = [];
  // A finishing task hands its slot straight to the next waiter, so a newcomer cannot exceed the limit.
  const release = () => {
    const next = urgentQueue.shift() ?? queue.shift();
    if (next) next();
    else running--;
  };
  return async (task, urgent = false) => {
    if (running >= limit) await new Promise<void>((resolve) => (urgent ? urgentQueue : queue).push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}

/** One audit's collection: shared limits and the memos that keep any request from being made twice. */
class Collector {
  private readonly cutoff: Date;
  private readonly documentCap: number;
  private readonly global: PriorityLimiter;
  private readonly perTarget: number;
  private readonly pacing: RatePacing;
  private readonly roles = new Map<string, Promise<RoleInventory>>();
  private readonly managedPolicies = new Map<string, Promise<{ name?: string; document?: PolicyDocument; error?: AwsErrorInfo }>>();
  private readonly simulations = new Map<string, Promise<RoleAccessEvaluation>>();

  constructor(private readonly options: CollectOptions) {
    this.cutoff = new Date(options.cutoff ?? DEFAULT_CUTOFF);
    this.documentCap = options.documentCap ?? DEFAULT_DOCUMENT_CAP;
    this.global = createPriorityLimiter(options.concurrency ?? DEFAULT_CONCURRENCY);
    this.perTarget = options.concurrencyPerTarget ?? DEFAULT_CONCURRENCY_PER_TARGET;
    this.pacing = new RatePacing(options.stats);
  }

  async collect(targets: PreparedTarget[]): Promise<Inventory> {
    const stats = this.options.stats;
    let done = 0;
    const report = () =>
      this.options.onProgress?.({
        targetsDone: done,
        targetsTotal: targets.length,
        apiCalls: stats?.calls ?? 0,
        throttled: stats?.throttled ?? 0,
      });
    report();
    // A single large target can take minutes: keep the call counts moving between target completions.
    const ticker = this.options.onProgress ? setInterval(report, 1000) : undefined;
    ticker?.unref();
    const results = await Promise.all(
      targets.map(async (t) => {
        const result = await this.collectTarget(t);
        done++;
        report();
        return result;
      }),
    ).finally(() => clearInterval(ticker));
    const roles: Record<string, RoleInventory> = {};
    for (const [arn, role] of this.roles) roles[arn] = await role;
    return {
      scannedAt: (this.options.now?.() ?? new Date()).toISOString(),
      cutoff: this.cutoff.toISOString(),
      targets: results.map((r) => r.target),
      applications: results.flatMap((r) => r.applications),
      roles,
      ...(stats ? { stats: stats.snapshot() } : {}),
    };
  }

  private async collectTarget(prepared: PreparedTarget): Promise<{ target: TargetResult; applications: ApplicationInventory[] }> {
    const { accountId, region } = prepared.target;
    if (prepared.error || !prepared.clients) {
      return {
        target: { accountId, region, status: "error", error: prepared.error ?? { code: "NoClients", message: "no credentials for this target" } },
        applications: [],
      };
    }
    const limit = createPriorityLimiter(this.perTarget);
    // Both limits around every single request (never around a request that makes another), so no deadlock.
    // The request first waits for its own bucket's pace, holding no slot: a request held back by
    // its operation's rate limit never keeps another operation's request from going.
    const call: PacedCall = (operation, task) => {
      const urgent = !BULK_OPERATIONS.has(operation);
      return this.pacing.admit(bucketOf(accountId, region, operation)).then((ready) => limit(() => this.global(() => ready().then(task), urgent), urgent));
    };
    const dataSourceSlot = createPriorityLimiter(this.perTarget * DATA_SOURCES_PER_SLOT);
    const ctx: TargetContext = { accountId, region, clients: prepared.clients, call, dataSourceSlot };

    let summaries;
    try {
      summaries = await this.pages(ctx, "qbusiness:ListApplications", (nextToken) =>
        ctx.clients.qbusiness.send(new ListApplicationsCommand({ maxResults: 100, nextToken })),
        (page) => page.applications ?? [],
      );
    } catch (error) {
      return { target: { accountId, region, status: "error", error: awsErrorInfo(error, "qbusiness:ListApplications") }, applications: [] };
    }
    const applications = await Promise.all(summaries.map((s) => this.collectApplication(ctx, s)));
    return { target: { accountId, region, status: "ok" }, applications };
  }

  /** Every page of a nextToken-paged list, each page one limited request. */
  private async pages<P extends { nextToken?: string }, T>(
    ctx: TargetContext,
    operation: string,
    fetch: (nextToken: string | undefined) => Promise<P>,
    items: (page: P) => T[],
  ): Promise<T[]> {
    const all: T[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ctx.call(operation, () => fetch(nextToken));
      all.push(...items(page));
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }

  private async collectApplication(
    ctx: TargetContext,
    summary: { applicationId?: string; displayName?: string; identityType?: string; status?: string; createdAt?: Date; updatedAt?: Date },
  ): Promise<ApplicationInventory> {
    const applicationId = summary.applicationId ?? "";
    const app: ApplicationInventory = {
      accountId: ctx.accountId,
      region: ctx.region,
      applicationId,
      applicationArn: `arn:aws:qbusiness:${ctx.region}:${ctx.accountId}:application/${applicationId}`,
      displayName: summary.displayName ?? applicationId,
      identityType: summary.identityType,
      status: summary.status,
      createdAt: iso(summary.createdAt),
      updatedAt: iso(summary.updatedAt),
      indices: [],
      webExperiences: [],
    };
    const fail = (error: unknown, operation: string) => {
      app.error ??= awsErrorInfo(error, operation);
    };

    const details = ctx
      .call("qbusiness:GetApplication", () => ctx.clients.qbusiness.send(new GetApplicationCommand({ applicationId })))
      .then((a) => {
        if (a.applicationArn) app.applicationArn = a.applicationArn;
        app.displayName = a.displayName ?? app.displayName;
        app.identityType = a.identityType ?? app.identityType;
        app.status = a.status ?? app.status;
        app.createdAt = iso(a.createdAt) ?? app.createdAt;
        app.updatedAt = iso(a.updatedAt) ?? app.updatedAt;
      }, (e) => fail(e, "qbusiness:GetApplication"));

    const indices = this.pages(ctx, "qbusiness:ListIndices", (nextToken) =>
      ctx.clients.qbusiness.send(new ListIndicesCommand({ applicationId, maxResults: 100, nextToken })),
      (page) => page.indices ?? [],
    ).catch((e) => {
      fail(e, "qbusiness:ListIndices");
      return [];
    });

    const webSummaries = this.pages(ctx, "qbusiness:ListWebExperiences", (nextToken) =>
      ctx.clients.qbusiness.send(new ListWebExperiencesCommand({ applicationId, maxResults: 100, nextToken })),
      (page) => page.webExperiences ?? [],
    ).catch((e) => {
      fail(e, "qbusiness:ListWebExperiences");
      return [];
    });

    // The ARN from GetApplication is authoritative; index ARNs and the role simulation need it.
    await details;
    const indexSummaries = await indices;
    app.indices = indexSummaries.map((i) => ({
      indexId: i.indexId ?? "",
      indexArn: `${app.applicationArn}/index/${i.indexId}`,
      displayName: i.displayName,
      status: i.status,
      createdAt: iso(i.createdAt),
      dataSources: [],
    }));
    const webs = await webSummaries;
    await Promise.all([
      ...app.indices.map((index) => this.collectIndex(ctx, app, index)),
      (async () => {
        app.webExperiences = await Promise.all(webs.map((w) => this.collectWebExperience(ctx, app, w.webExperienceId ?? "")));
      })(),
    ]);
    return app;
  }

  private async collectIndex(ctx: TargetContext, app: ApplicationInventory, index: IndexInventory): Promise<void> {
    const { applicationId } = app;
    const { indexId } = index;
    const uploads = this.scanDocuments(ctx, applicationId, indexId, UPLOADED_DOCS_DATA_SOURCE_ID).then((scan) => {
      // An index without console uploads has nothing to check; a scan that failed must still be seen.
      if (scan.scanned > 0 || scan.error) index.uploadedDocuments = scan;
    });
    let summaries: Awaited<ReturnType<typeof this.listDataSources>> = [];
    try {
      summaries = await this.listDataSources(ctx, applicationId, indexId);
    } catch (e) {
      index.error = awsErrorInfo(e, "qbusiness:ListDataSources");
    }
    // Whether ListDataSources lists the uploads' pseudo source is unverified: they are read as uploads above, not twice.
    summaries = summaries.filter((s) => s.dataSourceId !== UPLOADED_DOCS_DATA_SOURCE_ID);
    index.dataSources = await Promise.all(summaries.map((s) => ctx.dataSourceSlot(() => this.collectDataSource(ctx, app, indexId, s))));
    await uploads;
  }

  private listDataSources(ctx: TargetContext, applicationId: string, indexId: string) {
    return this.pages(ctx, "qbusiness:ListDataSources", (nextToken) =>
      ctx.clients.qbusiness.send(new ListDataSourcesCommand({ applicationId, indexId, maxResults: 10, nextToken })),
      (page) => page.dataSources ?? [],
    );
  }

  private async collectDataSource(
    ctx: TargetContext,
    app: ApplicationInventory,
    indexId: string,
    summary: { dataSourceId?: string; displayName?: string; type?: string; status?: string; createdAt?: Date; updatedAt?: Date },
  ): Promise<DataSourceInventory> {
    const { applicationId } = app;
    const dataSourceId = summary.dataSourceId ?? "";
    const ds: DataSourceInventory = {
      dataSourceId,
      displayName: summary.displayName,
      type: summary.type,
      status: summary.status,
      createdAt: iso(summary.createdAt),
      updatedAt: iso(summary.updatedAt),
      syncJobs: [],
      documents: emptyScan(),
    };
    const details = ctx
      .call("qbusiness:GetDataSource", () => ctx.clients.qbusiness.send(new GetDataSourceCommand({ applicationId, indexId, dataSourceId })))
      .then(
        (d) => {
          ds.displayName = d.displayName ?? ds.displayName;
          ds.type = d.type ?? ds.type;
          ds.status = d.status ?? ds.status;
          ds.createdAt = iso(d.createdAt) ?? ds.createdAt;
          ds.updatedAt = iso(d.updatedAt) ?? ds.updatedAt;
          if (d.configuration && typeof d.configuration === "object") ds.configuration = d.configuration as Record<string, unknown>;
        },
        (e) => {
          ds.error = awsErrorInfo(e, "qbusiness:GetDataSource");
        },
      );
    const jobs = this.collectSyncJobs(ctx, applicationId, indexId, ds);
    const documents = this.scanDocuments(ctx, applicationId, indexId, dataSourceId).then((scan) => {
      ds.documents = scan;
    });
    const own = this.options.ownFullSyncExecutionIds
      ? Promise.resolve(this.options.ownFullSyncExecutionIds({ accountId: ctx.accountId, region: ctx.region, applicationId, indexId, dataSourceId })).then(
          (ids) => {
            ds.ownFullSyncExecutionIds = ids;
          },
        )
      : undefined;
    await Promise.all([details, jobs, documents, own]);
    return ds;
  }

  /**
   * The jobs started at or after the cutoff (every page: the qualifying one may
   * be older than the latest ten), plus the latest job of all. When the filtered
   * list is not empty its first job is the latest of all, so the extra request
   * is only made when it is empty.
   */
  private async collectSyncJobs(ctx: TargetContext, applicationId: string, indexId: string, ds: DataSourceInventory): Promise<void> {
    const { dataSourceId } = ds;
    try {
      const sinceCutoff = await this.pages(ctx, "qbusiness:ListDataSourceSyncJobs", (nextToken) =>
        ctx.clients.qbusiness.send(
          new ListDataSourceSyncJobsCommand({ applicationId, indexId, dataSourceId, startTime: this.cutoff, maxResults: 10, nextToken }),
        ),
        (page) => page.history ?? [],
      );
      const jobs = sinceCutoff.map(syncJobRecord);
      if (jobs.length === 0) {
        const latest = await ctx.call("qbusiness:ListDataSourceSyncJobs", () =>
          ctx.clients.qbusiness.send(new ListDataSourceSyncJobsCommand({ applicationId, indexId, dataSourceId, maxResults: 1 })),
        );
        for (const job of latest.history ?? []) jobs.push(syncJobRecord(job));
      }
      const seen = new Set<string>();
      ds.syncJobs = jobs
        .filter((j) => (seen.has(j.executionId) ? false : (seen.add(j.executionId), true)))
        .sort((a, b) => (b.startTime ?? "").localeCompare(a.startTime ?? ""));
      // A source created after the cutoff cannot have older jobs: the filtered list holds all of them.
      const created = ds.createdAt ? new Date(ds.createdAt) : undefined;
      if (created && created >= this.cutoff && ds.syncJobs.length > 0) ds.firstSyncKnown = true;
    } catch (e) {
      ds.syncJobsError = awsErrorInfo(e, "qbusiness:ListDataSourceSyncJobs");
    }
  }

  /** Count documents as they stream (never kept), up to the cap. */
  private async scanDocuments(ctx: TargetContext, applicationId: string, indexId: string, dataSourceId: string): Promise<DocumentScan> {
    const scan = emptyScan();
    const cap = this.documentCap;
    let nextToken: string | undefined;
    try {
      do {
        const remaining = cap - scan.scanned;
        const page = await ctx.call("qbusiness:ListDocuments", () =>
          ctx.clients.qbusiness.send(
            new ListDocumentsCommand({ applicationId, indexId, dataSourceIds: [dataSourceId], maxResults: Math.max(1, Math.min(100, remaining)), nextToken }),
          ),
        );
        const docs = page.documentDetailList ?? [];
        for (const doc of docs) {
          if (scan.scanned >= cap) {
            scan.capped = true;
            break;
          }
          scan.scanned++;
          if (doc.status === "FAILED" || doc.status === "DOCUMENT_FAILED_TO_INDEX") scan.failedCount = (scan.failedCount ?? 0) + 1;
          // Documents on their way out cannot be opened anyway: they are neither stale nor fresh.
          if (doc.status === "DELETED" || doc.status === "DELETING") continue;
          const updated = doc.updatedAt ?? doc.createdAt;
          if (updated && updated < this.cutoff) {
            scan.staleCount++;
            if (scan.staleExamples.length < 5) scan.staleExamples.push({ documentId: doc.documentId ?? "", updatedAt: iso(updated) });
          } else if (updated) {
            scan.freshCount++;
          }
        }
        nextToken = page.nextToken;
        if (nextToken && scan.scanned >= cap) scan.capped = true;
      } while (nextToken && !scan.capped);
    } catch (e) {
      scan.error = awsErrorInfo(e, "qbusiness:ListDocuments");
    }
    return scan;
  }

  private async collectWebExperience(ctx: TargetContext, app: ApplicationInventory, webExperienceId: string): Promise<WebExperienceInventory> {
    const web: WebExperienceInventory = { webExperienceId };
    try {
      const w = await ctx.call("qbusiness:GetWebExperience", () =>
        ctx.clients.qbusiness.send(new GetWebExperienceCommand({ applicationId: app.applicationId, webExperienceId })),
      );
      web.status = w.status;
      web.createdAt = iso(w.createdAt);
      web.updatedAt = iso(w.updatedAt);
      web.defaultEndpoint = w.defaultEndpoint;
      const samlRole = w.authenticationConfiguration?.samlConfiguration?.roleArn;
      if (w.roleArn) {
        web.roleArn = w.roleArn;
        web.roleArnSource = "roleArn";
      } else if (samlRole) {
        web.roleArn = samlRole;
        web.roleArnSource = "samlConfiguration";
      }
    } catch (e) {
      web.error = awsErrorInfo(e, "qbusiness:GetWebExperience");
      return web;
    }
    if (web.roleArn) {
      const role = await this.readRole(ctx, web.roleArn);
      if (role.exists || role.error) web.access = await this.evaluateAccess(ctx, role, app);
    }
    return web;
  }

  // ------------------------------------------------------------------ IAM

  /** Each role is read once per audit, whichever web experiences share it. */
  private readRole(ctx: TargetContext, roleArn: string): Promise<RoleInventory> {
    let role = this.roles.get(roleArn);
    if (!role) {
      role = this.fetchRole(ctx, roleArn);
      this.roles.set(roleArn, role);
    }
    return role;
  }

  private async fetchRole(ctx: TargetContext, roleArn: string): Promise<RoleInventory> {
    const roleName = roleNameOf(roleArn);
    const role: RoleInventory = {
      roleArn,
      roleName,
      accountId: accountOfArn(roleArn),
      exists: false,
      inlinePolicies: [],
      attachedPolicies: [],
    };
    const iam = ctx.clients.iam;
    // GetRole takes a name, not an ARN: asked of this account, it would read a namesake, not the role.
    if (role.accountId !== ctx.accountId) {
      role.error = {
        code: "CrossAccountRole",
        message: `The role is in account ${role.accountId}, the application in ${ctx.accountId}: it cannot be read with this target's credentials.`,
        operation: "iam:GetRole",
      };
      return role;
    }
    try {
      const { Role } = await ctx.call("iam:GetRole", () => iam.send(new GetRoleCommand({ RoleName: roleName })));
      role.exists = true;
      role.path = Role?.Path;
      role.serviceLinked = (Role?.Path ?? "").startsWith("/aws-service-role/");
      if (Role?.AssumeRolePolicyDocument) role.trustPolicy = decodePolicyDocument(Role.AssumeRolePolicyDocument);
      const boundaryArn = Role?.PermissionsBoundary?.PermissionsBoundaryArn;
      if (boundaryArn) role.permissionsBoundary = { arn: boundaryArn };
    } catch (e) {
      if ((e as Error).name !== "NoSuchEntity" && (e as Error).name !== "NoSuchEntityException") role.error = awsErrorInfo(e, "iam:GetRole");
      return role;
    }

    const inline = (async () => {
      const names = await this.iamPages(ctx, "iam:ListRolePolicies", (Marker) => iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker })), (p) => p.PolicyNames ?? []);
      role.inlinePolicies = await Promise.all(
        names.map(async (name) => {
          const p = await ctx.call("iam:GetRolePolicy", () => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })));
          return { name, document: decodePolicyDocument(p.PolicyDocument ?? "%7B%22Statement%22%3A%5B%5D%7D") };
        }),
      );
    })().catch((e) => {
      role.policiesError ??= awsErrorInfo(e, "iam:GetRolePolicy");
    });

    const attached = (async () => {
      const policies = await this.iamPages(
        ctx,
        "iam:ListAttachedRolePolicies",
        (Marker) => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker })),
        (p) => p.AttachedPolicies ?? [],
      );
      role.attachedPolicies = await Promise.all(
        policies.map(async (p) => ({ arn: p.PolicyArn ?? "", ...(await this.readManagedPolicy(ctx, p.PolicyArn ?? "")), name: p.PolicyName })),
      );
    })().catch((e) => {
      role.policiesError ??= awsErrorInfo(e, "iam:ListAttachedRolePolicies");
    });

    const boundary = role.permissionsBoundary
      ? this.readManagedPolicy(ctx, role.permissionsBoundary.arn).then((p) => {
          role.permissionsBoundary = { arn: role.permissionsBoundary!.arn, document: p.document, ...(p.error ? { error: p.error } : {}) };
        })
      : undefined;

    await Promise.all([inline, attached, boundary]);
    return role;
  }

  /** Managed policies (attached or boundary) are shared across roles: read once each. */
  private readManagedPolicy(ctx: TargetContext, arn: string) {
    let policy = this.managedPolicies.get(arn);
    if (!policy) {
      policy = (async () => {
        try {
          const { Policy } = await ctx.call("iam:GetPolicy", () => ctx.clients.iam.send(new GetPolicyCommand({ PolicyArn: arn })));
          const version = await ctx.call("iam:GetPolicyVersion", () =>
            ctx.clients.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy?.DefaultVersionId ?? "v1" })),
          );
          const doc = version.PolicyVersion?.Document;
          return { name: Policy?.PolicyName, document: doc ? decodePolicyDocument(doc) : undefined };
        } catch (e) {
          return { error: awsErrorInfo(e, "iam:GetPolicy") };
        }
      })();
      this.managedPolicies.set(arn, policy);
    }
    return policy;
  }

  private async iamPages<P extends { Marker?: string; IsTruncated?: boolean }, T>(
    ctx: TargetContext,
    operation: string,
    fetch: (marker: string | undefined) => Promise<P>,
    items: (page: P) => T[],
  ): Promise<T[]> {
    const all: T[] = [];
    let marker: string | undefined;
    do {
      const page = await ctx.call(operation, () => fetch(marker));
      all.push(...items(page));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    return all;
  }

  /**
   * How the role answers GetDocumentContent on the application and each of its
   * indices: IAM's simulator first (it knows SCPs and boundaries as AWS applies
   * them), once per (role, application); a local reading of the policies when
   * simulation fails (typically AccessDenied), which says so.
   */
  private evaluateAccess(ctx: TargetContext, role: RoleInventory, app: ApplicationInventory): Promise<RoleAccessEvaluation> {
    const key = `${role.roleArn}|${app.applicationArn}`;
    let evaluation = this.simulations.get(key);
    if (!evaluation) {
      const resources = [app.applicationArn, ...app.indices.map((i) => `${app.applicationArn}/index/${i.indexId}`)];
      evaluation = this.simulate(ctx, role, resources).catch((e) => this.evaluateLocally(role, resources, awsErrorInfo(e, "iam:SimulatePrincipalPolicy")));
      this.simulations.set(key, evaluation);
    }
    return evaluation;
  }

  private async simulate(ctx: TargetContext, role: RoleInventory, resources: string[]): Promise<RoleAccessEvaluation> {
    const results = await this.iamPages(
      ctx,
      "iam:SimulatePrincipalPolicy",
      (Marker) =>
        ctx.clients.iam.send(
          new SimulatePrincipalPolicyCommand({ PolicySourceArn: role.roleArn, ActionNames: [GET_DOCUMENT_CONTENT], ResourceArns: resources, Marker }),
        ),
      (p) => p.EvaluationResults ?? [],
    );
    return {
      method: "simulate",
      resources: resources.map((arn) => {
        const result = results.find((r) => r.EvalResourceName === arn) ?? (resources.length === 1 ? results[0] : undefined);
        return result ? simulatedDecision(arn, result, role) : { resourceArn: arn, decision: "unknown", matchedStatements: [], reason: "not in the simulator's answer" };
      }),
    };
  }

  private evaluateLocally(role: RoleInventory, resources: string[], simulateError: AwsErrorInfo): RoleAccessEvaluation {
    if (role.error || !role.exists) {
      return { method: "local", simulateError, resources: [], error: role.error ?? { code: "NoSuchEntity", message: `role ${role.roleArn} not found` } };
    }
    const identityPolicies: PolicySource[] = [
      ...role.inlinePolicies.map((p): PolicySource => ({ id: p.name, type: "inline", document: p.document })),
      ...role.attachedPolicies.filter((p) => p.document).map((p): PolicySource => ({ id: p.arn, type: "managed", document: p.document! })),
    ];
    const boundary = role.permissionsBoundary?.document
      ? ({ id: role.permissionsBoundary.arn, type: "boundary", document: role.permissionsBoundary.document } satisfies PolicySource)
      : undefined;
    const unreadable = [
      role.policiesError ? `the role's policies (${role.policiesError.code})` : undefined,
      ...role.attachedPolicies.filter((p) => p.error).map((p) => `${p.arn} (${p.error!.code})`),
      role.permissionsBoundary?.error ? `boundary ${role.permissionsBoundary.arn} (${role.permissionsBoundary.error.code})` : undefined,
    ].filter(Boolean);
    return {
      method: "local",
      simulateError,
      resources: resources.map((resourceArn): ResourceDecision => {
        const e = evaluateRequest({ action: GET_DOCUMENT_CONTENT, resource: resourceArn }, { identityPolicies, permissionsBoundary: boundary, mode: "local" });
        const decision: ResourceDecision = {
          resourceArn,
          decision: e.decision,
          matchedStatements: e.matchedStatements,
          ...(e.allowedByPermissionsBoundary !== undefined ? { allowedByPermissionsBoundary: e.allowedByPermissionsBoundary } : {}),
          ...(e.reason ? { reason: e.reason } : {}),
        };
        // A policy we could not read might deny: only an explicit deny already seen stands.
        if (unreadable.length && decision.decision !== "explicitDeny") {
          decision.decision = "unknown";
          decision.reason = `could not read ${unreadable.join(", ")}`;
        }
        return decision;
      }),
    };
  }
}

interface TargetContext {
  accountId: string;
  region: string;
  clients: AwsClients;
  call: PacedCall;
  /**
   * Data sources read at once in this target. Bounded so that a big target's
   * thousands of requests are not all created (and held in memory, waiting)
   * up front; enough of them stay in progress to keep every bucket busy.
   */
  dataSourceSlot: PriorityLimiter;
}

/** Run one request of `operation` ("service:Operation") within the pace of its bucket and the concurrency limits. */
type PacedCall = <T>(operation: string, task: () => Promise<T>) => Promise<T>;

/** Map one simulator result to the audit's shape, naming the statements it matched from the role's own documents. */
function simulatedDecision(resourceArn: string, result: EvaluationResult, role: RoleInventory): ResourceDecision {
  const decision = (["allowed", "explicitDeny", "implicitDeny"] as const).find((d) => d === result.EvalDecision) ?? "unknown";
  const boundaryDetail = result.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary;
  return {
    resourceArn,
    decision,
    matchedStatements: (result.MatchedStatements ?? []).flatMap((s) => matchedStatements(s, role, resourceArn, decision)),
    ...(boundaryDetail !== undefined ? { allowedByPermissionsBoundary: boundaryDetail } : {}),
  };
}

function matchedStatements(s: Statement, role: RoleInventory, resourceArn: string, decision: string): MatchedStatement[] {
  const id = s.SourcePolicyId ?? "";
  const isBoundary = role.permissionsBoundary?.arn === id;
  const policyType: MatchedStatement["policyType"] = isBoundary
    ? "boundary"
    : s.SourcePolicyType === "role"
      ? "inline"
      : s.SourcePolicyType === "aws-managed" || s.SourcePolicyType === "user-managed"
        ? "managed"
        : "other";
  const document =
    policyType === "inline"
      ? role.inlinePolicies.find((p) => p.name === id)?.document
      : policyType === "boundary"
        ? role.permissionsBoundary?.document
        : role.attachedPolicies.find((p) => p.arn === id || p.name === id)?.document;
  const effect = decision === "explicitDeny" ? "Deny" : "Allow";
  // The simulator names the policy, not the statement: find the statements of that effect covering the request.
  const statements = document
    ? statementsOf(document).filter(
        (st) =>
          st.Effect === effect &&
          [st.Action ?? []].flat().some((a) => matchesActionPattern(a, GET_DOCUMENT_CONTENT)) &&
          [st.Resource ?? []].flat().some((r) => matchesResourcePattern(r, resourceArn)),
      )
    : [];
  if (statements.length === 0) return [{ policy: id, policyType }];
  return statements.map((st) => ({ policy: id, policyType, sid: st.Sid, effect: st.Effect, statement: st }));
}

/**
 * Read the inventory of every target. Targets that cannot be read come back
 * with status "error" and the AWS error; the rest are read in full.
 */
export function collectInventory(targets: PreparedTarget[], options: CollectOptions = {}): Promise<Inventory> {
  return new Collector(options).collect(targets);
}
