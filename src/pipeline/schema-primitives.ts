/** The values a spec's structure is built from, shared by schema.ts and the registries' own schemas (metrics). */
import { z } from 'zod';

/** A template left unresolved on purpose (a secret, or a variable the command does not need). */
export const DEFERRED = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/;

export const text = z.union([z.string(), z.number()], { error: 'expected a string' }).transform(String);
export const int = z.union([z.number().int(), z.string().regex(DEFERRED)], { error: 'expected a whole number' });
export const bool = z.boolean({ error: 'expected true or false' });
export const name = z.string({ error: 'expected a name' });
