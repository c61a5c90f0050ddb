package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientPauseMode;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The writer's own metrics (see RedisSinkMetrics), as a reporter reads them from its metric group. Batches
 * and failures against the real Redis (see TestRedis); slow batches, lost connections and late servers
 * against a redis-server of the test's own, so that nothing else is paused or killed.
 */
class RedisSinkMetricsTest extends WithTestRedis {
    private static final List<LogicalType> KEY_MEMBER = List.of(VarCharType.STRING_TYPE, VarCharType.STRING_TYPE);

    @Test
    void everyNameIsRegisteredOnce() throws Exception {
        RecordingMetrics metrics = new RecordingMetrics();
        try (RedisSinkWriter writer = writer(TestRedis.connection(), 500, metrics)) {
            assertEquals(RedisSinkMetrics.NAMES.size(), new HashSet<>(RedisSinkMetrics.NAMES).size(), "names are unique");
            for (String name : RedisSinkMetrics.NAMES) {
                assertEquals(0, metrics.value(name), name);
                assertTrue(name.matches("[a-z][a-zA-Z]+"), "lowerCamelCase as Flink's own: " + name);
            }
        }
    }

    @Test
    void eachFlushedBatchCountsItsMergedCommands() throws Exception {
        String a = redis.key("a");
        String b = redis.key("b");
        RecordingMetrics metrics = new RecordingMetrics();
        try (RedisSinkWriter writer = writer(TestRedis.connection(), 2, metrics)) {
            writer.write(row(a, "m1"), null);
            writer.write(row(a, "m2"), null); // a full batch: one SADD a m1 m2
            assertEquals(1, metrics.value(RedisSinkMetrics.BATCHES_FLUSHED));
            assertEquals(1, metrics.value(RedisSinkMetrics.COMMANDS_WRITTEN));
            writer.write(row(a, "m3"), null);
            writer.write(row(b, "m1"), null); // SADD a m3, SADD b m1
            writer.write(row(b, "m2"), null);
            writer.flush(false); // SADD b m2
            writer.flush(false); // nothing queued: no batch
            assertEquals(3, metrics.value(RedisSinkMetrics.BATCHES_FLUSHED));
            assertEquals(4, metrics.value(RedisSinkMetrics.COMMANDS_WRITTEN));
            assertEquals(0, metrics.value(RedisSinkMetrics.WRITE_FAILURES));
            assertEquals(0, metrics.value(RedisSinkMetrics.CONNECT_RETRIES));
            long max = metrics.value(RedisSinkMetrics.MAX_BATCH_TIME);
            assertTrue(metrics.value(RedisSinkMetrics.LAST_BATCH_TIME) <= max);
            assertTrue(max <= metrics.value(RedisSinkMetrics.TOTAL_BATCH_TIME));
        }
    }

    @Test
    void batchTimeIsTheLastTheLongestAndTheSum() throws Exception {
        try (RedisProcesses processes = new RedisProcesses()) {
            int port = processes.server();
            RecordingMetrics metrics = new RecordingMetrics();
            try (RedisSinkWriter writer = writer(own(port), 500, metrics); Jedis admin = RedisProcesses.jedis(port, null)) {
                // the server holds every write command for 300 ms: the batch waits for its reply
                admin.clientPause(300, ClientPauseMode.WRITE);
                writer.write(row("slow", "m"), null);
                writer.flush(false);
                long slow = metrics.value(RedisSinkMetrics.LAST_BATCH_TIME);
                assertTrue(slow >= 200, "the paused batch took " + slow + " ms");
                assertEquals(slow, metrics.value(RedisSinkMetrics.MAX_BATCH_TIME));

                writer.write(row("fast", "m"), null);
                writer.flush(false);
                long fast = metrics.value(RedisSinkMetrics.LAST_BATCH_TIME);
                assertTrue(fast < slow, "the next batch took " + fast + " ms");
                assertEquals(slow, metrics.value(RedisSinkMetrics.MAX_BATCH_TIME), "the longest is kept");
                assertEquals(slow + fast, metrics.value(RedisSinkMetrics.TOTAL_BATCH_TIME));
                assertEquals(2, metrics.value(RedisSinkMetrics.BATCHES_FLUSHED));
            }
        }
    }

    @Test
    void anErrorReplyIsAWriteFailureAndNoFlushedBatch() throws Exception {
        String k = redis.key("wrongtype");
        redis.jedis().set(k, "a string");
        RecordingMetrics metrics = new RecordingMetrics();
        try (RedisSinkWriter writer = writer(TestRedis.connection(), 500, metrics)) {
            writer.write(row(k, "m"), null);
            assertThrows(IOException.class, () -> writer.flush(false));
            assertEquals(1, metrics.value(RedisSinkMetrics.WRITE_FAILURES));
            assertEquals(0, metrics.value(RedisSinkMetrics.BATCHES_FLUSHED));
            assertEquals(1, metrics.value(RedisSinkMetrics.COMMANDS_WRITTEN), "it was sent");
            assertEquals(0, metrics.value(RedisSinkMetrics.TOTAL_BATCH_TIME));
        }
    }

    @Test
    void aLostConnectionIsAWriteFailure() throws Exception {
        try (RedisProcesses processes = new RedisProcesses()) {
            int port = processes.server();
            RecordingMetrics metrics = new RecordingMetrics();
            try (RedisSinkWriter writer = writer(own(port), 500, metrics)) {
                writer.write(row("k", "m1"), null);
                writer.flush(false);
                processes.kill(port);
                writer.write(row("k", "m2"), null);
                IOException e = assertThrows(IOException.class, () -> writer.flush(false));
                assertTrue(e.getMessage().startsWith("Lost the connection to Redis at 127.0.0.1:" + port), e.getMessage());
                assertEquals(1, metrics.value(RedisSinkMetrics.WRITE_FAILURES));
                assertEquals(1, metrics.value(RedisSinkMetrics.BATCHES_FLUSHED));
            }
        }
    }

    @Test
    void anUnreachableRedisCountsTwoRetriesBeforeTheWriterFails() throws Exception {
        int port = RedisProcesses.freePort();
        RecordingMetrics metrics = new RecordingMetrics();
        assertThrows(IOException.class, () -> writer(own(port), 500, metrics));
        assertEquals(RedisConnectionConfig.CONNECT_ATTEMPTS - 1, metrics.value(RedisSinkMetrics.CONNECT_RETRIES));
    }

    @Test
    void aServerThatStartsLateIsReachedAfterARetry() throws Exception {
        try (RedisProcesses processes = new RedisProcesses()) {
            int port = RedisProcesses.freePort();
            RecordingMetrics metrics = new RecordingMetrics();
            // started once the first attempt is refused, in time for the second (200 ms later) or the third (600 ms)
            CompletableFuture<Void> started = CompletableFuture.runAsync(() -> {
                try {
                    RedisProcesses.await("the first attempt to fail", () -> metrics.counters.containsKey(RedisSinkMetrics.CONNECT_RETRIES)
                            && metrics.value(RedisSinkMetrics.CONNECT_RETRIES) > 0, 10_000);
                    processes.serverOn(port);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (RedisSinkWriter writer = writer(own(port), 500, metrics)) {
                long retries = metrics.value(RedisSinkMetrics.CONNECT_RETRIES);
                assertTrue(retries >= 1 && retries < RedisConnectionConfig.CONNECT_ATTEMPTS, "retries " + retries);
                writer.write(row("k", "m"), null);
                writer.flush(false);
                assertEquals(1, metrics.value(RedisSinkMetrics.BATCHES_FLUSHED));
            } finally {
                started.join();
            }
        }
    }

    // ------------------------------------------------------------------------------------------

    /** A server of the test's own, database 0. */
    private static RedisConnectionConfig own(int port) {
        return new RedisConnectionConfig(RedisProcesses.HOST, port, null, 0, 2000);
    }

    /** A sadd writer without a flush timer: batches of {@code maxRows} rows, and flush(). */
    private static RedisSinkWriter writer(RedisConnectionConfig connection, int maxRows, RecordingMetrics metrics) throws IOException {
        RedisSink sink = new RedisSink(connection, RedisCommand.SADD, 0, List.of("k", "m"), KEY_MEMBER, null,
                RedisBufferFlush.withoutTimer(maxRows));
        return new RedisSinkWriter(sink, metrics, new TestProcessingTimeService());
    }

    private static RowData row(String key, String member) {
        return GenericRowData.ofKind(RowKind.INSERT, StringData.fromString(key), StringData.fromString(member));
    }
}
