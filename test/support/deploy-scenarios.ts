/**
 * What `deploy`, `status` and `stop` mean on every target, as data: the same scenarios, in this
 * order, run against the Oceanus fake (test/unit/deploy-semantics.test.ts, with lag on every
 * transition) and the gateway target on the local stack (test/integration/deploy-semantics.test.ts),
 * with the same exit codes and the same words. Each runner adds its target's flags and checks
 * what its target did (a new job or configuration version, a stop, a savepoint).
 */
export interface Scenario {
  name: string;
  command: 'deploy' | 'status' | 'stop';
  /** Flags after the spec and the target. */
  flags: string[];
  /** Deploy the changed spec (another Redis host name for the same Redis: other SQL, the same state). */
  changed: boolean;
  code: number;
  /** Patterns stdout must match. */
  out: RegExp[];
  /** Patterns stderr must match. */
  err: RegExp[];
}

const P = 'uvpv-demo';

export const SCENARIOS: readonly Scenario[] = [
  { name: 'first deploy', command: 'deploy', flags: [], changed: false, code: 0, out: [/ is RUNNING/], err: [] },
  {
    name: 'status of the running job',
    command: 'status',
    flags: [],
    changed: false,
    code: 0,
    out: [new RegExp(`^${P}: RUNNING \\(job `)],
    err: [],
  },
  {
    name: 'unchanged redeploy',
    command: 'deploy',
    flags: [],
    changed: false,
    code: 0,
    out: [new RegExp(`^pipeline ${P} already runs as .+ \\(RUNNING\\) with this SQL and settings; nothing to do$`, 'm')],
    err: [],
  },
  {
    name: 'changed, without --replace',
    command: 'deploy',
    flags: [],
    changed: true,
    code: 2,
    out: [],
    err: [
      new RegExp(
        `^error: pipeline ${P} already runs as .+ \\(RUNNING\\) with other SQL or settings; use --replace to stop it with a savepoint and start the new SQL from it`,
        'm',
      ),
    ],
  },
  {
    name: 'changed, with --replace',
    command: 'deploy',
    flags: ['--replace'],
    changed: true,
    code: 0,
    out: [/ from savepoint \S+/],
    err: [],
  },
  {
    name: 'the changed spec again',
    command: 'deploy',
    flags: [],
    changed: true,
    code: 0,
    out: [/with this SQL and settings; nothing to do$/m],
    err: [],
  },
  {
    name: 'stop',
    command: 'stop',
    flags: [],
    changed: false,
    code: 0,
    out: [new RegExp(`\\(${P}\\); no savepoint taken: its state is dropped \\(.+ keeps it\\)$`, 'm')],
    err: [],
  },
  {
    name: 'status of the stopped job',
    command: 'status',
    flags: [],
    changed: false,
    code: 1,
    out: [new RegExp(`^${P}: (STOPPED|CANCELED) \\(job `)],
    err: [],
  },
];

/** The environment of the changed spec: the same Redis under another name. */
export const CHANGED_ENV = { REDIS_HOST: 'localhost' };
