package dev.uvpv.redis;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.VarCharType;
import org.apache.flink.types.RowKind;

import java.io.IOException;
import java.util.List;

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

    /** A list entry of window w, as uvpv writes them, for {@code list.push-if-newer-field} = window_end. */
    static String window(int w) {
        return String.format("{\"window_end\":\"2026-01-01T00:%02d:00\",\"value\":%d}", w, w * 10);
    }
}
