/**
 * The Q Business traversal of one target: applications, their indices, data
 * sources (details, sync jobs, a streamed count of their documents), uploaded
 * files and web experiences (with their role's access). Every failure lands on
 * the node it concerns; nothing is dropped silently.
 */
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
  type Application as ApplicationSummary,
  type DataSource as DataSourceSummary,
  type DataSourceSyncJob,
  type DocumentDetails,
} from "@aws-sdk/client-qbusiness";
import { awsErrorInfo } from "../../aws/clients";
import { DELETED_DOCUMENT_STATUSES, FAILED_DOCUMENT_STATUSES, UPLOADED_DOCS_DATA_SOURCE_ID } from "../../aws/vocabulary";
import type { ApplicationInventory, DataSourceInventory, DocumentScan, IndexInventory, SyncJobRecord, WebExperienceInventory } from "../types";
import { iso, pages, type TargetContext } from "./context";
import { roleAccessFor } from "./role-access";
import { readWebExperienceRole } from "./roles";

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

export function emptyScan(): DocumentScan {
  return { scanned: 0, capped: false, staleCount: 0, staleExamples: [], freshCount: 0, failedCount: 0 };
}

/** The target's applications, each read in full. Throws when they cannot be listed. */
export async function collectApplications(ctx: TargetContext): Promise<ApplicationInventory[]> {
  const summaries = await pages(
    ctx,
    "qbusiness:ListApplications",
    (nextToken) => ctx.clients.qbusiness.send(new ListApplicationsCommand({ maxResults: 100, nextToken })),
    (page) => page.applications ?? [],
  );
  return Promise.all(summaries.map((s) => collectApplication(ctx, s)));
}

function applicationFromSummary(ctx: TargetContext, summary: ApplicationSummary): ApplicationInventory {
  const applicationId = summary.applicationId ?? "";
  return {
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
}

/** GetApplication's answer over the summary's (its ARN is authoritative). */
async function readApplicationDetails(ctx: TargetContext, app: ApplicationInventory): Promise<void> {
  const a = await ctx.call("qbusiness:GetApplication", () => ctx.clients.qbusiness.send(new GetApplicationCommand({ applicationId: app.applicationId })));
  if (a.applicationArn) app.applicationArn = a.applicationArn;
  app.displayName = a.displayName ?? app.displayName;
  app.identityType = a.identityType ?? app.identityType;
  app.status = a.status ?? app.status;
  app.createdAt = iso(a.createdAt) ?? app.createdAt;
  app.updatedAt = iso(a.updatedAt) ?? app.updatedAt;
}

async function collectApplication(ctx: TargetContext, summary: ApplicationSummary): Promise<ApplicationInventory> {
  const app = applicationFromSummary(ctx, summary);
  const { applicationId } = app;
  const fail = (operation: "qbusiness:GetApplication" | "qbusiness:ListIndices" | "qbusiness:ListWebExperiences") => (error: unknown) => {
    app.error ??= awsErrorInfo(error, operation);
  };
  const details = readApplicationDetails(ctx, app).catch(fail("qbusiness:GetApplication"));
  const indices = pages(
    ctx,
    "qbusiness:ListIndices",
    (nextToken) => ctx.clients.qbusiness.send(new ListIndicesCommand({ applicationId, maxResults: 100, nextToken })),
    (page) => page.indices ?? [],
  ).catch((e) => (fail("qbusiness:ListIndices")(e), []));
  const webSummaries = pages(
    ctx,
    "qbusiness:ListWebExperiences",
    (nextToken) => ctx.clients.qbusiness.send(new ListWebExperiencesCommand({ applicationId, maxResults: 100, nextToken })),
    (page) => page.webExperiences ?? [],
  ).catch((e) => (fail("qbusiness:ListWebExperiences")(e), []));

  // The ARN from GetApplication is authoritative; index ARNs and the role simulation need it.
  await details;
  app.indices = (await indices).map((i) => ({
    indexId: i.indexId ?? "",
    indexArn: `${app.applicationArn}/index/${i.indexId}`,
    displayName: i.displayName,
    status: i.status,
    createdAt: iso(i.createdAt),
    dataSources: [],
  }));
  const webs = await webSummaries;
  await Promise.all([
    ...app.indices.map((index) => collectIndex(ctx, app, index)),
    (async () => {
      app.webExperiences = await Promise.all(webs.map((w) => collectWebExperience(ctx, app, w.webExperienceId ?? "")));
    })(),
  ]);
  return app;
}

async function collectIndex(ctx: TargetContext, app: ApplicationInventory, index: IndexInventory): Promise<void> {
  const { applicationId } = app;
  const { indexId } = index;
  const uploads = scanDocuments(ctx, { applicationId, indexId, dataSourceId: UPLOADED_DOCS_DATA_SOURCE_ID }).then((scan) => {
    // An index without console uploads has nothing to check; a scan that failed must still be seen.
    if (scan.scanned > 0 || scan.error) index.uploadedDocuments = scan;
  });
  let summaries: DataSourceSummary[] = [];
  try {
    summaries = await pages(
      ctx,
      "qbusiness:ListDataSources",
      (nextToken) => ctx.clients.qbusiness.send(new ListDataSourcesCommand({ applicationId, indexId, maxResults: 10, nextToken })),
      (page) => page.dataSources ?? [],
    );
  } catch (e) {
    index.error = awsErrorInfo(e, "qbusiness:ListDataSources");
  }
  // Whether ListDataSources lists the uploads' pseudo source is unverified: they are read as uploads above, not twice.
  summaries = summaries.filter((s) => s.dataSourceId !== UPLOADED_DOCS_DATA_SOURCE_ID);
  index.dataSources = await Promise.all(summaries.map((s) => ctx.dataSourceSlot(() => collectDataSource(ctx, app, indexId, s))));
  await uploads;
}

interface DataSourcePath {
  applicationId: string;
  indexId: string;
  dataSourceId: string;
}

/** GetDataSource's answer over the summary's, with its configuration (the sync mode lives there). */
async function readDataSourceDetails(ctx: TargetContext, path: DataSourcePath, ds: DataSourceInventory): Promise<void> {
  try {
    const d = await ctx.call("qbusiness:GetDataSource", () => ctx.clients.qbusiness.send(new GetDataSourceCommand(path)));
    ds.displayName = d.displayName ?? ds.displayName;
    ds.type = d.type ?? ds.type;
    ds.status = d.status ?? ds.status;
    ds.createdAt = iso(d.createdAt) ?? ds.createdAt;
    ds.updatedAt = iso(d.updatedAt) ?? ds.updatedAt;
    if (d.configuration && typeof d.configuration === "object") ds.configuration = d.configuration as Record<string, unknown>;
  } catch (e) {
    ds.error = awsErrorInfo(e, "qbusiness:GetDataSource");
  }
}

async function collectDataSource(ctx: TargetContext, app: ApplicationInventory, indexId: string, summary: DataSourceSummary): Promise<DataSourceInventory> {
  const path = { applicationId: app.applicationId, indexId, dataSourceId: summary.dataSourceId ?? "" };
  const ds: DataSourceInventory = {
    dataSourceId: path.dataSourceId,
    displayName: summary.displayName,
    type: summary.type,
    status: summary.status,
    createdAt: iso(summary.createdAt),
    updatedAt: iso(summary.updatedAt),
    syncJobs: [],
    documents: emptyScan(),
  };
  const ownIds = ctx.scope.ownFullSyncExecutionIds;
  await Promise.all([
    readDataSourceDetails(ctx, path, ds),
    collectSyncJobs(ctx, path, ds),
    scanDocuments(ctx, path).then((scan) => {
      ds.documents = scan;
    }),
    ownIds
      ? Promise.resolve(ownIds({ accountId: ctx.accountId, region: ctx.region, ...path })).then((ids) => {
          ds.ownFullSyncExecutionIds = ids;
        })
      : undefined,
  ]);
  return ds;
}

/**
 * The jobs started at or after the cutoff (every page: the qualifying one may
 * be older than the latest ten), plus the latest job of all. When the filtered
 * list is not empty its first job is the latest of all, so the extra request
 * is only made when it is empty.
 */
async function collectSyncJobs(ctx: TargetContext, path: DataSourcePath, ds: DataSourceInventory): Promise<void> {
  const { cutoff } = ctx.scope;
  try {
    const sinceCutoff = await pages(
      ctx,
      "qbusiness:ListDataSourceSyncJobs",
      (nextToken) => ctx.clients.qbusiness.send(new ListDataSourceSyncJobsCommand({ ...path, startTime: cutoff, maxResults: 10, nextToken })),
      (page) => page.history ?? [],
    );
    const jobs = sinceCutoff.map(syncJobRecord);
    if (jobs.length === 0) {
      const latest = await ctx.call("qbusiness:ListDataSourceSyncJobs", () =>
        ctx.clients.qbusiness.send(new ListDataSourceSyncJobsCommand({ ...path, maxResults: 1 })),
      );
      for (const job of latest.history ?? []) jobs.push(syncJobRecord(job));
    }
    const seen = new Set<string>();
    ds.syncJobs = jobs
      .filter((j) => (seen.has(j.executionId) ? false : (seen.add(j.executionId), true)))
      .sort((a, b) => (b.startTime ?? "").localeCompare(a.startTime ?? ""));
    // A source created after the cutoff cannot have older jobs: the filtered list holds all of them.
    const created = ds.createdAt ? new Date(ds.createdAt) : undefined;
    if (created && created >= cutoff && ds.syncJobs.length > 0) ds.firstSyncKnown = true;
  } catch (e) {
    ds.syncJobsError = awsErrorInfo(e, "qbusiness:ListDataSourceSyncJobs");
  }
}

/** Count one page's documents into the scan, up to the cap (then it is marked capped). */
function countDocuments(scan: DocumentScan, docs: DocumentDetails[], options: { cap: number; cutoff: Date }): void {
  for (const doc of docs) {
    if (scan.scanned >= options.cap) {
      scan.capped = true;
      return;
    }
    scan.scanned++;
    if (FAILED_DOCUMENT_STATUSES.has(doc.status ?? "")) scan.failedCount = (scan.failedCount ?? 0) + 1;
    // Documents on their way out cannot be opened anyway: they are neither stale nor fresh.
    if (DELETED_DOCUMENT_STATUSES.has(doc.status ?? "")) continue;
    const updated = doc.updatedAt ?? doc.createdAt;
    if (updated && updated < options.cutoff) {
      scan.staleCount++;
      if (scan.staleExamples.length < 5) scan.staleExamples.push({ documentId: doc.documentId ?? "", updatedAt: iso(updated) });
    } else if (updated) {
      scan.freshCount++;
    }
  }
}

/** Count documents as they stream (never kept), up to the cap. */
async function scanDocuments(ctx: TargetContext, path: DataSourcePath): Promise<DocumentScan> {
  const scan = emptyScan();
  const cap = ctx.scope.documentCap;
  const { applicationId, indexId, dataSourceId } = path;
  let nextToken: string | undefined;
  try {
    do {
      const maxResults = Math.max(1, Math.min(100, cap - scan.scanned));
      const page = await ctx.call("qbusiness:ListDocuments", () =>
        ctx.clients.qbusiness.send(new ListDocumentsCommand({ applicationId, indexId, dataSourceIds: [dataSourceId], maxResults, nextToken })),
      );
      countDocuments(scan, page.documentDetailList ?? [], { cap, cutoff: ctx.scope.cutoff });
      nextToken = page.nextToken;
      if (nextToken && scan.scanned >= cap) scan.capped = true;
    } while (nextToken && !scan.capped);
  } catch (e) {
    scan.error = awsErrorInfo(e, "qbusiness:ListDocuments");
  }
  return scan;
}

async function collectWebExperience(ctx: TargetContext, app: ApplicationInventory, webExperienceId: string): Promise<WebExperienceInventory> {
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
    const role = await readWebExperienceRole(ctx, web.roleArn);
    if (role.exists || role.error) web.access = await roleAccessFor(ctx, role, app);
  }
  return web;
}
