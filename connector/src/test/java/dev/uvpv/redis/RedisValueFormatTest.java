package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.binary.BinaryRowData;
import org.apache.flink.table.data.writer.BinaryRowWriter;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.VarCharType;
import org.junit.jupiter.api.Test;

/** Column values as Redis strings; the key reader that reuses its last string. */
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
}
