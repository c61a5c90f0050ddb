package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code list.push-if-newer-field}: lpush/rpush through the writer's Lua script, against the real
 * Redis on 127.0.0.1:6379 (see TestRedis; database 14, keys of the test's own). A "restore" is a new
 * writer that writes again windows an earlier writer already wrote, as Flink replays them after a
 * failure.
 */
class RedisListPushIfNewerTest extends WithTestRedis {
    private static final List<LogicalType> KEY_VALUE = List.of(VarCharType.STRING_TYPE, VarCharType.STRING_TYPE);


    @Test
    void lpushSkipsTheWindowsAReplayWritesAgain() throws Exception {
        String k = redis.key("lpush");
        assertEquals(0, write(RedisCommand.LPUSH, "window_end", 0, k, 1, 2, 3, 4, 5));
        assertEquals(3, write(RedisCommand.LPUSH, "window_end", 0, k, 3, 4, 5), "the replay pushes nothing");
        assertEquals(List.of(window(5), window(4), window(3), window(2), window(1)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void rpushSkipsTheWindowsAReplayWritesAgain() throws Exception {
        String k = redis.key("rpush");
        assertEquals(0, write(RedisCommand.RPUSH, "window_end", 0, k, 1, 2, 3, 4, 5));
        assertEquals(3, write(RedisCommand.RPUSH, "window_end", 0, k, 3, 4, 5));
        assertEquals(List.of(window(1), window(2), window(3), window(4), window(5)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void aNewerWindowAfterAReplayIsStillPushed() throws Exception {
        String left = redis.key("lpush-newer");
        String right = redis.key("rpush-newer");
        write(RedisCommand.LPUSH, "window_end", 0, left, 1, 2, 3);
        write(RedisCommand.RPUSH, "window_end", 0, right, 1, 2, 3);
        // the replay and the windows after it, in one batch and then in the next
        assertEquals(2, write(RedisCommand.LPUSH, "window_end", 0, left, 2, 3, 4));
        assertEquals(2, write(RedisCommand.RPUSH, "window_end", 0, right, 2, 3, 4));
        assertEquals(0, write(RedisCommand.LPUSH, "window_end", 0, left, 5));
        assertEquals(0, write(RedisCommand.RPUSH, "window_end", 0, right, 5));
        assertEquals(List.of(window(5), window(4), window(3), window(2), window(1)), redis.jedis().lrange(left, 0, -1));
        assertEquals(List.of(window(1), window(2), window(3), window(4), window(5)), redis.jedis().lrange(right, 0, -1));
    }

    @Test
    void lpushComparesWithTheHeadAndRpushWithTheTail() throws Exception {
        String left = redis.key("lpush-head");
        String right = redis.key("rpush-tail");
        // head window 2, tail window 9: for lpush window 5 is older than the head only if it compares with index 0
        redis.jedis().rpush(left, window(2), window(9));
        redis.jedis().rpush(right, window(9), window(2));
        assertEquals(0, write(RedisCommand.LPUSH, "window_end", 0, left, 5));
        assertEquals(0, write(RedisCommand.RPUSH, "window_end", 0, right, 5));
        assertEquals(List.of(window(5), window(2), window(9)), redis.jedis().lrange(left, 0, -1));
        assertEquals(List.of(window(9), window(2), window(5)), redis.jedis().lrange(right, 0, -1));
    }

    @Test
    void anEmptyListGetsTheFirstValue() throws Exception {
        String k = redis.key("empty");
        assertEquals(0, write(RedisCommand.LPUSH, "window_end", 0, k, 7));
        assertEquals(List.of(window(7)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void anEqualFieldIsSkippedEvenWithAnotherValue() throws Exception {
        String k = redis.key("equal");
        redis.jedis().lpush(k, window(3));
        String sameWindowOtherValue = window(3).replace("\"value\":3", "\"value\":99");
        assertEquals(1, writeValues(RedisCommand.LPUSH, "window_end", 0, k, sameWindowOtherValue));
        assertEquals(List.of(window(3)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void aHeadThatIsNotAJsonObjectWithTheFieldAsAStringDoesNotStopAPush() throws Exception {
        List<String> heads = List.of("not json", "[1,2]", "42", "null", "{\"window_start\":\"2026-01-01T00:00:00\"}",
                "{\"window_end\":20260101}", "{\"window_end\":null}", "{\"window_end\":{\"at\":\"x\"}}", "{broken");
        for (int i = 0; i < heads.size(); i++) {
            String k = redis.key("head-" + i);
            redis.jedis().lpush(k, heads.get(i));
            assertEquals(0, write(RedisCommand.LPUSH, "window_end", 0, k, 1), heads.get(i));
            assertEquals(List.of(window(1), heads.get(i)), redis.jedis().lrange(k, 0, -1), heads.get(i));
        }
    }

    @Test
    void aValueWithoutTheFieldIsPushedAsWithoutTheOption() throws Exception {
        String k = redis.key("value-without-field");
        redis.jedis().lpush(k, window(9));
        List<String> values = List.of("plain text", "{\"value\":1}", "{\"window_end\":5}", "{\"window_end\":\"\"", "");
        assertEquals(0, writeValues(RedisCommand.LPUSH, "window_end", 0, k, values.toArray(new String[0])));
        List<String> expected = new ArrayList<>(values);
        Collections.reverse(expected);
        expected.add(window(9));
        assertEquals(expected, redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void anotherFieldCanBeChosen() throws Exception {
        String k = redis.key("window-start");
        write(RedisCommand.LPUSH, "window_start", 0, k, 1, 2);
        assertEquals(2, write(RedisCommand.LPUSH, "window_start", 0, k, 1, 2));
        assertEquals(List.of(window(2), window(1)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void fieldsCompareByteByByteNotByLocale() throws Exception {
        // 'B' (0x42) < 'a' (0x61) as bytes; a locale's collation may order them the other way
        String k = redis.key("bytes");
        redis.jedis().lpush(k, "{\"t\":\"a\"}");
        assertEquals(1, writeValues(RedisCommand.LPUSH, "t", 0, k, "{\"t\":\"B\"}"));
        assertEquals(0, writeValues(RedisCommand.LPUSH, "t", 0, k, "{\"t\":\"aa\"}"), "a longer string with the head as prefix is newer");
        assertEquals(1, writeValues(RedisCommand.LPUSH, "t", 0, k, "{\"t\":\"a\"}"));
        assertEquals(List.of("{\"t\":\"aa\"}", "{\"t\":\"a\"}"), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void withoutTheOptionAReplayPushesDuplicates() throws Exception {
        String k = redis.key("plain");
        write(RedisCommand.LPUSH, null, 0, k, 1, 2, 3, 4, 5);
        write(RedisCommand.LPUSH, null, 0, k, 3, 4, 5);
        assertEquals(List.of(window(5), window(4), window(3), window(5), window(4), window(3), window(2), window(1)),
                redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void ttlIsSetWhetherTheValueIsPushedOrSkipped() throws Exception {
        String k = redis.key("ttl");
        write(RedisCommand.RPUSH, "window_end", 300, k, 1, 2);
        long ttl = redis.jedis().ttl(k);
        assertTrue(ttl > 290 && ttl <= 300, "ttl " + ttl);
        redis.jedis().persist(k);
        assertEquals(1, write(RedisCommand.RPUSH, "window_end", 300, k, 2));
        ttl = redis.jedis().ttl(k);
        assertTrue(ttl > 290 && ttl <= 300, "a skipped value refreshes the TTL, as a pushed one does: ttl " + ttl);
        assertEquals(2, redis.jedis().llen(k));
    }

    @Test
    void deleteRowsAreIgnoredAndBatchesGoOutAsPipelines() throws Exception {
        String k = redis.key("batches");
        try (RedisSinkWriter writer = writer(RedisCommand.LPUSH, "window_end", 0, 2)) {
            writer.write(row(RowKind.INSERT, k, window(1)), null);
            assertEquals(0, redis.jedis().llen(k), "queued, not yet sent");
            writer.write(row(RowKind.DELETE, k, window(2)), null);
            writer.write(row(RowKind.UPDATE_AFTER, k, window(1)), null);
            assertEquals(1, redis.jedis().llen(k), "a full batch of 2 is sent at once; the replayed window is skipped");
            writer.write(row(RowKind.INSERT, k, window(3)), null);
            writer.flush(false);
            assertEquals(1, writer.listPushesSkipped());
        }
        assertEquals(List.of(window(3), window(1)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void afterNoScriptTheValuesAreSentAgainWithEvalAndTheScriptIsLoadedAgain() throws Exception {
        String a = redis.key("noscript-a");
        String b = redis.key("noscript-b");
        write(RedisCommand.LPUSH, "window_end", 0, a, 1, 2);
        try (RedisSinkWriter writer = writer(RedisCommand.LPUSH, "window_end", 0, 500)) {
            // as after a SCRIPT FLUSH, without flushing the shared server's scripts: a SHA1 Redis does not know
            writer.useScriptSha("0000000000000000000000000000000000000000");
            for (int w : new int[] {2, 3}) {
                writer.write(row(RowKind.INSERT, a, window(w)), null);
                writer.write(row(RowKind.INSERT, b, window(w)), null);
            }
            writer.flush(false);
            assertEquals(1, writer.listPushesSkipped());
            assertEquals(List.of(window(3), window(2), window(1)), redis.jedis().lrange(a, 0, -1));
            assertEquals(List.of(window(3), window(2)), redis.jedis().lrange(b, 0, -1));
            // the next batch uses EVALSHA with the SHA1 loaded again
            writer.write(row(RowKind.INSERT, a, window(3)), null);
            writer.write(row(RowKind.INSERT, a, window(4)), null);
            writer.flush(false);
            assertEquals(2, writer.listPushesSkipped());
        }
        assertEquals(List.of(window(4), window(3), window(2), window(1)), redis.jedis().lrange(a, 0, -1));
    }

    @Test
    void noScriptBeforeAValueOfTheSameListThatGotThroughFailsTheWriter() throws Exception {
        String a = redis.key("noscript-order-a");
        String b = redis.key("noscript-order-b");
        String unknown = "0000000000000000000000000000000000000000";
        try (RedisSinkWriter writer = writer(RedisCommand.RPUSH, "window_end", 0, 500)) {
            // as if the script were flushed, then loaded again by another client, during one batch
            writer.useScriptSha(unknown);
            writer.write(row(RowKind.INSERT, a, window(1)), null);
            writer.write(row(RowKind.INSERT, b, window(1)), null);
            writer.useScriptSha(sha1(RedisSinkWriter.LIST_SCRIPT));
            writer.write(row(RowKind.INSERT, b, window(2)), null);
            IOException e = assertThrows(IOException.class, () -> writer.flush(false));
            assertEquals("Redis at " + TestRedis.ADDRESS + " answered NOSCRIPT (sink command 'rpush' with option "
                    + "'list.push-if-newer-field') for a value of list '" + b + "' while a later value of that list was "
                    + "written with the script: someone ran SCRIPT FLUSH and loaded it again during one batch. The "
                    + "values that got NOSCRIPT cannot be pushed in order, and are not written.", e.getMessage());
        }
        assertEquals(List.of(window(2)), redis.jedis().lrange(b, 0, -1));
        assertEquals(0, redis.jedis().llen(a));
    }

    @Test
    void aKeyOfAnotherTypeFailsWithTheKey() throws Exception {
        String k = redis.key("wrongtype");
        redis.jedis().set(k, "a string");
        try (RedisSinkWriter writer = writer(RedisCommand.RPUSH, "window_end", 0, 500)) {
            writer.write(row(RowKind.INSERT, k, window(1)), null);
            IOException e = assertThrows(IOException.class, () -> writer.flush(false));
            assertTrue(e.getMessage().startsWith("Redis at " + TestRedis.ADDRESS + " rejected EVALSHA for key '" + k
                    + "' (sink command 'rpush'): WRONGTYPE"), e.getMessage());
        }
        assertEquals("a string", redis.jedis().get(k));
    }

    // ------------------------------------------------------------------------------------------

    /** The JSON entry uvpv writes for window n (10 minutes from 2026-01-01T00:00), with value n. */
    static String window(int n) {
        return String.format("{\"window_start\":\"2026-01-01T%02d:%02d:00\",\"window_end\":\"2026-01-01T%02d:%02d:00\",\"value\":%d}",
                (n - 1) * 10 / 60, (n - 1) * 10 % 60, n * 10 / 60, n * 10 % 60, n);
    }

    private static String sha1(String script) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte x : digest) {
            hex.append(String.format("%02x", x));
        }
        return hex.toString();
    }

    private static RedisSinkWriter writer(RedisCommand command, String field, int ttl, int batchSize) throws IOException {
        RedisSink sink = new RedisSink(TestRedis.connection(), command, ttl, List.of("k", "v"), KEY_VALUE, field);
        return new RedisSinkWriter(sink, UnregisteredMetricsGroup.createSinkWriterMetricGroup(), batchSize);
    }

    /** Writes windows with a fresh writer and flushes it; returns how many it skipped. */
    private static long write(RedisCommand command, String field, int ttl, String key, int... windows) throws IOException {
        String[] values = new String[windows.length];
        for (int i = 0; i < windows.length; i++) {
            values[i] = window(windows[i]);
        }
        return writeValues(command, field, ttl, key, values);
    }

    private static long writeValues(RedisCommand command, String field, int ttl, String key, String... values) throws IOException {
        try (RedisSinkWriter writer = writer(command, field, ttl, 500)) {
            for (String value : values) {
                writer.write(row(RowKind.INSERT, key, value), null);
            }
            writer.flush(true);
            return writer.listPushesSkipped();
        }
    }

    private static RowData row(RowKind kind, String key, String value) {
        return GenericRowData.ofKind(kind, StringData.fromString(key), StringData.fromString(value));
    }
}
