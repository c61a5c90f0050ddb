/** The dialects `generate --dialect` knows. A new one is a file here and a line below. */
import type { DialectName, RedisConnectorName, SqlCompiler } from '../compiler';
import { FlinkCompiler } from './flink';
import { OceanusCompiler } from './oceanus';

/** What a dialect may be told about the cluster it writes for. */
export interface DialectOptions {
  /** flink: the Redis SQL connector the cluster has (default jeff-zou's). */
  redisConnector?: RedisConnectorName;
  /** oceanus: the inserts as one EXECUTE STATEMENT SET (true) or as plain INSERT INTO statements (false, the default). */
  statementSet?: boolean;
}

export const DIALECTS: Readonly<Record<DialectName, (o?: DialectOptions) => SqlCompiler>> = {
  flink: (o) => new FlinkCompiler(o?.redisConnector),
  oceanus: (o) => new OceanusCompiler(o?.statementSet),
};

/** The options each dialect reads: `generate` refuses a choice the dialect would ignore. */
export const DIALECT_OPTIONS: Readonly<Record<DialectName, readonly (keyof DialectOptions)[]>> = {
  flink: ['redisConnector'],
  oceanus: ['statementSet'],
};

export function isDialect(name: string): name is DialectName {
  return Object.prototype.hasOwnProperty.call(DIALECTS, name);
}
