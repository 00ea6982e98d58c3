/**
 * The local AWS's Amazon Q Business: restJson1 exactly as the API model
 * (test/helpers/aws-models/qbusiness-2023-11-27.service-2.json) defines paths,
 * query names, shapes and errors, answering from the fleet state of the
 * caller's account and region (mutated in place by the write operations).
 */
import type { FixtureAccount, FixtureApplication, FixtureDataSource, FixtureIndex, FixtureSyncJob, FixtureWebExperience } from "./fixture-types";
import { paginate } from "./pagination";
import { presignS3Url } from "./s3";
import { AwsError, type EmuRequest, type EmuResponse, type Emulator, type ServiceModule } from "./types";
import {
  batchDeleteDocuments,
  batchPutDocuments,
  checkBatchDeleteInput,
  checkBatchPutInput,
  checkDataSourceIdsFilter,
  checkDocumentContentInput,
  documentContent,
  documentsToList,
  MAX_DOCUMENT_BYTES,
} from "./qbusiness-documents";
import { DEFAULT_SYNC_DURATION_SECONDS, settleDataSource, settleSyncJobs, startSyncJob, stopSyncJob } from "./qbusiness-sync";
import {
  ROLE_ARN_PATTERN,
  WEB_EXPERIENCE_ID_PATTERN,
  cannotParse,
  checkString,
  compact,
  epochSeconds,
  fieldError,
  json,
  jsonBody,
  notFound,
  queryTime,
  requireResourceId,
} from "./qbusiness-wire";

export { settleSyncJobs, DEFAULT_SYNC_DURATION_SECONDS };
export { FULL_SYNC_REQUIRED_MESSAGE, RAW_DOWNLOAD_CUTOFF } from "./qbusiness-documents";

/** Page-size limits of the real API (model: MaxResultsIntegerFor...). */
const PAGE_LIMIT = { default: 100, dataSources: 10, syncJobs: 10 } as const;
const PAGE_LIMIT_OF: Record<string, number> = {
  ListApplications: PAGE_LIMIT.default,
  ListIndices: PAGE_LIMIT.default,
  ListDataSources: PAGE_LIMIT.dataSources,
  ListDataSourceSyncJobs: PAGE_LIMIT.syncJobs,
  ListDocuments: PAGE_LIMIT.default,
  ListWebExperiences: PAGE_LIMIT.default,
};

/** GetDocumentContent's URLs last 5 minutes, as the service's do. */
const PRESIGNED_URL_SECONDS = 300;

type Params = Record<string, string>;

/** [operation, method, path template]: the model's http bindings for the operations the emulator serves. */
const ROUTES: ReadonlyArray<readonly [string, string, string]> = [
  ["ListApplications", "GET", "/applications"],
  ["GetApplication", "GET", "/applications/{applicationId}"],
  ["ListIndices", "GET", "/applications/{applicationId}/indices"],
  ["GetIndex", "GET", "/applications/{applicationId}/indices/{indexId}"],
  ["ListDataSources", "GET", "/applications/{applicationId}/indices/{indexId}/datasources"],
  ["GetDataSource", "GET", "/applications/{applicationId}/indices/{indexId}/datasources/{dataSourceId}"],
  ["UpdateDataSource", "PUT", "/applications/{applicationId}/indices/{indexId}/datasources/{dataSourceId}"],
  ["ListDataSourceSyncJobs", "GET", "/applications/{applicationId}/indices/{indexId}/datasources/{dataSourceId}/syncjobs"],
  ["StartDataSourceSyncJob", "POST", "/applications/{applicationId}/indices/{indexId}/datasources/{dataSourceId}/startsync"],
  ["StopDataSourceSyncJob", "POST", "/applications/{applicationId}/indices/{indexId}/datasources/{dataSourceId}/stopsync"],
  ["ListDocuments", "GET", "/applications/{applicationId}/index/{indexId}/documents"],
  ["GetDocumentContent", "GET", "/applications/{applicationId}/index/{indexId}/documents/{documentId}/content"],
  ["BatchPutDocument", "POST", "/applications/{applicationId}/indices/{indexId}/documents"],
  ["BatchDeleteDocument", "POST", "/applications/{applicationId}/indices/{indexId}/documents/delete"],
  ["ListWebExperiences", "GET", "/applications/{applicationId}/experiences"],
  ["GetWebExperience", "GET", "/applications/{applicationId}/experiences/{webExperienceId}"],
];

/**
 * Matches the request against the routes. Labels are decoded per segment
 * from the raw path, so a document id holding "/" (sent as %2F) stays one label.
 */
function route(req: EmuRequest): { operation: string; params: Params } | undefined {
  const raw = (req.rawPath || req.path).split("?")[0].replace(/\/+$/, "") || "/";
  let segments: string[];
  try {
    segments = raw
      .split("/")
      .slice(1)
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  for (const [operation, method, template] of ROUTES) {
    if (method !== req.method.toUpperCase()) continue;
    const parts = template.split("/").slice(1);
    if (parts.length !== segments.length) continue;
    const params: Params = {};
    const matches = parts.every((part, i) => {
      if (part.startsWith("{")) {
        params[part.slice(1, -1)] = segments[i];
        return segments[i].length > 0;
      }
      return part === segments[i];
    });
    if (matches) return { operation, params };
  }
  return undefined;
}

/**
 * The part of request validation every operation shares, run before any
 * resource is looked up (as the service validates a request first): path
 * labels and the page parameters against the model. The handlers check their
 * own query and body members before their lookups too.
 */
function validateRequest(operation: string, params: Params, req: EmuRequest): void {
  for (const [name, value] of Object.entries(params)) {
    if (name === "documentId") continue; // GetDocumentContent checks it with its query
    requireResourceId(name, value, name === "webExperienceId" ? WEB_EXPERIENCE_ID_PATTERN : undefined);
  }
  const limit = PAGE_LIMIT_OF[operation];
  if (limit !== undefined) {
    // The page size only: whether a nextToken is one of ours depends on the list it names.
    paginate([], { maxResults: req.query.get("maxResults"), limit, scope: operation });
    checkString("nextToken", req.query.get("nextToken") ?? undefined, { min: 1, max: 800 });
  }
}

// ---------------------------------------------------------------- state lookup

interface Scope {
  emu: Emulator;
  req: EmuRequest;
  account: FixtureAccount | undefined;
  applications: FixtureApplication[];
}

function scopeOf(req: EmuRequest, emu: Emulator): Scope {
  const account = emu.account(req.accountId);
  return { emu, req, account, applications: account?.regions[req.region]?.applications ?? [] };
}

function applicationArn(s: Scope, app: FixtureApplication): string {
  return `arn:aws:qbusiness:${s.req.region}:${s.req.accountId}:application/${app.applicationId}`;
}

function findApplication(s: Scope, params: Params): FixtureApplication {
  const id = requireResourceId("applicationId", params.applicationId);
  const app = s.applications.find((a) => a.applicationId === id);
  if (!app) throw notFound("APPLICATION", id);
  return app;
}

function findIndex(app: FixtureApplication, params: Params): FixtureIndex {
  const id = requireResourceId("indexId", params.indexId);
  const index = app.indices.find((i) => i.indexId === id);
  if (!index) throw notFound("INDEX", id);
  return index;
}

function findDataSource(s: Scope, index: FixtureIndex, params: Params): FixtureDataSource {
  const id = requireResourceId("dataSourceId", params.dataSourceId);
  const ds = index.dataSources.find((d) => d.dataSourceId === id);
  if (!ds) throw notFound("DATA_SOURCE", id);
  settleDataSource(s.emu, ds);
  return ds;
}

function findWebExperience(app: FixtureApplication, params: Params): FixtureWebExperience {
  const id = requireResourceId("webExperienceId", params.webExperienceId, WEB_EXPERIENCE_ID_PATTERN);
  const we = app.webExperiences.find((w) => w.webExperienceId === id);
  if (!we) throw notFound("WEB_EXPERIENCE", id);
  return we;
}

function pageOf<T>(s: Scope, items: readonly T[], limit: number, listScope: string) {
  return paginate(items, {
    maxResults: s.req.query.get("maxResults"),
    nextToken: s.req.query.get("nextToken"),
    limit,
    scope: listScope,
  });
}

// ---------------------------------------------------------------- shapes

function syncJobShape(job: FixtureSyncJob) {
  return compact({
    executionId: job.executionId,
    startTime: epochSeconds(job.startTime),
    endTime: epochSeconds(job.endTime),
    status: job.status,
    error: job.error,
    dataSourceErrorCode: job.dataSourceErrorCode,
    metrics: job.metrics,
  });
}

/**
 * Members UpdateDataSource accepts that the fixture shape has no place for;
 * kept beside the data source so GetDataSource returns them as sent.
 */
const extraDataSourceMembers = new WeakMap<FixtureDataSource, Record<string, unknown>>();

/** SubnetId and SecurityGroupId (model): 1..200 characters of this pattern. */
const VPC_ID_PATTERN = /^[-0-9a-zA-Z]+$/;
const EXTRACTION_STATUSES = ["ENABLED", "DISABLED"] as const;

function objectMember(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw cannotParse(`${name} must be an object.`);
  return value as Record<string, unknown>;
}

/**
 * The model's constraints on UpdateDataSource's vpcConfiguration and
 * mediaExtractionConfiguration, which GetDataSource returns as stored: the
 * service refuses them unless they fit. (documentEnrichmentConfiguration is
 * stored as sent, unchecked.)
 */
function checkDataSourceStructures(body: Record<string, unknown>): void {
  if (body["vpcConfiguration"] !== undefined) {
    const vpc = objectMember("vpcConfiguration", body["vpcConfiguration"]);
    for (const name of ["subnetIds", "securityGroupIds"]) {
      const list = vpc[name];
      if (list === undefined || list === null) throw fieldError(`vpcConfiguration.${name}`, "null", "Member must not be null");
      if (!Array.isArray(list)) throw cannotParse(`vpcConfiguration.${name} must be a list.`);
      if (name === "securityGroupIds" && (list.length < 1 || list.length > 10)) {
        throw fieldError(`vpcConfiguration.${name}`, `list of ${list.length}`, "Member must have length between 1 and 10");
      }
      list.forEach((id, i) => checkString(`vpcConfiguration.${name}.${i + 1}.member`, id, { required: true, min: 1, max: 200, pattern: VPC_ID_PATTERN }));
    }
  }
  if (body["mediaExtractionConfiguration"] !== undefined) {
    const media = objectMember("mediaExtractionConfiguration", body["mediaExtractionConfiguration"]);
    for (const kind of ["image", "audio", "video"]) {
      const name = `mediaExtractionConfiguration.${kind}ExtractionConfiguration`;
      if (media[`${kind}ExtractionConfiguration`] === undefined) continue;
      const config = objectMember(name, media[`${kind}ExtractionConfiguration`]);
      checkString(`${name}.${kind}ExtractionStatus`, config[`${kind}ExtractionStatus`], { required: true, enum: EXTRACTION_STATUSES });
    }
  }
}

const SYNC_STATUSES = ["FAILED", "SUCCEEDED", "SYNCING", "INCOMPLETE", "STOPPING", "ABORTED", "SYNCING_INDEXING"];

// ---------------------------------------------------------------- handlers

type Handler = (s: Scope, p: Params) => EmuResponse | Promise<EmuResponse>;

const handlers: Record<string, Handler> = {
  ListApplications(s) {
    const page = pageOf(s, s.applications, PAGE_LIMIT.default, `ListApplications:${s.req.accountId}:${s.req.region}`);
    return json(
      compact({
        applications: page.items.map((app) => ({
          displayName: app.displayName,
          applicationId: app.applicationId,
          createdAt: epochSeconds(app.createdAt),
          updatedAt: epochSeconds(app.updatedAt ?? app.createdAt),
          status: app.status,
          identityType: app.identityType,
        })),
        nextToken: page.nextToken,
      }),
    );
  },

  GetApplication(s, p) {
    const app = findApplication(s, p);
    return json({
      displayName: app.displayName,
      applicationId: app.applicationId,
      applicationArn: applicationArn(s, app),
      identityType: app.identityType,
      status: app.status,
      createdAt: epochSeconds(app.createdAt),
      updatedAt: epochSeconds(app.updatedAt ?? app.createdAt),
    });
  },

  ListIndices(s, p) {
    const app = findApplication(s, p);
    const page = pageOf(s, app.indices, PAGE_LIMIT.default, `ListIndices:${app.applicationId}`);
    return json(
      compact({
        indices: page.items.map((index) => ({
          displayName: index.displayName,
          indexId: index.indexId,
          createdAt: epochSeconds(index.createdAt),
          updatedAt: epochSeconds(index.updatedAt ?? index.createdAt),
          status: index.status,
        })),
        nextToken: page.nextToken,
      }),
    );
  },

  GetIndex(s, p) {
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    for (const ds of index.dataSources) settleDataSource(s.emu, ds);
    const documentCount = index.dataSources.reduce((n, ds) => n + ds.documents.length, 0) + (index.uploadedDocuments?.length ?? 0);
    return json({
      applicationId: app.applicationId,
      indexId: index.indexId,
      displayName: index.displayName,
      indexArn: `${applicationArn(s, app)}/index/${index.indexId}`,
      status: index.status,
      type: index.type,
      createdAt: epochSeconds(index.createdAt),
      updatedAt: epochSeconds(index.updatedAt ?? index.createdAt),
      indexStatistics: { textDocumentStatistics: { indexedTextDocumentCount: documentCount } },
    });
  },

  ListDataSources(s, p) {
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    const page = pageOf(s, index.dataSources, PAGE_LIMIT.dataSources, `ListDataSources:${index.indexId}`);
    return json(
      compact({
        dataSources: page.items.map((ds) => ({
          displayName: ds.displayName,
          dataSourceId: ds.dataSourceId,
          type: ds.type,
          createdAt: epochSeconds(ds.createdAt),
          updatedAt: epochSeconds(ds.updatedAt),
          status: ds.status,
        })),
        nextToken: page.nextToken,
      }),
    );
  },

  GetDataSource(s, p) {
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    const ds = findDataSource(s, index, p);
    return json(
      compact({
        applicationId: app.applicationId,
        indexId: index.indexId,
        dataSourceId: ds.dataSourceId,
        dataSourceArn: `${applicationArn(s, app)}/index/${index.indexId}/data-source/${ds.dataSourceId}`,
        displayName: ds.displayName,
        type: ds.type,
        configuration: ds.configuration,
        createdAt: epochSeconds(ds.createdAt),
        updatedAt: epochSeconds(ds.updatedAt),
        description: ds.description,
        status: ds.status,
        syncSchedule: ds.syncSchedule,
        roleArn: ds.roleArn,
        ...extraDataSourceMembers.get(ds),
      }),
    );
  },

  /**
   * Replaces the members given (configuration exactly as sent). A running
   * sync is not refused and keeps the mode it started with.
   */
  UpdateDataSource(s, p) {
    const body = jsonBody(s.req.body);
    const text = (name: string, max: number, pattern?: RegExp): string | undefined => {
      const value = body[name];
      if (value === undefined) return undefined;
      if (typeof value !== "string") throw fieldError(name, value, "Member must be a string");
      if (value.length > max) throw fieldError(name, value, `Member must have length less than or equal to ${max}`);
      if (pattern && !pattern.test(value)) {
        throw fieldError(name, value, `Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`);
      }
      return value;
    };
    const displayName = text("displayName", 1000, /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/);
    const description = text("description", 1000);
    const syncSchedule = text("syncSchedule", 998);
    const roleArn = text("roleArn", 1284, ROLE_ARN_PATTERN);
    const configuration = body["configuration"];
    if (configuration !== undefined && (configuration === null || typeof configuration !== "object" || Array.isArray(configuration))) {
      throw fieldError("configuration", JSON.stringify(configuration), "Member must be a JSON object");
    }
    checkDataSourceStructures(body);
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    const ds = findDataSource(s, index, p);
    if (displayName !== undefined) ds.displayName = displayName;
    if (description !== undefined) ds.description = description;
    if (syncSchedule !== undefined) ds.syncSchedule = syncSchedule;
    if (roleArn !== undefined) ds.roleArn = roleArn;
    if (configuration !== undefined) ds.configuration = configuration as Record<string, unknown>;
    const extras = { ...extraDataSourceMembers.get(ds) };
    for (const name of ["vpcConfiguration", "documentEnrichmentConfiguration", "mediaExtractionConfiguration"]) {
      if (body[name] !== undefined) extras[name] = body[name];
    }
    extraDataSourceMembers.set(ds, extras);
    ds.updatedAt = s.emu.clock.now().toISOString();
    return json({});
  },

  ListDataSourceSyncJobs(s, p) {
    const from = queryTime(s.req.query, "startTime");
    const to = queryTime(s.req.query, "endTime");
    const status = s.req.query.get("syncStatus");
    if (status !== null && !SYNC_STATUSES.includes(status)) {
      throw fieldError("statusFilter", status, `Member must satisfy enum value set: [${SYNC_STATUSES.join(", ")}]`);
    }
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    const ds = findDataSource(s, index, p);
    // The time range filters on when a job started; the service serves the newest first.
    const jobs = ds.syncJobs
      .filter((job) => {
        const started = Date.parse(job.startTime);
        return (from === undefined || started >= from) && (to === undefined || started <= to) && (status === null || job.status === status);
      })
      .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
    const filterKey = `${from ?? ""}:${to ?? ""}:${status ?? ""}`;
    const page = pageOf(s, jobs, PAGE_LIMIT.syncJobs, `ListDataSourceSyncJobs:${ds.dataSourceId}:${filterKey}`);
    return json(compact({ history: page.items.map(syncJobShape), nextToken: page.nextToken }));
  },

  StartDataSourceSyncJob(s, p) {
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    const ds = findDataSource(s, index, p);
    const job = startSyncJob(s.emu, s.account!, ds);
    return json({ executionId: job.executionId });
  },

  StopDataSourceSyncJob(s, p) {
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    const ds = findDataSource(s, index, p);
    stopSyncJob(s.emu, ds);
    return json({});
  },

  ListDocuments(s, p) {
    const filter = s.req.query
      .getAll("dataSourceIds")
      .flatMap((v) => v.split(","))
      .filter((v) => v !== "");
    checkDataSourceIdsFilter(filter);
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    const documents = documentsToList(s.emu, index, filter);
    const page = pageOf(s, documents, PAGE_LIMIT.default, `ListDocuments:${index.indexId}:${filter.join(",")}`);
    return json(compact({ documentDetailList: page.items, nextToken: page.nextToken }));
  },

  async GetDocumentContent(s, p) {
    checkDocumentContentInput(p.documentId, s.req.query);
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    const link = documentContent(s.emu, { account: s.account!, app, index }, p.documentId, s.req.query);
    const presignedUrl = await presignS3Url(s.emu, {
      accountId: s.req.accountId,
      region: s.req.region,
      bucket: link.bucket,
      key: link.key,
      expiresSeconds: PRESIGNED_URL_SECONDS,
    });
    return json({ presignedUrl, mimeType: link.mimeType });
  },

  BatchPutDocument(s, p) {
    checkBatchPutInput(jsonBody(s.req.body));
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    for (const ds of index.dataSources) settleDataSource(s.emu, ds);
    return json(batchPutDocuments(s.emu, s.account!, app, index, jsonBody(s.req.body)));
  },

  BatchDeleteDocument(s, p) {
    checkBatchDeleteInput(jsonBody(s.req.body));
    const app = findApplication(s, p);
    const index = findIndex(app, p);
    for (const ds of index.dataSources) settleDataSource(s.emu, ds);
    return json(batchDeleteDocuments(index, jsonBody(s.req.body)));
  },

  ListWebExperiences(s, p) {
    const app = findApplication(s, p);
    const page = pageOf(s, app.webExperiences, PAGE_LIMIT.default, `ListWebExperiences:${app.applicationId}`);
    return json(
      compact({
        webExperiences: page.items.map((we) =>
          compact({
            webExperienceId: we.webExperienceId,
            createdAt: epochSeconds(we.createdAt),
            updatedAt: epochSeconds(we.updatedAt),
            defaultEndpoint: we.defaultEndpoint,
            status: we.status,
          }),
        ),
        nextToken: page.nextToken,
      }),
    );
  },

  GetWebExperience(s, p) {
    const app = findApplication(s, p);
    const we = findWebExperience(app, p);
    return json(
      compact({
        applicationId: app.applicationId,
        webExperienceId: we.webExperienceId,
        webExperienceArn: `${applicationArn(s, app)}/web-experience/${we.webExperienceId}`,
        defaultEndpoint: we.defaultEndpoint,
        status: we.status,
        createdAt: epochSeconds(we.createdAt),
        updatedAt: epochSeconds(we.updatedAt),
        roleArn: we.roleArn,
      }),
    );
  },
};

/**
 * The largest request: a BatchPutDocument of 10 documents at 50 MB each,
 * base64 in JSON (4/3), plus room for the rest of the JSON.
 */
const MAX_REQUEST_BYTES = Math.ceil((10 * MAX_DOCUMENT_BYTES * 4) / 3) + 1024 * 1024;

export const qbusinessService: ServiceModule = {
  service: "qbusiness",
  protocol: "restJson1",
  maxBodyBytes: MAX_REQUEST_BYTES,
  claimsUnsigned: (head) => head.rawPath.startsWith("/applications"),
  operationOf(req) {
    return route(req)?.operation;
  },
  async handle(operation, req, emu) {
    const matched = route(req);
    const handler = handlers[operation];
    if (!matched || matched.operation !== operation || !handler) {
      throw new AwsError("UnknownOperationException", `Unknown operation ${req.method} ${req.path}`, 404);
    }
    validateRequest(operation, matched.params, req);
    return handler(scopeOf(req, emu), matched.params);
  },
};
