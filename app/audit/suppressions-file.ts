/**
 * Accepted exceptions as configuration: the suppressions file
 * (QBR_SUPPRESSIONS_FILE / --suppressions FILE, docs/audit-report.md) and the
 * one validation of a rule's fields, which the dashboard's form uses too. A
 * bad file is an AuditSetupError naming the JSON path of the first problem,
 * raised before anything is audited or stored.
 */
import fs from "node:fs";
import { z } from "zod";
import { allChecks } from "./checks";
import { globToRegExp, type SuppressionRule } from "./suppressions";
import { AuditSetupError } from "./targets";

const KNOWN_CHECKS = allChecks.map((c) => c.metadata.id);

/** A pattern of one field: no spaces, `*` for any run of characters. */
const pattern = (what: string, shape: RegExp) => z.string().trim().min(1, "must not be empty").regex(shape, `must be ${what}, with * as a wildcard`);

const checkIdField = z
  .string()
  .trim()
  .min(1, "must not be empty")
  .refine((id) => KNOWN_CHECKS.some((known) => globToRegExp(id).test(known)), {
    message: `must be a check id of the catalogue (or a * pattern matching one): ${KNOWN_CHECKS.join(", ")}`,
  });

/** A calendar date that exists (2027-02-30 does not), or an ISO-8601 instant. */
const expiresField = z
  .string()
  .trim()
  .refine((value) => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const day = Date.parse(`${value}T00:00:00Z`);
      return !Number.isNaN(day) && new Date(day).toISOString().startsWith(value);
    }
    return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
  }, "must be a date (YYYY-MM-DD, the last day the exception applies) or an ISO-8601 time");

/** What a rule matches and why: the fields a person or a file gives. Unknown fields are refused (a typo must not widen a rule). */
export const suppressionInputSchema = z
  .object({
    checkId: checkIdField,
    accountId: pattern("a 12-digit account id", /^[0-9*]{1,12}$/).optional(),
    region: pattern("a region such as us-east-1", /^[a-z0-9*-]+$/).optional(),
    applicationId: pattern("an application id", /^[A-Za-z0-9*-]+$/).optional(),
    dataSourceId: pattern("a data source id", /^[A-Za-z0-9*-]+$/).optional(),
    roleArn: pattern("an IAM role ARN", /^[^\s]+$/).optional(),
    reason: z.string().trim().min(1, "must say why the exception is accepted").max(1000, "must be at most 1000 characters"),
    expires: expiresField.optional(),
    by: z.string().trim().min(1, "must name who accepted it").max(200),
  })
  .strict();
export type SuppressionInput = z.infer<typeof suppressionInputSchema>;

const fileSchema = z.object({ suppressions: z.array(suppressionInputSchema) }).strict();

function formatZodPath(path: (string | number)[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), "");
}

/** The first problem of a failed parse as "where: what". */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = formatZodPath(issue.path) || "(root)";
  const message = issue.code === "unrecognized_keys" ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(", ")}` : issue.message;
  return `${where}: ${message}`;
}

/** Validate a parsed suppressions file: its rules, ids "file:0", "file:1", ... in file order. */
export function parseSuppressionsFile(json: unknown, source = "suppressions file"): SuppressionRule[] {
  const result = fileSchema.safeParse(json);
  if (!result.success) throw new AuditSetupError(`${source}: ${firstIssue(result.error)}`);
  return result.data.suppressions.map((rule, i) => ({ ...rule, id: `file:${i}`, source: "file" as const }));
}

/** Read and validate a suppressions file. */
export function loadSuppressionsFile(file: string): SuppressionRule[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new AuditSetupError(`Cannot read suppressions file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AuditSetupError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseSuppressionsFile(json, file);
}

/** The file the audit reads rules from: the explicit one, else QBR_SUPPRESSIONS_FILE; undefined when neither. */
export function suppressionsFilePath(explicit?: string): string | undefined {
  return explicit || process.env.QBR_SUPPRESSIONS_FILE || undefined;
}
