package dev.uvpv.redis;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.binary.BinaryStringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;

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

    /**
     * Reads an integral column (TINYINT, SMALLINT, INT, BIGINT) as a long, with no boxing and no string:
     * what the member cache of such a column compares. Its Redis string is {@link Long#toString}, the
     * same text {@link #reader} writes for the column.
     */
    static final class IntegralReader implements Serializable {
        private static final long serialVersionUID = 1L;
        private final LogicalTypeRoot root;
        private final int pos;

        private IntegralReader(LogicalTypeRoot root, int pos) {
            this.root = root;
            this.pos = pos;
        }

        boolean isNull(RowData row) {
            return row.isNullAt(pos);
        }

        /** The value of a row where {@link #isNull} is false. */
        long read(RowData row) {
            switch (root) {
                case TINYINT:
                    return row.getByte(pos);
                case SMALLINT:
                    return row.getShort(pos);
                case INTEGER:
                    return row.getInt(pos);
                default:
                    return row.getLong(pos);
            }
        }
    }

    private RedisValueFormat() {}

    /** TINYINT, SMALLINT, INT or BIGINT: a column {@link #integralReader} reads. */
    static boolean isIntegral(LogicalType type) {
        switch (type.getTypeRoot()) {
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
                return true;
            default:
                return false;
        }
    }

    /** A reader of column {@code pos} as a long; {@link #isIntegral} must accept its type. */
    static IntegralReader integralReader(LogicalType type, int pos) {
        if (!isIntegral(type)) {
            throw new IllegalArgumentException("Not an integral column type: " + type.asSummaryString());
        }
        return new IntegralReader(type.getTypeRoot(), pos);
    }

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
