import { describe, expect, it } from "vitest";
import { check as roleMissing } from "../../../app/audit/checks/webexperience-role-missing";
import { check as getDocumentContent } from "../../../app/audit/checks/webexperience-role-getdocumentcontent";
import { check as explicitDeny } from "../../../app/audit/checks/webexperience-role-explicit-deny";
import { check as trust } from "../../../app/audit/checks/webexperience-role-trust";
import type { RoleAccessEvaluation, RoleInventory, WebExperienceInventory } from "../../../app/audit/types";
import { access, APP_ARN, application, ACCOUNT, INDEX_ARN, index, inventory, onlyFinding, role, ROLE_ARN, runCheck, webExperience } from "./builders";

function withWebExperience(we: Partial<WebExperienceInventory>, roleInventory: RoleInventory | null = role(), identityType = "AWS_IAM_IDC") {
  return inventory([application({ identityType, indices: [index()], webExperiences: [webExperience(we)] })], {
    roles: roleInventory ? { [roleInventory.roleArn]: roleInventory } : {},
  });
}

const denyStatement = {
  policy: "arn:aws:iam::111122223333:policy/NoDownloads",
  policyType: "managed" as const,
  sid: "NoDownloads",
  effect: "Deny" as const,
  statement: { Sid: "NoDownloads", Effect: "Deny", Action: "qbusiness:GetDocumentContent", Resource: "*" },
};

describe("webexperience-role-missing", () => {
  it("fails an Identity Center web experience without a role", () => {
    const f = onlyFinding(roleMissing, withWebExperience({ roleArn: undefined }));
    expect(f.status).toBe("fail");
    expect(f.resource.type).toBe("web-experience");
  });

  it("fails when the named role does not exist", () => {
    const f = onlyFinding(roleMissing, withWebExperience({}, role({ exists: false })));
    expect(f.status).toBe("fail");
    expect(f.message).toContain("does not exist");
  });

  it("passes when the role exists", () => {
    expect(onlyFinding(roleMissing, withWebExperience({})).status).toBe("pass");
  });

  it("is unknown for an IAM federation web experience without a role (the federated role is not visible)", () => {
    expect(onlyFinding(roleMissing, withWebExperience({ roleArn: undefined }, null, "AWS_IAM_IDP_SAML")).status).toBe("unknown");
  });

  it("is unknown when the role could not be read", () => {
    const f = onlyFinding(roleMissing, withWebExperience({}, role({ error: { code: "AccessDenied", message: "no iam:GetRole" } })));
    expect(f.status).toBe("unknown");
    expect(f.evidence.error).toMatchObject({ code: "AccessDenied" });
  });

  it("is unknown when web experiences could not be listed", () => {
    const inv = inventory([
      application({ webExperiences: [], error: { code: "AccessDeniedException", message: "no", operation: "qbusiness:ListWebExperiences" } }),
    ]);
    expect(onlyFinding(roleMissing, inv).status).toBe("unknown");
  });
});

describe("webexperience-role-getdocumentcontent", () => {
  it("passes when simulation allows the application and index ARNs", () => {
    const f = onlyFinding(getDocumentContent, withWebExperience({ access: access("allowed") }));
    expect(f.status).toBe("pass");
    expect(f.resource).toMatchObject({
      type: "role",
      roleArn: ROLE_ARN,
      applicationId: application().applicationId,
      webExperienceId: webExperience().webExperienceId,
    });
    expect(f.evidence).toMatchObject({ method: "simulate" });
    expect(f.evidence.decisions).toEqual([
      expect.objectContaining({ resourceArn: APP_ARN, decision: "allowed" }),
      expect.objectContaining({ resourceArn: INDEX_ARN, decision: "allowed" }),
    ]);
  });

  it("fails and offers the role patch when the index ARN is not allowed", () => {
    const evaluation: RoleAccessEvaluation = {
      method: "simulate",
      resources: [
        { resourceArn: APP_ARN, decision: "allowed", matchedStatements: [] },
        { resourceArn: INDEX_ARN, decision: "implicitDeny", matchedStatements: [] },
      ],
    };
    const f = onlyFinding(getDocumentContent, withWebExperience({ access: evaluation }));
    expect(f.status).toBe("fail");
    expect(f.message).toContain(`not allowed qbusiness:GetDocumentContent on index ${INDEX_ARN.split("/index/")[1]}`);
    expect(f.remediation.action).toBe("patch-role-policy");
  });

  it("fails without a patch when the permissions boundary blocks", () => {
    const evaluation = access("implicitDeny");
    evaluation.resources.forEach((r) => (r.allowedByPermissionsBoundary = false));
    const f = onlyFinding(
      getDocumentContent,
      withWebExperience({ access: evaluation }, role({ permissionsBoundary: { arn: "arn:aws:iam::111122223333:policy/Boundary" } })),
    );
    expect(f.status).toBe("fail");
    expect(f.message).toContain("permissions boundary blocks");
    expect(f.evidence).toMatchObject({ permissionsBoundaryBlocks: true, permissionsBoundaryArn: "arn:aws:iam::111122223333:policy/Boundary" });
    expect(f.remediation.action).toBeNull();
  });

  it("fails without a patch for a service-linked role", () => {
    const f = onlyFinding(getDocumentContent, withWebExperience({ access: access("implicitDeny") }, role({ serviceLinked: true })));
    expect(f.status).toBe("fail");
    expect(f.remediation.action).toBeNull();
  });

  it("is unknown, never pass, when a local reading meets a conditional allow", () => {
    const evaluation: RoleAccessEvaluation = {
      method: "local",
      simulateError: { code: "AccessDenied", message: "not authorized to perform iam:SimulatePrincipalPolicy", operation: "iam:SimulatePrincipalPolicy" },
      resources: [APP_ARN, INDEX_ARN].map((resourceArn) => ({
        resourceArn,
        decision: "unknown" as const,
        reason: "allowed only under a Condition (aws:SourceIp)",
        matchedStatements: [{ policy: "Conditional", policyType: "inline" as const, effect: "Allow" as const }],
      })),
    };
    const f = onlyFinding(getDocumentContent, withWebExperience({ access: evaluation }));
    expect(f.status).toBe("unknown");
    expect(f.evidence).toMatchObject({ method: "local", simulateError: { code: "AccessDenied" } });
    expect(f.message).toContain("allowed only under a Condition");
  });

  it("leaves an explicit deny to the explicit-deny check (no double count)", () => {
    const evaluation = access("explicitDeny");
    expect(runCheck(getDocumentContent, withWebExperience({ access: evaluation }))).toEqual([]);
  });

  it("makes no finding when the role does not exist (role-missing reports it)", () => {
    expect(runCheck(getDocumentContent, withWebExperience({}, role({ exists: false })))).toEqual([]);
  });

  it("is unknown when the role's policies could not be evaluated", () => {
    const f = onlyFinding(
      getDocumentContent,
      withWebExperience({ access: { method: "local", resources: [], error: { code: "AccessDenied", message: "no" } } }),
    );
    expect(f.status).toBe("unknown");
  });

  it("judges each web experience's role separately (one finding per web experience)", () => {
    const inv = inventory([
      application({
        indices: [index()],
        webExperiences: [
          webExperience({ webExperienceId: "w-allowed-0000-4000-8000-000000000001", access: access("allowed") }),
          webExperience({ webExperienceId: "w-denied-00000-4000-8000-000000000001", access: access("implicitDeny") }),
        ],
      }),
    ]);
    expect(runCheck(getDocumentContent, inv).map((f) => [f.resource.webExperienceId, f.status])).toEqual([
      ["w-allowed-0000-4000-8000-000000000001", "pass"],
      ["w-denied-00000-4000-8000-000000000001", "fail"],
    ]);
  });
});

describe("webexperience-role-explicit-deny", () => {
  it("fails with the deny statement and its policy, offering no patch", () => {
    const evaluation: RoleAccessEvaluation = {
      method: "simulate",
      resources: [APP_ARN, INDEX_ARN].map((resourceArn) => ({ resourceArn, decision: "explicitDeny" as const, matchedStatements: [denyStatement] })),
    };
    const f = onlyFinding(explicitDeny, withWebExperience({ access: evaluation }));
    expect(f.status).toBe("fail");
    expect(f.remediation.action).toBeNull();
    expect(f.evidence.denyStatements).toEqual([denyStatement]);
    expect(f.message).toBe(
      "qbusiness:GetDocumentContent on the application and index " +
        INDEX_ARN.split("/index/")[1] +
        " is explicitly denied by statement NoDownloads of policy arn:aws:iam::111122223333:policy/NoDownloads.",
    );
  });

  it("passes when nothing denies, even if the action is not allowed", () => {
    expect(onlyFinding(explicitDeny, withWebExperience({ access: access("implicitDeny") })).status).toBe("pass");
  });

  it("is unknown when a local reading matched a Deny it could not decide", () => {
    const evaluation: RoleAccessEvaluation = {
      method: "local",
      resources: [{ resourceArn: APP_ARN, decision: "unknown", reason: "Deny under a Condition", matchedStatements: [denyStatement] }],
    };
    expect(onlyFinding(explicitDeny, withWebExperience({ access: evaluation })).status).toBe("unknown");
  });
});

describe("webexperience-role-explicit-deny when policies are partly unreadable", () => {
  const conditionalAllow = (reason: string): RoleAccessEvaluation => ({
    method: "local",
    resources: [{ resourceArn: APP_ARN, decision: "unknown", reason, matchedStatements: [{ policy: "WebPolicy", policyType: "inline", effect: "Allow" }] }],
  });

  it("passes a local reading undecided only by a conditional Allow, all policies read", () => {
    expect(onlyFinding(explicitDeny, withWebExperience({ access: conditionalAllow("allowed only under a Condition") })).status).toBe("pass");
  });

  it("is unknown when an attached policy could not be read (it might deny)", () => {
    const unreadable = role({
      attachedPolicies: [{ arn: "arn:aws:iam::111122223333:policy/Hidden", error: { code: "AccessDenied", message: "no iam:GetPolicyVersion" } }],
    });
    const f = onlyFinding(
      explicitDeny,
      withWebExperience({ access: conditionalAllow("could not read arn:aws:iam::111122223333:policy/Hidden (AccessDenied)") }, unreadable),
    );
    expect(f.status).toBe("unknown");
    expect(f.message).toContain("could not read");
  });

  it("is unknown when the simulator left a resource undecided", () => {
    const evaluation: RoleAccessEvaluation = {
      method: "simulate",
      resources: [{ resourceArn: APP_ARN, decision: "unknown", reason: "not in the simulator's answer", matchedStatements: [] }],
    };
    expect(onlyFinding(explicitDeny, withWebExperience({ access: evaluation })).status).toBe("unknown");
  });
});

describe("webexperience-role-trust", () => {
  const withTrust = (statements: unknown[], identityType = "AWS_IAM_IDC") =>
    withWebExperience({ access: access("allowed") }, role({ trustPolicy: { Version: "2012-10-17", Statement: statements as never } }), identityType);

  it("passes the documented trust policy for this application", () => {
    expect(onlyFinding(trust, withWebExperience({})).status).toBe("pass");
  });

  it("fails when sts:SetContext is not trusted, naming the missing action", () => {
    const f = onlyFinding(trust, withTrust([{ Effect: "Allow", Principal: { Service: "application.qbusiness.amazonaws.com" }, Action: "sts:AssumeRole" }]));
    expect(f.status).toBe("fail");
    expect(f.message).toContain("for sts:SetContext");
    expect(f.remediation.action).toBeNull();
  });

  it("fails when the trust names another application in aws:SourceArn", () => {
    const other = APP_ARN.replace(/application\/.*/, "application/b0000000-0000-4000-8000-000000000002");
    const f = onlyFinding(
      trust,
      withTrust([
        {
          Effect: "Allow",
          Principal: { Service: "application.qbusiness.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:SetContext"],
          Condition: { ArnEquals: { "aws:SourceArn": other } },
        },
      ]),
    );
    expect(f.status).toBe("fail");
  });

  it("accepts an ArnLike wildcard covering the application and sts:* actions", () => {
    const f = onlyFinding(
      trust,
      withTrust([
        {
          Effect: "Allow",
          Principal: { Service: ["ec2.amazonaws.com", "application.qbusiness.amazonaws.com"] },
          Action: "sts:*",
          Condition: { ArnLike: { "aws:SourceArn": `arn:aws:qbusiness:*:${ACCOUNT}:application/*` } },
        },
      ]),
    );
    expect(f.status).toBe("pass");
  });

  it("fails a SAML-style trust on an Identity Center application", () => {
    const f = onlyFinding(
      trust,
      withTrust([
        { Effect: "Allow", Principal: { Federated: "arn:aws:iam::111122223333:saml-provider/Okta" }, Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"] },
      ]),
    );
    expect(f.status).toBe("fail");
  });

  it("is unknown when the trust depends on a condition key it cannot evaluate", () => {
    const f = onlyFinding(
      trust,
      withTrust([
        {
          Effect: "Allow",
          Principal: { Service: "application.qbusiness.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:SetContext"],
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } },
        },
      ]),
    );
    expect(f.status).toBe("unknown");
  });

  it("makes no finding for IAM federation applications", () => {
    expect(runCheck(trust, withTrust([], "AWS_IAM_IDP_SAML"))).toEqual([]);
  });
});
