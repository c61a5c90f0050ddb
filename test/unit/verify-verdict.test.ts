/** verify's verdict: PASS only when something was compared; the events that matched nothing are named. */
import { resolve } from 'node:path';
import { loadSpec } from '../../src/pipeline/load';
import { referenceModel } from '../../src/model/reference';
import { unmatchedEvents, verdict } from '../../src/verify/verdict';

const ROOT = resolve(__dirname, '..', '..');
const strict = { allowEmpty: false, exact: true };

test('keys that all match pass; one that differs fails', () => {
  const ok = { key: 'uv', ok: true, problems: [] };
  const bad = { key: 'pv', ok: false, problems: ['value is "1", expected "2"'] };
  expect(verdict([ok, ok], strict)).toEqual({ ok: true, summary: 'PASS: 2 of 2 keys match' });
  expect(verdict([ok, bad], strict)).toEqual({ ok: false, summary: 'FAIL: 1 of 2 keys match' });
});

test('0 of 0 keys is no PASS: nothing was compared, and the summary says what to do', () => {
  expect(verdict([], strict)).toEqual({
    ok: false,
    summary:
      "FAIL: nothing to compare: the expectation holds no key and the pipeline wrote none; check that the events match the spec's filters, or pass --allow-empty if an empty result is expected",
  });
  expect(verdict([], { allowEmpty: false, exact: false }).summary).toMatch(
    /^FAIL: nothing to compare: the expectation holds no key \(and exact: false checks no other\);/,
  );
});

test('--allow-empty: an empty result passes, and a mismatch still fails', () => {
  const allow = { allowEmpty: true, exact: true };
  expect(verdict([], allow)).toEqual({ ok: true, summary: 'PASS: no key expected and none compared (--allow-empty)' });
  expect(verdict([{ key: 'extra', ok: false, problems: ['extra: ...'] }], allow).ok).toBe(false);
});

test('an event that matched no row is named with the metrics it leaves unchecked', () => {
  const { spec } = loadSpec('pipelines/uvpv.yaml', { env: {}, cwd: ROOT, mode: 'lenient' });
  // Views only: the purchase event (the ratio's numerator) matches none of them.
  const views = [0, 1, 2].map((i) =>
    Buffer.from(`{"record_type": 0, "user_id": ${i}, "client_ip": "1.2.3.4", "product_id": 7, "create_time": "2021-09-06 16:0${i}:00"}`),
  );
  const model = referenceModel(spec, views);
  expect(unmatchedEvents(spec, model.eventRows, views.length)).toEqual([
    'event purchase matched no row of the 3 messages; conversion_rate has nothing of it to check',
  ]);
  // Rows without an event time count for no event.
  const untimed = [Buffer.from('{"record_type": 0, "user_id": 1}')];
  expect(unmatchedEvents(spec, referenceModel(spec, untimed).eventRows, 1)).toEqual([
    'event browse matched no row of the 1 message; uv, pv, conversion_rate have nothing of it to check',
    'event purchase matched no row of the 1 message; conversion_rate has nothing of it to check',
  ]);
});
