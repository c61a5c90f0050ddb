/** The values a spec's structure is built from, shared by schema.ts and the registries' own schemas (metrics). */
import { z } from 'zod';

/** A template left unresolved on purpose (a secret, or a variable the command does not need). */
export const DEFERRED = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/;

/** The messages uvpv's schemas give, told from zod's own by identity, never by their wording. */
const OWN_MESSAGES = new Set<string>();
/** Those that state a range, with the range, which a missing key's message repeats. */
const RANGE_MESSAGES = new Map<string, string>();

/** A schema message of uvpv's own (`expected ...`, naming what is allowed). */
export function help(message: string): string {
  OWN_MESSAGES.add(message);
  return message;
}

/** `expected <range>`: said when the value is wrong, and (as `is required: <range>`) when it is missing. */
export function rangeHelp(range: string): string {
  const message = `expected ${range}`;
  RANGE_MESSAGES.set(message, range);
  return help(message);
}

export function isOwnMessage(message: string): boolean {
  return OWN_MESSAGES.has(message);
}

/** The range a message of `rangeHelp` states, or undefined. */
export function rangeOf(message: string): string | undefined {
  return RANGE_MESSAGES.get(message);
}

export const text = z.union([z.string(), z.number()], { error: help('expected a string') }).transform(String);
export const int = z.union([z.number().int(), z.string().regex(DEFERRED)], { error: help('expected a whole number') });
export const bool = z.boolean({ error: help('expected true or false') });
export const name = z.string({ error: help('expected a name') });
