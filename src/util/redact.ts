/**
 * Secret values resolved during this process, and a scrubber for text that may echo them back:
 * Flink's errors, for one, print a table's options (a Redis password among them).
 */
const secrets = new Set<string>();

export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 3) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('******');
  return out;
}
