/**
 * The local AWS's request log: one entry per call that reached an operation
 * (signed by a known key, operation recognised), named by the IAM action it
 * needs, so tests can check that a run's calls stay within the permissions it
 * declares. Calls refused before that (bad signature, unknown operation) carry
 * no action and are not logged; faults and AWS errors are, with their status.
 */
import type { ServiceName } from "./types";

export interface RequestLogEntry {
  service: ServiceName;
  /** The API operation, e.g. "ListObjectsV2". */
  operation: string;
  /** The IAM action the call needs, e.g. "qbusiness:ListApplications", "s3:ListBucket". */
  action: string;
  accountId: string;
  /** Region of the SigV4 credential scope. */
  region: string;
  /** HTTP status the emulator answered. */
  status: number;
}

/**
 * S3 operations whose IAM action has another name than the operation
 * (Service Authorization Reference, "Actions defined by Amazon S3").
 */
const S3_ACTIONS: Record<string, string> = {
  ListObjectsV2: "ListBucket",
  HeadBucket: "ListBucket",
  HeadObject: "GetObject",
  CreateMultipartUpload: "PutObject",
  UploadPart: "PutObject",
  CompleteMultipartUpload: "PutObject",
  ListParts: "ListMultipartUploadParts",
  ListMultipartUploads: "ListBucketMultipartUploads",
  DeleteObjects: "DeleteObject",
};

/** The IAM action an operation needs: for most services its own name. */
export function iamActionOf(service: ServiceName, operation: string): string {
  if (service === "s3") return `s3:${S3_ACTIONS[operation] ?? operation}`;
  return `${service}:${operation}`;
}

/** The log a LocalAws handle exposes: read `entries`, `clear()` between runs. */
export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }
  clear(): void {
    this.entries.length = 0;
  }
}
