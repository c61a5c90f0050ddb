/**
 * `uvpv doctor --target <oceanus>`: proves the account before the first deploy, with read-only
 * calls only: the credentials (a signed DescribeJobs), the permission for each read action deploy
 * makes, the cluster (exists, running, region, free CUs for the job, the Flink version), the
 * workspace, the built-in connectors, and the job of this name if there is one. Write actions
 * cannot be proved without changing something; the checklist says which they are.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { RuntimeFailure } from '../../errors';
import type { Progress } from '../../io/progress';
import {
  ACTIONS,
  ClusterStatus,
  jobState,
  publishedVersion,
  WORKSPACE_AVAILABLE,
  type Cluster,
  type DescribeClustersResponse,
  type DescribeWorkSpacesResponse,
  type JobV1,
  type SystemResourceItem,
} from './api';
import { explain, isPermissionDenied, OceanusNetworkError } from './errors';
import { builtinConnectors, usesBuiltins } from './jobs';
import { oceanusSession } from './session';
import type { OceanusTarget, Spec } from '../../pipeline/types';
import type { CheckResult } from '../../doctor/result';

const QUIET: Progress = { step: () => () => undefined, info: () => undefined };

/** CUs the job takes when it runs: the JobManager's, and one TaskManager's per unit of parallelism. */
export function jobCus(t: OceanusTarget): number {
  return t.jobManagerCu + t.taskManagerCu * t.parallelism;
}

export async function oceanusChecks(spec: Spec, t: OceanusTarget, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  return [...reachableFromCluster(spec), ...(await accountChecks(spec, t, env))];
}

/**
 * A host only this machine (or its link) reaches: a name for the loopback, 127.0.0.0/8, ::1, or a
 * link-local address (169.254.0.0/16, fe80::/10). An Oceanus cluster runs in Tencent Cloud's VPC,
 * where such an address is the cluster's own machine, or nothing.
 */
export function isLocalOnly(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIPv4(h)) return h.startsWith('127.') || h.startsWith('169.254.');
  if (isIPv6(h)) return h === '::1' || /^fe[89ab][0-9a-f]?:/.test(h);
  return false;
}

/** The host of `host:port` or `[v6]:port`. */
const hostOf = (address: string) => address.trim().replace(/:\d+$/, '');

/**
 * The spec's Kafka and Redis as an Oceanus job sees them: an address only this machine reaches
 * starts a job that then loops on unreachable services. A warning, since the spec may be deployed
 * locally too; the walk-through's private link is what makes them reachable.
 */
function reachableFromCluster(spec: Spec): CheckResult[] {
  const local = [
    ...spec.source.bootstrapServers
      .split(',')
      .filter((a) => isLocalOnly(hostOf(a)))
      .map((a) => `Kafka bootstrap ${a.trim()} (source.bootstrapServers)`),
    ...(isLocalOnly(spec.redis.host) ? [`Redis ${spec.redis.host} (redis.host)`] : []),
  ];
  if (!local.length) return [{ label: 'reachable from Oceanus', ok: true, detail: 'Kafka and Redis have addresses a cluster can reach' }];
  return [
    {
      label: 'reachable from Oceanus',
      ok: true,
      warning: true,
      detail: `${local.join(' and ')}: only this machine reaches a loopback or link-local address; the job would start, then loop on unreachable services`,
      fix: "give Kafka and Redis addresses in the cluster's VPC (or one peered with it: VPC peering or Cloud Connect Network), set KAFKA_BOOTSTRAP_SERVERS and REDIS_HOST to them, and have Kafka advertise that address (advertised.listeners), not 127.0.0.1; see docs/oceanus-first-deploy.md",
    },
  ];
}

async function accountChecks(spec: Spec, t: OceanusTarget, env: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const session = oceanusSession(t, env, QUIET);
  session.hints.jobName = spec.name;
  const credentials = session.credentials;
  if (!credentials) {
    return [{ label: 'Oceanus credentials', ok: false, detail: 'secretId or secretKey is empty', fix: session.missingCredentials().fix }];
  }
  const client = session.client(credentials);
  const jobs = session.jobs(credentials);
  const failure = (e: unknown) => explain(e, session.hints) as Error;

  // The credentials, and the permission to read jobs, in one signed call.
  let job: JobV1 | undefined;
  try {
    job = await jobs.find(spec.name);
  } catch (e) {
    const f = failure(e);
    const label = isPermissionDenied(e)
      ? 'Oceanus permissions'
      : e instanceof OceanusNetworkError
        ? 'Oceanus endpoint'
        : 'Oceanus credentials';
    return [{ label, ok: false, detail: f.message, fix: (f as RuntimeFailure).detail }];
  }
  const out: CheckResult[] = [
    { label: 'Oceanus credentials', ok: true, detail: `signed requests accepted by ${session.settings.endpoint} in ${t.region}` },
  ];

  // Each read is made once; what it could not read is a failure or a denied permission.
  const made: string[] = ['DescribeJobs'];
  const errors = new Map<string, Error>();
  const denied: string[] = [];
  const read = async <T>(action: (typeof ACTIONS.read)[number], call: () => Promise<T>): Promise<T | undefined> => {
    made.push(action);
    try {
      return await call();
    } catch (e) {
      if (isPermissionDenied(e)) denied.push(action);
      else errors.set(action, failure(e));
      return undefined;
    }
  };
  const clusters = await read('DescribeClusters', () =>
    client.call<DescribeClustersResponse>('DescribeClusters', { ClusterIds: [t.clusterId] }),
  );
  const resources = usesBuiltins(t) ? await read('DescribeSystemResources', () => jobs.systemResources()) : undefined;
  const spaces = t.workspaceId
    ? await read('DescribeWorkSpaces', () => client.call<DescribeWorkSpacesResponse>('DescribeWorkSpaces', { Offset: 0, Limit: 100 }))
    : undefined;
  /** A check that could not be made: the key may not read what it needs. */
  const notAllowed = (label: string, action: string): CheckResult => ({
    label,
    ok: false,
    detail: `not checked: the key may not call oceanus:${action}`,
  });

  out.push({
    label: 'Oceanus permissions',
    ok: denied.length === 0,
    detail:
      (denied.length
        ? `not allowed: ${denied.map((a) => `oceanus:${a}`).join(', ')}`
        : `allowed: ${made.map((a) => `oceanus:${a}`).join(', ')}`) +
      `\nnot checked (they would change something): ${ACTIONS.write.map((a) => `oceanus:${a}`).join(', ')}`,
    fix: denied.length
      ? `grant the API key's CAM user ${denied.map((a) => `oceanus:${a}`).join(', ')} (or the QcloudOceanusFullAccess policy)`
      : undefined,
  });
  if (denied.includes('DescribeClusters')) out.push(notAllowed('Oceanus cluster', 'DescribeClusters'));
  else
    out.push(
      ...clusterChecks(
        t,
        clusters?.ClusterSet?.find((c) => c.ClusterId === t.clusterId),
        job,
        errors.get('DescribeClusters'),
      ),
    );
  if (t.workspaceId)
    out.push(
      denied.includes('DescribeWorkSpaces')
        ? notAllowed('Oceanus workspace', 'DescribeWorkSpaces')
        : workspaceCheck(t, spaces, errors.get('DescribeWorkSpaces')),
    );
  const resourcesError = errors.get('DescribeSystemResources');
  if (denied.includes('DescribeSystemResources')) out.push(notAllowed('Oceanus connectors', 'DescribeSystemResources'));
  else if (resources) out.push(connectorCheck(t, resources));
  else if (resourcesError) out.push({ label: 'Oceanus connectors', ok: false, detail: resourcesError.message });
  out.push({
    label: 'Oceanus job',
    ok: job === undefined || job.JobType === undefined || job.JobType === 1,
    detail: job
      ? `job ${job.JobId} (${job.Name}) is ${jobState(job.Status)}${publishedVersion(job) ? `, runs configuration version ${publishedVersion(job)}` : ''}${job.LastOpResult ? `; last operation: ${job.LastOpResult}` : ''}`
      : `no job named ${spec.name} yet: deploy creates it`,
    fix:
      job && job.JobType !== undefined && job.JobType !== 1
        ? `job ${job.JobId} is not a SQL job: rename the pipeline or delete that job`
        : undefined,
  });
  return out;
}

function clusterChecks(t: OceanusTarget, cluster: Cluster | undefined, job: JobV1 | undefined, error: unknown): CheckResult[] {
  if (error instanceof Error) return [{ label: 'Oceanus cluster', ok: false, detail: error.message }];
  if (!cluster) {
    return [
      {
        label: 'Oceanus cluster',
        ok: false,
        detail: `no cluster ${t.clusterId} in ${t.region} for this account`,
        fix: 'set clusterId (OCEANUS_CLUSTER_ID) and region to a cluster of yours',
      },
    ];
  }
  const running = cluster.Status === ClusterStatus.Running;
  const out: CheckResult[] = [
    {
      label: 'Oceanus cluster',
      ok: running,
      detail: `${cluster.ClusterId}${cluster.Name ? ` (${cluster.Name})` : ''} in ${cluster.Region ?? t.region}: ${cluster.StatusDesc ?? `status ${cluster.Status}`}`,
      fix: running ? undefined : 'wait until the cluster runs (it is being created or changed), or pick a running one',
    },
  ];
  // A running job already holds its CUs; a new or stopped one needs them free.
  const need = job?.Status === 4 ? 0 : jobCus(t);
  const free = cluster.FreeCu ?? cluster.FreeCuNum;
  if (free !== undefined) {
    out.push({
      label: 'Oceanus capacity',
      ok: free >= need,
      detail: `${free} CU free; the job needs ${jobCus(t)} (JobManager ${t.jobManagerCu} + TaskManager ${t.taskManagerCu} x parallelism ${t.parallelism})${need === 0 ? ', which it already holds' : ''}`,
      fix: free >= need ? undefined : "lower the target's parallelism or taskManagerCu, stop other jobs, or scale the cluster",
    });
  }
  const supported = cluster.Version?.SupportedFlink ?? (cluster.Version?.Flink ? [cluster.Version.Flink] : []);
  if (supported.length) {
    const ok = supported.includes(t.flinkVersion);
    out.push({
      label: 'Oceanus Flink',
      ok,
      detail: `${t.flinkVersion}${ok ? ' is' : ' is not'} among the cluster's versions (${supported.join(', ')})`,
      fix: ok ? undefined : `set the target's flinkVersion to one of ${supported.join(', ')}`,
    });
  }
  return out;
}

function workspaceCheck(t: OceanusTarget, spaces: DescribeWorkSpacesResponse | undefined, error: unknown): CheckResult {
  if (error instanceof Error) return { label: 'Oceanus workspace', ok: false, detail: error.message };
  const space = spaces?.WorkSpaceSetItem?.find((w) => w.WorkSpaceId === t.workspaceId || w.SerialId === t.workspaceId);
  if (!space) {
    return {
      label: 'Oceanus workspace',
      ok: false,
      detail: `no workspace ${t.workspaceId} for this key`,
      fix: 'set workspaceId (OCEANUS_WORKSPACE_ID) to a workspace the key may use, or leave it empty',
    };
  }
  const ok = space.Status === WORKSPACE_AVAILABLE;
  return {
    label: 'Oceanus workspace',
    ok,
    detail: `${t.workspaceId}${space.WorkSpaceName ? ` (${space.WorkSpaceName})` : ''} is ${ok ? 'available' : `in status ${space.Status}`}`,
  };
}

function connectorCheck(t: OceanusTarget, resources: readonly SystemResourceItem[]): CheckResult {
  const { found, missing } = builtinConnectors(resources);
  return {
    label: 'Oceanus connectors',
    ok: missing.length === 0,
    detail: missing.length
      ? `no built-in connector for ${missing.join(' and ')} with ${t.flinkVersion}`
      : `built-in ${found.map((r) => `${r.Name} (${r.ResourceId})`).join(', ')} for ${t.flinkVersion}`,
    fix: missing.length ? `upload the connector JAR and name it in targets.${t.name}.resourceRefs` : undefined,
  };
}
