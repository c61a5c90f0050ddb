/**
 * Tencent Cloud Oceanus with its built-in Redis connector (Tencent Cloud's Oceanus connector
 * docs, "Redis"): `nodes` instead of host and port; the first column is the key and the second
 * the value; HSET and ZADD take their key from the `additional-key` option (so HSET's columns are
 * field and value, and a top-N, whose key names its window, cannot be written there). Its documented sink commands are set, lpush, sadd, hset and zadd: no PFADD, no RPUSH.
 * Oceanus's SET statement takes the option key unquoted: `SET key = 'value';`.
 */
import type { SinkBase } from '../../ir/nodes';
import { CONNECTORS, SqlCompiler, type Capabilities } from '../compiler';
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
    // 'scan.watermark.emit.strategy' came with Flink 1.18; the Flink-1.16 the spec's Oceanus targets has none.
    onEventWatermarks: false,
  };

  protected redisOptions(sink: SinkBase): [string, SqlValue][] {
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

  protected override optionKey(key: string): string {
    return key;
  }
}
