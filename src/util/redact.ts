/**
 * A scrubber for text that may echo a secret back: Flink's errors, for one, print a table's
 * options (a Redis password among them). One per run: it knows the secrets that run resolved.
 */
import { maskSecretValues } from '../sql/parts';

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Adds secret values (the spec's, and those the compiled job holds: see `secretValues`). */
  add(values: Iterable<string>): void {
    for (const value of values) this.secrets.add(value);
  }

  /** The text with every known secret replaced by `******`. */
  redact(text: string): string {
    return maskSecretValues(text, this.secrets);
  }
}
