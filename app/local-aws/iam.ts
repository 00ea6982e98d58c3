/**
 * The local AWS's IAM service (awsQuery protocol, global). Work in progress:
 * operations are being added; unknown actions are left to the server.
 */
import type { ServiceModule } from "./types";
import { AwsError } from "./types";

const OPERATIONS = new Set([
  "GetRole",
  "ListRolePolicies",
  "GetRolePolicy",
  "ListAttachedRolePolicies",
  "GetPolicy",
  "GetPolicyVersion",
  "PutRolePolicy",
  "DeleteRolePolicy",
  "SimulatePrincipalPolicy",
]);

export const iamService: ServiceModule = {
  service: "iam",
  protocol: "awsQuery",
  operationOf(req) {
    const action = new URLSearchParams(req.body.toString("utf8")).get("Action") ?? req.query.get("Action");
    return action && OPERATIONS.has(action) ? action : undefined;
  },
  handle(operation) {
    throw new AwsError("ServiceFailure", `${operation} is not implemented yet`, 500);
  },
};
