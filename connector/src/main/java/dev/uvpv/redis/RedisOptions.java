package dev.uvpv.redis;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * The sink's table options. Names, types and meaning follow {@code io.github.jeff-zou:flink-connector-redis},
 * so a {@code CREATE TABLE ... WITH ('connector' = 'redis', ...)} written for one runs on the other.
 */
public final class RedisOptions {

    public static final ConfigOption<String> COMMAND =
            ConfigOptions.key("command")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Redis command each row is written with: " + RedisCommand.names() + ".");

    public static final ConfigOption<String> HOST =
            ConfigOptions.key("host").stringType().defaultValue("127.0.0.1").withDescription("Redis host.");

    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port").intType().defaultValue(6379).withDescription("Redis port.");

    /** A secret: never logged, and never part of a summary string or an exception message. */
    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password").stringType().noDefaultValue().withDescription("Redis password (AUTH).");

    public static final ConfigOption<Integer> DATABASE =
            ConfigOptions.key("database").intType().defaultValue(0).withDescription("Redis database number.");

    public static final ConfigOption<String> REDIS_MODE =
            ConfigOptions.key("redis-mode")
                    .stringType()
                    .defaultValue(RedisOptions.SINGLE_MODE)
                    .withDescription("Redis deployment: 'single' (one server at 'host':'port'), 'cluster' (a Redis "
                            + "Cluster found through 'cluster-nodes'; database 0 only) or 'sentinel' (the master that "
                            + "the sentinels of 'sentinels.info' name 'master.name').");

    public static final ConfigOption<String> CLUSTER_NODES =
            ConfigOptions.key("cluster-nodes")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("With 'redis-mode' = 'cluster': seed nodes of the cluster, host:port,host:port. "
                            + "The slot map is read from the first that answers; each command goes to the master of its "
                            + "key's slot. A MOVED or ASK reply, or a master lost during a batch, fails the batch, which "
                            + "Flink replays from its last checkpoint.");

    public static final ConfigOption<String> SENTINELS_INFO =
            ConfigOptions.key("sentinels.info")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("With 'redis-mode' = 'sentinel': the sentinels, host:port,host:port. Without "
                            + "'sentinels.password', they get 'username' and 'password' only if they ask for them (NOAUTH).");

    /** A secret, like {@link #PASSWORD}: never logged, and never part of a summary string or an exception message. */
    public static final ConfigOption<String> SENTINELS_PASSWORD =
            ConfigOptions.key("sentinels.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("With 'redis-mode' = 'sentinel': the sentinels' own password (AUTH password, "
                            + "without 'username'), for sentinels whose password differs from the data nodes'. Not set: "
                            + "the sentinels get 'username' and 'password' if they ask for them (NOAUTH), and nothing otherwise.");

    public static final ConfigOption<String> MASTER_NAME =
            ConfigOptions.key("master.name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("With 'redis-mode' = 'sentinel': the name the sentinels monitor the master by. "
                            + "After a failover, the next batch goes to the new master; a batch during the failover "
                            + "fails, and Flink replays it from its last checkpoint.");

    /** This sink's own option (jeff-zou's connector has none): an ACL user, Redis 6 and later. */
    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("ACL user (AUTH username password, Redis 6 and later); needs 'password'. "
                            + "Not set: AUTH with the password alone (the default user).");

    /** This sink's own option, like {@link #TLS_CA} and {@link #TLS_VERIFY_PEER}. */
    public static final ConfigOption<Boolean> TLS =
            ConfigOptions.key("tls")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("'true': TLS to every node (and sentinel).");

    public static final ConfigOption<String> TLS_CA =
            ConfigOptions.key("tls.ca")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("With 'tls' = 'true': a PEM file of the CA certificates the servers' "
                            + "certificates are checked against, read by each writer when it opens. Not set: the JVM's CAs.");

    public static final ConfigOption<Boolean> TLS_VERIFY_PEER =
            ConfigOptions.key("tls.verify-peer")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("With 'tls' = 'true': whether the server's certificate is checked against the CAs "
                            + "and its name (subjectAltName DNS name or IP address) against the host connected to. "
                            + "'false' accepts any certificate: the connection is encrypted but not authenticated.");

    public static final ConfigOption<Integer> TIMEOUT =
            ConfigOptions.key("timeout")
                    .intType()
                    .defaultValue(2000)
                    .withDescription("Connect and socket timeout, in milliseconds.");

    public static final ConfigOption<Integer> TTL =
            ConfigOptions.key("ttl")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Seconds: EXPIRE is sent for the key after every write (not after a delete).");

    /**
     * This sink's own option (jeff-zou's connector has no such option and rejects it): makes lpush and
     * rpush skip the entries a restore from a checkpoint replays.
     */
    public static final ConfigOption<String> LIST_PUSH_IF_NEWER_FIELD =
            ConfigOptions.key("list.push-if-newer-field")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("For command lpush or rpush, whose values are JSON objects: a comma-separated "
                            + "list of field names F1,...,Fn of those objects, such as 'window_end' or "
                            + "'window_end,product_id' (each name non-empty and named once; spaces around a name "
                            + "are ignored). A value is pushed only if its tuple (F1, ..., Fn) is greater than the "
                            + "tuple of the entry at the end it is pushed to (the head, index 0, for lpush; the "
                            + "tail, index -1, for rpush); otherwise it is skipped. Tuples compare "
                            + "lexicographically, field by field: the first field that differs decides, and equal "
                            + "tuples are skipped. A field that is a string in both compares byte by byte; a field "
                            + "that is a boolean in both compares false < true; a field that is a number in both "
                            + "compares numerically: two integers (JSON numbers without a fraction or an exponent, "
                            + "such as BIGINT ids) exactly, at any size, and otherwise as doubles. So entries written "
                            + "in increasing tuple order are not pushed twice when Flink replays them after a restore. "
                            + "A value is pushed as without this option when the list is empty, when the entry at "
                            + "that end or the value is not a JSON object in which every Fi is a string, a number or "
                            + "a boolean (a missing field, null, an object or an array), or when some Fi has a "
                            + "different JSON type in the two (a string and a number, a boolean and a number, ...). "
                            + "The check and the push (and the "
                            + "EXPIRE of 'ttl', sent whether the value is pushed or skipped) are one atomic Lua "
                            + "script call (EVALSHA). Not set: every value is pushed.");

    /**
     * This sink's own option, like {@link #BUFFER_FLUSH_INTERVAL} (jeff-zou's connector writes each row at
     * once and has neither).
     */
    public static final ConfigOption<Integer> BUFFER_FLUSH_MAX_ROWS =
            ConfigOptions.key("sink.buffer-flush.max-rows")
                    .intType()
                    .defaultValue(500)
                    .withDescription("The writer sends its queued commands, and checks every reply, once this many "
                            + "rows are queued (1 or more). A row is one command, or two with 'ttl' (the EXPIRE).");

    public static final ConfigOption<Duration> BUFFER_FLUSH_INTERVAL =
            ConfigOptions.key("sink.buffer-flush.interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription("The longest a row waits in the writer before it is sent to Redis: this long "
                            + "after a row is queued, the writer sends every queued command and checks every reply, "
                            + "as it does at each checkpoint. '0' turns the timer off: rows then wait for "
                            + "'sink.buffer-flush.max-rows' rows or for the next checkpoint (or the end of input).");

    /**
     * The most {@link #MEMBER_CACHE_MAX_ENTRIES} takes: it keeps the cache's arrays (up to 4 slots' worth
     * of longs an entry) within what a JVM can allocate.
     */
    public static final int MEMBER_CACHE_MAX_ENTRIES_LIMIT = 100_000_000;

    /**
     * This sink's own option: the bound of the writer's cache of (key, member) pairs already written with
     * sadd or pfadd. The default, about 10 MB of heap per writer at 20-character members, is measured in
     * docs/bench.md.
     */
    public static final ConfigOption<Integer> MEMBER_CACHE_MAX_ENTRIES =
            ConfigOptions.key("sink.member-cache.max-entries")
                    .intType()
                    .defaultValue(100_000)
                    .withDescription("For command sadd or pfadd without 'ttl': the most (key, member) pairs each "
                            + "writer remembers as written (in sets of 4, least recently used first out; rounded down to a "
                            + "multiple of 4). A row whose pair is "
                            + "remembered is not sent: SADD and PFADD would change nothing. A pair queued in the "
                            + "open batch spares that batch's repeats and counts as written once the batch's replies "
                            + "are checked; a batch that fails forgets its pairs, and a DELETE row forgets its pair at "
                            + "once. After a restart the cache starts empty, so a member is at worst written again. "
                            + "Integral members close together are held as bits, in pages worth 8 bytes per "
                            + "entry, which hold far more than this many members. "
                            + "At most " + MEMBER_CACHE_MAX_ENTRIES_LIMIT + "; '0' turns the cache off.");

    public static final String SINGLE_MODE = "single";

    private RedisOptions() {}
}
