import { describe, expect, it } from "vitest";
import { check } from "../../../app/audit/checks/application-identity-unsupported";
import { application, inventory, onlyFinding } from "./builders";

const verdictFor = (identityType: string | undefined) => onlyFinding(check, inventory([application({ identityType })]));

describe("application-identity-unsupported", () => {
  it("fails an anonymous application, with no automatic fix", () => {
    const f = verdictFor("ANONYMOUS");
    expect(f.status).toBe("fail");
    expect(f.remediation.action).toBeNull();
    expect(f.evidence.identityType).toBe("ANONYMOUS");
  });

  it("is unknown for QuickSight identity, undocumented for the feature", () => {
    expect(verdictFor("AWS_QUICKSIGHT_IDP").status).toBe("unknown");
  });

  it.each(["AWS_IAM_IDC", "AWS_IAM_IDP_SAML", "AWS_IAM_IDP_OIDC"])("passes %s", (identityType) => {
    expect(verdictFor(identityType).status).toBe("pass");
  });

  it("is unknown when the identity type could not be read", () => {
    const f = onlyFinding(
      check,
      inventory([application({ identityType: undefined, error: { code: "AccessDeniedException", message: "no", operation: "qbusiness:GetApplication" } })]),
    );
    expect(f.status).toBe("unknown");
    expect(f.evidence.error).toMatchObject({ code: "AccessDeniedException" });
  });
});
