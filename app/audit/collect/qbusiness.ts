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
  ListDocumentsCommand,
  ListIndicesCommand,
  ListWebExperiencesCommand,
  type Application as ApplicationSummary,
  type DataSource as DataSourceSummary,
  type DocumentDetails,
} from "@aws-sdk/client-qbusiness";
import { awsErrorInfo } from "../../aws/clients";
import { DELETED_DOCUMENT_STATUSES, FAILED_DOCUMENT_STATUSES, UPLOADED_DOCS_DATA_SOURCE_ID } from "../../aws/vocabulary";
import type { ApplicationInventory, DataSourceInventory, DocumentScan, IndexInventory, RoleInventory, WebExperienceInventory } from "../types";
import { iso, pages, type TargetContext } from "./context";
import { roleAccessFor } from "./role-access";
import { readWebExperienceRole } from "./roles";
import { detailsStillHold, documentsStillHold, fullSyncStillHolds, staleDocumentsStillHold, type StoredDetails } from "./reuse";
import { collectSyncJobs, readJobsPage, type DataSourcePath, type JobsPage as JobsPageOf } from "./sync-jobs";
import type { StoredEvidence } from "./reuse";

export function emptyScan(): DocumentScan {
  return { scanned: 0, capped: false, staleCount: 0, staleExamples: [], freshCount: 0, failedCount: 0 };
}

/** What is kept of each application once it is read in full (its inventory, or what the caller makes of it), given the roles its web experiences use. */
export type KeepApplication<K> = (app: ApplicationInventory, roles: Record<string, RoleInventory>) => K;

/** The roles an application's web experiences use, as read (each role once per audit). */
async function rolesOfApplication(ctx: TargetContext, app: ApplicationInventory): Promise<Record<string, RoleInventory>> {
  const roles: Record<string, RoleInventory> = {};
  for (const web of app.webExperiences) if (web.roleArn && !roles[web.roleArn]) roles[web.roleArn] = await readWebExperienceRole(ctx, web.roleArn);
  return roles;
}

/**
 * The target's applications, each read in full and handed to `keep` as it
 * ends (so that an application's inventory can be let go while the others are
 * still read). Throws when they cannot be listed.
 */
export async function collectApplications<K>(ctx: TargetContext, keep: KeepApplication<K>): Promise<K[]> {
  const summaries = await pages(
    ctx,
    "qbusiness:ListApplications",
    (nextToken) => ctx.clients.qbusiness.send(new ListApplicationsCommand({ maxResults: 100, nextToken })),
    (page) => page.applications ?? [],
  );
  ctx.scope.progress?.listed(summaries.length);
  return Promise.all(
    summaries.map(async (s) => {
      const app = await collectApplication(ctx, s);
      const kept = keep(app, await rolesOfApplication(ctx, app));
      ctx.scope.progress?.read();
      return kept;
    }),
  );
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

/** The details an earlier audit read, unchanged since (ADR 0010): GetDataSource is not asked again. */
function applyStoredDetails(ds: DataSourceInventory, d: StoredDetails): void {
  // The listing's status and name are today's; the type and configuration cannot change without moving updatedAt.
  ds.type = d.type ?? ds.type;
  if (d.configuration) ds.configuration = d.configuration;
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
  const stored = ctx.scope.storedEvidence?.({ accountId: ctx.accountId, region: ctx.region, ...path });
  const storedDetails = detailsStillHold(stored, ds, ctx.scope.cutoff);
  const detailsRead = Promise.all([
    storedDetails ? applyStoredDetails(ds, storedDetails) : readDataSourceDetails(ctx, path, ds),
    ownIds
      ? Promise.resolve(ownIds({ accountId: ctx.accountId, region: ctx.region, ...path })).then((ids) => {
          ds.ownFullSyncExecutionIds = ids;
        })
      : undefined,
  ]);
  const first = readJobsPage(ctx, path);
  first.catch(() => {}); // read (and its error recorded) by collectSyncJobs
  const reuse = stored?.fullSync
    ? () => {
        const full = fullSyncStillHolds(stored, ds, ctx.scope.cutoff);
        return full && { job: full.job, firstSync: full.basis === "first-sync", from: { auditId: full.auditId, scannedAt: full.scannedAt } };
      }
    : undefined;
  await Promise.all([
    detailsRead,
    collectSyncJobs(ctx, path, ds, { first, detailsRead, reuse }),
    (stored?.documents || stored?.staleDocuments ? documentsOrScan(ctx, { path, ds, first, detailsRead, stored }) : scanDocuments(ctx, path)).then((scan) => {
      ds.documents = scan;
    }),
  ]);
  return ds;
}

/** The stored "every document re-ingested" or "stale" scan when it still holds (judged on the details and the latest jobs), else a scan now. */
async function documentsOrScan(
  ctx: TargetContext,
  o: { path: DataSourcePath; ds: DataSourceInventory; first: Promise<JobsPageOf>; detailsRead: Promise<unknown>; stored: StoredEvidence },
): Promise<DocumentScan> {
  const firstPage = await o.first.catch(() => undefined);
  await o.detailsRead;
  const { cutoff, documentCap } = ctx.scope;
  const reused =
    firstPage && (documentsStillHold(o.stored, o.ds, { cutoff, firstPage, documentCap }) ?? staleDocumentsStillHold(o.stored, o.ds, { cutoff, firstPage }));
  return reused ?? scanDocuments(ctx, o.path);
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
  const scan: DocumentScan = { ...emptyScan(), startedAt: ctx.scope.now().toISOString() };
  let nextToken: string | undefined;
  try {
    do {
      nextToken = await countDocumentsPage(ctx, path, scan, nextToken);
      if (nextToken && scan.scanned >= ctx.scope.documentCap) scan.capped = true;
    } while (nextToken && !scan.capped);
  } catch (e) {
    scan.error = awsErrorInfo(e, "qbusiness:ListDocuments");
  }
  return scan;
}

/**
 * Read and count one page, returning only its token. The page object outlives
 * its count long enough to survive young-generation collections (what holds it
 * is somewhere in the chain of SDK and limiter promises it came back through),
 * and its hundred documents were promoted with it: 460 MB of the large audit's
 * old-generation garbage, most of its peak memory. Emptying the page once
 * counted lets them die young (sampling heap profile, ADR 0017).
 */
async function countDocumentsPage(ctx: TargetContext, path: DataSourcePath, scan: DocumentScan, nextToken: string | undefined): Promise<string | undefined> {
  const cap = ctx.scope.documentCap;
  const { applicationId, indexId, dataSourceId } = path;
  const maxResults = Math.max(1, Math.min(100, cap - scan.scanned));
  const page = await ctx.call("qbusiness:ListDocuments", () =>
    ctx.clients.qbusiness.send(new ListDocumentsCommand({ applicationId, indexId, dataSourceIds: [dataSourceId], maxResults, nextToken })),
  );
  countDocuments(scan, page.documentDetailList ?? [], { cap, cutoff: ctx.scope.cutoff });
  page.documentDetailList = undefined;
  return page.nextToken;
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
