/**
 * Decodes the resolved YAML tree into a typed `Spec`, section by section, collecting every
 * problem instead of stopping at the first. A section that fails its schema is skipped by the
 * checks that depend on it, so one typo does not hide the other errors.
 */
import type { z } from 'zod';
import type { Diagnostic } from '../errors';
import { METRIC_TYPES, type MetricDefinition } from '../metrics';
import { REDIS_TYPE_NAMES, REDIS_TYPES, redisType, redisTypesFor } from '../redis-types';
import { ownDurations, WINDOW_DURATIONS, windowSpec, windowType } from '../windows';
import { parseDuration, type Duration } from '../expressions/duration';
import { parseFilter } from '../expressions/filter';
import {
  keyProblem,
  keyRegex,
  keyShape,
  namesColumn,
  namesOneWindow,
  parseKey,
  placeholderTexts,
  type KeyPart,
} from '../expressions/key-template';
import { IDENTIFIER, WINDOW_COLUMNS } from './names';
import { isOwnMessage, rangeOf } from './schema-primitives';
import { CU_SIZES } from '../deploy/oceanus/target';
import { MAX_JOB_NAME } from '../deploy/oceanus/api';
import { isTargetType, TARGET_TYPES, TARGETS, type TargetType } from '../deploy/targets';
import { DEFERRED, REQUIRED_TOP_LEVEL, schemas, TOP_LEVEL_KEYS } from './schema';
import { parseSqlType, type TypeFamily } from './sql-types';
import type {
  Column,
  DroppedRowsSpec,
  EventSpec,
  JobSpec,
  KafkaProtocol,
  KafkaSecurity,
  Metric,
  MetricType,
  RedisSpec,
  Secret,
  SourceSpec,
  Spec,
  Target,
  WindowSpec,
} from './types';
import { pathText, type Path, type YamlFile } from './yaml-doc';

const JOB_NAME = /^[A-Za-z0-9_.-]{1,50}$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
const SASL_PROTOCOLS: ReadonlySet<KafkaProtocol> = new Set(['SASL_PLAINTEXT', 'SASL_SSL']);
const TLS_PROTOCOLS: ReadonlySet<KafkaProtocol> = new Set(['SSL', 'SASL_SSL']);
/** A secret written as one variable and nothing else. */
const WHOLE_VARIABLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:]+\]:\d{1,5}$/;
/** The types whose command a spec may choose, as messages list them: "a list only (lpush | rpush)". */
const COMMAND_CHOICES = REDIS_TYPE_NAMES.filter((t) => REDIS_TYPES[t].commands.length > 1)
  .map((t) => `${REDIS_TYPES[t].article} only (${REDIS_TYPES[t].commands.join(' | ')})`)
  .join(', or ');
/** Column types whose values have one plain text, as uv writes and counts them and `by` tells them apart. */
const PLAIN_TEXT_FAMILIES: ReadonlySet<TypeFamily> = new Set(['integer', 'string', 'boolean']);
const PLAIN_TEXT_TYPES =
  'integers (TINYINT, SMALLINT, INT, BIGINT), text (STRING, VARCHAR, CHAR) and BOOLEAN (a DOUBLE 6 is written 6.0, a DECIMAL(10, 2) 6.00)';

type Tree = Record<string, unknown>;

/** The sections of a spec, as a whole: each one decoded. */
export type SpecSections = Pick<Spec, 'version' | 'name' | 'source' | 'events' | 'window' | 'redis' | 'metrics' | 'job'>;

export interface Decoded {
  /** Undefined when a section did not decode (the checker reported why, or had been told it was reported). */
  sections?: SpecSections;
  target?: Target;
  targetNames: string[];
}

export class SpecChecker {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];

  constructor(
    private readonly yaml: YamlFile,
    private readonly secrets: Map<string, Secret>,
    private readonly chosenTarget?: string,
    /** Paths already reported (a malformed template): no second message about the same value. */
    private readonly reported: ReadonlySet<string> = new Set(),
  ) {}

  private error(path: Path, message: string, onKey = false): void {
    if (this.reported.has(pathText(path))) return;
    this.errors.push(this.yaml.diag(path, message, onKey));
  }

  decode(tree: unknown): Decoded {
    if (!tree || typeof tree !== 'object' || Array.isArray(tree)) {
      this.error([], 'a spec is a YAML map with keys version, name, source, events, window, redis, metrics');
      return { targetNames: [] };
    }
    const t = tree as Tree;
    for (const key of Object.keys(t)) {
      if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) this.unknownKey([key], key, TOP_LEVEL_KEYS);
    }
    for (const key of REQUIRED_TOP_LEVEL) {
      if (t[key] === undefined || t[key] === null) this.error([key], `is required`);
    }
    const version = this.version(t.version);
    const name = this.name(t.name);
    const source = this.source(t.source);
    const events = this.events(t.events, source);
    const window = this.window(t.window);
    const redis = this.redis(t.redis);
    const job = this.job(t.job);
    const metrics = this.metrics(t.metrics, events, source, window, job?.droppedRows);
    const targets = this.targets(t.targets);
    const oceanus = targets.oceanus[0];
    if (name !== undefined && oceanus !== undefined && name.length > MAX_JOB_NAME) {
      this.error(
        ['name'],
        `got ${show(name)} (${name.length} characters); Oceanus takes a job name of at most ${MAX_JOB_NAME} (targets.${oceanus} is an Oceanus target)`,
      );
    }
    const complete = version !== undefined && name !== undefined && source && events && window && redis && metrics && job;
    return {
      sections: complete ? { version, name, source, events, window, redis, metrics, job } : undefined,
      target: targets.chosen,
      targetNames: targets.names,
    };
  }

  private parse<S extends z.ZodType>(schema: S, value: unknown, path: Path): z.infer<S> | undefined {
    if (value === undefined || value === null) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) this.zodIssue(schema, issue, value, [...path, ...(issue.path as Path)]);
    return undefined;
  }

  private zodIssue(schema: z.ZodType, issue: z.core.$ZodIssue, root: unknown, path: Path): void {
    const rel = path.slice(path.length - issue.path.length);
    const given = valueAt(root, rel);
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          this.unknownKey([...path, key], key, allowedKeysAt(schema, rel));
        }
        return;
      case 'invalid_value': {
        const allowed = issue.values.map((v) => String(v)).join(' | ');
        this.error(path, given === undefined ? `is required: one of ${allowed}` : `got ${show(given)}; expected one of ${allowed}`);
        return;
      }
      case 'invalid_type':
        // A message of ours says what is allowed (e.g. n's range); zod's own says only the type.
        if (given === undefined) {
          const range = rangeOf(issue.message);
          this.error(path, range ? `is required: ${range}` : 'is required');
        } else this.error(path, `got ${show(given)}; ${isOwnMessage(issue.message) ? issue.message : `expected ${issue.expected}`}`);
        return;
      case 'too_small':
      case 'too_big':
        this.error(path, typeof given === 'number' ? `got ${given}; ${issue.message}` : issue.message);
        return;
      default:
        this.error(path, given === undefined ? 'is required' : `got ${show(given)}; ${issue.message}`);
    }
  }

  private unknownKey(path: Path, key: string, allowed: readonly string[]): void {
    const near = closest(key, allowed);
    const hint = near ? `did you mean '${near}'? ` : '';
    this.error(path, `unknown key '${key}'; ${hint}allowed here: ${allowed.join(', ')}`, true);
  }

  private version(v: unknown): 1 | undefined {
    if (v === undefined || v === null) return undefined;
    if (v === 1) return 1;
    this.error(['version'], `got ${show(v)}; this uvpv reads spec version 1 (write 'version: 1')`);
    return undefined;
  }

  private name(v: unknown): string | undefined {
    const name = this.parse(schemas.name, v, ['name']);
    if (name === undefined) return undefined;
    if (!JOB_NAME.test(name)) {
      this.error(['name'], `got ${show(name)}; a job name is 1 to 50 letters, digits, '-', '_' or '.'`);
      return undefined;
    }
    return name;
  }

  private source(v: unknown): SourceSpec | undefined {
    const s = this.parse(schemas.source, v, ['source']);
    if (!s) return undefined;
    let ok = true;
    const fail = (path: Path, message: string) => {
      this.error(['source', ...path], message);
      ok = false;
    };
    if (!IDENTIFIER.test(s.table))
      fail(['table'], `got ${show(s.table)}; a table name is letters, digits and '_', not starting with a digit`);
    if (!DEFERRED.test(s.topic) && !TOPIC.test(s.topic))
      fail(['topic'], `got ${show(s.topic)}; a Kafka topic is 1 to 249 letters, digits, '.', '_' or '-'`);
    if (!DEFERRED.test(s.bootstrapServers)) {
      const bad = s.bootstrapServers
        .split(',')
        .map((x) => x.trim())
        .filter((x) => !HOST_PORT.test(x));
      if (bad.length || !s.bootstrapServers.trim()) {
        fail(['bootstrapServers'], `got ${show(s.bootstrapServers)}; expected host:port[,host:port...] such as 127.0.0.1:9092`);
      }
    }
    if (s.startupMode === 'group-offsets' && s.groupId === undefined) {
      fail(['startupMode'], 'group-offsets starts from the offsets a consumer group committed: set source.groupId to name the group');
    }
    if (s.offsetReset !== undefined && s.startupMode !== 'group-offsets') {
      fail(
        ['offsetReset'],
        `applies only with startupMode: group-offsets (it says where a group without committed offsets starts); startupMode is '${s.startupMode}'`,
      );
    }
    if (s.failOnMissingField && s.ignoreParseErrors) {
      fail(
        ['failOnMissingField'],
        "true needs ignoreParseErrors: false (Flink's JSON format refuses both true, and ignoreParseErrors defaults to true)",
      );
    }
    const columns: Column[] = [];
    const names = Object.keys(s.columns);
    if (names.length === 0) fail(['columns'], 'declare at least one column');
    for (const name of names) {
      if (!IDENTIFIER.test(name)) {
        this.error(
          ['source', 'columns', name],
          `column name ${show(name)} must be letters, digits and '_', not starting with a digit`,
          true,
        );
        ok = false;
        continue;
      }
      if (WINDOW_COLUMNS.has(name.toLowerCase())) {
        this.error(['source', 'columns', name], `'${name}' is reserved: window functions add a column of that name`, true);
        ok = false;
      }
      const type = parseSqlType(s.columns[name]);
      if (typeof type === 'string') fail(['columns', name], type);
      else columns.push({ name, type });
    }
    const eventColumn = columns.find((c) => c.name === s.eventTime);
    if (names.length === 0) {
      // already reported: no columns at all
    } else if (!names.includes(s.eventTime)) {
      fail(['eventTime'], `got ${show(s.eventTime)}; it must name a declared column (${names.join(', ')})`);
    } else if (eventColumn && eventColumn.type.family !== 'timestamp') {
      fail(
        ['eventTime'],
        `column '${s.eventTime}' is ${eventColumn.type.sql}; the event-time column must be a TIMESTAMP (e.g. TIMESTAMP or TIMESTAMP(3))`,
      );
    }
    const watermarkDelay = this.duration(s.watermarkDelay, ['source', 'watermarkDelay']);
    const security = s.security && this.kafkaSecurity(s.security);
    if (!ok || !watermarkDelay || columns.length !== names.length || security === null) return undefined;
    const offsetReset = s.startupMode === 'group-offsets' ? (s.offsetReset ?? 'earliest') : undefined;
    return { ...s, offsetReset, columns, watermarkDelay, security };
  }

  /** The source's `security`, or null when it has errors (reported). */
  private kafkaSecurity(k: NonNullable<z.infer<typeof schemas.source>['security']>): KafkaSecurity | null {
    const errors = this.errors.length;
    const at = (...p: Path): Path => ['source', 'security', ...p];
    const sasl = SASL_PROTOCOLS.has(k.protocol);
    const tls = TLS_PROTOCOLS.has(k.protocol);
    const saslKeys = { mechanism: k.mechanism, username: k.username, password: k.password };
    if (sasl) {
      const missing = Object.entries(saslKeys).filter(([, v]) => v === undefined);
      if (missing.length) {
        const which = missing.map(([key]) => key).join(', ');
        this.error(
          at('protocol'),
          `${k.protocol} authenticates with SASL: set ${which} (e.g. mechanism: SCRAM-SHA-256, username: uvpv, password: \${KAFKA_PASSWORD})`,
        );
      }
    } else {
      for (const [key, v] of Object.entries(saslKeys)) {
        if (v !== undefined)
          this.error(at(key), `applies only with protocol SASL_PLAINTEXT or SASL_SSL (SASL authentication); protocol is '${k.protocol}'`);
      }
    }
    for (const key of ['truststore', 'keystore'] as const) {
      if (!tls && k[key] !== undefined)
        this.error(at(key), `applies only with protocol SSL or SASL_SSL (TLS); protocol is '${k.protocol}'`);
    }
    if (k.username !== undefined && /[\x00-\x1f]/.test(k.username))
      this.error(at('username'), 'a user name cannot hold a line break or other control character');
    const password = this.wholeVariable(at('password'));
    const keyPassword = this.wholeVariable(at('keystore', 'keyPassword'));
    if (k.truststore !== undefined) this.pemPath(k.truststore, at('truststore'));
    for (const key of ['cert', 'key'] as const) {
      const file = k.keystore?.[key];
      // Read through Kafka's DirectoryConfigProvider, as ${dir:<folder>:<file>}: ':' and '}' would end its fields.
      if (file !== undefined && this.pemPath(file, at('keystore', key)) && /[:}]/.test(file))
        this.error(
          at('keystore', key),
          `got ${show(file)}; a path with ':' or '}' cannot be read by Kafka's config provider: move or link the file`,
        );
    }
    if (this.errors.length > errors) return null;
    return {
      protocol: k.protocol,
      sasl:
        sasl && k.mechanism && k.username !== undefined && password
          ? { mechanism: k.mechanism, username: k.username, password }
          : undefined,
      truststore: k.truststore,
      keystore: k.keystore && { cert: k.keystore.cert, key: k.keystore.key, keyPassword },
    };
  }

  /**
   * The secret at `path`, which must be written as a whole \${VAR} (no literal, no default):
   * undefined where there is none. `example`: the variable the message suggests.
   */
  private wholeVariable(path: Path, example = 'KAFKA_PASSWORD'): Secret | undefined {
    const secret = this.secrets.get(pathText(path));
    if (secret && !WHOLE_VARIABLE.test(secret.placeholder)) {
      this.error(
        path,
        `a secret is written as \${VAR} (e.g. \${${example}}), set in the environment of the command that deploys: no literal, no default, so it is never in a file`,
      );
    }
    return secret;
  }

  /** Whether `file` (a PEM file Flink's TaskManagers read) is an absolute path, or a variable the command left unresolved. */
  private pemPath(file: string, path: Path): boolean {
    if (DEFERRED.test(file) || file.startsWith('/')) return true;
    this.error(path, `got ${show(file)}; expected the absolute path of a PEM file (Flink's TaskManagers read it, wherever they run)`);
    return false;
  }

  private events(v: unknown, source: SourceSpec | undefined): EventSpec[] | undefined {
    const raw = this.parse(schemas.events, v, ['events']);
    if (!raw) return undefined;
    const names = Object.keys(raw);
    if (names.length === 0) this.error(['events'], 'declare at least one event, e.g. browse: record_type = 0');
    const out: EventSpec[] = [];
    for (const name of names) {
      if (!IDENTIFIER.test(name)) {
        this.error(['events', name], `event name ${show(name)} must be letters, digits and '_', not starting with a digit`, true);
        continue;
      }
      if (!source) continue; // filters are checked against the columns, which did not decode
      const columns = new Map(source.columns.map((c) => [c.name, c.type]));
      const filter = parseFilter(raw[name], columns);
      if ('message' in filter) {
        const at = ['events', name];
        this.errors.push(
          filter.offset === undefined ? this.yaml.diag(at, filter.message) : this.yaml.diagInValue(at, filter.offset, filter.message),
        );
      } else out.push({ name, text: raw[name], filter });
    }
    return out.length === names.length ? out : undefined;
  }

  private window(v: unknown): WindowSpec | undefined {
    const w = this.parse(schemas.window, v, ['window']);
    if (!w) return undefined;
    const type = windowType(w.type);
    const durations = new Map<string, Duration>();
    for (const { key } of WINDOW_DURATIONS) {
      const text = w[key];
      const d = text === undefined ? undefined : this.duration(text, ['window', key]);
      if (d) durations.set(key, d);
    }
    const own = ownDurations(w.type);
    let ok = WINDOW_DURATIONS.every((d) => !d.everyType || durations.has(d.key));
    for (const { key, everyType } of WINDOW_DURATIONS) {
      if (!everyType && w[key] !== undefined && !own.includes(key)) {
        this.error(
          ['window', key],
          `a ${w.type} window has no '${key}'${own.length ? `; it uses ${own.map((k) => `'${k}'`).join(' and ')}` : ''}`,
          true,
        );
        ok = false;
      }
    }
    for (const key of own) {
      if (w[key] === undefined) {
        this.error(['window', 'type'], `a ${w.type} window needs '${key}' (e.g. ${key}: 5 minutes)`);
        ok = false;
      }
    }
    if (!type.durations.every((key) => durations.has(key))) return undefined;
    const spec = windowSpec(w.type, durations);
    const problem = type.check(spec);
    if (problem) {
      this.error(['window', problem[0]], problem[1]);
      ok = false;
    }
    return ok ? spec : undefined;
  }

  private redis(v: unknown): RedisSpec | undefined {
    const r = this.parse(schemas.redis, v, ['redis']);
    if (!r) return undefined;
    const errors = this.errors.length;
    if (r.host !== undefined && !DEFERRED.test(r.host) && !/^[A-Za-z0-9.:-]+$/.test(r.host)) {
      this.error(['redis', 'host'], `got ${show(r.host)}; expected a host name or IP address`);
    }
    const port = r.port === undefined ? 6379 : this.intIn(r.port, ['redis', 'port'], 1, 65535);
    const database = this.intIn(r.database, ['redis', 'database'], 0, 1_000_000);
    const nodes = this.redisNodes(r);
    if (r.mode === 'cluster' && database !== undefined && database !== 0) {
      this.error(['redis', 'database'], `got ${database}; a Redis Cluster has database 0 only: write database: 0 (or leave it out)`);
    }
    if (r.mode === 'sentinel' && r.masterName === undefined) {
      this.error(['redis', 'mode'], "sentinel mode needs 'masterName': the name the sentinels know the master by (e.g. mymaster)");
    }
    if (r.mode !== 'sentinel' && r.masterName !== undefined) {
      this.error(['redis', 'masterName'], `applies only with mode: sentinel (the master the sentinels watch); mode is '${r.mode}'`);
    }
    const sentinelPassword = this.sentinelPassword(r.mode);
    if (r.username !== undefined && !r.username.trim())
      this.error(['redis', 'username'], 'expected an ACL user name, or leave the key out');
    if (r.tls?.ca !== undefined) this.pemPath(r.tls.ca, ['redis', 'tls', 'ca']);
    const password = this.secrets.get('redis.password') ?? { placeholder: '', empty: true };
    if (password.placeholder === '******' && !password.empty) {
      this.warnings.push(
        this.yaml.diag(['redis', 'password'], 'a literal password in the spec; prefer ${REDIS_PASSWORD} so it stays out of files'),
      );
    }
    if (this.errors.length > errors || port === undefined || database === undefined || !nodes) return undefined;
    const first = r.host === undefined ? splitHostPort(nodes[0]) : { host: r.host, port };
    const optional = { masterName: r.masterName, username: r.username, sentinelPassword, tls: r.tls };
    return { mode: r.mode, ...first, nodes, password, database, ...optional };
  }

  /** `redis.sentinelPassword`: sentinel mode only, and a whole \${VAR}; undefined when absent (or wrong: reported). */
  private sentinelPassword(mode: RedisSpec['mode']): Secret | undefined {
    const path = ['redis', 'sentinelPassword'];
    if (!this.secrets.has(pathText(path))) return undefined;
    if (mode !== 'sentinel') {
      this.error(path, `applies only with mode: sentinel (the password the sentinels require); mode is '${mode}'`);
      return undefined;
    }
    return this.wholeVariable(path, 'REDIS_SENTINEL_PASSWORD');
  }

  /** The `host:port` of each node: `nodes`, or the one of host and port; undefined when they are wrong (reported). */
  private redisNodes(r: z.infer<typeof schemas.redis>): string[] | undefined {
    const given = r.nodes;
    if (given !== undefined) {
      for (const key of ['host', 'port'] as const) {
        if (r[key] !== undefined)
          this.error(['redis', key], "'host'/'port' and 'nodes' are exclusive: write the server as one entry of nodes, or leave nodes out");
      }
      if (given.length === 0) this.error(['redis', 'nodes'], 'expected at least one host:port');
      given.forEach((node, i) => {
        if (!DEFERRED.test(node) && !HOST_PORT.test(node))
          this.error(['redis', 'nodes', i], `got ${show(node)}; expected host:port such as 10.0.0.1:6379`);
      });
      if (r.mode === 'standalone' && given.length > 1) {
        this.error(
          ['redis', 'nodes'],
          `standalone mode takes one server, not ${given.length}: write mode: cluster (seed nodes) or mode: sentinel (the sentinels)`,
        );
      }
      return given.length ? given : undefined;
    }
    if (r.mode !== 'standalone') {
      const what = r.mode === 'cluster' ? 'its seed nodes' : 'the sentinels';
      this.error(['redis', 'mode'], `${r.mode} mode needs 'nodes': ${what} as host:port (e.g. nodes: [10.0.0.1:6379, 10.0.0.2:6379])`);
      return undefined;
    }
    if (r.host === undefined) {
      this.error(['redis', 'host'], "is required (or 'nodes' with the server's host:port)");
      return undefined;
    }
    const port = r.port ?? 6379;
    return [`${r.host.includes(':') ? `[${r.host}]` : r.host}:${port}`];
  }

  private job(v: unknown): JobSpec | undefined {
    const j = this.parse(schemas.job, v ?? {}, ['job']);
    if (!j) return undefined;
    const parallelism = this.intIn(j.parallelism, ['job', 'parallelism'], 1, 10_000);
    const checkpointInterval = this.duration(j.checkpointInterval, ['job', 'checkpointInterval']);
    // 'none' keeps the UV deduplication state forever; a duration bounds it.
    const stateTtl = j.stateTtl.trim() === 'none' ? null : this.duration(j.stateTtl, ['job', 'stateTtl'], " or 'none'");
    const droppedRows = j.droppedRows && this.droppedRows(j.droppedRows);
    if (parallelism === undefined || !checkpointInterval || stateTtl === undefined || droppedRows === null) return undefined;
    return { parallelism, checkpointInterval, stateTtl, ...(droppedRows ? { droppedRows } : {}) };
  }

  /** job.droppedRows: one hash whose fields are the windows' ends and `no_event_time`, so its key names no window. */
  private droppedRows(d: DroppedRowsSpec): DroppedRowsSpec | null {
    const at: Path = ['job', 'droppedRows', 'key'];
    const bad = keyProblem(d.key);
    if (bad) {
      this.error(at, bad);
      return null;
    }
    const placeholders = placeholderTexts(parseKey(d.key));
    if (placeholders.length) {
      this.error(
        at,
        `the dropped rows' key names no window (its fields are the windows' ends and no_event_time), so it cannot contain ${placeholders.join(' or ')}`,
      );
      return null;
    }
    return d;
  }

  private metrics(
    v: unknown,
    events: EventSpec[] | undefined,
    source: SourceSpec | undefined,
    window: WindowSpec | undefined,
    droppedRows: DroppedRowsSpec | undefined,
  ): Metric[] | undefined {
    const list = this.parse(schemas.metrics, v, ['metrics']);
    if (!list) return undefined;
    const out: Metric[] = [];
    const seenNames = new Map<string, number>();
    const keys = new KeyClaims();
    // The dropped rows' hash is a key no metric may write (claimed as index -1).
    if (droppedRows) keys.claim(droppedRows.key, parseKey(droppedRows.key), undefined, -1);
    list.forEach((raw, i) => {
      const at = (...p: Path): Path => ['metrics', i, ...p];
      const type = (raw as Tree | null)?.type;
      const def: MetricDefinition<Metric> | undefined = typeof type === 'string' ? METRIC_TYPES[type as MetricType] : undefined;
      if (!def) {
        const types = Object.keys(METRIC_TYPES).join(' | ');
        this.error(
          type === undefined ? at() : at('type'),
          type === undefined ? `'type' is required: one of ${types}` : `got ${show(type)}; expected one of ${types}`,
        );
        return;
      }
      const m = this.parse(def.schema, raw, at()) as Metric | undefined;
      if (!m) return;
      let ok = true;
      const fail = (path: Path, message: string) => {
        this.error(path, message);
        ok = false;
      };
      if (!IDENTIFIER.test(m.name))
        fail(at('name'), `got ${show(m.name)}; a metric name is letters, digits and '_', not starting with a digit`);
      if (seenNames.has(m.name)) fail(at('name'), `'${m.name}' is already the name of metrics[${seenNames.get(m.name)}]`);
      seenNames.set(m.name, i);
      if (events?.length) {
        for (const ref of def.events(m)) {
          if (!events.some((e) => e.name === ref.event)) {
            fail(
              at(ref.field),
              `got ${show(ref.event)}; it must name an event (${events.map((e) => e.name).join(', ') || 'none declared'})`,
            );
          }
        }
      }
      const byColumn = m.by !== undefined ? source?.columns.find((c) => c.name === m.by) : undefined;
      for (const [path, message] of columnProblems(m, source)) fail(at(...path), message);
      const allowed = redisTypesFor(m.type);
      if (!allowed.includes(m.redis.type)) {
        fail(at('redis', 'type'), `a ${m.type} metric cannot be written as a Redis ${m.redis.type}; allowed: ${allowed.join(' | ')}`);
      }
      if (m.redis.command && !(REDIS_TYPES[m.redis.type].commands as readonly string[]).includes(m.redis.command)) {
        fail(at('redis', 'command'), `'command' applies to ${COMMAND_CHOICES}, not to ${REDIS_TYPES[m.redis.type].article}`);
      }
      const badKey = keyProblem(m.redis.key, m.by);
      if (badKey) fail(at('redis', 'key'), badKey);
      const key = badKey ? undefined : parseKey(m.redis.key, m.by);
      if (key && allowed.includes(m.redis.type))
        for (const [path, message] of breakdownProblems(m, key, window)) fail(at(...path), message);
      const other = keys.claim(m.redis.key, key, byColumn?.type.family, i);
      if (other !== undefined) {
        fail(
          at('redis', 'key'),
          other.index === -1
            ? `key ${show(m.redis.key)} can be job.droppedRows.key ${show(other.key)}; each metric needs a key of its own`
            : other.key === m.redis.key
              ? `key ${show(m.redis.key)} is already written by metrics[${other.index}]; each metric needs its own key`
              : `key ${show(m.redis.key)} can be the same Redis key as ${show(other.key)} of metrics[${other.index}]; each metric needs its own key: give one a prefix of its own`,
        );
      }
      if (ok) out.push(m);
    });
    return out.length === list.length ? out : undefined;
  }

  /** The targets: their names, the chosen one resolved, and the names of the Oceanus ones (whose job names are shorter). */
  private targets(v: unknown): { names: string[]; chosen?: Target; oceanus: string[] } {
    const map = this.parse(schemas.targets, v, ['targets']);
    if (!map) return { names: [], oceanus: [] };
    let chosen: Target | undefined;
    for (const [name, raw] of Object.entries(map)) {
      if (!IDENTIFIER.test(name)) this.error(['targets', name], `target name ${show(name)} must be letters, digits and '_'`, true);
      const type = (raw as Tree | null)?.type;
      const schema = isTargetType(type) ? TARGETS[type].schema : undefined;
      if (!schema) {
        this.error(
          type === undefined ? ['targets', name] : ['targets', name, 'type'],
          `${type === undefined ? "'type' is required" : `got ${show(type)}`}; expected one of ${TARGET_TYPES.join(' | ')}`,
        );
        continue;
      }
      const t = this.parse(schema, raw, ['targets', name]);
      if (!t) continue;
      // Every target's written values are checked; only the chosen one was resolved.
      const target = this.target(name, t);
      if (name === this.chosenTarget) chosen = target;
    }
    const oceanus = Object.entries(map).flatMap(([name, raw]) => ((raw as Tree | null)?.type === 'oceanus' ? [name] : []));
    return { names: Object.keys(map), chosen, oceanus };
  }

  private target(name: string, t: z.infer<(typeof TARGETS)[TargetType]['schema']>): Target | undefined {
    const at = (...p: Path): Path => ['targets', name, ...p];
    const url = (key: string, value: string) => {
      if (!DEFERRED.test(value) && !/^https?:\/\/[^\s/]+/.test(value)) {
        this.error(at(key), `got ${show(value)}; expected an http:// or https:// URL`);
        return false;
      }
      return true;
    };
    if (t.type === 'gateway') {
      return url('gateway', t.gateway) && url('flinkRest', t.flinkRest) ? { name, ...t } : undefined;
    }
    const secret = (key: string): Secret => this.secrets.get(pathText(at(key))) ?? { placeholder: '', empty: true };
    const parallelism = this.intIn(t.parallelism, at('parallelism'), 1, 10_000);
    let cuMem = this.intIn(t.cuMem, at('cuMem'), 1, 16);
    if (cuMem !== undefined && !Number.isNaN(cuMem) && ![2, 4, 8, 16].includes(cuMem)) {
      this.error(at('cuMem'), `got ${cuMem}; Oceanus takes 2, 4, 8 or 16 (GB of memory per CU)`);
      cuMem = undefined;
    }
    const cus = (['jobManagerCu', 'taskManagerCu'] as const).filter((key) => {
      const ok = (CU_SIZES as readonly number[]).includes(t[key]);
      if (!ok) this.error(at(key), `got ${t[key]}; Oceanus sizes a JobManager or TaskManager in ${CU_SIZES.join(', ')} CU`);
      return ok;
    });
    const refs = (t.resourceRefs ?? []).map((r, i) => ({
      resourceId: r.resourceId,
      version: this.intIn(r.version, at('resourceRefs', i, 'version'), -1, 1_000_000),
      type: this.intIn(r.type, at('resourceRefs', i, 'type'), 0, 4),
    }));
    const region = DEFERRED.test(t.region) || /^[a-z]+-[a-z0-9-]+$/.test(t.region);
    if (!region) this.error(at('region'), `got ${show(t.region)}; expected a Tencent Cloud region such as ap-guangzhou`);
    if (!url('endpoint', t.endpoint) || !region || parallelism === undefined || cuMem === undefined || cus.length < 2) return undefined;
    if (refs.some((r) => r.version === undefined || r.type === undefined)) return undefined;
    const cls = (['clsLogsetId', 'clsTopicId'] as const).filter((key) => t[key]);
    if (cls.length && !t.logCollect) {
      this.error(
        at(cls[0]),
        `${cls.join(' and ')} name where the logs go: set logCollect: true as well, or leave ${cls.length > 1 ? 'them' : 'it'} out`,
      );
      return undefined;
    }
    return {
      name,
      type: 'oceanus',
      region: t.region,
      clusterId: t.clusterId,
      workspaceId: t.workspaceId,
      flinkVersion: t.flinkVersion,
      parallelism,
      cuMem,
      endpoint: t.endpoint,
      properties: t.properties,
      jobManagerCu: t.jobManagerCu,
      taskManagerCu: t.taskManagerCu,
      connectors: t.connectors,
      statementSet: t.statementSet,
      logCollect: t.logCollect,
      ...(t.clsLogsetId ? { clsLogsetId: t.clsLogsetId } : {}),
      ...(t.clsTopicId ? { clsTopicId: t.clsTopicId } : {}),
      ...(t.cosBucket ? { cosBucket: t.cosBucket } : {}),
      resourceRefs: t.resourceRefs && (refs as { resourceId: string; version: number; type: number }[]),
      secretId: secret('secretId'),
      secretKey: secret('secretKey'),
      token: secret('token'),
    };
  }

  private duration(text: string, path: Path, orElse = ''): Duration | undefined {
    const d = parseDuration(text);
    if (typeof d === 'string') {
      this.error(path, d + orElse);
      return undefined;
    }
    return d;
  }

  private intIn(v: number | string, path: Path, min: number, max: number): number | undefined {
    if (typeof v === 'string') return Number.NaN; // an unresolved variable the command does not need
    if (v < min || v > max) {
      this.error(path, `got ${v}; expected a whole number from ${min} to ${max}`);
      return undefined;
    }
    return v;
  }
}

/** `host:port` (`[v6]:port`) as its parts; a port that is an unresolved variable stays NaN. */
function splitHostPort(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  if (at < 0) return { host: node, port: Number.NaN };
  return { host: node.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(node.slice(at + 1)) };
}

function valueAt(root: unknown, path: Path): unknown {
  let v: unknown = root;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

/** What is wrong with the columns a metric names (uv's `column`, `by`), as [path below the metric, message]. */
function columnProblems(m: Metric, source: SourceSpec | undefined): [Path, string][] {
  if (!source) return [];
  const declared = source.columns.map((c) => c.name).join(', ');
  const named: [Path, string, string][] = [];
  if (m.type === 'uv') named.push([['column'], m.column, 'uv counts and writes values by their plain text']);
  if (m.by !== undefined) named.push([['by'], m.by, "'by' tells values apart by their plain text (in keys, fields and members)"]);
  return named.flatMap(([path, name, why]): [Path, string][] => {
    const column = source.columns.find((c) => c.name === name);
    if (!column) return [[path, `got ${show(name)}; it must name a declared column (${declared})`]];
    if (!PLAIN_TEXT_FAMILIES.has(column.type.family))
      return [[path, `column '${column.name}' is ${column.type.sql}; ${why}, which is only unambiguous for ${PLAIN_TEXT_TYPES}`]];
    return [];
  });
}

/** What is wrong with where a metric's Redis type puts its values (of `by`; per window), as [path below the metric, message]. */
function breakdownProblems(m: Metric, key: readonly KeyPart[], window: WindowSpec | undefined): [Path, string][] {
  const type = redisType(m.redis.type);
  const out: [Path, string][] = [];
  if (m.by !== undefined && type.breakdown === 'key' && !namesColumn(key)) {
    out.push([
      ['redis', 'key'],
      `${type.article} cannot keep the values of 'by' apart inside one key, so with 'by: ${m.by}' its key must contain {${m.by}} (e.g. '${m.redis.key}:{${m.by}}')`,
    ]);
  }
  if (m.by !== undefined && type.breakdown === 'member' && namesColumn(key)) {
    out.push([
      ['redis', 'key'],
      `the values of ${m.by} are the members of ${type.article}, one key per window, so its key cannot contain {${m.by}}`,
    ]);
  }
  if (m.by !== undefined && type.breakdown === 'entry' && type.entryFields.includes(m.by)) {
    out.push([
      ['by'],
      `${type.article} entry has the fields ${type.entryFields.join(', ')}, so a 'by' column named '${m.by}' would clash with one; rename the column`,
    ]);
  }
  if (type.writes === 'ranking' && window && !namesOneWindow(key, window.type)) {
    const { placeholders, note } = windowType(window.type).namedBy;
    const which = placeholders.map((p) => `{${p}}`).join(' or ') + (note ? ` (${note})` : '');
    out.push([
      ['redis', 'key'],
      `the key of ${type.article} must contain ${which}: ${type.windowKeyReason} (e.g. '${m.redis.key}:{window_end}')`,
    ]);
  }
  return out;
}

/**
 * The Redis keys metrics write, so that no two can write the same key: not the same text, not
 * keys alike but for their placeholders ('x:{channel}', 'x:{product_id}'), and not a fixed key
 * that another's template renders ('pv:web', 'pv:{channel}').
 */
class KeyClaims {
  private readonly claimed: { key: string; shape: string; index: number; fixed: boolean; regex?: RegExp }[] = [];

  /** Claims the key of metrics[index] (parts: undefined when it is no valid template); the earlier claim it can collide with, if any. */
  claim(
    key: string,
    parts: readonly KeyPart[] | undefined,
    family: TypeFamily | undefined,
    index: number,
  ): { key: string; index: number } | undefined {
    const mine = {
      key,
      shape: keyShape(key),
      index,
      fixed: parts?.every((p) => 'text' in p) ?? false,
      regex: parts && keyRegex(parts, family),
    };
    const renders = (template: { regex?: RegExp }, fixed: { key: string; fixed: boolean }) =>
      fixed.fixed && template.regex?.test(fixed.key) === true;
    const other = this.claimed.find((o) => o.shape === mine.shape || renders(o, mine) || renders(mine, o));
    this.claimed.push(mine);
    return other;
  }
}

/** The keys the schema allows for the object at `path` below `schema` (for unknown-key messages). */
function allowedKeysAt(schema: z.ZodType, path: Path): string[] {
  let s: unknown = schema;
  for (const seg of [...path, null]) {
    // Unwrap .default(), .optional() and friends down to the object.
    for (let guard = 0; guard < 5; guard++) {
      const def = (s as { _zod?: { def?: { innerType?: unknown } } })._zod?.def;
      if (!def?.innerType) break;
      s = def.innerType;
    }
    const shape = (s as { shape?: Record<string, unknown> }).shape;
    if (!shape) return [];
    if (seg === null) return Object.keys(shape);
    s = shape[String(seg)];
  }
  return [];
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === undefined) return String(v);
  return typeof v; // a function or symbol: YAML has neither
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
