package dev.uvpv.redis;

import org.apache.flink.api.common.operators.ProcessingTimeService;
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
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.SafeEncoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes rows as pipelined Redis commands. The pipeline is synced (sent, and every reply checked)
 * once {@code sink.buffer-flush.max-rows} rows are queued, {@code sink.buffer-flush.interval} after
 * a row is queued, and on every {@link #flush}, which Flink calls before each checkpoint and at the
 * end of a bounded input: so a checkpointed or FINISHED job has all its rows in Redis (at-least-once),
 * and a row waits about the interval at most (the timer runs between two rows). A Redis error reply
 * fails the job with the command and the key, whichever of the three synced it.
 *
 * <p>The interval is a timer of the task's processing-time service, whose callbacks Flink runs in the
 * task's mailbox thread, between calls of {@link #write} and {@link #flush}: only that one thread ever
 * uses the pipeline. A timer is registered only when a row is queued and none is pending, so an idle
 * writer has no timer.
 *
 * <p>With {@code list.push-if-newer-field}, each lpush/rpush row is one EVALSHA of {@link #LIST_SCRIPT}
 * (loaded with SCRIPT LOAD when the writer opens), pipelined and synced like any other command.
 */
final class RedisSinkWriter implements SinkWriter<RowData>, RedisCommand.Output {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSinkWriter.class);

    /** Name of the counter of rows not written because a key or value column was NULL. */
    static final String NULL_ROWS_METRIC = "numNullRowsSkipped";

    /** Name of the counter of lpush/rpush values not pushed because of {@code list.push-if-newer-field}. */
    static final String LIST_SKIPPED_METRIC = "numListPushesSkipped";

    /** The Lua script of {@code list.push-if-newer-field}; see the comments in the file. */
    static final String LIST_SCRIPT = resource("list-push-if-newer.lua");

    private static final long NULL_WARN_INTERVAL_MS = 60_000;

    private final RedisSink sink;
    private final RedisCommand command;
    private final RedisValueFormat.ColumnReader[] readers;
    private final String ttl;
    private final int maxRows;
    private final long flushIntervalMillis;
    private final ProcessingTimeService timers;
    private final Connection connection;
    private final Pipeline pipeline;
    private final Counter nullRowsSkipped;
    private final Counter recordsSent;

    /**
     * The JSON fields of {@code list.push-if-newer-field} as the script takes them, comma-separated; null when
     * rows are written with plain commands.
     */
    private final String listFields;
    /** The script's arguments besides the key and the value: "L" or "R", and the EXPIRE seconds or "". */
    private final String listSide;
    private final String listTtl;
    private final Counter listPushesSkipped;
    /** The SHA1 Redis returned for {@link #LIST_SCRIPT}; null without {@code list.push-if-newer-field}. */
    private String scriptSha;

    /** The queued commands and their keys, in pipeline order, to name the one Redis rejects. */
    private final List<Command> queuedCommands = new ArrayList<>();
    private final List<String> queuedKeys = new ArrayList<>();
    /** With {@code list.push-if-newer-field}: the queued values, to send again with EVAL after NOSCRIPT. */
    private final List<String> queuedValues = new ArrayList<>();
    private long queuedRows;
    private long nextNullWarnMs;

    /** A flush timer is registered and has not fired yet. */
    private boolean flushTimerPending;
    /**
     * Why a timer's sync failed. Flink fails the task with it; it is also thrown by every later write
     * and flush, so the commands that sync dropped can never be taken as written.
     */
    private IOException timerFlushFailure;
    private boolean closed;

    /**
     * @param timers the task's processing-time service (Sink V2 writer init context); used only with a
     *     {@code sink.buffer-flush.interval} above 0
     */
    RedisSinkWriter(RedisSink sink, SinkWriterMetricGroup metrics, ProcessingTimeService timers) throws IOException {
        this.sink = sink;
        this.command = sink.command();
        this.readers = new RedisValueFormat.ColumnReader[sink.columnTypes().size()];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = RedisValueFormat.reader(sink.columnTypes().get(i), i);
        }
        String ttlSeconds = sink.ttlSeconds() > 0 && command.expires() ? String.valueOf(sink.ttlSeconds()) : null;
        this.listFields = sink.listPushIfNewerFields() == null ? null : String.join(",", sink.listPushIfNewerFields());
        this.listSide = command == RedisCommand.RPUSH ? "R" : "L";
        // with the script, the script sends EXPIRE itself
        this.ttl = listFields == null ? ttlSeconds : null;
        this.listTtl = ttlSeconds == null ? "" : ttlSeconds;
        this.maxRows = sink.bufferFlush().maxRows();
        this.flushIntervalMillis = sink.bufferFlush().intervalMillis();
        this.timers = timers;
        this.nullRowsSkipped = metrics.counter(NULL_ROWS_METRIC);
        this.listPushesSkipped = metrics.counter(LIST_SKIPPED_METRIC);
        this.recordsSent = metrics.getNumRecordsSendCounter();
        this.connection = sink.connection().connect();
        this.pipeline = new Pipeline(connection);
        if (listFields != null) {
            try {
                this.scriptSha = loadScript();
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    @Override
    public void write(RowData row, Context context) throws IOException {
        throwIfATimerFlushFailed();
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
        if (listFields != null) {
            pushIfNewer(args[0], args[1]);
        } else {
            op.apply(this, args);
        }
        if (ttl != null && !delete) {
            send(Command.EXPIRE, args[0], ttl);
        }
        queuedRows++;
        if (queuedRows >= maxRows) {
            sync();
        } else {
            startFlushTimer();
        }
    }

    /** Registers a timer unless one is pending: every queued row is then sent within the interval. */
    private void startFlushTimer() {
        if (flushIntervalMillis > 0 && !flushTimerPending) {
            flushTimerPending = true;
            timers.registerTimer(timers.getCurrentProcessingTime() + flushIntervalMillis, this::onFlushTimer);
        }
    }

    /**
     * The timer: sends what is queued (nothing, if a full batch or a flush sent it since). Runs in the
     * mailbox thread; the exception it throws fails the task (Flink's "Caught exception while processing
     * timer"), and is kept to be thrown again by the next write or flush.
     */
    private void onFlushTimer(long time) throws IOException {
        flushTimerPending = false;
        if (closed || timerFlushFailure != null) {
            return;
        }
        try {
            sync();
        } catch (IOException e) {
            timerFlushFailure = e;
            throw e;
        }
    }

    private void throwIfATimerFlushFailed() throws IOException {
        if (timerFlushFailure != null) {
            throw new IOException("An earlier timed flush (" + RedisOptions.BUFFER_FLUSH_INTERVAL.key() + ") failed: "
                    + timerFlushFailure.getMessage(), timerFlushFailure);
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

    /** One EVALSHA of {@link #LIST_SCRIPT}: pushes the value unless the list already ends with one as new. */
    private void pushIfNewer(String key, String value) {
        pipeline.sendCommand(Command.EVALSHA, scriptSha, "1", key, listSide, listFields, value, listTtl);
        queuedCommands.add(Command.EVALSHA);
        queuedKeys.add(key);
        queuedValues.add(value);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        throwIfATimerFlushFailed();
        sync();
    }

    /** Sends the queued commands and checks every reply. */
    private void sync() throws IOException {
        if (queuedCommands.isEmpty()) {
            return;
        }
        int sent = queuedCommands.size();
        try {
            List<Object> replies = syncPipeline(sent);
            if (listFields != null) {
                replies = evalWhereNoScript(replies);
            }
            checkReplies(replies);
            if (listFields != null) {
                for (Object reply : replies) {
                    if (Long.valueOf(0).equals(reply)) {
                        listPushesSkipped.inc();
                    }
                }
            }
            recordsSent.inc(queuedRows);
        } finally {
            queuedRows = 0;
            queuedCommands.clear();
            queuedKeys.clear();
            queuedValues.clear();
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

    /** SCRIPT LOAD of {@link #LIST_SCRIPT}; returns its SHA1. */
    private String loadScript() throws IOException {
        pipeline.sendCommand(Command.SCRIPT, "LOAD", LIST_SCRIPT);
        return scriptShaOf(syncPipeline(1).get(0));
    }

    private String scriptShaOf(Object reply) throws IOException {
        if (reply instanceof byte[]) {
            return SafeEncoder.encode((byte[]) reply);
        }
        if (reply instanceof String) {
            return (String) reply;
        }
        String why = reply instanceof JedisDataException ? ((JedisDataException) reply).getMessage() : "reply " + reply;
        throw new IOException(String.format("Redis at %s rejected SCRIPT LOAD of the Lua script of option '%s' (sink command '%s'): %s",
                sink.connection().address(), RedisOptions.LIST_PUSH_IF_NEWER_FIELD.key(), command.optionValue(), why),
                reply instanceof Throwable ? (Throwable) reply : null);
    }

    /**
     * Redis answers NOSCRIPT when it no longer has the script (SCRIPT FLUSH, or a restart behind the
     * same address): loads it again and sends those values again, in order, with EVAL. Values of a list
     * can be sent again only if no later value of that list got through with the script: one sent
     * again after a newer one would be skipped, so the writer fails instead.
     */
    private List<Object> evalWhereNoScript(List<Object> replies) throws IOException {
        List<Integer> missing = new ArrayList<>();
        Map<String, Integer> lastWritten = new HashMap<>();
        for (int i = 0; i < replies.size(); i++) {
            Object reply = replies.get(i);
            if (isNoScript(reply)) {
                missing.add(i);
            } else if (!(reply instanceof JedisDataException)) {
                lastWritten.put(queuedKeys.get(i), i);
            }
        }
        if (missing.isEmpty()) {
            return replies;
        }
        for (int i : missing) {
            Integer written = lastWritten.get(queuedKeys.get(i));
            if (written != null && written > i) {
                throw new IOException(String.format(
                        "Redis at %s answered NOSCRIPT (sink command '%s' with option '%s') for a value of list '%s' "
                                + "while a later value of that list was written with the script: someone ran SCRIPT "
                                + "FLUSH and loaded it again during one batch. The values that got NOSCRIPT cannot be "
                                + "pushed in order, and are not written.",
                        sink.connection().address(), command.optionValue(), RedisOptions.LIST_PUSH_IF_NEWER_FIELD.key(),
                        queuedKeys.get(i)));
            }
        }
        LOG.warn("Redis at {} no longer had the sink's Lua script (NOSCRIPT): loading it again, and sending {} "
                        + "value(s) again with EVAL (sink command '{}').",
                sink.connection().address(), missing.size(), command.optionValue());
        pipeline.sendCommand(Command.SCRIPT, "LOAD", LIST_SCRIPT);
        for (int i : missing) {
            pipeline.sendCommand(Command.EVAL, LIST_SCRIPT, "1", queuedKeys.get(i), listSide, listFields,
                    queuedValues.get(i), listTtl);
            queuedCommands.set(i, Command.EVAL);
        }
        List<Object> again = syncPipeline(missing.size() + 1);
        List<Object> merged = new ArrayList<>(replies);
        for (int n = 0; n < missing.size(); n++) {
            merged.set(missing.get(n), again.get(n + 1));
        }
        scriptSha = scriptShaOf(again.get(0));
        return merged;
    }

    private static boolean isNoScript(Object reply) {
        return reply instanceof JedisNoScriptException
                || reply instanceof JedisDataException && String.valueOf(((JedisDataException) reply).getMessage()).startsWith("NOSCRIPT");
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

    long listPushesSkipped() {
        return listPushesSkipped.getCount();
    }

    /** For tests: a SHA1 Redis does not know makes the next batch get NOSCRIPT. */
    void useScriptSha(String sha) {
        this.scriptSha = sha;
    }

    private static String resource(String name) {
        try (InputStream in = RedisSinkWriter.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + name + " next to " + RedisSinkWriter.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Closes the connection, and stops a pending flush timer from using it. No reply is read here:
     * {@link #flush} has written everything of a finished input, and after a failure or a cancel the
     * commands still queued are not checked (Jedis still writes what its output buffer holds as it
     * closes the socket); the job replays them from its last checkpoint.
     */
    @Override
    public void close() {
        closed = true;
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.debug("Closing the Redis connection to {} failed", sink.connection(), e);
        }
    }
}
