package dev.uvpv.redis;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The Sink V2 that writes rows to Redis; everything it needs is decided at planning time. */
final class RedisSink implements Sink<RowData> {
    private static final long serialVersionUID = 1L;

    private final RedisConnectionConfig connection;
    private final RedisCommand command;
    private final int ttlSeconds;
    private final ArrayList<String> columnNames;
    private final ArrayList<LogicalType> columnTypes;
    private final String listPushIfNewerField;

    /** A sink without {@code list.push-if-newer-field}. */
    RedisSink(
            RedisConnectionConfig connection,
            RedisCommand command,
            int ttlSeconds,
            List<String> columnNames,
            List<LogicalType> columnTypes) {
        this(connection, command, ttlSeconds, columnNames, columnTypes, null);
    }

    /**
     * @param ttlSeconds 0 for no EXPIRE
     * @param columnNames the names of the columns the command reads (its arguments), in order
     * @param columnTypes their types
     * @param listPushIfNewerField the JSON field of {@code list.push-if-newer-field} (lpush and rpush only), or null
     */
    RedisSink(
            RedisConnectionConfig connection,
            RedisCommand command,
            int ttlSeconds,
            List<String> columnNames,
            List<LogicalType> columnTypes,
            String listPushIfNewerField) {
        if (listPushIfNewerField != null && command != RedisCommand.LPUSH && command != RedisCommand.RPUSH) {
            throw new IllegalArgumentException("list.push-if-newer-field needs lpush or rpush, not " + command.optionValue());
        }
        this.connection = connection;
        this.command = command;
        this.ttlSeconds = ttlSeconds;
        this.columnNames = new ArrayList<>(columnNames);
        this.columnTypes = new ArrayList<>(columnTypes);
        this.listPushIfNewerField = listPushIfNewerField;
    }

    @Override
    public SinkWriter<RowData> createWriter(WriterInitContext context) throws IOException {
        return new RedisSinkWriter(this, context.metricGroup(), RedisSinkWriter.DEFAULT_BATCH_SIZE);
    }

    /** The pre-1.19 entry point; Flink 1.20 still declares it abstract. */
    @Override
    @Deprecated
    public SinkWriter<RowData> createWriter(InitContext context) throws IOException {
        return new RedisSinkWriter(this, context.metricGroup(), RedisSinkWriter.DEFAULT_BATCH_SIZE);
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

    /** The JSON field of {@code list.push-if-newer-field}, or null when every value is pushed. */
    String listPushIfNewerField() {
        return listPushIfNewerField;
    }

    @Override
    public String toString() {
        return "Redis[" + command.optionValue() + " " + columnNames + " -> " + connection
                + (ttlSeconds > 0 ? ", ttl " + ttlSeconds + " s" : "")
                + (listPushIfNewerField != null ? ", push if newer " + listPushIfNewerField : "") + "]";
    }
}
