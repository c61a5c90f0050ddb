/**
 * MurmurHash3 x64 128-bit with seed 0, as Guava's `Hashing.murmur3_128(0)` computes it (bytes in
 * the order of `HashCode.asBytes()`): the hash Flink turns into operator ids (see operator-ids.ts).
 */
const MASK = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK;
const mul = (a: bigint, b: bigint) => (a * b) & MASK;
const add = (a: bigint, b: bigint) => (a + b) & MASK;

function fmix(k: bigint): bigint {
  k ^= k >> 33n;
  k = mul(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul(k, 0xc4ceb9fe1a85ec53n);
  return k ^ (k >> 33n);
}

const mixK1 = (k: bigint) => mul(rotl(mul(k, C1), 31n), C2);
const mixK2 = (k: bigint) => mul(rotl(mul(k, C2), 33n), C1);

/** The little-endian 64-bit word of `bytes` at `offset`, over at most `length` bytes. */
function word(bytes: Uint8Array, offset: number, length = 8): bigint {
  let k = 0n;
  for (let i = Math.min(length, bytes.length - offset) - 1; i >= 0; i--) k = (k << 8n) | BigInt(bytes[offset + i]);
  return k;
}

export function murmur3x64_128(bytes: Uint8Array): Uint8Array {
  let h1 = 0n;
  let h2 = 0n;
  const blocks = Math.floor(bytes.length / 16);
  for (let b = 0; b < blocks; b++) {
    h1 ^= mixK1(word(bytes, b * 16));
    h1 = add(mul(add(rotl(h1, 27n), h2), 5n), 0x52dce729n);
    h2 ^= mixK2(word(bytes, b * 16 + 8));
    h2 = add(mul(add(rotl(h2, 31n), h1), 5n), 0x38495ab5n);
  }
  const tail = blocks * 16;
  const rest = bytes.length - tail;
  if (rest > 0) {
    h1 ^= mixK1(word(bytes, tail, Math.min(rest, 8)));
    if (rest > 8) h2 ^= mixK2(word(bytes, tail + 8, rest - 8));
  }
  const length = BigInt(bytes.length);
  h1 ^= length;
  h2 ^= length;
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = add(h1, h2);
  h2 = add(h2, h1);
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[i] = Number((h1 >> BigInt(8 * i)) & 0xffn);
    out[8 + i] = Number((h2 >> BigInt(8 * i)) & 0xffn);
  }
  return out;
}

/** The bytes Guava's `Hasher.putInt` adds for each of `ints`: four, little-endian. */
export function intsLittleEndian(ints: readonly number[]): Uint8Array {
  const out = new Uint8Array(ints.length * 4);
  const view = new DataView(out.buffer);
  ints.forEach((n, i) => view.setInt32(i * 4, n, true));
  return out;
}
