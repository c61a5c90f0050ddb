/**
 * What Redis should hold after a run (contract: verify-expect-v1), as an expectation file
 * describes it or the reference model computes it.
 */
export type ListEntry = {
  window_start: string;
  window_end: string;
  value: number;
};

export type Expected =
  | { set: string[] }
  | { hll: number }
  | { string: string }
  | { list: (ListEntry | Record<string, unknown>)[] }
  | { hash: Record<string, string> };

export interface Expectation {
  /** Key → expected content, in the order the file (or model) lists them. */
  redis: Map<string, Expected>;
  /** Any other key the pipeline wrote is a failure (default true). */
  exact: boolean;
}

export function redisTypeOf(e: Expected): 'set' | 'hll' | 'string' | 'list' | 'hash' {
  return Object.keys(e)[0] as 'set';
}
