package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.resps.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * SQL jobs on a local Flink (MiniCluster) writing through {@code 'connector' = 'redis'} into the real
 * Redis on 127.0.0.1:6379, database 14. Redis is read right after the job is FINISHED, as
 * {@code uvpv verify} does, except in the tests of {@code sink.buffer-flush.interval}, whose sources never
 * end. Checkpointing is off: nothing but the sink's own batches and timer sends a row before the end.
 */
class RedisSqlEndToEndTest {
    private TestRedis redis;
    private TableEnvironment tEnv;

    @BeforeEach
    void setUp() {
        redis = TestRedis.open();
        Configuration conf = new Configuration();
        conf.setString("parallelism.default", "1");
        conf.setString("restart-strategy.type", "none");
        conf.setString("table.local-time-zone", "UTC");
        tEnv = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
    }

    @AfterEach
    void tearDown() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void aStatementSetWritesEveryCommandBeforeTheJobFinishes() throws Exception {
        createSink("uv_sadd", "k STRING, v STRING", "'command' = 'sadd'");
        createSink("pv_set", "k STRING, v DECIMAL(10, 8)", "'command' = 'set', 'ttl' = '3600'");
        createSink("ts_set", "k STRING, v TIMESTAMP(3)", "'command' = 'set'");
        createSink("win_lpush", "k STRING, v STRING", "'command' = 'lpush', 'sink.parallelism' = '1'");
        createSink("pv_hset", "k STRING, f STRING, v BIGINT", "'command' = 'hset'");
        createSink("uv_pfadd", "k STRING, v INT", "'command' = 'pfadd'");
        tEnv.executeSql("CREATE TEMPORARY VIEW src AS SELECT * FROM (VALUES "
                + "(1, 'a', TIMESTAMP '2025-01-01 10:00:00.123'), (2, 'a', TIMESTAMP '2025-01-01 10:01:00'), "
                + "(1, 'b', TIMESTAMP '2025-01-01 10:02:00'), (CAST(NULL AS INT), 'b', TIMESTAMP '2025-01-01 10:03:00')"
                + ") AS t(user_id, page, ts)");

        String p = redis.prefix();
        TableResult result = tEnv.createStatementSet()
                .addInsertSql("INSERT INTO uv_sadd SELECT CONCAT('" + p + "uv:', page), CAST(user_id AS STRING) FROM src")
                .addInsertSql("INSERT INTO pv_set VALUES ('" + p + "pv', CAST(0.00000001 AS DECIMAL(10, 8)))")
                .addInsertSql("INSERT INTO ts_set SELECT '" + p + "ts', MIN(ts) FROM src")
                .addInsertSql("INSERT INTO win_lpush VALUES ('" + p + "win', 'w1'), ('" + p + "win', 'w2'), ('" + p + "win', 'w3')")
                .addInsertSql("INSERT INTO pv_hset SELECT '" + p + "pvh', page, COUNT(*) FROM src GROUP BY page")
                .addInsertSql("INSERT INTO uv_pfadd SELECT CONCAT('" + p + "hll:', page), user_id FROM src")
                .execute();
        result.await(60, TimeUnit.SECONDS);

        assertEquals(Set.of("1", "2"), redis.jedis().smembers(p + "uv:a"));
        assertEquals(Set.of("1"), redis.jedis().smembers(p + "uv:b"), "the NULL user_id row is skipped");
        assertEquals("0.00000001", redis.jedis().get(p + "pv"));
        long ttl = redis.jedis().ttl(p + "pv");
        assertTrue(ttl > 3500 && ttl <= 3600, "ttl " + ttl);
        assertEquals("1735725600123", redis.jedis().get(p + "ts"), "TIMESTAMP as epoch millis");
        assertEquals(List.of("w3", "w2", "w1"), redis.jedis().lrange(p + "win", 0, -1));
        assertEquals(Map.of("a", "2", "b", "2"), redis.jedis().hgetAll(p + "pvh"));
        assertEquals(2, redis.jedis().pfcount(p + "hll:a"));
        assertEquals(1, redis.jedis().pfcount(p + "hll:b"));
    }

    @Test
    void listPushIfNewerFieldSkipsTheWindowsAListAlreadyHas() throws Exception {
        String p = redis.prefix();
        // what the job wrote before it failed: windows 1..3
        for (int w = 1; w <= 3; w++) {
            redis.jedis().lpush(p + "lpush", RedisListPushIfNewerTest.window(w));
            redis.jedis().rpush(p + "rpush", RedisListPushIfNewerTest.window(w));
            redis.jedis().lpush(p + "plain", RedisListPushIfNewerTest.window(w));
        }
        createSink("win_lpush", "k STRING, v STRING",
                "'command' = 'lpush', 'list.push-if-newer-field' = 'window_end', 'sink.parallelism' = '1'");
        createSink("win_rpush", "k STRING, v STRING",
                "'command' = 'rpush', 'list.push-if-newer-field' = 'window_end', 'sink.parallelism' = '1'");
        createSink("win_plain", "k STRING, v STRING", "'command' = 'lpush', 'sink.parallelism' = '1'");
        // the restored job emits windows 2..5 again, the JSON built as uvpv's generated SQL builds it
        StringBuilder windows = new StringBuilder();
        for (int w = 2; w <= 5; w++) {
            windows.append(w == 2 ? "" : ", ").append(String.format("(TIMESTAMP '2026-01-01 %02d:%02d:00', %d)",
                    w * 10 / 60, w * 10 % 60, w));
        }
        tEnv.executeSql("CREATE TEMPORARY VIEW windows AS SELECT CONCAT('{\"window_start\":\"', "
                + "DATE_FORMAT(window_end - INTERVAL '10' MINUTE, 'yyyy-MM-dd''T''HH:mm:ss'), '\",\"window_end\":\"', "
                + "DATE_FORMAT(window_end, 'yyyy-MM-dd''T''HH:mm:ss'), '\",\"value\":', CAST(v AS STRING), '}') AS entry "
                + "FROM (VALUES " + windows + ") AS t(window_end, v)");
        tEnv.createStatementSet()
                .addInsertSql("INSERT INTO win_lpush SELECT '" + p + "lpush', entry FROM windows")
                .addInsertSql("INSERT INTO win_rpush SELECT '" + p + "rpush', entry FROM windows")
                .addInsertSql("INSERT INTO win_plain SELECT '" + p + "plain', entry FROM windows")
                .execute()
                .await(60, TimeUnit.SECONDS);

        List<String> increasing = new ArrayList<>();
        for (int w = 1; w <= 5; w++) {
            increasing.add(RedisListPushIfNewerTest.window(w));
        }
        List<String> decreasing = new ArrayList<>(increasing);
        Collections.reverse(decreasing);
        assertEquals(decreasing, redis.jedis().lrange(p + "lpush", 0, -1));
        assertEquals(increasing, redis.jedis().lrange(p + "rpush", 0, -1));
        assertEquals(7, redis.jedis().llen(p + "plain"), "without the option, windows 2 and 3 are pushed twice");
    }

    @Test
    void listPushIfNewerFieldWithTwoFieldsSkipsTheEntriesOfEachProductAListAlreadyHas() throws Exception {
        String p = redis.prefix();
        // what the job wrote before it failed: window 1 for products 101 and 102, window 2 for product 101
        List<String> before = List.of(RedisListPushIfNewerTest.entry(1, 101), RedisListPushIfNewerTest.entry(1, 102),
                RedisListPushIfNewerTest.entry(2, 101));
        for (String entry : before) {
            redis.jedis().rpush(p + "by", entry);
        }
        createSink("by_rpush", "k STRING, v STRING",
                "'command' = 'rpush', 'list.push-if-newer-field' = 'window_end, product_id', 'sink.parallelism' = '1'");
        // the restored job emits again from window 1, product 102, in (window_end, product_id) order
        int[][] rows = {{1, 102}, {2, 101}, {2, 102}, {3, 9}, {3, 101}};
        StringBuilder values = new StringBuilder();
        for (int[] row : rows) {
            values.append(values.length() == 0 ? "" : ", ").append(String.format(
                    "(TIMESTAMP '2026-01-01 %02d:%02d:00', %d, %d)", row[0] * 10 / 60, row[0] * 10 % 60, row[1], row[0]));
        }
        tEnv.executeSql("INSERT INTO by_rpush SELECT '" + p + "by', CONCAT('{\"window_start\":\"', "
                + "DATE_FORMAT(window_end - INTERVAL '10' MINUTE, 'yyyy-MM-dd''T''HH:mm:ss'), '\",\"window_end\":\"', "
                + "DATE_FORMAT(window_end, 'yyyy-MM-dd''T''HH:mm:ss'), '\",\"product_id\":', CAST(product_id AS STRING), "
                + "',\"value\":', CAST(v AS STRING), '}') FROM (VALUES " + values + ") AS t(window_end, product_id, v)")
                .await(60, TimeUnit.SECONDS);

        List<String> expected = new ArrayList<>(before);
        expected.add(RedisListPushIfNewerTest.entry(2, 102));
        expected.add(RedisListPushIfNewerTest.entry(3, 9));
        expected.add(RedisListPushIfNewerTest.entry(3, 101));
        assertEquals(expected, redis.jedis().lrange(p + "by", 0, -1));
    }

    @Test
    void anUpdatingQueryLeavesTheLatestValue() throws Exception {
        createSink("counts", "k STRING, v BIGINT", "'command' = 'set'");
        String p = redis.prefix();
        tEnv.executeSql("INSERT INTO counts SELECT CONCAT('" + p + "count:', k), COUNT(*) "
                + "FROM (VALUES ('a'), ('b'), ('a'), ('a')) AS t(k) GROUP BY k").await(60, TimeUnit.SECONDS);
        assertEquals("3", redis.jedis().get(p + "count:a"));
        assertEquals("1", redis.jedis().get(p + "count:b"));
    }

    @Test
    void zaddWritesAWindowTopNAndAnUpdatingCount() throws Exception {
        // 20 clicks, one a minute from 1970-01-01 00:00 (UTC): window 00:00 has home 5, cart 3, pay 2;
        // window 00:10 has pay 6, cart 3, home 1
        tEnv.executeSql("CREATE TEMPORARY TABLE clicks (id BIGINT, "
                + "page AS CASE WHEN id < 10 THEN CASE WHEN MOD(id, 10) < 5 THEN 'home' WHEN MOD(id, 10) < 8 THEN 'cart' "
                + "ELSE 'pay' END ELSE CASE WHEN MOD(id, 10) < 6 THEN 'pay' WHEN MOD(id, 10) < 7 THEN 'home' ELSE 'cart' END END, "
                + "ts AS TO_TIMESTAMP_LTZ(id * 60000, 3), WATERMARK FOR ts AS ts) WITH ('connector' = 'datagen', "
                + "'fields.id.kind' = 'sequence', 'fields.id.start' = '0', 'fields.id.end' = '19')");
        createSink("top_pages", "k STRING, pv BIGINT, page STRING", "'command' = 'zadd', 'ttl' = '3600'");
        createSink("page_counts", "k STRING, pv STRING, page STRING, extra INT", "'command' = 'zadd'");
        String p = redis.prefix();
        String topN = "INSERT INTO top_pages SELECT CONCAT('" + p + "top:', DATE_FORMAT(window_start, 'HH:mm')), pv, page "
                + "FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY pv DESC) AS rn "
                + "FROM (SELECT window_start, window_end, page, COUNT(*) AS pv "
                + "FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(ts), INTERVAL '10' MINUTES)) "
                + "GROUP BY window_start, window_end, page)) WHERE rn <= 2";
        // an updating query (INSERT and UPDATE_AFTER rows: the sink takes no UPDATE_BEFORE): each UPDATE_AFTER sets
        // the page's new score
        String counts = "INSERT INTO page_counts SELECT '" + p + "counts', CAST(COUNT(*) AS STRING), page, 0 "
                + "FROM clicks GROUP BY page";
        String plan = tEnv.explainSql(topN, ExplainDetail.CHANGELOG_MODE);
        assertTrue(plan.contains("WindowRank("), plan);
        assertEquals("[I]", sinkInputChangelogMode(plan), "a Window Top-N is append-only: " + plan);
        assertEquals("[I,UA]", sinkInputChangelogMode(tEnv.explainSql(counts, ExplainDetail.CHANGELOG_MODE)));
        tEnv.createStatementSet().addInsertSql(topN).addInsertSql(counts).execute().await(60, TimeUnit.SECONDS);

        assertEquals(List.of("cart=3.0", "home=5.0"), zrangeWithScores(p + "top:00:00"));
        assertEquals(List.of("cart=3.0", "pay=6.0"), zrangeWithScores(p + "top:00:10"));
        long ttl = redis.jedis().ttl(p + "top:00:10");
        assertTrue(ttl > 3500 && ttl <= 3600, "ttl " + ttl);
        assertEquals(List.of("cart=6.0", "home=6.0", "pay=8.0"), zrangeWithScores(p + "counts"));
    }

    @Test
    void aRedisErrorFailsTheJobNamingTheCommandAndKey() {
        String k = redis.key("wrongtype");
        redis.jedis().set(k, "a string");
        createSink("members", "k STRING, v STRING", "'command' = 'sadd'");
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> tEnv.executeSql("INSERT INTO members VALUES ('" + k + "', 'm')").await(60, TimeUnit.SECONDS));
        String text = FactoryTestSupport.fullText(e);
        assertTrue(text.contains("Redis at " + TestRedis.ADDRESS + " rejected SADD for key '" + k + "' (sink command 'sadd'): WRONGTYPE"),
                text);
    }

    @Test
    void aRowOfAnEndlessSourceReachesRedisWithoutACheckpoint() throws Exception {
        // One row a second. Without the flush timer (default 200 ms), a row would wait for a full batch (500 rows)
        // or until Jedis's 8 KB output buffer fills (about 90 of these SADDs): more than 80 s either way.
        tEnv.executeSql("CREATE TEMPORARY TABLE ticks (uid STRING) WITH ('connector' = 'datagen', "
                + "'rows-per-second' = '1', 'fields.uid.length' = '8')");
        createSink("fresh", "k STRING, uid STRING", "'command' = 'sadd'");
        String k = redis.key("fresh");
        TableResult result = tEnv.executeSql("INSERT INTO fresh SELECT '" + k + "', uid FROM ticks");
        JobClient job = result.getJobClient().orElseThrow();
        try {
            // the bound leaves room for the job's start on a busy machine
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (redis.jedis().scard(k) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(redis.jedis().scard(k) > 0, "no row reached Redis within 20 s of submitting the job");
            assertEquals(JobStatus.RUNNING, job.getJobStatus().get(10, TimeUnit.SECONDS), "the source never ends");
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRedisErrorInATimedFlushFailsTheJob() {
        String k = redis.key("wrongtype-timed");
        redis.jedis().set(k, "a string");
        tEnv.executeSql("CREATE TEMPORARY TABLE ticks (uid STRING) WITH ('connector' = 'datagen', "
                + "'rows-per-second' = '5', 'fields.uid.length' = '8')");
        createSink("members", "k STRING, uid STRING", "'command' = 'sadd'");
        // the source never ends and nothing checkpoints: only the timer's flush can meet the error
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> tEnv.executeSql("INSERT INTO members SELECT '" + k + "', uid FROM ticks").await(60, TimeUnit.SECONDS));
        String text = FactoryTestSupport.fullText(e);
        assertTrue(text.contains("Caught exception while processing timer."), text);
        assertTrue(text.contains("Redis at " + TestRedis.ADDRESS + " rejected SADD for key '" + k + "' (sink command 'sadd'): WRONGTYPE"),
                text);
    }

    @Test
    void aWrongPasswordFailsTheJobWithoutShowingIt() {
        String password = "pw-" + redis.prefix();
        createSink("guarded", "k STRING, v STRING", "'command' = 'set', 'password' = '" + password + "'");
        String explain = tEnv.explainSql("INSERT INTO guarded VALUES ('" + redis.key("x") + "', 'v')");
        assertFalse(explain.contains(password), explain);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> tEnv.executeSql("INSERT INTO guarded VALUES ('" + redis.key("x") + "', 'v')").await(60, TimeUnit.SECONDS));
        String text = FactoryTestSupport.fullText(e);
        assertTrue(text.contains("Failed to connect to Redis at " + TestRedis.ADDRESS + " (database 14) after 1 attempt: "), text);
        assertFalse(text.contains(password), text);
        assertFalse(redis.jedis().exists(redis.key("x")));
    }

    /** The changelogMode of the rows the sink gets: that of the node under the Sink in the physical plan. */
    private static String sinkInputChangelogMode(String plan) {
        String physical = plan.substring(plan.indexOf("== Optimized Physical Plan =="));
        String input = physical.split("\n")[2];
        return input.substring(input.lastIndexOf("changelogMode=") + "changelogMode=".length(), input.length() - 1);
    }

    /** ZRANGE key 0 -1 WITHSCORES, as "member=score" in score order. */
    private List<String> zrangeWithScores(String key) {
        List<String> out = new ArrayList<>();
        for (Tuple t : redis.jedis().zrangeWithScores(key, 0, -1)) {
            out.add(t.getElement() + "=" + t.getScore());
        }
        return out;
    }

    private void createSink(String name, String columns, String options) {
        tEnv.executeSql("CREATE TEMPORARY TABLE " + name + " (" + columns + ") WITH ('connector' = 'redis', "
                + "'redis-mode' = 'single', 'host' = '" + TestRedis.HOST + "', 'port' = '" + TestRedis.PORT + "', "
                + "'database' = '" + TestRedis.DATABASE + "', " + options + ")");
    }
}
