/**
 * What Redis should hold after a run (docs/verify.md, expectation files), as an expectation file
 * describes it or the reference model computes it. Each key's content is one Redis type's
 * (src/redis-types).
 */
import type { Expected } from '../redis-types';

export type { Expected, ListEntry } from '../redis-types';

export interface Expectation {
  /** Key → expected content, in the order the file (or model) lists them. */
  redis: Map<string, Expected>;
  /** Any other key the pipeline wrote is a failure (default true). */
  exact: boolean;
}
