package dev.uvpv.redis;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The Sink V2 that writes rows to Redis; everything it needs is decided at planning time. */
final class RedisSink implements Sink<RowData> {
    private static final long serialVersionUID = 1L;

    private final RedisConnectionConfig connection;
    private final RedisCommand command;
    private final int ttlSeconds;
    private final ArrayList<String> columnNames;
    private final ArrayList<LogicalType> columnTypes;
    /** Null, or the field names of {@code list.push-if-newer-field} (at least one). */
    private final ArrayList<String> listPushIfNewerFields;
    private final RedisBufferFlush bufferFlush;
    /**
     * {@code sink.member-cache.max-entries}. Boxed so that a sink serialized by a build without it reads
     * null here (and gets the default) rather than 0 (no cache).
     */
    private final Integer memberCacheMaxEntries;

    /** A sink without {@code list.push-if-newer-field}. */
    RedisSink(
            RedisConnectionConfig connection,
            RedisCommand command,
            int ttlSeconds,
            List<String> columnNames,
            List<LogicalType> columnTypes) {
        this(connection, command, ttlSeconds, columnNames, columnTypes, null);
    }

    /** A sink with the default {@link RedisBufferFlush}. */
    RedisSink(
            RedisConnectionConfig connection,
            RedisCommand command,
            int ttlSeconds,
            List<String> columnNames,
            List<LogicalType> columnTypes,
            List<String> listPushIfNewerFields) {
        this(connection, command, ttlSeconds, columnNames, columnTypes, listPushIfNewerFields, RedisBufferFlush.DEFAULT);
    }

    /** A sink with the default {@code sink.member-cache.max-entries}. */
    RedisSink(
            RedisConnectionConfig connection,
            RedisCommand command,
            int ttlSeconds,
            List<String> columnNames,
            List<LogicalType> columnTypes,
            List<String> listPushIfNewerFields,
            RedisBufferFlush bufferFlush) {
        this(connection, command, ttlSeconds, columnNames, columnTypes, listPushIfNewerFields, bufferFlush,
                RedisOptions.MEMBER_CACHE_MAX_ENTRIES.defaultValue());
    }

    /**
     * @param ttlSeconds 0 for no EXPIRE
     * @param columnNames the names of the columns the command reads (its arguments), in order
     * @param columnTypes their types
     * @param listPushIfNewerFields the JSON fields of {@code list.push-if-newer-field}, in order (lpush and rpush
     *     only; non-empty names, each once, without commas), or null
     * @param bufferFlush when the writer sends its queued commands, besides Flink's flush
     * @param memberCacheMaxEntries the most (key, member) pairs a sadd or pfadd writer remembers as written;
     *     0 for none. Unused by other commands and with a ttl (see {@link #cachesMembers()})
     */
    RedisSink(
            RedisConnectionConfig connection,
            RedisCommand command,
            int ttlSeconds,
            List<String> columnNames,
            List<LogicalType> columnTypes,
            List<String> listPushIfNewerFields,
            RedisBufferFlush bufferFlush,
            int memberCacheMaxEntries) {
        if (memberCacheMaxEntries < 0) {
            throw new IllegalArgumentException("A member cache needs 0 entries (none) or more, not " + memberCacheMaxEntries);
        }
        if (listPushIfNewerFields != null && command != RedisCommand.LPUSH && command != RedisCommand.RPUSH) {
            throw new IllegalArgumentException("list.push-if-newer-field needs lpush or rpush, not " + command.optionValue());
        }
        if (listPushIfNewerFields != null && (listPushIfNewerFields.isEmpty()
                || listPushIfNewerFields.stream().anyMatch(f -> f.isEmpty() || f.contains(","))
                || listPushIfNewerFields.stream().distinct().count() != listPushIfNewerFields.size())) {
            throw new IllegalArgumentException("list.push-if-newer-field needs distinct non-empty field names without "
                    + "commas, not " + listPushIfNewerFields);
        }
        this.connection = connection;
        this.command = command;
        this.ttlSeconds = ttlSeconds;
        this.columnNames = new ArrayList<>(columnNames);
        this.columnTypes = new ArrayList<>(columnTypes);
        this.listPushIfNewerFields = listPushIfNewerFields == null ? null : new ArrayList<>(listPushIfNewerFields);
        this.bufferFlush = Objects.requireNonNull(bufferFlush, "bufferFlush");
        this.memberCacheMaxEntries = memberCacheMaxEntries;
    }

    /** The writer's flush timer runs on the task's processing-time service: in the task's thread, between rows. */
    @Override
    public SinkWriter<RowData> createWriter(WriterInitContext context) throws IOException {
        return new RedisSinkWriter(this, context.metricGroup(), context.getProcessingTimeService());
    }

    /** The pre-1.19 entry point; Flink 1.20 still declares it abstract. */
    @Override
    @Deprecated
    public SinkWriter<RowData> createWriter(InitContext context) throws IOException {
        return new RedisSinkWriter(this, context.metricGroup(), context.getProcessingTimeService());
    }

    RedisConnectionConfig connection() {
        return connection;
    }

    RedisCommand command() {
        return command;
    }

    int ttlSeconds() {
        return ttlSeconds;
    }

    List<String> columnNames() {
        return columnNames;
    }

    List<LogicalType> columnTypes() {
        return columnTypes;
    }

    /** The JSON fields of {@code list.push-if-newer-field}, in order, or null when every value is pushed. */
    List<String> listPushIfNewerFields() {
        return listPushIfNewerFields;
    }

    /**
     * The batching settings. Null only in a sink serialized by a build without them (a job planned
     * before the connector was upgraded, restarting on a TaskManager that has the new one): such a
     * job gets the defaults rather than failing on every restart.
     */
    RedisBufferFlush bufferFlush() {
        return bufferFlush == null ? RedisBufferFlush.DEFAULT : bufferFlush;
    }

    /**
     * {@code sink.member-cache.max-entries}; the default in a sink serialized by a build without it, as
     * {@link #bufferFlush()}.
     */
    int memberCacheMaxEntries() {
        return memberCacheMaxEntries == null ? RedisOptions.MEMBER_CACHE_MAX_ENTRIES.defaultValue() : memberCacheMaxEntries;
    }

    /**
     * Whether the writer skips members it already wrote: sadd and pfadd (idempotent adds), with room for
     * an entry, and without a ttl, since a key that expired must get its members back.
     */
    boolean cachesMembers() {
        return (command == RedisCommand.SADD || command == RedisCommand.PFADD) && ttlSeconds == 0
                && memberCacheMaxEntries() > 0;
    }

    @Override
    public String toString() {
        return "Redis[" + command.optionValue() + " " + columnNames + " -> " + connection
                + (ttlSeconds > 0 ? ", ttl " + ttlSeconds + " s" : "")
                + (listPushIfNewerFields != null ? ", push if newer " + String.join(",", listPushIfNewerFields) : "") + "]";
    }
}
