/**
 * XML helpers for the awsQuery (IAM, STS) and restXml (S3) services:
 * form-body parsing, response envelopes and error bodies in AWS's shapes.
 */
import type { AwsError } from "./types";

export const IAM_XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";
export const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function escapeXml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** A value XML can carry: scalars, nested objects, and lists. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | { [name: string]: XmlValue };

/**
 * Render `<name>value</name>`. Objects become child elements (undefined members are
 * left out), Dates ISO-8601, and arrays either `<member>` items (awsQuery lists, the
 * default) or, with `flatten`, the element repeated (S3's `<Contents>`).
 */
export function xmlElement(name: string, value: XmlValue, opts: { flatten?: boolean } = {}): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) {
    if (opts.flatten) return value.map((item) => xmlElement(name, item, opts)).join("");
    return `<${name}>${value.map((item) => xmlElement("member", item, opts)).join("")}</${name}>`;
  }
  return `<${name}>${xmlContent(value, opts)}</${name}>`;
}

/** The inside of an element: children for an object, escaped text otherwise. */
export function xmlContent(value: XmlValue, opts: { flatten?: boolean } = {}): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value)
      .map(([child, v]) => xmlElement(child, v, opts))
      .join("");
  }
  if (Array.isArray(value)) return value.map((item) => xmlElement("member", item, opts)).join("");
  return escapeXml(String(value));
}

/** The body of an awsQuery form POST (`Action=...&Version=...&A.member.1=...`). */
export function parseQueryForm(body: Buffer | string): Record<string, string> {
  const params = new URLSearchParams(typeof body === "string" ? body : body.toString("utf8"));
  const out: Record<string, string> = {};
  for (const [key, value] of params) out[key] = value;
  return out;
}

/** An awsQuery list parameter: `Name.member.1`, `Name.member.2`, ... in order. */
/** An unsigned awsQuery call is told apart by `POST /` whose form names the service's API version. */
export function claimsQueryVersion(version: string) {
  return (head: { method: string; rawPath: string }, bodyStart: Buffer): boolean =>
    head.method === "POST" && head.rawPath === "/" && parseQueryForm(bodyStart)["Version"] === version;
}

export function queryList(params: Record<string, string>, name: string): string[] {
  const items: string[] = [];
  for (let i = 1; `${name}.member.${i}` in params; i++) items.push(params[`${name}.member.${i}`]);
  return items;
}

/** `<ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata/></ActionResponse>` */
export function queryResponse(action: string, result: XmlValue, requestId: string, xmlns: string): string {
  const resultXml = result === undefined ? "" : `<${action}Result>${xmlContent(result)}</${action}Result>`;
  return (
    XML_DECLARATION +
    `<${action}Response xmlns="${xmlns}">${resultXml}` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`
  );
}

/** awsQuery error body; `Type` is Receiver for server faults, Sender otherwise. */
export function queryErrorBody(error: AwsError, requestId: string, xmlns: string): string {
  const type = error.status >= 500 ? "Receiver" : "Sender";
  return (
    XML_DECLARATION +
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}

/** S3's `<Error>` body; extra fields (BucketName, Key, ...) become elements, as S3 sends them. */
export function s3ErrorBody(error: AwsError, requestId: string): string {
  const extras = Object.entries(error.fields)
    .map(([name, v]) => xmlElement(name, v as XmlValue))
    .join("");
  return (
    XML_DECLARATION +
    `<Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>${extras}` +
    `<RequestId>${escapeXml(requestId)}</RequestId><HostId>${escapeXml(requestId)}</HostId></Error>`
  );
}

/** A restXml document with its declaration and the S3 namespace on the root. */
export function s3Document(root: string, content: XmlValue): string {
  return XML_DECLARATION + `<${root} xmlns="${S3_XMLNS}">${xmlContent(content, { flatten: true })}</${root}>`;
}
