package dev.uvpv.redis;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.Connection;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes rows as pipelined Redis commands. The pipeline is synced (sent, and every reply checked)
 * once {@code batchSize} commands are queued and on every {@link #flush}, which Flink calls before
 * each checkpoint and at the end of a bounded input: so a checkpointed or FINISHED job has all its
 * rows in Redis (at-least-once). A Redis error reply fails the job with the command and the key.
 */
final class RedisSinkWriter implements SinkWriter<RowData>, RedisCommand.Output {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSinkWriter.class);

    static final int DEFAULT_BATCH_SIZE = 500;

    /** Name of the counter of rows not written because a key or value column was NULL. */
    static final String NULL_ROWS_METRIC = "numNullRowsSkipped";

    private static final long NULL_WARN_INTERVAL_MS = 60_000;

    private final RedisSink sink;
    private final RedisCommand command;
    private final RedisValueFormat.ColumnReader[] readers;
    private final String ttl;
    private final int batchSize;
    private final Connection connection;
    private final Pipeline pipeline;
    private final Counter nullRowsSkipped;
    private final Counter recordsSent;

    /** The queued commands and their keys, in pipeline order, to name the one Redis rejects. */
    private final List<Command> queuedCommands = new ArrayList<>();
    private final List<String> queuedKeys = new ArrayList<>();
    private long queuedRows;
    private long nextNullWarnMs;

    RedisSinkWriter(RedisSink sink, SinkWriterMetricGroup metrics, int batchSize) throws IOException {
        this.sink = sink;
        this.command = sink.command();
        this.readers = new RedisValueFormat.ColumnReader[sink.columnTypes().size()];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = RedisValueFormat.reader(sink.columnTypes().get(i), i);
        }
        this.ttl = sink.ttlSeconds() > 0 && command.expires() ? String.valueOf(sink.ttlSeconds()) : null;
        this.batchSize = batchSize;
        this.nullRowsSkipped = metrics.counter(NULL_ROWS_METRIC);
        this.recordsSent = metrics.getNumRecordsSendCounter();
        this.connection = sink.connection().connect();
        this.pipeline = new Pipeline(connection);
    }

    @Override
    public void write(RowData row, Context context) throws IOException {
        RowKind kind = row.getRowKind();
        if (kind == RowKind.UPDATE_BEFORE) {
            return;
        }
        boolean delete = kind == RowKind.DELETE;
        RedisCommand.Op op = delete ? command.delete() : command.insert();
        if (op == null) {
            return;
        }
        String[] args = new String[readers.length];
        for (int i = 0; i < readers.length; i++) {
            args[i] = readers[i].read(row);
            if (args[i] == null) {
                skipNullRow(i);
                return;
            }
        }
        op.apply(this, args);
        if (ttl != null && !delete) {
            send(Command.EXPIRE, args[0], ttl);
        }
        queuedRows++;
        if (queuedCommands.size() >= batchSize) {
            sync();
        }
    }

    @Override
    public void send(Command redisCommand, String key, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = key;
        System.arraycopy(args, 0, all, 1, args.length);
        pipeline.sendCommand(redisCommand, all);
        queuedCommands.add(redisCommand);
        queuedKeys.add(key);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        sync();
    }

    /** Sends the queued commands and checks every reply. */
    private void sync() throws IOException {
        if (queuedCommands.isEmpty()) {
            return;
        }
        int sent = queuedCommands.size();
        try {
            checkReplies(syncPipeline(sent));
            recordsSent.inc(queuedRows);
        } finally {
            queuedRows = 0;
            queuedCommands.clear();
            queuedKeys.clear();
        }
    }

    private List<Object> syncPipeline(int sent) throws IOException {
        try {
            return pipeline.syncAndReturnAll();
        } catch (JedisException e) {
            throw new IOException(
                    String.format("Lost the connection to Redis at %s while writing %d commands (sink command '%s'): %s",
                            sink.connection().address(), sent, command.optionValue(), e.getMessage()),
                    e);
        }
    }

    /** Fails on the first error reply, naming its command and key (never a value). */
    private void checkReplies(List<Object> replies) throws IOException {
        int failed = 0;
        int first = -1;
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i) instanceof JedisDataException) {
                first = first < 0 ? i : first;
                failed++;
            }
        }
        if (first >= 0) {
            JedisDataException error = (JedisDataException) replies.get(first);
            throw new IOException(
                    String.format("Redis at %s rejected %s for key '%s' (sink command '%s'): %s%s",
                            sink.connection().address(), queuedCommands.get(first), queuedKeys.get(first),
                            command.optionValue(), error.getMessage(),
                            failed > 1 ? String.format(" (%d of %d commands in this batch failed)", failed, replies.size()) : ""),
                    error);
        }
    }

    /** Counts a row that has NULL in a column the command needs; warns at most once a minute, without values. */
    private void skipNullRow(int column) {
        nullRowsSkipped.inc();
        long now = System.currentTimeMillis();
        if (now >= nextNullWarnMs) {
            nextNullWarnMs = now + NULL_WARN_INTERVAL_MS;
            LOG.warn("Redis sink ({}): skipped a row whose {} column '{}' is NULL; rows skipped so far: {} "
                            + "(metric {}; this warning repeats at most once a minute).",
                    command.optionValue(), command.arguments().get(column), sink.columnNames().get(column),
                    nullRowsSkipped.getCount(), NULL_ROWS_METRIC);
        }
    }

    long nullRowsSkipped() {
        return nullRowsSkipped.getCount();
    }

    /**
     * Closes the connection. Nothing is sent here: {@link #flush} has written everything of a
     * finished input, and after a failure or a cancel the commands still queued are dropped (the job
     * replays them from its last checkpoint).
     */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.debug("Closing the Redis connection to {} failed", sink.connection(), e);
        }
    }
}
