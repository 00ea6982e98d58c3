/**
 * An application settled as soon as it is read: checked, what it establishes
 * for the next audit worked out, and its stored inventory, findings and that
 * evidence packed. The audit's
 * pipeline holds only this while the rest of the fleet is read, so the
 * fleet's inventory (its sync jobs, configurations, role documents) is never
 * held at once (ADR 0017, "Applications handed over").
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { applicationEvidence, type ApplicationEvidence } from "./incremental";
import { runChecks } from "./report";
import type { ApplicationHeader, ApplicationInventory, Finding, Inventory, RoleInventory, StoredApplicationInventory } from "./types";

/** An application as the report and the store need it once it is read and checked. */
export interface AuditedApplication {
  header: ApplicationHeader;
  /** Its inventory as stored with the audit (with the roles its web experiences use), made again when asked for. */
  stored(): StoredApplicationInventory;
  /** The same as JSON text, byte for byte what is stored. */
  storedText(): string;
}

/** What an audit read: its targets and statistics, and each application as audited (inventory order). */
export interface AuditedInventory extends Omit<Inventory, "applications" | "roles"> {
  applications: AuditedApplication[];
}

export interface SettledApplication extends AuditedApplication {
  /** Every check's findings on this application (its target's own findings are not among them), made again from their packed JSON. */
  findings(): Finding[];
  /** What its audit establishes per data source (stored once the audit is saved), made again from its packed JSON. */
  evidence(): ApplicationEvidence;
}

/**
 * JSON, DEFLATE-packed (level 1). A copy of deflateRawSync's answer is kept:
 * the answer itself is a view of a 16 KB+ output buffer, which it would keep alive.
 */
function pack(value: unknown): Buffer {
  return Buffer.from(deflateRawSync(JSON.stringify(value), { level: 1 }));
}

const unpackText = (packed: Buffer) => inflateRawSync(packed).toString("utf8");

const headerOf = ({ indices: _indices, webExperiences: _web, ...header }: ApplicationInventory): ApplicationHeader => header;

/** An application's inventory as stored: with the roles its web experiences use (in their order). */
export function storedInventory(app: ApplicationInventory, roles: Record<string, RoleInventory>): StoredApplicationInventory {
  const own: Record<string, RoleInventory> = {};
  for (const web of app.webExperiences) {
    if (web.roleArn && roles[web.roleArn]) own[web.roleArn] = roles[web.roleArn];
  }
  return { ...app, roles: own };
}

/**
 * Settle one application: run every check on it alone (the checks are pure
 * functions of one application and the roles it uses), work out its evidence,
 * and keep its stored inventory as DEFLATE (level 1: a few times smaller than
 * the objects, ~1 ms for a large application).
 */
export function settleApplication(
  app: ApplicationInventory,
  roles: Record<string, RoleInventory>,
  scope: { scannedAt: string; cutoff: Date },
): SettledApplication {
  const alone: Inventory = { scannedAt: scope.scannedAt, cutoff: scope.cutoff.toISOString(), targets: [], applications: [app], roles };
  const inventory = pack(storedInventory(app, roles));
  const findings = pack(runChecks(alone, { cutoff: scope.cutoff }));
  const evidence = pack(applicationEvidence(app, scope.cutoff));
  return {
    header: headerOf(app),
    findings: () => JSON.parse(unpackText(findings)) as Finding[],
    evidence: () => JSON.parse(unpackText(evidence)) as ApplicationEvidence,
    storedText: () => unpackText(inventory),
    stored: () => JSON.parse(unpackText(inventory)) as StoredApplicationInventory,
  };
}

/** Either kind of inventory as audited (a whole one through auditedOf). */
export function asAudited(inventory: Inventory | AuditedInventory): AuditedInventory {
  return "roles" in inventory ? auditedOf(inventory) : inventory;
}

/** A whole inventory's applications as audited (a re-audit's, the scan workers'): nothing packed, nothing let go. */
export function auditedOf(inventory: Inventory): AuditedInventory {
  const { applications, roles, ...rest } = inventory;
  return {
    ...rest,
    applications: applications.map((app) => {
      const stored = () => storedInventory(app, roles);
      return { header: headerOf(app), stored, storedText: () => JSON.stringify(stored()) };
    }),
  };
}
