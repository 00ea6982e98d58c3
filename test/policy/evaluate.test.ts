import { describe, expect, it } from "vitest";
import { evaluateRequest, parsePolicyDocument, statementsOf, type PolicySource, type PolicyStatement, type EvaluationMode } from "../../app/policy/evaluate";
import { policySize } from "../../app/policy/limits";

const APP = "arn:aws:qbusiness:us-east-1:111122223333:application/0f6e3a0c-1111-4c1e-9d2b-6a7c3e5d0a01";
const INDEX = `${APP}/index/9a8b7c6d-2222-4c1e-9d2b-6a7c3e5d0a02`;
const GET_DOC = "qbusiness:GetDocumentContent";

const inline = (name: string, ...statements: PolicyStatement[]): PolicySource => ({
  id: name,
  type: "inline",
  document: { Version: "2012-10-17", Statement: statements },
});
const managed = (arn: string, ...statements: PolicyStatement[]): PolicySource => ({
  id: arn,
  type: "managed",
  document: { Version: "2012-10-17", Statement: statements },
});
const boundary = (...statements: PolicyStatement[]): PolicySource => ({
  id: "arn:aws:iam::111122223333:policy/Boundary",
  type: "boundary",
  document: { Version: "2012-10-17", Statement: statements },
});

const allowGetDoc: PolicyStatement = {
  Sid: "QBusinessGetDocumentContentPermission",
  Effect: "Allow",
  Action: ["qbusiness:GetDocumentContent"],
  Resource: [APP, `${APP}/index/*`],
};
const chatOnly: PolicyStatement = { Sid: "Chat", Effect: "Allow", Action: "qbusiness:Chat*", Resource: APP };

interface Case {
  name: string;
  action?: string;
  resource?: string;
  identity: PolicySource[];
  boundary?: PolicySource;
  context?: Record<string, string | string[]>;
  mode?: EvaluationMode;
  decision: string;
  matchedSids?: (string | undefined)[];
  allowedByPermissionsBoundary?: boolean;
  missing?: string[];
}

const cases: Case[] = [
  {
    name: "an Allow on the application ARN allows",
    identity: [inline("p", allowGetDoc)],
    decision: "allowed",
    matchedSids: ["QBusinessGetDocumentContentPermission"],
  },
  { name: "an Allow on /index/* allows a concrete index ARN", resource: INDEX, identity: [inline("p", allowGetDoc)], decision: "allowed" },
  { name: "no matching statement is an implicit deny", identity: [inline("p", chatOnly)], decision: "implicitDeny", matchedSids: [] },
  { name: "no policies at all is an implicit deny", identity: [], decision: "implicitDeny" },
  {
    name: "a Deny in a managed policy wins over an inline Allow",
    identity: [
      inline("p", allowGetDoc),
      managed("arn:aws:iam::111122223333:policy/NoDocs", { Sid: "NoDocs", Effect: "Deny", Action: "qbusiness:GetDocument*", Resource: "*" }),
    ],
    decision: "explicitDeny",
    matchedSids: ["NoDocs"],
  },
  {
    name: "NotAction allows every action but the listed ones",
    identity: [inline("p", { Sid: "AllButChat", Effect: "Allow", NotAction: "qbusiness:Chat", Resource: "*" })],
    decision: "allowed",
  },
  {
    name: "NotAction does not allow a listed action",
    action: "qbusiness:Chat",
    identity: [inline("p", { Effect: "Allow", NotAction: ["qbusiness:Chat"], Resource: "*" })],
    decision: "implicitDeny",
  },
  {
    name: "NotResource allows resources outside the list",
    identity: [inline("p", { Effect: "Allow", Action: "qbusiness:*", NotResource: `${APP}/index/*` })],
    decision: "allowed",
  },
  {
    name: "NotResource does not allow a listed resource",
    resource: INDEX,
    identity: [inline("p", { Effect: "Allow", Action: "qbusiness:*", NotResource: `${APP}/index/*` })],
    decision: "implicitDeny",
  },
  {
    name: "a Deny with NotResource denies resources outside its list",
    resource: INDEX,
    identity: [inline("p", allowGetDoc, { Sid: "OnlyApp", Effect: "Deny", Action: "*", NotResource: APP })],
    decision: "explicitDeny",
    matchedSids: ["OnlyApp"],
  },
  { name: "qbusiness:* on * allows", identity: [inline("p", { Effect: "Allow", Action: "qbusiness:*", Resource: "*" })], decision: "allowed" },
  { name: "* on * allows", identity: [inline("p", { Effect: "Allow", Action: "*", Resource: "*" })], decision: "allowed" },
  {
    name: "? matches exactly one character in an action",
    identity: [inline("p", { Effect: "Allow", Action: "qbusiness:GetDocumentConten?", Resource: "*" })],
    decision: "allowed",
  },
  {
    name: "? does not match two characters",
    identity: [inline("p", { Effect: "Allow", Action: "qbusiness:GetDocumentConte?", Resource: "*" })],
    decision: "implicitDeny",
  },
  {
    name: "* in a resource spans segments",
    resource: INDEX,
    identity: [inline("p", { Effect: "Allow", Action: GET_DOC, Resource: "arn:aws:qbusiness:*:111122223333:application/*" })],
    decision: "allowed",
  },
  {
    name: "the action name and service prefix match case-insensitively",
    identity: [inline("p", { Effect: "Allow", Action: "QBUSINESS:getdocumentcontent", Resource: APP })],
    decision: "allowed",
  },
  {
    name: "the resource ARN matches case-sensitively",
    identity: [inline("p", { Effect: "Allow", Action: GET_DOC, Resource: APP.toUpperCase() })],
    decision: "implicitDeny",
  },
  {
    name: "another service's wildcard does not allow",
    identity: [inline("p", { Effect: "Allow", Action: "s3:*", Resource: "*" })],
    decision: "implicitDeny",
  },
  {
    name: "a boundary that does not allow the action blocks an identity Allow",
    identity: [inline("p", allowGetDoc)],
    boundary: boundary({ Effect: "Allow", Action: "qbusiness:Chat*", Resource: "*" }),
    decision: "implicitDeny",
    allowedByPermissionsBoundary: false,
    matchedSids: ["QBusinessGetDocumentContentPermission"],
  },
  {
    name: "a boundary that allows the action lets the identity Allow through",
    identity: [inline("p", allowGetDoc)],
    boundary: boundary({ Sid: "B", Effect: "Allow", Action: "qbusiness:*", Resource: "*" }),
    decision: "allowed",
    allowedByPermissionsBoundary: true,
    matchedSids: ["QBusinessGetDocumentContentPermission", "B"],
  },
  {
    name: "a boundary alone grants nothing",
    identity: [inline("p", chatOnly)],
    boundary: boundary({ Effect: "Allow", Action: "*", Resource: "*" }),
    decision: "implicitDeny",
    allowedByPermissionsBoundary: true,
  },
  {
    name: "a Deny in the boundary is an explicit deny",
    identity: [inline("p", allowGetDoc)],
    boundary: boundary({ Effect: "Allow", Action: "*", Resource: "*" }, { Sid: "BD", Effect: "Deny", Action: GET_DOC, Resource: "*" }),
    decision: "explicitDeny",
    allowedByPermissionsBoundary: false,
    matchedSids: ["BD"],
  },
  {
    name: "simulate: a conditional Allow without its context key does not match and the key is missing",
    identity: [inline("p", { ...allowGetDoc, Condition: { StringEquals: { "aws:PrincipalTag/team": "hr" } } })],
    decision: "implicitDeny",
    missing: ["aws:PrincipalTag/team"],
  },
  {
    name: "local: a conditional Allow that would decide makes the verdict unknown",
    mode: "local",
    identity: [inline("p", { ...allowGetDoc, Condition: { StringEquals: { "aws:PrincipalTag/team": "hr" } } })],
    decision: "unknown",
    missing: ["aws:PrincipalTag/team"],
  },
  {
    name: "local: a conditional Allow does not matter when an unconditional Allow decides",
    mode: "local",
    identity: [inline("p", allowGetDoc, { Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } })],
    decision: "allowed",
  },
  {
    name: "local: a conditional Deny over an Allow makes the verdict unknown",
    mode: "local",
    identity: [inline("p", allowGetDoc, { Effect: "Deny", Action: "*", Resource: "*", Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-1" } } })],
    decision: "unknown",
  },
  {
    name: "local: a conditional Deny where nothing allows stays an implicit deny",
    mode: "local",
    identity: [inline("p", chatOnly, { Effect: "Deny", Action: "*", Resource: "*", Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-1" } } })],
    decision: "implicitDeny",
  },
  {
    name: "simulate: a conditional Deny without its context key does not match",
    identity: [inline("p", allowGetDoc, { Effect: "Deny", Action: "*", Resource: "*", Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-1" } } })],
    decision: "allowed",
    missing: ["aws:SourceVpc"],
  },
  {
    name: "local: a conditional Allow in the boundary that would decide makes the verdict unknown",
    mode: "local",
    identity: [inline("p", allowGetDoc)],
    boundary: boundary({ Effect: "Allow", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } }),
    decision: "unknown",
    allowedByPermissionsBoundary: undefined,
  },
  {
    name: "local: a conditional boundary Allow cannot help when no identity policy allows",
    mode: "local",
    identity: [inline("p", chatOnly)],
    boundary: boundary({ Effect: "Allow", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1" } } }),
    decision: "implicitDeny",
  },
  {
    name: "local: an Allow under a condition operator the evaluator does not know is unknown",
    mode: "local",
    identity: [inline("p", { ...allowGetDoc, Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })],
    context: { "aws:SourceIp": "10.1.2.3" },
    decision: "unknown",
  },
  {
    name: "a policy variable in a resource is filled from the context",
    identity: [inline("p", { Effect: "Allow", Action: GET_DOC, Resource: "arn:aws:qbusiness:us-east-1:111122223333:application/${aws:PrincipalTag/app}" })],
    context: { "aws:PrincipalTag/app": "0f6e3a0c-1111-4c1e-9d2b-6a7c3e5d0a01" },
    decision: "allowed",
  },
  {
    name: "local: a policy variable the context does not fill makes an Allow unknown",
    mode: "local",
    identity: [inline("p", { Effect: "Allow", Action: GET_DOC, Resource: "arn:aws:qbusiness:us-east-1:111122223333:application/${aws:PrincipalTag/app}" })],
    decision: "unknown",
    missing: ["aws:PrincipalTag/app"],
  },
  {
    name: "a condition met by the context allows",
    identity: [inline("p", { ...allowGetDoc, Condition: { StringLike: { "AWS:PrincipalTag/Team": "h*" } } })],
    context: { "aws:principaltag/team": "hr" },
    decision: "allowed",
    missing: [],
  },
  {
    name: "a condition not met by the context does not allow",
    identity: [inline("p", { ...allowGetDoc, Condition: { StringEquals: { "aws:PrincipalTag/team": "hr" } } })],
    context: { "aws:PrincipalTag/team": "sales" },
    mode: "local",
    decision: "implicitDeny",
  },
  {
    name: "IfExists holds when the key is absent",
    identity: [inline("p", { ...allowGetDoc, Condition: { StringEqualsIfExists: { "aws:PrincipalTag/team": "hr" } } })],
    mode: "local",
    decision: "allowed",
    missing: [],
  },
  {
    name: "Null true holds when the key is absent",
    identity: [inline("p", { ...allowGetDoc, Condition: { Null: { "aws:PrincipalTag/team": "true" } } })],
    decision: "allowed",
  },
  {
    name: "ArnLike compares ARNs with wildcards",
    identity: [inline("p", { ...allowGetDoc, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:qbusiness:*:111122223333:application/*" } } })],
    context: { "aws:SourceArn": APP },
    decision: "allowed",
  },
  {
    name: "StringNotEquals denies when the value differs",
    identity: [
      inline("p", allowGetDoc, {
        Sid: "D",
        Effect: "Deny",
        Action: "*",
        Resource: "*",
        Condition: { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } },
      }),
    ],
    context: { "aws:RequestedRegion": "ap-south-1" },
    decision: "explicitDeny",
  },
  {
    name: "ForAnyValue:StringEquals holds when one context value matches",
    identity: [inline("p", { ...allowGetDoc, Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": "env" } } })],
    context: { "aws:TagKeys": ["owner", "env"] },
    decision: "allowed",
  },
];

describe("evaluateRequest", () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = evaluateRequest(
        { action: c.action ?? GET_DOC, resource: c.resource ?? APP, context: c.context },
        { identityPolicies: c.identity, permissionsBoundary: c.boundary, mode: c.mode },
      );
      expect(result.decision).toBe(c.decision);
      if (c.matchedSids) expect(result.matchedStatements.map((m) => m.sid)).toEqual(c.matchedSids);
      if ("allowedByPermissionsBoundary" in c) expect(result.allowedByPermissionsBoundary).toBe(c.allowedByPermissionsBoundary);
      if (c.missing) expect(result.missingContextKeys).toEqual(c.missing);
    });
  }

  it("names the policy, its type and the statement that decides", () => {
    const deny = { Sid: "NoDocs", Effect: "Deny" as const, Action: GET_DOC, Resource: "*" };
    const result = evaluateRequest(
      { action: GET_DOC, resource: APP },
      { identityPolicies: [inline("web", allowGetDoc), managed("arn:aws:iam::111122223333:policy/NoDocs", deny)] },
    );
    expect(result.matchedStatements).toEqual([
      { policy: "arn:aws:iam::111122223333:policy/NoDocs", policyType: "managed", sid: "NoDocs", effect: "Deny", statement: deny },
    ]);
  });

  it("gives a reason naming the policy when the local verdict is unknown", () => {
    const result = evaluateRequest(
      { action: GET_DOC, resource: APP },
      { identityPolicies: [inline("web", { ...allowGetDoc, Condition: { StringEquals: { "aws:SourceAccount": "1" } } })], mode: "local" },
    );
    expect(result.reason).toMatch(/inline policy web.*condition.*aws:SourceAccount/);
  });

  it("leaves allowedByPermissionsBoundary out when there is no boundary", () => {
    const result = evaluateRequest({ action: GET_DOC, resource: APP }, { identityPolicies: [inline("p", allowGetDoc)] });
    expect(result).not.toHaveProperty("allowedByPermissionsBoundary");
  });

  it("accepts a Statement that is one object", () => {
    const result = evaluateRequest(
      { action: GET_DOC, resource: APP },
      { identityPolicies: [{ id: "p", type: "inline", document: { Statement: allowGetDoc } }] },
    );
    expect(result.decision).toBe("allowed");
  });
});

describe("parsePolicyDocument", () => {
  const doc = { Version: "2012-10-17", Statement: [allowGetDoc] };

  it("reads plain JSON", () => {
    expect(parsePolicyDocument(JSON.stringify(doc))).toEqual(doc);
  });

  it("reads a URL-encoded document as IAM returns it", () => {
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(doc)))).toEqual(doc);
  });

  it.each([
    ["not JSON", "{nope"],
    ["a statement without Effect", JSON.stringify({ Statement: [{ Action: "*", Resource: "*" }] })],
    ["a statement without Action", JSON.stringify({ Statement: [{ Effect: "Allow", Resource: "*" }] })],
    ["an action without a service prefix", JSON.stringify({ Statement: [{ Effect: "Allow", Action: "GetObject", Resource: "*" }] })],
  ])("rejects %s", (_, text) => {
    expect(() => parsePolicyDocument(text)).toThrow();
  });

  it.each([
    ["a statement without Resource", JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] })],
    ["a Principal", JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] })],
  ])("rejects %s in an identity policy", (_, text) => {
    expect(() => parsePolicyDocument(text, { identityPolicy: true })).toThrow();
  });

  it("reads a trust policy, which has a Principal and no Resource", () => {
    const trust = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "application.qbusiness.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:SetContext"] }],
    };
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(trust)))).toEqual(trust);
  });
});

describe("statementsOf", () => {
  it("returns one statement object as a list of one", () => {
    expect(statementsOf({ Statement: allowGetDoc })).toEqual([allowGetDoc]);
  });
  it("returns an array of statements as is", () => {
    expect(statementsOf({ Statement: [allowGetDoc, chatOnly] })).toEqual([allowGetDoc, chatOnly]);
  });
});

describe("policySize", () => {
  it("counts a policy's characters without whitespace, as IAM's quotas do", () => {
    const compact = JSON.stringify({ Statement: [allowGetDoc] });
    expect(policySize(compact)).toBe(compact.length);
    expect(policySize(JSON.stringify({ Statement: [allowGetDoc] }, null, 4))).toBe(compact.length);
    expect(policySize({ Statement: [allowGetDoc] })).toBe(compact.length);
  });
});
