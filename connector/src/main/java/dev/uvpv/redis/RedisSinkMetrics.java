package dev.uvpv.redis;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;

import java.util.List;

/**
 * The metrics a writer registers in its sink writer metric group, besides Flink's own
 * {@code numRecordsSend}; every name is here (README "Metrics" lists them, and {@code uvpv status}
 * reads them). Each writer has its own, from 0: a restarted task starts them again.
 */
final class RedisSinkMetrics {
    /** Rows not written because a key or value column was NULL. */
    static final String NULL_ROWS_SKIPPED = "numNullRowsSkipped";

    /** lpush/rpush values not pushed because of {@code list.push-if-newer-field}. */
    static final String LIST_PUSHES_SKIPPED = "numListPushesSkipped";

    /** sadd/pfadd rows not sent because their member was written already. */
    static final String MEMBERS_SKIPPED = "numMembersSkipped";

    /** Commands pipelined to Redis, after merging (SCRIPT LOAD and EVAL after NOSCRIPT included). */
    static final String COMMANDS_WRITTEN = "numCommandsWritten";

    /** Batches synced with every reply checked. */
    static final String BATCHES_FLUSHED = "numBatchesFlushed";

    /** Batches that failed (an error reply, a lost connection, a moved slot); each fails the job. */
    static final String WRITE_FAILURES = "numWriteFailures";

    /** Connection attempts made again after a refused or timed-out one, as the writer opened. */
    static final String CONNECT_RETRIES = "numConnectRetries";

    /** Milliseconds the last flushed batch took, from sending its first command to checking its last reply. */
    static final String LAST_BATCH_TIME = "lastBatchSyncTimeMs";

    /** The longest batch so far, in milliseconds. */
    static final String MAX_BATCH_TIME = "maxBatchSyncTimeMs";

    /** All flushed batches' time, in milliseconds: divided by {@link #BATCHES_FLUSHED}, the mean. */
    static final String TOTAL_BATCH_TIME = "accumulatedBatchSyncTimeMs";

    static final List<String> NAMES = List.of(NULL_ROWS_SKIPPED, LIST_PUSHES_SKIPPED, MEMBERS_SKIPPED, COMMANDS_WRITTEN,
            BATCHES_FLUSHED, WRITE_FAILURES, CONNECT_RETRIES, LAST_BATCH_TIME, MAX_BATCH_TIME, TOTAL_BATCH_TIME);

    final Counter nullRowsSkipped;
    final Counter listPushesSkipped;
    final Counter membersSkipped;
    final Counter commandsWritten;
    final Counter batchesFlushed;
    final Counter writeFailures;
    final Counter connectRetries;
    final Counter totalBatchMillis;
    /** Written by the task thread, read by the metric reporter's. */
    private volatile long lastBatchMillis;
    private volatile long maxBatchMillis;

    RedisSinkMetrics(MetricGroup group) {
        nullRowsSkipped = group.counter(NULL_ROWS_SKIPPED);
        listPushesSkipped = group.counter(LIST_PUSHES_SKIPPED);
        membersSkipped = group.counter(MEMBERS_SKIPPED);
        commandsWritten = group.counter(COMMANDS_WRITTEN);
        batchesFlushed = group.counter(BATCHES_FLUSHED);
        writeFailures = group.counter(WRITE_FAILURES);
        connectRetries = group.counter(CONNECT_RETRIES);
        totalBatchMillis = group.counter(TOTAL_BATCH_TIME);
        group.gauge(LAST_BATCH_TIME, (Gauge<Long>) () -> lastBatchMillis);
        group.gauge(MAX_BATCH_TIME, (Gauge<Long>) () -> maxBatchMillis);
    }

    /** A batch whose every reply was checked, after {@code millis}. */
    void batchFlushed(long millis) {
        batchesFlushed.inc();
        totalBatchMillis.inc(millis);
        lastBatchMillis = millis;
        if (millis > maxBatchMillis) {
            maxBatchMillis = millis;
        }
    }

    long lastBatchMillis() {
        return lastBatchMillis;
    }

    long maxBatchMillis() {
        return maxBatchMillis;
    }
}
