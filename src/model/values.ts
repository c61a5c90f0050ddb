/** The contract's value rules, computed exactly (no floating point). */

/**
 * `numerator / denominator` as a fixed-point decimal with `precision` digits after the point,
 * rounded half-up: 1/3 → "0.3333", 1/1 → "1.0000", 1/20 → "0.0500".
 */
export function formatRatio(numerator: number, denominator: number, precision: number): string {
  if (denominator <= 0) throw new Error('ratio needs a denominator above 0');
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  const scale = 10n ** BigInt(precision);
  // floor((n * scale) / d + 1/2) = floor((2 * n * scale + d) / (2 * d)), exact for n, d >= 0.
  const scaled = (2n * n * scale + d) / (2n * d);
  const whole = scaled / scale;
  if (precision === 0) return whole.toString();
  const fraction = (scaled % scale).toString().padStart(precision, '0');
  return `${whole}.${fraction}`;
}

/** Window bounds as keys and list entries show them: `yyyy-MM-ddTHH:mm:ss` (no zone). */
export function formatWindowTime(epochMillis: number): string {
  return new Date(epochMillis).toISOString().slice(0, 19);
}
