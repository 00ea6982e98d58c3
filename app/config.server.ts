/**
 * The dashboard's configuration: read from the environment and validated once
 * at start (scripts/serve.ts), with messages naming the variable that is wrong.
 * Kept on globalThis because the Remix server build carries its own copy of app
 * modules (see runtime.server.ts).
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { parsePasswordHash, type PasswordHash } from "~/auth/password.server";
import { singleton } from "~/util/singleton.server";

export type Role = "operator" | "viewer";

export interface ConfiguredUser {
  username: string;
  role: Role;
  passwordHash: PasswordHash;
}

export interface BuiltinAuthConfig {
  mode: "builtin";
  /** Empty: nobody is configured, the server prints a one-time sign-in link instead. */
  users: ConfiguredUser[];
}

export interface ProxyAuthConfig {
  mode: "proxy";
  /** IPs and CIDRs of the authenticating proxy; the user header is trusted only from these peers. */
  proxyAddresses: string[];
  /** Lower-case header name carrying the user's identity. */
  userHeader: string;
  operators: string[];
  viewers: string[];
}

export interface Config {
  port: number;
  host: string;
  /** The database: QBR_DATABASE_URL (postgres://…) if set, else the SQLite file QBR_DB; undefined: the default file. */
  db?: string;
  /** Fleet fixture for the embedded local AWS (QBR_FIXTURE). */
  fixture?: string;
  /** Minutes between scheduled scans (QBR_SCAN_INTERVAL_MINUTES). */
  scanIntervalMinutes?: number;
  auth: BuiltinAuthConfig | ProxyAuthConfig;
  /**
   * QBR_ORGANIZATION=true: scans discover their targets from AWS Organizations
   * (QBR_ROLE_NAME, QBR_EXTERNAL_ID, QBR_ORGANIZATION_OUS, QBR_EXCLUDE_ACCOUNTS, QBR_FIX_ROLE_NAME).
   */
  organization?: { roleName?: string; externalId?: string; ous: string[]; excludeAccounts: string[]; fixRoleName?: string };
  /** QBR_FIX_ROLE_NAME: the role fix actions assume in each account (with or without QBR_ORGANIZATION). */
  fixRoleName?: string;
  session: {
    secret: string;
    /** True when QBR_SESSION_SECRET was not set: sessions end when the server restarts. */
    secretIsRandom: boolean;
    /** QBR_SESSION_IDLE_MINUTES: a sign-in unused this long ends, even within its 12 hours (undefined: 60). */
    idleMinutes?: number;
    /**
     * QBR_COOKIE_SECURE: true/false forces the cookie's Secure flag (true behind a
     * TLS-terminating proxy that forwards plain http); undefined: Secure when the request is https.
     */
    cookieSecure?: boolean;
  };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

/** "a, b,,c" -> ["a","b","c"] */
const list = optionalText.transform((value) =>
  value === undefined
    ? []
    : value
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
);

/**
 * PORT: unset means 3000; set, it must be a port. `PORT=` (empty) is refused
 * rather than read as unset: it is usually a variable that did not expand, and
 * falling back to 3000 hides that.
 */
const port = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return undefined;
    const text = value.trim();
    const problem =
      text === ""
        ? "is set but empty: give a port number (0 to 65535), or unset PORT for the default 3000"
        : !/^\d+$/.test(text)
          ? `"${text.slice(0, 20)}" is not a port: give a whole number from 0 to 65535 (0: any free port)`
          : Number(text) > 65535
            ? `${text} is not a port: it must be between 0 and 65535`
            : undefined;
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    return problem ? undefined : Number(text);
  });

const positiveMinutes = optionalText.pipe(
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, "must be a number of minutes")
    .transform(Number)
    .refine((n) => n > 0, "must be more than 0")
    .optional(),
);

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

const envSchema = z.object({
  PORT: port,
  HOST: optionalText,
  QBR_DB: optionalText,
  QBR_DATABASE_URL: optionalText.refine((v) => v === undefined || /^postgres(ql)?:\/\//i.test(v), "must be a postgres:// or postgresql:// URL"),
  QBR_DATABASE_POOL_SIZE: optionalText,
  QBR_DATABASE_SSL: optionalText.pipe(z.enum(["disable", "require", "verify-ca", "verify-full"]).optional()),
  QBR_DATABASE_SSL_CA: optionalText,
  QBR_FIXTURE: optionalText,
  QBR_SCAN_INTERVAL_MINUTES: positiveMinutes,
  /** Read where audits are saved (app/audit/history.ts retentionDays, ADR 0014); checked here so a bad value stops the server at start. */
  QBR_RETENTION_DAYS: optionalText.pipe(
    z
      .string()
      .regex(/^\d+$/, "must be a whole number of days")
      .refine((v) => Number(v) >= 1, "must be 1 or more")
      .optional(),
  ),
  QBR_AUTH: optionalText.pipe(z.enum(["builtin", "proxy"], { errorMap: () => ({ message: 'must be "builtin" or "proxy"' }) }).optional()),
  QBR_USERS_FILE: optionalText,
  QBR_OPERATORS: list,
  QBR_VIEWERS: list,
  QBR_PROXY_ADDRESSES: list,
  QBR_PROXY_USER_HEADER: optionalText,
  QBR_PROXY_OPERATORS: list,
  QBR_PROXY_VIEWERS: list,
  QBR_SESSION_SECRET: optionalText.pipe(z.string().min(16, "must be at least 16 characters").optional()),
  QBR_SESSION_IDLE_MINUTES: positiveMinutes,
  QBR_ORGANIZATION: optionalText.pipe(
    z
      .enum(["true", "false"], { errorMap: () => ({ message: 'must be "true" or "false"' }) })
      .transform((value) => value === "true")
      .optional(),
  ),
  QBR_ROLE_NAME: optionalText.pipe(z.string().regex(ROLE_NAME, "must be an IAM role name ([\\w+=,.@-]{1,64})").optional()),
  QBR_FIX_ROLE_NAME: optionalText.pipe(z.string().regex(ROLE_NAME, "must be an IAM role name ([\\w+=,.@-]{1,64})").optional()),
  QBR_EXTERNAL_ID: optionalText.pipe(
    z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, "must be 2 to 1224 characters of letters, digits and +=,.@:/-")
      .optional(),
  ),
  QBR_ORGANIZATION_OUS: list.pipe(
    z.array(z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/, "must be OU ids (ou-...-...) or the root id (r-...)")),
  ),
  QBR_EXCLUDE_ACCOUNTS: list.pipe(z.array(z.string().regex(/^\d{12}$/, "must be 12-digit account ids"))),
  QBR_COOKIE_SECURE: optionalText.pipe(
    z
      .enum(["true", "false"], { errorMap: () => ({ message: 'must be "true" or "false"' }) })
      .transform((value) => value === "true")
      .optional(),
  ),
});

const usersFileSchema = z.array(
  z
    .object({
      username: z.string().min(1),
      role: z.enum(["operator", "viewer"]),
      passwordHash: z.string(),
    })
    .strict(),
);

function isAddressOrCidr(text: string): boolean {
  const [address, bits, ...rest] = text.split("/");
  if (rest.length > 0 || !isIP(address)) return false;
  if (bits === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d+$/.test(bits) && Number(bits) <= max;
}

/** Pure: validates `env` and returns the configuration, or throws a ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];

  let auth: Config["auth"];
  if (e.QBR_AUTH === "proxy") {
    if (e.QBR_PROXY_ADDRESSES.length === 0) {
      problems.push("QBR_PROXY_ADDRESSES: required with QBR_AUTH=proxy (the proxy's IPs or CIDRs, comma-separated)");
    }
    for (const address of e.QBR_PROXY_ADDRESSES) {
      if (!isAddressOrCidr(address)) problems.push(`QBR_PROXY_ADDRESSES: "${address}" is not an IP address or CIDR`);
    }
    if (e.QBR_PROXY_OPERATORS.length + e.QBR_PROXY_VIEWERS.length === 0) {
      problems.push("QBR_PROXY_OPERATORS / QBR_PROXY_VIEWERS: list at least one user identity, or nobody can use the dashboard");
    }
    const userHeader = (e.QBR_PROXY_USER_HEADER ?? "x-amzn-oidc-identity").toLowerCase();
    if (!/^[a-z0-9-]+$/.test(userHeader)) problems.push(`QBR_PROXY_USER_HEADER: "${userHeader}" is not a header name`);
    auth = {
      mode: "proxy",
      proxyAddresses: e.QBR_PROXY_ADDRESSES,
      userHeader,
      operators: e.QBR_PROXY_OPERATORS,
      viewers: e.QBR_PROXY_VIEWERS,
    };
  } else {
    auth = { mode: "builtin", users: readBuiltinUsers(e, problems) };
  }

  if (!e.QBR_ORGANIZATION) {
    for (const variable of ["QBR_ROLE_NAME", "QBR_EXTERNAL_ID", "QBR_ORGANIZATION_OUS", "QBR_EXCLUDE_ACCOUNTS"] as const) {
      const value = e[variable];
      if (Array.isArray(value) ? value.length > 0 : value !== undefined) problems.push(`${variable}: only applies with QBR_ORGANIZATION=true`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT ?? 3000,
    host: e.HOST ?? "127.0.0.1",
    db: e.QBR_DATABASE_URL ?? e.QBR_DB,
    fixture: e.QBR_FIXTURE,
    scanIntervalMinutes: e.QBR_SCAN_INTERVAL_MINUTES,
    auth,
    ...(e.QBR_ORGANIZATION
      ? {
          organization: {
            roleName: e.QBR_ROLE_NAME,
            externalId: e.QBR_EXTERNAL_ID,
            ous: e.QBR_ORGANIZATION_OUS,
            excludeAccounts: e.QBR_EXCLUDE_ACCOUNTS,
            fixRoleName: e.QBR_FIX_ROLE_NAME,
          },
        }
      : {}),
    ...(e.QBR_FIX_ROLE_NAME ? { fixRoleName: e.QBR_FIX_ROLE_NAME } : {}),
    session: {
      ...(e.QBR_SESSION_SECRET
        ? { secret: e.QBR_SESSION_SECRET, secretIsRandom: false }
        : { secret: randomBytes(32).toString("base64url"), secretIsRandom: true }),
      idleMinutes: e.QBR_SESSION_IDLE_MINUTES,
      cookieSecure: e.QBR_COOKIE_SECURE,
    },
  };
}

function readBuiltinUsers(e: z.infer<typeof envSchema>, problems: string[]): ConfiguredUser[] {
  const users: ConfiguredUser[] = [];
  const add = (source: string, username: string, role: Role, hash: string) => {
    try {
      users.push({ username, role, passwordHash: parsePasswordHash(hash) });
    } catch (error) {
      problems.push(`${source}: password hash of "${username}" ${(error as Error).message}`);
    }
  };

  if (e.QBR_USERS_FILE) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(e.QBR_USERS_FILE, "utf8"));
    } catch (error) {
      problems.push(`QBR_USERS_FILE: cannot read ${e.QBR_USERS_FILE} as JSON (${(error as Error).message})`);
    }
    if (json !== undefined) {
      const file = usersFileSchema.safeParse(json);
      if (!file.success) {
        for (const issue of file.error.issues) {
          const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
          problems.push(`QBR_USERS_FILE (${e.QBR_USERS_FILE}) ${path || "(top)"}: ${issue.message}`);
        }
      } else {
        for (const user of file.data) add("QBR_USERS_FILE", user.username, user.role, user.passwordHash);
      }
    }
  }
  for (const [variable, role] of [
    ["QBR_OPERATORS", "operator"],
    ["QBR_VIEWERS", "viewer"],
  ] as const) {
    for (const entry of e[variable]) {
      const colon = entry.indexOf(":");
      if (colon <= 0) {
        problems.push(`${variable}: entries must be "name:hash", got "${entry.slice(0, 20)}..."`);
        continue;
      }
      add(variable, entry.slice(0, colon), role, entry.slice(colon + 1));
    }
  }
  const seen = new Set<string>();
  for (const user of users) {
    if (seen.has(user.username)) problems.push(`user "${user.username}" is configured more than once`);
    seen.add(user.username);
  }
  return users;
}

/** One per process, shared by serve.ts and the Remix build (a process singleton). */
const held = () => singleton("config", (): { config?: Config } => ({}));

/** Installs the configuration the app reads (serve.ts at start; tests with their own). */
export function setConfig(config: Config): void {
  held().config = config;
}

/** The configuration set at start; validated from process.env on first use when nobody set one. */
export function getConfig(): Config {
  const holder = held();
  holder.config ??= loadConfig(process.env);
  return holder.config;
}
