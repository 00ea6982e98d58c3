/**
 * The local AWS's Amazon SNS (awsQuery, API version 2010-03-31): CreateTopic
 * and Publish, as the API reference describes them. A topic exists once
 * created (CreateTopic is idempotent by name); Publish to a topic that does
 * not exist is NotFound, to another account's topic AuthorizationError, a
 * message over 256 KB or a Subject that is not one line of at most 100
 * printable ASCII characters InvalidParameter. What was published cannot be
 * read back through SNS's API, so it is kept per emulator and shown only
 * under the local-only path GET /_local/sns/messages (localSnsMessages).
 */
import { AwsError, type EmuRequest, type EmuResponse, type Emulator, type ServiceModule } from "./types";
import { claimsQueryVersion, parseQueryForm, queryResponse } from "./xml";

export const SNS_API_VERSION = "2010-03-31";
export const SNS_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";
const MAX_MESSAGE_BYTES = 256 * 1024;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  message: string;
  subject?: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  publishedAt: string;
  publisherAccountId: string;
}

interface SnsState {
  topics: Set<string>;
  messages: PublishedMessage[];
}

const states = new WeakMap<Emulator, SnsState>();

function stateOf(emu: Emulator): SnsState {
  let state = states.get(emu);
  if (!state) states.set(emu, (state = { topics: new Set(), messages: [] }));
  return state;
}

const parameter = (message: string) => new AwsError("InvalidParameter", message, 400);

function ok(action: string, result: Record<string, string>, req: EmuRequest): EmuResponse {
  return {
    status: 200,
    headers: { "content-type": "text/xml", "x-amzn-requestid": req.requestId },
    body: queryResponse(action, result, req.requestId, SNS_XMLNS),
  };
}

function createTopic(req: EmuRequest, emu: Emulator, p: Record<string, string>): EmuResponse {
  const name = p["Name"] ?? "";
  if (!TOPIC_NAME.test(name)) throw parameter("Invalid parameter: Topic Name");
  const arn = `arn:aws:sns:${req.region}:${req.accountId}:${name}`;
  stateOf(emu).topics.add(arn);
  return ok("CreateTopic", { TopicArn: arn }, req);
}

/** MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue */
function attributesOf(p: Record<string, string>): PublishedMessage["attributes"] {
  const out: PublishedMessage["attributes"] = {};
  for (let i = 1; p[`MessageAttributes.entry.${i}.Name`] !== undefined; i++) {
    const prefix = `MessageAttributes.entry.${i}.Value`;
    out[p[`MessageAttributes.entry.${i}.Name`]!] = {
      DataType: p[`${prefix}.DataType`] ?? "String",
      ...(p[`${prefix}.StringValue`] !== undefined ? { StringValue: p[`${prefix}.StringValue`] } : {}),
    };
  }
  return out;
}

function publish(req: EmuRequest, emu: Emulator, p: Record<string, string>): EmuResponse {
  const topicArn = p["TopicArn"] ?? p["TargetArn"] ?? "";
  const message = p["Message"];
  if (!topicArn) throw parameter("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
  if (message === undefined || message === "") throw parameter("Invalid parameter: Message Reason: Empty message");
  if (Buffer.byteLength(message, "utf8") > MAX_MESSAGE_BYTES) throw parameter("Invalid parameter: Message too long");
  const subject = p["Subject"];
  if (subject !== undefined && !/^[\x20-\x7e]{1,100}$/.test(subject)) throw parameter("Invalid parameter: Subject");
  const [, , , region, account] = topicArn.split(":");
  if (account !== req.accountId) {
    throw new AwsError("AuthorizationError", `User: ${req.callerArn} is not authorized to perform: SNS:Publish on resource: ${topicArn}`, 403);
  }
  const state = stateOf(emu);
  if (region !== req.region || !state.topics.has(topicArn)) throw new AwsError("NotFound", "Topic does not exist", 404);
  const messageId = emu.newId();
  state.messages.push({
    messageId,
    topicArn,
    message,
    ...(subject !== undefined ? { subject } : {}),
    attributes: attributesOf(p),
    publishedAt: emu.clock.now().toISOString(),
    publisherAccountId: req.accountId,
  });
  return ok("Publish", { MessageId: messageId }, req);
}

const OPERATIONS: Record<string, (req: EmuRequest, emu: Emulator, p: Record<string, string>) => EmuResponse> = { CreateTopic: createTopic, Publish: publish };

export const snsService: ServiceModule = {
  service: "sns",
  protocol: "awsQuery",
  apiVersion: SNS_API_VERSION,
  xmlns: SNS_XMLNS,
  claimsUnsigned: claimsQueryVersion(SNS_API_VERSION),
  operationOf(req) {
    const action = (req.method === "POST" ? parseQueryForm(req.body) : Object.fromEntries(req.query))["Action"];
    return action && action in OPERATIONS ? action : undefined;
  },
  handle(operation, req, emu) {
    const p = req.method === "POST" ? parseQueryForm(req.body) : Object.fromEntries(req.query);
    return OPERATIONS[operation]!(req, emu, p);
  },
};

/** What was published (oldest first), optionally to one topic: the local-only view (not an AWS API). */
export function localSnsMessages(emu: Emulator, topicArn?: string): PublishedMessage[] {
  return stateOf(emu).messages.filter((m) => !topicArn || m.topicArn === topicArn);
}
