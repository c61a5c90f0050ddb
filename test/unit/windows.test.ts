import { assignWindows } from '../../src/model/windows';
import { parseDuration, type Duration } from '../../src/expressions/duration';
import { WINDOW_DURATIONS, WINDOW_TYPE_NAMES, WINDOW_TYPES, windowSpec, windowType, type WindowType } from '../../src/windows';

const d = (t: string) => parseDuration(t) as Duration;
const at = (iso: string) => Date.parse(`${iso}Z`);
const show = (ws: { start: number; end: number }[]) =>
  ws.map((w) => `${new Date(w.start).toISOString().slice(11, 16)}-${new Date(w.end).toISOString().slice(11, 16)}`);

describe('window assignment (contract: aligned to the epoch)', () => {
  test('tumble: the one window [k*size, (k+1)*size) containing the row', () => {
    expect(show(assignWindows(at('2021-09-06T16:07:00'), { type: 'tumble', size: d('10 minutes') }))).toEqual(['16:00-16:10']);
  });

  test('tumble: a row on a boundary starts the next window', () => {
    expect(show(assignWindows(at('2021-09-06T16:10:00'), { type: 'tumble', size: d('10 minutes') }))).toEqual(['16:10-16:20']);
  });

  test('hop: every window [k*slide, k*slide+size) containing the row, size/slide of them', () => {
    const w = { type: 'hop', size: d('10 minutes'), slide: d('5 minutes') } as const;
    expect(show(assignWindows(at('2021-09-06T16:00:00'), w))).toEqual(['15:55-16:05', '16:00-16:10']);
    expect(show(assignWindows(at('2021-09-06T16:04:59'), w))).toEqual(['15:55-16:05', '16:00-16:10']);
    expect(show(assignWindows(at('2021-09-06T16:05:00'), w))).toEqual(['16:00-16:10', '16:05-16:15']);
  });

  test('hop with size = 3 x slide puts a row in three windows', () => {
    const w = { type: 'hop', size: d('15 minutes'), slide: d('5 minutes') } as const;
    expect(show(assignWindows(at('2021-09-06T16:07:00'), w))).toEqual(['15:55-16:10', '16:00-16:15', '16:05-16:20']);
  });

  test("cumulate: the growing windows of the row's size-period that contain it", () => {
    const w = { type: 'cumulate', size: d('1 hour'), step: d('15 min') } as const;
    expect(show(assignWindows(at('2021-09-06T16:20:00'), w))).toEqual(['16:00-16:30', '16:00-16:45', '16:00-17:00']);
    expect(show(assignWindows(at('2021-09-06T16:59:59'), w))).toEqual(['16:00-17:00']);
    expect(show(assignWindows(at('2021-09-06T16:00:00'), w))).toEqual(['16:00-16:15', '16:00-16:30', '16:00-16:45', '16:00-17:00']);
  });

  test('times before 1970 align the same way', () => {
    const ws = assignWindows(Date.parse('1969-12-31T23:57:00Z'), { type: 'tumble', size: d('5 minutes') });
    expect(ws).toEqual([{ start: -300_000, end: 0 }]);
  });
});

describe('the window registry (src/windows): each type one home', () => {
  const live = (type: WindowType) => new Map(WINDOW_TYPES[type].durations.map((key) => [key, d(WINDOW_TYPES[type].live[key])]));

  test.each(WINDOW_TYPE_NAMES)('%s: its live durations parse, pass its check and give windows that close within seconds', (type) => {
    const w = windowSpec(type, live(type));
    expect(windowType(type).check(w)).toBeUndefined();
    const windows = assignWindows(at('2021-09-06T16:07:03'), w);
    expect(windows.length).toBeGreaterThan(0);
    for (const x of windows) expect(x.end - x.start).toBeLessThanOrEqual(60_000);
  });

  test('types that share a duration agree on its live value (the demo sets one per key)', () => {
    for (const { key, live: value } of WINDOW_DURATIONS) {
      for (const type of WINDOW_TYPE_NAMES)
        if (WINDOW_TYPES[type].durations.includes(key)) expect([type, WINDOW_TYPES[type].live[key]]).toEqual([type, value]);
    }
  });

  test("the TVF takes each of a type's durations once", () => {
    for (const type of WINDOW_TYPE_NAMES) {
      const durations = live(type);
      const args = windowType(type).tvfArguments(windowSpec(type, durations));
      expect(args).toHaveLength(durations.size);
      expect(new Set(args)).toEqual(new Set(durations.values()));
    }
  });
});
