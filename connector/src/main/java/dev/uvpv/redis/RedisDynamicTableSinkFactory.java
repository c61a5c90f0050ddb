package dev.uvpv.redis;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.util.TimeUtils;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code 'connector' = 'redis'}: a sink-only Redis SQL connector whose options and column mapping
 * follow {@code io.github.jeff-zou:flink-connector-redis} (see README.md). Every check that can be
 * made at planning time is made here, so a bad table fails before a job is submitted.
 */
public class RedisDynamicTableSinkFactory implements DynamicTableSinkFactory {

    public static final String IDENTIFIER = "redis";

    /** The column types of a sorted-set score ({@code zadd}). */
    static final String SCORE_TYPES =
            "TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, or a CHAR or VARCHAR holding a number";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(RedisOptions.COMMAND);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(
                RedisOptions.HOST,
                RedisOptions.PORT,
                RedisOptions.PASSWORD,
                RedisOptions.DATABASE,
                RedisOptions.REDIS_MODE,
                RedisOptions.CLUSTER_NODES,
                RedisOptions.SENTINELS_INFO,
                RedisOptions.SENTINELS_PASSWORD,
                RedisOptions.MASTER_NAME,
                RedisOptions.USERNAME,
                RedisOptions.TLS,
                RedisOptions.TLS_CA,
                RedisOptions.TLS_VERIFY_PEER,
                RedisOptions.TIMEOUT,
                RedisOptions.TTL,
                RedisOptions.LIST_PUSH_IF_NEWER_FIELD,
                RedisOptions.BUFFER_FLUSH_MAX_ROWS,
                RedisOptions.BUFFER_FLUSH_INTERVAL,
                RedisOptions.MEMBER_CACHE_MAX_ENTRIES,
                FactoryUtil.SINK_PARALLELISM);
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        checkFlushInterval(context.getCatalogTable().getOptions().get(RedisOptions.BUFFER_FLUSH_INTERVAL.key()));
        helper.validate();
        ReadableConfig options = helper.getOptions();

        RedisCommand command = RedisCommand.parse(options.get(RedisOptions.COMMAND));
        int port = options.get(RedisOptions.PORT);
        check(port >= 1 && port <= 65535, "port", "a TCP port (1..65535)", port);
        int database = options.get(RedisOptions.DATABASE);
        check(database >= 0, "database", "a database number (0 or more)", database);
        int timeout = options.get(RedisOptions.TIMEOUT);
        check(timeout > 0, "timeout", "a positive number of milliseconds", timeout);
        Integer ttl = options.getOptional(RedisOptions.TTL).orElse(null);
        if (ttl != null) {
            check(ttl > 0, "ttl", "a positive number of seconds", ttl);
        }
        Integer parallelism = options.getOptional(FactoryUtil.SINK_PARALLELISM).orElse(null);
        if (parallelism != null) {
            check(parallelism > 0, "sink.parallelism", "a positive number", parallelism);
        }
        int maxRows = options.get(RedisOptions.BUFFER_FLUSH_MAX_ROWS);
        check(maxRows >= 1, RedisOptions.BUFFER_FLUSH_MAX_ROWS.key(), "a number of rows (1 or more)", maxRows);
        RedisBufferFlush bufferFlush = new RedisBufferFlush(maxRows, options.get(RedisOptions.BUFFER_FLUSH_INTERVAL).toMillis());
        int memberCacheMaxEntries = memberCacheMaxEntries(options, command, ttl);
        String listOption = options.getOptional(RedisOptions.LIST_PUSH_IF_NEWER_FIELD).orElse(null);
        List<String> listFields = listOption == null ? null : listFields(listOption, command);

        List<String> names = new ArrayList<>();
        List<LogicalType> types = new ArrayList<>();
        columns(context, command, names, types);
        if (listFields != null) {
            checkListValueColumn(names.get(1), types.get(1));
        }

        RedisConnectionConfig connection = connection(options, port, database, timeout);
        return new RedisDynamicTableSink(
                new RedisSink(connection, command, ttl == null ? 0 : ttl, names, types, listFields, bufferFlush,
                        memberCacheMaxEntries),
                parallelism);
    }

    /**
     * The connection of {@code redis-mode}: each mode's own options, and none of another mode's; a cluster
     * has database 0 only; a user needs a password; the sentinels' password needs sentinel mode; the TLS
     * options need {@code tls}. No message names a password's value.
     */
    private static RedisConnectionConfig connection(ReadableConfig options, int port, int database, int timeout) {
        String modeValue = options.get(RedisOptions.REDIS_MODE);
        RedisConnectionConfig.Mode mode = null;
        for (RedisConnectionConfig.Mode m : RedisConnectionConfig.Mode.values()) {
            if (m.optionValue().equals(modeValue.trim().toLowerCase(Locale.ROOT))) {
                mode = m;
            }
        }
        if (mode == null) {
            throw new ValidationException(String.format(
                    "Unsupported value '%s' for option 'redis-mode': expected 'single' (one server at 'host':'port'), "
                            + "'cluster' (with 'cluster-nodes') or 'sentinel' (with 'sentinels.info' and 'master.name').",
                    modeValue));
        }
        List<ConfigOption<?>> own = mode == RedisConnectionConfig.Mode.CLUSTER
                ? List.of(RedisOptions.CLUSTER_NODES)
                : mode == RedisConnectionConfig.Mode.SENTINEL
                        ? List.of(RedisOptions.SENTINELS_INFO, RedisOptions.MASTER_NAME)
                        : List.of(RedisOptions.HOST, RedisOptions.PORT);
        for (ConfigOption<?> option : List.of(RedisOptions.HOST, RedisOptions.PORT, RedisOptions.CLUSTER_NODES,
                RedisOptions.SENTINELS_INFO, RedisOptions.MASTER_NAME)) {
            boolean set = options.getOptional(option).isPresent();
            if (own.contains(option) && !set && mode != RedisConnectionConfig.Mode.SINGLE) {
                throw new ValidationException(String.format(
                        "Option '%s' is required with 'redis-mode' = '%s'.", option.key(), mode.optionValue()));
            }
            if (!own.contains(option) && set) {
                throw new ValidationException(String.format(
                        "Option '%s' does not apply with 'redis-mode' = '%s'; it takes %s.", option.key(),
                        mode.optionValue(), own.stream().map(o -> "'" + o.key() + "'").collect(Collectors.joining(" and "))));
            }
        }
        if (mode == RedisConnectionConfig.Mode.CLUSTER && database != 0) {
            throw new ValidationException(String.format(
                    "Invalid value %d for option 'database': a Redis Cluster ('redis-mode' = 'cluster') has database 0 only.",
                    database));
        }
        List<String> nodes = List.of();
        if (mode == RedisConnectionConfig.Mode.CLUSTER) {
            nodes = nodes(RedisOptions.CLUSTER_NODES, options.get(RedisOptions.CLUSTER_NODES));
        }
        String masterName = null;
        if (mode == RedisConnectionConfig.Mode.SENTINEL) {
            nodes = nodes(RedisOptions.SENTINELS_INFO, options.get(RedisOptions.SENTINELS_INFO));
            masterName = options.get(RedisOptions.MASTER_NAME).trim();
            if (masterName.isEmpty()) {
                throw new ValidationException("Option 'master.name' is empty: expected the name the sentinels monitor the master by.");
            }
        }
        String password = options.getOptional(RedisOptions.PASSWORD).orElse(null);
        String username = options.getOptional(RedisOptions.USERNAME).orElse(null);
        if (username != null && username.trim().isEmpty()) {
            throw new ValidationException("Option 'username' is empty: expected an ACL user name, or no 'username' for the default user.");
        }
        if (username != null && (password == null || password.isEmpty())) {
            throw new ValidationException(String.format(
                    "Option 'username' ('%s') needs option 'password': Redis authenticates an ACL user with AUTH username password.",
                    username));
        }
        return new RedisConnectionConfig(mode, options.get(RedisOptions.HOST), port, nodes, masterName, username, password,
                database, timeout, tls(options), sentinelsPassword(options, mode));
    }

    /** {@code sentinels.password}: sentinel mode only, and not empty; null when not set. */
    private static String sentinelsPassword(ReadableConfig options, RedisConnectionConfig.Mode mode) {
        String key = RedisOptions.SENTINELS_PASSWORD.key();
        String value = options.getOptional(RedisOptions.SENTINELS_PASSWORD).orElse(null);
        if (value == null) {
            return null;
        }
        if (mode != RedisConnectionConfig.Mode.SENTINEL) {
            throw new ValidationException(String.format("Option '%s' does not apply with 'redis-mode' = '%s': it is the "
                    + "password of the sentinels of 'redis-mode' = 'sentinel'.", key, mode.optionValue()));
        }
        if (value.isEmpty()) {
            throw new ValidationException(String.format("Option '%s' is empty: expected the sentinels' password, or no "
                    + "'%s' for sentinels that need none or the data nodes' 'password'.", key, key));
        }
        return value;
    }

    /** {@code tls}, {@code tls.ca} and {@code tls.verify-peer}; null without TLS. The CA file is read by each writer. */
    private static RedisConnectionConfig.Tls tls(ReadableConfig options) {
        if (!options.get(RedisOptions.TLS)) {
            for (ConfigOption<?> option : List.of(RedisOptions.TLS_CA, RedisOptions.TLS_VERIFY_PEER)) {
                if (options.getOptional(option).isPresent()) {
                    throw new ValidationException(String.format("Option '%s' applies only with 'tls' = 'true'.", option.key()));
                }
            }
            return null;
        }
        String ca = options.getOptional(RedisOptions.TLS_CA).orElse(null);
        if (ca != null && ca.trim().isEmpty()) {
            throw new ValidationException("Option 'tls.ca' is empty: expected the path of a PEM file of CA certificates, "
                    + "or no 'tls.ca' for the JVM's CAs.");
        }
        return new RedisConnectionConfig.Tls(ca, options.get(RedisOptions.TLS_VERIFY_PEER));
    }

    /** host:port,host:port: each entry a host and a TCP port. */
    static List<String> nodes(ConfigOption<String> option, String value) {
        List<String> nodes = new ArrayList<>();
        String[] parts = value.split(",", -1);
        for (int i = 0; i < parts.length; i++) {
            String node = parts[i].trim();
            int colon = node.lastIndexOf(':');
            int port = -1;
            if (colon > 0) {
                try {
                    port = Integer.parseInt(node.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (port < 1 || port > 65535) {
                throw new ValidationException(String.format(
                        "Invalid value '%s' for option '%s': entry %d of %d ('%s') is not host:port with a TCP port "
                                + "(1..65535); expected host:port,host:port such as '10.0.0.1:6379,10.0.0.2:6379'.",
                        value, option.key(), i + 1, parts.length, node));
            }
            nodes.add(node);
        }
        return nodes;
    }

    /**
     * {@code sink.buffer-flush.interval}, if set, before Flink reads it: Flink cannot parse a negative duration
     * and would say only that it "does not start with a number", so the message says what is expected instead.
     * A positive duration under 1 ms would round to 0, which turns the timer off.
     */
    static void checkFlushInterval(String value) {
        if (value == null) {
            return;
        }
        Duration interval;
        try {
            interval = TimeUtils.parseDuration(value);
        } catch (IllegalArgumentException e) {
            throw new ValidationException(String.format(
                    "Invalid value '%s' for option '%s': expected a duration of 0 or more, such as '200 ms' or '1 s' "
                            + "('0' turns the flush timer off).",
                    value, RedisOptions.BUFFER_FLUSH_INTERVAL.key()));
        }
        if (!interval.isZero() && interval.toMillis() == 0) {
            throw new ValidationException(String.format(
                    "Invalid value '%s' for option '%s': expected 0 (no flush timer) or at least 1 ms.",
                    value, RedisOptions.BUFFER_FLUSH_INTERVAL.key()));
        }
    }

    /**
     * {@code sink.member-cache.max-entries}: 0 or more. Set, it needs sadd or pfadd (the commands it
     * applies to), and a value above 0 excludes {@code ttl}: a key that expired must get its members back,
     * so with a ttl every row is written (the default then turns the cache off rather than failing).
     */
    private static int memberCacheMaxEntries(ReadableConfig options, RedisCommand command, Integer ttl) {
        String option = RedisOptions.MEMBER_CACHE_MAX_ENTRIES.key();
        int maxEntries = options.get(RedisOptions.MEMBER_CACHE_MAX_ENTRIES);
        check(maxEntries >= 0 && maxEntries <= RedisOptions.MEMBER_CACHE_MAX_ENTRIES_LIMIT, option,
                "a number of entries (0 to " + RedisOptions.MEMBER_CACHE_MAX_ENTRIES_LIMIT + "; 0 turns the cache off)",
                maxEntries);
        if (options.getOptional(RedisOptions.MEMBER_CACHE_MAX_ENTRIES).isEmpty()) {
            return maxEntries;
        }
        if (command != RedisCommand.SADD && command != RedisCommand.PFADD) {
            throw new ValidationException(String.format(
                    "Option '%s' applies only to command 'sadd' or 'pfadd', not '%s'.", option, command.optionValue()));
        }
        if (ttl != null && maxEntries > 0) {
            throw new ValidationException(String.format(
                    "Option '%s' = '%d' cannot be used with option 'ttl': a key that expired must get its members "
                            + "back, so with a ttl every row is written. Remove one of the two, or set '%s' to 0.",
                    option, maxEntries, option));
        }
        return maxEntries;
    }

    /**
     * The field names of {@code list.push-if-newer-field}: its comma-separated names, each without the
     * spaces around it; each must be non-empty and named once.
     */
    static List<String> listFields(String value, RedisCommand command) {
        String option = RedisOptions.LIST_PUSH_IF_NEWER_FIELD.key();
        if (command != RedisCommand.LPUSH && command != RedisCommand.RPUSH) {
            throw new ValidationException(String.format(
                    "Option '%s' applies only to command 'lpush' or 'rpush', not '%s'.", option, command.optionValue()));
        }
        String expected = "expected the names of string or number fields of the pushed JSON values, separated by "
                + "commas, such as 'window_end' or 'window_end,product_id'.";
        if (value.trim().isEmpty()) {
            throw new ValidationException(String.format("Invalid value '%s' for option '%s': %s", value, option, expected));
        }
        String[] parts = value.split(",", -1);
        List<String> fields = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String field = parts[i].trim();
            if (field.isEmpty()) {
                throw new ValidationException(String.format(
                        "Invalid value '%s' for option '%s': field name %d of %d is empty; %s",
                        value, option, i + 1, parts.length, expected));
            }
            if (fields.contains(field)) {
                throw new ValidationException(String.format(
                        "Invalid value '%s' for option '%s': field '%s' is named twice; %s",
                        value, option, field, expected));
            }
            fields.add(field);
        }
        return fields;
    }

    /** The option reads a field of JSON values: a value column of another type could never hold one. */
    private static void checkListValueColumn(String name, LogicalType type) {
        LogicalTypeRoot root = type.getTypeRoot();
        if (root != LogicalTypeRoot.CHAR && root != LogicalTypeRoot.VARCHAR) {
            throw new ValidationException(String.format(
                    "Option '%s' compares a field of the JSON values in column '%s', which has type %s: "
                            + "it needs a CHAR or VARCHAR value column.",
                    RedisOptions.LIST_PUSH_IF_NEWER_FIELD.key(), name, type.asSummaryString()));
        }
    }

    /** The physical columns the command reads, by position; checks there are enough and that each can be written. */
    private static void columns(Context context, RedisCommand command, List<String> names, List<LogicalType> types) {
        DataType row = context.getPhysicalRowDataType();
        List<String> allNames = DataType.getFieldNames(row);
        List<DataType> allTypes = DataType.getFieldDataTypes(row);
        List<String> arguments = command.arguments();
        if (allNames.size() < arguments.size()) {
            throw new ValidationException(String.format(
                    "Redis command '%s' writes (%s) from the table's first %d columns, but table %s has %d column%s: (%s).",
                    command.optionValue(), String.join(", ", arguments), arguments.size(),
                    context.getObjectIdentifier().asSummaryString(), allNames.size(), allNames.size() == 1 ? "" : "s",
                    String.join(", ", allNames)));
        }
        for (int i = 0; i < arguments.size(); i++) {
            LogicalType type = allTypes.get(i).getLogicalType();
            if (!RedisValueFormat.supports(type)) {
                throw new ValidationException(String.format(
                        "Column '%s' (the %s of redis command '%s') has type %s, which cannot be written to Redis. "
                                + "Supported types: %s.",
                        allNames.get(i), arguments.get(i), command.optionValue(), type.asSummaryString(),
                        RedisValueFormat.SUPPORTED_TYPES));
            }
            if (RedisCommand.SCORE.equals(arguments.get(i))) {
                checkScoreColumn(command, allNames.get(i), type);
            }
            names.add(allNames.get(i));
            types.add(type);
        }
    }

    /**
     * A sorted-set score is a number, written as RedisValueFormat writes any number; a CHAR/VARCHAR
     * must hold one (Redis checks each value). BOOLEAN, dates, times and bytes are not scores.
     */
    private static void checkScoreColumn(RedisCommand command, String name, LogicalType type) {
        switch (type.getTypeRoot()) {
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
            case DECIMAL:
            case CHAR:
            case VARCHAR:
                return;
            default:
                throw new ValidationException(String.format(
                        "Column '%s' (the score of redis command '%s', which writes (%s)) has type %s, which "
                                + "cannot be a sorted-set score. Supported types: %s.",
                        name, command.optionValue(), String.join(", ", command.arguments()), type.asSummaryString(),
                        SCORE_TYPES));
        }
    }

    private static void check(boolean ok, String option, String expected, int actual) {
        if (!ok) {
            throw new ValidationException(
                    String.format("Invalid value %d for option '%s': expected %s.", actual, option, expected));
        }
    }
}
