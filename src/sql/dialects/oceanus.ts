/**
 * Tencent Cloud Oceanus with its built-in Redis connector (Tencent Cloud's Oceanus connector
 * docs, "Redis"): `nodes` instead of host and port; the first column is the key and the second
 * the value; HSET and ZADD take their key from the `additional-key` option (so HSET's columns are
 * field and value, and a top-N, whose key names its window, cannot be written there). Its documented sink commands are set, lpush, sadd, hset and zadd: no PFADD, no RPUSH.
 * Its ZADD table is (value STRING, score DOUBLE) after the key, as its connector page shows:
 * the member first, then the score, the other way round from jeff-zou's (score, member).
 * Oceanus's SET statement takes the option key unquoted: `SET key = 'value';`.
 * The inserts are plain `INSERT INTO` statements unless told otherwise: Oceanus's docs show
 * several in one job, and it runs the whole script as one job; whether its SQL editor takes
 * `EXECUTE STATEMENT SET` no public source settles (docs/oceanus-first-deploy.md).
 */
import type { Plan, SinkBase, SinkNode } from '../../ir/nodes';
import { CONNECTORS, SqlCompiler, type Capabilities, type DialectProblem, type SlotColumn } from '../compiler';
import type { SqlValue } from '../parts';

export class OceanusCompiler extends SqlCompiler {
  readonly dialect = 'oceanus' as const;
  readonly describe = "Oceanus's built-in Redis connector";
  readonly capabilities: Capabilities = {
    commands: new Set(['set', 'lpush', 'sadd', 'hset', 'zadd']),
    keyOptionCommands: new Set(['hset', 'zadd']),
    idempotentListPush: false,
    integralMembers: false,
    skipsWrittenMembers: false,
    dropsFailedWrites: false,
    managesCheckpoints: true,
    // 'scan.watermark.emit.strategy' came with Flink 1.18; the Flink-1.16 the spec's Oceanus targets has none.
    onEventWatermarks: false,
  };

  /** `statementSet`: the inserts as one EXECUTE STATEMENT SET instead of plain INSERT INTO statements. */
  constructor(override readonly statementSet = false) {
    super();
  }

  /**
   * Its Redis connector documents standalone and cluster (`nodes`), with a password and no user
   * (TencentDB for Redis takes an account as `account@password`), and no TLS. Its jobs run on
   * Tencent's machines, where no file of a spec's truststore or keystore path exists.
   */
  protected connectionProblems(plan: Plan): DialectProblem[] {
    const r = plan.sinks[0].redis;
    const k = plan.source.security;
    const problems: DialectProblem[] = [];
    if (r.mode === 'sentinel')
      problems.push({ field: 'redis.mode', message: `${this.describe} documents standalone and cluster mode only, no sentinel` });
    if (r.tls) problems.push({ field: 'redis.tls', message: `${this.describe} documents no TLS option` });
    if (r.username !== undefined)
      problems.push({
        field: 'redis.username',
        message: `${this.describe} documents no user option; for a TencentDB for Redis account, leave username out and set the password to account@password`,
      });
    const noFile = "an Oceanus job runs on Tencent's machines, where no file of this path exists";
    if (k?.truststore !== undefined)
      problems.push({
        field: 'source.security.truststore',
        message: `${noFile}; leave it out (TLS then trusts the JVM's CA certificates)`,
      });
    if (k?.keystore !== undefined)
      problems.push({ field: 'source.security.keystore', message: `${noFile}, so no client certificate (mutual TLS) can be given there` });
    return problems;
  }

  protected redisOptions(sink: SinkBase): [string, SqlValue][] {
    const r = sink.redis;
    const options: [string, SqlValue][] = [
      ['connector', CONNECTORS.sink],
      ['command', sink.command],
      ['redis-mode', r.mode],
      ['nodes', r.nodes.join(',')],
    ];
    // A cluster has database 0 only.
    if (r.mode !== 'cluster') options.push(['database', String(r.database)]);
    const password = this.password(sink);
    if (password !== undefined) options.push(['password', password]);
    if (!this.keyInColumn(sink)) options.push(['additional-key', this.keyText(sink.key)]);
    return options;
  }

  /** ZADD's member as `value`, then its score as a DOUBLE (Oceanus's Redis connector page). */
  protected override slotColumns(sink: SinkNode): readonly SlotColumn[] {
    if (sink.command !== 'zadd') return super.slotColumns(sink);
    return [
      { name: 'value', slot: 'member', type: 'STRING' },
      { name: 'score', slot: 'score', type: 'DOUBLE' },
    ];
  }

  protected override optionKey(key: string): string {
    return key;
  }
}
