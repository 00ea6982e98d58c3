/**
 * A pure evaluator of IAM identity policies (and a permissions boundary) for
 * one request: action + resource + context keys.
 *
 * Used by the local AWS's iam:SimulatePrincipalPolicy (mode "simulate") and by
 * the audit's local fallback and the role-patch planner (mode "local").
 * No Node or AWS imports: it runs anywhere.
 *
 * Written here rather than taken from npm: the only library that simulates
 * IAM (@cloud-copilot/iam-simulate) is AGPL, which this Apache-2.0 product
 * cannot ship.
 *
 * Not modelled (out of scope for identity policies of one account): SCPs,
 * resource policies, session policies, Principal/NotPrincipal.
 */
import type { Decision, MatchedStatement } from "../audit/types";
import type { PolicyDocument, PolicyStatement } from "./types";

export type { PolicyDocument, PolicyStatement };

export interface PolicySource {
  /** Policy name (inline) or ARN (managed, boundary). */
  id: string;
  type: "inline" | "managed" | "boundary";
  document: PolicyDocument;
}

/** Condition context keys and their values (key names are case-insensitive). */
export type RequestContext = Record<string, string | string[] | boolean | number>;

export interface EvaluationRequest {
  /** e.g. "qbusiness:GetDocumentContent" */
  action: string;
  /** The resource ARN the request acts on (or "*"). */
  resource: string;
  context?: RequestContext;
}

/**
 * - "simulate": what IAM's policy simulator does: a statement whose condition
 *   needs a context key that was not supplied does not match (the key is listed
 *   in missingContextKeys).
 * - "local": the audit's fallback, which must never call a conditional grant a
 *   plain yes: when such a statement would decide the result, the decision is
 *   "unknown" (with a reason).
 */
export type EvaluationMode = "simulate" | "local";

export interface EvaluationPolicies {
  identityPolicies: PolicySource[];
  permissionsBoundary?: PolicySource;
  mode?: EvaluationMode;
}

export interface PolicyEvaluation {
  decision: Decision;
  /**
   * The statements that decide: the Deny statements for explicitDeny, else the
   * matching Allow statements (identity, then boundary). For an implicit deny
   * caused by the boundary alone, the identity Allows that the boundary blocks.
   */
  matchedStatements: MatchedStatement[];
  /**
   * Present when a boundary applies: false when it does not allow the request
   * (or denies it). Absent in local mode when the boundary's grant is conditional.
   */
  allowedByPermissionsBoundary?: boolean;
  /** Condition keys the policies needed but the context did not carry (sorted, as written in the policy). */
  missingContextKeys: string[];
  /** Why the decision is unknown (local mode), or a note on what was not evaluated. */
  reason?: string;
}

// ---------------------------------------------------------------- documents

/** The statements of a document, whether `Statement` is one object or an array. */
export function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  const statement = doc.Statement as PolicyStatement | PolicyStatement[] | undefined;
  if (statement === undefined || statement === null) return [];
  return Array.isArray(statement) ? statement : [statement];
}

export interface PolicyGrammarOptions {
  /**
   * Check the rules of identity policies (what PutRolePolicy accepts): no
   * Principal, and a Resource or NotResource in every statement. Off by
   * default, so trust policies parse too.
   */
  identityPolicy?: boolean;
}

/**
 * Parse a policy document as IAM returns it (URL-encoded, RFC 3986) or as
 * plain JSON text, and check its grammar. Throws an Error saying what is wrong.
 */
export function parsePolicyDocument(text: string, options: PolicyGrammarOptions = {}): PolicyDocument {
  const trimmed = text.trim();
  let json: string = trimmed;
  if (!trimmed.startsWith("{")) {
    try {
      json = decodeURIComponent(trimmed);
    } catch {
      throw new Error("Syntax errors in policy.");
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error("Syntax errors in policy.");
  }
  return validatePolicyDocument(parsed, options);
}

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

/**
 * Check that a parsed JSON value is a policy document IAM would accept
 * (roughly: the checks behind IAM's MalformedPolicyDocument most often).
 */
export function validatePolicyDocument(json: unknown, options: PolicyGrammarOptions = {}): PolicyDocument {
  if (!isObject(json)) throw new Error("Syntax errors in policy.");
  for (const key of Object.keys(json)) {
    if (key !== "Version" && key !== "Id" && key !== "Statement") {
      throw new Error(`Policy document has an unknown top-level element: ${key}.`);
    }
  }
  if (json.Version !== undefined && json.Version !== "2012-10-17" && json.Version !== "2008-10-17") {
    throw new Error("The policy failed legacy parsing");
  }
  const statement = json.Statement;
  if (statement === undefined) throw new Error("Missing required field Statement");
  const statements = Array.isArray(statement) ? statement : [statement];
  statements.forEach((s, i) => {
    const where = `Statement[${i}]`;
    if (!isObject(s)) throw new Error(`Syntax errors in policy: ${where} is not an object.`);
    for (const key of Object.keys(s)) {
      if (!STATEMENT_KEYS.has(key)) throw new Error(`Syntax errors in policy: unknown field ${key} in ${where}.`);
    }
    if (s.Effect !== "Allow" && s.Effect !== "Deny") throw new Error(`Missing required field Effect in ${where}`);
    if (options.identityPolicy && (s.Principal !== undefined || s.NotPrincipal !== undefined)) {
      throw new Error("Policy document should not specify a principal.");
    }
    if ((s.Action === undefined) === (s.NotAction === undefined)) {
      throw new Error(`${where} must have exactly one of Action or NotAction`);
    }
    if (s.Resource !== undefined && s.NotResource !== undefined) {
      throw new Error(`${where} must have only one of Resource or NotResource`);
    }
    if (options.identityPolicy && s.Resource === undefined && s.NotResource === undefined) {
      throw new Error(`${where} must have one of Resource or NotResource`);
    }
    for (const key of ["Action", "NotAction", "Resource", "NotResource"] as const) {
      const value = s[key];
      if (value !== undefined && !isStringOrStrings(value)) {
        throw new Error(`Syntax errors in policy: ${where}.${key} must be a string or an array of strings.`);
      }
    }
    for (const key of ["Action", "NotAction"] as const) {
      for (const action of asList(s[key] as string | string[] | undefined)) {
        if (action !== "*" && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]*$/.test(action)) {
          throw new Error(`Action vendor must be specified in ${where}: ${action}`);
        }
      }
    }
    if (s.Condition !== undefined) {
      if (!isObject(s.Condition)) throw new Error(`Syntax errors in policy: ${where}.Condition must be an object.`);
      for (const [operator, block] of Object.entries(s.Condition)) {
        if (!isObject(block)) throw new Error(`Syntax errors in policy: ${where}.Condition.${operator} must be an object.`);
      }
    }
  });
  return json as unknown as PolicyDocument;
}

// ---------------------------------------------------------------- evaluation

type ConditionOutcome = { result: "true" | "false" | "missing" | "unsupported"; missingKeys: string[]; note?: string };

interface StatementOutcome {
  source: PolicySource;
  statement: PolicyStatement;
  /** Whether Action/Resource apply and the Condition holds, fails or cannot be evaluated. */
  condition: ConditionOutcome["result"];
  missingKeys: string[];
  note?: string;
}

/**
 * Decide one request as IAM would for a principal with these identity
 * policies and this permissions boundary (same account, no SCPs):
 * an explicit Deny anywhere wins; otherwise allowed only when an identity
 * policy allows and, if there is a boundary, the boundary allows too.
 */
export function evaluateRequest(request: EvaluationRequest, policies: EvaluationPolicies): PolicyEvaluation {
  const mode = policies.mode ?? "simulate";
  const context = normaliseContext(request.context ?? {});
  const applicable = (source: PolicySource): StatementOutcome[] =>
    statementsOf(source.document).flatMap((statement) => {
      const outcome = statementApplies(statement, request, context);
      return outcome ? [{ source, statement, ...outcome, condition: outcome.result }] : [];
    });

  const identity = policies.identityPolicies.flatMap(applicable);
  const boundary = policies.permissionsBoundary ? applicable(policies.permissionsBoundary) : [];
  const all = [...identity, ...boundary];
  const missingContextKeys = [...new Set(all.flatMap((o) => o.missingKeys))].sort();

  const holds = (o: StatementOutcome) => o.condition === "true";
  const undecidable = (o: StatementOutcome) => o.condition === "missing" || o.condition === "unsupported";
  const notes = [
    ...new Set(
      all
        .filter(undecidable)
        .map((o) => o.note)
        .filter((n): n is string => !!n),
    ),
  ];

  const denies = all.filter((o) => o.statement.Effect === "Deny" && holds(o));
  const identityAllows = identity.filter((o) => o.statement.Effect === "Allow" && holds(o));
  const boundaryAllows = boundary.filter((o) => o.statement.Effect === "Allow" && holds(o));
  const boundaryDenies = denies.some((o) => o.source.type === "boundary");
  const hasBoundary = policies.permissionsBoundary !== undefined;
  // Local mode cannot say whether a boundary whose only grant is conditional allows.
  const boundaryUndecided =
    mode === "local" && boundaryAllows.length === 0 && !boundaryDenies && boundary.some((o) => o.statement.Effect === "Allow" && undecidable(o));
  const allowedByPermissionsBoundary = hasBoundary && !boundaryUndecided ? boundaryAllows.length > 0 && !boundaryDenies : undefined;

  const result = (decision: Decision, matched: StatementOutcome[], reason?: string): PolicyEvaluation => ({
    decision,
    matchedStatements: matched.map(toMatchedStatement),
    ...(allowedByPermissionsBoundary !== undefined ? { allowedByPermissionsBoundary } : {}),
    missingContextKeys,
    ...(reason ? { reason } : {}),
  });

  if (denies.length > 0) return result("explicitDeny", denies);

  const identityAllowed = identityAllows.length > 0;
  const boundaryAllowed = !hasBoundary || boundaryAllows.length > 0;

  if (mode === "local") {
    const conditional = (effect: "Allow" | "Deny", from: StatementOutcome[]) => from.filter((o) => o.statement.Effect === effect && undecidable(o));
    const why = (o: StatementOutcome) =>
      `${o.statement.Effect} statement${o.statement.Sid ? ` "${o.statement.Sid}"` : ""} in ${o.source.type} policy ${o.source.id} ` +
      `depends on a condition that cannot be evaluated locally` +
      (o.missingKeys.length ? ` (${o.missingKeys.join(", ")})` : o.note ? ` (${o.note})` : "");
    // A condition that could grant the missing piece (identity or boundary), or
    // revoke a grant (a conditional Deny), leaves the answer open.
    if (identityAllowed && boundaryAllowed) {
      const deny = conditional("Deny", all)[0];
      if (deny) return result("unknown", identityAllows.concat(boundaryAllows), why(deny));
      return result("allowed", identityAllows.concat(boundaryAllows));
    }
    const openAllow = [...(identityAllowed ? [] : conditional("Allow", identity)), ...(boundaryAllowed ? [] : conditional("Allow", boundary))];
    // Only unknown when every missing piece could be granted by a conditional Allow.
    const identityCouldAllow = identityAllowed || conditional("Allow", identity).length > 0;
    const boundaryCouldAllow = boundaryAllowed || conditional("Allow", boundary).length > 0;
    if (openAllow.length > 0 && identityCouldAllow && boundaryCouldAllow) {
      return result("unknown", identityAllows.concat(boundaryAllows), why(openAllow[0]));
    }
  } else if (identityAllowed && boundaryAllowed) {
    return result("allowed", identityAllows.concat(boundaryAllows));
  }

  // Implicit deny. When the boundary alone blocks, show the grants it blocks.
  const reason = notes.length > 0 ? `not evaluated: ${notes.join("; ")}` : undefined;
  return result("implicitDeny", identityAllowed && !boundaryAllowed ? identityAllows : [], reason);
}

function toMatchedStatement(o: StatementOutcome): MatchedStatement {
  return {
    policy: o.source.id,
    policyType: o.source.type,
    ...(o.statement.Sid !== undefined ? { sid: o.statement.Sid } : {}),
    effect: o.statement.Effect,
    statement: o.statement,
  };
}

/**
 * Whether a statement's Action/Resource cover the request (undefined when
 * not), and if so how its Condition fares.
 */
function statementApplies(statement: PolicyStatement, request: EvaluationRequest, context: Map<string, string[]>): ConditionOutcome | undefined {
  if (!isStringOrStrings(statement.Action ?? statement.NotAction)) return undefined;
  const actionMatches = (patterns: string[]) => patterns.some((p) => matchesActionPattern(p, request.action));
  if (statement.Action !== undefined && !actionMatches(asList(statement.Action))) return undefined;
  if (statement.Action === undefined && (statement.NotAction === undefined || actionMatches(asList(statement.NotAction)))) {
    return undefined;
  }

  // Resource patterns may hold policy variables (${aws:username}); one we cannot fill is a missing key.
  const missingFromVariables: string[] = [];
  const resourceMatches = (patterns: string[]) =>
    patterns.some((pattern) => {
      const filled = fillPolicyVariables(pattern, context, missingFromVariables);
      return filled !== undefined && matchesResourcePattern(filled, request.resource);
    });
  if (statement.Resource !== undefined) {
    if (!resourceMatches(asList(statement.Resource))) {
      return missingFromVariables.length ? { result: "missing", missingKeys: missingFromVariables } : undefined;
    }
  } else if (statement.NotResource !== undefined) {
    if (resourceMatches(asList(statement.NotResource))) return undefined;
    if (missingFromVariables.length) return { result: "missing", missingKeys: missingFromVariables };
  } else {
    return undefined; // an identity statement without Resource is invalid: it grants nothing
  }

  return evaluateCondition(statement.Condition, context);
}

// ---------------------------------------------------------------- matching

/** Action names are case-insensitive, service prefix included; `*` and `?` are wildcards. */
export function matchesActionPattern(pattern: string, action: string): boolean {
  return globToRegExp(pattern, "i").test(action);
}

/**
 * Resource ARNs are case-sensitive; `*` and `?` are wildcards. A `*` may span
 * ARN segments ("arn:aws:qbusiness:*" covers every Q Business resource), as
 * IAM allows in the last segment, which is where policies put them in practice.
 */
export function matchesResourcePattern(pattern: string, resource: string): boolean {
  return globToRegExp(pattern, "").test(resource);
}

const globCache = new Map<string, RegExp>();
function globToRegExp(pattern: string, flags: "" | "i"): RegExp {
  const cacheKey = `${flags}\u0000${pattern}`;
  let re = globCache.get(cacheKey);
  if (!re) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, flags);
    if (globCache.size > 5000) globCache.clear();
    globCache.set(cacheKey, re);
  }
  return re;
}

/** `${aws:username}` → its context value; `${*}`, `${?}`, `${$}` → the literal character. */
function fillPolicyVariables(pattern: string, context: Map<string, string[]>, missing: string[]): string | undefined {
  if (!pattern.includes("${")) return pattern;
  let unfilled = false;
  const filled = pattern.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    // Best effort: IAM means a literal character here; we let ${*} and ${?} act as wildcards.
    if (key === "*" || key === "?" || key === "$") return key;
    const values = context.get(key.toLowerCase());
    if (!values || values.length !== 1) {
      if (!missing.includes(key)) missing.push(key);
      unfilled = true;
      return "";
    }
    return values[0];
  });
  return unfilled ? undefined : filled;
}

// ---------------------------------------------------------------- conditions

function normaliseContext(context: RequestContext): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [key, value] of Object.entries(context)) {
    map.set(key.toLowerCase(), (Array.isArray(value) ? value : [value]).map(String));
  }
  return map;
}

type Comparator = (contextValue: string, policyValue: string) => boolean | undefined;

const stringEquals: Comparator = (c, p) => c === p;
const stringEqualsIgnoreCase: Comparator = (c, p) => c.toLowerCase() === p.toLowerCase();
const stringLike: Comparator = (c, p) => globToRegExp(p, "").test(c);
const arnLike: Comparator = (c, p) => {
  // ARN operators compare the six colon-separated parts one by one.
  const cParts = splitArn(c);
  const pParts = splitArn(p);
  if (!cParts || !pParts) return false;
  return pParts.every((part, i) => globToRegExp(part, "").test(cParts[i]));
};
const numeric =
  (test: (a: number, b: number) => boolean): Comparator =>
  (c, p) => {
    const a = Number(c);
    const b = Number(p);
    return Number.isNaN(a) || Number.isNaN(b) ? false : test(a, b);
  };
const date =
  (test: (a: number, b: number) => boolean): Comparator =>
  (c, p) => {
    const toMs = (v: string) => (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v));
    const a = toMs(c);
    const b = toMs(p);
    return Number.isNaN(a) || Number.isNaN(b) ? false : test(a, b);
  };
const bool: Comparator = (c, p) => c.toLowerCase() === p.toLowerCase();

/** Operator (lower case, without IfExists / set qualifiers) → comparator and whether it is negated. */
const OPERATORS: Record<string, { compare: Comparator; negated: boolean }> = {
  stringequals: { compare: stringEquals, negated: false },
  stringnotequals: { compare: stringEquals, negated: true },
  stringequalsignorecase: { compare: stringEqualsIgnoreCase, negated: false },
  stringnotequalsignorecase: { compare: stringEqualsIgnoreCase, negated: true },
  stringlike: { compare: stringLike, negated: false },
  stringnotlike: { compare: stringLike, negated: true },
  arnequals: { compare: arnLike, negated: false },
  arnlike: { compare: arnLike, negated: false },
  arnnotequals: { compare: arnLike, negated: true },
  arnnotlike: { compare: arnLike, negated: true },
  numericequals: { compare: numeric((a, b) => a === b), negated: false },
  numericnotequals: { compare: numeric((a, b) => a === b), negated: true },
  numericlessthan: { compare: numeric((a, b) => a < b), negated: false },
  numericlessthanequals: { compare: numeric((a, b) => a <= b), negated: false },
  numericgreaterthan: { compare: numeric((a, b) => a > b), negated: false },
  numericgreaterthanequals: { compare: numeric((a, b) => a >= b), negated: false },
  dateequals: { compare: date((a, b) => a === b), negated: false },
  datenotequals: { compare: date((a, b) => a === b), negated: true },
  datelessthan: { compare: date((a, b) => a < b), negated: false },
  datelessthanequals: { compare: date((a, b) => a <= b), negated: false },
  dategreaterthan: { compare: date((a, b) => a > b), negated: false },
  dategreaterthanequals: { compare: date((a, b) => a >= b), negated: false },
  bool: { compare: bool, negated: false },
  binaryequals: { compare: stringEquals, negated: false },
};

/**
 * A Condition block holds when every operator and every key in it holds
 * (values of one key: any of them). Definitely false wins over cannot-tell.
 */
function evaluateCondition(condition: PolicyStatement["Condition"], context: Map<string, string[]>): ConditionOutcome {
  if (!condition) return { result: "true", missingKeys: [] };
  let result: ConditionOutcome["result"] = "true";
  const missingKeys: string[] = [];
  let note: string | undefined;
  const worsen = (r: ConditionOutcome["result"]) => {
    const rank = { true: 0, unsupported: 1, missing: 2, false: 3 } as const;
    if (rank[r] > rank[result]) result = r;
  };

  for (const [rawOperator, block] of Object.entries(condition)) {
    if (!block || typeof block !== "object") {
      worsen("false");
      continue;
    }
    let operator = rawOperator;
    let qualifier: "any" | "all" | undefined;
    if (/^forallvalues:/i.test(operator)) {
      qualifier = "all";
      operator = operator.slice("ForAllValues:".length);
    } else if (/^foranyvalue:/i.test(operator)) {
      qualifier = "any";
      operator = operator.slice("ForAnyValue:".length);
    }
    const ifExists = /ifexists$/i.test(operator);
    if (ifExists) operator = operator.slice(0, -"IfExists".length);
    const op = operator.toLowerCase();

    for (const [key, rawValues] of Object.entries(block)) {
      const policyValues = (Array.isArray(rawValues) ? rawValues : [rawValues]).map(String);
      const contextValues = context.get(key.toLowerCase());

      if (op === "null") {
        // Null: "true" means the key must be absent, "false" that it must be present.
        const wantsAbsent = policyValues.some((v) => v.toLowerCase() === "true");
        worsen(wantsAbsent === (contextValues === undefined) ? "true" : "false");
        continue;
      }
      const spec = OPERATORS[op];
      if (!spec) {
        note = `condition operator ${rawOperator} is not supported`;
        worsen("unsupported");
        continue;
      }
      if (contextValues === undefined) {
        if (ifExists || qualifier === "all") continue; // both hold when the key is absent
        if (!missingKeys.includes(key)) missingKeys.push(key);
        worsen("missing");
        continue;
      }
      const valueHolds = (value: string) => {
        const matchesAny = policyValues.some((p) => spec.compare(value, p) === true);
        return spec.negated ? !matchesAny : matchesAny;
      };
      const holds =
        qualifier === "all"
          ? contextValues.every(valueHolds)
          : spec.negated && qualifier === undefined
            ? contextValues.every(valueHolds)
            : contextValues.some(valueHolds);
      worsen(holds ? "true" : "false");
    }
  }
  return { result, missingKeys, ...(note ? { note } : {}) };
}

// ---------------------------------------------------------------- small helpers

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6) return arn === "*" ? ["*", "*", "*", "*", "*", "*"] : undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function isStringOrStrings(value: unknown): value is string | string[] {
  return typeof value === "string" || (Array.isArray(value) && value.every((v) => typeof v === "string"));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
