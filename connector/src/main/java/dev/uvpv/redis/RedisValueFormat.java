package dev.uvpv.redis;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.Serializable;
import java.util.Base64;

/**
 * How a column's value becomes a Redis string, as in jeff-zou's connector: CHAR/VARCHAR as is,
 * BOOLEAN {@code true}/{@code false}, numbers by {@code String.valueOf}, DECIMAL as a plain number
 * (never in exponent form), TIMESTAMP and TIMESTAMP_LTZ as epoch milliseconds, DATE as epoch days,
 * TIME as milliseconds of the day, BINARY/VARBINARY as Base64.
 */
final class RedisValueFormat {

    static final String SUPPORTED_TYPES =
            "CHAR, VARCHAR, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL, DATE, TIME, "
                    + "TIMESTAMP, TIMESTAMP_LTZ, BINARY, VARBINARY";

    /** Reads one column of a row as a Redis string, or null for SQL NULL. */
    interface ColumnReader extends Serializable {
        String read(RowData row);
    }

    private RedisValueFormat() {}

    static boolean supports(LogicalType type) {
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
            case BOOLEAN:
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
            case DECIMAL:
            case DATE:
            case TIME_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
            case BINARY:
            case VARBINARY:
                return true;
            default:
                return false;
        }
    }

    /** A reader for column {@code pos} of type {@code type}, which {@link #supports} must accept. */
    static ColumnReader reader(LogicalType type, int pos) {
        return reader(type, pos, false);
    }

    /**
     * As {@link #reader(LogicalType, int)}; with {@code repeats}, a CHAR/VARCHAR column whose value is
     * mostly the same from row to row (a key without a per-row placeholder) reuses the string it made
     * for the last row when the bytes are equal, instead of decoding them again for every row.
     */
    static ColumnReader reader(LogicalType type, int pos, boolean repeats) {
        RowData.FieldGetter getter = RowData.createFieldGetter(type, pos);
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return repeats ? new RepeatingStringReader(getter) : row -> {
                    Object v = getter.getFieldOrNull(row);
                    return v == null ? null : v.toString();
                };
            case DECIMAL:
                return row -> {
                    DecimalData v = (DecimalData) getter.getFieldOrNull(row);
                    return v == null ? null : v.toBigDecimal().toPlainString();
                };
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return row -> {
                    TimestampData v = (TimestampData) getter.getFieldOrNull(row);
                    return v == null ? null : String.valueOf(v.getMillisecond());
                };
            case BINARY:
            case VARBINARY:
                return row -> {
                    byte[] v = (byte[]) getter.getFieldOrNull(row);
                    return v == null ? null : Base64.getEncoder().encodeToString(v);
                };
            default:
                // StringData, Boolean, the boxed numbers, and the ints of DATE and TIME
                return row -> {
                    Object v = getter.getFieldOrNull(row);
                    return v == null ? null : v.toString();
                };
        }
    }

    /** Remembers the last value's bytes (a copy: Flink reuses the row's memory) and its string. */
    private static final class RepeatingStringReader implements ColumnReader {
        private static final long serialVersionUID = 1L;
        private final RowData.FieldGetter getter;
        private transient StringData lastValue;
        private transient String lastText;

        RepeatingStringReader(RowData.FieldGetter getter) {
            this.getter = getter;
        }

        @Override
        public String read(RowData row) {
            StringData v = (StringData) getter.getFieldOrNull(row);
            if (v == null) {
                return null;
            }
            if (!v.equals(lastValue)) {
                lastValue = v instanceof BinaryStringData ? ((BinaryStringData) v).copy() : StringData.fromString(v.toString());
                lastText = v.toString();
            }
            return lastText;
        }
    }
}
