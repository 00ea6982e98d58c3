import { describe, expect, it } from "vitest";
import { check } from "../../../app/audit/checks/scan-target-unreadable";
import { inventory, runCheck } from "./builders";

describe("scan-target-unreadable", () => {
  it("fails an unreadable target with the AWS error as evidence, and passes a read one", () => {
    const inv = inventory([], {
      targets: [
        { accountId: "111122223333", region: "us-east-1", status: "ok" },
        {
          accountId: "111122223333",
          region: "eu-west-1",
          status: "error",
          error: { code: "AccessDeniedException", message: "User is not authorized", operation: "qbusiness:ListApplications" },
        },
      ],
    });
    const [ok, bad] = runCheck(check, inv);
    expect(ok.status).toBe("pass");
    expect(bad.status).toBe("fail");
    expect(bad.resource).toMatchObject({ type: "target", accountId: "111122223333", region: "eu-west-1", applicationId: null });
    expect(bad.evidence.error).toEqual({ code: "AccessDeniedException", message: "User is not authorized", operation: "qbusiness:ListApplications" });
    expect(bad.message).toContain("AccessDeniedException on qbusiness:ListApplications");
    expect(bad.remediation.action).toBeNull();
  });
});
