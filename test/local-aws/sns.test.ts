/** The local AWS's SNS through the real SDK: CreateTopic, Publish and its refusals, and the local-only read of what was published. */
import { CreateTopicCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountCredentials } from "~/local-aws/fixture-types";
import { account, fleet } from "../audit/fleet-builder";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const A = "111100000001";
const B = "222200000002";
let aws: TestAws;
const made: SNSClient[] = [];
const sns = (accountId: string, region = "us-east-1") => {
  const client = new SNSClient({ endpoint: aws.aws.endpoint, region, credentials: accountCredentials(accountId), maxAttempts: 1 });
  made.push(client);
  return client;
};

beforeAll(async () => {
  aws = await startTestAws(fleet([account(A, {}), account(B, {})]));
});
afterAll(async () => {
  for (const c of made) c.destroy();
  await aws.close();
});

describe("the local AWS's SNS", () => {
  it("publishes to a topic it created and shows the message only under /_local/", async () => {
    const { TopicArn } = await sns(A).send(new CreateTopicCommand({ Name: "alerts" }));
    expect(TopicArn).toBe(`arn:aws:sns:us-east-1:${A}:alerts`);
    expect((await sns(A).send(new CreateTopicCommand({ Name: "alerts" }))).TopicArn).toBe(TopicArn);
    const { MessageId } = await sns(A).send(
      new PublishCommand({
        TopicArn,
        Subject: "Audit changed",
        Message: '{"text":"hi"}',
        MessageAttributes: { event: { DataType: "String", StringValue: "audit" } },
      }),
    );
    const local = (await (await fetch(`${aws.aws.endpoint}/_local/sns/messages`)).json()) as { messages: Record<string, unknown>[] };
    expect(local.messages).toEqual([
      expect.objectContaining({
        messageId: MessageId,
        topicArn: TopicArn,
        subject: "Audit changed",
        message: '{"text":"hi"}',
        attributes: { event: { DataType: "String", StringValue: "audit" } },
      }),
    ]);
    expect((await fetch(`${aws.aws.endpoint}/_local/nothing`)).status).toBe(404);
  });

  it("refuses a missing topic, another account's topic, an empty message and a two-line subject as SNS does", async () => {
    const arn = `arn:aws:sns:us-east-1:${A}:alerts`;
    await expect(sns(A).send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${A}:nope`, Message: "m" }))).rejects.toMatchObject({
      name: "NotFoundException",
      $metadata: { httpStatusCode: 404 },
    });
    await expect(sns(B).send(new PublishCommand({ TopicArn: arn, Message: "m" }))).rejects.toMatchObject({
      name: "AuthorizationErrorException",
      $metadata: { httpStatusCode: 403 },
    });
    await expect(sns(A).send(new PublishCommand({ TopicArn: arn, Message: "" }))).rejects.toMatchObject({ name: "InvalidParameterException" });
    await expect(sns(A).send(new PublishCommand({ TopicArn: arn, Message: "m", Subject: "two\nlines" }))).rejects.toMatchObject({
      name: "InvalidParameterException",
    });
  });
});
