/** The dialects' names alone: what the CLI's help lists without loading a compiler. */
import type { DialectName } from '../compiler';

const NAMES: Readonly<Record<DialectName, true>> = { flink: true, oceanus: true };

export const DIALECT_NAMES = Object.keys(NAMES) as readonly DialectName[];
