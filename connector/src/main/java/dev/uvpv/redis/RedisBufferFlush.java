package dev.uvpv.redis;

import java.io.Serializable;

/**
 * When the writer sends its queued commands, besides Flink's {@code flush()} before each checkpoint and
 * at the end of input: once {@link #maxRows} rows are queued, and {@link #intervalMillis} after a row is
 * queued (the options {@code sink.buffer-flush.max-rows} and {@code sink.buffer-flush.interval}).
 */
final class RedisBufferFlush implements Serializable {
    private static final long serialVersionUID = 1L;

    static final RedisBufferFlush DEFAULT = new RedisBufferFlush(
            RedisOptions.BUFFER_FLUSH_MAX_ROWS.defaultValue(),
            RedisOptions.BUFFER_FLUSH_INTERVAL.defaultValue().toMillis());

    private final int maxRows;
    private final long intervalMillis;

    /**
     * @param maxRows 1 or more
     * @param intervalMillis 0 for no timer: rows then wait for a full batch or Flink's flush
     */
    RedisBufferFlush(int maxRows, long intervalMillis) {
        if (maxRows < 1 || intervalMillis < 0) {
            throw new IllegalArgumentException(
                    "Needs at least 1 row and an interval of 0 ms or more, not " + maxRows + " rows, " + intervalMillis + " ms");
        }
        this.maxRows = maxRows;
        this.intervalMillis = intervalMillis;
    }

    /** Batches of {@code maxRows}, and no timer: rows wait for a full batch or Flink's flush. */
    static RedisBufferFlush withoutTimer(int maxRows) {
        return new RedisBufferFlush(maxRows, 0);
    }

    int maxRows() {
        return maxRows;
    }

    long intervalMillis() {
        return intervalMillis;
    }

    boolean hasTimer() {
        return intervalMillis > 0;
    }
}
