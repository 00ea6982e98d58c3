/**
 * The official Amazon Q Business API model (botocore service-2 JSON, a copy
 * kept in aws-models/qbusiness-2023-11-27.service-2.json beside this
 * file so the tests run anywhere) and a checker that holds a raw restJson1
 * answer against it: members, types, enums, required members, length and
 * range constraints, status codes, header bindings and error shapes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import type { QBusinessClient } from "@aws-sdk/client-qbusiness";

export interface ModelMember {
  shape: string;
  location?: "uri" | "querystring" | "header" | "headers" | "statusCode";
  locationName?: string;
  timestampFormat?: "iso8601" | "epoch-seconds" | "unixTimestamp" | "rfc822";
}

export interface ModelShape {
  type: "structure" | "string" | "list" | "map" | "blob" | "boolean" | "long" | "integer" | "timestamp" | "double" | "float";
  members?: Record<string, ModelMember>;
  required?: string[];
  member?: ModelMember;
  key?: ModelMember;
  value?: ModelMember;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  document?: boolean;
  union?: boolean;
  timestampFormat?: ModelMember["timestampFormat"];
  error?: { httpStatusCode: number; senderFault?: boolean };
  exception?: boolean;
}

export interface ModelOperation {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string };
  errors?: { shape: string }[];
}

export interface ServiceModel {
  metadata: { protocol: string };
  operations: Record<string, ModelOperation>;
  shapes: Record<string, ModelShape>;
}

export const MODEL_PATH = path.join(__dirname, "aws-models", "qbusiness-2023-11-27.service-2.json");

export function loadQBusinessModel(): ServiceModel {
  return JSON.parse(readFileSync(MODEL_PATH, "utf8")) as ServiceModel;
}

/** What the emulator sent back, before the SDK parsed it. */
export interface RawResponse {
  status: number;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: string;
}

/**
 * Records the raw HTTP answer of every call the client makes: a middleware
 * innermost in the deserialize step (next to the transport) reads the body
 * and hands the SDK an identical stream, so the SDK still parses it normally.
 * Returns a getter for the latest answer.
 */
export function captureRawResponses(client: QBusinessClient): () => RawResponse | undefined {
  let last: RawResponse | undefined;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const response = result.response as {
        statusCode: number;
        headers: Record<string, string>;
        body?: AsyncIterable<Uint8Array> | Uint8Array | string;
      };
      const chunks: Buffer[] = [];
      if (typeof response.body === "string" || response.body instanceof Uint8Array) {
        chunks.push(Buffer.from(response.body));
      } else if (response.body) {
        for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
      }
      const bytes = Buffer.concat(chunks);
      response.body = Readable.from([bytes]);
      last = {
        status: response.statusCode,
        headers: Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), String(v)])),
        body: bytes.toString("utf8"),
      };
      return result;
    },
    { step: "deserialize", priority: "low", name: "captureRawResponse" },
  );
  return () => last;
}

// ---------------------------------------------------------------- checking values against shapes

/**
 * Where `value` departs from `shapeName`, one line per problem ("path: what").
 * Empty when the value conforms. restJson1 rules: timestamps are epoch-second
 * numbers unless the member or shape says otherwise, blobs are base64 strings,
 * a `document` structure is any JSON.
 *
 * `ignorePatternOf` names string shapes whose `pattern` is not enforced on
 * output (the caller says why); every other constraint still is.
 */
export function shapeProblems(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  at = "$",
  opts: { timestampFormat?: ModelMember["timestampFormat"]; ignorePatternOf?: ReadonlySet<string> } = {},
): string[] {
  const shape = model.shapes[shapeName];
  if (!shape) return [`${at}: model has no shape ${shapeName}`];
  const problems: string[] = [];
  const bad = (what: string) => problems.push(`${at}: ${what} (shape ${shapeName})`);
  const member = (m: ModelMember, v: unknown, where: string) =>
    problems.push(...shapeProblems(model, m.shape, v, where, { ...opts, timestampFormat: m.timestampFormat }));

  switch (shape.type) {
    case "structure": {
      if (shape.document) return problems;
      if (!isObject(value)) return [`${at}: expected an object, got ${describe(value)} (shape ${shapeName})`];
      const members = shape.members ?? {};
      for (const [name, v] of Object.entries(value)) {
        const m = members[name];
        if (!m) bad(`member "${name}" is not in the model`);
        else if (m.location) bad(`member "${name}" is bound to ${m.location} "${m.locationName}", not the body`);
        else if (v === null) bad(`member "${name}" is null`);
        else member(m, v, `${at}.${name}`);
      }
      for (const name of shape.required ?? []) {
        if (!members[name]?.location && value[name] === undefined) bad(`required member "${name}" is missing`);
      }
      if (shape.union && Object.keys(value).length !== 1) bad(`a union must set exactly one member`);
      break;
    }
    case "list":
      if (!Array.isArray(value)) return [`${at}: expected a list, got ${describe(value)} (shape ${shapeName})`];
      lengthProblems(shape, value.length, bad);
      value.forEach((item, i) => member(shape.member!, item, `${at}[${i}]`));
      break;
    case "map":
      if (!isObject(value)) return [`${at}: expected a map, got ${describe(value)} (shape ${shapeName})`];
      lengthProblems(shape, Object.keys(value).length, bad);
      for (const [k, v] of Object.entries(value)) {
        member(shape.key!, k, `${at}{key ${k}}`);
        member(shape.value!, v, `${at}.${k}`);
      }
      break;
    case "string":
      if (typeof value !== "string") return [`${at}: expected a string, got ${describe(value)} (shape ${shapeName})`];
      if (shape.enum && !shape.enum.includes(value)) bad(`"${value}" is not one of ${shape.enum.join("|")}`);
      lengthProblems(shape, [...value].length, bad);
      if (shape.pattern && !opts.ignorePatternOf?.has(shapeName) && !fullMatch(shape.pattern, value)) {
        bad(`"${value}" does not match the pattern ${shape.pattern}`);
      }
      break;
    case "integer":
    case "long":
      if (typeof value !== "number" || !Number.isInteger(value)) return [`${at}: expected an integer, got ${describe(value)} (shape ${shapeName})`];
      rangeProblems(shape, value, bad);
      break;
    case "double":
    case "float":
      if (typeof value !== "number") return [`${at}: expected a number, got ${describe(value)} (shape ${shapeName})`];
      rangeProblems(shape, value, bad);
      break;
    case "boolean":
      if (typeof value !== "boolean") bad(`expected a boolean, got ${describe(value)}`);
      break;
    case "blob":
      if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) bad(`expected a base64 string, got ${describe(value)}`);
      break;
    case "timestamp": {
      const format = opts.timestampFormat ?? shape.timestampFormat ?? "unixTimestamp";
      if (format === "unixTimestamp" || format === "epoch-seconds") {
        if (typeof value !== "number" || !Number.isFinite(value)) bad(`expected epoch seconds (a number), got ${describe(value)}`);
      } else if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
        bad(`expected a ${format} date string, got ${describe(value)}`);
      }
      break;
    }
    default:
      bad(`unknown shape type ${String(shape.type)}`);
  }
  return problems;
}

function lengthProblems(shape: ModelShape, length: number, bad: (what: string) => void): void {
  if (shape.min !== undefined && length < shape.min) bad(`length ${length} is below the minimum ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) bad(`length ${length} is above the maximum ${shape.max}`);
}

function rangeProblems(shape: ModelShape, n: number, bad: (what: string) => void): void {
  if (shape.min !== undefined && n < shape.min) bad(`${n} is below the minimum ${shape.min}`);
  if (shape.max !== undefined && n > shape.max) bad(`${n} is above the maximum ${shape.max}`);
}

/** Model patterns are Java regexes matched against the whole value; the ones here are valid in JS with the u flag. */
function fullMatch(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`, "u").test(value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 60)}`;
}

// ---------------------------------------------------------------- whole answers

/**
 * Where a raw success answer departs from the operation's output: status
 * (http.responseCode, 200 when absent), body against the output shape's body
 * members, header-bound members present as headers when required.
 */
export function successProblems(model: ServiceModel, operation: string, raw: RawResponse, opts: { ignorePatternOf?: ReadonlySet<string> } = {}): string[] {
  const op = model.operations[operation];
  const problems: string[] = [];
  const expected = op.http.responseCode ?? 200;
  if (raw.status !== expected) problems.push(`status ${raw.status}, the model says ${expected}`);
  const output = op.output ? model.shapes[op.output.shape] : undefined;
  const members = output?.members ?? {};
  const hasPayload = Object.values(members).some((m) => !m.location);
  let body: unknown = {};
  if (raw.body.length > 0) {
    try {
      body = JSON.parse(raw.body);
    } catch {
      return [...problems, `body is not JSON: ${raw.body.slice(0, 80)}`];
    }
  } else if (hasPayload && (output?.required ?? []).some((n) => !members[n].location)) {
    problems.push("body is empty but the output has required body members");
  }
  if (raw.body.length > 0 && !/json/.test(raw.headers["content-type"] ?? "")) {
    problems.push(`content-type is "${raw.headers["content-type"]}", not JSON`);
  }
  if (op.output) problems.push(...shapeProblems(model, op.output.shape, body, "$", opts));
  for (const [name, m] of Object.entries(members)) {
    if (m.location !== "header") continue;
    const header = raw.headers[m.locationName!.toLowerCase()];
    if (header === undefined && output?.required?.includes(name)) {
      problems.push(`required member "${name}" is not sent as header ${m.locationName}`);
    }
  }
  return problems;
}

/**
 * Where a raw error answer departs from the model: the error type (from the
 * `x-amzn-errortype` header, as restJson1 clients read it) must be one the
 * operation lists, the status its `error.httpStatusCode`, and the body its
 * shape's members.
 */
export function errorProblems(model: ServiceModel, operation: string, raw: RawResponse): string[] {
  const op = model.operations[operation];
  const problems: string[] = [];
  const header = raw.headers["x-amzn-errortype"];
  if (!header) return [`no x-amzn-errortype header (status ${raw.status})`];
  const code = header.split(":")[0];
  if (!(op.errors ?? []).some((e) => e.shape === code)) {
    problems.push(`${code} is not among ${operation}'s errors (${(op.errors ?? []).map((e) => e.shape).join(", ")})`);
  }
  const shape = model.shapes[code];
  if (!shape?.error) return [...problems, `model has no error shape ${code}`];
  if (raw.status !== shape.error.httpStatusCode) {
    problems.push(`status ${raw.status}, the model says ${shape.error.httpStatusCode} for ${code}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.body);
  } catch {
    return [...problems, `error body is not JSON: ${raw.body.slice(0, 80)}`];
  }
  problems.push(...shapeProblems(model, code, body));
  return problems;
}

// ---------------------------------------------------------------- inputs that break the model's constraints

/**
 * A value matching each pattern the served operations' inputs use, and one of
 * the right length that breaks it. `constraintViolations` throws on a pattern
 * missing here, so a model update cannot silently skip a check.
 */
const PATTERN_BREAKERS: Record<string, string> = {
  "[a-zA-Z0-9][a-zA-Z0-9-]{35}": `-${"a".repeat(35)}`,
  "[a-zA-Z0-9][a-zA-Z0-9-]*": `-${"a".repeat(35)}`,
  "\\P{C}*": "bad\u0001id",
  "[a-zA-Z0-9][a-zA-Z0-9_-]*": "has space",
  "arn:[a-z0-9-\\.]{1,63}:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[a-z0-9-\\.]{0,63}:[^/].{0,1023}": "not-an-arn",
};

/** Patterns no string can break. */
const ANYTHING = new Set(["[\\s\\S]*"]);

/** A string of `length` characters that still satisfies the shape's pattern (so only the length is wrong). */
function ofLength(shape: ModelShape, length: number): string {
  if (shape.pattern?.startsWith("arn:")) return `arn:aws:iam::111122223333:role/${"r".repeat(Math.max(0, length - 31))}`;
  return "a".repeat(length);
}

/**
 * Values of a scalar or list shape that break one of its constraints each
 * (length, range, pattern, enum), described in words.
 */
export function constraintViolations(model: ServiceModel, shapeName: string): { what: string; value: unknown }[] {
  const shape = model.shapes[shapeName];
  const out: { what: string; value: unknown }[] = [];
  switch (shape.type) {
    case "string":
      if (shape.enum) out.push({ what: "a value outside the enum", value: "NOT_IN_THE_ENUM" });
      if (shape.max !== undefined) out.push({ what: `${shape.max + 1} characters (max ${shape.max})`, value: ofLength(shape, shape.max + 1) });
      if (shape.min !== undefined && shape.min > 1) out.push({ what: `${shape.min - 1} characters (min ${shape.min})`, value: ofLength(shape, shape.min - 1) });
      if (shape.pattern && !ANYTHING.has(shape.pattern)) {
        const breaker = PATTERN_BREAKERS[shape.pattern];
        if (breaker === undefined) throw new Error(`no pattern breaker for ${shapeName}: ${shape.pattern}`);
        out.push({ what: `${JSON.stringify(breaker.slice(0, 12))} against the pattern`, value: breaker });
      }
      break;
    case "integer":
    case "long":
      if (shape.max !== undefined) out.push({ what: `${shape.max + 1} (max ${shape.max})`, value: shape.max + 1 });
      if (shape.min !== undefined) out.push({ what: `${shape.min - 1} (min ${shape.min})`, value: shape.min - 1 });
      break;
    case "list":
      if (shape.max !== undefined) out.push({ what: `${shape.max + 1} items (max ${shape.max})`, value: { items: shape.max + 1 } });
      if (shape.min !== undefined && shape.min > 0) out.push({ what: `${shape.min - 1} items (min ${shape.min})`, value: { items: shape.min - 1 } });
      break;
  }
  return out;
}
