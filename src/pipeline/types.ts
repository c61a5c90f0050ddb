/**
 * The decoded, validated pipeline spec (docs/spec.md). The unions of metric, Redis
 * and window types come from their registries (src/metrics, src/redis-types, src/windows).
 */
import type { Metric } from '../metrics';
import type { RedisCommand, RedisType } from '../redis-types';
import type { WindowSpec } from '../windows';
import type { Duration } from '../expressions/duration';
import type { FilterExpr } from '../expressions/filter';
import type { KAFKA_PROTOCOLS, REDIS_MODES, SASL_MECHANISMS } from './schema';
import type { SqlType } from './sql-types';

export type { Metric, MetricType } from '../metrics';
export type { RedisType } from '../redis-types';
export type { WindowSpec, WindowType } from '../windows';

export type StartupMode = 'earliest-offset' | 'latest-offset' | 'group-offsets';
/** Where a consumer group without committed offsets starts (Kafka's auto.offset.reset). */
export type OffsetReset = 'earliest' | 'latest' | 'none';

export interface Column {
  readonly name: string;
  readonly type: SqlType;
}

export interface SourceSpec {
  readonly table: string;
  readonly topic: string;
  readonly bootstrapServers: string;
  readonly groupId?: string;
  readonly startupMode: StartupMode;
  /** Set (default earliest) exactly when startupMode is group-offsets. */
  readonly offsetReset?: OffsetReset;
  readonly format: 'json';
  readonly ignoreParseErrors: boolean;
  readonly failOnMissingField: boolean;
  readonly columns: readonly Column[];
  readonly eventTime: string;
  readonly watermarkDelay: Duration;
  /** How to reach a secured Kafka; undefined: plaintext, as Kafka's clients default to. */
  readonly security?: KafkaSecurity;
}

export type KafkaProtocol = (typeof KAFKA_PROTOCOLS)[number];
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** The source's `security` (docs/spec.md#connections). Files are PEM, at paths Flink's TaskManagers read. */
export interface KafkaSecurity {
  readonly protocol: KafkaProtocol;
  /** Exactly when the protocol is SASL_PLAINTEXT or SASL_SSL. */
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: Secret };
  /** The CA certificates that sign the brokers' (SSL, SASL_SSL); without it, the JVM's own. */
  readonly truststore?: string;
  /** The client's certificate chain and private key, for mutual TLS; keyPassword when the key is encrypted. */
  readonly keystore?: { readonly cert: string; readonly key: string; readonly keyPassword?: Secret };
}

export interface EventSpec {
  readonly name: string;
  readonly text: string;
  readonly filter: FilterExpr;
}

/** A secret as the spec wrote it: shown only as `placeholder` unless resolved on purpose. */
export interface Secret {
  /** What output shows instead of the value: the spec's `${VAR}` text, or a mask. */
  readonly placeholder: string;
  /** The value, when the command resolved it (deploy, verify, --reveal-secrets). */
  readonly value?: string;
  /** True when the secret is known to be empty (no password): nothing to send or mask. */
  readonly empty: boolean;
}

export type RedisMode = (typeof REDIS_MODES)[number];

export interface RedisSpec {
  readonly mode: RedisMode;
  /**
   * A standalone server's host and port. In cluster and sentinel mode, those of the first of
   * `nodes` (a seed node, a sentinel): a client of those modes starts from all of `nodes`.
   */
  readonly host: string;
  readonly port: number;
  /** `host:port` texts: cluster, its seed nodes; sentinel, its sentinels; standalone, the one server. */
  readonly nodes: readonly string[];
  /** Sentinel only: the name of the master the sentinels watch. */
  readonly masterName?: string;
  /** An ACL user (Redis 6+); without it, AUTH with the password alone (the default user). */
  readonly username?: string;
  readonly password: Secret;
  /**
   * Sentinel only: the password the sentinels themselves require (`requirepass` in sentinel.conf),
   * when it differs from the data nodes'. Absent: as before it existed (uvpv's connector and the
   * redis-failover fault's control client give the sentinels the data nodes' login if they ask for
   * one; doctor, verify's reads and the dashboard give them none).
   */
  readonly sentinelPassword?: Secret;
  readonly database: number;
  /** TLS to every node; `ca`: the CA's PEM file (else the JVM's own), `verifyPeer`: check the server's certificate and name. */
  readonly tls?: { readonly ca?: string; readonly verifyPeer: boolean };
}

export interface RedisSinkSpec {
  readonly type: RedisType;
  readonly key: string;
  /** Where the type has a choice (a list: `lpush`, the default, newest window first, or `rpush`). */
  readonly command?: RedisCommand;
}

/** What every metric has; each type adds its own fields (src/metrics). */
export interface MetricBase {
  readonly name: string;
  readonly redis: RedisSinkSpec;
  /** A declared column: the value is computed per window and per non-NULL value of it. */
  readonly by?: string;
}

export interface JobSpec {
  readonly parallelism: number;
  readonly checkpointInterval: Duration;
  /** How long the first-seen UV deduplication remembers a member; null: forever. */
  readonly stateTtl: Duration | null;
  /** Where the job writes the rows it dropped (docs/spec.md, Dropped rows); absent: nowhere, and the job counts none. */
  readonly droppedRows?: DroppedRowsSpec;
}

/**
 * A Redis hash of the rows the job dropped: `HSET key <window_end> <rows dropped as late>` per
 * window that dropped any, and `HSET key no_event_time <rows without an event time>`, a running total.
 */
export interface DroppedRowsSpec {
  readonly key: string;
  readonly type: 'hash';
}

export interface GatewayTarget {
  readonly name: string;
  readonly type: 'gateway';
  readonly gateway: string;
  readonly flinkRest: string;
  /** The Redis SQL connector on the cluster (default jeff-zou's; the local stack has uvpv's). */
  readonly redisConnector: 'jeff-zou' | 'uvpv';
}

export interface OceanusTarget {
  readonly name: string;
  readonly type: 'oceanus';
  readonly region: string;
  readonly clusterId: string;
  readonly workspaceId: string;
  readonly flinkVersion: string;
  readonly parallelism: number;
  readonly cuMem: number;
  readonly secretId: Secret;
  readonly secretKey: Secret;
  readonly token: Secret;
  readonly endpoint: string;
  readonly properties: Readonly<Record<string, string>>;
  /** CUs of the JobManager and of each TaskManager (0.5, 1 or 2). */
  readonly jobManagerCu: number;
  readonly taskManagerCu: number;
  /** `auto`: reference Oceanus's built-in Kafka and Redis connectors; `none`: reference nothing. */
  readonly connectors: 'auto' | 'none';
  /** The inserts as one EXECUTE STATEMENT SET (true) or as plain INSERT INTO statements (false, the default). */
  readonly statementSet: boolean;
  /** Collect the job's logs (CreateJobConfig's LogCollect), into this CLS logset and topic when given. */
  readonly logCollect: boolean;
  readonly clsLogsetId?: string;
  readonly clsTopicId?: string;
  /** The COS bucket the job uses (COSBucket); the cluster's default when not given. */
  readonly cosBucket?: string;
  /** Resources to reference instead (e.g. a connector JAR uploaded by the user); replaces `connectors`. */
  readonly resourceRefs?: readonly { readonly resourceId: string; readonly version: number; readonly type: number }[];
}

export type Target = GatewayTarget | OceanusTarget;

export interface Spec {
  /** The file it was read from, for messages. */
  readonly file: string;
  readonly version: 1;
  readonly name: string;
  readonly source: SourceSpec;
  readonly events: readonly EventSpec[];
  readonly window: WindowSpec;
  readonly redis: RedisSpec;
  readonly metrics: readonly Metric[];
  readonly job: JobSpec;
  /** The target the command chose, resolved; undefined when the command needs none. */
  readonly target?: Target;
  /** Names of all declared targets (only the chosen one is resolved). */
  readonly targetNames: readonly string[];
}
