package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.data.writer.BinaryRowWriter;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Column values as Redis strings; the key reader that reuses its last string; integral columns read as longs. */
class RedisValueFormatTest {

    @Test
    void aRepeatingKeyReusesItsStringAndFollowsChangesInAReusedRow() {
        RedisValueFormat.ColumnReader reader = RedisValueFormat.reader(VarCharType.STRING_TYPE, 0, true);
        // one row object whose memory is rewritten for every record, as Flink does with object reuse
        BinaryRowData row = new BinaryRowData(1);
        BinaryRowWriter writer = new BinaryRowWriter(row);
        String[] values = {"userids", "userids", "uv:2021-09-06T16:10:00", "uv:2021-09-06T16:15:00", null, "userids"};
        String previous = null;
        for (String value : values) {
            writer.reset();
            if (value == null) {
                writer.setNullAt(0);
            } else {
                writer.writeString(0, StringData.fromString(value));
            }
            writer.complete();
            String read = reader.read(row);
            assertEquals(value, read);
            if (value != null && value.equals(previous)) {
                assertSame(previous, read, "the same bytes give the same string, not a new one");
            }
            previous = read;
        }
    }

    @Test
    void aPlainStringReaderReadsEveryRow() {
        RedisValueFormat.ColumnReader reader = RedisValueFormat.reader(VarCharType.STRING_TYPE, 0);
        assertEquals("6", reader.read(GenericRowData.of(StringData.fromString("6"))));
        assertNull(reader.read(GenericRowData.of((Object) null)));
    }

    @Test
    void anIntegralColumnIsReadAsALongWithTheSameTextAsItsStringReader() {
        List<LogicalType> types = List.of(new TinyIntType(), new SmallIntType(), new IntType(), new BigIntType());
        GenericRowData row = GenericRowData.of((byte) -7, (short) 300, 42, Long.MIN_VALUE);
        long[] expected = {-7, 300, 42, Long.MIN_VALUE};
        for (int pos = 0; pos < types.size(); pos++) {
            assertTrue(RedisValueFormat.isIntegral(types.get(pos)));
            RedisValueFormat.IntegralReader reader = RedisValueFormat.integralReader(types.get(pos), pos);
            assertFalse(reader.isNull(row));
            assertEquals(expected[pos], reader.read(row), types.get(pos).toString());
            assertEquals(RedisValueFormat.reader(types.get(pos), pos).read(row), Long.toString(reader.read(row)),
                    "what Redis gets is the same text on both paths");
        }
        assertTrue(RedisValueFormat.integralReader(new IntType(), 0).isNull(GenericRowData.of((Object) null)));
    }

    @Test
    void anIntegralColumnInAReusedBinaryRow() {
        RedisValueFormat.IntegralReader reader = RedisValueFormat.integralReader(new IntType(), 1);
        BinaryRowData row = new BinaryRowData(2);
        BinaryRowWriter writer = new BinaryRowWriter(row);
        Integer[] values = {5, -5, null, Integer.MAX_VALUE};
        for (Integer value : values) {
            writer.reset();
            writer.writeString(0, StringData.fromString("k"));
            if (value == null) {
                writer.setNullAt(1);
            } else {
                writer.writeInt(1, value);
            }
            writer.complete();
            assertEquals(value == null, reader.isNull(row));
            if (value != null) {
                assertEquals((long) value, reader.read(row));
            }
        }
    }

    @Test
    void otherTypesAreNotIntegral() {
        for (LogicalType type : List.of(VarCharType.STRING_TYPE, new DoubleType(), new DecimalType(10, 0), new BooleanType())) {
            assertFalse(RedisValueFormat.isIntegral(type), type.toString());
            assertThrows(IllegalArgumentException.class, () -> RedisValueFormat.integralReader(type, 0));
        }
    }
}
