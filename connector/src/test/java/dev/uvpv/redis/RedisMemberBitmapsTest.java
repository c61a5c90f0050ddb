package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/** The member bitmaps alone: one bit per id, pages made on first use, within a bound of pages. */
class RedisMemberBitmapsTest {

    @Test
    void holdsEachIdOfEveryKeyApartFromItsNeighbours() {
        RedisMemberBitmaps bits = new RedisMemberBitmaps(10);
        long[] ids = {0, 1, 63, 64, 4_095, 4_096, -1, -64, -4_096, -4_097, Long.MIN_VALUE, Long.MAX_VALUE};
        for (long id : ids) {
            assertEquals(RedisMemberBitmaps.ADDED, bits.addIfAbsent("k", id), "" + id);
            assertEquals(RedisMemberBitmaps.HELD, bits.addIfAbsent("k", id), "" + id);
        }
        assertEquals(ids.length, bits.size());
        for (long id : ids) {
            assertTrue(bits.contains("k", id));
            assertFalse(bits.contains("other", id), "a key's ids are its own");
        }
        for (long id : new long[] {2, 62, 65, 4_094, 4_097, -2, -63, -65, -4_095, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1}) {
            assertFalse(bits.contains("k", id), "" + id);
        }
        bits.remove("k", -1);
        bits.remove("k", 5);
        bits.remove("nobody", 0);
        assertFalse(bits.contains("k", -1));
        assertTrue(bits.contains("k", 0));
        assertEquals(ids.length - 1, bits.size());
    }

    @Test
    void agreesWithASetOverRandomAddsAndRemoves() {
        RedisMemberBitmaps bits = new RedisMemberBitmaps(1_000);
        Set<String> expected = new HashSet<>();
        Random random = new Random(3);
        for (int i = 0; i < 200_000; i++) {
            String key = "k" + random.nextInt(3);
            long id = random.nextInt(40_000) - 20_000;
            if (random.nextInt(5) == 0) {
                bits.remove(key, id);
                expected.remove(key + "/" + id);
            } else {
                assertEquals(expected.add(key + "/" + id) ? RedisMemberBitmaps.ADDED : RedisMemberBitmaps.HELD,
                        bits.addIfAbsent(key, id));
            }
        }
        assertEquals(expected.size(), bits.size());
        for (int id = -20_000; id < 20_000; id++) {
            assertEquals(expected.contains("k1/" + id), bits.contains("k1", id));
        }
    }

    @Test
    void aLostBatchClearsOnlyTheIdsItSet() {
        RedisMemberBitmaps bits = new RedisMemberBitmaps(10);
        bits.addIfAbsent("k", 1);
        bits.batchWritten();
        bits.addIfAbsent("k", 2);
        assertEquals(RedisMemberBitmaps.HELD, bits.addIfAbsent("k", 1), "written earlier: a hit");
        bits.addIfAbsent("other", 9_000);
        bits.batchLost();
        assertTrue(bits.contains("k", 1));
        assertFalse(bits.contains("k", 2));
        assertFalse(bits.contains("other", 9_000));
        assertEquals(1, bits.size());
        // removed and added again in one batch, then lost: forgotten
        bits.remove("k", 1);
        bits.addIfAbsent("k", 1);
        bits.batchLost();
        assertFalse(bits.contains("k", 1));
        assertEquals(0, bits.size());
    }

    @Test
    void aNewPageBeyondTheBoundIsRefusedAndChangesNothing() {
        RedisMemberBitmaps bits = new RedisMemberBitmaps(2);
        bits.addIfAbsent("k", 0);
        bits.addIfAbsent("other", 0);
        assertEquals(2, bits.pages());
        assertEquals(RedisMemberBitmaps.FULL, bits.addIfAbsent("k", 4_096));
        for (int i = 0; i < 1_000; i++) {
            assertEquals(RedisMemberBitmaps.FULL, bits.addIfAbsent("new" + i, 0));
        }
        assertEquals(2, bits.keys(), "a refused key leaves nothing behind");
        assertEquals(RedisMemberBitmaps.ADDED, bits.addIfAbsent("k", 4_095), "an id of a page it has");
        assertEquals(3, bits.size());
        bits.clear();
        assertEquals(0, bits.pages());
        assertEquals(0, bits.size());
        assertEquals(0, bits.keys());
        assertFalse(bits.contains("k", 0));
        bits.batchLost(); // nothing pending after a clear
        assertEquals(0, bits.size());
        assertEquals(RedisMemberBitmaps.ADDED, bits.addIfAbsent("k", 4_096));
        assertEquals(1, bits.size());
    }

    @Test
    void countsWhatThePagesTookInEvenOnceRemovedOrLost() {
        RedisMemberBitmaps bits = new RedisMemberBitmaps(4);
        for (long id = 0; id < 50; id++) {
            bits.addIfAbsent("k", id);
        }
        bits.batchWritten();
        bits.remove("k", 0);
        bits.addIfAbsent("k", 100);
        bits.batchLost();
        assertEquals(49, bits.size());
        assertEquals(51, bits.added());
        bits.clear();
        assertEquals(0, bits.added());
    }

    @Test
    void manyPagesOfOneKeyAreEachFoundAgain() {
        RedisMemberBitmaps bits = new RedisMemberBitmaps(5_000);
        for (long page = 0; page < 5_000; page++) {
            assertEquals(RedisMemberBitmaps.ADDED, bits.addIfAbsent("k", page * 4_096 + page % 4_096));
        }
        for (long page = 0; page < 5_000; page++) {
            assertTrue(bits.contains("k", page * 4_096 + page % 4_096));
            assertFalse(bits.contains("k", page * 4_096 + (page + 1) % 4_096));
        }
        assertEquals(5_000, bits.pages());
    }

    @Test
    void needsRoomForAPage() {
        assertThrows(IllegalArgumentException.class, () -> new RedisMemberBitmaps(0));
    }
}
