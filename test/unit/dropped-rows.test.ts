/**
 * `uvpv status`'s dropped rows: read from the spec's job.droppedRows hash (a fake reader), summed per window and shown as
 * text; without the key, the section says how to get it.
 */
import { droppedRowsOf, droppedRowsSection } from '../../src/deploy/dropped-rows';
import { healthLines } from '../../src/deploy/health-text';
import { notAvailable, type PipelineHealth } from '../../src/deploy/health';
import type { Spec } from '../../src/pipeline/types';

const redis = { mode: 'standalone', host: '127.0.0.1', port: 6379, database: 4, password: { value: 's3cret' } };
const spec = (droppedRows?: { key: string }) => ({ name: 'shop', redis, job: { droppedRows } }) as unknown as Spec;
const HASH = {
  '2024-05-01T10:05:00': '3',
  '2024-05-01T10:20:00': '1',
  '2024-05-01T10:10:00': '2',
  '2024-05-01T10:00:00': '7',
  '2024-05-01T10:15:00': '4',
  '2024-05-01T09:55:00': '6',
  no_event_time: '5',
};

test('the hash sums to late rows over its windows and the rows without an event time', () => {
  const count = droppedRowsOf(HASH);
  expect(count.late).toBe(23);
  expect(count.withoutEventTime).toBe(5);
  expect(count.windows.map((p) => p.t)).toEqual([
    '2024-05-01T09:55:00',
    '2024-05-01T10:00:00',
    '2024-05-01T10:05:00',
    '2024-05-01T10:10:00',
    '2024-05-01T10:15:00',
    '2024-05-01T10:20:00',
  ]);
  expect(droppedRowsOf({})).toEqual({ late: 0, windows: [], withoutEventTime: 0 });
});

test("status reads the spec's hash: totals, and the newest five windows newest first", async () => {
  const asked: string[] = [];
  const read = async (key: string) => {
    asked.push(key);
    return HASH;
  };
  expect(await droppedRowsSection(spec({ key: 'shop:dropped' }), read)).toEqual({
    available: true,
    key: 'shop:dropped',
    late: 23,
    withoutEventTime: 5,
    lateWindows: 6,
    newestWindows: [
      { windowEnd: '2024-05-01T10:20:00', late: 1 },
      { windowEnd: '2024-05-01T10:15:00', late: 4 },
      { windowEnd: '2024-05-01T10:10:00', late: 2 },
      { windowEnd: '2024-05-01T10:05:00', late: 3 },
      { windowEnd: '2024-05-01T10:00:00', late: 7 },
    ],
  });
  expect(asked).toEqual(['shop:dropped']);
});

test('without job.droppedRows the section says how to get it, and reads nothing', async () => {
  const read = jest.fn();
  expect(await droppedRowsSection(spec(), read)).toEqual(
    notAvailable('the spec does not count them: set job.droppedRows in the spec, see "Dropped rows" in docs/spec.md'),
  );
  expect(read).not.toHaveBeenCalled();
});

test('a Redis that refuses or holds another type is not available, with where and why, never the password', async () => {
  const refused = async () => {
    throw new Error('WRONGPASS invalid username-password pair or user is disabled.');
  };
  const s = await droppedRowsSection(spec({ key: 'shop:dropped' }), refused);
  expect(s).toEqual(
    notAvailable(
      'cannot read hash shop:dropped from 127.0.0.1:6379/4: Redis refused the login (wrong or missing password, or a disabled user)',
    ),
  );
  expect(JSON.stringify(s)).not.toContain('s3cret');
  const wrongType = async () => {
    throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
  };
  expect(await droppedRowsSection(spec({ key: 'k' }), wrongType)).toEqual(
    notAvailable('cannot read hash k from 127.0.0.1:6379/4: WRONGTYPE Operation against a key holding the wrong kind of value'),
  );
});

test('the status line: late rows per window, rows without an event time, the hash', async () => {
  const droppedRows = await droppedRowsSection(spec({ key: 'shop:dropped' }), async () => ({
    '2024-05-01T10:05:00': '3',
    no_event_time: '2',
  }));
  const h = {
    version: 1,
    pipeline: 'shop',
    target: { name: 'local', type: 'gateway' },
    checkedAt: '2024-05-01T12:00:00.000Z',
    job: { jobId: 'j', name: 'shop', state: 'RUNNING', details: [], startedAt: null, uptimeSeconds: null },
    ...Object.fromEntries(
      ['restarts', 'checkpoints', 'kafka', 'freshness', 'throughput', 'tasks', 'redis'].map((s) => [s, notAvailable('x')]),
    ),
    droppedRows,
  } as unknown as PipelineHealth;
  expect(healthLines(h)).toContain(
    '  dropped rows  3 late in 1 window, 2 without an event time (hash shop:dropped; newest: 2024-05-01T10:05:00 3)',
  );
});
