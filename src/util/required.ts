/**
 * `value` when it is there, else an Error naming what was missing. For a value the types allow to be
 * absent where the caller's invariant says it is present (a registry entry's optional hook, a row
 * just stored): the invariant is checked, and a broken one is reported as the bug it is (the CLI
 * prints a plain Error as an internal error).
 */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`${what} is missing`);
  return value;
}
