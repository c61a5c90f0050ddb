package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.CharType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Test;

import redis.clients.jedis.resps.Tuple;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The writer against the real Redis on 127.0.0.1:6379 (see TestRedis; database 14, keys of the test's own). */
class RedisSinkWriterTest extends WithTestRedis {
    private static final LogicalType STRING = VarCharType.STRING_TYPE;


    @Test
    void setWritesTheValueAndDeleteRemovesTheKey() throws Exception {
        String k = redis.key("set");
        write(RedisCommand.SET, 0, types(STRING, STRING),
                row(RowKind.INSERT, k, "1"), row(RowKind.UPDATE_BEFORE, k, "1"), row(RowKind.UPDATE_AFTER, k, "2"));
        assertEquals("2", redis.jedis().get(k));
        write(RedisCommand.SET, 0, types(STRING, STRING), row(RowKind.DELETE, k, "2"));
        assertFalse(redis.jedis().exists(k));
    }

    @Test
    void saddAddsMembersAndDeleteRemovesOne() throws Exception {
        String k = redis.key("sadd");
        write(RedisCommand.SADD, 0, types(STRING, STRING),
                row(RowKind.INSERT, k, "u1"), row(RowKind.INSERT, k, "u2"), row(RowKind.INSERT, k, "u2"),
                row(RowKind.UPDATE_BEFORE, k, "u3"), row(RowKind.DELETE, k, "u1"));
        assertEquals(Set.of("u2"), redis.jedis().smembers(k));
    }

    @Test
    void lpushAndRpushKeepRowOrderAndIgnoreDeletes() throws Exception {
        String left = redis.key("lpush");
        String right = redis.key("rpush");
        RowData[] rows = {
            row(RowKind.INSERT, left, "a"), row(RowKind.INSERT, left, "b"), row(RowKind.DELETE, left, "a"),
            row(RowKind.INSERT, left, "c")
        };
        write(RedisCommand.LPUSH, 0, types(STRING, STRING), rows);
        write(RedisCommand.RPUSH, 0, types(STRING, STRING), rekey(rows, right));
        assertEquals(List.of("c", "b", "a"), redis.jedis().lrange(left, 0, -1));
        assertEquals(List.of("a", "b", "c"), redis.jedis().lrange(right, 0, -1));
    }

    @Test
    void pfaddCountsDistinctElementsAndIgnoresDeletes() throws Exception {
        String k = redis.key("pfadd");
        write(RedisCommand.PFADD, 0, types(STRING, STRING),
                row(RowKind.INSERT, k, "u1"), row(RowKind.INSERT, k, "u2"), row(RowKind.INSERT, k, "u1"),
                row(RowKind.DELETE, k, "u2"), row(RowKind.INSERT, k, "u3"));
        assertEquals(3, redis.jedis().pfcount(k));
    }

    @Test
    void hsetWritesFieldsAndDeleteRemovesOne() throws Exception {
        String k = redis.key("hset");
        write(RedisCommand.HSET, 0, types(STRING, STRING, new BigIntType()),
                row(RowKind.INSERT, k, "w1", 5L), row(RowKind.INSERT, k, "w2", 7L),
                row(RowKind.UPDATE_AFTER, k, "w1", 6L), row(RowKind.DELETE, k, "w2", 7L));
        assertEquals(Map.of("w1", "6"), redis.jedis().hgetAll(k));
    }

    @Test
    void zaddIncrbyAndHincrbyUndoTheirDeletes() throws Exception {
        String z = redis.key("zadd");
        String n = redis.key("incrby");
        String h = redis.key("hincrby");
        write(RedisCommand.ZADD, 0, types(STRING, new DoubleType(), STRING),
                row(RowKind.INSERT, z, 1.5d, "m1"), row(RowKind.INSERT, z, 2d, "m2"), row(RowKind.DELETE, z, 2d, "m2"));
        write(RedisCommand.INCRBY, 0, types(STRING, new BigIntType()),
                row(RowKind.INSERT, n, 10L), row(RowKind.INSERT, n, 5L), row(RowKind.DELETE, n, 3L));
        write(RedisCommand.HINCRBY, 0, types(STRING, STRING, new IntType()),
                row(RowKind.INSERT, h, "f", 10), row(RowKind.DELETE, h, "f", 4), row(RowKind.DELETE, h, "f", -1),
                row(RowKind.DELETE, h, "f", 0));
        assertEquals(List.of("m1"), redis.jedis().zrange(z, 0, -1));
        assertEquals(1.5d, redis.jedis().zscore(z, "m1"));
        assertEquals("12", redis.jedis().get(n));
        assertEquals("7", redis.jedis().hget(h, "f"));
    }

    @Test
    void zaddWritesKeyScoreMemberAndDeleteRemovesTheMember() throws Exception {
        String k = redis.key("zadd-rows");
        write(RedisCommand.ZADD, 0, types(STRING, new BigIntType(), STRING),
                row(RowKind.INSERT, k, 3L, "c"), row(RowKind.INSERT, k, 1L, "a"), row(RowKind.INSERT, k, 2L, "b"),
                row(RowKind.UPDATE_BEFORE, k, 2L, "b"), row(RowKind.UPDATE_AFTER, k, 5L, "b"),
                row(RowKind.DELETE, k, 99L, "a"));
        // UPDATE_BEFORE is dropped, UPDATE_AFTER sets b's new score, DELETE is ZREM by member (whatever its score)
        assertEquals(List.of("c=3.0", "b=5.0"), zrangeWithScores(k));
    }

    @Test
    void zaddTakesEveryNumericScoreTypeAndStringsHoldingANumber() throws Exception {
        Map<LogicalType, Object[]> scores = new LinkedHashMap<>();
        scores.put(new TinyIntType(), new Object[] {(byte) -7, -7d});
        scores.put(new SmallIntType(), new Object[] {(short) 300, 300d});
        scores.put(new IntType(), new Object[] {42, 42d});
        scores.put(new BigIntType(), new Object[] {1735725600123L, 1735725600123d});
        scores.put(new FloatType(), new Object[] {0.1f, 0.1d});
        scores.put(new DoubleType(), new Object[] {-2.5d, -2.5d});
        scores.put(new DecimalType(10, 8), new Object[] {DecimalData.fromBigDecimal(new BigDecimal("0.00000001"), 10, 8), 1e-8});
        scores.put(new DecimalType(20, 2), new Object[] {DecimalData.fromBigDecimal(new BigDecimal("12345.50"), 20, 2), 12345.5d});
        scores.put(STRING, new Object[] {"1.5e3", 1500d});
        scores.put(new CharType(2), new Object[] {"-1", -1d});
        int n = 0;
        for (Map.Entry<LogicalType, Object[]> score : scores.entrySet()) {
            String k = redis.key("zadd-score-" + n++);
            write(RedisCommand.ZADD, 0, types(STRING, score.getKey(), STRING), row(RowKind.INSERT, k, score.getValue()[0], "m"));
            assertEquals(score.getValue()[1], redis.jedis().zscore(k, "m"), score.getKey().asSummaryString());
        }
    }

    @Test
    void zaddReplayedRowsChangeNothing() throws Exception {
        String k = redis.key("zadd-replay");
        RowData[] rows = {
            row(RowKind.INSERT, k, 10d, "home"), row(RowKind.INSERT, k, 4d, "cart"), row(RowKind.INSERT, k, 7d, "pay")
        };
        write(RedisCommand.ZADD, 300, types(STRING, new DoubleType(), STRING), rows);
        List<String> first = zrangeWithScores(k);
        assertEquals(List.of("cart=4.0", "pay=7.0", "home=10.0"), first);
        // after a restore, Flink replays the rows since the last checkpoint: ZADD sets the same scores again
        write(RedisCommand.ZADD, 300, types(STRING, new DoubleType(), STRING), rows);
        assertEquals(first, zrangeWithScores(k));
        long ttl = redis.jedis().ttl(k);
        assertTrue(ttl > 290 && ttl <= 300, "ttl " + ttl);
    }

    @Test
    void zaddRowsWithANullKeyScoreOrMemberAreSkippedAndCounted() throws Exception {
        String k = redis.key("zadd-nulls");
        try (RedisSinkWriter writer = writer(RedisCommand.ZADD, 0, types(STRING, new DoubleType(), STRING), 500)) {
            writer.write(row(RowKind.INSERT, null, 1d, "m"), null);
            writer.write(row(RowKind.INSERT, k, null, "m"), null);
            writer.write(row(RowKind.INSERT, k, 1d, null), null);
            writer.write(row(RowKind.DELETE, k, null, "ok"), null);
            writer.write(row(RowKind.INSERT, k, 2d, "ok"), null);
            writer.flush(true);
            assertEquals(4, writer.nullRowsSkipped());
        }
        assertEquals(List.of("ok=2.0"), zrangeWithScores(k));
    }

    @Test
    void aZaddScoreThatIsNotANumberFailsWithTheCommandAndTheKey() throws Exception {
        String k = redis.key("zadd-nan");
        try (RedisSinkWriter writer = writer(RedisCommand.ZADD, 0, types(STRING, STRING, STRING), 500)) {
            writer.write(row(RowKind.INSERT, k, "1", "ok"), null);
            writer.write(row(RowKind.INSERT, k, "twelve", "m"), null);
            IOException e = assertThrows(IOException.class, () -> writer.flush(false));
            assertEquals("Redis at " + TestRedis.ADDRESS + " rejected ZADD for key '" + k + "' (sink command 'zadd'): "
                    + "ERR value is not a valid float", e.getMessage());
        }
    }

    @Test
    void delDeletesTheKeyAndIgnoresDeleteRows() throws Exception {
        String gone = redis.key("del-gone");
        String kept = redis.key("del-kept");
        redis.jedis().set(gone, "x");
        redis.jedis().set(kept, "x");
        write(RedisCommand.DEL, 0, types(STRING), row(RowKind.INSERT, gone), row(RowKind.DELETE, kept));
        assertFalse(redis.jedis().exists(gone));
        assertTrue(redis.jedis().exists(kept));
    }

    @Test
    void ttlExpiresEveryWrittenKeyButNotAfterADelete() throws Exception {
        String s = redis.key("ttl-set");
        String set = redis.key("ttl-sadd");
        String hash = redis.key("ttl-hset");
        write(RedisCommand.SET, 300, types(STRING, STRING), row(RowKind.INSERT, s, "v"));
        write(RedisCommand.SADD, 300, types(STRING, STRING), row(RowKind.INSERT, set, "a"), row(RowKind.INSERT, set, "b"));
        write(RedisCommand.HSET, 300, types(STRING, STRING, STRING), row(RowKind.INSERT, hash, "f", "v"));
        for (String k : List.of(s, set, hash)) {
            long ttl = redis.jedis().ttl(k);
            assertTrue(ttl > 290 && ttl <= 300, k + " has TTL " + ttl);
        }
        redis.jedis().persist(set);
        write(RedisCommand.SADD, 300, types(STRING, STRING), row(RowKind.DELETE, set, "a"));
        assertEquals(-1, redis.jedis().ttl(set), "a DELETE row sends no EXPIRE");
        assertEquals(Set.of("b"), redis.jedis().smembers(set));
    }

    @Test
    void valuesAreWrittenAsJeffZouDoes() throws Exception {
        String k = redis.key("types");
        List<LogicalType> types = List.of(STRING, new DecimalType(10, 8), new DecimalType(20, 2), new TimestampType(3),
                new LocalZonedTimestampType(3), new BooleanType(), new DoubleType(), new DateType(), new VarBinaryType(10));
        RedisValueFormat.ColumnReader[] readers = new RedisValueFormat.ColumnReader[types.size()];
        for (int i = 0; i < readers.length; i++) {
            readers[i] = RedisValueFormat.reader(types.get(i), i);
        }
        long millis = 1735725600123L; // 2025-01-01T10:00:00.123Z
        RowData row = GenericRowData.of(
                StringData.fromString(k),
                DecimalData.fromBigDecimal(new BigDecimal("0.00000001"), 10, 8),
                DecimalData.fromBigDecimal(new BigDecimal("12345678901234567.5"), 20, 2),
                TimestampData.fromEpochMillis(millis),
                TimestampData.fromEpochMillis(millis),
                true,
                0.25d,
                (int) LocalDate.of(2025, 1, 1).toEpochDay(),
                new byte[] {1, 2, 3});
        List<String> actual = new ArrayList<>();
        for (RedisValueFormat.ColumnReader reader : readers) {
            actual.add(reader.read(row));
        }
        assertEquals(List.of(k, "0.00000001", "12345678901234567.50", "1735725600123", "1735725600123", "true", "0.25",
                "20089", "AQID"), actual);

        // and through Redis: a DECIMAL value of a set is its plain form, never 1E-8
        write(RedisCommand.SET, 0, types(STRING, new DecimalType(10, 8)),
                row(RowKind.INSERT, k, DecimalData.fromBigDecimal(new BigDecimal("0.00000001"), 10, 8)));
        assertEquals("0.00000001", redis.jedis().get(k));
    }

    @Test
    void rowsWithANullKeyOrValueAreSkippedAndCounted() throws Exception {
        String k = redis.key("nulls");
        try (RedisSinkWriter writer = writer(RedisCommand.HSET, 0, types(STRING, STRING, STRING), 500)) {
            writer.write(row(RowKind.INSERT, null, "f", "v"), null);
            writer.write(row(RowKind.INSERT, k, null, "v"), null);
            writer.write(row(RowKind.INSERT, k, "f", null), null);
            writer.write(row(RowKind.DELETE, k, null, "v"), null);
            writer.write(row(RowKind.INSERT, k, "ok", "v"), null);
            writer.flush(true);
            assertEquals(4, writer.nullRowsSkipped());
        }
        assertEquals(Map.of("ok", "v"), redis.jedis().hgetAll(k));
    }

    @Test
    void commandsReachRedisEveryBatchAndAtFlush() throws Exception {
        String k1 = redis.key("batch-1");
        String k2 = redis.key("batch-2");
        String k3 = redis.key("batch-3");
        try (RedisSinkWriter writer = writer(RedisCommand.SET, 0, types(STRING, STRING), 2)) {
            writer.write(row(RowKind.INSERT, k1, "1"), null);
            assertNull(redis.jedis().get(k1), "queued, not yet sent");
            writer.write(row(RowKind.INSERT, k2, "2"), null);
            assertEquals("1", redis.jedis().get(k1), "a full batch is sent at once");
            assertEquals("2", redis.jedis().get(k2));
            writer.write(row(RowKind.INSERT, k3, "3"), null);
            assertNull(redis.jedis().get(k3));
            writer.flush(true); // what Flink calls at end of input and before each checkpoint
            assertEquals("3", redis.jedis().get(k3));
        }
    }

    @Test
    void aRedisErrorFailsWithTheCommandAndTheKey() throws Exception {
        String k = redis.key("wrongtype");
        redis.jedis().set(k, "a string");
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 0, types(STRING, STRING), 500)) {
            writer.write(row(RowKind.INSERT, k, "m"), null);
            IOException e = assertThrows(IOException.class, () -> writer.flush(false));
            assertEquals("Redis at " + TestRedis.ADDRESS + " rejected SADD for key '" + k + "' (sink command 'sadd'): "
                    + "WRONGTYPE Operation against a key holding the wrong kind of value", e.getMessage());
        }
    }

    @Test
    void anUnreachableRedisFailsAfterThreeAttempts() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = free.getLocalPort();
        }
        RedisConnectionConfig closed = new RedisConnectionConfig("127.0.0.1", port, "pw-never-shown", 0, 500);
        RedisSink sink = new RedisSink(closed, RedisCommand.SET, 0, List.of("k", "v"), types(STRING, STRING));
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> new RedisSinkWriter(sink, metrics(), new TestProcessingTimeService()));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().startsWith(
                "Failed to connect to Redis at 127.0.0.1:" + port + " (database 0) after 3 attempts: "), e.getMessage());
        assertTrue(ms >= 600, "backs off 200 + 400 ms between attempts, took " + ms + " ms");
        assertFalse(FactoryTestSupport.fullText(e).contains("pw-never-shown"));
    }

    @Test
    void aRejectedPasswordFailsAtOnceAndIsNeverShown() {
        String password = "s3cret-" + redis.prefix();
        RedisConnectionConfig auth = new RedisConnectionConfig(TestRedis.HOST, TestRedis.PORT, password, TestRedis.DATABASE, 2000);
        RedisSink sink = new RedisSink(auth, RedisCommand.SET, 0, List.of("k", "v"), types(STRING, STRING));
        IOException e = assertThrows(IOException.class, () -> new RedisSinkWriter(sink, metrics(), new TestProcessingTimeService()));
        assertTrue(e.getMessage().startsWith("Failed to connect to Redis at " + TestRedis.ADDRESS + " (database 14) after 1 attempt: "),
                e.getMessage());
        assertFalse(FactoryTestSupport.fullText(e).contains(password), FactoryTestSupport.fullText(e));
        assertEquals(TestRedis.ADDRESS + "/14 (password set)", auth.toString());
        assertFalse(sink.toString().contains(password));
    }

    // ------------------------------------------------------------------------------------------

    /** ZRANGE key 0 -1 WITHSCORES, as "member=score" in score order. */
    private List<String> zrangeWithScores(String key) {
        List<String> out = new ArrayList<>();
        for (Tuple t : redis.jedis().zrangeWithScores(key, 0, -1)) {
            out.add(t.getElement() + "=" + t.getScore());
        }
        return out;
    }

    private static List<LogicalType> types(LogicalType... types) {
        return Arrays.asList(types);
    }

    private static SinkWriterMetricGroup metrics() {
        return UnregisteredMetricsGroup.createSinkWriterMetricGroup();
    }

    private static RedisSinkWriter writer(RedisCommand command, int ttl, List<LogicalType> types, int batchSize)
            throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < types.size(); i++) {
            names.add("c" + i);
        }
        RedisSink sink = new RedisSink(TestRedis.connection(), command, ttl, names, types, null,
                RedisBufferFlush.withoutTimer(batchSize));
        return new RedisSinkWriter(sink, metrics(), new TestProcessingTimeService());
    }

    /** Writes the rows with a fresh writer, then flushes it as Flink does at end of input. */
    private static void write(RedisCommand command, int ttl, List<LogicalType> types, RowData... rows) throws Exception {
        try (RedisSinkWriter writer = writer(command, ttl, types, 500)) {
            for (RowData row : rows) {
                writer.write(row, null);
            }
            writer.flush(true);
        }
    }

    /** A row of the given kind; Strings become StringData. */
    private static RowData row(RowKind kind, Object... fields) {
        Object[] values = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            values[i] = fields[i] instanceof String ? StringData.fromString((String) fields[i]) : fields[i];
        }
        return GenericRowData.ofKind(kind, values);
    }

    private static RowData[] rekey(RowData[] rows, String key) {
        RowData[] out = new RowData[rows.length];
        for (int i = 0; i < rows.length; i++) {
            GenericRowData r = (GenericRowData) rows[i];
            out[i] = GenericRowData.ofKind(r.getRowKind(), StringData.fromString(key), r.getField(1));
        }
        return out;
    }
}
