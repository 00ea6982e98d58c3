/**
 * Opaque nextTokens and page-size limits shared by the emulated services.
 * A token names the list it was issued for, so a token from another list
 * (or a made-up one) is refused, as AWS refuses it.
 */
import { AwsError } from "./types";

export interface PageRequest {
  /** What the caller asked for; undefined means the service default. */
  maxResults?: number | string | null;
  nextToken?: string | null;
  /** The service's upper limit (ListDataSources: 10, most lists: 100, S3: 1000). */
  limit: number;
  /** Page size when the caller gives none (usually `limit`). */
  defaultSize?: number;
  /** Identifies the list (e.g. "ListIndices:appId"); tokens only work for the same scope. */
  scope: string;
  /** The field names as the API calls them, for error messages. */
  maxResultsName?: string;
  nextTokenName?: string;
  /** How this service says "invalid parameter"; default: restJson1 ValidationException. */
  invalid?: (message: string, field: string) => AwsError;
}

export interface Page<T> {
  items: T[];
  /** Undefined on the last page. */
  nextToken?: string;
}

function validationException(message: string, field: string): AwsError {
  return new AwsError("ValidationException", message, 400, {
    reason: "FIELD_VALIDATION_FAILED",
    fields: [{ name: field, message }],
  });
}

export function encodePageToken(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset }), "utf8").toString("base64url");
}

/** The offset a token points at, or undefined when the token is not one of ours for this scope. */
export function decodePageToken(token: string, scope: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { s?: unknown; o?: unknown };
    if (parsed.s !== scope || typeof parsed.o !== "number" || !Number.isInteger(parsed.o) || parsed.o < 0) return undefined;
    return parsed.o;
  } catch {
    return undefined;
  }
}

/** One page of `all`, validating maxResults against the real limits. */
export function paginate<T>(all: readonly T[], req: PageRequest): Page<T> {
  const invalid = req.invalid ?? validationException;
  const maxName = req.maxResultsName ?? "maxResults";
  const tokenName = req.nextTokenName ?? "nextToken";
  let size = req.defaultSize ?? req.limit;
  if (req.maxResults !== undefined && req.maxResults !== null && req.maxResults !== "") {
    const n = Number(req.maxResults);
    if (!Number.isInteger(n)) throw invalid(`Value '${req.maxResults}' at '${maxName}' failed to satisfy constraint: Member must be an integer`, maxName);
    if (n < 1)
      throw invalid(
        `1 validation error detected: Value '${n}' at '${maxName}' failed to satisfy constraint: Member must have value greater than or equal to 1`,
        maxName,
      );
    if (n > req.limit)
      throw invalid(
        `1 validation error detected: Value '${n}' at '${maxName}' failed to satisfy constraint: Member must have value less than or equal to ${req.limit}`,
        maxName,
      );
    size = n;
  }
  let offset = 0;
  if (req.nextToken) {
    const decoded = decodePageToken(req.nextToken, req.scope);
    if (decoded === undefined) throw invalid(`Invalid ${tokenName} provided.`, tokenName);
    offset = decoded;
  }
  const items = all.slice(offset, offset + size);
  const next = offset + size;
  return { items, nextToken: next < all.length ? encodePageToken(req.scope, next) : undefined };
}
