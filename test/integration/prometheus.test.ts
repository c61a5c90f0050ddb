/**
 * The local stack serves Flink's metrics to Prometheus: every metric the queries in
 * docs/observability.md read is there while the reference pipeline runs. Like
 * without-redis.test.ts, this runs a second stack with a home of its own in a network namespace of
 * its own (`unshare -n`), so its ports cannot meet the shared stack's; it shares the jar cache.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveJars } from '../../src/stack/resolve';
import { progress } from '../../src/io/progress';
import { memoryIo } from '../../src/io/io';
import { PROMETHEUS_PORTS } from '../../src/io/settings';
import { stackLayout } from '../../src/stack/layout';
import { freshBuild, ROOT, type FreshBuild } from '../support/fresh-build';

/** The metrics docs/observability.md's queries read. */
const QUERIED = [
  'flink_jobmanager_job_uptime',
  'flink_jobmanager_job_numRestarts',
  'flink_jobmanager_job_numberOfCompletedCheckpoints',
  'flink_jobmanager_job_numberOfFailedCheckpoints',
  'flink_jobmanager_job_lastCheckpointDuration',
  'flink_jobmanager_job_lastCheckpointSize',
  'flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset',
  'flink_taskmanager_job_task_operator_KafkaSourceReader_KafkaConsumer_records_lag_max',
  'flink_taskmanager_job_task_operator_currentInputWatermark',
  'flink_taskmanager_job_task_operator_numRecordsInPerSecond',
  'flink_taskmanager_job_task_busyTimeMsPerSecond',
  'flink_taskmanager_job_task_backPressuredTimeMsPerSecond',
  'flink_taskmanager_job_task_operator_numRecordsSend',
  // uvpv's Redis connector's own (connector/README.md#metrics)
  'flink_taskmanager_job_task_operator_numCommandsWritten',
  'flink_taskmanager_job_task_operator_numBatchesFlushed',
  'flink_taskmanager_job_task_operator_accumulatedBatchSyncTimeMs',
  'flink_taskmanager_job_task_operator_lastBatchSyncTimeMs',
  'flink_taskmanager_job_task_operator_maxBatchSyncTimeMs',
  'flink_taskmanager_job_task_operator_numWriteFailures',
  'flink_taskmanager_job_task_operator_numConnectRetries',
];

let build: FreshBuild;
let home: string;

beforeAll(async () => {
  build = freshBuild();
  for (const dir of ['templates', 'connector', 'pipelines']) symlinkSync(join(ROOT, dir), join(build.dir, dir), 'dir');
  home = mkdtempSync(join(tmpdir(), 'uvpv-home-'));
  const main = stackLayout(process.env);
  mkdirSync(main.libDir, { recursive: true });
  mkdirSync(main.buildDir, { recursive: true });
  symlinkSync(main.libDir, join(home, 'lib'), 'dir');
  symlinkSync(main.buildDir, join(home, 'build'), 'dir');
  // The namespace cannot download: the jars are resolved here first (once; the cache is shared).
  await resolveJars(stackLayout({ ...process.env, UVPV_HOME: home }), progress(memoryIo()));
}, 600_000);

afterAll(() => {
  build.remove();
  rmSync(home, { recursive: true, force: true });
});

test("with the reference pipeline running, Flink's processes serve every queried metric on the documented ports", () => {
  const uvpv = `node ${join(build.dir, 'bin', 'uvpv.js')}`;
  const first = 9249;
  const ports = Array.from({ length: PROMETHEUS_PORTS }, (_, i) => first + i).join(' ');
  const script = [
    'set -u; ip link set lo up || exit 90',
    `uvpv() { ${uvpv} "$@"; }`,
    "trap 'uvpv stack down >/dev/null 2>&1' EXIT",
    'uvpv stack up >/dev/null || exit 92',
    // The stack's own Redis answers on 6390 here.
    `sed -e 's/  port: 6379/  port: 6390/' pipelines/uvpv.yaml > "$UVPV_HOME/p.yaml"`,
    'uvpv deploy "$UVPV_HOME/p.yaml" --create-topic >/dev/null || exit 93',
    'uvpv produce "$UVPV_HOME/p.yaml" --events 300 >/dev/null || exit 94',
    // Flink's reporters serve what the processes register; the job's checkpoint and task metrics need a moment.
    'sleep 8',
    `for p in ${ports}; do curl -s --max-time 5 "127.0.0.1:$p/metrics" | sed -n "s/^\\(flink_[A-Za-z0-9_]*\\).*/$p \\1/p" | sort -u; done`,
  ].join('\n');
  const r = spawnSync('unshare', ['-n', 'bash', '-c', script], {
    cwd: build.dir,
    encoding: 'utf8',
    env: { ...process.env, UVPV_HOME: home, UVPV_STACK_REDIS: '' },
    timeout: 420_000,
  });
  if (r.error) throw new Error(`cannot run unshare -n (it needs root or user namespaces): ${r.error.message}`);
  expect({ code: r.status, err: r.status === 0 ? '' : r.stderr }).toEqual({ code: 0, err: '' });
  const served = new Map<string, Set<string>>();
  for (const [port, name] of r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' '))) {
    served.set(name, (served.get(name) ?? new Set()).add(port));
  }
  for (const name of QUERIED) expect({ name, served: served.has(name) }).toEqual({ name, served: true });
  // The JobManager and the TaskManager each serve on a port of their own, the first free ones of the range.
  const used = new Set([...served.values()].flatMap((s) => [...s]));
  expect([...used].sort()).toEqual(['9249', '9250']);
});
