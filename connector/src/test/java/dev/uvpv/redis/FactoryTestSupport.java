package dev.uvpv.redis;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.catalog.CatalogTable;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ObjectIdentifier;
import org.apache.flink.table.catalog.ResolvedCatalogTable;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.factories.FactoryUtil;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.Map;

/** Plans a {@code 'connector' = 'redis'} table the way the planner does, without a planner. */
final class FactoryTestSupport {
    static final ObjectIdentifier TABLE = ObjectIdentifier.of("cat", "db", "redis_sink");

    private FactoryTestSupport() {}

    /** Creates the sink through Flink's factory discovery (the SPI file), as {@code INSERT INTO} does. */
    static DynamicTableSink createSink(Map<String, String> options, Column... columns) {
        ResolvedSchema schema = ResolvedSchema.of(Arrays.asList(columns));
        CatalogTable table = CatalogTable.newBuilder()
                .schema(Schema.newBuilder().fromResolvedSchema(schema).build())
                .options(options)
                .build();
        return FactoryUtil.createDynamicTableSink(
                null, TABLE, new ResolvedCatalogTable(table, schema), new Configuration(),
                FactoryTestSupport.class.getClassLoader(), true);
    }

    /** Everything a user could see of an exception: every message and stack trace in its chain. */
    static String fullText(Throwable e) {
        StringWriter out = new StringWriter();
        e.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** The innermost cause: the exception the factory threw, under Flink's "Unable to create a sink" wrapper. */
    static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }
}
