/** `uvpv status` as text: a head line, then one line per section, "not available (why)" where a target cannot tell. */
import type { PipelineHealth, Section, SinkCounts } from './health';

export function healthLines(h: PipelineHealth): string[] {
  const up = h.job.uptimeSeconds === null ? '' : `, up ${duration(h.job.uptimeSeconds)}`;
  const lines = [`${h.job.name}: ${h.job.state} (job ${h.job.jobId} on target ${h.target.name})${up}`];
  const row = (label: string, text: string) => lines.push(`  ${label.padEnd(14)}${text}`);
  // Sections not available for one reason (a job that does not run) share one line.
  let missing: { labels: string[]; reason: string } | undefined;
  const flush = () => {
    if (missing) row(missing.labels.join(', '), `${missing.labels.length > 1 ? ': ' : ''}not available (${missing.reason})`);
    missing = undefined;
  };
  const show = <T>(label: string, s: Section<T>, text: (v: T) => string) => {
    if (s.available) {
      flush();
      row(label, text(s));
    } else if (missing?.reason === s.reason) missing.labels.push(label);
    else {
      flush();
      missing = { labels: [label], reason: s.reason };
    }
  };

  show('restarts', h.restarts, (r) => (r.count === 0 ? 'none' : `${r.count}; last at ${r.last?.at ?? '?'}: ${r.last?.rootCause ?? '?'}`));
  show('checkpoints', h.checkpoints, (c) => {
    const last = c.last
      ? `last ${duration(c.last.ageSeconds)} ago, took ${c.last.durationMs} ms, ${bytes(c.last.sizeBytes)}`
      : 'none completed yet';
    const failure = c.lastFailure ? `; last failure at ${c.lastFailure.at}: ${c.lastFailure.message.split('\n')[0]}` : '';
    return `${c.completed} completed, ${c.failed} failed; ${last}${failure}`;
  });
  show('kafka lag', h.kafka, (k) => {
    const each = k.partitions.map((p) => `${p.partition}: ${p.lag}`).join(', ');
    return `${k.totalLag} record${k.totalLag === 1 ? '' : 's'} behind on ${k.topic} (partition ${each}; from ${k.from})`;
  });
  show(
    'freshness',
    h.freshness,
    (f) =>
      `event time ${duration(f.behindSeconds)} behind now (watermark ${f.watermark}; the watermark delay is ${duration(f.watermarkDelaySeconds)} of it)`,
  );
  show('throughput', h.throughput, (t) => `in ${rate(t.inPerSecond)} records/s, out ${rate(t.outPerSecond)} rows/s to Redis`);
  show('tasks', h.tasks, (t) => {
    const top = t.tasks[0];
    const pressured = t.backPressured.length ? t.backPressured.join('; ') : 'none';
    return `busiest: ${top.name} (${Math.round(top.busyMsPerSecond)} ms/s busy); back-pressured: ${pressured}`;
  });
  show('redis', h.redis, (r) => {
    const skipped = r.sinks.reduce((a, s) => a + s.skipped.nullRows + s.skipped.listPushes + s.skipped.members, 0);
    const count = (s: Section<{ count: number }>) => (s.available ? String(s.count) : `not available (${s.reason})`);
    const same = !r.failures.available && !r.retries.available && r.failures.reason === r.retries.reason;
    const counted = r.failures.available && r.retries.available;
    const problems = same
      ? `failures and retries: ${count(r.failures)}`
      : `failures: ${count(r.failures)}; retries: ${count(r.retries)}${counted ? ' (since the sinks last started)' : ''}`;
    return `${r.written} rows written by ${r.sinks.length} sink${r.sinks.length === 1 ? '' : 's'}${batches(r.sinks)}, ${skipped} skipped (already written on a replay, or null); ${problems}`;
  });
  show('dropped rows', h.droppedRows, (d) => {
    const unparseable = d.unparseable === undefined ? '' : `, ${d.unparseable} unparseable`;
    const newest = d.newestWindows.length ? `; newest: ${d.newestWindows.map((w) => `${w.windowEnd} ${w.late}`).join(', ')}` : '';
    const windows = `${d.lateWindows} window${d.lateWindows === 1 ? '' : 's'}`;
    return `${d.late} late in ${windows}, ${d.withoutEventTime} without an event time${unparseable} (hash ${d.key}${newest})`;
  });
  flush();
  for (const d of h.job.details) lines.push(`  ${d}`);
  return lines;
}

/** ` in 120 batches (540 commands; last 2 ms, longest 31 ms, mean 1.4 ms)`, over the sinks that count them. */
function batches(sinks: SinkCounts[]): string {
  const counted = sinks.flatMap((s) => (s.batches ? [s.batches] : []));
  if (!counted.length) return '';
  const flushed = counted.reduce((a, b) => a + b.flushed, 0);
  const commands = counted.reduce((a, b) => a + b.commands, 0);
  if (flushed === 0) return ` in 0 batches`;
  const total = counted.reduce((a, b) => a + (b.meanMs ?? 0) * b.flushed, 0);
  const ms = (n: number) => `${n >= 10 ? Math.round(n) : Number(n.toFixed(1))} ms`;
  const last = Math.max(...counted.map((b) => b.lastMs));
  const longest = Math.max(...counted.map((b) => b.maxMs));
  return ` in ${flushed} batch${flushed === 1 ? '' : 'es'} (${commands} commands; last ${ms(last)}, longest ${ms(longest)}, mean ${ms(total / flushed)})`;
}

/** `40 s`, `2 min 5 s`, `3 h 2 min`, `4 d 1 h`: the two largest units. */
export function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  let rest = Math.round(seconds);
  const parts: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length) parts.push(`${n} ${name}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith('0 ')).join(' ') || '0 s';
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function rate(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}
