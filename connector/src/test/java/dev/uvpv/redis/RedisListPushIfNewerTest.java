package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    // ---------------------------------------------------------------- several fields, numbers

    private static final String BY_PRODUCT = "window_end,product_id";

    @Test
    void entriesOfOneWindowWithIncreasingProductIdsAreAllPushed() throws Exception {
        String left = redis.key("by-lpush");
        String right = redis.key("by-rpush");
        String[] values = entries(1, 101, 1, 102, 1, 103, 2, 7, 2, 101, 3, 101);
        assertEquals(0, writeValues(RedisCommand.LPUSH, BY_PRODUCT, 0, left, values));
        assertEquals(0, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, right, values));
        assertEquals(reversed(values), redis.jedis().lrange(left, 0, -1));
        assertEquals(List.of(values), redis.jedis().lrange(right, 0, -1));
    }

    @Test
    void aReplayOfEntriesOfSeveralProductsIsSkippedAndTheRestPushed() throws Exception {
        for (RedisCommand command : List.of(RedisCommand.LPUSH, RedisCommand.RPUSH)) {
            String k = redis.key("by-replay-" + command.optionValue());
            String[] before = entries(1, 101, 1, 102, 2, 101, 2, 102);
            assertEquals(0, writeValues(command, BY_PRODUCT, 0, k, before));
            // the restore replays from the middle of window 1, and then writes what follows; in one batch
            assertEquals(3, writeValues(command, BY_PRODUCT, 0, k, entries(1, 102, 2, 101, 2, 102, 2, 103, 3, 101)));
            // and a second replay of everything, in a batch of its own
            assertEquals(7, writeValues(command, BY_PRODUCT, 0, k,
                    entries(1, 101, 1, 102, 2, 101, 2, 102, 2, 103, 3, 101, 3, 101)));
            assertEquals(0, writeValues(command, BY_PRODUCT, 0, k, entries(3, 102)));
            String[] all = entries(1, 101, 1, 102, 2, 101, 2, 102, 2, 103, 3, 101, 3, 102);
            assertEquals(command == RedisCommand.LPUSH ? reversed(all) : List.of(all),
                    redis.jedis().lrange(k, 0, -1), command.optionValue());
        }
    }

    @Test
    void theFirstFieldThatDiffersDecides() throws Exception {
        String k = redis.key("by-first-differs");
        redis.jedis().rpush(k, entry(2, 500));
        // an older window with a greater product_id, and the same window with a smaller or equal one
        assertEquals(3, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, k, entries(1, 900, 2, 499, 2, 500)));
        // a newer window with a smaller product_id
        assertEquals(0, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, k, entries(3, 1)));
        assertEquals(List.of(entry(2, 500), entry(3, 1)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void aStringSecondFieldComparesByteByByte() throws Exception {
        String k = redis.key("by-string");
        // "B" (0x42) < "a" (0x61) < "aa" as bytes; "10" < "9" as strings
        assertEquals(0, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, k, entries(1, "B", 1, "a", 1, "aa", 2, "10")));
        assertEquals(5, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, k,
                entries(1, "b", 2, "", 2, "1", 2, "09", 2, "10")));
        assertEquals(0, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, k, entries(2, "9")));
        assertEquals(List.of(entries(1, "B", 1, "a", 1, "aa", 2, "10", 2, "9")), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void numbersCompareNumericallyNotByTheirText() throws Exception {
        String one = redis.key("number-one-field");
        // bytewise "10" < "9"; numerically 9 < 10
        assertEquals(0, writeValues(RedisCommand.LPUSH, "n", 0, one, "{\"n\":9}", "{\"n\":10}"));
        assertEquals(3, writeValues(RedisCommand.LPUSH, "n", 0, one, "{\"n\":9}", "{\"n\":10}", "{\"n\":1e1}"));
        assertEquals(0, writeValues(RedisCommand.LPUSH, "n", 0, one, "{\"n\":10.5}"));
        assertEquals(List.of("{\"n\":10.5}", "{\"n\":10}", "{\"n\":9}"), redis.jedis().lrange(one, 0, -1));

        String signs = redis.key("number-signs");
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, signs, "{\"n\":-2.5}", "{\"n\":-1}", "{\"n\":0}", "{\"n\":0.25}"));
        assertEquals(2, writeValues(RedisCommand.RPUSH, "n", 0, signs, "{\"n\":-0}", "{\"n\":2.5e-1}"));
        assertEquals(4, redis.jedis().llen(signs));

        String two = redis.key("number-two-fields");
        assertEquals(0, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, two, entries(1, 9, 1, 10, 1, 100)));
        assertEquals(3, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, two, entries(1, 9, 1, 99, 1, 100)));
        assertEquals(List.of(entries(1, 9, 1, 10, 1, 100)), redis.jedis().lrange(two, 0, -1));
    }

    @Test
    void twoBigIdsOfOneWindowAreBothPushedAndTheirReplaySkipped() throws Exception {
        // BIGINT ids the job writes as JSON numbers: both read as the double 1.8e18, but they differ
        long a = 1800000000000000001L;
        long b = 1800000000000000002L;
        assertEquals((double) a, (double) b);
        for (RedisCommand command : List.of(RedisCommand.LPUSH, RedisCommand.RPUSH)) {
            String k = redis.key("big-ids-" + command.optionValue());
            assertEquals(0, writeValues(command, BY_PRODUCT, 0, k, entries(1, a, 1, b)), "one window, two ids");
            assertEquals(2, writeValues(command, BY_PRODUCT, 0, k, entries(1, a, 1, b)), "the replay");
            assertEquals(0, writeValues(command, BY_PRODUCT, 0, k, entries(1, b + 1, 2, a)));
            String[] all = entries(1, a, 1, b, 1, b + 1, 2, a);
            assertEquals(command == RedisCommand.LPUSH ? reversed(all) : List.of(all),
                    redis.jedis().lrange(k, 0, -1), command.optionValue());
        }
    }

    @Test
    void integersBeyondTwoToThe53CompareExactly() throws Exception {
        String k = redis.key("number-2^53");
        // 2^53 + 1 reads as the double 2^53, but its text is greater
        redis.jedis().rpush(k, "{\"n\":9007199254740992}");
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":9007199254740993}"));
        assertEquals(2, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":9007199254740992}", "{\"n\":9007199254740993}"));
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":9007199254740994}"));
        assertEquals(3, redis.jedis().llen(k));
    }

    @Test
    void negativeAndPositiveBigIntegersCompareBySignThenDigitsThenValue() throws Exception {
        String k = redis.key("number-big-signs");
        List<String> increasing = List.of("-99999999999999999999", "-9223372036854775808", "-9223372036854775807",
                "-1800000000000000002", "-1800000000000000001", "-9007199254740993", "-9007199254740992", "-1", "0",
                "1", "9007199254740992", "9007199254740993", "1800000000000000001", "1800000000000000002",
                "9223372036854775807", "18446744073709551615", "18446744073709551616", "99999999999999999999");
        String[] values = increasing.stream().map(n -> "{\"n\":" + n + "}").toArray(String[]::new);
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, values), "each is greater than the one before");
        assertEquals(values.length, writeValues(RedisCommand.RPUSH, "n", 0, k, values), "each is <= the tail");
        assertEquals(List.of(values), redis.jedis().lrange(k, 0, -1));

        // each value, with the next greater one alone in the list, is skipped
        String down = redis.key("number-big-down");
        for (int i = values.length - 1; i >= 0; i--) {
            String[] pair = {values[i], i > 0 ? values[i - 1] : values[i]};
            redis.jedis().del(down);
            redis.jedis().rpush(down, pair[0]);
            assertEquals(1, writeValues(RedisCommand.RPUSH, "n", 0, down, pair[1]), pair[0] + " <- " + pair[1]);
        }
    }

    @Test
    void integersWithLeadingZerosOrASignedZeroCompareByTheirValue() throws Exception {
        String k = redis.key("number-zeros");
        redis.jedis().rpush(k, "{\"n\":0}");
        // -0, 00 and -00 are 0 (Redis's cjson reads the leading zeros JSON forbids); 007 is 7, -007 is -7
        assertEquals(5, writeValues(RedisCommand.RPUSH, "n", 0, k,
                "{\"n\":-0}", "{\"n\":00}", "{\"n\":-00}", "{\"n\":-007}", "{\"n\":-1800000000000000001}"));
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":007}"));
        assertEquals(1, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":7}"));
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":0018000000000000000001}"));
        assertEquals(2, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":18000000000000000001}", "{\"n\":-0018000000000000000001}"));
        assertEquals(List.of("{\"n\":0}", "{\"n\":007}", "{\"n\":0018000000000000000001}"), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void anIntegerAndANumberWithAFractionOrAnExponentCompareAsDoubles() throws Exception {
        String k = redis.key("number-mixed");
        redis.jedis().rpush(k, "{\"n\":1800000000000000001}");
        // 1.8e18 and 1800000000000000001 read as the same double: equal, so skipped
        assertEquals(2, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":1.8e18}", "{\"n\":1800000000000000000.5}"));
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":1.9e18}"));
        // the tail 1.9e18 has an exponent: 1900000000000000001 reads as the same double
        assertEquals(1, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":1900000000000000001}"));
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":1900000000000000512}"), "the next double");
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, "{\"n\":1900000000000000513}"), "two integers again");
        assertEquals(4, redis.jedis().llen(k));
    }

    @Test
    void onlyTheObjectsOwnFieldsAreRead() throws Exception {
        // the field's name also appears in a string, in a nested object and array, and with escapes
        String k = redis.key("number-top-level");
        redis.jedis().rpush(k, "{\"note\":\"\\\"n\\\":99,\",\"n\":1800000000000000002}");
        List<String> skipped = List.of(
                "{\"note\":\"\\\"n\\\":1800000000000000003,\",\"n\":1800000000000000001}",
                "{\"x\":{\"n\":1800000000000000003},\"n\":1800000000000000001}",
                "{\"x\":[{\"n\":\"]\"},\"}\",1800000000000000003],\"n\":1800000000000000001}",
                "{\"n\\u0031\":1800000000000000003,\"\\u006e\":1800000000000000001}",
                "{ \"n\" :\t1800000000000000002 , \"s\":\"}\" }",
                "{\"n\":1800000000000000003,\"n\":1800000000000000001}");    // the last one counts, as in cjson
        for (String value : skipped) {
            assertEquals(1, writeValues(RedisCommand.RPUSH, "n", 0, k, value), value);
        }
        String newer = "{\"s\":\"\\\\\",\"\\u006e\" : 1800000000000000003}";
        assertEquals(0, writeValues(RedisCommand.RPUSH, "n", 0, k, newer), newer);
        assertEquals(2, redis.jedis().llen(k));
    }

    @Test
    void booleansCompareFalseBeforeTrue() throws Exception {
        for (RedisCommand command : List.of(RedisCommand.LPUSH, RedisCommand.RPUSH)) {
            String k = redis.key("boolean-" + command.optionValue());
            String[] values = entries(1, false, 1, true, 2, false, 2, true);
            assertEquals(0, writeValues(command, BY_PRODUCT, 0, k, values));
            assertEquals(4, writeValues(command, BY_PRODUCT, 0, k, values), "the replay");
            assertEquals(1, writeValues(command, BY_PRODUCT, 0, k, entries(2, false)));
            assertEquals(command == RedisCommand.LPUSH ? reversed(values) : List.of(values),
                    redis.jedis().lrange(k, 0, -1), command.optionValue());
        }
        String one = redis.key("boolean-one-field");
        assertEquals(0, writeValues(RedisCommand.RPUSH, "b", 0, one, "{\"b\":false}", "{\"b\" : true}"));
        assertEquals(2, writeValues(RedisCommand.RPUSH, "b", 0, one, "{\"b\":false}", "{\"b\":true}"));
        assertEquals(2, redis.jedis().llen(one));
    }

    @Test
    void aFieldThatCannotBeComparedPushesAsWithoutTheOption() throws Exception {
        // (end entry, value): each value would be skipped if its fields compared, since its window is older
        List<List<String>> cases = List.of(
                List.of(entry(5, 101), window(1)),                                  // the value lacks product_id
                List.of(window(5), entry(1, 101)),                                  // the end lacks it
                List.of(entry(5, 101), window(1).replace(",\"value\":", ",\"product_id\":null,\"value\":")),
                List.of(window(5).replace(",\"value\":", ",\"product_id\":null,\"value\":"), entry(1, 101)),
                List.of(entry(5, "101"), entry(1, 101)),                            // a string and a number
                List.of(entry(5, 101), entry(1, "101")),
                List.of(entry(5, 101), entry(1, 101).replace("\"product_id\":101", "\"product_id\":[101]")),
                List.of(entry(5, 101), entry(1, 101).replace("\"product_id\":101", "\"product_id\":{\"id\":101}")),
                List.of(entry(5, 101), entry(1, 101).replace("\"product_id\":101", "\"product_id\":NaN")),
                List.of(entry(5, 101).replace("\"product_id\":101", "\"product_id\":NaN"), entry(1, 101)),
                List.of(entry(5, 101).replace("\"window_end\":\"", "\"window_end\":true,\"x\":\""), entry(1, 101)),
                List.of(entry(5, true), entry(1, 101)),                             // a boolean and a number
                List.of(entry(5, 101), entry(1, false)),
                List.of(entry(5, 0), entry(1, false)),
                List.of(entry(5, true), entry(1, "true")),                          // a boolean and a string
                List.of(entry(5, "false"), entry(1, false)),
                List.of("[\"2026-01-01T00:50:00\",101]", entry(1, 101)),            // the end is not an object
                List.of("not json", entry(1, 101)),
                List.of(entry(5, 101), "{broken"));                                 // the value is not JSON
        for (int i = 0; i < cases.size(); i++) {
            String end = cases.get(i).get(0);
            String value = cases.get(i).get(1);
            String left = redis.key("by-fallback-l" + i);
            String right = redis.key("by-fallback-r" + i);
            redis.jedis().lpush(left, end);
            redis.jedis().rpush(right, end);
            assertEquals(0, writeValues(RedisCommand.LPUSH, BY_PRODUCT, 0, left, value), end + " <- " + value);
            assertEquals(0, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, right, value), end + " <- " + value);
            assertEquals(List.of(value, end), redis.jedis().lrange(left, 0, -1), end + " <- " + value);
            assertEquals(List.of(end, value), redis.jedis().lrange(right, 0, -1), end + " <- " + value);
        }
    }

    @Test
    void aFieldThatCannotBeComparedPushesEvenAfterAFieldThatDecides() throws Exception {
        // window 1 < window 5 would decide, but product_id is a string in one and a number in the other
        String k = redis.key("by-fallback-late");
        redis.jedis().rpush(k, entry(5, "101"));
        assertEquals(0, writeValues(RedisCommand.RPUSH, BY_PRODUCT, 0, k, entry(1, 101)));
        assertEquals(List.of(entry(5, "101"), entry(1, 101)), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void aSingleFieldHoldingNumbersIsComparedToo() throws Exception {
        // before, only string fields were compared: a numeric window_end pushed every value
        String k = redis.key("single-number");
        redis.jedis().lpush(k, "{\"window_end\":20260101}");
        assertEquals(1, writeValues(RedisCommand.LPUSH, "window_end", 0, k, "{\"window_end\":20251231}"));
        assertEquals(0, writeValues(RedisCommand.LPUSH, "window_end", 0, k, "{\"window_end\":20260102}"));
        assertEquals(List.of("{\"window_end\":20260102}", "{\"window_end\":20260101}"), redis.jedis().lrange(k, 0, -1));
    }

    @Test
    void theSinkTakesOnlyDistinctNonEmptyFieldNames() {
        for (List<String> fields : List.of(List.<String>of(), List.of(""), List.of("a", "a"), List.of("a,b"))) {
            assertThrows(IllegalArgumentException.class, () -> new RedisSink(TestRedis.connection(),
                    RedisCommand.LPUSH, 0, List.of("k", "v"), KEY_VALUE, fields), fields.toString());
        }
    }

    // ------------------------------------------------------------------------------------------

    /** The JSON entry uvpv writes for window n (10 minutes from 2026-01-01T00:00), with value n. */
    static String window(int n) {
        return String.format("{\"window_start\":\"2026-01-01T%02d:%02d:00\",\"window_end\":\"2026-01-01T%02d:%02d:00\",\"value\":%d}",
                (n - 1) * 10 / 60, (n - 1) * 10 % 60, n * 10 / 60, n * 10 % 60, n);
    }

    /**
     * The JSON entry uvpv writes for window n of a query with a "by" column: {@code product_id} (a JSON number
     * or boolean, or a JSON string when it is a String) between {@code window_end} and {@code value}.
     */
    static String entry(int window, Object productId) {
        String id = productId instanceof String ? "\"" + productId + "\"" : String.valueOf(productId);
        return window(window).replace(",\"value\":", ",\"product_id\":" + id + ",\"value\":");
    }

    /** Entries of {@link #entry}: window, product id, window, product id, ... */
    private static String[] entries(Object... windowsAndIds) {
        String[] values = new String[windowsAndIds.length / 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = entry((Integer) windowsAndIds[2 * i], windowsAndIds[2 * i + 1]);
        }
        return values;
    }

    private static List<String> reversed(String... values) {
        List<String> list = new ArrayList<>(List.of(values));
        Collections.reverse(list);
        return list;
    }

    private static String sha1(String script) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte x : digest) {
            hex.append(String.format("%02x", x));
        }
        return hex.toString();
    }

    /** @param fields the option's value: comma-separated field names, or null for no option */
    private static RedisSinkWriter writer(RedisCommand command, String fields, int ttl, int batchSize) throws IOException {
        RedisSink sink = new RedisSink(TestRedis.connection(), command, ttl, List.of("k", "v"), KEY_VALUE,
                fields == null ? null : List.of(fields.split(",")), RedisBufferFlush.withoutTimer(batchSize));
        return new RedisSinkWriter(sink, UnregisteredMetricsGroup.createSinkWriterMetricGroup(), new TestProcessingTimeService());
    }

    /** Writes windows with a fresh writer and flushes it; returns how many it skipped. */
    private static long write(RedisCommand command, String fields, int ttl, String key, int... windows) throws IOException {
        String[] values = new String[windows.length];
        for (int i = 0; i < windows.length; i++) {
            values[i] = window(windows[i]);
        }
        return writeValues(command, fields, ttl, key, values);
    }

    private static long writeValues(RedisCommand command, String fields, int ttl, String key, String... values) throws IOException {
        try (RedisSinkWriter writer = writer(command, fields, ttl, 500)) {
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
