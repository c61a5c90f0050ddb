import { formatRatio } from '../../src/metrics/ratio';
import { formatWindowTime } from '../../src/model/windows';

describe('ratio values (contract: fixed point, rounded half-up)', () => {
  test.each([
    [1, 3, 4, '0.3333'],
    [2, 3, 4, '0.6667'],
    [1, 1, 4, '1.0000'],
    [1, 20, 4, '0.0500'],
    [0, 7, 4, '0.0000'],
    [5, 2, 4, '2.5000'],
    [1, 8, 2, '0.13'], // 0.125 rounds half-up
    [1, 8, 0, '0'],
    [3, 2, 0, '2'], // 1.5 rounds up
    [1, 200000, 4, '0.0000'], // 0.000005 -> 0.0000 at 4 digits
    [1, 20000, 4, '0.0001'], // 0.00005 rounds up
    [123456789, 1000, 4, '123456.7890'],
  ])('%i / %i at %i digits = %s', (n, d, p, want) => {
    expect(formatRatio(n, d, p)).toBe(want);
  });

  test('never exponent form, even for tiny and huge ratios', () => {
    expect(formatRatio(1, 1e9, 4)).toBe('0.0000');
    expect(formatRatio(1e15, 1, 4)).toBe('1000000000000000.0000');
  });

  test('a zero denominator has no ratio', () => {
    expect(() => formatRatio(1, 0, 4)).toThrow();
  });

  test('window bounds render as yyyy-MM-ddTHH:mm:ss', () => {
    expect(formatWindowTime(Date.parse('2021-09-06T16:10:00Z'))).toBe('2021-09-06T16:10:00');
  });
});
