package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.InstantiationUtil;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * {@code sink.member-cache.max-entries} in the writer, against the real Redis (see TestRedis): repeated
 * sadd/pfadd members cost no command, and the cache never changes what Redis holds. Commands are counted
 * by the writer as it pipelines them (after merging), since other tests may use the same Redis at once.
 */
class RedisMemberCacheWriterTest extends WithTestRedis {
    private static final List<LogicalType> KEY_MEMBER = List.of(VarCharType.STRING_TYPE, VarCharType.STRING_TYPE);
    private static final int DEFAULT = RedisOptions.MEMBER_CACHE_MAX_ENTRIES.defaultValue();

    @Test
    void aRepeatedMemberCostsOneCommandAndIsCountedAsSkipped() throws Exception {
        String k = redis.key("uv");
        RecordingMetrics metrics = new RecordingMetrics();
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 0, 10, DEFAULT, metrics)) {
            for (int i = 0; i < 100; i++) {
                writer.write(row(RowKind.INSERT, k, "u" + (i % 5)), null);
            }
            writer.flush(false);
            // the first 5 rows are queued (and merged into one SADD); the other 95 are known
            assertEquals(1, writer.commandsSent());
            assertEquals(95, writer.membersSkipped());
            assertEquals(95, metrics.counters.get(RedisSinkMetrics.MEMBERS_SKIPPED).getCount());
            assertEquals(5, writer.memberCache().size());
            writer.write(row(RowKind.INSERT, k, "u1"), null);
            writer.write(row(RowKind.INSERT, k, "u5"), null);
            writer.flush(false);
            assertEquals(2, writer.commandsSent(), "only u5 is new");
        }
        assertEquals(Set.of("u0", "u1", "u2", "u3", "u4", "u5"), redis.jedis().smembers(k));
    }

    @Test
    void pfaddSkipsElementsItAlreadyAdded() throws Exception {
        String k = redis.key("hll");
        try (RedisSinkWriter writer = writer(RedisCommand.PFADD, 0, 3, DEFAULT, new RecordingMetrics())) {
            for (int i = 0; i < 30; i++) {
                writer.write(row(RowKind.INSERT, k, "u" + (i % 3)), null);
            }
            writer.flush(false);
            assertEquals(1, writer.commandsSent());
            assertEquals(27, writer.membersSkipped());
        }
        assertEquals(3, redis.jedis().pfcount(k));
    }

    @Test
    void anEvictedMemberIsWrittenAgainAndRedisKeepsEveryMember() throws Exception {
        String k = redis.key("evicted");
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 0, 1, 2, new RecordingMetrics())) {
            for (String member : List.of("a", "b", "c")) {
                writer.write(row(RowKind.INSERT, k, member), null);
            }
            assertEquals(3, writer.commandsSent());
            assertEquals(2, writer.memberCache().size(), "a, the least recently used, was evicted");
            writer.write(row(RowKind.INSERT, k, "a"), null);
            assertEquals(4, writer.commandsSent(), "a is written again");
            writer.write(row(RowKind.INSERT, k, "c"), null);
            assertEquals(4, writer.commandsSent(), "c is still known");
            assertEquals(1, writer.membersSkipped());
        }
        assertEquals(Set.of("a", "b", "c"), redis.jedis().smembers(k));
    }

    @Test
    void aDeletedMemberIsForgottenAtOnceSoALaterRowAddsItAgain() throws Exception {
        String k = redis.key("deleted");
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 0, 500, DEFAULT, new RecordingMetrics())) {
            writer.write(row(RowKind.INSERT, k, "a"), null);
            writer.write(row(RowKind.DELETE, k, "a"), null);
            writer.flush(false);
            assertEquals(Set.of(), redis.jedis().smembers(k), "the add and the remove were in one batch");
            writer.write(row(RowKind.INSERT, k, "a"), null);
            writer.flush(false);
            assertEquals(Set.of("a"), redis.jedis().smembers(k));
            writer.write(row(RowKind.DELETE, k, "a"), null);
            writer.write(row(RowKind.INSERT, k, "a"), null);
            writer.write(row(RowKind.INSERT, k, "a"), null);
            writer.flush(false);
            assertEquals(Set.of("a"), redis.jedis().smembers(k));
            assertEquals(1, writer.membersSkipped(), "only the second add after the remove");
            writer.write(row(RowKind.INSERT, k, "a"), null);
            assertEquals(2, writer.membersSkipped());
        }
    }

    @Test
    void aFailedBatchAddsNoMemberToTheCacheSoTheyAreSentAgain() throws Exception {
        String good = redis.key("good");
        String bad = redis.key("bad");
        redis.jedis().set(bad, "a string");
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 0, 500, DEFAULT, new RecordingMetrics())) {
            writer.write(row(RowKind.INSERT, good, "m"), null);
            writer.write(row(RowKind.INSERT, good, "m"), null);
            writer.write(row(RowKind.INSERT, bad, "x"), null);
            IOException e = assertThrows(IOException.class, () -> writer.flush(false));
            assertEquals("Redis at " + TestRedis.ADDRESS + " rejected SADD for key '" + bad + "' (sink command 'sadd'): "
                    + "WRONGTYPE Operation against a key holding the wrong kind of value", e.getMessage());
            assertEquals(0, writer.memberCache().size());
            long sent = writer.commandsSent();
            redis.jedis().srem(good, "m"); // as if the failed batch had not reached Redis
            writer.write(row(RowKind.INSERT, good, "m"), null);
            writer.flush(false);
            assertEquals(sent + 1, writer.commandsSent(), "m is sent again");
            assertEquals(1, writer.membersSkipped(), "only the repeat within the failed batch");
        }
        assertEquals(Set.of("m"), redis.jedis().smembers(good));
    }

    @Test
    void aMemberRemovedAndAddedAgainInABatchThatFailsIsSentAgainAfterIt() throws Exception {
        String good = redis.key("readded");
        String bad = redis.key("readded-bad");
        redis.jedis().set(bad, "a string");
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 0, 500, DEFAULT, new RecordingMetrics())) {
            writer.write(row(RowKind.INSERT, good, "m"), null);
            writer.flush(false);
            writer.write(row(RowKind.DELETE, good, "m"), null);
            writer.write(row(RowKind.INSERT, good, "m"), null);
            writer.write(row(RowKind.INSERT, bad, "x"), null);
            assertThrows(IOException.class, () -> writer.flush(false));
            RedisStringMemberCache cache = (RedisStringMemberCache) writer.memberCache();
            assertFalse(cache.contains(good, "m"), "the failed batch's re-add is forgotten, not kept as written");
            long sent = writer.commandsSent();
            writer.write(row(RowKind.INSERT, good, "m"), null);
            writer.flush(false);
            assertEquals(sent + 1, writer.commandsSent(), "m is sent again");
        }
        assertEquals(Set.of("m"), redis.jedis().smembers(good));
    }

    @Test
    void zeroTurnsTheCacheOff() throws Exception {
        String k = redis.key("off");
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 0, 2, 0, new RecordingMetrics())) {
            assertNull(writer.memberCache());
            for (int i = 0; i < 6; i++) {
                writer.write(row(RowKind.INSERT, k, "m"), null);
            }
            assertEquals(3, writer.commandsSent(), "each batch of 2 rows is one merged SADD");
            assertEquals(0, writer.membersSkipped());
        }
        assertEquals(Set.of("m"), redis.jedis().smembers(k));
    }

    @Test
    void withATtlEveryRowIsWrittenSoAnExpiredKeyGetsItsMembersBack() throws Exception {
        String k = redis.key("ttl");
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, 300, 1, DEFAULT, new RecordingMetrics())) {
            assertNull(writer.memberCache());
            writer.write(row(RowKind.INSERT, k, "m"), null);
            redis.jedis().del(k); // as if it expired
            writer.write(row(RowKind.INSERT, k, "m"), null);
            assertEquals(4, writer.commandsSent(), "SADD and EXPIRE per row");
        }
        assertEquals(Set.of("m"), redis.jedis().smembers(k));
        assertTrue(redis.jedis().ttl(k) > 290);
    }

    @Test
    void otherCommandsHaveNoCache() throws Exception {
        RedisSink sink = new RedisSink(TestRedis.connection(), RedisCommand.SET, 0, List.of("k", "v"), KEY_MEMBER);
        try (RedisSinkWriter writer = new RedisSinkWriter(sink, new RecordingMetrics(), new TestProcessingTimeService())) {
            assertNull(writer.memberCache());
        }
    }

    @Test
    void rowsOfOneBatchGoOutAsOneCommandPerKey() throws Exception {
        String a = redis.key("hash-a");
        String b = redis.key("hash-b");
        List<LogicalType> types = List.of(VarCharType.STRING_TYPE, VarCharType.STRING_TYPE, VarCharType.STRING_TYPE);
        RedisSink sink = new RedisSink(TestRedis.connection(), RedisCommand.HSET, 0, List.of("k", "f", "v"), types, null,
                RedisBufferFlush.withoutTimer(500));
        try (RedisSinkWriter writer = new RedisSinkWriter(sink, new RecordingMetrics(), new TestProcessingTimeService())) {
            writer.write(row(RowKind.INSERT, a, "f", "1"), null);
            writer.write(row(RowKind.INSERT, b, "f", "1"), null);
            writer.write(row(RowKind.INSERT, a, "g", "1"), null);
            writer.write(row(RowKind.UPDATE_AFTER, a, "f", "2"), null);
            writer.flush(false);
            assertEquals(2, writer.commandsSent());
            assertNull(writer.memberCache());
        }
        assertEquals(Map.of("f", "2", "g", "1"), redis.jedis().hgetAll(a), "the last write of a field wins");
        assertEquals(Map.of("f", "1"), redis.jedis().hgetAll(b));
    }

    /**
     * A sink planned by a build without the member cache, restarting on a TaskManager with this one (Java
     * serialization leaves the missing field null): it runs with the default cache.
     */
    @Test
    void aSinkSerializedWithoutTheCacheSettingRunsWithTheDefault() throws Exception {
        RedisSink planned = new RedisSink(TestRedis.connection(), RedisCommand.SADD, 0, List.of("k", "m"), KEY_MEMBER);
        java.lang.reflect.Field field = RedisSink.class.getDeclaredField("memberCacheMaxEntries");
        field.setAccessible(true);
        field.set(planned, null);
        RedisSink restored = InstantiationUtil.clone(planned);
        assertEquals(DEFAULT, restored.memberCacheMaxEntries());
        try (RedisSinkWriter writer = new RedisSinkWriter(restored, new RecordingMetrics(), new TestProcessingTimeService())) {
            assertNotNull(writer.memberCache());
            assertEquals(DEFAULT, writer.memberCache().capacity());
            String k = redis.key("old-plan");
            writer.write(row(RowKind.INSERT, k, "m"), null);
            writer.write(row(RowKind.INSERT, k, "m"), null);
            writer.flush(false);
            assertEquals(1, writer.membersSkipped());
        }
        assertEquals(Set.of("m"), redis.jedis().smembers(redis.key("old-plan")));
    }

    @Test
    void aSinkRejectsANegativeBound() {
        assertThrows(IllegalArgumentException.class, () -> new RedisSink(TestRedis.connection(), RedisCommand.SADD, 0,
                List.of("k", "m"), KEY_MEMBER, null, RedisBufferFlush.DEFAULT, -1));
        RedisSink sink = new RedisSink(TestRedis.connection(), RedisCommand.SADD, 0, List.of("k", "m"), KEY_MEMBER, null,
                RedisBufferFlush.DEFAULT, 5);
        assertSame(RedisBufferFlush.DEFAULT, sink.bufferFlush());
        assertEquals(5, sink.memberCacheMaxEntries());
    }

    /**
     * The same rows, once with a BIGINT member column (read and cached as longs) and once with the member
     * as a decimal STRING (what CAST(... AS STRING) gives): adds, repeats, DELETE rows, NULL members and
     * negative ids, over batches of 7 rows, from a cache small enough to evict. Redis ends up with the
     * same members. With one set (4 entries or fewer) the cache is a plain LRU, so the two writers also
     * skip the same rows; with more sets, which pairs share a set depends on the variant's hash. With
     * 128 entries the long members are held as bits (two pages: -4,096 to 4,095).
     */
    @Test
    void anIntegralMemberColumnLeavesTheSameSetAsItsDecimalStrings() throws Exception {
        List<LogicalType> bigint = List.of(VarCharType.STRING_TYPE, new BigIntType());
        for (int[] entriesAndRange : new int[][] {{16, 81}, {4, 9}, {128, 81}}) {
            int entries = entriesAndRange[0];
            int range = entriesAndRange[1];
            String numeric = redis.key("numeric-" + entries);
            String text = redis.key("text-" + entries);
            Random random = new Random(7);
            try (RedisSinkWriter longs = writer(RedisCommand.SADD, bigint, 0, 7, entries, new RecordingMetrics());
                    RedisSinkWriter strings = writer(RedisCommand.SADD, KEY_MEMBER, 0, 7, entries, new RecordingMetrics())) {
                assertInstanceOf(RedisLongMemberCache.class, longs.memberCache());
                assertInstanceOf(RedisStringMemberCache.class, strings.memberCache());
                for (int i = 0; i < 3_000; i++) {
                    RowKind kind = random.nextInt(10) == 0 ? RowKind.DELETE : RowKind.INSERT;
                    Long member = random.nextInt(50) == 0 ? null : (long) (random.nextInt(range) - range / 2);
                    longs.write(GenericRowData.ofKind(kind, StringData.fromString(numeric), member), null);
                    strings.write(GenericRowData.ofKind(kind, StringData.fromString(text),
                            member == null ? null : StringData.fromString(member.toString())), null);
                }
                longs.flush(false);
                strings.flush(false);
                assertEquals(entries == 128, ((RedisLongMemberCache) longs.memberCache()).holdsBits());
                assertTrue(longs.membersSkipped() > 300, "the cache skips repeats: " + longs.membersSkipped());
                assertEquals(strings.nullRowsSkipped(), longs.nullRowsSkipped());
                assertTrue(longs.nullRowsSkipped() > 0);
                if (entries <= RedisMemberCache.WAYS) {
                    assertEquals(strings.membersSkipped(), longs.membersSkipped());
                    assertEquals(strings.commandsSent(), longs.commandsSent());
                }
            }
            Set<String> members = redis.jedis().smembers(numeric);
            assertEquals(redis.jedis().smembers(text), members);
            assertTrue(members.stream().anyMatch(m -> m.startsWith("-")), "negative members as decimal text: " + members);
            assertTrue(members.stream().allMatch(m -> m.equals(Long.toString(Long.parseLong(m)))), members.toString());
        }
    }

    @Test
    void everyIntegralTypeWritesItsDecimalTextAndSkipsRepeats() throws Exception {
        Map<LogicalType, List<Object>> values = Map.of(
                new TinyIntType(), List.of((byte) -7, (byte) 42, (byte) -7),
                new SmallIntType(), List.of((short) -7, (short) 42, (short) -7),
                new IntType(), List.of(-7, 42, -7),
                new BigIntType(), List.of(-7L, 42L, -7L));
        for (Map.Entry<LogicalType, List<Object>> type : values.entrySet()) {
            String k = redis.key("type-" + type.getKey().asSummaryString());
            try (RedisSinkWriter writer = writer(RedisCommand.SADD, List.of(VarCharType.STRING_TYPE, type.getKey()), 0, 500,
                    DEFAULT, new RecordingMetrics())) {
                assertInstanceOf(RedisLongMemberCache.class, writer.memberCache());
                for (Object member : type.getValue()) {
                    writer.write(GenericRowData.of(StringData.fromString(k), member), null);
                }
                writer.flush(false);
                assertEquals(1, writer.membersSkipped(), type.getKey().toString());
            }
            assertEquals(Set.of("-7", "42"), redis.jedis().smembers(k), type.getKey().toString());
        }
    }

    @Test
    void pfaddOfAnIntegralColumnSkipsElementsItAlreadyAdded() throws Exception {
        String k = redis.key("hll-int");
        try (RedisSinkWriter writer = writer(RedisCommand.PFADD, List.of(VarCharType.STRING_TYPE, new IntType()), 0, 3,
                DEFAULT, new RecordingMetrics())) {
            for (int i = 0; i < 30; i++) {
                writer.write(GenericRowData.of(StringData.fromString(k), i % 3), null);
            }
            writer.flush(false);
            assertEquals(1, writer.commandsSent());
            assertEquals(27, writer.membersSkipped());
        }
        String same = redis.key("hll-text");
        redis.jedis().pfadd(same, "0", "1", "2");
        assertArrayEquals(redis.jedis().get(same.getBytes(StandardCharsets.UTF_8)),
                redis.jedis().get(k.getBytes(StandardCharsets.UTF_8)), "the HyperLogLog of the three decimal strings");
        assertEquals(3, redis.jedis().pfcount(k));
    }

    @Test
    void aFailedBatchForgetsTheIntegralMembersItQueued() throws Exception {
        String good = redis.key("good-int");
        String bad = redis.key("bad-int");
        redis.jedis().set(bad, "a string");
        List<LogicalType> types = List.of(VarCharType.STRING_TYPE, new BigIntType());
        try (RedisSinkWriter writer = writer(RedisCommand.SADD, types, 0, 500, DEFAULT, new RecordingMetrics())) {
            writer.write(GenericRowData.of(StringData.fromString(good), 5L), null);
            writer.write(GenericRowData.of(StringData.fromString(good), 5L), null);
            writer.write(GenericRowData.of(StringData.fromString(bad), 6L), null);
            assertThrows(IOException.class, () -> writer.flush(false));
            assertEquals(0, writer.memberCache().size());
            long sent = writer.commandsSent();
            redis.jedis().srem(good, "5"); // as if the failed batch had not reached Redis
            writer.write(GenericRowData.of(StringData.fromString(good), 5L), null);
            writer.flush(false);
            assertEquals(sent + 1, writer.commandsSent(), "5 is sent again");
            assertEquals(1, writer.membersSkipped(), "only the repeat within the failed batch");
        }
        assertEquals(Set.of("5"), redis.jedis().smembers(good));
    }

    @Test
    void anIntegralColumnWithATtlOrWithoutTheCacheIsWrittenAsToday() throws Exception {
        String k = redis.key("int-ttl");
        List<LogicalType> types = List.of(VarCharType.STRING_TYPE, new IntType());
        for (int[] ttlAndEntries : new int[][] {{300, DEFAULT}, {0, 0}}) {
            try (RedisSinkWriter writer = writer(RedisCommand.SADD, types, ttlAndEntries[0], 500, ttlAndEntries[1],
                    new RecordingMetrics())) {
                assertNull(writer.memberCache());
                writer.write(GenericRowData.of(StringData.fromString(k), -3), null);
                writer.write(GenericRowData.of(StringData.fromString(k), -3), null);
                writer.write(GenericRowData.ofKind(RowKind.DELETE, StringData.fromString(k), -3), null);
                writer.write(GenericRowData.of(StringData.fromString(k), 8), null);
                writer.flush(false);
                assertEquals(0, writer.membersSkipped());
            }
            assertEquals(Set.of("8"), redis.jedis().smembers(k));
        }
        assertTrue(redis.jedis().ttl(k) > 290);
    }

    // ------------------------------------------------------------------------------------------

    /** A sadd/pfadd writer without a flush timer: batches of {@code maxRows} rows, and flush(). */
    private static RedisSinkWriter writer(RedisCommand command, int ttl, int maxRows, int cacheEntries,
            SinkWriterMetricGroup metrics) throws IOException {
        return writer(command, KEY_MEMBER, ttl, maxRows, cacheEntries, metrics);
    }

    /** As above, with these column types. */
    private static RedisSinkWriter writer(RedisCommand command, List<LogicalType> types, int ttl, int maxRows,
            int cacheEntries, SinkWriterMetricGroup metrics) throws IOException {
        RedisSink sink = new RedisSink(TestRedis.connection(), command, ttl, List.of("k", "m"), types, null,
                RedisBufferFlush.withoutTimer(maxRows), cacheEntries);
        return new RedisSinkWriter(sink, metrics, new TestProcessingTimeService());
    }

    private static RowData row(RowKind kind, String... fields) {
        Object[] values = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            values[i] = StringData.fromString(fields[i]);
        }
        return GenericRowData.ofKind(kind, values);
    }
}
