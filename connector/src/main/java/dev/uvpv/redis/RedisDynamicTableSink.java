package dev.uvpv.redis;

import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.types.RowKind;

/**
 * The planner's view of a {@code 'connector' = 'redis'} table: it takes INSERT, UPDATE_AFTER and
 * DELETE rows (no UPDATE_BEFORE, like jeff-zou's connector) and runs a {@link RedisSink}.
 */
final class RedisDynamicTableSink implements DynamicTableSink {

    private static final ChangelogMode CHANGELOG_MODE =
            ChangelogMode.newBuilder()
                    .addContainedKind(RowKind.INSERT)
                    .addContainedKind(RowKind.UPDATE_AFTER)
                    .addContainedKind(RowKind.DELETE)
                    .build();

    private final RedisSink sink;
    private final Integer parallelism;

    RedisDynamicTableSink(RedisSink sink, Integer parallelism) {
        this.sink = sink;
        this.parallelism = parallelism;
    }

    @Override
    public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
        return CHANGELOG_MODE;
    }

    @Override
    public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
        return SinkV2Provider.of(sink, parallelism);
    }

    @Override
    public DynamicTableSink copy() {
        return new RedisDynamicTableSink(sink, parallelism);
    }

    /** Shown in EXPLAIN output and operator names: never contains the password. */
    @Override
    public String asSummaryString() {
        return sink.toString();
    }

    RedisSink sink() {
        return sink;
    }
}
