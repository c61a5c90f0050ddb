/**
 * Tencent Cloud Oceanus with its built-in Redis connector (Tencent Cloud's Oceanus connector
 * docs, "Redis"): `nodes` instead of host and port; the first column is the key and the second
 * the value; HSET and ZADD take their key from the `additional-key` option (so HSET's columns are
 * field and value, and a top-N, whose key names its window, cannot be written there). Its documented sink commands are set, lpush, sadd, hset and zadd: no PFADD, no RPUSH.
 * Its ZADD table is (value STRING, score DOUBLE) after the key, as its connector page shows:
 * the member first, then the score, the other way round from jeff-zou's (score, member).
 * Oceanus's SET statement takes the option key unquoted: `SET key = 'value';`.
 */
import type { SinkNode } from '../../ir/nodes';
import { CONNECTORS, SqlCompiler, type Capabilities, type SlotColumn } from '../compiler';
import type { SqlValue } from '../parts';

export class OceanusCompiler extends SqlCompiler {
  readonly dialect = 'oceanus' as const;
  readonly describe = "Oceanus's built-in Redis connector";
  readonly capabilities: Capabilities = {
    commands: new Set(['set', 'lpush', 'sadd', 'hset', 'zadd']),
    keyOptionCommands: new Set(['hset', 'zadd']),
    idempotentListPush: false,
    skipsWrittenMembers: false,
    dropsFailedWrites: false,
    managesCheckpoints: true,
  };

  protected redisOptions(sink: SinkNode): [string, SqlValue][] {
    const options: [string, SqlValue][] = [
      ['connector', CONNECTORS.sink],
      ['command', sink.command],
      ['redis-mode', 'standalone'],
      ['nodes', `${sink.redis.host}:${sink.redis.port}`],
      ['database', String(sink.redis.database)],
    ];
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
