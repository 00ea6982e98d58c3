/**
 * restJson1 details shared by the local Q Business handlers: JSON bodies,
 * epoch-second timestamps, the model's input constraints and its error shapes.
 */
import { AwsError, type EmuResponse } from "./types";

/** 36 characters, as every Q Business resource id (model: ApplicationId, IndexId, DataSourceId, ExecutionId). */
export const RESOURCE_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9-]{35}$/;
/** WebExperienceId is 36 characters with a looser pattern in the model. */
export const WEB_EXPERIENCE_ID_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/;
/** DocumentId: 1..1825 characters, no control characters (model pattern \P{C}*). */
export const DOCUMENT_ID_MAX_LENGTH = 1825;
const DOCUMENT_ID_PATTERN = /^\P{C}*$/u;
/** RoleArn (model): up to 1284 characters of this pattern. */
export const ROLE_ARN_PATTERN = /^arn:[a-z0-9-.]{1,63}:[a-z0-9-.]{0,63}:[a-z0-9-.]{0,63}:[a-z0-9-.]{0,63}:[^/].{0,1023}$/;

export function json(body: unknown, status = 200): EmuResponse {
  return {
    status,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
}

/** restJson1 serialises timestamps as epoch seconds (fractional when there are milliseconds). */
export function epochSeconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  return Date.parse(iso) / 1000;
}

/** A ValidationException for one member, worded as AWS's generated validators word it. */
export function fieldError(name: string, value: unknown, constraint: string): AwsError {
  const message = `1 validation error detected: Value '${String(value)}' at '${name}' failed to satisfy constraint: ${constraint}`;
  return new AwsError("ValidationException", message, 400, {
    reason: "FIELD_VALIDATION_FAILED",
    fields: [{ name, message: constraint }],
  });
}

export function cannotParse(message: string): AwsError {
  return new AwsError("ValidationException", message, 400, { reason: "CANNOT_PARSE" });
}

export function notFound(resourceType: string, resourceId: string, message?: string): AwsError {
  return new AwsError("ResourceNotFoundException", message ?? `The ${resourceType} with ID ${resourceId} does not exist.`, 404, { resourceId, resourceType });
}

export function conflict(resourceType: string, resourceId: string, message: string): AwsError {
  return new AwsError("ConflictException", message, 409, { resourceId, resourceType });
}

/** Checks a 36-character id (application, index, data source, execution) against the model's pattern. */
export function requireResourceId(name: string, value: string, pattern = RESOURCE_ID_PATTERN): string {
  if (value.length !== 36) {
    throw fieldError(name, value, "Member must have length equal to 36");
  }
  if (!pattern.test(value)) {
    throw fieldError(name, value, `Member must satisfy regular expression pattern: ${pattern.source.slice(1, -1)}`);
  }
  return value;
}

/** The model's constraints on a string member (as its shape states them). */
export interface StringRules {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  enum?: readonly string[];
}

/**
 * Checks a string member of a request against its model constraints, as the
 * service's request validation does before anything else: a ValidationException
 * naming the member (`documents.1.member.id` style inside lists).
 */
export function checkString(name: string, value: unknown, rules: StringRules): string | undefined {
  if (value === undefined || value === null) {
    if (rules.required) throw fieldError(name, "null", "Member must not be null");
    return undefined;
  }
  if (typeof value !== "string") throw cannotParse(`${name} must be a string.`);
  const length = [...value].length;
  if (rules.min !== undefined && length < rules.min) {
    throw fieldError(name, value, `Member must have length greater than or equal to ${rules.min}`);
  }
  if (rules.max !== undefined && length > rules.max) {
    throw fieldError(name, value, `Member must have length less than or equal to ${rules.max}`);
  }
  if (rules.pattern && !rules.pattern.test(value)) {
    throw fieldError(name, value, `Member must satisfy regular expression pattern: ${rules.pattern.source.slice(1, -1)}`);
  }
  if (rules.enum && !rules.enum.includes(value)) {
    throw fieldError(name, value, `Member must satisfy enum value set: [${rules.enum.join(", ")}]`);
  }
  return value;
}

/** Checks a DocumentId (path label or body member) against the model: 1..1825 characters, no control characters. */
export function requireDocumentId(name: string, value: unknown): string {
  return checkString(name, value, { required: true, min: 1, max: DOCUMENT_ID_MAX_LENGTH, pattern: DOCUMENT_ID_PATTERN })!;
}

/**
 * Reads a timestamp query parameter. The SDK sends ISO-8601 date-time
 * (restJson1's default for query strings); epoch seconds are accepted too.
 */
export function queryTime(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
  if (Number.isNaN(ms)) throw cannotParse(`${name} is not a timestamp: '${raw}'`);
  return ms;
}

/** Parses a JSON request body (an empty body reads as `{}`). */
export function jsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw cannotParse("The request body is not valid JSON.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw cannotParse("The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/** Drops undefined members so responses carry only what the state has. */
export function compact<T extends Record<string, unknown>>(shape: T): Partial<T> {
  return Object.fromEntries(Object.entries(shape).filter(([, v]) => v !== undefined)) as Partial<T>;
}
