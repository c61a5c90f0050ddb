package dev.uvpv.redis;

import static dev.uvpv.redis.FactoryTestSupport.createSink;
import static dev.uvpv.redis.FactoryTestSupport.fullText;
import static dev.uvpv.redis.FactoryTestSupport.rootCause;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Planning-time behaviour: options, their validation messages, column checks; the password is never shown. */
class RedisDynamicTableSinkFactoryTest {
    private static final String PASSWORD = "pw-7f3a-never-shown";
    private static final String SENTINELS_PASSWORD = "sentinel-pw-91c2-never-shown";

    private static final Column K = Column.physical("k", DataTypes.STRING());
    private static final Column V = Column.physical("v", DataTypes.BIGINT());

    @Test
    void theFactoryIsFoundByItsIdentifier() {
        DynamicTableSinkFactory factory = FactoryUtil.discoverFactory(
                getClass().getClassLoader(), DynamicTableSinkFactory.class, "redis");
        assertInstanceOf(RedisDynamicTableSinkFactory.class, factory);
    }

    @Test
    void onlyCommandIsRequiredAndTheDefaultsAreJeffZous() {
        RedisSink sink = redisSink(createSink(options("command", "sadd"), K, V));
        assertEquals(RedisCommand.SADD, sink.command());
        assertEquals("127.0.0.1:6379/0", sink.connection().toString());
        assertEquals(0, sink.ttlSeconds());
        assertEquals(List.of("k", "v"), sink.columnNames());
        assertEquals(Optional.empty(), provider(createSink(options("command", "sadd"), K, V)).getParallelism());
    }

    @Test
    void everyOptionIsAccepted() {
        Map<String, String> options = options(
                "command", "HSET", "host", "localhost", "port", "6380", "password", PASSWORD, "database", "3",
                "redis-mode", "single", "timeout", "500", "ttl", "3600", "sink.parallelism", "2");
        DynamicTableSink table = createSink(options, K, Column.physical("f", DataTypes.STRING()), V,
                Column.physical("extra", DataTypes.ARRAY(DataTypes.INT())));
        RedisSink sink = redisSink(table);
        assertEquals(RedisCommand.HSET, sink.command());
        assertEquals("localhost:6380/3 (password set)", sink.connection().toString());
        assertEquals(3600, sink.ttlSeconds());
        assertEquals(List.of("k", "f", "v"), sink.columnNames(), "extra columns are ignored");
        assertEquals(Optional.of(2), provider(table).getParallelism());
        assertEquals("Redis[hset [k, f, v] -> localhost:6380/3 (password set), ttl 3600 s]", table.asSummaryString());
        assertFalse(table.asSummaryString().contains(PASSWORD));
    }

    @Test
    void theSinkTakesInsertsUpdateAftersAndDeletes() {
        DynamicTableSink table = createSink(options("command", "set"), K, V);
        assertEquals(
                List.of(RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE),
                List.copyOf(table.getChangelogMode(null).getContainedKinds()));
    }

    @Test
    void aMissingCommandIsRejected() {
        ValidationException e = fails(options("host", "127.0.0.1"), K, V);
        assertTrue(rootCause(e).getMessage().startsWith(
                "One or more required options are missing.\n\nMissing required options are:\n\ncommand"),
                rootCause(e).getMessage());
    }

    @Test
    void anUnknownOptionIsRejected() {
        ValidationException e = fails(options("command", "set", "set.if.absent", "true"), K, V);
        assertTrue(rootCause(e).getMessage().startsWith(
                "Unsupported options found for 'redis'.\n\nUnsupported options:\n\nset.if.absent\n"),
                rootCause(e).getMessage());
    }

    @Test
    void anUnknownRedisModeIsRejected() {
        assertEquals("Unsupported value 'replicated' for option 'redis-mode': expected 'single' (one server at "
                + "'host':'port'), 'cluster' (with 'cluster-nodes') or 'sentinel' (with 'sentinels.info' and 'master.name').",
                rootCause(fails(options("command", "set", "redis-mode", "replicated"), K, V)).getMessage());
        redisSink(createSink(options("command", "set", "redis-mode", "SINGLE"), K, V));
    }

    @Test
    void clusterModeTakesItsSeedNodesAndDatabaseZeroOnly() {
        RedisSink sink = redisSink(createSink(options("command", "set", "redis-mode", "Cluster",
                "cluster-nodes", "10.0.0.1:6379, 10.0.0.2:6380", "password", PASSWORD), K, V));
        assertEquals("cluster 10.0.0.1:6379,10.0.0.2:6380 (password set)", sink.connection().toString());
        assertEquals(RedisConnectionConfig.Mode.CLUSTER, sink.connection().mode());
        redisSink(createSink(options("command", "set", "redis-mode", "cluster", "cluster-nodes", "h:1", "database", "0"), K, V));
        assertEquals("Invalid value 2 for option 'database': a Redis Cluster ('redis-mode' = 'cluster') has database 0 only.",
                rootCause(fails(options("command", "set", "redis-mode", "cluster", "cluster-nodes", "h:1", "database", "2"), K, V))
                        .getMessage());
        assertEquals("Option 'cluster-nodes' is required with 'redis-mode' = 'cluster'.",
                rootCause(fails(options("command", "set", "redis-mode", "cluster"), K, V)).getMessage());
        assertEquals("Option 'host' does not apply with 'redis-mode' = 'cluster'; it takes 'cluster-nodes'.",
                rootCause(fails(options("command", "set", "redis-mode", "cluster", "cluster-nodes", "h:1", "host", "h"), K, V))
                        .getMessage());
        assertEquals("Invalid value 'h:1,h' for option 'cluster-nodes': entry 2 of 2 ('h') is not host:port with a TCP "
                        + "port (1..65535); expected host:port,host:port such as '10.0.0.1:6379,10.0.0.2:6379'.",
                rootCause(fails(options("command", "set", "redis-mode", "cluster", "cluster-nodes", "h:1,h"), K, V)).getMessage());
        assertEquals("Invalid value 'h:0' for option 'cluster-nodes': entry 1 of 1 ('h:0') is not host:port with a TCP "
                        + "port (1..65535); expected host:port,host:port such as '10.0.0.1:6379,10.0.0.2:6379'.",
                rootCause(fails(options("command", "set", "redis-mode", "cluster", "cluster-nodes", "h:0"), K, V)).getMessage());
    }

    @Test
    void sentinelModeTakesTheSentinelsAndTheMasterName() {
        RedisSink sink = redisSink(createSink(options("command", "set", "redis-mode", "sentinel",
                "sentinels.info", "10.0.0.1:26379,10.0.0.2:26379", "master.name", "mymaster", "database", "2"), K, V));
        assertEquals("master 'mymaster' of sentinels 10.0.0.1:26379,10.0.0.2:26379/2", sink.connection().toString());
        assertEquals("Option 'master.name' is required with 'redis-mode' = 'sentinel'.",
                rootCause(fails(options("command", "set", "redis-mode", "sentinel", "sentinels.info", "h:1"), K, V)).getMessage());
        assertEquals("Option 'sentinels.info' is required with 'redis-mode' = 'sentinel'.",
                rootCause(fails(options("command", "set", "redis-mode", "sentinel", "master.name", "m"), K, V)).getMessage());
        assertEquals("Option 'cluster-nodes' does not apply with 'redis-mode' = 'sentinel'; it takes 'sentinels.info' and "
                        + "'master.name'.",
                rootCause(fails(options("command", "set", "redis-mode", "sentinel", "sentinels.info", "h:1", "master.name", "m",
                        "cluster-nodes", "h:2"), K, V)).getMessage());
        assertEquals("Option 'master.name' does not apply with 'redis-mode' = 'single'; it takes 'host' and 'port'.",
                rootCause(fails(options("command", "set", "master.name", "m"), K, V)).getMessage());
    }

    @Test
    void theSentinelsPasswordIsForSentinelModeOnlyAndNeverShown() {
        RedisSink sink = redisSink(createSink(options("command", "set", "redis-mode", "sentinel", "sentinels.info", "h:1",
                "master.name", "m", "password", PASSWORD, "sentinels.password", SENTINELS_PASSWORD), K, V));
        assertEquals("master 'm' of sentinels h:1/0 (password set) (sentinels password set)", sink.connection().toString());
        assertTrue(sink.connection().hasSentinelsPassword());
        assertFalse(sink.toString().contains(SENTINELS_PASSWORD));
        assertFalse(redisSink(createSink(options("command", "set", "redis-mode", "sentinel", "sentinels.info", "h:1",
                "master.name", "m"), K, V)).connection().hasSentinelsPassword());
        assertEquals("Option 'sentinels.password' does not apply with 'redis-mode' = 'single': it is the password of the "
                        + "sentinels of 'redis-mode' = 'sentinel'.",
                rootCause(fails(options("command", "set", "sentinels.password", SENTINELS_PASSWORD), K, V)).getMessage());
        assertEquals("Option 'sentinels.password' does not apply with 'redis-mode' = 'cluster': it is the password of the "
                        + "sentinels of 'redis-mode' = 'sentinel'.",
                rootCause(fails(options("command", "set", "redis-mode", "cluster", "cluster-nodes", "h:1",
                        "sentinels.password", SENTINELS_PASSWORD), K, V)).getMessage());
        assertEquals("Option 'sentinels.password' is empty: expected the sentinels' password, or no 'sentinels.password' "
                        + "for sentinels that need none or the data nodes' 'password'.",
                rootCause(fails(options("command", "set", "redis-mode", "sentinel", "sentinels.info", "h:1", "master.name", "m",
                        "sentinels.password", ""), K, V)).getMessage());
    }

    @Test
    void anAclUserNeedsAPasswordAndTlsOptionsNeedTls() {
        RedisSink sink = redisSink(createSink(options("command", "set", "username", "uvpv", "password", PASSWORD,
                "tls", "true", "tls.ca", "/etc/uvpv/ca.pem", "tls.verify-peer", "false"), K, V));
        assertEquals("127.0.0.1:6379/0 (user uvpv) (password set) (tls, peer not verified)", sink.connection().toString());
        assertFalse(sink.toString().contains(PASSWORD));
        assertEquals("Option 'username' ('uvpv') needs option 'password': Redis authenticates an ACL user with AUTH username password.",
                rootCause(fails(options("command", "set", "username", "uvpv"), K, V)).getMessage());
        assertEquals("Option 'tls.ca' applies only with 'tls' = 'true'.",
                rootCause(fails(options("command", "set", "tls.ca", "/etc/uvpv/ca.pem"), K, V)).getMessage());
        assertEquals("Option 'tls.verify-peer' applies only with 'tls' = 'true'.",
                rootCause(fails(options("command", "set", "tls", "false", "tls.verify-peer", "true"), K, V)).getMessage());
        assertEquals("127.0.0.1:6379/0 (tls)",
                redisSink(createSink(options("command", "set", "tls", "true"), K, V)).connection().toString());
    }

    @Test
    void anUnknownCommandIsRejected() {
        ValidationException e = fails(options("command", "xadd"), K, V);
        assertEquals("Unsupported value 'xadd' for option 'command'. Supported commands: "
                + "set, sadd, lpush, rpush, pfadd, hset, zadd, incrby, hincrby, del.", rootCause(e).getMessage());
    }

    @Test
    void aTableWithTooFewColumnsIsRejected() {
        assertEquals("Redis command 'hset' writes (key, field, value) from the table's first 3 columns, "
                        + "but table cat.db.redis_sink has 2 columns: (k, v).",
                rootCause(fails(options("command", "hset"), K, V)).getMessage());
        assertEquals("Redis command 'sadd' writes (key, member) from the table's first 2 columns, "
                        + "but table cat.db.redis_sink has 1 column: (k).",
                rootCause(fails(options("command", "sadd"), K)).getMessage());
        redisSink(createSink(options("command", "del"), K));
    }

    @Test
    void aColumnTypeRedisCannotHoldIsRejected() {
        ValidationException e = fails(options("command", "sadd"), K, Column.physical("m", DataTypes.ARRAY(DataTypes.INT())));
        assertEquals("Column 'm' (the member of redis command 'sadd') has type ARRAY<INT>, which cannot be written "
                + "to Redis. Supported types: " + RedisValueFormat.SUPPORTED_TYPES + ".", rootCause(e).getMessage());
    }

    @Test
    void saddAndPfaddTakeAnIntegralOrStringMember() {
        List<DataType> members = List.of(DataTypes.TINYINT(), DataTypes.SMALLINT(), DataTypes.INT(), DataTypes.BIGINT(),
                DataTypes.BIGINT().notNull(), DataTypes.STRING(), DataTypes.VARCHAR(20), DataTypes.CHAR(3));
        for (String command : List.of("sadd", "pfadd")) {
            for (DataType member : members) {
                RedisSink sink = redisSink(createSink(options("command", command), K, Column.physical("m", member)));
                assertEquals(member.getLogicalType(), sink.columnTypes().get(1), command + " " + member);
                assertTrue(sink.cachesMembers());
            }
            ValidationException e = fails(options("command", command), K,
                    Column.physical("m", DataTypes.MAP(DataTypes.INT(), DataTypes.INT())));
            String argument = command.equals("sadd") ? "member" : "element";
            assertEquals("Column 'm' (the " + argument + " of redis command '" + command + "') has type MAP<INT, INT>, which "
                    + "cannot be written to Redis. Supported types: " + RedisValueFormat.SUPPORTED_TYPES + ".", rootCause(e).getMessage());
            assertTrue(rootCause(e).getMessage().contains("TINYINT, SMALLINT, INT, BIGINT"), "the integral members are named");
        }
    }

    @Test
    void zaddTakesKeyScoreMemberWithANumericOrStringScore() {
        Column member = Column.physical("page", DataTypes.STRING());
        List<DataType> scores = List.of(DataTypes.TINYINT(), DataTypes.SMALLINT(), DataTypes.INT(), DataTypes.BIGINT(),
                DataTypes.FLOAT(), DataTypes.DOUBLE(), DataTypes.DECIMAL(20, 2), DataTypes.STRING(),
                DataTypes.VARCHAR(20), DataTypes.CHAR(3), DataTypes.BIGINT().notNull());
        for (DataType score : scores) {
            DynamicTableSink table = createSink(options("command", "ZADD", "ttl", "60"), K, Column.physical("pv", score),
                    member, Column.physical("rn", DataTypes.BIGINT()));
            RedisSink sink = redisSink(table);
            assertEquals(RedisCommand.ZADD, sink.command(), score.toString());
            assertEquals(List.of("k", "pv", "page"), sink.columnNames(), "the 4th column is ignored");
            assertEquals(List.of(RowKind.INSERT, RowKind.UPDATE_AFTER, RowKind.DELETE),
                    List.copyOf(table.getChangelogMode(null).getContainedKinds()));
        }
    }

    @Test
    void zaddNeedsThreeColumns() {
        assertEquals("Redis command 'zadd' writes (key, score, member) from the table's first 3 columns, "
                        + "but table cat.db.redis_sink has 2 columns: (k, v).",
                rootCause(fails(options("command", "zadd"), K, V)).getMessage());
        assertEquals("Redis command 'zadd' writes (key, score, member) from the table's first 3 columns, "
                        + "but table cat.db.redis_sink has 1 column: (k).",
                rootCause(fails(options("command", "zadd"), K)).getMessage());
    }

    @Test
    void aZaddScoreThatIsNotANumberIsRejected() {
        Column member = Column.physical("page", DataTypes.STRING());
        Map<DataType, String> notScores = Map.of(
                DataTypes.BOOLEAN(), "BOOLEAN",
                DataTypes.DATE(), "DATE",
                DataTypes.TIMESTAMP(3), "TIMESTAMP(3)",
                DataTypes.TIMESTAMP_LTZ(3), "TIMESTAMP_LTZ(3)",
                DataTypes.BYTES(), "BYTES");
        for (Map.Entry<DataType, String> type : notScores.entrySet()) {
            ValidationException e = fails(options("command", "zadd"), K, Column.physical("s", type.getKey()), member);
            assertEquals("Column 's' (the score of redis command 'zadd', which writes (key, score, member)) has type "
                    + type.getValue() + ", which cannot be a sorted-set score. Supported types: TINYINT, SMALLINT, INT, "
                    + "BIGINT, FLOAT, DOUBLE, DECIMAL, or a CHAR or VARCHAR holding a number.", rootCause(e).getMessage());
        }
        // the other columns of zadd take any type Redis can hold, as for every command
        assertEquals("Column 'm' (the member of redis command 'zadd') has type ARRAY<INT>, which cannot be written "
                        + "to Redis. Supported types: " + RedisValueFormat.SUPPORTED_TYPES + ".",
                rootCause(fails(options("command", "zadd"), K, V, Column.physical("m", DataTypes.ARRAY(DataTypes.INT()))))
                        .getMessage());
        redisSink(createSink(options("command", "zadd"), Column.physical("k", DataTypes.BIGINT()), V,
                Column.physical("m", DataTypes.TIMESTAMP(3))));
    }

    @Test
    void outOfRangeNumbersAreRejected() {
        assertEquals("Invalid value 0 for option 'ttl': expected a positive number of seconds.",
                rootCause(fails(options("command", "set", "ttl", "0"), K, V)).getMessage());
        assertEquals("Invalid value 70000 for option 'port': expected a TCP port (1..65535).",
                rootCause(fails(options("command", "set", "port", "70000"), K, V)).getMessage());
        assertEquals("Invalid value -1 for option 'database': expected a database number (0 or more).",
                rootCause(fails(options("command", "set", "database", "-1"), K, V)).getMessage());
        assertEquals("Invalid value 0 for option 'timeout': expected a positive number of milliseconds.",
                rootCause(fails(options("command", "set", "timeout", "0"), K, V)).getMessage());
    }

    @Test
    void bufferFlushDefaultsTo500RowsOr200Ms() {
        RedisBufferFlush flush = redisSink(createSink(options("command", "set"), K, V)).bufferFlush();
        assertEquals(500, flush.maxRows());
        assertEquals(200, flush.intervalMillis());
    }

    @Test
    void bufferFlushOptionsAreTaken() {
        Map<String, Long> intervals = Map.of("1 s", 1000L, "50ms", 50L, "2min", 120_000L, "0", 0L, "0 s", 0L, "1 ms", 1L);
        for (Map.Entry<String, Long> interval : intervals.entrySet()) {
            RedisBufferFlush flush = redisSink(createSink(options("command", "set", "sink.buffer-flush.max-rows", "1",
                    "sink.buffer-flush.interval", interval.getKey()), K, V)).bufferFlush();
            assertEquals(1, flush.maxRows());
            assertEquals(interval.getValue(), flush.intervalMillis(), interval.getKey());
            assertEquals(interval.getValue() > 0, flush.hasTimer());
        }
    }

    @Test
    void badBufferFlushValuesAreRejectedNamingTheOption() {
        for (String rows : List.of("0", "-5")) {
            assertEquals("Invalid value " + rows + " for option 'sink.buffer-flush.max-rows': expected a number of rows "
                            + "(1 or more).",
                    rootCause(fails(options("command", "set", "sink.buffer-flush.max-rows", rows), K, V)).getMessage());
        }
        ValidationException notANumber = fails(options("command", "set", "sink.buffer-flush.max-rows", "many"), K, V);
        assertTrue(fullText(notANumber).contains("Could not parse value 'many' for key 'sink.buffer-flush.max-rows'"),
                fullText(notANumber));
        for (String interval : List.of("-1 s", "-200ms", "soon", "200 lightyears", "")) {
            assertEquals("Invalid value '" + interval + "' for option 'sink.buffer-flush.interval': expected a duration "
                            + "of 0 or more, such as '200 ms' or '1 s' ('0' turns the flush timer off).",
                    rootCause(fails(options("command", "set", "sink.buffer-flush.interval", interval), K, V)).getMessage());
        }
        assertEquals("Invalid value '500 micros' for option 'sink.buffer-flush.interval': expected 0 (no flush timer) "
                        + "or at least 1 ms.",
                rootCause(fails(options("command", "set", "sink.buffer-flush.interval", "500 micros"), K, V)).getMessage());
    }

    @Test
    void memberCacheDefaultsTo100000EntriesForSaddAndPfaddWithoutTtl() {
        Column member = Column.physical("m", DataTypes.STRING());
        for (String command : List.of("sadd", "pfadd")) {
            RedisSink sink = redisSink(createSink(options("command", command), K, member));
            assertEquals(100_000, sink.memberCacheMaxEntries());
            assertTrue(sink.cachesMembers(), command);
        }
        assertFalse(redisSink(createSink(options("command", "sadd", "ttl", "60"), K, member)).cachesMembers(),
                "with a ttl, an expired key must get its members back");
        assertFalse(redisSink(createSink(options("command", "set"), K, V)).cachesMembers());
    }

    @Test
    void memberCacheMaxEntriesIsTaken() {
        Column member = Column.physical("m", DataTypes.STRING());
        RedisSink small = redisSink(createSink(options("command", "sadd", "sink.member-cache.max-entries", "5"), K, member));
        assertEquals(5, small.memberCacheMaxEntries());
        assertTrue(small.cachesMembers());
        RedisSink off = redisSink(createSink(options("command", "pfadd", "sink.member-cache.max-entries", "0"), K, member));
        assertFalse(off.cachesMembers());
        RedisSink offWithTtl = redisSink(createSink(
                options("command", "sadd", "ttl", "60", "sink.member-cache.max-entries", "0"), K, member));
        assertFalse(offWithTtl.cachesMembers());
    }

    @Test
    void badMemberCacheValuesAreRejectedNamingTheOption() {
        Column member = Column.physical("m", DataTypes.STRING());
        assertEquals("Invalid value -1 for option 'sink.member-cache.max-entries': expected a number of entries "
                        + "(0 to 100000000; 0 turns the cache off).",
                rootCause(fails(options("command", "sadd", "sink.member-cache.max-entries", "-1"), K, member)).getMessage());
        assertEquals("Invalid value 100000001 for option 'sink.member-cache.max-entries': expected a number of entries "
                        + "(0 to 100000000; 0 turns the cache off).",
                rootCause(fails(options("command", "sadd", "sink.member-cache.max-entries", "100000001"), K, member)).getMessage());
        ValidationException notANumber = fails(options("command", "sadd", "sink.member-cache.max-entries", "lots"), K, member);
        assertTrue(fullText(notANumber).contains("Could not parse value 'lots' for key 'sink.member-cache.max-entries'"),
                fullText(notANumber));
        for (String command : List.of("set", "hset", "zadd", "lpush", "incrby")) {
            assertEquals("Option 'sink.member-cache.max-entries' applies only to command 'sadd' or 'pfadd', not '"
                            + command + "'.",
                    rootCause(fails(options("command", command, "sink.member-cache.max-entries", "10"),
                            K, Column.physical("f", DataTypes.STRING()), Column.physical("v", DataTypes.STRING())))
                            .getMessage());
        }
        assertEquals("Option 'sink.member-cache.max-entries' = '10' cannot be used with option 'ttl': a key that "
                        + "expired must get its members back, so with a ttl every row is written. Remove one of the "
                        + "two, or set 'sink.member-cache.max-entries' to 0.",
                rootCause(fails(options("command", "sadd", "ttl", "60", "sink.member-cache.max-entries", "10"), K, member))
                        .getMessage());
    }

    @Test
    void listPushIfNewerFieldIsTakenByLpushAndRpush() {
        Column json = Column.physical("entry", DataTypes.STRING());
        for (String command : List.of("lpush", "RPUSH")) {
            DynamicTableSink table = createSink(options("command", command, "list.push-if-newer-field", "window_end"), K, json);
            RedisSink sink = redisSink(table);
            assertEquals(List.of("window_end"), sink.listPushIfNewerFields());
            assertTrue(table.asSummaryString().endsWith(", push if newer window_end]"), table.asSummaryString());
        }
        assertNull(redisSink(createSink(options("command", "lpush"), K, json)).listPushIfNewerFields());
        redisSink(createSink(options("command", "lpush", "list.push-if-newer-field", "window_end"), K,
                Column.physical("entry", DataTypes.VARCHAR(200))));
    }

    @Test
    void listPushIfNewerFieldIsRejectedWithOtherCommands() {
        for (String command : List.of("set", "sadd", "hset", "zadd", "pfadd", "del")) {
            ValidationException e = fails(options("command", command, "list.push-if-newer-field", "window_end"),
                    K, Column.physical("f", DataTypes.STRING()), Column.physical("v", DataTypes.STRING()));
            assertEquals("Option 'list.push-if-newer-field' applies only to command 'lpush' or 'rpush', not '"
                    + command + "'.", rootCause(e).getMessage());
        }
    }

    @Test
    void listPushIfNewerFieldTakesSeveralCommaSeparatedFields() {
        Column json = Column.physical("entry", DataTypes.STRING());
        for (String value : List.of("window_end,product_id", " window_end , product_id ")) {
            DynamicTableSink table = createSink(options("command", "rpush", "list.push-if-newer-field", value), K, json);
            assertEquals(List.of("window_end", "product_id"), redisSink(table).listPushIfNewerFields(), value);
            assertTrue(table.asSummaryString().endsWith(", push if newer window_end,product_id]"), table.asSummaryString());
        }
        assertEquals(List.of("a", "b", "c"), redisSink(createSink(
                options("command", "lpush", "list.push-if-newer-field", "a,b,c"), K, json)).listPushIfNewerFields());
    }

    @Test
    void listPushIfNewerFieldNeedsFieldNamesAndAStringValueColumn() {
        String expected = "expected the names of string or number fields of the pushed JSON values, separated by "
                + "commas, such as 'window_end' or 'window_end,product_id'.";
        Column json = Column.physical("v", DataTypes.STRING());
        for (String blank : List.of(" ", "")) {
            assertEquals("Invalid value '" + blank + "' for option 'list.push-if-newer-field': " + expected,
                    rootCause(fails(options("command", "lpush", "list.push-if-newer-field", blank), K, json)).getMessage());
        }
        Map<String, String> invalid = Map.of(
                "window_end,", "field name 2 of 2 is empty",
                ",window_end", "field name 1 of 2 is empty",
                "window_end,,product_id", "field name 2 of 3 is empty",
                "window_end, ,product_id", "field name 2 of 3 is empty",
                ",", "field name 1 of 2 is empty",
                "window_end,product_id,window_end", "field 'window_end' is named twice",
                "a, b,a ", "field 'a' is named twice");
        for (Map.Entry<String, String> bad : invalid.entrySet()) {
            assertEquals("Invalid value '" + bad.getKey() + "' for option 'list.push-if-newer-field': " + bad.getValue()
                            + "; " + expected,
                    rootCause(fails(options("command", "rpush", "list.push-if-newer-field", bad.getKey()), K, json))
                            .getMessage());
        }
        assertEquals("Option 'list.push-if-newer-field' compares a field of the JSON values in column 'v', which has "
                        + "type BIGINT: it needs a CHAR or VARCHAR value column.",
                rootCause(fails(options("command", "rpush", "list.push-if-newer-field", "window_end"), K, V)).getMessage());
    }

    @Test
    void thePasswordIsInNoErrorMessage() {
        List<Map<String, String>> bad = List.of(
                options("password", PASSWORD),
                options("command", "set", "password", PASSWORD, "unknown", "x"),
                options("command", "set", "password", PASSWORD, "redis-mode", "sentinel"),
                options("command", "hset", "password", PASSWORD),
                options("command", "nope", "password", PASSWORD),
                options("command", "set", "password", PASSWORD, "ttl", "-5"));
        for (Map<String, String> options : bad) {
            String text = fullText(fails(options, K, V));
            assertFalse(text.contains(PASSWORD), text);
            assertTrue(text.contains("'password'='******'"), "Flink masks the option in its listing: " + text);
        }
        List<Map<String, String>> badWithSentinelsPassword = List.of(
                options("command", "set", "sentinels.password", SENTINELS_PASSWORD),
                options("command", "set", "redis-mode", "sentinel", "sentinels.info", "h:1", "sentinels.password",
                        SENTINELS_PASSWORD),
                options("command", "set", "redis-mode", "sentinel", "sentinels.info", "h:1", "master.name", "m",
                        "sentinels.password", SENTINELS_PASSWORD, "unknown", "x"));
        for (Map<String, String> options : badWithSentinelsPassword) {
            String text = fullText(fails(options, K, V));
            assertFalse(text.contains(SENTINELS_PASSWORD), text);
            assertTrue(text.contains("'sentinels.password'='******'"), "Flink masks the option in its listing: " + text);
        }
    }

    // ------------------------------------------------------------------------------------------

    private static Map<String, String> options(String... keyValues) {
        Map<String, String> options = new HashMap<>();
        options.put("connector", "redis");
        for (int i = 0; i < keyValues.length; i += 2) {
            options.put(keyValues[i], keyValues[i + 1]);
        }
        return options;
    }

    private static ValidationException fails(Map<String, String> options, Column... columns) {
        ValidationException e = assertThrows(ValidationException.class, () -> createSink(options, columns));
        assertEquals("Unable to create a sink for writing table 'cat.db.redis_sink'.",
                e.getMessage().split("\n")[0], "Flink wraps the factory's exception");
        return e;
    }

    private static RedisSink redisSink(DynamicTableSink table) {
        return assertInstanceOf(RedisDynamicTableSink.class, table).sink();
    }

    private static SinkV2Provider provider(DynamicTableSink table) {
        return assertInstanceOf(SinkV2Provider.class, table.getSinkRuntimeProvider(null));
    }
}
