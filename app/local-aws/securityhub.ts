/**
 * The local AWS's AWS Security Hub (restJson1, signing name securityhub):
 * BatchImportFindings (POST /findings/import), GetFindings (POST
 * /findings) and BatchUpdateFindings, as the API reference describes them, so the product's exports
 * can be read back through the real SDK:
 * - at most 100 findings per import (InvalidInputException beyond), each
 *   finding checked on its own (missing required members, an AwsAccountId or
 *   ProductArn not the caller's) and refused in FailedFindings, not the call;
 * - a finding is keyed by ProductArn and Id: importing it again updates it,
 *   keeping the customer's members (Workflow, Note, UserDefinedFields,
 *   VerificationState) and the first CreatedAt;
 * - Workflow.Status is NEW on creation, RESOLVED when Compliance.Status is
 *   PASSED; it turns RESOLVED when the status changes to PASSED from NEW or
 *   NOTIFIED, and back to NEW when a RESOLVED finding stops passing, or
 *   when an ARCHIVED one is imported ACTIVE again (RecordState is the
 *   provider's: ARCHIVED when its resource is gone);
 * - BatchUpdateFindings (PATCH /findings/batchupdate) changes the customer's
 *   members (Workflow, Note, UserDefinedFields, VerificationState) of 1 to
 *   100 findings, unknown ones unprocessed (FindingNotFound);
 * - GetFindings reads the caller's findings in the request's region, with
 *   string filters (EQUALS, PREFIX, NOT_EQUALS, PREFIX_NOT_EQUALS, CONTAINS,
 *   NOT_CONTAINS) on the common members, MaxResults 1..100 and NextToken.
 * State lives per emulator, not in the fixture.
 */
import { AwsError, type EmuRequest, type EmuResponse, type Emulator, type ServiceModule } from "./types";
import { paginate } from "./pagination";

type Asff = Record<string, unknown> & { Id: string; ProductArn: string };

const REQUIRED = [
  "SchemaVersion",
  "Id",
  "ProductArn",
  "GeneratorId",
  "AwsAccountId",
  "Types",
  "CreatedAt",
  "UpdatedAt",
  "Severity",
  "Title",
  "Description",
  "Resources",
] as const;
const CUSTOMER_MEMBERS = ["Workflow", "Note", "UserDefinedFields", "VerificationState"] as const;
export const BATCH_IMPORT_MAX = 100;
const GET_FINDINGS_MAX = 100;

/** Findings per emulator, per region, keyed by ProductArn and Id. */
const stores = new WeakMap<Emulator, Map<string, Map<string, Asff>>>();

function regionStore(emu: Emulator, region: string): Map<string, Asff> {
  let byRegion = stores.get(emu);
  if (!byRegion) stores.set(emu, (byRegion = new Map()));
  let store = byRegion.get(region);
  if (!store) byRegion.set(region, (store = new Map()));
  return store;
}

function invalid(message: string): AwsError {
  return new AwsError("InvalidInputException", message, 400, { Code: "InvalidInputException" });
}

function input(req: EmuRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(req.body.toString("utf8") || "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new AwsError("SerializationException", "Unable to parse the request body as JSON.", 400);
}

function ok(req: EmuRequest, body: unknown): EmuResponse {
  return { status: 200, headers: { "content-type": "application/json", "x-amzn-requestid": req.requestId }, body: JSON.stringify(body) };
}

/** Why one finding is refused, or undefined when it is taken. */
function refusal(f: Record<string, unknown>, req: EmuRequest): { code: string; message: string } | undefined {
  const missing = REQUIRED.find((m) => f[m] === undefined || f[m] === null || f[m] === "");
  if (missing) return { code: "InvalidInput", message: `Finding does not adhere to Amazon Security Finding Format. data.${missing} is required.` };
  if (!Array.isArray(f["Resources"]) || f["Resources"].length === 0)
    return { code: "InvalidInput", message: "Finding does not adhere to Amazon Security Finding Format. data.Resources should NOT have fewer than 1 items." };
  if (f["AwsAccountId"] !== req.accountId) {
    return {
      code: "AccessDeniedException",
      message: `The caller account ${req.accountId} is not allowed to import findings for account ${String(f["AwsAccountId"])}.`,
    };
  }
  const productArn = String(f["ProductArn"]);
  if (productArn !== `arn:aws:securityhub:${req.region}:${req.accountId}:product/${req.accountId}/default`) {
    return { code: "InvalidProductArn", message: `The product ${productArn} is not enabled or not the caller's default product in ${req.region}.` };
  }
  return undefined;
}

const complianceOf = (f: Record<string, unknown>) => (f["Compliance"] as { Status?: string } | undefined)?.Status;
const workflowOf = (f: Record<string, unknown>) => (f["Workflow"] as { Status?: string } | undefined)?.Status;

/** The stored finding after an import: the provider's members, the customer's kept, the workflow moved as Security Hub moves it. */
function merged(old: Asff | undefined, incoming: Asff, now: string): Asff {
  const next: Asff = { ...incoming, ProcessedAt: now, RecordState: incoming["RecordState"] ?? "ACTIVE" };
  for (const member of CUSTOMER_MEMBERS) {
    if (old && old[member] !== undefined) next[member] = old[member];
    else if (!old || member !== "Workflow") delete next[member];
  }
  if (old) next["CreatedAt"] = old["CreatedAt"];
  const passed = complianceOf(incoming) === "PASSED";
  const workflow = old ? (workflowOf(old) ?? "NEW") : passed ? "RESOLVED" : "NEW";
  let status = workflow;
  if (old && passed && complianceOf(old) !== "PASSED" && (workflow === "NEW" || workflow === "NOTIFIED")) status = "RESOLVED";
  if (old && !passed && complianceOf(old) === "PASSED" && workflow === "RESOLVED") status = "NEW";
  // An archived finding made active again needs looking at again (a SUPPRESSED one stays so).
  if (old && old["RecordState"] === "ARCHIVED" && next["RecordState"] === "ACTIVE" && (status === "RESOLVED" || status === "NOTIFIED")) status = "NEW";
  return withWorkflow(next, status);
}

function withWorkflow(f: Asff, status: string): Asff {
  f["Workflow"] = { Status: status };
  f["WorkflowState"] = status === "RESOLVED" ? "RESOLVED" : status === "SUPPRESSED" ? "DEFERRED" : "NEW";
  return f;
}

function batchImportFindings(req: EmuRequest, emu: Emulator): EmuResponse {
  const findings = input(req)["Findings"];
  if (!Array.isArray(findings)) throw invalid("Findings is required.");
  if (findings.length < 1 || findings.length > BATCH_IMPORT_MAX)
    throw invalid(`Findings must contain between 1 and ${BATCH_IMPORT_MAX} items, got ${findings.length}.`);
  const store = regionStore(emu, req.region);
  const now = emu.clock.now().toISOString();
  const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
  for (const raw of findings as Record<string, unknown>[]) {
    const why = refusal(raw, req);
    if (why) {
      failed.push({ Id: String(raw["Id"] ?? ""), ErrorCode: why.code, ErrorMessage: why.message });
      continue;
    }
    const f = raw as Asff;
    const key = `${f.ProductArn}|${f.Id}`;
    store.set(key, merged(store.get(key), f, now));
  }
  return ok(req, { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed });
}

const WORKFLOW_STATUSES = new Set(["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"]);
const VERIFICATION_STATES = new Set(["UNKNOWN", "TRUE_POSITIVE", "FALSE_POSITIVE", "BENIGN_POSITIVE"]);
/** What BatchUpdateFindings may change that the local AWS implements (the API also takes Confidence, Criticality, Severity, Types, RelatedFindings). */
type Updatable = "Workflow" | "Note" | "UserDefinedFields" | "VerificationState";

/** The customer's update as the API reference validates it; throws InvalidInputException for the whole call. */
function customerUpdate(params: Record<string, unknown>, now: string): Partial<Record<Updatable, unknown>> {
  const unsupported = ["Confidence", "Criticality", "Severity", "Types", "RelatedFindings"].find((m) => params[m] !== undefined);
  if (unsupported) throw invalid(`The local AWS does not update ${unsupported} with BatchUpdateFindings.`);
  const update: Partial<Record<Updatable, unknown>> = {};
  const workflow = params["Workflow"] as { Status?: string } | undefined;
  if (workflow !== undefined) {
    if (!workflow.Status || !WORKFLOW_STATUSES.has(workflow.Status)) throw invalid(`Invalid Workflow.Status ${String(workflow.Status)}.`);
    update.Workflow = { Status: workflow.Status };
  }
  const note = params["Note"] as { Text?: string; UpdatedBy?: string } | undefined;
  if (note !== undefined) {
    if (!note.Text || !note.UpdatedBy) throw invalid("Note requires Text and UpdatedBy.");
    if (note.Text.length > 512) throw invalid("Note.Text must be at most 512 characters.");
    update.Note = { Text: note.Text, UpdatedBy: note.UpdatedBy, UpdatedAt: now };
  }
  if (params["UserDefinedFields"] !== undefined) update.UserDefinedFields = params["UserDefinedFields"];
  if (params["VerificationState"] !== undefined) {
    if (!VERIFICATION_STATES.has(String(params["VerificationState"]))) throw invalid(`Invalid VerificationState ${String(params["VerificationState"])}.`);
    update.VerificationState = params["VerificationState"];
  }
  if (Object.keys(update).length === 0) throw invalid("At least one field to update is required.");
  return update;
}

/**
 * BatchUpdateFindings (PATCH /findings/batchupdate): the customer's side of a
 * finding (workflow, note, user-defined fields, verification state) for 1 to
 * 100 findings by Id and ProductArn; a finding the caller does not hold is
 * unprocessed, not a failed call. UpdatedAt does not change.
 */
function batchUpdateFindings(req: EmuRequest, emu: Emulator): EmuResponse {
  const params = input(req);
  const ids = params["FindingIdentifiers"];
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > BATCH_IMPORT_MAX)
    throw invalid(`FindingIdentifiers must contain between 1 and ${BATCH_IMPORT_MAX} items.`);
  const update = customerUpdate(params, emu.clock.now().toISOString());
  const store = regionStore(emu, req.region);
  const processed: { Id: string; ProductArn: string }[] = [];
  const unprocessed: { FindingIdentifier: { Id: string; ProductArn: string }; ErrorCode: string; ErrorMessage: string }[] = [];
  for (const raw of ids as { Id?: string; ProductArn?: string }[]) {
    const id = { Id: String(raw.Id ?? ""), ProductArn: String(raw.ProductArn ?? "") };
    const found = store.get(`${id.ProductArn}|${id.Id}`);
    if (!found || found["AwsAccountId"] !== req.accountId) {
      unprocessed.push({ FindingIdentifier: id, ErrorCode: "FindingNotFound", ErrorMessage: "Finding Not Found" });
      continue;
    }
    const { Workflow, ...rest } = update;
    Object.assign(found, rest);
    if (Workflow) withWorkflow(found, (Workflow as { Status: string }).Status);
    processed.push(id);
  }
  return ok(req, { ProcessedFindings: processed, UnprocessedFindings: unprocessed });
}

type StringFilter = { Value?: string; Comparison?: string };

/** The finding's value a filter name reads (the common members of AwsSecurityFindingFilters). */
function fieldOf(f: Asff, name: string): string | undefined {
  const resources = (f["Resources"] as { Id?: string; Type?: string }[] | undefined) ?? [];
  const read: Record<string, () => unknown> = {
    Id: () => f.Id,
    ProductArn: () => f.ProductArn,
    GeneratorId: () => f["GeneratorId"],
    AwsAccountId: () => f["AwsAccountId"],
    Region: () => f["Region"],
    Title: () => f["Title"],
    RecordState: () => f["RecordState"],
    ComplianceStatus: () => complianceOf(f),
    WorkflowStatus: () => workflowOf(f),
    SeverityLabel: () => (f["Severity"] as { Label?: string } | undefined)?.Label,
    ResourceId: () => resources[0]?.Id,
    ResourceType: () => resources[0]?.Type,
  };
  const value = read[name]?.();
  return typeof value === "string" ? value : undefined;
}

function matchesOne(value: string | undefined, filter: StringFilter): boolean {
  const v = value ?? "";
  const want = filter.Value ?? "";
  switch (filter.Comparison) {
    case "EQUALS":
      return v === want;
    case "NOT_EQUALS":
      return v !== want;
    case "PREFIX":
      return v.startsWith(want);
    case "PREFIX_NOT_EQUALS":
      return !v.startsWith(want);
    case "CONTAINS":
      return v.includes(want);
    case "NOT_CONTAINS":
      return !v.includes(want);
    default:
      throw invalid(`Invalid Comparison ${String(filter.Comparison)}.`);
  }
}

/** Filters on one member: the positive ones OR-ed, the negative ones AND-ed (as the API reference says). */
function matchesField(f: Asff, name: string, filters: StringFilter[]): boolean {
  const value = fieldOf(f, name);
  const negative = filters.filter((x) => x.Comparison?.startsWith("NOT_") || x.Comparison === "PREFIX_NOT_EQUALS");
  const positive = filters.filter((x) => !negative.includes(x));
  return negative.every((x) => matchesOne(value, x)) && (positive.length === 0 || positive.some((x) => matchesOne(value, x)));
}

const KNOWN_FILTERS = new Set([
  "Id",
  "ProductArn",
  "GeneratorId",
  "AwsAccountId",
  "Region",
  "Title",
  "RecordState",
  "ComplianceStatus",
  "WorkflowStatus",
  "SeverityLabel",
  "ResourceId",
  "ResourceType",
]);

function getFindings(req: EmuRequest, emu: Emulator): EmuResponse {
  const params = input(req);
  const filters = (params["Filters"] as Record<string, StringFilter[]> | undefined) ?? {};
  for (const name of Object.keys(filters)) if (!KNOWN_FILTERS.has(name)) throw invalid(`The local AWS does not filter on ${name}.`);
  const mine = [...regionStore(emu, req.region).values()].filter((f) => f["AwsAccountId"] === req.accountId);
  const selected = mine.filter((f) => Object.entries(filters).every(([name, list]) => matchesField(f, name, list)));
  const page = paginate(selected, {
    maxResults: params["MaxResults"] as number | undefined,
    nextToken: params["NextToken"] as string | undefined,
    limit: GET_FINDINGS_MAX,
    scope: `securityhub:${req.accountId}:${req.region}`,
    maxResultsName: "MaxResults",
    nextTokenName: "NextToken",
    invalid: (message) => invalid(message),
  });
  return ok(req, { Findings: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) });
}

const ROUTES: Record<string, { method: string; path: string; run: (req: EmuRequest, emu: Emulator) => EmuResponse }> = {
  BatchImportFindings: { method: "POST", path: "/findings/import", run: batchImportFindings },
  GetFindings: { method: "POST", path: "/findings", run: getFindings },
  BatchUpdateFindings: { method: "PATCH", path: "/findings/batchupdate", run: batchUpdateFindings },
};

export const securityHubService: ServiceModule = {
  service: "securityhub",
  protocol: "restJson1",
  maxBodyBytes: 6 * 1024 * 1024,
  operationOf(req) {
    return Object.entries(ROUTES).find(([, r]) => r.method === req.method && r.path === req.path)?.[0];
  },
  handle(operation, req, emu) {
    const route = ROUTES[operation];
    if (!route) throw new AwsError("UnknownOperationException", "Unknown operation", 404);
    return route.run(req, emu);
  },
};

/** Every finding the emulator holds (tests and the demo; not an AWS API). */
export function securityHubFindings(emu: Emulator, region: string): Asff[] {
  return [...regionStore(emu, region).values()];
}
