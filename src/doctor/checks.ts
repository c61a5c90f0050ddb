/**
 * `uvpv doctor`: one line per check, OK or FAIL with the fix, like `dbt debug`. Each check is
 * small and independent, so one failure never hides the others.
 */
import { spawnSync } from 'node:child_process';
import { isIP, Socket } from 'node:net';
import { definitionOf } from '../deploy/targets';
import { SpecError, formatDiagnostic } from '../errors';
import { kafka } from '../kafka/client';
import { kafkaRefusal } from '../kafka/security';
import { loadSpec } from '../pipeline/load';
import type { Redactor } from '../util/redact';
import { describeRedis, masters, redisAddressOf, connectRedis, redisClient, redisRefusal } from '../util/redis';
import type { Spec } from '../pipeline/types';
import type { CheckResult } from './result';

export type { CheckResult } from './result';

export interface DoctorContext {
  file: string;
  target: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Takes the secrets the spec resolves, so that the run's error report hides them. */
  redactor?: Redactor;
}

export async function runDoctor(ctx: DoctorContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let spec: Spec | undefined;
  try {
    const loaded = loadSpec(ctx.file, { env: ctx.env, cwd: ctx.cwd, target: ctx.target, revealSecrets: true });
    ctx.redactor?.add(loaded.secrets);
    spec = loaded.spec;
    results.push({ label: 'spec', ok: true, detail: `${ctx.file} is valid (pipeline ${spec.name}, target ${ctx.target})` });
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    results.push({
      label: 'spec',
      ok: false,
      detail: e.diagnostics.map(formatDiagnostic).join('\n'),
      fix: `uvpv validate ${ctx.file} lists every problem with its line`,
    });
  }
  results.push(
    tool(
      'java',
      ['-version'],
      /version "(\d+)/,
      (v) => Number(v) >= 17,
      'Java 17 or later, for the local stack',
      'install a JDK 17 (e.g. openjdk-17-jdk) or set JAVA_HOME',
    ),
  );
  results.push(
    tool(
      'mvn',
      ['-v'],
      /Apache Maven ([\d.]+)/,
      () => true,
      "Maven, to fetch the local stack's jars",
      'install Maven (e.g. the maven package)',
    ),
  );
  if (!spec) return results;
  results.push(...(await kafkaChecks(spec)));
  if (spec.target) {
    // Each target type has its own checks (deploy/targets.ts).
    const targetChecks = await definitionOf(spec.target).doctor();
    results.push(...(await targetChecks(spec, spec.target, ctx.env)));
  }
  results.push(await redisCheck(spec));
  return results;
}

function tool(cmd: string, args: string[], pattern: RegExp, good: (v: string) => boolean, what: string, fix: string): CheckResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) return { label: cmd, ok: false, detail: `not found: ${what}`, fix };
  const version = pattern.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? '?';
  const ok = good(version);
  return { label: cmd, ok, detail: `${cmd} ${version}${ok ? '' : ` (${what})`}`, fix: ok ? undefined : fix };
}

async function kafkaChecks(spec: Spec): Promise<CheckResult[]> {
  const { bootstrapServers, topic, security } = spec.source;
  const secured = security && security.protocol !== 'PLAINTEXT' ? ` over ${security.protocol}` : '';
  const login = security?.sasl ? `, accepts ${security.sasl.mechanism} user ${security.sasl.username}` : '';
  let admin;
  try {
    admin = kafka(bootstrapServers, {
      clientId: 'uvpv-doctor',
      retries: 0,
      connectionTimeoutMs: 2000,
      requestTimeoutMs: 3000,
      security,
    }).admin();
  } catch (e) {
    // A truststore or key file that cannot be read.
    return [{ label: 'Kafka', ok: false, detail: (e as Error).message, fix: 'fix the file paths under source.security' }];
  }
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    const out: CheckResult[] = [
      { label: 'Kafka', ok: true, detail: `${bootstrapServers} answers${secured} (${cluster.brokers.length} brokers${login})` },
    ];
    out.push(...(await advertisedChecks(cluster.brokers)));
    const topics = await admin.listTopics();
    const present = topics.includes(topic);
    out.push({
      label: 'Kafka topic',
      ok: present,
      detail: present ? `${topic} exists` : `${topic} does not exist`,
      fix: present ? undefined : `create it (uvpv produce creates it; uvpv deploy --create-topic too)`,
    });
    return out;
  } catch (e) {
    const refusal = kafkaRefusal(e, security);
    if (refusal) return [{ label: 'Kafka', ok: false, detail: `${bootstrapServers}${secured}: ${refusal.detail}`, fix: refusal.fix }];
    return [
      {
        label: 'Kafka',
        ok: false,
        detail: `${bootstrapServers}${secured} does not answer (${(e as Error).message})`,
        fix: "start it ('uvpv stack up' for the local stack) or fix source.bootstrapServers (and source.security.protocol for a secured listener)",
      },
    ];
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The brokers must advertise IP addresses that can be reached: clients (Flink among them) connect
 * to exactly what a broker advertises, and a host name that resolves only inside the broker's
 * network is the classic pitfall of this set-up.
 */
export async function advertisedChecks(
  brokers: { nodeId: number; host: string; port: number }[],
  reach = tcpReachable,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const b of brokers) {
    const at = `${b.host}:${b.port}`;
    if (!isIP(b.host)) {
      out.push({
        label: `Kafka broker ${b.nodeId}`,
        ok: false,
        detail: `advertises the host name ${at}`,
        fix: `set advertised.listeners to an IP address Flink can reach, e.g. PLAINTEXT://<broker IP>:${b.port}`,
      });
    } else if (!(await reach(b.host, b.port))) {
      out.push({
        label: `Kafka broker ${b.nodeId}`,
        ok: false,
        detail: `advertises ${at}, which does not answer from here`,
        fix: 'advertise an address reachable from clients (and from Flink), or open the network path',
      });
    } else out.push({ label: `Kafka broker ${b.nodeId}`, ok: true, detail: `advertises ${at} (an IP address, reachable)` });
  }
  return out;
}

function tcpReachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.setTimeout(2000);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
    s.connect(port, host);
  });
}

async function redisCheck(spec: Spec): Promise<CheckResult> {
  const at = redisAddressOf(spec.redis);
  const where = describeRedis(at);
  let client;
  try {
    client = redisClient(at, 'probe');
  } catch (e) {
    // A CA file that cannot be read.
    return { label: 'Redis', ok: false, detail: (e as Error).message, fix: 'fix redis.tls.ca' };
  }
  try {
    await connectRedis(client);
    await client.ping();
    const nodes = spec.redis.mode === 'cluster' ? ` (${masters(client).length} masters)` : '';
    const accepted = [...(spec.redis.password.empty ? [] : ['the password']), ...(at.sentinelPassword ? ["the sentinels' password"] : [])];
    return {
      label: 'Redis',
      ok: true,
      detail: `${where} answers${nodes}${accepted.length ? ` and accepts ${accepted.join(' and ')}` : ''}`,
    };
  } catch (e) {
    const refusal = redisRefusal(e, at);
    if (refusal) return { label: 'Redis', ok: false, detail: `${where}: ${refusal.detail}`, fix: refusal.fix };
    const fix =
      spec.redis.mode === 'standalone'
        ? 'start Redis or fix redis.host / redis.port'
        : spec.redis.mode === 'cluster'
          ? 'start the cluster or fix redis.nodes (its seed nodes; every master must be reachable from here)'
          : 'start the sentinels or fix redis.nodes (the sentinels) and redis.masterName';
    return { label: 'Redis', ok: false, detail: `${where} does not answer (${(e as Error).message})`, fix };
  } finally {
    client.disconnect();
  }
}
