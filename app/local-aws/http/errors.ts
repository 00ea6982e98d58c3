/**
 * The front door's refusals as each service words them, and AwsErrors rendered
 * in a service's wire protocol. AWS's services fall in three families here:
 * the JSON protocols (Q Business, Organizations: `...Exception` codes), the
 * query protocol (IAM, STS) and S3, which has its own codes for nearly
 * everything.
 */
import { AwsError, type EmuResponse, type Protocol, type ServiceModule } from "../types";
import { queryErrorBody, s3ErrorBody } from "../xml";
import { parseAmzDate } from "../sigv4";

export type Dialect = "json" | "query" | "s3";

export function dialectOf(protocol: Protocol): Dialect {
  if (protocol === "restXml") return "s3";
  if (protocol === "awsQuery") return "query";
  return "json";
}

/** Requests may be this far from the server's clock (AWS: 15 minutes). */
export const MAX_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs live at most a week (S3: X-Amz-Expires <= 604800). */
export const MAX_PRESIGN_SECONDS = 604800;

const INVALID_TOKEN = "The security token included in the request is invalid.";
const SIGNATURE_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

type ByDialect = Record<Dialect, () => AwsError>;
const pick = (dialect: Dialect, options: ByDialect) => options[dialect]();

export function missingAuthentication(d: Dialect): AwsError {
  return pick(d, {
    json: () => new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403),
    s3: () => new AwsError("AccessDenied", "Access Denied", 403),
    query: () => new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403),
  });
}

export function malformedAuth(d: Dialect, message: string): AwsError {
  return pick(d, {
    json: () => new AwsError("IncompleteSignatureException", message, 403),
    s3: () => new AwsError("AuthorizationQueryParametersError", message, 400),
    query: () => new AwsError("IncompleteSignature", message, 403),
  });
}

export function unknownKey(d: Dialect): AwsError {
  return pick(d, {
    json: () => new AwsError("UnrecognizedClientException", INVALID_TOKEN, 403),
    s3: () => new AwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403),
    query: () => new AwsError("InvalidClientTokenId", INVALID_TOKEN, 403),
  });
}

/** A session token that is not the one issued with this key (or any token with a long-term key). */
export function invalidToken(d: Dialect): AwsError {
  return pick(d, {
    json: () => new AwsError("UnrecognizedClientException", INVALID_TOKEN, 403),
    s3: () => new AwsError("InvalidToken", "The provided token is malformed or otherwise invalid.", 400),
    query: () => new AwsError("InvalidClientTokenId", INVALID_TOKEN, 403),
  });
}

export function expiredToken(d: Dialect): AwsError {
  return pick(d, {
    json: () => new AwsError("ExpiredTokenException", "The security token included in the request is expired", 403),
    s3: () => new AwsError("ExpiredToken", "The provided token has expired.", 400),
    query: () => new AwsError("ExpiredToken", "The security token included in the request is expired", 403),
  });
}

export function signatureMismatch(d: Dialect): AwsError {
  // JSON services call it InvalidSignatureException; the XML ones SignatureDoesNotMatch.
  return pick(d, {
    json: () => new AwsError("InvalidSignatureException", SIGNATURE_MISMATCH, 403),
    s3: () =>
      new AwsError(
        "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        403,
      ),
    query: () => new AwsError("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403),
  });
}

/** "20261201T120000Z" from a Date, as AWS quotes times in signature errors. */
export function amzDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/**
 * A header-signed request dated more than 15 minutes from the server's clock.
 * S3 answers RequestTimeTooSkewed; the others a signature error whose message
 * says which bound was crossed ("Signature expired: ... is now earlier than
 * ... (now - 15 min.)" / "Signature not yet current: ... is still later than ...").
 */
export function requestTimeSkewed(d: Dialect, signedAt: string, serverNow: Date): AwsError {
  if (d === "s3") {
    return new AwsError("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403, {
      RequestTime: signedAt,
      ServerTime: serverNow.toISOString(),
      MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
    });
  }
  const now = amzDateOf(serverNow);
  const signed = parseAmzDate(signedAt)?.getTime() ?? 0;
  const message =
    signed < serverNow.getTime()
      ? `Signature expired: ${signedAt} is now earlier than ${amzDateOf(new Date(serverNow.getTime() - MAX_SKEW_MS))} (${now} - 15 min.)`
      : `Signature not yet current: ${signedAt} is still later than ${amzDateOf(new Date(serverNow.getTime() + MAX_SKEW_MS))} (${now} + 15 min.)`;
  return d === "json" ? new AwsError("InvalidSignatureException", message, 403) : new AwsError("SignatureDoesNotMatch", message, 403);
}

/** A presigned URL past its X-Amz-Date + X-Amz-Expires. */
export function presignExpired(d: Dialect, signedAt: Date, expiresSeconds: number, serverNow: Date): AwsError {
  if (d !== "s3") return requestTimeSkewed(d, amzDateOf(signedAt), serverNow);
  return new AwsError("AccessDenied", "Request has expired", 403, {
    "X-Amz-Expires": expiresSeconds,
    Expires: new Date(signedAt.getTime() + expiresSeconds * 1000).toISOString(),
    ServerTime: serverNow.toISOString(),
  });
}

/** A presigned URL dated (beyond the allowed skew) after the server's now. */
export function presignNotYetValid(d: Dialect, signedAt: Date, expiresSeconds: number, serverNow: Date): AwsError {
  if (d !== "s3") return requestTimeSkewed(d, amzDateOf(signedAt), serverNow);
  return new AwsError("AccessDenied", "Request is not yet valid", 403, {
    "X-Amz-Date": signedAt.getTime(),
    Expires: new Date(signedAt.getTime() + expiresSeconds * 1000).toISOString(),
    ServerTime: serverNow.toISOString(),
  });
}

/**
 * A body over the service's limit, refused before it is read. S3 says
 * EntityTooLarge with the sizes; the other services answer HTTP 413 (their
 * models name no error for it; the code is the HTTP status's own name).
 */
export function bodyTooLarge(d: Dialect, proposedBytes: number | undefined, maxBytes: number): AwsError {
  const message = `Request body over ${maxBytes} bytes.`;
  return pick(d, {
    s3: () =>
      new AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400, {
        ...(proposedBytes !== undefined ? { ProposedSize: proposedBytes } : {}),
        MaxSizeAllowed: maxBytes,
      }),
    json: () => new AwsError("RequestEntityTooLargeException", message, 413),
    query: () => new AwsError("RequestEntityTooLarge", message, 413),
  });
}

/** An AwsError in the service's wire protocol. HEAD answers carry no body; the SDK then names the error from the status. */
export function renderError(module: ServiceModule, error: AwsError, requestId: string, method = "GET"): EmuResponse {
  switch (dialectOf(module.protocol)) {
    case "json":
      return jsonError(error, requestId, module.protocol);
    case "query":
      return {
        status: error.status,
        headers: { "content-type": "text/xml", "x-amzn-requestid": requestId },
        body: queryErrorBody(error, requestId, module.xmlns ?? ""),
      };
    case "s3":
      return {
        status: error.status,
        headers: { "content-type": "application/xml", "x-amz-request-id": requestId, "x-amz-id-2": requestId },
        body: method === "HEAD" ? undefined : s3ErrorBody(error, requestId),
      };
  }
}

/** restJson1 names the error in a header; awsJson also in the body's `__type` (and says `Message`, as Organizations does). */
export function jsonError(error: AwsError, requestId: string, protocol: Protocol = "restJson1"): EmuResponse {
  const awsJson = protocol !== "restJson1";
  const body = awsJson ? { __type: error.code, Message: error.message, ...error.fields } : { message: error.message, ...error.fields };
  return {
    status: error.status,
    headers: {
      "content-type": awsJson ? `application/x-amz-json-${protocol === "awsJson1_0" ? "1.0" : "1.1"}` : "application/json",
      "x-amzn-errortype": error.code,
      "x-amzn-requestid": requestId,
    },
    body: JSON.stringify(body),
  };
}
