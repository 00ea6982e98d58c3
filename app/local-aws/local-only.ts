/**
 * The local AWS's own, clearly local-only reads, for what a real AWS API
 * cannot show (what SNS delivered): GET /_local/sns/messages[?topicArn=ARN]
 * answers JSON `{"messages": [...]}`. No AWS service has a path under
 * /_local/ (S3 bucket names cannot start with "_"), so nothing an SDK sends
 * lands here. Unsigned: the emulator listens on loopback for tests and demos.
 */
import type { EmuResponse, Emulator } from "./types";
import type { RequestHead } from "./http/parse";
import { localSnsMessages } from "./sns";

export const LOCAL_ONLY_PREFIX = "/_local/";

export function localOnly(head: RequestHead, emu: Emulator): EmuResponse | undefined {
  if (!head.rawPath.startsWith(LOCAL_ONLY_PREFIX)) return undefined;
  const json = (status: number, body: unknown): EmuResponse => ({
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify(body),
  });
  if (head.method !== "GET") return json(405, { message: "Local-only reads are GET requests." });
  if (head.rawPath === "/_local/sns/messages") return json(200, { messages: localSnsMessages(emu, head.query.get("topicArn") ?? undefined) });
  return json(404, { message: `No local-only resource ${head.rawPath}; there is /_local/sns/messages.` });
}
