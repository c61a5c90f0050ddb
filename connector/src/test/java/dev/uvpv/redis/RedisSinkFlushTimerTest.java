package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.InstantiationUtil;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * {@code sink.buffer-flush.interval} and {@code sink.buffer-flush.max-rows}: the writer against the real
 * Redis (see TestRedis), its timers fired by a clock the test moves by hand, as Flink's mailbox would
 * fire them between two rows. No test here calls flush() to get a row written.
 */
class RedisSinkFlushTimerTest extends WithTestRedis {
    private static final List<LogicalType> KEY_VALUE = List.of(VarCharType.STRING_TYPE, VarCharType.STRING_TYPE);
    private static final long INTERVAL = 200;

    private TestProcessingTimeService clock;

    @BeforeEach
    void startClock() throws Exception {
        clock = new TestProcessingTimeService();
        clock.setCurrentTime(1_000);
    }

    @Test
    void aQueuedRowReachesRedisWhenTheIntervalHasPassedWithoutAFlush() throws Exception {
        String k = redis.key("timed");
        try (RedisSinkWriter writer = writer(RedisCommand.SET, 0, null, 500, INTERVAL)) {
            writer.write(row(k, "v"), null);
            assertEquals(Set.of(1_000 + INTERVAL), clock.getActiveTimerTimestamps());
            clock.advance(INTERVAL - 1);
            assertNull(redis.jedis().get(k), "queued until the interval has passed");
            clock.advance(1);
            assertEquals("v", redis.jedis().get(k));
            assertEquals(0, clock.getNumActiveTimers(), "nothing is queued, so no timer is pending");
        }
    }

    @Test
    void oneTimerServesTheRowsQueuedBeforeItFiresAndAnIdleWriterHasNone() throws Exception {
        String k = redis.key("one-timer");
        try (RedisSinkWriter writer = writer(RedisCommand.RPUSH, 0, null, 500, INTERVAL)) {
            writer.write(row(k, "a"), null);
            clock.advance(150);
            writer.write(row(k, "b"), null);
            assertEquals(Set.of(1_000 + INTERVAL), clock.getActiveTimerTimestamps(), "b waits for a's timer, not one of its own");
            clock.advance(50);
            assertEquals(List.of("a", "b"), redis.jedis().lrange(k, 0, -1));
            clock.advance(10 * INTERVAL);
            assertEquals(0, clock.getNumActiveTimers(), "an idle writer registers no timer");
            writer.write(row(k, "c"), null);
            assertEquals(Set.of(clock.getCurrentProcessingTime() + INTERVAL), clock.getActiveTimerTimestamps());
            clock.advance(INTERVAL);
            assertEquals(List.of("a", "b", "c"), redis.jedis().lrange(k, 0, -1));
        }
    }

    @Test
    void aRowQueuedAfterAFullBatchIsSentByTheTimerThatWasPending() throws Exception {
        String k = redis.key("batch-then-timer");
        try (RedisSinkWriter writer = writer(RedisCommand.RPUSH, 0, null, 2, INTERVAL)) {
            writer.write(row(k, "a"), null);
            writer.write(row(k, "b"), null);
            assertEquals(List.of("a", "b"), redis.jedis().lrange(k, 0, -1), "a full batch is sent at once");
            clock.advance(100);
            writer.write(row(k, "c"), null);
            clock.advance(100); // a's timer: c is sent after 100 ms, sooner than its own interval
            assertEquals(List.of("a", "b", "c"), redis.jedis().lrange(k, 0, -1));
            assertEquals(0, clock.getNumActiveTimers());
        }
    }

    @Test
    void intervalZeroRegistersNoTimerAndRowsWaitForTheFlush() throws Exception {
        String k = redis.key("no-timer");
        try (RedisSinkWriter writer = writer(RedisCommand.SET, 0, null, 500, 0)) {
            writer.write(row(k, "v"), null);
            assertEquals(0, clock.getNumActiveTimers());
            clock.advance(3_600_000);
            assertNull(redis.jedis().get(k));
            writer.flush(false);
            assertEquals("v", redis.jedis().get(k));
        }
    }

    @Test
    void maxRowsCountsRowsNotCommands() throws Exception {
        String k = redis.key("max-rows");
        // with ttl, a row is two commands (SADD and EXPIRE): a batch of 3 rows is 6 commands
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 300, null, 3, 0)) {
            writer.write(row(k, "a"), null);
            writer.write(row(k, "b"), null);
            assertEquals(0, redis.jedis().scard(k), "2 rows (4 commands) are queued, not sent");
            writer.write(row(k, "c"), null);
            assertEquals(Set.of("a", "b", "c"), redis.jedis().smembers(k));
            long ttl = redis.jedis().ttl(k);
            assertTrue(ttl > 290 && ttl <= 300, "ttl " + ttl);
        }
    }

    @Test
    void anErrorReplyInATimedFlushIsThrownByTheTimerAndByEveryLaterWriteAndFlush() throws Exception {
        String k = redis.key("wrongtype");
        redis.jedis().set(k, "a string");
        String rejected = "Redis at " + TestRedis.ADDRESS + " rejected SADD for key '" + k + "' (sink command 'sadd'): "
                + "WRONGTYPE Operation against a key holding the wrong kind of value";
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 0, null, 500, INTERVAL)) {
            writer.write(row(k, "m"), null);
            // the timer throws: in a task, Flink's mailbox fails the task with it ("Caught exception while processing timer")
            IOException timed = assertThrows(IOException.class, () -> clock.advance(INTERVAL));
            assertEquals(rejected, timed.getMessage());
            String again = "An earlier timed flush (sink.buffer-flush.interval) failed: " + rejected;
            IOException onWrite = assertThrows(IOException.class, () -> writer.write(row(redis.key("other"), "m"), null));
            assertEquals(again, onWrite.getMessage());
            assertSame(timed, onWrite.getCause());
            IOException onFlush = assertThrows(IOException.class, () -> writer.flush(false));
            assertEquals(again, onFlush.getMessage());
            assertEquals(0, clock.getNumActiveTimers(), "a failed writer registers no more timers");
        }
        assertEquals("a string", redis.jedis().get(k));
    }

    @Test
    void listPushIfNewerFieldSkipsAReplayedWindowInATimedFlush() throws Exception {
        String k = redis.key("list-timed");
        redis.jedis().lpush(k, RedisListPushIfNewerTest.window(1), RedisListPushIfNewerTest.window(2));
        try (RedisSinkWriter writer = writer(RedisCommand.LPUSH, 0, "window_end", 500, INTERVAL)) {
            writer.write(row(k, RedisListPushIfNewerTest.window(2)), null);
            writer.write(row(k, RedisListPushIfNewerTest.window(3)), null);
            clock.advance(INTERVAL);
            assertEquals(1, writer.listPushesSkipped());
        }
        assertEquals(List.of(RedisListPushIfNewerTest.window(3), RedisListPushIfNewerTest.window(2),
                RedisListPushIfNewerTest.window(1)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void afterNoScriptATimedFlushSendsTheValuesAgainWithEval() throws Exception {
        String k = redis.key("list-noscript");
        try (RedisSinkWriter writer = writer(RedisCommand.RPUSH, 0, "window_end", 500, INTERVAL)) {
            // as after a SCRIPT FLUSH, without flushing the shared server's scripts: a SHA1 Redis does not know
            writer.useScriptSha("0000000000000000000000000000000000000000");
            writer.write(row(k, RedisListPushIfNewerTest.window(1)), null);
            writer.write(row(k, RedisListPushIfNewerTest.window(1)), null);
            writer.write(row(k, RedisListPushIfNewerTest.window(2)), null);
            clock.advance(INTERVAL);
            assertEquals(List.of(RedisListPushIfNewerTest.window(1), RedisListPushIfNewerTest.window(2)),
                    redis.jedis().lrange(k, 0, -1));
            assertEquals(1, writer.listPushesSkipped());
        }
    }

    @Test
    void aTimerThatFiresAfterCloseLeavesTheClosedConnectionAlone() throws Exception {
        RedisSinkWriter writer = writer(RedisCommand.SET, 0, null, 500, INTERVAL);
        writer.write(row(redis.key("closed"), "v"), null);
        writer.close();
        // a sync would read replies from the closed connection and throw "Lost the connection to Redis"
        clock.advance(INTERVAL);
        assertEquals(0, clock.getNumActiveTimers());
    }

    /**
     * A sink planned by a build without the batching settings, restarting on a TaskManager with this one
     * (Java serialization leaves the missing field null): it runs with the defaults.
     */
    @Test
    void aSinkSerializedWithoutBatchingSettingsRunsWithTheDefaults() throws Exception {
        RedisSink planned = new RedisSink(TestRedis.connection(), RedisCommand.SET, 0, List.of("k", "v"), KEY_VALUE);
        java.lang.reflect.Field field = RedisSink.class.getDeclaredField("bufferFlush");
        field.setAccessible(true);
        field.set(planned, null);
        RedisSink restored = InstantiationUtil.clone(planned);
        assertSame(RedisBufferFlush.DEFAULT, restored.bufferFlush());
        try (RedisSinkWriter w = new RedisSinkWriter(restored, UnregisteredMetricsGroup.createSinkWriterMetricGroup(), clock)) {
            String k = redis.key("old-plan");
            w.write(row(k, "1"), null);
            clock.advance(RedisBufferFlush.DEFAULT.intervalMillis());
            assertEquals("1", redis.jedis().get(k));
        }
    }

    // ------------------------------------------------------------------------------------------

    /** @param listFields the value of {@code list.push-if-newer-field}, or null */
    private RedisSinkWriter writer(RedisCommand command, int ttl, String listFields, int maxRows, long intervalMillis)
            throws IOException {
        RedisSink sink = new RedisSink(TestRedis.connection(), command, ttl, List.of("k", "v"), KEY_VALUE,
                listFields == null ? null : List.of(listFields.split(",")), new RedisBufferFlush(maxRows, intervalMillis));
        return new RedisSinkWriter(sink, UnregisteredMetricsGroup.createSinkWriterMetricGroup(), clock);
    }

    private static RowData row(String key, String value) {
        return GenericRowData.ofKind(RowKind.INSERT, StringData.fromString(key), StringData.fromString(value));
    }
}
