package dev.uvpv.redis;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.SafeEncoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
 *
 * <p>Commands are queued in a {@link RedisBatch} and pipelined at the sync, where runs of SADD, PFADD,
 * HSET and ZADD on one key go out as one variadic command. With {@code sink.member-cache.max-entries}
 * above 0 (sadd and pfadd, without {@code ttl}), a row whose (key, member) a checked batch already wrote,
 * or the open batch already queued, is skipped (see {@link RedisMemberCache}); an integral member column is then read and compared as a
 * long, and made a string only when it is sent.
 */
final class RedisSinkWriter implements SinkWriter<RowData>, RedisCommand.Output {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSinkWriter.class);

    /** The Lua script of {@code list.push-if-newer-field}; see the comments in the file. */
    static final String LIST_SCRIPT = resource("list-push-if-newer.lua");

    /** Its SHA1, which EVALSHA names it by: the reply SCRIPT LOAD gives, and what EVAL caches it under. */
    static final String LIST_SCRIPT_SHA = sha1(LIST_SCRIPT);

    private static final long NULL_WARN_INTERVAL_MS = 60_000;

    private final RedisSink sink;
    private final RedisCommand command;
    private final RedisValueFormat.ColumnReader[] readers;
    private final String ttl;
    private final int maxRows;
    private final long flushIntervalMillis;
    private final ProcessingTimeService timers;
    /** The server, the cluster's masters or the sentinels' master: see {@link RedisConnectionConfig#open()}. */
    private final RedisTarget target;
    private final RedisSinkMetrics metrics;
    private final Counter recordsSent;

    /**
     * The JSON fields of {@code list.push-if-newer-field} as the script takes them, comma-separated; null when
     * rows are written with plain commands.
     */
    private final String listFields;
    /** The script's arguments besides the key and the value: "L" or "R", and the EXPIRE seconds or "". */
    private final String listSide;
    private final String listTtl;
    /** The SHA1 Redis returned for {@link #LIST_SCRIPT}; null without {@code list.push-if-newer-field}. */
    private String scriptSha;

    /**
     * The (key, member) pairs written by checked batches or queued in this one, in the variant for the
     * member column's type: at most one of the two is set, neither when rows are never skipped.
     */
    private final RedisStringMemberCache stringMembers;
    /** With an integral member column: the column read as a long, so a row whose pair is held costs no string. */
    private final RedisLongMemberCache longMembers;
    private final RedisValueFormat.IntegralReader longMember;

    private final RedisBatch batch = new RedisBatch();
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
    RedisSinkWriter(RedisSink sink, SinkWriterMetricGroup metricGroup, ProcessingTimeService timers) throws IOException {
        this.sink = sink;
        this.command = sink.command();
        this.readers = new RedisValueFormat.ColumnReader[sink.columnTypes().size()];
        for (int i = 0; i < readers.length; i++) {
            // column 0 is the key: one value for every row unless the key has a per-row placeholder
            readers[i] = RedisValueFormat.reader(sink.columnTypes().get(i), i, i == 0);
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
        this.metrics = new RedisSinkMetrics(metricGroup);
        boolean integralMembers = sink.cachesMembers() && RedisValueFormat.isIntegral(sink.columnTypes().get(1));
        this.longMember = integralMembers ? RedisValueFormat.integralReader(sink.columnTypes().get(1), 1) : null;
        this.longMembers = integralMembers ? new RedisLongMemberCache(sink.memberCacheMaxEntries()) : null;
        this.stringMembers = sink.cachesMembers() && !integralMembers
                ? new RedisStringMemberCache(sink.memberCacheMaxEntries()) : null;
        this.recordsSent = metricGroup.getNumRecordsSendCounter();
        this.target = sink.connection().open(metrics.connectRetries);
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
        String[] args = longMembers != null ? readLongMemberRow(row, delete) : readRow(row, delete);
        if (args == null) {
            return;
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

    /** The row's arguments as strings; null when the row is skipped (a NULL argument, or a member the cache holds). */
    private String[] readRow(RowData row, boolean delete) {
        String[] args = new String[readers.length];
        for (int i = 0; i < readers.length; i++) {
            args[i] = readers[i].read(row);
            if (args[i] == null) {
                skipNullRow(i);
                return null;
            }
        }
        if (stringMembers != null && !trackMember(args[0], args[1], delete)) {
            metrics.membersSkipped.inc();
            return null;
        }
        return args;
    }

    /**
     * As {@link #readRow}, for sadd and pfadd with an integral member column and the cache: the member is
     * read and looked up as a long, and made a string (the same decimal text as the string path) only
     * when the row is sent.
     */
    private String[] readLongMemberRow(RowData row, boolean delete) {
        String key = readers[0].read(row);
        if (key == null) {
            skipNullRow(0);
            return null;
        }
        if (longMember.isNull(row)) {
            skipNullRow(1);
            return null;
        }
        long member = longMember.read(row);
        if (!trackMember(key, member, delete)) {
            metrics.membersSkipped.inc();
            return null;
        }
        return new String[] {key, Long.toString(member)};
    }

    /**
     * For sadd and pfadd with the member cache: false when the row adds a member already written (by a
     * checked batch, or queued in this one), so it need not be sent. A DELETE row (SREM) forgets the
     * member at once, so that a later row adds it again.
     */
    private boolean trackMember(String key, String member, boolean delete) {
        if (delete) {
            stringMembers.remove(key, member);
            return true;
        }
        return stringMembers.addIfAbsent(key, member);
    }

    /** {@link #trackMember(String, String, boolean)} for an integral member column. */
    private boolean trackMember(String key, long member, boolean delete) {
        if (delete) {
            longMembers.remove(key, member);
            return true;
        }
        return longMembers.addIfAbsent(key, member);
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
        batch.add(redisCommand, key, args);
    }

    /**
     * One EVALSHA of {@link #LIST_SCRIPT}: pushes the value unless the list already ends with one as new.
     * EVAL takes the same arguments after the script, so NOSCRIPT recovery only swaps the first one.
     */
    private void pushIfNewer(String key, String value) {
        batch.addWithArgs(Command.EVALSHA, key, scriptSha, "1", key, listSide, listFields, value, listTtl);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        throwIfATimerFlushFailed();
        sync();
    }

    /**
     * Sends the queued commands (merged, see {@link RedisBatch}) and checks every reply; only then do the
     * batch's pending pairs in the member cache count as written, while a batch that fails (however it
     * fails) forgets them. A batch that fails is counted before the job fails.
     */
    private void sync() throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        boolean written = false;
        try {
            List<RedisBatch.Queued> sent = batch.merged();
            List<Object> replies = syncPipeline(sent);
            if (listFields != null) {
                replies = evalWhereNoScript(sent, replies);
            }
            checkReplies(sent, replies);
            if (listFields != null) {
                for (Object reply : replies) {
                    if (Long.valueOf(0).equals(reply)) {
                        metrics.listPushesSkipped.inc();
                    }
                }
            }
            metrics.batchFlushed((System.nanoTime() - start) / 1_000_000);
            recordsSent.inc(queuedRows);
            written = true;
        } catch (IOException e) {
            metrics.writeFailures.inc();
            throw e;
        } finally {
            queuedRows = 0;
            batch.clear();
            RedisMemberCache cache = memberCache();
            if (cache != null) {
                // whatever ended the batch, its members count as written only if every reply was checked
                if (written) {
                    cache.batchWritten();
                } else {
                    cache.batchLost();
                }
            }
        }
    }

    /**
     * Pipelines the commands and reads every reply (an error reply is returned, not thrown); a lost
     * connection or (cluster) a moved slot throws.
     */
    private List<Object> syncPipeline(List<RedisBatch.Queued> commands) throws IOException {
        metrics.commandsWritten.inc(commands.size());
        try {
            return target.send(commands);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (sink command '" + command.optionValue() + "')", e);
        }
    }

    /** SCRIPT LOAD of {@link #LIST_SCRIPT} on every master; returns its SHA1. */
    private String loadScript() throws IOException {
        List<Object> replies = target.sendToEveryMaster(scriptLoad());
        metrics.commandsWritten.inc(replies.size());
        String sha = null;
        for (Object reply : replies) {
            sha = scriptShaOf(reply);
        }
        return sha;
    }

    private static RedisBatch.Queued scriptLoad() {
        return new RedisBatch.Queued(Command.SCRIPT, null, new String[] {"LOAD", LIST_SCRIPT});
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
     * Redis answers NOSCRIPT when it no longer has the script (SCRIPT FLUSH, a restart behind the same
     * address, a replica promoted to master): sends those values again, in order, with EVAL, which also
     * caches the script on the node that runs it, so EVALSHA works there again. Values of a list
     * can be sent again only if no later value of that list got through with the script: one sent
     * again after a newer one would be skipped, so the writer fails instead.
     */
    private List<Object> evalWhereNoScript(List<RedisBatch.Queued> sent, List<Object> replies) throws IOException {
        List<Integer> missing = new ArrayList<>();
        Map<String, Integer> lastWritten = new HashMap<>();
        for (int i = 0; i < replies.size(); i++) {
            Object reply = replies.get(i);
            if (isNoScript(reply)) {
                missing.add(i);
            } else if (!(reply instanceof JedisDataException)) {
                lastWritten.put(sent.get(i).key, i);
            }
        }
        if (missing.isEmpty()) {
            return replies;
        }
        for (int i : missing) {
            Integer written = lastWritten.get(sent.get(i).key);
            if (written != null && written > i) {
                throw new IOException(String.format(
                        "Redis at %s answered NOSCRIPT (sink command '%s' with option '%s') for a value of list '%s' "
                                + "while a later value of that list was written with the script: someone ran SCRIPT "
                                + "FLUSH and loaded it again during one batch. The values that got NOSCRIPT cannot be "
                                + "pushed in order, and are not written.",
                        target.addressOf(sent.get(i).key), command.optionValue(), RedisOptions.LIST_PUSH_IF_NEWER_FIELD.key(),
                        sent.get(i).key));
            }
        }
        LOG.warn("Redis at {} no longer had the sink's Lua script (NOSCRIPT): sending {} value(s) again with "
                        + "EVAL, which loads it again (sink command '{}').",
                sink.connection().address(), missing.size(), command.optionValue());
        List<RedisBatch.Queued> evals = new ArrayList<>();
        for (int i : missing) {
            String[] args = sent.get(i).args.clone();
            args[0] = LIST_SCRIPT;
            RedisBatch.Queued eval = new RedisBatch.Queued(Command.EVAL, sent.get(i).key, args);
            evals.add(eval);
            sent.set(i, eval);
        }
        List<Object> again = syncPipeline(evals);
        List<Object> merged = new ArrayList<>(replies);
        for (int n = 0; n < missing.size(); n++) {
            merged.set(missing.get(n), again.get(n));
        }
        scriptSha = LIST_SCRIPT_SHA;
        return merged;
    }

    private static boolean isNoScript(Object reply) {
        return reply instanceof JedisNoScriptException
                || reply instanceof JedisDataException && String.valueOf(((JedisDataException) reply).getMessage()).startsWith("NOSCRIPT");
    }

    /** Fails on the first error reply, naming its command and key (never a value). */
    private void checkReplies(List<RedisBatch.Queued> sent, List<Object> replies) throws IOException {
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
                            target.addressOf(sent.get(first).key), sent.get(first).command, sent.get(first).key,
                            command.optionValue(), error.getMessage(),
                            failed > 1 ? String.format(" (%d of %d commands in this batch failed)", failed, replies.size()) : ""),
                    error);
        }
    }

    /** Counts a row that has NULL in a column the command needs; warns at most once a minute, without values. */
    private void skipNullRow(int column) {
        metrics.nullRowsSkipped.inc();
        long now = System.currentTimeMillis();
        if (now >= nextNullWarnMs) {
            nextNullWarnMs = now + NULL_WARN_INTERVAL_MS;
            LOG.warn("Redis sink ({}): skipped a row whose {} column '{}' is NULL; rows skipped so far: {} "
                            + "(metric {}; this warning repeats at most once a minute).",
                    command.optionValue(), command.arguments().get(column), sink.columnNames().get(column),
                    metrics.nullRowsSkipped.getCount(), RedisSinkMetrics.NULL_ROWS_SKIPPED);
        }
    }

    long nullRowsSkipped() {
        return metrics.nullRowsSkipped.getCount();
    }

    long listPushesSkipped() {
        return metrics.listPushesSkipped.getCount();
    }

    long membersSkipped() {
        return metrics.membersSkipped.getCount();
    }

    /** Commands sent to Redis so far, after merging (SCRIPT LOAD included). */
    long commandsSent() {
        return metrics.commandsWritten.getCount();
    }

    /** The writer's own metrics, for tests. */
    RedisSinkMetrics metrics() {
        return metrics;
    }

    /** The member cache (either variant), or null when rows are never skipped. */
    RedisMemberCache memberCache() {
        return longMembers != null ? longMembers : stringMembers;
    }

    /** For tests: a SHA1 Redis does not know makes the next batch get NOSCRIPT. */
    void useScriptSha(String sha) {
        this.scriptSha = sha;
    }

    private static String sha1(String text) {
        try {
            StringBuilder hex = new StringBuilder();
            for (byte b : MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8))) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For tests: where the writer sends its commands. */
    RedisTarget target() {
        return target;
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
            target.close();
        } catch (RuntimeException e) {
            LOG.debug("Closing the Redis connection to {} failed", sink.connection(), e);
        }
    }
}
