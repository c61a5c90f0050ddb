package dev.uvpv.redis;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.OperatorIOMetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A writer's metric group that keeps the counters and gauges it registers, by name, as a reporter would see them
 * (from another thread, too).
 */
final class RecordingMetrics extends UnregisteredMetricsGroup implements SinkWriterMetricGroup {
    final Map<String, Counter> counters = new ConcurrentHashMap<>();
    final Map<String, Gauge<?>> gauges = new ConcurrentHashMap<>();
    private final SinkWriterMetricGroup io = UnregisteredMetricsGroup.createSinkWriterMetricGroup();

    /** A counter's or a gauge's value; fails when no metric has the name. */
    long value(String name) {
        if (counters.containsKey(name)) {
            return counters.get(name).getCount();
        }
        if (gauges.containsKey(name)) {
            return ((Number) gauges.get(name).getValue()).longValue();
        }
        throw new AssertionError("No metric named " + name + " was registered; there are " + counters.keySet() + " " + gauges.keySet());
    }

    @Override
    public Counter counter(String name) {
        return counter(name, new SimpleCounter());
    }

    @Override
    public <C extends Counter> C counter(String name, C counter) {
        counters.put(name, counter);
        return counter;
    }

    @Override
    public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
        gauges.put(name, gauge);
        return gauge;
    }

    @Override
    public OperatorIOMetricGroup getIOMetricGroup() {
        return io.getIOMetricGroup();
    }

    @Override
    public Counter getNumRecordsOutErrorsCounter() {
        return io.getNumRecordsOutErrorsCounter();
    }

    @Override
    public Counter getNumRecordsSendErrorsCounter() {
        return io.getNumRecordsSendErrorsCounter();
    }

    @Override
    public Counter getNumRecordsSendCounter() {
        return io.getNumRecordsSendCounter();
    }

    @Override
    public Counter getNumBytesSendCounter() {
        return io.getNumBytesSendCounter();
    }

    @Override
    public void setCurrentSendTimeGauge(Gauge<Long> currentSendTimeGauge) {}
}
