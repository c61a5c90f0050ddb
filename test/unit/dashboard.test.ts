/**
 * The dashboard's snapshot logic, with an in-memory Redis (the same commands, no server): every
 * redis.type of the contract, key templates, list order for LPUSH and RPUSH, empty states, and
 * what is not a number; breakdowns (`by`: bars of the latest window) in every type that holds one,
 * and top-N rankings; and the page's script building each view's card, on a fake DOM. The same
 * reads against a real Redis, and the page in Chromium, are in test/browser/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { keyMatcher } from '../../src/dashboard/keys';
import { required } from '../../src/util/required';
import {
  History,
  MAX_BARS,
  MAX_ENTRIES,
  MAX_FIELDS,
  MAX_KEYS,
  MAX_POINTS,
  MAX_RANKING,
  hashPoints,
  listPoints,
  newest,
  readSnapshot,
  type RedisReader,
  type Snapshot,
} from '../../src/dashboard/snapshot';
import { NOT_READ } from '../../src/dashboard/snapshot';
import { FlinkReader } from '../../src/dashboard/flink';
import type { PipelineHealth } from '../../src/deploy/health';
import { demoSpecText } from '../../src/demo/run-demo';
import { compileSpec } from '../../src/compile';
import { loadSpec } from '../../src/pipeline/load';
import type { Metric, Spec } from '../../src/pipeline/types';

/** A sorted set: member → score. */
class ZSet extends Map<string, number> {}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

/** Just enough of Redis: strings, sets (an hll is a set here: PFCOUNT is exact), lists, hashes, sorted sets. */
class FakeRedis implements RedisReader {
  readonly data = new Map<string, string | Set<string> | string[] | Map<string, string> | ZSet>();
  scans = 0;
  /** Keys read (not scanned) since the last reset: what a refresh costs. */
  reads = new Set<string>();

  async scan(cursor: string, pattern: string): Promise<[string, string[]]> {
    this.scans++;
    const re = new RegExp(
      `^${pattern.replace(/\\(.)|([.+^${}()|])|(\*)|(\?)/g, (_m, esc: string, lit: string, star: string, q: string) => (esc ? esc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : lit ? `\\${lit}` : star ? '.*' : q ? '.' : ''))}$`,
    );
    // Two pages, and one key returned twice, as SCAN may.
    const keys = [...this.data.keys()].filter((k) => re.test(k));
    const half = Math.ceil(keys.length / 2);
    return cursor === '0' ? [keys.length > 1 ? '7' : '0', keys.slice(0, half)] : ['0', keys.slice(half - 1)];
  }
  async exists(key: string) {
    this.reads.add(key);
    return this.data.has(key) ? 1 : 0;
  }
  async scard(key: string) {
    return this.set(key)?.size ?? 0;
  }
  async pfcount(key: string) {
    return this.set(key)?.size ?? 0;
  }
  async get(key: string) {
    this.reads.add(key);
    const v = this.data.get(key);
    if (v !== undefined && typeof v !== 'string') throw new Error(WRONGTYPE);
    return v ?? null;
  }
  async lrange(key: string, start: number, stop: number) {
    this.reads.add(key);
    const v = this.data.get(key) ?? [];
    if (!Array.isArray(v)) throw new Error(WRONGTYPE);
    const from = start < 0 ? Math.max(0, v.length + start) : start;
    const to = stop < 0 ? v.length + stop : Math.min(stop, v.length - 1);
    return v.slice(from, to + 1);
  }
  async hgetall(key: string) {
    return Object.fromEntries(this.hash(key) ?? []);
  }
  /** Pages of `count` fields; the cursor is the offset. */
  async hscan(key: string, cursor: string, count: number): Promise<[string, string[]]> {
    const fields = [...(this.hash(key) ?? [])];
    const from = Number(cursor);
    const next = from + count < fields.length ? String(from + count) : '0';
    return [next, fields.slice(from, from + count).flat()];
  }
  /** Highest score first; equal scores by member, descending (bytes), as ZRANGE ... REV does. */
  async zrevrangeWithScores(key: string, start: number, stop: number): Promise<string[]> {
    this.reads.add(key);
    const v = this.data.get(key);
    if (v === undefined) return [];
    if (!(v instanceof ZSet)) throw new Error(WRONGTYPE);
    const sorted = [...v].sort(([am, as], [bm, bs]) => bs - as || (am < bm ? 1 : am > bm ? -1 : 0));
    return sorted.slice(start, stop < 0 ? sorted.length + stop + 1 : stop + 1).flatMap(([m, score]) => [m, String(score)]);
  }
  private set(key: string): Set<string> | undefined {
    const v = this.data.get(key);
    if (v !== undefined && !(v instanceof Set)) throw new Error(WRONGTYPE);
    return v;
  }
  private hash(key: string): Map<string, string> | undefined {
    this.reads.add(key);
    const v = this.data.get(key);
    if (v !== undefined && (!(v instanceof Map) || v instanceof ZSet)) throw new Error(WRONGTYPE);
    return v;
  }

  sadd(key: string, ...members: string[]) {
    const s = (this.data.get(key) as Set<string> | undefined) ?? new Set<string>();
    for (const m of members) s.add(m);
    this.data.set(key, s);
  }
  lpush(key: string, ...values: string[]) {
    const l = (this.data.get(key) as string[] | undefined) ?? [];
    for (const v of values) l.unshift(v);
    this.data.set(key, l);
  }
  rpush(key: string, ...values: string[]) {
    const l = (this.data.get(key) as string[] | undefined) ?? [];
    l.push(...values);
    this.data.set(key, l);
  }
  hset(key: string, field: string, value: string) {
    const h = (this.data.get(key) as Map<string, string> | undefined) ?? new Map<string, string>();
    h.set(field, value);
    this.data.set(key, h);
  }
  zadd(key: string, ...scoreMembers: Array<number | string>) {
    const z = (this.data.get(key) as ZSet | undefined) ?? new ZSet();
    for (let i = 0; i + 1 < scoreMembers.length; i += 2) z.set(String(scoreMembers[i + 1]), Number(scoreMembers[i]));
    this.data.set(key, z);
  }
}

const CASE = resolve(__dirname, '../cases/valid/every-redis-type');
const base = loadSpec('pipeline.yaml', { env: {}, cwd: CASE }).spec;

/** The case's spec with these metrics (and its Redis block); its columns: kind STRING, user_id BIGINT, item INT, ts. */
function withMetrics(
  ...metrics: Array<Pick<Metric, 'name' | 'redis'> & { type?: Metric['type']; by?: string; n?: number; column?: string }>
): Spec {
  return { ...base, metrics: metrics.map((m) => ({ type: 'pv', event: 'view', ...m }) as Metric) };
}

const at = (s: number) => `2024-05-01T10:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
const entry = (end: string, value: number | string) => JSON.stringify({ window_start: end, window_end: end, value });
const NOW = new Date('2024-05-01T12:00:00Z');

async function one(redis: FakeRedis, m: Parameters<typeof withMetrics>[0], history = new History(), now = NOW) {
  return (await readSnapshot(redis, withMetrics(m), history, now)).metrics[0];
}

/** The matcher of a key the test knows has placeholders. */
const templateOf = (...args: Parameters<typeof keyMatcher>) => required(keyMatcher(...args), `a matcher of ${args[0]}`);

describe('key templates', () => {
  test('a fixed key is no template', () => {
    expect(keyMatcher('userids')).toBeUndefined();
    expect(keyMatcher('uv:{window}')).toBeUndefined();
  });

  test('{window_end}: a SCAN pattern, and the time read back from a key', () => {
    const t = templateOf('uv:{window_end}');
    expect(t.pattern).toBe('uv:*');
    expect(t.axis).toBe('window end');
    expect(t.parse('uv:2024-05-01T10:00:00')?.t).toBe('2024-05-01T10:00:00');
    expect(t.parse('uv:set')?.t).toBeUndefined();
    expect(t.parse('uv:2024-05-01T10:00:00:extra')?.t).toBeUndefined();
  });

  test('both placeholders: the time is the end, wherever it is', () => {
    const t = templateOf('pv:{window_end}:{window_start}');
    expect(t.pattern).toBe('pv:*:*');
    expect(t.parse('pv:2024-05-01T10:10:00:2024-05-01T10:00:00')?.t).toBe('2024-05-01T10:10:00');
    const s = templateOf('x_{window_start}');
    expect(s.axis).toBe('window start');
    expect(s.parse('x_2024-05-01T10:00:00')?.t).toBe('2024-05-01T10:00:00');
  });

  test('glob and regex characters in the literal parts are taken literally', () => {
    const t = templateOf('a*b?[c].{window_end}');
    expect(t.pattern).toBe('a\\*b\\?\\[c\\].*');
    expect(t.parse('a*b?[c].2024-05-01T10:00:00')?.t).toBe('2024-05-01T10:00:00');
    expect(t.parse('aXb?[c].2024-05-01T10:00:00')?.t).toBeUndefined();
    expect(t.parse('a*b?[c]X2024-05-01T10:00:00')?.t).toBeUndefined();
  });
});

describe('pure parts', () => {
  test('list entries: window end and value; a string number is read, anything else skipped', () => {
    expect(
      listPoints([
        entry(at(60), 2),
        entry(at(120), '0.25'),
        'not json',
        '{"window_end":"x"}',
        JSON.stringify({ window_end: at(0), value: 'abc' }),
        '[]',
      ]),
    ).toEqual([
      { t: at(60), v: 2 },
      { t: at(120), v: 0.25 },
    ]);
  });

  test('hash fields: numbers only', () => {
    expect(hashPoints({ [at(60)]: '2', [at(0)]: '1.5', [at(30)]: 'x', [at(90)]: '' })).toEqual([
      { t: at(60), v: 2 },
      { t: at(0), v: 1.5 },
    ]);
  });

  test('newest: sorted, one per time (the later one), at most MAX_POINTS', () => {
    expect(
      newest([
        { t: at(2), v: 1 },
        { t: at(1), v: 2 },
        { t: at(2), v: 3 },
      ]),
    ).toEqual([
      { t: at(1), v: 2 },
      { t: at(2), v: 3 },
    ]);
    const many = Array.from({ length: 100 }, (_, i) => ({ t: at(i), v: i }));
    const kept = newest(many);
    expect(kept).toHaveLength(MAX_POINTS);
    expect(kept[kept.length - 1]).toEqual({ t: at(99), v: 99 });
  });

  test('history: one point per second, the newest MAX_POINTS', () => {
    const h = new History(3);
    h.add('m', 1, new Date('2024-05-01T10:00:00.100Z'));
    expect(h.add('m', 2, new Date('2024-05-01T10:00:00.900Z'))).toEqual([{ t: '2024-05-01T10:00:00', v: 2 }]);
    for (let s = 1; s <= 4; s++) h.add('m', s * 10, new Date(Date.parse('2024-05-01T10:00:00Z') + s * 1000));
    expect(h.get('m').map((p) => p.v)).toEqual([20, 30, 40]);
    expect(h.get('other')).toEqual([]);
  });
});

describe('each redis type', () => {
  test('set: SCARD, sampled over time', async () => {
    const r = new FakeRedis();
    const history = new History();
    r.sadd('uv:set', '1', '2', '3');
    expect(await one(r, { name: 'uv', type: 'uv', redis: { type: 'set', key: 'uv:set' } }, history)).toMatchObject({
      current: 3,
      axis: 'sampled',
      series: [{ t: '2024-05-01T12:00:00', v: 3 }],
    });
    r.sadd('uv:set', '4');
    const later = await one(r, { name: 'uv', type: 'uv', redis: { type: 'set', key: 'uv:set' } }, history, new Date(NOW.getTime() + 1000));
    expect(later.current).toBe(4);
    expect(later.at).toBeUndefined();
    expect(later.series).toEqual([
      { t: '2024-05-01T12:00:00', v: 3 },
      { t: '2024-05-01T12:00:01', v: 4 },
    ]);
  });

  test('hll: PFCOUNT', async () => {
    const r = new FakeRedis();
    r.sadd('uv:hll', 'a', 'b');
    expect(await one(r, { name: 'uv', type: 'uv', redis: { type: 'hll', key: 'uv:hll' } })).toMatchObject({ current: 2, axis: 'sampled' });
  });

  test('string: the number; a value that is not one is an error of that metric', async () => {
    const r = new FakeRedis();
    r.data.set('cr', '0.0799');
    expect(await one(r, { name: 'cr', type: 'ratio', redis: { type: 'string', key: 'cr' } })).toMatchObject({
      current: 0.0799,
      axis: 'sampled',
    });
    r.data.set('cr', 'n/a');
    const bad = await one(r, { name: 'cr', type: 'ratio', redis: { type: 'string', key: 'cr' } });
    expect(bad).toMatchObject({ current: null, series: [] });
    expect(bad.error).toContain("cr holds 'n/a', not a number");
  });

  test('list with LPUSH (the default): index 0 is the newest window, so only the head is read', async () => {
    const r = new FakeRedis();
    for (let i = 1; i <= 300; i++) r.lpush('pv', entry(at(i), i));
    const m = await one(r, { name: 'pv', redis: { type: 'list', key: 'pv' } });
    expect(m).toMatchObject({ current: 300, at: at(300), axis: 'window end' });
    expect(m.series).toHaveLength(MAX_POINTS);
    expect(m.series[0]).toEqual({ t: at(241), v: 241 });
  });

  test('list with RPUSH: the tail is the newest', async () => {
    const r = new FakeRedis();
    for (let i = 1; i <= 300; i++) r.rpush('pv', entry(at(i), i));
    const m = await one(r, { name: 'pv', redis: { type: 'list', key: 'pv', command: 'rpush' } });
    expect(m).toMatchObject({ current: 300, at: at(300) });
    expect(m.series[0]).toEqual({ t: at(241), v: 241 });
  });

  test('a window pushed twice (at-least-once replay): the later push wins, for either command', async () => {
    const l = new FakeRedis();
    l.lpush('pv', entry(at(1), 5), entry(at(2), 6), entry(at(2), 7));
    expect((await one(l, { name: 'pv', redis: { type: 'list', key: 'pv' } })).series).toEqual([
      { t: at(1), v: 5 },
      { t: at(2), v: 7 },
    ]);
    const rp = new FakeRedis();
    rp.rpush('pv', entry(at(1), 5), entry(at(2), 6), entry(at(2), 7));
    expect((await one(rp, { name: 'pv', redis: { type: 'list', key: 'pv', command: 'rpush' } })).current).toBe(7);
  });

  test('hash: HSET key <window_end> <value>, in window order', async () => {
    const r = new FakeRedis();
    r.hset('pv:h', at(120), '9');
    r.hset('pv:h', at(60), '4');
    expect(await one(r, { name: 'pv', redis: { type: 'hash', key: 'pv:h' } })).toMatchObject({
      current: 9,
      at: at(120),
      axis: 'window end',
      series: [
        { t: at(60), v: 4 },
        { t: at(120), v: 9 },
      ],
    });
  });
});

describe('templated keys', () => {
  test('one point per key, by the time in its name; other keys that match the pattern are left out', async () => {
    const r = new FakeRedis();
    r.sadd(`uv:${at(120)}`, 'a', 'b', 'c');
    r.sadd(`uv:${at(60)}`, 'a');
    r.sadd('uv:set', 'x'); // matches uv:* but not the template
    const m = await one(r, { name: 'uv', type: 'uv', redis: { type: 'set', key: 'uv:{window_end}' } });
    expect(m).toMatchObject({
      current: 3,
      at: at(120),
      axis: 'window end',
      series: [
        { t: at(60), v: 1 },
        { t: at(120), v: 3 },
      ],
    });
  });

  test('hll, string, list and hash behind a template', async () => {
    const r = new FakeRedis();
    r.sadd(`h:${at(60)}`, 'a', 'b');
    r.data.set(`s:${at(60)}`, '0.5');
    r.data.set(`s:${at(120)}`, '0.25');
    r.lpush(`l:${at(60)}`, entry(at(60), 11));
    r.hset(`hh:${at(0)}`, at(60), '21');
    const s = await readSnapshot(
      r,
      withMetrics(
        { name: 'hll', type: 'uv', redis: { type: 'hll', key: 'h:{window_end}' } },
        { name: 'str', type: 'ratio', redis: { type: 'string', key: 's:{window_end}' } },
        { name: 'list', redis: { type: 'list', key: 'l:{window_end}' } },
        { name: 'hash', redis: { type: 'hash', key: 'hh:{window_start}' } },
      ),
      new History(),
      NOW,
    );
    expect(s.metrics.map((m) => [m.name, m.current, m.axis])).toEqual([
      ['hll', 2, 'window end'],
      ['str', 0.25, 'window end'],
      ['list', 11, 'window end'],
      ['hash', 21, 'window start'],
    ]);
    expect(s.metrics[1].series).toEqual([
      { t: at(60), v: 0.5 },
      { t: at(120), v: 0.25 },
    ]);
  });

  test('only the newest MAX_POINTS windows are read', async () => {
    const r = new FakeRedis();
    for (let i = 0; i < 100; i++) r.data.set(`pv:${at(i)}`, String(i));
    const m = await one(r, { name: 'pv', redis: { type: 'string', key: 'pv:{window_end}' } });
    expect(m.series).toHaveLength(MAX_POINTS);
    expect(m.series[0].t).toBe(at(40));
    expect(m.current).toBe(99);
    expect(r.scans).toBe(2); // followed the cursor to the end
  });
});

describe('empty and broken', () => {
  test('nothing written yet: null and no points, for every type, templated or not', async () => {
    const r = new FakeRedis();
    const s = await readSnapshot(r, base, new History(), NOW);
    expect(s.metrics).toHaveLength(6);
    for (const m of s.metrics) {
      expect(m).toMatchObject({ current: null, series: [] });
      expect(m.error).toBeUndefined();
      expect(m.at).toBeUndefined();
    }
  });

  test('a key of another type is an error of its metric only', async () => {
    const r = new FakeRedis();
    r.data.set('pv:list', 'a string');
    r.data.set('uv:latest', '7');
    const s = await readSnapshot(r, base, new History(), NOW);
    const byName = Object.fromEntries(s.metrics.map((m) => [m.name, m]));
    expect(byName.pv_list.error).toMatch(/WRONGTYPE/);
    expect(byName.uv_string).toMatchObject({ current: 7 });
    expect(byName.uv_string.error).toBeUndefined();
  });

  test('the header: pipeline name, Redis host:port/db, the read time; never the password', async () => {
    const spec: Spec = {
      ...base,
      redis: { ...base.redis, password: { value: 'hunter2-secret', placeholder: '${REDIS_PASSWORD}', empty: false } },
    };
    const s = await readSnapshot(new FakeRedis(), spec, new History(), NOW);
    expect(s).toMatchObject({ pipeline: 'every-redis-type', redis: '127.0.0.1:6379/3', updated: '2024-05-01T12:00:00.000Z' });
    expect(JSON.stringify(s)).not.toContain('hunter2');
  });
});

describe('key matching with {<by column>}', () => {
  test('the value of `by` and the window time from a key; text may hold ":", times are matched strictly', () => {
    const m = templateOf('uv:{kind}:{window_end}', 'kind', 'string');
    expect(m.pattern).toBe('uv:*:*');
    expect(m.axis).toBe('window end');
    expect(m.parse(`uv:web:${at(60)}`)).toEqual({ t: at(60), value: 'web' });
    expect(m.parse(`uv:a:b:${at(60)}`)).toEqual({ t: at(60), value: 'a:b' });
    expect(m.parse(`uv::${at(60)}`)).toEqual({ t: at(60), value: '' });
    expect(m.parse(`uv:${at(60)}:${at(120)}`)).toEqual({ t: at(120), value: at(60) });
    expect(m.parse('uv:web:2024-05-01T10:01')).toBeUndefined();
    expect(m.parse(`uv:web:${at(60)}:x`)).toBeUndefined();
    expect(m.parse(`uv:web`)).toBeUndefined();
  });

  test('an integer column matches digits only; boolean true or false; a repeated placeholder must repeat its text', () => {
    const i = templateOf('pv:{item}', 'item', 'integer');
    expect(i.axis).toBeUndefined();
    expect(i.namesValue).toBe(true);
    expect(i.parse('pv:42')).toEqual({ value: '42' });
    expect(i.parse('pv:-7')).toEqual({ value: '-7' });
    expect(i.parse('pv:set')).toBeUndefined();
    expect(templateOf('b:{flag}', 'flag', 'boolean').parse('b:maybe')).toBeUndefined();
    const twice = templateOf('x:{item}:{window_start}:{item}', 'item', 'integer');
    expect(twice.parse(`x:5:${at(0)}:5`)).toEqual({ t: at(0), value: '5' });
    expect(twice.parse(`x:5:${at(0)}:6`)).toBeUndefined();
    expect(twice.axis).toBe('window start');
  });

  test('without `by`, a column placeholder is literal text, and a fixed key is no template', () => {
    expect(keyMatcher('pv:{item}')).toBeUndefined();
    expect(keyMatcher('pv')).toBeUndefined();
    expect(templateOf('pv:{item}:{window_end}').pattern).toBe('pv:{item}:*');
  });
});

describe('breakdowns (`by`): bars of the latest window', () => {
  const byItem = { name: 'pv_by_item', type: 'pv' as const, by: 'item' };

  test("hash with a {window_end} key: the newest window key's fields, largest first, ties by value (as integers)", async () => {
    const r = new FakeRedis();
    r.hset(`pv:${at(60)}`, '1', '100'); // an older window: not shown
    for (const [item, v] of [
      ['10', '3'],
      ['9', '3'],
      ['2', '7'],
      ['100', '1'],
      ['x', 'not a number'],
    ])
      r.hset(`pv:${at(120)}`, item, v);
    const m = await one(r, { ...byItem, redis: { type: 'hash', key: 'pv:{window_end}' } });
    expect(m).toMatchObject({
      view: 'bars',
      by: 'item',
      at: at(120),
      axis: 'window end',
      current: null,
      series: [],
      values: 4,
      bars: [
        { label: '2', v: 7 },
        { label: '9', v: 3 },
        { label: '10', v: 3 },
        { label: '100', v: 1 },
      ],
    });
    expect(m.error).toBeUndefined();
    expect(m.note).toBeUndefined();
    expect(r.reads).toEqual(new Set([`pv:${at(120)}`])); // the newest window's key only
  });

  test('hash with a fixed key: each field is a value of `by` (its latest window): no single window', async () => {
    const r = new FakeRedis();
    r.hset('pv:by_item', '101', '4');
    r.hset('pv:by_item', '102', '9');
    const m = await one(r, { ...byItem, redis: { type: 'hash', key: 'pv:by_item' } });
    expect(m).toMatchObject({
      view: 'bars',
      axis: 'latest per value',
      values: 2,
      bars: [
        { label: '102', v: 9 },
        { label: '101', v: 4 },
      ],
    });
    expect(m.at).toBeUndefined();
  });

  test('more than MAX_BARS values: the top ones only, and how many there are', async () => {
    const r = new FakeRedis();
    for (let i = 1; i <= 25; i++) r.hset(`pv:${at(60)}`, `p${String(i).padStart(2, '0')}`, String(i % 13));
    const m = await one(r, { name: 'pv_by_kind', type: 'pv', by: 'kind', redis: { type: 'hash', key: 'pv:{window_end}' } });
    expect(MAX_BARS).toBe(10);
    expect(m.values).toBe(25);
    expect(m.bars).toHaveLength(MAX_BARS);
    // 12 (p12, p25), 11 (p11, p24), 10 (p10, p23), 9 (p09, p22), 8 (p08, p21): ties by text ascending.
    expect(m.bars?.map((b) => `${b.label}=${b.v}`)).toEqual([
      'p12=12',
      'p25=12',
      'p11=11',
      'p24=11',
      'p10=10',
      'p23=10',
      'p09=9',
      'p22=9',
      'p08=8',
      'p21=8',
    ]);
  });

  test('set with {by} in the key: one key per value of the newest window, SCARD each; a value may hold ":"', async () => {
    const r = new FakeRedis();
    r.sadd(`uv:web:${at(60)}`, 'a', 'b', 'c', 'd'); // older
    r.sadd(`uv:web:${at(120)}`, 'a', 'b');
    r.sadd(`uv:app:ios:${at(120)}`, 'a', 'b', 'c');
    r.sadd(`uv:x:${at(120)}`, 'a', 'b');
    r.sadd('uv:web:not-a-time', 'a', 'b', 'c', 'd', 'e'); // fits the pattern, not the template
    const m = await one(r, {
      name: 'uv_by_kind',
      type: 'uv',
      column: 'user_id',
      by: 'kind',
      redis: { type: 'set', key: 'uv:{kind}:{window_end}' },
    });
    expect(m).toMatchObject({
      view: 'bars',
      at: at(120),
      axis: 'window end',
      values: 3,
      bars: [
        { label: 'app:ios', v: 3 },
        { label: 'web', v: 2 },
        { label: 'x', v: 2 },
      ],
    });
  });

  test('hll with {by} and {window_start}: PFCOUNT each, the window is the start', async () => {
    const r = new FakeRedis();
    r.sadd(`uvh:${at(0)}:7`, 'a', 'b', 'c');
    r.sadd(`uvh:${at(0)}:8`, 'a');
    r.sadd(`uvh:${at(60)}:8`, 'a', 'b');
    r.sadd(`uvh:${at(60)}:web`, 'a', 'b', 'c', 'd', 'e'); // not an INT: not a key of the template
    const m = await one(r, {
      name: 'uv_by_item',
      type: 'uv',
      column: 'user_id',
      by: 'item',
      redis: { type: 'hll', key: 'uvh:{window_start}:{item}' },
    });
    expect(m).toMatchObject({ view: 'bars', at: at(60), axis: 'window start', values: 1, bars: [{ label: '8', v: 2 }] });
  });

  test("string with {by} and no window: each key holds its value's latest window; one that is not a number is an error", async () => {
    const r = new FakeRedis();
    r.data.set('cr:web', '0.25');
    r.data.set('cr:app', '0.5');
    r.data.set('cr:a b', '0.25');
    const metric = { name: 'cr_by_kind', type: 'ratio' as const, by: 'kind', redis: { type: 'string' as const, key: 'cr:{kind}' } };
    const m = await one(r, metric);
    expect(m).toMatchObject({
      view: 'bars',
      axis: 'latest per value',
      bars: [
        { label: 'app', v: 0.5 },
        { label: 'a b', v: 0.25 },
        { label: 'web', v: 0.25 },
      ],
    });
    expect(m.at).toBeUndefined();
    r.data.set('cr:web', 'n/a');
    const bad = await one(r, metric);
    expect(bad).toMatchObject({ view: 'bars', bars: [], current: null });
    expect(bad.error).toContain("cr:web holds 'n/a', not a number");
  });

  test("list with by (LPUSH): the newest window's entries, one per value; a replayed entry: the later push wins", async () => {
    const r = new FakeRedis();
    const e = (end: string, item: number, value: number) => JSON.stringify({ window_start: end, window_end: end, item, value });
    // LPUSH: the head is the newest; a window's entries pushed in item order.
    r.lpush(
      'pv:list',
      e(at(60), 1, 9),
      e(at(60), 2, 9),
      e(at(120), 1, 4),
      e(at(120), 2, 6),
      e(at(120), 3, 4),
      e(at(120), 3, 5),
      'not json',
      JSON.stringify({ window_end: at(120), value: 1 }),
    );
    const m = await one(r, { ...byItem, redis: { type: 'list', key: 'pv:list' } });
    expect(m).toMatchObject({
      view: 'bars',
      at: at(120),
      axis: 'window end',
      values: 3,
      bars: [
        { label: '2', v: 6 },
        { label: '3', v: 5 },
        { label: '1', v: 4 },
      ],
    });
  });

  test('list with by (RPUSH), and text values of `by`', async () => {
    const r = new FakeRedis();
    const e = (end: string, kind: string, value: number) => JSON.stringify({ window_start: end, window_end: end, kind, value });
    r.rpush('pv:list', e(at(60), 'a', 9), e(at(120), 'a:b', 2), e(at(120), 'c', 3));
    const m = await one(r, { name: 'pv_by_kind', type: 'pv', by: 'kind', redis: { type: 'list', key: 'pv:list', command: 'rpush' } });
    expect(m).toMatchObject({
      at: at(120),
      bars: [
        { label: 'c', v: 3 },
        { label: 'a:b', v: 2 },
      ],
    });
  });

  test('list with by behind a {window_end} key: the newest key, and the newest window in it', async () => {
    const r = new FakeRedis();
    const e = (end: string, item: number, value: number) => JSON.stringify({ window_start: end, window_end: end, item, value });
    r.lpush(`pv:${at(60)}`, e(at(60), 1, 1));
    r.lpush(`pv:${at(120)}`, e(at(120), 5, 2), e(at(120), 6, 8));
    const m = await one(r, { ...byItem, redis: { type: 'list', key: 'pv:{window_end}' } });
    expect(m).toMatchObject({
      at: at(120),
      bars: [
        { label: '6', v: 8 },
        { label: '5', v: 2 },
      ],
    });
  });

  test('empty Redis: no bars, no window, no error, for every shape', async () => {
    const r = new FakeRedis();
    const s = await readSnapshot(
      r,
      withMetrics(
        { ...byItem, name: 'h1', redis: { type: 'hash', key: 'pv:{window_end}' } },
        { ...byItem, name: 'h2', redis: { type: 'hash', key: 'pv:fixed' } },
        { ...byItem, name: 's1', type: 'uv', column: 'user_id', redis: { type: 'set', key: 'uv:{item}:{window_end}' } },
        { ...byItem, name: 'l1', redis: { type: 'list', key: 'pv:list' } },
        { ...byItem, name: 'str', redis: { type: 'string', key: 'pv:{item}' } },
        { name: 'top', type: 'topn', by: 'item', n: 3, redis: { type: 'zset', key: 'top:{window_end}' } },
      ),
      new History(),
      NOW,
    );
    for (const m of s.metrics) {
      expect(m).toMatchObject({ current: null, series: [], values: 0 });
      expect(m.error).toBeUndefined();
      expect(m.at).toBeUndefined();
      expect(m.note).toBeUndefined();
    }
    expect(s.metrics.map((m) => [m.name, m.view, m.axis, m.bars ?? m.ranking])).toEqual([
      ['h1', 'bars', 'window end', []],
      ['h2', 'bars', 'latest per value', []],
      ['s1', 'bars', 'window end', []],
      ['l1', 'bars', 'window end', []],
      ['str', 'bars', 'latest per value', []],
      ['top', 'ranking', 'window end', []],
    ]);
  });

  test('a key of the wrong type is an error of its metric only, naming the key', async () => {
    const r = new FakeRedis();
    r.sadd(`uv:1:${at(60)}`, 'a');
    r.data.set(`uv:2:${at(60)}`, 'a string');
    r.hset(`pv:${at(60)}`, '1', '3');
    r.data.set(`top:${at(60)}`, 'a string');
    const s = await readSnapshot(
      r,
      withMetrics(
        { name: 'uv', type: 'uv', column: 'user_id', by: 'item', redis: { type: 'set', key: 'uv:{item}:{window_end}' } },
        { ...byItem, redis: { type: 'hash', key: 'pv:{window_end}' } },
        { name: 'top', type: 'topn', by: 'item', n: 3, redis: { type: 'zset', key: 'top:{window_end}' } },
      ),
      new History(),
      NOW,
    );
    const [uv, pv, top] = s.metrics;
    expect(uv).toMatchObject({ view: 'bars', bars: [], current: null });
    expect(uv.error).toMatch(new RegExp(`^uv:2:${at(60)}: WRONGTYPE`));
    expect(pv).toMatchObject({ bars: [{ label: '1', v: 3 }], at: at(60) });
    expect(pv.error).toBeUndefined();
    expect(top).toMatchObject({ view: 'ranking', ranking: [] });
    expect(top.error).toMatch(/WRONGTYPE/);
  });
});

describe('top-N (zset): the ranking of the latest window', () => {
  const top = { name: 'top_items', type: 'topn' as const, by: 'item', n: 5, redis: { type: 'zset' as const, key: 'top:{window_end}' } };

  test("the newest window's zset, most rows first; ties by value ascending (as integers), not as ZRANGE REV gives them", async () => {
    const r = new FakeRedis();
    r.zadd(`top:${at(60)}`, 50, '1');
    r.zadd(`top:${at(120)}`, 7, '101', 5, '9', 5, '10', 5, '100', 2, '3');
    r.zadd('top:latest', 99, '1'); // fits the pattern, not the template
    const m = await one(r, top);
    expect(m).toMatchObject({
      view: 'ranking',
      by: 'item',
      at: at(120),
      axis: 'window end',
      current: null,
      series: [],
      values: 5,
      ranking: [
        { member: '101', score: 7 },
        { member: '9', score: 5 },
        { member: '10', score: 5 },
        { member: '100', score: 5 },
        { member: '3', score: 2 },
      ],
    });
    expect(m.bars).toBeUndefined();
    expect(m.error).toBeUndefined();
    expect(r.reads).toEqual(new Set([`top:${at(120)}`]));
  });

  test('a large top-N: the first MAX_RANKING shown, and says so', async () => {
    const r = new FakeRedis();
    for (let i = 0; i < 120; i++) r.zadd(`top:${at(60)}`, 1000 - i, String(i));
    const m = await one(r, { ...top, n: 120 });
    expect(m.ranking).toHaveLength(MAX_RANKING);
    expect(m.ranking?.[0]).toEqual({ member: '0', score: 1000 });
    expect(m.ranking?.[MAX_RANKING - 1]).toEqual({ member: String(MAX_RANKING - 1), score: 1000 - MAX_RANKING + 1 });
    expect(m.note).toContain(`the first ${MAX_RANKING} shown`);
  });

  test('live: a newer window replaces the ranking', async () => {
    const r = new FakeRedis();
    r.zadd(`top:${at(60)}`, 3, '1', 2, '2');
    expect((await one(r, top)).ranking).toEqual([
      { member: '1', score: 3 },
      { member: '2', score: 2 },
    ]);
    r.zadd(`top:${at(120)}`, 4, '2');
    expect(await one(r, top)).toMatchObject({ at: at(120), ranking: [{ member: '2', score: 4 }] });
  });
});

describe('breakdowns: the reading is bounded', () => {
  test('more keys in the newest window than MAX_KEYS: only MAX_KEYS read, and the note says so', async () => {
    const r = new FakeRedis();
    for (let i = 0; i < MAX_KEYS + 50; i++) r.data.set(`pv:${i}:${at(60)}`, String(i));
    for (let i = 0; i < 30; i++) r.data.set(`pv:${i}:${at(0)}`, String(i)); // an older window: never read
    const m = await one(r, { name: 'pv', type: 'pv', by: 'item', redis: { type: 'string', key: 'pv:{item}:{window_end}' } });
    expect(r.reads.size).toBe(MAX_KEYS);
    expect([...r.reads].every((k) => k.endsWith(at(60)))).toBe(true);
    expect(m.values).toBe(MAX_KEYS);
    expect(m.note).toBe(`read ${MAX_KEYS} of ${MAX_KEYS + 50} keys of that window (the first by value); the largest among them shown`);
    expect(m.bars?.[0]).toEqual({ label: String(MAX_KEYS - 1), v: MAX_KEYS - 1 });
  });

  test('a fixed hash with more than MAX_FIELDS fields: read through HSCAN up to the cap', async () => {
    const r = new FakeRedis();
    const h = new Map<string, string>();
    for (let i = 0; i < MAX_FIELDS + 500; i++) h.set(String(i), String(i % 1000));
    r.data.set('pv:by_item', h);
    const m = await one(r, { name: 'pv', type: 'pv', by: 'item', redis: { type: 'hash', key: 'pv:by_item' } });
    expect(m.values).toBe(MAX_FIELDS);
    expect(m.note).toBe(`read ${MAX_FIELDS} hash fields; the hash has more`);
    expect(m.bars).toHaveLength(MAX_BARS);
  });

  test('a list whose newest window has more entries than are read: says the window may have more', async () => {
    const r = new FakeRedis();
    const e = (item: number) => JSON.stringify({ window_start: at(0), window_end: at(60), item, value: item });
    r.rpush('pv:list', ...Array.from({ length: MAX_ENTRIES + 10 }, (_, i) => e(i)));
    const m = await one(r, { name: 'pv', type: 'pv', by: 'item', redis: { type: 'list', key: 'pv:list', command: 'rpush' } });
    expect(m.values).toBe(MAX_ENTRIES);
    expect(m.bars?.[0]).toEqual({ label: String(MAX_ENTRIES + 9), v: MAX_ENTRIES + 9 });
    expect(m.note).toBe(`read the newest ${MAX_ENTRIES} list entries; the window may have more`);
  });

  test('metrics without `by` keep their view: no bars, no ranking', async () => {
    const r = new FakeRedis();
    r.hset('pv:h', at(60), '4');
    const m = await one(r, { name: 'pv', redis: { type: 'hash', key: 'pv:h' } });
    expect(Object.keys(m).sort()).toEqual(['at', 'axis', 'current', 'key', 'name', 'redisType', 'series', 'type']);
  });
});

describe('the page (templates/dashboard/app.js)', () => {
  test('one event stream; each card is built for its view: a number and a line chart, bars, a ranked table', async () => {
    const r = new FakeRedis();
    r.hset('pv:by_window', at(60), '2');
    r.hset('pv:by_window', at(120), '5');
    for (const [item, v] of [
      ['1', '30'],
      ['2', '12'],
      ['3', '6'],
    ])
      r.hset(`pvb:${at(120)}`, item, v);
    r.zadd(`top:${at(120)}`, 7, '101', 5, '9', 2, '3');
    const spec = withMetrics(
      { name: 'pv', redis: { type: 'hash', key: 'pv:by_window' } },
      { name: 'pv_by_item', by: 'item', redis: { type: 'hash', key: 'pvb:{window_end}' } },
      { name: 'top_items', type: 'topn', by: 'item', n: 5, redis: { type: 'zset', key: 'top:{window_end}' } },
    );
    const page = loadPage();
    expect(page.streams.map((s) => s.url)).toEqual(['/events']);
    page.push(await readSnapshot(r, spec, new History(), NOW));
    expect(page.metrics.children.map((c) => c.dataset.metric)).toEqual(['pv', 'pv_by_item', 'top_items']);
    // The health strip: the newest window end (10:02) against now (12:00); no dropped rows' hash in
    // this spec, and no source for lag and restarts: each says so.
    expect(page.health.children.map((c) => c.dataset.health)).toEqual(['freshness', 'dropped', 'lag', 'restarts']);
    expect(text(page.health, 'value')).toEqual(['118 min behind', 'not available', 'not available', 'not available']);
    expect(text(page.health, 'detail')[0]).toBe('newest window ends 2024-05-01 10:02:00 (UTC)');
    expect(text(page.health, 'detail').slice(2)).toEqual([NOT_READ, NOT_READ]);
    // Read from Flink by the server (FlinkReader): the numbers, the topic, the last restart's cause.
    const read = await readSnapshot(r, spec, new History(), NOW);
    page.push({
      ...read,
      health: {
        ...read.health,
        lag: { available: true, topic: 'clicks', totalLag: 1234 },
        restarts: { available: true, count: 2, last: { at: '2024-05-01T11:58:00.000Z', rootCause: 'java.io.IOException: gone\n\tat x' } },
      },
    });
    expect(text(page.health, 'value').slice(2)).toEqual(['1,234', '2']);
    expect(text(page.health, 'detail').slice(2)).toEqual(['records behind on clicks', 'last at 11:58:00 UTC: java.io.IOException: gone']);
    page.push({ ...read, health: { ...read.health, restarts: { available: true, count: 0 } } });
    expect(text(page.health, 'detail')[3]).toBe('none since the job started');

    const number = page.card('pv');
    expect(text(number, 'value')).toEqual(['5']);
    expect(text(number, 'delta')).toEqual(['▲ 3']);
    expect(text(number, 'caption')).toEqual(['2 points · x: window end']);
    expect(page.charts.map((c) => [c.canvas, c.data.datasets[0].data])).toEqual([[number.all((e) => e.tagName === 'canvas')[0], [2, 5]]]);
    expect(byRole(number, 'breakdown')).toEqual([]);

    // Bars and a ranking: no number, no line chart (the only chart is the number's, above).
    const bars = page.card('pv_by_item');
    expect(byRole(bars, 'value')).toEqual([]);
    expect(bars.all((e) => e.tagName === 'canvas')).toEqual([]);
    expect(byRole(bars, 'bar').map((row) => `${text(row, 'label').join()}=${text(row, 'bar-value').join()}`)).toEqual([
      '1=30',
      '2=12',
      '3=6',
    ]);
    expect(bars.all((e) => e.className === 'bar-fill').map((e) => e.style.width)).toEqual(['100%', '40%', '20%']);
    expect(text(bars, 'at')).toEqual(['window to 10:02:00']);
    expect(text(bars, 'caption')).toEqual(['3 values of item']);

    const ranking = page.card('top_items');
    expect(byRole(ranking, 'value')).toEqual([]);
    expect(ranking.all((e) => e.tagName === 'th').map((e) => e.textContent)).toEqual(['#', 'item', 'rows']);
    expect(rows(ranking)).toEqual(['1 101 7', '2 9 5', '3 3 2']);
    expect(text(ranking, 'caption')).toEqual(['3 values of item, most rows first']);

    // A key of the wrong type: that card says so; the bars, unchanged, are not redrawn.
    const drawn = byRole(bars, 'bar');
    r.data.set(`top:${at(180)}`, 'not a zset');
    page.push(await readSnapshot(r, spec, new History(), NOW));
    expect(text(ranking, 'error')).toEqual([`top:${at(180)}: ${WRONGTYPE}`]);
    expect(byRole(ranking, 'error')[0].style.display).toBe('block');
    expect(rows(ranking)).toEqual([]);
    expect(ranking.all((e) => e.className === 'empty').map((e) => e.textContent)).toEqual(['cannot read']);
    expect(byRole(bars, 'bar').every((row, i) => row === drawn[i])).toBe(true);
    expect(page.charts).toHaveLength(1);
  });
});

/** Just enough of the DOM for app.js, which makes elements one by one: setting HTML throws (what Redis holds is set as text). */
class FakeElement {
  className = '';
  textContent = '';
  title = '';
  readonly dataset: Record<string, string> = {};
  readonly style: Record<string, string> = {};
  children: FakeElement[] = [];
  readonly classList = {
    toggle: (name: string, on: boolean) => {
      const names = new Set(this.className.split(' ').filter(Boolean));
      if (on) names.add(name);
      else names.delete(name);
      this.className = [...names].join(' ');
    },
    add: (name: string) => this.classList.toggle(name, true),
    remove: (name: string) => this.classList.toggle(name, false),
  };

  constructor(readonly tagName: string) {}
  append(...children: FakeElement[]) {
    this.children.push(...children);
  }
  appendChild(child: FakeElement) {
    this.children.push(child);
    return child;
  }
  replaceChildren(...children: FakeElement[]) {
    this.children = children;
  }
  set innerHTML(_html: string) {
    throw new Error('app.js set HTML');
  }
  /** The descendants that `match`, in document order. */
  all(match: (e: FakeElement) => boolean): FakeElement[] {
    return this.children.flatMap((c) => [...(match(c) ? [c] : []), ...c.all(match)]);
  }
}

const byRole = (e: FakeElement, role: string) => e.all((d) => d.dataset.role === role);
const text = (e: FakeElement, role: string) => byRole(e, role).map((d) => d.textContent);
const rows = (e: FakeElement) => byRole(e, 'rank').map((tr) => tr.children.map((td) => td.textContent).join(' '));

/** Runs app.js against the fake DOM, a fake EventSource and a fake Chart; `push` sends a snapshot down the stream. */
function loadPage() {
  const ids = new Map<string, FakeElement>();
  const document = {
    title: '',
    createElement: (tag: string) => new FakeElement(tag),
    getElementById: (id: string) => {
      let e = ids.get(id);
      if (!e) ids.set(id, (e = new FakeElement('div')));
      return e;
    },
  };
  const streams: Array<{ url: string; onmessage?: (e: { data: string }) => void }> = [];
  const charts: Array<{ canvas: FakeElement; data: { datasets: Array<{ data: number[] }> } }> = [];
  class EventSource {
    onmessage?: (e: { data: string }) => void;
    constructor(readonly url: string) {
      streams.push(this);
    }
    close() {}
  }
  class Chart {
    readonly data: { datasets: Array<{ data: number[] }> };
    constructor(
      readonly canvas: FakeElement,
      config: { data: Chart['data'] },
    ) {
      this.data = config.data;
      charts.push(this);
    }
    update() {}
  }
  runInNewContext(readFileSync(resolve(__dirname, '../../templates/dashboard/app.js'), 'utf8'), {
    document,
    EventSource,
    Chart,
    setTimeout,
  });
  return {
    streams,
    charts,
    metrics: document.getElementById('metrics'),
    health: document.getElementById('health'),
    card: (name: string) =>
      required(
        document.getElementById('metrics').children.find((c) => c.dataset.metric === name),
        `the card of ${name}`,
      ),
    push: (s: Snapshot) => required(streams[0].onmessage, "the page's stream listener")({ data: JSON.stringify(s) }),
  };
}

describe('lag and restarts from Flink (FlinkReader)', () => {
  const health = (count: number, totalLag: number) =>
    ({
      restarts: { available: true, count },
      kafka: { available: true, topic: 'clicks', from: 'job metrics', totalLag, partitions: [] },
    }) as unknown as PipelineHealth;

  test('reads the job health at most every 5 s, the first read awaited, later ones never waited for', async () => {
    let now = 0;
    let answer: PipelineHealth | undefined = health(1, 40);
    const read = jest.fn(async () => answer);
    const reader = new FlinkReader({ target: 'local', pipeline: 'shop', read }, 5000, () => now);
    expect(await reader.tiles()).toEqual({
      lag: { available: true, topic: 'clicks', totalLag: 40 },
      restarts: { available: true, count: 1 },
    });
    answer = health(2, 0);
    now = 4999;
    expect((await reader.tiles()).restarts).toEqual({ available: true, count: 1 });
    expect(read).toHaveBeenCalledTimes(1);
    now = 5000;
    await reader.tiles(); // starts the read; shows the last tiles meanwhile
    await reader.settled();
    expect(await reader.tiles()).toEqual({
      lag: { available: true, topic: 'clicks', totalLag: 0 },
      restarts: { available: true, count: 2 },
    });
    expect(read).toHaveBeenCalledTimes(2);
  });

  test('no job, a Flink that does not answer, a section Flink cannot give: not available, with why', async () => {
    const none = await new FlinkReader({ target: 'local', pipeline: 'shop', read: async () => undefined }).tiles();
    expect(none).toEqual({
      lag: { available: false, reason: 'no job of shop on target local' },
      restarts: { available: false, reason: 'no job of shop on target local' },
    });
    const away = await new FlinkReader({
      target: 'local',
      pipeline: 'shop',
      read: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:8081')),
    }).tiles();
    expect(away.lag).toEqual({ available: false, reason: 'Flink of target local does not answer: connect ECONNREFUSED 127.0.0.1:8081' });
    const stopped = { ...health(0, 0), kafka: { available: false, reason: 'the job is FAILED, not RUNNING' } } as PipelineHealth;
    expect((await new FlinkReader({ target: 'local', pipeline: 'shop', read: async () => stopped }).tiles()).lag).toEqual({
      available: false,
      reason: 'the job is FAILED, not RUNNING',
    });
    const unread = await new FlinkReader({ reason: 'target prod is an Oceanus target' }).tiles();
    expect(unread.restarts).toEqual({ available: false, reason: 'target prod is an Oceanus target' });
  });
});

describe('the demo spec', () => {
  test('the breakdown pipeline, live-sized, validates and compiles with its metrics as they are', () => {
    const file = resolve(__dirname, '../../pipelines/shop-breakdown.yaml');
    const out = demoSpecText(readFileSync(file, 'utf8'), {
      kafka: '127.0.0.1:9092',
      redisHost: '127.0.0.1',
      redisPort: 6390,
      database: 14,
    });
    const dir = mkdtempSync(join(tmpdir(), 'uvpv-demo-test-'));
    writeFileSync(join(dir, 'demo.yaml'), out);
    const loaded = loadSpec('demo.yaml', { env: {}, cwd: dir, target: 'local' });
    rmSync(dir, { recursive: true, force: true });
    const original = loadSpec(file, { env: {}, cwd: dir, target: 'local' }).spec;
    expect(loaded.spec.metrics).toEqual(original.metrics);
    expect(loaded.spec.metrics.map((m) => [m.type, m.by, m.redis.type])).toEqual([
      ['pv', 'product_id', 'hash'],
      ['uv', 'channel', 'set'],
      ['ratio', 'product_id', 'hash'],
      ['topn', 'product_id', 'zset'],
    ]);
    expect(compileSpec(loaded, 'flink', {}, { redisConnector: 'uvpv' }).script('placeholder')).toContain(
      'ROW_NUMBER() OVER (PARTITION BY `window_start`, `window_end` ORDER BY `browse_rows` DESC, `product_id` ASC)',
    );
  });

  test('the reference pipeline, live-sized, pointed at the stack, with no targets; it validates', () => {
    const text = readFileSync(resolve(__dirname, '../../pipelines/uvpv.yaml'), 'utf8');
    const out = demoSpecText(text, { kafka: '127.0.0.1:9092', redisHost: '127.0.0.1', redisPort: 6390, database: 14 });
    const dir = mkdtempSync(join(tmpdir(), 'uvpv-demo-test-'));
    writeFileSync(join(dir, 'demo.yaml'), out);
    const { spec } = loadSpec('demo.yaml', { env: {}, cwd: dir, target: 'local' });
    rmSync(dir, { recursive: true, force: true });
    expect(spec.name).toBe('uvpv-demo-live');
    expect(spec.source).toMatchObject({ topic: 'uvpv-demo-live', bootstrapServers: '127.0.0.1:9092', startupMode: 'latest-offset' });
    expect(spec.source.watermarkDelay.millis).toBe(2000);
    expect(spec.window).toMatchObject({ type: 'hop', size: { millis: 10_000 }, slide: { millis: 5_000 } });
    expect(spec.redis).toMatchObject({ host: '127.0.0.1', port: 6390, database: 14 });
    expect(spec.redis.password.empty).toBe(true);
    expect(spec.targetNames).toEqual([]);
    expect(spec.target).toMatchObject({ name: 'local', type: 'gateway' });
    expect(spec.metrics.map((m) => [m.name, m.redis.type, m.redis.key])).toEqual([
      ['uv', 'set', 'userids'],
      ['pv', 'list', 'pagevisits'],
      ['conversion_rate', 'string', 'conversion_rate'],
    ]);
  });
});
