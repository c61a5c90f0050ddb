/** The hash Flink's operator ids come from, against Guava's murmur3_128(0) (values computed with Guava 32). */
import { intsLittleEndian, murmur3x64_128 } from '../../src/deploy/upgrade/murmur3';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test.each([
  [[], '00000000000000000000000000000000'],
  [[0], 'bc764cd8ddf7a0cff126f51c16239658'],
  [[0, 0], 'cbc357ccb763df2852fee8c4fc7d55f2'],
  [[3], '3ba1d27b7fde4848a86e865c6c402dfa'],
  [[1, 1, 1], '4081cf0163fcce7fe6af0cf07ad2d43c'],
  [[0, 1, 2, 3], 'd15bd55e1bb88097646f409b63d099e2'],
  [[7, 7, 7, 7, 7], '99b904fa7b97192c73e651209c2ea1d0'],
])('putInt %j', (ints, expected) => {
  expect(hex(murmur3x64_128(intsLittleEndian(ints)))).toBe(expected);
});

test('a string of 17 bytes (a block and a tail of one)', () => {
  expect(hex(murmur3x64_128(Buffer.from('hello world, uvpv!', 'utf8')))).toBe('1ead4004dd18895bdb5e6fa9f00cb9f7');
});
