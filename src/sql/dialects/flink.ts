/**
 * Open-source Flink 1.20 with the `io.github.jeff-zou:flink-connector-redis` SQL connector.
 * Its sink maps columns in order onto the command's arguments: (key, value) for SET, SADD,
 * PFADD, LPUSH, RPUSH; (key, field, value) for HSET; (key, score, member) for ZADD.
 */
import type { Plan, SinkBase } from '../../ir/nodes';
import { pushesWindowEntries, REDIS_COMMANDS, type RedisCommand } from '../../redis-types';
import { CONNECTORS, SqlCompiler, type Capabilities, type DialectProblem, type RedisConnectorName } from '../compiler';
import type { SqlValue } from '../parts';
import { redisAuthOptions, redisConnectionProblems, redisLocationOptions } from './redis-options';

/** The commands jeff-zou's connector runs, of those the Redis types write. */
const JEFF_ZOU_COMMANDS: readonly RedisCommand[] = ['sadd', 'pfadd', 'set', 'lpush', 'rpush', 'hset', 'zadd'];

export class FlinkCompiler extends SqlCompiler {
  readonly dialect = 'flink' as const;
  readonly describe = 'open-source Flink 1.20 with the flink-connector-redis SQL connector';
  readonly capabilities: Capabilities;

  /** `connector`: jeff-zou's (the default: what a Flink cluster usually has) or uvpv's own. */
  constructor(readonly connector: RedisConnectorName = 'jeff-zou') {
    super();
    this.capabilities = {
      // uvpv's connector runs every command a Redis type writes (connector/: RedisCommand.java).
      commands: new Set(connector === 'uvpv' ? REDIS_COMMANDS : JEFF_ZOU_COMMANDS),
      keyOptionCommands: new Set(),
      idempotentListPush: connector === 'uvpv',
      // uvpv's connector reads an integral member as a number (connector/: RedisLongMemberCache.java).
      integralMembers: connector === 'uvpv',
      // uvpv's connector keeps a bounded cache of the members it wrote (sink.member-cache.max-entries).
      skipsWrittenMembers: connector === 'uvpv',
      dropsFailedWrites: connector === 'jeff-zou',
      managesCheckpoints: false,
      onEventWatermarks: true,
    };
  }

  protected connectionProblems(plan: Plan): DialectProblem[] {
    return redisConnectionProblems(plan.sinks[0].redis, this.connector, this.describe);
  }

  protected redisOptions(sink: SinkBase): [string, SqlValue][] {
    const options: [string, SqlValue][] = [
      ['connector', CONNECTORS.sink],
      ...redisLocationOptions(sink.redis),
      ['command', sink.command],
      ...redisAuthOptions(sink.redis, this.password(sink), this.sentinelPassword(sink)),
    ];
    // A string's last write, a list's order, a hash field overwritten per window: one writer keeps them.
    if (sink.ordered) options.push(['sink.parallelism', '1']);
    // A window replayed after a restore is pushed once: its entry is not newer than the list's end.
    // With `by`, a window has one entry per value, pushed in that value's order.
    if (this.capabilities.idempotentListPush && pushesWindowEntries(sink.redisType)) {
      options.push(['list.push-if-newer-field', sink.by === undefined ? 'window_end' : `window_end,${sink.by}`]);
    }
    return options;
  }
}
