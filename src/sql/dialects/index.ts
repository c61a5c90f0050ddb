/** The dialects `generate --dialect` knows. A new one is a file here and a line below. */
import type { DialectName, SqlCompiler } from '../compiler';
import { FlinkCompiler } from './flink';
import { OceanusCompiler } from './oceanus';

export const DIALECTS: Readonly<Record<DialectName, () => SqlCompiler>> = {
  flink: () => new FlinkCompiler(),
  oceanus: () => new OceanusCompiler(),
};

export function isDialect(name: string): name is DialectName {
  return Object.prototype.hasOwnProperty.call(DIALECTS, name);
}
