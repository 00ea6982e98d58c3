/**
 * The bench's peer (issue 15 item 6): what a competent script would do, for
 * the product/peer ratio in the same run. The same SDK clients, a pool of 10
 * requests in flight per service, the SDK's standard retries, no pacing; it
 * reads every application, index, web experience and its role, every data
 * source with its full job history and every document. It counts, like the
 * product, and keeps no inventory; its verdicts are not compared.
 */
import { IAMClient, GetRoleCommand, ListRolePoliciesCommand, GetRolePolicyCommand } from "@aws-sdk/client-iam";
import {
  GetApplicationCommand,
  GetDataSourceCommand,
  GetWebExperienceCommand,
  ListApplicationsCommand,
  ListDataSourcesCommand,
  ListDataSourceSyncJobsCommand,
  ListDocumentsCommand,
  ListIndicesCommand,
  ListWebExperiencesCommand,
  QBusinessClient,
} from "@aws-sdk/client-qbusiness";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { TargetSpec } from "../audit/targets";
import { createLimiter, type Limiter } from "../util/concurrency";

export interface PeerResult {
  wallMs: number;
  cpuMs: number;
  apiCalls: number;
  /** Calls that still failed after the SDK's retries. */
  errors: number;
  documents: number;
  syncJobs: number;
}

interface Peer {
  q: Limiter;
  iam: Limiter;
  calls: number;
  errors: number;
  documents: number;
  syncJobs: number;
}

async function call<T>(peer: Peer, pool: Limiter, send: () => Promise<T>): Promise<T | undefined> {
  peer.calls++;
  try {
    return await pool(send);
  } catch {
    peer.errors++;
    return undefined;
  }
}

/** Every page of a nextToken list. */
async function all<P extends { nextToken?: string }>(peer: Peer, pool: Limiter, send: (token?: string) => Promise<P>, each: (page: P) => void): Promise<void> {
  let token: string | undefined;
  do {
    const page = await call(peer, pool, () => send(token));
    if (!page) return;
    each(page);
    token = page.nextToken;
  } while (token);
}

async function dataSource(peer: Peer, q: QBusinessClient, path: { applicationId: string; indexId: string; dataSourceId: string }): Promise<void> {
  await Promise.all([
    call(peer, peer.q, () => q.send(new GetDataSourceCommand(path))),
    all(
      peer,
      peer.q,
      (nextToken) => q.send(new ListDataSourceSyncJobsCommand({ ...path, maxResults: 10, nextToken })),
      (p) => (peer.syncJobs += p.history?.length ?? 0),
    ),
    all(
      peer,
      peer.q,
      (nextToken) =>
        q.send(
          new ListDocumentsCommand({
            applicationId: path.applicationId,
            indexId: path.indexId,
            dataSourceIds: [path.dataSourceId],
            maxResults: 100,
            nextToken,
          }),
        ),
      (p) => (peer.documents += p.documentDetailList?.length ?? 0),
    ),
  ]);
}

async function application(peer: Peer, clients: { q: QBusinessClient; iam: IAMClient }, applicationId: string): Promise<void> {
  const { q, iam } = clients;
  const indices: string[] = [];
  const webs: string[] = [];
  await Promise.all([
    call(peer, peer.q, () => q.send(new GetApplicationCommand({ applicationId }))),
    all(
      peer,
      peer.q,
      (nextToken) => q.send(new ListIndicesCommand({ applicationId, nextToken })),
      (p) => indices.push(...(p.indices ?? []).map((i) => i.indexId ?? "")),
    ),
    all(
      peer,
      peer.q,
      (nextToken) => q.send(new ListWebExperiencesCommand({ applicationId, nextToken })),
      (p) => webs.push(...(p.webExperiences ?? []).map((w) => w.webExperienceId ?? "")),
    ),
  ]);
  const readWeb = async (webExperienceId: string) => {
    const web = await call(peer, peer.q, () => q.send(new GetWebExperienceCommand({ applicationId, webExperienceId })));
    const roleName = web?.roleArn?.split("/").pop();
    if (!roleName) return;
    await call(peer, peer.iam, () => iam.send(new GetRoleCommand({ RoleName: roleName })));
    const names = await call(peer, peer.iam, () => iam.send(new ListRolePoliciesCommand({ RoleName: roleName })));
    await Promise.all(
      (names?.PolicyNames ?? []).map((PolicyName) => call(peer, peer.iam, () => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName })))),
    );
  };
  const readIndex = async (indexId: string) => {
    const ids: string[] = [];
    await all(
      peer,
      peer.q,
      (nextToken) => q.send(new ListDataSourcesCommand({ applicationId, indexId, nextToken })),
      (p) => ids.push(...(p.dataSources ?? []).map((d) => d.dataSourceId ?? "")),
    );
    await Promise.all(ids.map((dataSourceId) => dataSource(peer, q, { applicationId, indexId, dataSourceId })));
  };
  await Promise.all([...webs.map(readWeb), ...indices.map(readIndex)]);
}

async function target(peer: Peer, spec: TargetSpec, region: string, endpoint: string, made: { destroy(): void }[]): Promise<void> {
  let credentials = spec.credentials;
  if (spec.roleArn) {
    const sts = new STSClient({ endpoint, region, credentials });
    made.push(sts);
    const assumed = await call(peer, peer.iam, () => sts.send(new AssumeRoleCommand({ RoleArn: spec.roleArn, RoleSessionName: "peer" })));
    const c = assumed?.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) return;
    credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  }
  const q = new QBusinessClient({ endpoint, region, credentials });
  const iam = new IAMClient({ endpoint, region: "us-east-1", credentials });
  made.push(q, iam);
  const apps: string[] = [];
  await all(
    peer,
    peer.q,
    (nextToken) => q.send(new ListApplicationsCommand({ nextToken })),
    (p) => apps.push(...(p.applications ?? []).map((a) => a.applicationId ?? "")),
  );
  await Promise.all(apps.map((id) => application(peer, { q, iam }, id)));
}

/** Audit the targets the straightforward way and time it. */
export async function peerAudit(o: { endpoint: string; targets: TargetSpec[] }): Promise<PeerResult> {
  const peer: Peer = { q: createLimiter(10), iam: createLimiter(10), calls: 0, errors: 0, documents: 0, syncJobs: 0 };
  const made: { destroy(): void }[] = [];
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  try {
    await Promise.all(o.targets.flatMap((spec) => spec.regions.map((region) => target(peer, spec, region, o.endpoint, made))));
  } finally {
    for (const client of made) client.destroy();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return {
    wallMs: performance.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    apiCalls: peer.calls,
    errors: peer.errors,
    documents: peer.documents,
    syncJobs: peer.syncJobs,
  };
}
