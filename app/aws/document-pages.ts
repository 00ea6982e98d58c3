/**
 * ListDocuments pages read straight from their JSON (issue 15 item 5, ADR 0017).
 *
 * The audit reads tens of thousands of ListDocuments pages of up to 100
 * documents and only counts them; the SDK's schema deserializer walks every
 * member of every document through its generic codec, which was the largest
 * share of the audit's CPU. This reads the same restJson body with JSON.parse
 * into the same output shape (DocumentDetails: documentId, status, error,
 * createdAt, updatedAt; nextToken; $metadata). Errors (status ≥ 300) and every
 * other operation stay with the SDK. test/aws/document-pages.test.ts holds the
 * two readings equal over the local AWS.
 */
import type { DocumentDetails, ListDocumentsResponse } from "@aws-sdk/client-qbusiness";
import type { QBusinessClient } from "@aws-sdk/client-qbusiness";

interface WireDocument {
  documentId?: unknown;
  status?: unknown;
  error?: { errorMessage?: unknown; errorCode?: unknown } | null;
  createdAt?: unknown;
  updatedAt?: unknown;
}

interface Response {
  statusCode: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

interface Protocol {
  deserializeResponse(operation: { name?: string }, context: Record<string, unknown>, response: Response): Promise<unknown>;
  deserializeMetadata(response: Response): unknown;
}

const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A restJson timestamp (epoch seconds by default; the SDK also takes a numeric string or a date-time), as the SDK reads it. */
export function wireTimestamp(v: unknown): Date | undefined {
  if (typeof v === "number") return new Date(Math.round(v * 1000));
  if (typeof v !== "string" || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? new Date(Math.round(n * 1000)) : new Date(v);
}

function documentOf(d: WireDocument): DocumentDetails {
  const out: DocumentDetails = {};
  const id = text(d.documentId);
  if (id !== undefined) out.documentId = id;
  const status = text(d.status);
  if (status !== undefined) out.status = status as DocumentDetails["status"];
  if (d.error && typeof d.error === "object") {
    const error: NonNullable<DocumentDetails["error"]> = {};
    const message = text(d.error.errorMessage);
    const code = text(d.error.errorCode);
    if (message !== undefined) error.errorMessage = message;
    if (code !== undefined) error.errorCode = code as NonNullable<DocumentDetails["error"]>["errorCode"];
    out.error = error;
  }
  const created = wireTimestamp(d.createdAt);
  if (created) out.createdAt = created;
  const updated = wireTimestamp(d.updatedAt);
  if (updated) out.updatedAt = updated;
  return out;
}

/** The output of one ListDocuments body (UTF-8 JSON). */
export function documentsPageOf(body: string): Omit<ListDocumentsResponse, "$metadata"> {
  const parsed = (body.trim() === "" ? {} : JSON.parse(body)) as { documentDetailList?: WireDocument[] | null; nextToken?: unknown };
  const out: Omit<ListDocumentsResponse, "$metadata"> = {};
  if (Array.isArray(parsed.documentDetailList)) out.documentDetailList = parsed.documentDetailList.map(documentOf);
  const nextToken = text(parsed.nextToken);
  if (nextToken !== undefined) out.nextToken = nextToken;
  return out;
}

async function bodyText(body: unknown, context: Record<string, unknown>): Promise<string> {
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  if (!body) return "";
  const collect = context.streamCollector as (stream: unknown) => Promise<Uint8Array>;
  const bytes = await collect(body);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/** Make the client read successful ListDocuments answers with documentsPageOf (everything else as before). */
export function readDocumentPagesDirectly(client: QBusinessClient): void {
  const protocol = (client.config as unknown as { protocol?: Protocol }).protocol;
  if (!protocol || typeof protocol.deserializeResponse !== "function" || typeof protocol.deserializeMetadata !== "function") return;
  const generic = protocol.deserializeResponse.bind(protocol);
  protocol.deserializeResponse = async (operation, context, response) => {
    if (operation?.name !== "ListDocuments" || response.statusCode >= 300) return generic(operation, context, response);
    const page = documentsPageOf(await bodyText(response.body, context));
    return { ...page, $metadata: protocol.deserializeMetadata(response) };
  };
}
