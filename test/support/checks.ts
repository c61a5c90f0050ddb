/** Checks that hand back what they checked, typed: the test goes on with the value instead of asserting it is there. */

/** The error `call` rejects with, which must be a `type`; a call that resolves, or fails otherwise, fails the test. */
export async function rejection<E extends Error>(call: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await call;
  } catch (e) {
    if (e instanceof type) return e;
    throw e;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}

/** `re`'s match in `text`; no match fails the test, showing both. */
export function matched(re: RegExp, text: string): RegExpExecArray {
  const m = re.exec(text);
  if (!m) throw new Error(`${String(re)} does not match:\n${text}`);
  return m;
}
