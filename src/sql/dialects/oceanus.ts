/**
 * Tencent Cloud Oceanus with its built-in Redis connector: `nodes` instead of host and port,
 * the first column is the key and the second the value, and HSET takes its key from the
 * `additional-key` option (so the columns are field and value).
 */
import type { SinkNode } from '../../plan/nodes';
import { SqlCompiler, type Capabilities } from '../compiler';

const COMMANDS: Record<SinkNode['redisType'], string> = {
  set: 'sadd',
  hll: 'pfadd',
  string: 'set',
  list: 'lpush',
  hash: 'hset',
};

export class OceanusCompiler extends SqlCompiler {
  readonly dialect = 'oceanus' as const;
  readonly describe = "Oceanus's built-in Redis connector";
  readonly capabilities: Capabilities = { hll: false, rpush: true, hashKeyFromColumn: false };

  protected redisOptions(sink: SinkNode): [string, string][] {
    const command = sink.kind === 'scalar' && sink.redisType === 'list' ? sink.listCommand : COMMANDS[sink.redisType];
    const options: [string, string][] = [
      ['connector', 'redis'],
      ['command', command],
      ['nodes', `${sink.redis.host}:${sink.redis.port}`],
      ['database', String(sink.redis.database)],
    ];
    const password = this.password(sink);
    if (password !== undefined) options.push(['password', password]);
    if (sink.redisType === 'hash') options.push(['additional-key', this.keyText(sink.key)]);
    return options;
  }
}
