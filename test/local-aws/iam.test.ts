/**
 * The local AWS's IAM, through the real @aws-sdk/client-iam over HTTP.
 * Each test gets a fresh emulator (PutRolePolicy and DeleteRolePolicy change state).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DeleteRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  SimulatePrincipalPolicyCommand,
  type EvaluationResult,
} from "@aws-sdk/client-iam";
import type { Fixture, PolicyDocument } from "../../app/local-aws/fixture-types";
import { failure } from "../helpers/sdk-errors";
import { startTestAws, type TestAws } from "../helpers/local-aws";

const ACCOUNT = "111122223333";
const APP = `arn:aws:qbusiness:us-east-1:${ACCOUNT}:application/0f6e3a0c-1111-4c1e-9d2b-6a7c3e5d0a01`;
const INDEX = `${APP}/index/9a8b7c6d-2222-4c1e-9d2b-6a7c3e5d0a02`;
const GET_DOC = "qbusiness:GetDocumentContent";
const policyArn = (name: string) => `arn:aws:iam::${ACCOUNT}:policy/${name}`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const trustPolicy: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "QBusinessTrust(IDC)",
      Effect: "Allow",
      Principal: { Service: "application.qbusiness.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:SetContext"],
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnEquals: { "aws:SourceArn": APP } },
    },
  ],
};
const getDocPolicy: PolicyDocument = {
  Version: "2012-10-17",
  Statement: [{ Sid: "QBusinessGetDocumentContentPermission", Effect: "Allow", Action: [GET_DOC], Resource: [APP, `${APP}/index/*`] }],
};
const chatPolicy: PolicyDocument = {
  Version: "2012-10-17",
  Statement: { Sid: "Chat", Effect: "Allow", Action: "qbusiness:Chat*", Resource: APP },
};
const doc = (...Statement: PolicyDocument["Statement"][]): PolicyDocument => ({ Version: "2012-10-17", Statement: Statement.flat() });

function fleet(): Fixture {
  return {
    fixtureVersion: 1,
    clock: "2026-11-26T12:00:00Z",
    accounts: [
      {
        accountId: ACCOUNT,
        regions: { "us-east-1": { applications: [] } },
        iam: {
          roles: [
            {
              roleName: "WebRole",
              path: "/",
              assumeRolePolicyDocument: trustPolicy,
              inlinePolicies: { GetDocContent: getDocPolicy, Chat: chatPolicy },
              attachedPolicyArns: [policyArn("ChatOnly"), policyArn("ReadOnly")],
            },
            { roleName: "EmptyRole", assumeRolePolicyDocument: trustPolicy },
            {
              roleName: "DeniedRole",
              assumeRolePolicyDocument: trustPolicy,
              inlinePolicies: { GetDocContent: getDocPolicy },
              attachedPolicyArns: [policyArn("NoDocs")],
            },
            {
              roleName: "NotActionRole",
              assumeRolePolicyDocument: trustPolicy,
              inlinePolicies: { AllButIam: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) },
            },
            {
              roleName: "WildcardRole",
              path: "/qbusiness/",
              assumeRolePolicyDocument: trustPolicy,
              inlinePolicies: { Gets: doc({ Effect: "Allow", Action: "qbusiness:Get*", Resource: `arn:aws:qbusiness:*:${ACCOUNT}:application/*` }) },
            },
            {
              roleName: "BoundedRole",
              assumeRolePolicyDocument: trustPolicy,
              inlinePolicies: { GetDocContent: getDocPolicy },
              permissionsBoundaryArn: policyArn("ChatBoundary"),
            },
            {
              roleName: "ConditionalRole",
              assumeRolePolicyDocument: trustPolicy,
              inlinePolicies: {
                TeamOnly: doc({ Effect: "Allow", Action: GET_DOC, Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "hr" } } }),
              },
            },
            {
              roleName: "AWSServiceRoleForQBusiness",
              path: "/aws-service-role/qbusiness.amazonaws.com/",
              assumeRolePolicyDocument: trustPolicy,
              inlinePolicies: { Internal: chatPolicy },
            },
          ],
          managedPolicies: [
            { arn: policyArn("ChatOnly"), policyName: "ChatOnly", document: chatPolicy },
            { arn: policyArn("ReadOnly"), policyName: "ReadOnly", document: doc({ Effect: "Allow", Action: "qbusiness:List*", Resource: "*" }) },
            {
              arn: policyArn("NoDocs"),
              policyName: "NoDocs",
              document: doc({ Sid: "NoDocs", Effect: "Deny", Action: "qbusiness:GetDocument*", Resource: "*" }),
            },
            { arn: policyArn("ChatBoundary"), policyName: "ChatBoundary", document: doc({ Effect: "Allow", Action: "qbusiness:Chat*", Resource: "*" }) },
          ],
        },
      },
    ],
  };
}

let testAws: TestAws;
let iam: IAMClient;

beforeEach(async () => {
  testAws = await startTestAws(fleet());
  // No retries: each test asserts on the one answer the emulator gives.
  iam = testAws.clients(ACCOUNT, "us-east-1", { maxAttempts: 1 }).iam;
});
afterEach(async () => {
  await testAws.close();
});

/** The error the SDK throws, for asserting its name, message and status. */
const decodePolicy = (encoded: string | undefined) => JSON.parse(decodeURIComponent(encoded ?? "")) as unknown;

describe("GetRole", () => {
  it("returns the role's ARN, id, path and creation date", async () => {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "WildcardRole" }));
    expect(Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/qbusiness/WildcardRole`);
    expect(Role?.Path).toBe("/qbusiness/");
    expect(Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(Role?.CreateDate).toBeInstanceOf(Date);
    expect(Role?.PermissionsBoundary).toBeUndefined();
  });

  it("returns the trust policy URL-encoded per RFC 3986, decoding to the fixture document", async () => {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "WebRole" }));
    const raw = Role?.AssumeRolePolicyDocument ?? "";
    expect(raw).toMatch(/^%7B/);
    expect(raw).not.toMatch(/[{}"():]/);
    expect(raw).toContain("%28IDC%29");
    expect(decodePolicy(raw)).toEqual(trustPolicy);
  });

  it("names the permissions boundary", async () => {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: "BoundedRole" }));
    expect(Role?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: policyArn("ChatBoundary") });
  });

  it("answers NoSuchEntity 404 for an unknown role", async () => {
    expect(await failure(iam.send(new GetRoleCommand({ RoleName: "Nope" })))).toEqual({
      name: "NoSuchEntityException",
      message: "The role with name Nope cannot be found.",
      status: 404,
    });
  });
});

describe("inline role policies", () => {
  it("lists the role's inline policy names", async () => {
    const out = await iam.send(new ListRolePoliciesCommand({ RoleName: "WebRole" }));
    expect([...(out.PolicyNames ?? [])].sort()).toEqual(["Chat", "GetDocContent"]);
    expect(out.IsTruncated).toBe(false);
  });

  it("pages ListRolePolicies with MaxItems 1 and Marker", async () => {
    const first = await iam.send(new ListRolePoliciesCommand({ RoleName: "WebRole", MaxItems: 1 }));
    expect(first.PolicyNames).toHaveLength(1);
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toBeTruthy();
    const second = await iam.send(new ListRolePoliciesCommand({ RoleName: "WebRole", MaxItems: 1, Marker: first.Marker }));
    expect(second.PolicyNames).toHaveLength(1);
    expect(second.IsTruncated).toBe(false);
    expect(second.Marker).toBeUndefined();
    expect([...first.PolicyNames!, ...second.PolicyNames!].sort()).toEqual(["Chat", "GetDocContent"]);
  });

  it("returns an inline policy URL-encoded, decoding to the fixture document", async () => {
    const out = await iam.send(new GetRolePolicyCommand({ RoleName: "WebRole", PolicyName: "GetDocContent" }));
    expect(out.RoleName).toBe("WebRole");
    expect(out.PolicyName).toBe("GetDocContent");
    expect(out.PolicyDocument).toMatch(/^%7B%22Version%22%3A/);
    expect(decodePolicy(out.PolicyDocument)).toEqual(getDocPolicy);
  });

  it("answers NoSuchEntity for an unknown inline policy", async () => {
    const err = await failure(iam.send(new GetRolePolicyCommand({ RoleName: "WebRole", PolicyName: "Nope" })));
    expect(err).toEqual({ name: "NoSuchEntityException", message: "The role policy with name Nope cannot be found.", status: 404 });
  });

  it("PutRolePolicy adds a policy that GetRolePolicy then returns as written", async () => {
    const text = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "qbusiness:ListApplications", Resource: "*" }] }, null, 2);
    await iam.send(new PutRolePolicyCommand({ RoleName: "EmptyRole", PolicyName: "List", PolicyDocument: text }));
    const out = await iam.send(new GetRolePolicyCommand({ RoleName: "EmptyRole", PolicyName: "List" }));
    expect(decodeURIComponent(out.PolicyDocument ?? "")).toBe(text);
    const names = await iam.send(new ListRolePoliciesCommand({ RoleName: "EmptyRole" }));
    expect(names.PolicyNames).toEqual(["List"]);
  });

  it("PutRolePolicy refuses inline policies over 10,240 characters together with LimitExceeded and leaves the role unchanged", async () => {
    const statement = { Effect: "Allow", Action: "qbusiness:ListApplications", Resource: `${APP}/${"x".repeat(10_240)}` };
    const err = await failure(
      iam.send(new PutRolePolicyCommand({ RoleName: "WebRole", PolicyName: "Huge", PolicyDocument: JSON.stringify(doc(statement as never)) })),
    );
    expect(err).toEqual({ name: "LimitExceededException", message: "Maximum policy size of 10240 bytes exceeded for role WebRole", status: 409 });
    const names = await iam.send(new ListRolePoliciesCommand({ RoleName: "WebRole" }));
    expect([...(names.PolicyNames ?? [])].sort()).toEqual(["Chat", "GetDocContent"]);
  });

  it("PutRolePolicy counts the role's other inline policies toward the 10,240 limit, whitespace not counted", async () => {
    const existing = JSON.stringify(getDocPolicy).length + JSON.stringify(chatPolicy).length;
    const sized = (chars: number) => {
      const base = JSON.stringify(doc({ Effect: "Allow", Action: "qbusiness:List*", Resource: "arn:" }));
      const padded = JSON.stringify(doc({ Effect: "Allow", Action: "qbusiness:List*", Resource: `arn:${"x".repeat(chars - base.length)}` }));
      return padded.replace(/,/g, ",   \n"); // whitespace that must not count
    };
    const fits = sized(10_240 - existing);
    await iam.send(new PutRolePolicyCommand({ RoleName: "WebRole", PolicyName: "Fits", PolicyDocument: fits }));
    const oneTooMany = sized(10_240 - existing + 1);
    const err = await failure(iam.send(new PutRolePolicyCommand({ RoleName: "WebRole", PolicyName: "Fits", PolicyDocument: oneTooMany })));
    expect(err.name).toBe("LimitExceededException");
    const kept = await iam.send(new GetRolePolicyCommand({ RoleName: "WebRole", PolicyName: "Fits" }));
    expect(decodeURIComponent(kept.PolicyDocument ?? "")).toBe(fits);
  });

  it("PutRolePolicy refuses a service-linked role with UnmodifiableEntity", async () => {
    const err = await failure(
      iam.send(new PutRolePolicyCommand({ RoleName: "AWSServiceRoleForQBusiness", PolicyName: "X", PolicyDocument: JSON.stringify(getDocPolicy) })),
    );
    expect(err).toEqual({
      name: "UnmodifiableEntityException",
      message: "Cannot perform the operation on the protected role 'AWSServiceRoleForQBusiness' - this role is only modifiable by AWS",
      status: 400,
    });
  });

  it.each([
    ["text that is not JSON", "{not json"],
    ["a statement without Effect", JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "s3:GetObject", Resource: "*" }] })],
    ["a URL-encoded document", encodeURIComponent(JSON.stringify(getDocPolicy))],
    ["a Principal, which identity policies may not name", JSON.stringify(trustPolicy)],
  ])("PutRolePolicy answers MalformedPolicyDocument for %s", async (_, text) => {
    const err = await failure(iam.send(new PutRolePolicyCommand({ RoleName: "EmptyRole", PolicyName: "Bad", PolicyDocument: text })));
    expect(err.name).toBe("MalformedPolicyDocumentException");
    expect(err.status).toBe(400);
    const names = await iam.send(new ListRolePoliciesCommand({ RoleName: "EmptyRole" }));
    expect(names.PolicyNames).toEqual([]);
  });

  it("DeleteRolePolicy removes the policy", async () => {
    await iam.send(new DeleteRolePolicyCommand({ RoleName: "WebRole", PolicyName: "Chat" }));
    const names = await iam.send(new ListRolePoliciesCommand({ RoleName: "WebRole" }));
    expect(names.PolicyNames).toEqual(["GetDocContent"]);
  });

  it("DeleteRolePolicy answers NoSuchEntity for a policy the role does not have", async () => {
    const err = await failure(iam.send(new DeleteRolePolicyCommand({ RoleName: "WebRole", PolicyName: "Nope" })));
    expect(err).toEqual({ name: "NoSuchEntityException", message: "The role policy with name Nope cannot be found.", status: 404 });
  });
});

describe("managed policies", () => {
  it("lists the role's attached policies with their names", async () => {
    const out = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "WebRole" }));
    expect(out.AttachedPolicies).toEqual([
      { PolicyName: "ChatOnly", PolicyArn: policyArn("ChatOnly") },
      { PolicyName: "ReadOnly", PolicyArn: policyArn("ReadOnly") },
    ]);
    expect(out.IsTruncated).toBe(false);
  });

  it("pages ListAttachedRolePolicies with MaxItems 1 and Marker", async () => {
    const first = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "WebRole", MaxItems: 1 }));
    expect(first.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(["ChatOnly"]);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: "WebRole", MaxItems: 1, Marker: first.Marker }));
    expect(second.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(["ReadOnly"]);
    expect(second.IsTruncated).toBe(false);
  });

  it("GetPolicy gives the default version id", async () => {
    const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn("NoDocs") }));
    expect(Policy?.PolicyName).toBe("NoDocs");
    expect(Policy?.Arn).toBe(policyArn("NoDocs"));
    expect(Policy?.DefaultVersionId).toBe("v1");
    expect(Policy?.AttachmentCount).toBe(1);
  });

  it("GetPolicyVersion returns the document URL-encoded, decoding to the fixture document", async () => {
    const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn("NoDocs"), VersionId: "v1" }));
    expect(PolicyVersion?.Document).toMatch(/^%7B/);
    expect(decodePolicy(PolicyVersion?.Document)).toEqual(doc({ Sid: "NoDocs", Effect: "Deny", Action: "qbusiness:GetDocument*", Resource: "*" }));
    expect(PolicyVersion?.IsDefaultVersion).toBe(true);
  });

  it("GetPolicy answers NoSuchEntity for an unknown policy", async () => {
    const err = await failure(iam.send(new GetPolicyCommand({ PolicyArn: policyArn("Nope") })));
    expect(err.name).toBe("NoSuchEntityException");
    expect(err.status).toBe(404);
  });

  it("GetPolicyVersion answers NoSuchEntity for a version that does not exist", async () => {
    const err = await failure(iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn("NoDocs"), VersionId: "v9" })));
    expect(err.name).toBe("NoSuchEntityException");
  });
});

describe("SimulatePrincipalPolicy", () => {
  async function simulate(role: string, actions: string[], resources?: string[], context?: Record<string, string>) {
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: roleArn(role),
        ActionNames: actions,
        ResourceArns: resources,
        ContextEntries: context
          ? Object.entries(context).map(([ContextKeyName, v]) => ({ ContextKeyName, ContextKeyValues: [v], ContextKeyType: "string" as const }))
          : undefined,
      }),
    );
    expect(out.IsTruncated).toBe(false);
    return out.EvaluationResults ?? [];
  }
  const decisions = (results: EvaluationResult[]) => results.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision]);

  it("allows an action the role's inline policy allows, on each resource", async () => {
    const results = await simulate("WebRole", [GET_DOC], [APP, INDEX]);
    expect(decisions(results)).toEqual([
      [GET_DOC, APP, "allowed"],
      [GET_DOC, INDEX, "allowed"],
    ]);
    expect(results[1].MatchedStatements).toEqual([{ SourcePolicyId: "GetDocContent", SourcePolicyType: "role" }]);
    expect(results[1].ResourceSpecificResults).toEqual([expect.objectContaining({ EvalResourceName: INDEX, EvalResourceDecision: "allowed" })]);
  });

  it("is an implicit deny when no policy allows", async () => {
    const results = await simulate("EmptyRole", [GET_DOC], [APP]);
    expect(decisions(results)).toEqual([[GET_DOC, APP, "implicitDeny"]]);
    expect(results[0].MatchedStatements ?? []).toEqual([]);
  });

  it("reports an explicit deny from an attached managed policy with its ARN", async () => {
    const results = await simulate("DeniedRole", [GET_DOC], [INDEX]);
    expect(decisions(results)).toEqual([[GET_DOC, INDEX, "explicitDeny"]]);
    expect(results[0].MatchedStatements).toEqual([{ SourcePolicyId: policyArn("NoDocs"), SourcePolicyType: "user-managed" }]);
  });

  it("applies NotAction: every action but the excluded ones", async () => {
    const results = await simulate("NotActionRole", [GET_DOC, "iam:PutRolePolicy"], [APP]);
    expect(decisions(results)).toEqual([
      [GET_DOC, APP, "allowed"],
      ["iam:PutRolePolicy", APP, "implicitDeny"],
    ]);
  });

  it("matches wildcard actions and resources", async () => {
    const results = await simulate("WildcardRole", [GET_DOC, "qbusiness:Chat"], [INDEX]);
    expect(decisions(results)).toEqual([
      [GET_DOC, INDEX, "allowed"],
      ["qbusiness:Chat", INDEX, "implicitDeny"],
    ]);
  });

  it("reports a permissions boundary that blocks an allowed action", async () => {
    const results = await simulate("BoundedRole", [GET_DOC, "qbusiness:Chat"], [APP]);
    expect(decisions(results)).toEqual([
      [GET_DOC, APP, "implicitDeny"],
      ["qbusiness:Chat", APP, "implicitDeny"],
    ]);
    expect(results[0].PermissionsBoundaryDecisionDetail).toEqual({ AllowedByPermissionsBoundary: false });
    expect(results[1].PermissionsBoundaryDecisionDetail).toEqual({ AllowedByPermissionsBoundary: true });
  });

  it("lists a condition's key in MissingContextValues when no context gives it", async () => {
    const results = await simulate("ConditionalRole", [GET_DOC], [APP]);
    expect(results[0].EvalDecision).toBe("implicitDeny");
    expect(results[0].ResourceSpecificResults?.[0].MissingContextValues).toEqual(["aws:PrincipalTag/team"]);
  });

  it("lists missing context keys at the top when simulating on all resources", async () => {
    const results = await simulate("ConditionalRole", [GET_DOC]);
    expect(results[0].EvalResourceName).toBe("*");
    expect(results[0].MissingContextValues).toEqual(["aws:PrincipalTag/team"]);
  });

  it("allows a conditional statement when ContextEntries satisfy it", async () => {
    const results = await simulate("ConditionalRole", [GET_DOC], [APP], { "aws:PrincipalTag/team": "hr" });
    expect(results[0].EvalDecision).toBe("allowed");
    expect(results[0].ResourceSpecificResults?.[0].MissingContextValues ?? []).toEqual([]);
  });

  it("sees a policy written by PutRolePolicy", async () => {
    await iam.send(new PutRolePolicyCommand({ RoleName: "EmptyRole", PolicyName: "Docs", PolicyDocument: JSON.stringify(getDocPolicy) }));
    const results = await simulate("EmptyRole", [GET_DOC], [INDEX]);
    expect(results[0].EvalDecision).toBe("allowed");
  });

  it("answers NoSuchEntity for a role that does not exist", async () => {
    const err = await failure(simulate("Nope", [GET_DOC], [APP]));
    expect(err).toEqual({ name: "NoSuchEntityException", message: "The role with name Nope cannot be found.", status: 404 });
  });

  it("answers InvalidInput for a source ARN that is not a role", async () => {
    const err = await failure(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: "not-an-arn", ActionNames: [GET_DOC] })));
    expect(err.name).toBe("InvalidInputException");
    expect(err.status).toBe(400);
  });
});
