/**
 * A scrubber for text that may echo a secret back: Flink's errors, for one, print a table's
 * options (a Redis password among them). One per run: it knows the secrets that run resolved.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Adds secret values; values shorter than 3 characters are too common in text to hide. */
  add(values: Iterable<string>): void {
    for (const value of values) if (value.length >= 3) this.secrets.add(value);
  }

  /** The text with every known secret replaced by `******`. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('******');
    return out;
  }
}
