/**
 * Generated fleets for benchmarks and load tests: a seeded, realistic mix of
 * Q Business applications (about 40% ready, the rest spread over the ways an
 * application fails the clickable-URL checks), in the fleet-fixture format.
 *
 * Deterministic for a seed, and built to stay fast and light for large fleets
 * (a million documents): times are shared ISO strings, ids come from counters,
 * and `fixtureJsonChunks` serialises without building one giant string.
 */
import type {
  Fixture,
  FixtureAccount,
  FixtureApplication,
  FixtureDataSource,
  FixtureDocument,
  FixtureFaults,
  FixtureManagedPolicy,
  FixtureRole,
  FixtureS3Object,
  FixtureSyncJob,
  FixtureUploadedDocument,
  IdentityType,
  PolicyDocument,
  PolicyStatement,
} from "./fixture-types";
import { seededRandom } from "../util/random";

/** Regions where Amazon Q Business is offered, in the order `--regions N` takes them. */
export const QBUSINESS_REGIONS = [
  "us-east-1",
  "us-west-2",
  "eu-west-1",
  "ap-southeast-2",
  "ap-southeast-1",
  "ca-central-1",
  "eu-central-1",
  "eu-west-2",
  "ap-northeast-1",
  "ap-south-1",
  "ap-northeast-2",
] as const;

/** What a generated application is meant to demonstrate. */
export type FleetScenario =
  | "ready"
  | "incremental-only"
  | "unknown-mode"
  | "stale-documents"
  | "role-without-permission"
  | "explicit-deny"
  | "anonymous"
  | "failing-sync"
  | "stale-uploads";

/** Share of applications per scenario: about 40% ready, the rest spread evenly. */
export const SCENARIO_MIX: Record<FleetScenario, number> = {
  ready: 0.4,
  "incremental-only": 0.075,
  "unknown-mode": 0.075,
  "stale-documents": 0.075,
  "role-without-permission": 0.075,
  "explicit-deny": 0.075,
  anonymous: 0.075,
  "failing-sync": 0.075,
  "stale-uploads": 0.075,
};

export interface GenerateFleetOptions {
  /** Number of accounts. */
  accounts: number;
  /** A count (the first N of QBUSINESS_REGIONS) or explicit region names. */
  regions: number | readonly string[];
  /** Applications per account and region (the Q Business quota is 50). */
  apps: number;
  /** Data sources per application (the quota is 50). */
  dataSources: number;
  /**
   * Sync jobs per data source (at least 1). With a single job a source cannot
   * show a failed sync after a good one, so "failing-sync" sources are healthy.
   */
  syncJobs: number;
  /** Documents per data source. */
  documents: number;
  seed: number;
  /** Embedded as the fixture's `faults`. */
  faults?: FixtureFaults;
  /**
   * Give every document an S3 object (and `s3Key`). Defaults to true only for
   * fleets of at most 20,000 documents: objects double the size of a big fleet
   * and the audit never reads them.
   */
  s3Objects?: boolean;
  /** The emulator's start time; default 2026-11-26T12:00:00Z. */
  clock?: string;
}

export interface GeneratedFleet {
  fixture: Fixture;
  /** The scenario of each application, by applicationId (what an audit should find). */
  scenarios: Map<string, FleetScenario>;
}

const CUTOFF_MS = Date.parse("2025-07-03T00:00:00Z");
const DEFAULT_CLOCK = "2026-11-26T12:00:00Z";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AUDIT_ROLE_NAME = "QbizReadinessAudit";
const DATA_SOURCE_ROLE_NAME = "QBusinessS3DataSourceRole";
const DENY_POLICY_NAME = "DenyQBusinessGetDocumentContent";

/** Same as generateFleetWithScenarios, without the scenario map. */
export function generateFleet(options: GenerateFleetOptions): Fixture {
  return generateFleetWithScenarios(options).fixture;
}

/**
 * Build a fleet fixture. Throws RangeError naming the option when a count is
 * out of range. Every account after the first has the role QbizReadinessAudit,
 * trusting the first account, so one set of credentials reaches the fleet.
 */
export function generateFleetWithScenarios(options: GenerateFleetOptions): GeneratedFleet {
  const regions = resolveRegions(options.regions);
  checkCount("accounts", options.accounts, 1, 1000);
  checkCount("apps", options.apps, 0, 50);
  checkCount("dataSources", options.dataSources, 1, 50);
  checkCount("syncJobs", options.syncJobs, 1, 10_000);
  checkCount("documents", options.documents, 0, 10_000_000);
  if (!Number.isInteger(options.seed)) throw new RangeError("seed must be an integer");

  const totalDocuments = options.accounts * regions.length * options.apps * options.dataSources * options.documents;
  const builder = new FleetBuilder({
    ...options,
    regions,
    s3Objects: options.s3Objects ?? totalDocuments <= 20_000,
    clockMs: Date.parse(options.clock ?? DEFAULT_CLOCK),
  });
  const fixture: Fixture = {
    fixtureVersion: 1,
    clock: options.clock ?? DEFAULT_CLOCK,
    accounts: builder.accounts(),
  };
  if (options.faults) fixture.faults = { ...options.faults };
  return { fixture, scenarios: builder.scenarios };
}

function resolveRegions(regions: number | readonly string[]): string[] {
  if (typeof regions === "number") {
    checkCount("regions", regions, 1, QBUSINESS_REGIONS.length);
    return QBUSINESS_REGIONS.slice(0, regions);
  }
  if (regions.length === 0) throw new RangeError("regions must name at least one region");
  if (new Set(regions).size !== regions.length) throw new RangeError("regions must not repeat a region");
  return [...regions];
}

function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * Spread `count` items over the scenarios by SCENARIO_MIX (largest remainder,
 * so the shares hold even for small fleets), then shuffle.
 */
function scenarioDeck(count: number, random: () => number): FleetScenario[] {
  const entries = Object.entries(SCENARIO_MIX) as [FleetScenario, number][];
  const quotas = entries.map(([scenario, share]) => ({ scenario, exact: share * count, n: Math.floor(share * count) }));
  let left = count - quotas.reduce((sum, q) => sum + q.n, 0);
  for (const q of [...quotas].sort((a, b) => b.exact - b.n - (a.exact - a.n))) {
    if (left-- <= 0) break;
    q.n++;
  }
  const deck = quotas.flatMap((q) => Array<FleetScenario>(q.n).fill(q.scenario));
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [deck[i], deck[j]] = [deck[j], deck[i]];
  }
  return deck;
}

// ---------------------------------------------------------------- names

const DEPARTMENTS = ["hr", "it", "finance", "legal", "sales", "marketing", "engineering", "support", "procurement", "facilities", "security", "research"];
const PURPOSES = ["assistant", "helpdesk", "knowledge-hub", "policy-bot", "search", "copilot"];
const ALIASES = ["acme-prod", "acme-sandbox", "acme-staging", "acme-dev", "acme-analytics", "acme-security", "acme-shared-services", "acme-emea"];
/** Folder names of the AWS sample data, then a few more of the same kind. */
const FOLDERS = [
  "ACME Project Space",
  "HR Data",
  "IT Help",
  "Finance Reports",
  "Legal Contracts",
  "Sales Playbooks",
  "Engineering Runbooks",
  "Customer Support",
  "Marketing Assets",
  "Security Policies",
];
const TOPICS = [
  "Project plan",
  "Employee health benefits policy",
  "VPN setup guide",
  "Quarterly report",
  "Master services agreement",
  "Onboarding checklist",
  "Incident runbook",
  "Pricing guide",
  "Brand guidelines",
  "Access review",
  "Meeting notes",
  "Travel policy",
];
const EXTENSIONS = ["docx", "pdf", "xlsx", "pptx", "md", "html", "txt"];
const UPLOADS: [string, string][] = [
  ["national_park_services_infograph.pdf", "PDF"],
  ["Org chart.pdf", "PDF"],
  ["Benefits overview.pptx", "PPT"],
  ["Holiday calendar.xlsx", "MS_EXCEL"],
  ["Office floor plan.pdf", "PDF"],
  ["Expense codes.csv", "CSV"],
];
const CHAT_ACTIONS = [
  "qbusiness:Chat",
  "qbusiness:ChatSync",
  "qbusiness:ListMessages",
  "qbusiness:ListConversations",
  "qbusiness:DeleteConversation",
  "qbusiness:PutFeedback",
  "qbusiness:GetWebExperience",
  "qbusiness:GetApplication",
  "qbusiness:ListPlugins",
  "qbusiness:GetChatControlsConfiguration",
];

// ---------------------------------------------------------------- builder

interface BuilderOptions extends Omit<GenerateFleetOptions, "regions" | "clock"> {
  regions: string[];
  s3Objects: boolean;
  clockMs: number;
}

/** A web experience role being built; apps may share it within an account. */
interface WebRole {
  role: FixtureRole;
  /** Application ARNs the role serves (chat statement and trust). */
  served: string[];
  /** Application ARNs granted GetDocumentContent (and their indices). */
  granted: string[];
}

/** How one data source is shaped by its application's scenario. */
type SourceKind = "healthy" | "incremental-only" | "unknown-mode" | "stale-documents" | "failing-sync";

class FleetBuilder {
  readonly scenarios = new Map<string, FleetScenario>();
  private readonly random: () => number;
  private idCounter = 0;
  private readonly isoCache = new Map<number, string>();

  constructor(private readonly o: BuilderOptions) {
    this.random = seededRandom(o.seed);
  }

  accounts(): FixtureAccount[] {
    const ids = this.accountIds();
    const perAccount = this.o.regions.length * this.o.apps;
    const deck = scenarioDeck(ids.length * perAccount, this.random);
    return ids.map((accountId, a) => this.account(accountId, a, ids[0], deck.slice(a * perAccount, (a + 1) * perAccount)));
  }

  private accountIds(): string[] {
    const ids = new Set<string>();
    while (ids.size < this.o.accounts) {
      ids.add(String(100_000_000_000 + Math.floor(this.random() * 899_999_999_999)));
    }
    return [...ids];
  }

  private account(accountId: string, a: number, firstAccountId: string, deck: FleetScenario[]): FixtureAccount {
    const roles: FixtureRole[] = [dataSourceRole(accountId)];
    const managedPolicies: FixtureManagedPolicy[] = [];
    if (a > 0) roles.push(auditRole(firstAccountId));
    const buckets: Record<string, { objects: Record<string, FixtureS3Object> }> = {};
    const webRoles: WebRole[] = [];
    let shareable: WebRole | undefined;
    const account: FixtureAccount = {
      accountId,
      alias: ALIASES[a] ?? `acme-account-${a + 1}`,
      regions: {},
      iam: { roles, managedPolicies },
      s3: { buckets },
    };

    let appNumber = 0;
    for (const region of this.o.regions) {
      const applications: FixtureApplication[] = [];
      for (let p = 0; p < this.o.apps; p++) {
        const scenario = deck[appNumber++];
        const name = `${DEPARTMENTS[(appNumber - 1) % DEPARTMENTS.length]}-${PURPOSES[Math.floor((appNumber - 1) / DEPARTMENTS.length) % PURPOSES.length]}-${region}-${p + 1}`;
        const bucket = `acme-${accountId}-${region}-${p + 1}-docs`;
        buckets[bucket] = { objects: {} };
        const app = this.application(accountId, region, name, bucket, scenario, buckets[bucket].objects);
        applications.push(app);
        this.scenarios.set(app.applicationId, scenario);

        if (scenario === "anonymous") continue;
        const appArn = `arn:aws:qbusiness:${region}:${accountId}:application/${app.applicationId}`;
        const identity = app.identityType;
        // Explicit-deny roles carry an attached Deny: they are never shared, nor reused.
        const share = scenario !== "explicit-deny" && identity === "AWS_IAM_IDC" && shareable !== undefined && this.random() < 0.2;
        let webRole: WebRole;
        if (share && shareable) {
          webRole = shareable;
        } else {
          webRole = {
            role: { roleName: `${pascal(name)}WebRole`, path: "/", assumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] } },
            served: [],
            granted: [],
          };
          webRoles.push(webRole);
          roles.push(webRole.role);
          if (identity === "AWS_IAM_IDC" && scenario !== "explicit-deny") shareable = webRole;
        }
        webRole.served.push(appArn);
        if (scenario !== "role-without-permission") webRole.granted.push(appArn);
        if (scenario === "explicit-deny") {
          if (managedPolicies.length === 0) managedPolicies.push(denyPolicy(accountId));
          webRole.role.attachedPolicyArns = [managedPolicies[0].arn];
        }
        webRole.role.assumeRolePolicyDocument = identity === "AWS_IAM_IDP_SAML" ? samlTrust(accountId) : identityCenterTrust(accountId, webRole.served);
        app.webExperiences[0].roleArn = `arn:aws:iam::${accountId}:role/${webRole.role.roleName}`;
      }
      account.regions[region] = { applications };
    }
    for (const webRole of webRoles) {
      webRole.role.inlinePolicies = { QBusinessWebExperiencePolicy: webExperiencePolicy(webRole.served, webRole.granted) };
    }
    return account;
  }

  private application(
    accountId: string,
    region: string,
    name: string,
    bucket: string,
    scenario: FleetScenario,
    objects: Record<string, FixtureS3Object>,
  ): FixtureApplication {
    const createdMs = this.between(Date.parse("2024-01-08T00:00:00Z"), Date.parse("2025-05-20T00:00:00Z"));
    const identityType: IdentityType = scenario === "anonymous" ? "ANONYMOUS" : this.random() < 0.1 ? "AWS_IAM_IDP_SAML" : "AWS_IAM_IDC";
    const kinds = this.sourceKinds(scenario);
    const dataSources = kinds.map((kind, d) => this.dataSource(accountId, bucket, d, kind, createdMs, objects));
    const index: FixtureApplication["indices"][number] = {
      indexId: this.newId(),
      displayName: `${name}-index`,
      type: "ENTERPRISE",
      status: "ACTIVE",
      createdAt: this.iso(createdMs + HOUR),
      dataSources,
    };
    if (scenario === "stale-uploads") index.uploadedDocuments = this.uploads(true);
    else if (scenario === "ready" && this.random() < 0.3) index.uploadedDocuments = this.uploads(false);
    const webExperienceId = this.newId();
    return {
      applicationId: this.newId(),
      displayName: name,
      identityType,
      status: "ACTIVE",
      createdAt: this.iso(createdMs),
      indices: [index],
      webExperiences: [
        {
          webExperienceId,
          status: "ACTIVE",
          createdAt: this.iso(createdMs + 2 * HOUR),
          updatedAt: this.iso(createdMs + 2 * HOUR),
          defaultEndpoint: `https://${webExperienceId.slice(0, 8)}.chat.qbusiness.${region}.on.aws/`,
        },
      ],
    };
  }

  /** Which data sources of an application carry its scenario: one to a third of them. */
  private sourceKinds(scenario: FleetScenario): SourceKind[] {
    const kinds: SourceKind[] = Array<SourceKind>(this.o.dataSources).fill("healthy");
    const sourceLevel: Partial<Record<FleetScenario, SourceKind>> = {
      "incremental-only": "incremental-only",
      "unknown-mode": "unknown-mode",
      "stale-documents": "stale-documents",
      "failing-sync": "failing-sync",
    };
    const kind = sourceLevel[scenario];
    if (!kind) return kinds;
    const affected = 1 + Math.floor(this.random() * Math.ceil(this.o.dataSources / 3));
    const first = Math.floor(this.random() * this.o.dataSources);
    for (let i = 0; i < affected; i++) kinds[(first + i) % kinds.length] = kind;
    return kinds;
  }

  private dataSource(
    accountId: string,
    bucket: string,
    d: number,
    kind: SourceKind,
    appCreatedMs: number,
    objects: Record<string, FixtureS3Object>,
  ): FixtureDataSource {
    const J = this.o.syncJobs;
    const folder = FOLDERS[d % FOLDERS.length];
    // The API's DataSourceName pattern allows no spaces: "HR Data" becomes "hr-data".
    const name = folder.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    const displayName = d < FOLDERS.length ? name : `${name}-${Math.floor(d / FOLDERS.length) + 1}`;
    // A healthy source with a single job can only be shown fully synced by that job being its first, after the cutoff.
    const createdAfterCutoff = (kind === "healthy" && (J === 1 || this.random() < 0.15)) || (kind === "failing-sync" && J <= 2);
    const createdMs = createdAfterCutoff ? this.between(CUTOFF_MS + 10 * DAY, Date.parse("2026-05-01T00:00:00Z")) : appCreatedMs + this.between(HOUR, 30 * DAY);
    const starts = this.jobStarts(createdMs, J);
    if (kind === "failing-sync" && J >= 3 && starts[J - 2] < CUTOFF_MS) {
      // The sync before the failed one is the full sync after the cutoff that keeps the source's documents fresh.
      starts[J - 2] = this.between(Math.max(CUTOFF_MS, starts[J - 3]) + DAY, starts[J - 1] - DAY);
    }
    const ends = starts.map((s) => s + this.between(3 * 60_000, 40 * 60_000));
    const s3v2 = kind === "unknown-mode" && this.random() < 0.5;
    // Forced full mode is certain evidence, unless the configuration changed after the jobs (unknown-mode).
    const syncMode = kind === "incremental-only" || (kind === "healthy" && createdAfterCutoff) ? "FULL_CRAWL" : "FORCED_FULL_CRAWL";
    const updatedMs = kind === "unknown-mode" && !s3v2 ? starts[J - 1] + Math.floor((this.o.clockMs - starts[J - 1]) / 2) : createdMs;
    const lastIndex = kind === "failing-sync" && J >= 2 ? J - 1 : -1; // the job that failed
    const freshEndMs = lastIndex >= 0 ? ends[J - 2] : ends[J - 1];

    // Documents: when each was last ingested.
    const D = this.o.documents;
    const staleShare = kind === "stale-documents" || kind === "unknown-mode" ? 0.01 + this.random() * 0.04 : 0;
    const staleCount =
      kind === "incremental-only" ? Math.ceil(D * (0.8 + this.random() * 0.15)) : D > 0 && staleShare > 0 ? Math.max(1, Math.floor(D * staleShare)) : 0;
    const prefix = `${folder}/`;
    const documents = this.documents({ bucket, d, folder, kind, syncMode, ends, freshEndMs, staleCount, createdMs, objects });

    const failedDocuments = kind === "stale-documents" || kind === "unknown-mode" ? staleCount : 0;
    const syncJobs = this.syncJobs({ bucket, starts, ends, syncMode, failedDocuments, lastIndex });

    const configuration = s3Configuration({ s3v2, bucket, prefix, syncMode });
    return {
      dataSourceId: this.newId(),
      displayName,
      type: s3v2 ? "S3V2" : "S3",
      status: "ACTIVE",
      createdAt: this.iso(createdMs),
      updatedAt: this.iso(updatedMs),
      syncSchedule: "",
      roleArn: `arn:aws:iam::${accountId}:role/service-role/${DATA_SOURCE_ROLE_NAME}`,
      configuration,
      syncJobs,
      documents,
      syncDurationSeconds: 5,
    };
  }

  /** A source's documents, when each was last ingested (and their S3 objects, when the fleet has them). */
  private documents(o: {
    bucket: string;
    d: number;
    folder: string;
    kind: SourceKind;
    syncMode: string;
    ends: number[];
    freshEndMs: number;
    staleCount: number;
    createdMs: number;
    objects: Record<string, FixtureS3Object>;
  }): FixtureDocument[] {
    const { bucket, d, folder, kind, syncMode, ends, staleCount, createdMs, objects } = o;
    const D = this.o.documents;
    const J = this.o.syncJobs;
    const firstEnd = ends[0];
    const prefix = `${folder}/`;
    const documentIdPrefix = `s3://${bucket}/${prefix.replaceAll(" ", "+")}`;
    const documents: FixtureDocument[] = new Array(D);
    const firstEndIso = this.iso(firstEnd);
    const freshIso = this.iso(o.freshEndMs);
    for (let k = 0; k < D; k++) {
      const name = `${TOPICS[k % TOPICS.length]} ${d + 1}-${k + 1}.${EXTENSIONS[k % EXTENSIONS.length]}`;
      let updatedAt: string;
      let status: FixtureDocument["status"] = "INDEXED";
      if (kind === "incremental-only") {
        // Most documents untouched since the first (full) sync; the rest changed and were picked up later.
        updatedAt = k < staleCount ? firstEndIso : this.iso(ends[Math.floor(this.random() * J)]);
      } else if (kind === "healthy" && syncMode === "FULL_CRAWL") {
        updatedAt = this.random() < 0.9 ? firstEndIso : this.iso(ends[Math.floor(this.random() * J)]);
      } else if (k < staleCount) {
        // Documents that failed to re-ingest keep their old date.
        updatedAt = firstEnd < CUTOFF_MS ? firstEndIso : this.iso(CUTOFF_MS - 30 * DAY);
        status = "DOCUMENT_FAILED_TO_INDEX";
      } else {
        updatedAt = freshIso;
      }
      const doc: FixtureDocument = {
        documentId: documentIdPrefix + name.replaceAll(" ", "+"),
        status,
        createdAt: firstEndIso,
        updatedAt,
      };
      if (this.o.s3Objects) {
        const key = prefix + name;
        doc.s3Key = key;
        objects[key] = { text: `${TOPICS[k % TOPICS.length]} (${folder}), document ${k + 1}.`, lastModified: this.iso(createdMs - DAY) };
      }
      documents[k] = doc;
    }
    return documents;
  }

  /** A source's sync jobs, oldest first; the one at `lastIndex` (if any) failed, was incomplete or aborted. */
  private syncJobs(o: { bucket: string; starts: number[]; ends: number[]; syncMode: string; failedDocuments: number; lastIndex: number }): FixtureSyncJob[] {
    const { bucket, starts, ends, syncMode, failedDocuments, lastIndex } = o;
    const D = this.o.documents;
    return starts.map((start, j) => {
      const job: FixtureSyncJob = { executionId: this.newId(), startTime: this.iso(start), endTime: this.iso(ends[j]), status: "SUCCEEDED" };
      const modified = j === 0 ? 0 : syncMode === "FORCED_FULL_CRAWL" ? D - failedDocuments : Math.floor(this.random() * Math.min(D, 5) + 0.5);
      job.metrics = {
        documentsAdded: String(j === 0 ? D : 0),
        documentsModified: String(modified),
        documentsDeleted: "0",
        documentsFailed: String(j > 0 ? failedDocuments : 0),
        documentsScanned: String(D),
      };
      if (j === lastIndex) {
        const status = (["FAILED", "FAILED", "FAILED", "INCOMPLETE", "ABORTED"] as const)[Math.floor(this.random() * 5)];
        job.status = status;
        if (status === "FAILED") {
          job.error = {
            errorCode: "InvalidRequest",
            errorMessage: `Amazon Q could not access the S3 bucket ${bucket}: Access Denied. Check the data source's IAM role.`,
          };
          job.dataSourceErrorCode = "S3_ACCESS_DENIED";
          job.metrics = { documentsAdded: "0", documentsModified: "0", documentsDeleted: "0", documentsFailed: "0", documentsScanned: "0" };
        } else if (status === "INCOMPLETE") {
          job.metrics = { ...job.metrics, documentsModified: "0", documentsFailed: String(Math.max(1, Math.floor(D / 10))) };
        } else {
          job.metrics = {
            documentsAdded: "0",
            documentsModified: "0",
            documentsDeleted: "0",
            documentsFailed: "0",
            documentsScanned: String(Math.floor(D / 2)),
          };
        }
      }
      return job;
    });
  }

  /**
   * Start times of a source's jobs, oldest first: the first sync a few hours
   * after creation, the latest within the last three weeks, the others spread
   * between (so a long history crosses the cutoff).
   */
  private jobStarts(createdMs: number, count: number): number[] {
    const first = createdMs + this.between(HOUR, 12 * HOUR);
    const last = this.o.clockMs - this.between(DAY, 21 * DAY);
    if (count === 1) return [first];
    const starts = [first];
    const step = (last - first) / (count - 1);
    for (let j = 1; j < count - 1; j++) starts.push(Math.floor(first + step * (j + (this.random() - 0.5) * 0.8)));
    starts.push(last);
    return starts;
  }

  private uploads(stale: boolean): FixtureUploadedDocument[] {
    const count = 1 + Math.floor(this.random() * UPLOADS.length);
    const staleUntil = stale ? 1 + Math.floor(this.random() * count) : 0;
    return UPLOADS.slice(0, count).map(([documentId, contentType], i) => {
      const at = this.iso(
        i < staleUntil ? this.between(Date.parse("2024-11-01T00:00:00Z"), CUTOFF_MS - DAY) : this.between(CUTOFF_MS + DAY, this.o.clockMs - DAY),
      );
      return { documentId, status: "INDEXED", createdAt: at, updatedAt: at, contentType };
    });
  }

  /** uuid-shaped: random-looking prefix, the counter at the end keeps every id distinct. */
  private newId(): string {
    const r1 = Math.floor(this.random() * 0x100000000);
    const r2 = Math.floor(this.random() * 0x100000000);
    const h = (n: number, len: number) => n.toString(16).padStart(len, "0");
    const counter = this.idCounter++;
    return `${h(r1, 8)}-${h(r2 >>> 16, 4)}-4${h(r2 & 0xfff, 3)}-${"89ab"[counter & 3]}${h((r2 >>> 12) & 0xfff, 3)}-${h(counter, 12)}`;
  }

  private between(min: number, max: number): number {
    return Math.floor(min + this.random() * (max - min));
  }

  /** ISO time, whole seconds, one shared string per instant (many documents share a sync's end). */
  private iso(ms: number): string {
    const seconds = Math.floor(ms / 1000);
    let s = this.isoCache.get(seconds);
    if (s === undefined) {
      s = new Date(seconds * 1000).toISOString().replace(".000Z", "Z");
      this.isoCache.set(seconds, s);
    }
    return s;
  }
}

/** An S3 (v1, with its sync mode) or S3V2 (no sync mode) data source configuration. */
function s3Configuration(o: { s3v2: boolean; bucket: string; prefix: string; syncMode: string }): Record<string, unknown> {
  const { bucket, prefix, syncMode } = o;
  return o.s3v2
    ? {
        type: "S3V2",
        version: "2.0.0",
        connectionConfiguration: { repositoryEndpointMetadata: { BucketName: bucket } },
        repositoryConfigurations: { document: { fieldMappings: [] } },
        additionalProperties: { inclusionPrefixes: [prefix] },
      }
    : {
        type: "S3",
        version: "1.0.0",
        syncMode,
        connectionConfiguration: { repositoryEndpointMetadata: { BucketName: bucket } },
        repositoryConfigurations: { document: { fieldMappings: [] } },
        additionalProperties: { inclusionPrefixes: [prefix] },
      };
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("")
    .slice(0, 56);
}

// ---------------------------------------------------------------- IAM documents

function identityCenterTrust(accountId: string, appArns: string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "QBusinessTrustPolicy",
        Effect: "Allow",
        Principal: { Service: "application.qbusiness.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:SetContext"],
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnEquals: { "aws:SourceArn": appArns.length === 1 ? appArns[0] : [...appArns] },
        },
      },
    ],
  };
}

function samlTrust(accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${accountId}:saml-provider/AcmeOkta` },
        Action: ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
      },
    ],
  };
}

function webExperiencePolicy(served: string[], granted: string[]): PolicyDocument {
  const statements: PolicyStatement[] = [{ Sid: "QBusinessConversationPermission", Effect: "Allow", Action: [...CHAT_ACTIONS], Resource: [...served] }];
  if (granted.length > 0) {
    statements.push({
      Sid: "QBusinessGetDocumentContentPermission",
      Effect: "Allow",
      Action: ["qbusiness:GetDocumentContent"],
      Resource: granted.flatMap((arn) => [arn, `${arn}/index/*`]),
    });
  }
  statements.push({
    Sid: "QBusinessSetContextPermissions",
    Effect: "Allow",
    Action: ["sts:SetContext"],
    Resource: ["arn:aws:sts::*:self"],
    Condition: { StringLike: { "aws:CalledViaLast": ["qbusiness.amazonaws.com"] } },
  });
  return { Version: "2012-10-17", Statement: statements };
}

function denyPolicy(accountId: string): FixtureManagedPolicy {
  return {
    arn: `arn:aws:iam::${accountId}:policy/${DENY_POLICY_NAME}`,
    policyName: DENY_POLICY_NAME,
    document: {
      Version: "2012-10-17",
      Statement: [{ Sid: "DenyRawDocumentDownload", Effect: "Deny", Action: "qbusiness:GetDocumentContent", Resource: "*" }],
    },
  };
}

function dataSourceRole(accountId: string): FixtureRole {
  return {
    roleName: DATA_SOURCE_ROLE_NAME,
    path: "/service-role/",
    assumeRolePolicyDocument: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "qbusiness.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
      ],
    },
    inlinePolicies: {
      AllowsAmazonQToReadS3: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket"], Resource: [`arn:aws:s3:::acme-${accountId}-*`] }],
      },
    },
  };
}

function auditRole(trustedAccountId: string): FixtureRole {
  return {
    roleName: AUDIT_ROLE_NAME,
    path: "/",
    assumeRolePolicyDocument: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${trustedAccountId}:root` }, Action: "sts:AssumeRole" }],
    },
    inlinePolicies: {
      QbizReadinessAuditReadOnly: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["qbusiness:List*", "qbusiness:Get*"], Resource: "*" },
          {
            Effect: "Allow",
            Action: [
              "iam:GetRole",
              "iam:ListRolePolicies",
              "iam:GetRolePolicy",
              "iam:ListAttachedRolePolicies",
              "iam:GetPolicy",
              "iam:GetPolicyVersion",
              "iam:SimulatePrincipalPolicy",
            ],
            Resource: "*",
          },
        ],
      },
    },
  };
}

// ---------------------------------------------------------------- serialisation

/**
 * The fixture as compact JSON, in chunks of about `chunkSize` characters,
 * identical to JSON.stringify(fixture) once joined. Big arrays and objects are
 * walked member by member, so a million-document fleet never becomes one string.
 */
export function* fixtureJsonChunks(fixture: Fixture, chunkSize = 1 << 20): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  const push = (s: string): boolean => {
    parts.push(s);
    size += s.length;
    return size >= chunkSize;
  };
  const flush = (): string => {
    const chunk = parts.join("");
    parts = [];
    size = 0;
    return chunk;
  };
  // Small values are stringified whole; only big containers get a generator frame.
  const small = (v: unknown) => v === null || typeof v !== "object" || isSmall(v, 64);
  function* emit(value: object): Generator<string> {
    if (Array.isArray(value)) {
      push("[");
      for (let i = 0; i < value.length; i++) {
        if (i > 0) push(",");
        const item: unknown = value[i] === undefined || typeof value[i] === "function" ? null : value[i];
        if (!small(item)) yield* emit(item as object);
        else if (push(JSON.stringify(item))) yield flush();
      }
      push("]");
      return;
    }
    push("{");
    let first = true;
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === "function") continue;
      push(first ? `${JSON.stringify(key)}:` : `,${JSON.stringify(key)}:`);
      first = false;
      if (!small(item)) yield* emit(item as object);
      else if (push(JSON.stringify(item))) yield flush();
    }
    push("}");
  }
  yield* emit(fixture);
  if (parts.length > 0) yield flush();
}

/** True when the value has at most `budget` nested values (cheap to stringify at once). */
function isSmall(value: unknown, budget: number): boolean {
  let left = budget;
  const visit = (v: unknown): boolean => {
    if (--left < 0) return false;
    if (v === null || typeof v !== "object") return true;
    if (Array.isArray(v)) return v.length <= left && v.every(visit);
    for (const key in v) if (!visit((v as Record<string, unknown>)[key])) return false;
    return true;
  };
  return visit(value);
}
