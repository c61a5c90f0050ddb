/**
 * The dashboard's snapshot logic, with an in-memory Redis (the same commands, no server): every
 * redis.type of the contract, key templates, list order for LPUSH and RPUSH, empty states, and
 * what is not a number. The same reads against a real Redis, and the page, are in test/browser/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { History, MAX_POINTS, hashPoints, keyTemplate, listPoints, newest, readSnapshot, type RedisReader } from '../../src/dashboard/snapshot';
import { demoSpecText } from '../../src/demo/run-demo';
import { loadSpec } from '../../src/spec/load';
import type { Metric, Spec } from '../../src/spec/types';

/** Just enough of Redis: strings, sets (an hll is a set here: PFCOUNT is exact), lists, hashes. */
class FakeRedis implements RedisReader {
  readonly data = new Map<string, string | Set<string> | string[] | Map<string, string>>();
  scans = 0;

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
    return this.data.has(key) ? 1 : 0;
  }
  async scard(key: string) {
    return this.set(key)?.size ?? 0;
  }
  async pfcount(key: string) {
    return this.set(key)?.size ?? 0;
  }
  async get(key: string) {
    const v = this.data.get(key);
    if (v !== undefined && typeof v !== 'string') throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    return v ?? null;
  }
  async lrange(key: string, start: number, stop: number) {
    const v = this.data.get(key) ?? [];
    if (!Array.isArray(v)) throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    const from = start < 0 ? Math.max(0, v.length + start) : start;
    const to = stop < 0 ? v.length + stop : Math.min(stop, v.length - 1);
    return v.slice(from, to + 1);
  }
  async hgetall(key: string) {
    const v = this.data.get(key) ?? new Map<string, string>();
    if (!(v instanceof Map)) throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
    return Object.fromEntries(v);
  }
  async zrevrangeWithScores(key: string): Promise<string[]> {
    const v = this.data.get(key);
    if (v === undefined) return [];
    throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
  }
  private set(key: string): Set<string> | undefined {
    const v = this.data.get(key);
    if (v !== undefined && !(v instanceof Set)) throw new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
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
}

const CASE = resolve(__dirname, '../cases/valid/every-redis-type');
const base = loadSpec('pipeline.yaml', { env: {}, cwd: CASE }).spec;

/** The case's spec with these metrics (and its Redis block). */
function withMetrics(...metrics: Array<Pick<Metric, 'name' | 'redis'> & { type?: Metric['type'] }>): Spec {
  return { ...base, metrics: metrics.map((m) => ({ type: 'pv', event: 'view', ...m }) as Metric) };
}

const at = (s: number) => `2024-05-01T10:${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
const entry = (end: string, value: number | string) => JSON.stringify({ window_start: end, window_end: end, value });
const NOW = new Date('2024-05-01T12:00:00Z');

async function one(redis: FakeRedis, m: Parameters<typeof withMetrics>[0], history = new History(), now = NOW) {
  return (await readSnapshot(redis, withMetrics(m), history, now)).metrics[0];
}

describe('key templates', () => {
  test('a fixed key is no template', () => {
    expect(keyTemplate('userids')).toBeUndefined();
    expect(keyTemplate('uv:{window}')).toBeUndefined();
  });

  test('{window_end}: a SCAN pattern, and the time read back from a key', () => {
    const t = keyTemplate('uv:{window_end}')!;
    expect(t.pattern).toBe('uv:*');
    expect(t.axis).toBe('window end');
    expect(t.timeOf('uv:2024-05-01T10:00:00')).toBe('2024-05-01T10:00:00');
    expect(t.timeOf('uv:set')).toBeUndefined();
    expect(t.timeOf('uv:2024-05-01T10:00:00:extra')).toBeUndefined();
  });

  test('both placeholders: the time is the end, wherever it is', () => {
    const t = keyTemplate('pv:{window_end}:{window_start}')!;
    expect(t.pattern).toBe('pv:*:*');
    expect(t.timeOf('pv:2024-05-01T10:10:00:2024-05-01T10:00:00')).toBe('2024-05-01T10:10:00');
    const s = keyTemplate('x_{window_start}')!;
    expect(s.axis).toBe('window start');
    expect(s.timeOf('x_2024-05-01T10:00:00')).toBe('2024-05-01T10:00:00');
  });

  test('glob and regex characters in the literal parts are taken literally', () => {
    const t = keyTemplate('a*b?[c].{window_end}')!;
    expect(t.pattern).toBe('a\\*b\\?\\[c\\].*');
    expect(t.timeOf('a*b?[c].2024-05-01T10:00:00')).toBe('2024-05-01T10:00:00');
    expect(t.timeOf('aXb?[c].2024-05-01T10:00:00')).toBeUndefined();
    expect(t.timeOf('a*b?[c]X2024-05-01T10:00:00')).toBeUndefined();
  });
});

describe('pure parts', () => {
  test('list entries: window end and value; a string number is read, anything else skipped', () => {
    expect(listPoints([entry(at(60), 2), entry(at(120), '0.25'), 'not json', '{"window_end":"x"}', JSON.stringify({ window_end: at(0), value: 'abc' }), '[]'])).toEqual([
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
    expect(await one(r, { name: 'cr', type: 'ratio', redis: { type: 'string', key: 'cr' } })).toMatchObject({ current: 0.0799, axis: 'sampled' });
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
    const spec: Spec = { ...base, redis: { ...base.redis, password: { value: 'hunter2-secret', placeholder: '${REDIS_PASSWORD}', empty: false } } };
    const s = await readSnapshot(new FakeRedis(), spec, new History(), NOW);
    expect(s).toMatchObject({ pipeline: 'every-redis-type', redis: '127.0.0.1:6379/3', updated: '2024-05-01T12:00:00.000Z' });
    expect(JSON.stringify(s)).not.toContain('hunter2');
  });
});

describe('the demo spec', () => {
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
