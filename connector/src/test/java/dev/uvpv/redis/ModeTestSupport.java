package dev.uvpv.redis;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/** Writers of two string columns for the mode tests (cluster, sentinel, TLS): batches only at flush, no timer. */
final class ModeTestSupport {
    static final List<LogicalType> KEY_VALUE = List.of(VarCharType.STRING_TYPE, VarCharType.STRING_TYPE);

    private ModeTestSupport() {}

    static RedisSinkWriter writer(RedisConnectionConfig connection, RedisCommand command, List<String> listFields)
            throws IOException {
        RedisSink sink = new RedisSink(connection, command, 0, List.of("k", "v"), KEY_VALUE, listFields,
                RedisBufferFlush.withoutTimer(10_000), 0);
        return new RedisSinkWriter(sink, UnregisteredMetricsGroup.createSinkWriterMetricGroup(), new TestProcessingTimeService());
    }

    static RowData row(String key, String value) {
        return GenericRowData.ofKind(RowKind.INSERT, StringData.fromString(key), StringData.fromString(value));
    }

    /** Keys {@code name:0}, {@code name:1}, ..., at least n, until each of the cluster's masters serves one. */
    static List<String> keysOnEveryMaster(String name, int n, int masters, ToIntFunction<String> masterPortOf) {
        List<String> keys = new ArrayList<>();
        Set<Integer> served = new HashSet<>();
        for (int i = 0; keys.size() < n || served.size() < masters; i++) {
            String k = name + ":" + i;
            keys.add(k);
            served.add(masterPortOf.applyAsInt(k));
        }
        return keys;
    }

    /** The port of the master that serves the key's slot, as a cluster node says now (CLUSTER SLOTS). */
    static int masterPortOf(Jedis node, String key) {
        return masterPortOf(node.clusterSlots(), key);
    }

    /** The port of the master that serves the key's slot in a reply of CLUSTER SLOTS. */
    static int masterPortOf(List<Object> clusterSlots, String key) {
        int slot = JedisClusterCRC16.getSlot(key);
        for (Object range : clusterSlots) {
            List<?> r = (List<?>) range;
            if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                return ((Long) ((List<?>) r.get(2)).get(1)).intValue();
            }
        }
        throw new AssertionError("no master serves slot " + slot);
    }

    /** A list entry of window w, as uvpv writes them, for {@code list.push-if-newer-field} = window_end. */
    static String window(int w) {
        return String.format("{\"window_end\":\"2026-01-01T00:%02d:00\",\"value\":%d}", w, w * 10);
    }
}
