package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.List;

/**
 * The bounded cache of an integral member column alone: the same policy as with strings, members compared
 * as longs; held as bits while the ids sit close together (RedisMemberBitmapsTest: the bits alone), and in
 * the hashed slots once they prove sparse, or when the bound leaves no room for a page of bits.
 */
class RedisLongMemberCacheTest {

    @Test
    void holdsWhatWasAddedUntilRemoved() {
        for (RedisLongMemberCache cache : List.of(new RedisLongMemberCache(10), new RedisLongMemberCache(1_000))) {
            holdsWhatWasAddedUntilRemoved(cache);
        }
    }

    private static void holdsWhatWasAddedUntilRemoved(RedisLongMemberCache cache) {
        assertTrue(cache.addIfAbsent("k", 42));
        assertFalse(cache.addIfAbsent("k", 42));
        assertTrue(cache.addIfAbsent("other", 42));
        assertTrue(cache.addIfAbsent("k", -7));
        assertTrue(cache.contains("k", 42));
        assertTrue(cache.contains("other", 42));
        assertTrue(cache.contains("k", -7));
        assertFalse(cache.contains("k", 7), "-7 and 7 are two members");
        assertFalse(cache.contains("k", 43));
        assertEquals(3, cache.size(), "a pair is held once");
        cache.remove("k", 42);
        cache.remove("k", 1_000);
        assertFalse(cache.contains("k", 42));
        assertTrue(cache.contains("other", 42), "only the removed key's pair is forgotten");
        assertEquals(2, cache.size());
    }

    @Test
    void aPairIsSentOnceAndALostBatchForgetsOnlyItsOwnPairs() {
        for (RedisLongMemberCache cache : List.of(new RedisLongMemberCache(100, false), new RedisLongMemberCache(100))) {
            aPairIsSentOnceAndALostBatchForgetsOnlyItsOwnPairs(cache);
        }
    }

    private static void aPairIsSentOnceAndALostBatchForgetsOnlyItsOwnPairs(RedisLongMemberCache cache) {
        assertTrue(cache.addIfAbsent("k", 1), "new: sent");
        cache.batchWritten();
        assertTrue(cache.addIfAbsent("k", 2));
        assertFalse(cache.addIfAbsent("k", 2), "queued in the open batch already: not sent twice");
        assertFalse(cache.addIfAbsent("k", 1), "written by an earlier batch: a hit, and it stays written");
        cache.batchLost();
        assertFalse(cache.contains("k", 2), "Redis may not hold what a failed batch carried");
        assertTrue(cache.contains("k", 1));
        assertEquals(1, cache.size());
        assertTrue(cache.addIfAbsent("k", 2), "sent again in the next batch");
        cache.batchWritten();
        cache.batchLost(); // an empty batch that failed
        assertTrue(cache.contains("k", 2));
        assertEquals(2, cache.size());
    }

    @Test
    void evictsTheLeastRecentlyUsedPairOfAFullSet() {
        // 3 entries make one set of 3 slots: least recently used first out, over every key
        RedisLongMemberCache cache = new RedisLongMemberCache(3);
        cache.addIfAbsent("k1", 1);
        cache.addIfAbsent("k1", 2);
        cache.addIfAbsent("k2", 10);
        assertTrue(cache.contains("k1", 1), "k1 and its 1 are now the most recently used");
        cache.addIfAbsent("k2", 11); // 2 is the least recently used pair
        assertEquals(3, cache.size());
        assertFalse(cache.contains("k1", 2));
        assertTrue(cache.contains("k1", 1));
        cache.addIfAbsent("k3", 20); // 10 is the least recently used pair now
        assertFalse(cache.contains("k2", 10));
        assertTrue(cache.contains("k2", 11));
        assertTrue(cache.contains("k3", 20));
        assertEquals(3, cache.size());
    }

    @Test
    void aMemberEvictedAndAddedAgainIsHeldWithItsNewValue() {
        // one slot: each add replaces the member, and an old member must not match the slot's new one
        RedisLongMemberCache cache = new RedisLongMemberCache(1);
        for (long m = -3; m <= 3; m++) {
            assertTrue(cache.addIfAbsent("k", m));
            assertTrue(cache.contains("k", m));
            assertFalse(cache.contains("k", m - 1));
            assertEquals(1, cache.size());
        }
    }

    @Test
    void neverHoldsMoreThanItsBound() {
        RedisLongMemberCache cache = new RedisLongMemberCache(100, false);
        for (int i = 0; i < 10_000; i++) {
            cache.addIfAbsent("k" + (i % 7), i);
            assertTrue(cache.size() <= 100);
        }
        assertEquals(100, cache.size());
        assertTrue(cache.contains("k" + (9_999 % 7), 9_999));
    }

    @Test
    void comparesPairsInFullNotByHash() {
        comparesPairsInFull(new RedisLongMemberCache(100, false));
        // bits: page room for every member below
        RedisLongMemberCache bits = new RedisLongMemberCache(1_000);
        comparesPairsInFull(bits);
        assertTrue(bits.holdsBits());
    }

    private static void comparesPairsInFull(RedisLongMemberCache cache) {
        // Long.hashCode folds the high half in: 0 and 2^32 + 1 hash alike, as do the keys "Aa" and "BB"
        long alike = (1L << 32) | 1;
        assertEquals(Long.hashCode(0), Long.hashCode(alike));
        cache.addIfAbsent("k", 0);
        assertFalse(cache.contains("k", alike));
        assertTrue(cache.addIfAbsent("k", alike), "a member of the same hash is a new pair, and sent");
        cache.addIfAbsent("Aa", 5);
        assertFalse(cache.contains("BB", 5));
        assertTrue(cache.contains("k", 0));
        assertTrue(cache.contains("k", alike));
        assertTrue(cache.contains("Aa", 5));
        assertEquals(3, cache.size());
        assertFalse(cache.contains("k", Long.MIN_VALUE));
        assertTrue(cache.addIfAbsent("k", Long.MIN_VALUE));
        assertTrue(cache.contains("k", Long.MIN_VALUE));
        assertFalse(cache.contains("k", Long.MAX_VALUE));
    }

    @Test
    void spreadsSequentialIdsOverEverySet() {
        // as with decimal strings (RedisMemberCacheTest): at half the cache's room, a random hash overflows
        // 3.7% of the sets of 4; ids that crowded into fewer sets would lose far more
        RedisLongMemberCache cache = new RedisLongMemberCache(100_000, false);
        for (int id = 0; id < 50_000; id++) {
            cache.addIfAbsent("userids", 1_000_000 + id * 7L);
        }
        int held = 0;
        for (int id = 0; id < 50_000; id++) {
            held += cache.contains("userids", 1_000_000 + id * 7L) ? 1 : 0;
        }
        assertEquals(held, cache.size());
        assertTrue(held >= 47_750, "held " + held + " of 50,000 in a cache of 100,000");
    }

    @Test
    void denseIdsAreHeldAsBitsBeyondTheEntryBound() {
        // 64 entries: room for one page of bits (4,096 ids), 512 bytes
        RedisLongMemberCache cache = new RedisLongMemberCache(64);
        for (long id = 0; id < 4_096; id++) {
            assertTrue(cache.addIfAbsent("k", id));
        }
        assertEquals(4_096, cache.size());
        assertFalse(cache.addIfAbsent("k", 4_095));
        assertTrue(cache.holdsBits());
    }

    @Test
    void denseIdsThatOutgrowThePagesStartOverInBits() {
        RedisLongMemberCache cache = new RedisLongMemberCache(64);
        for (long id = 0; id < 100; id++) {
            cache.addIfAbsent("k", id);
        }
        assertTrue(cache.addIfAbsent("k", 5_000), "a second page does not fit: the first is dropped");
        assertTrue(cache.holdsBits(), "100 ids a page are dense");
        assertEquals(1, cache.size());
        assertTrue(cache.contains("k", 5_000));
        assertFalse(cache.contains("k", 7), "forgotten: a later row sends it again");
        assertTrue(cache.addIfAbsent("k", 7));
    }

    @Test
    void denseIdsStayBitsThoughRemovedBeforeThePagesFill() {
        RedisLongMemberCache cache = new RedisLongMemberCache(64);
        for (long id = 0; id < 100; id++) {
            cache.addIfAbsent("k", id);
        }
        cache.batchWritten();
        for (long id = 0; id < 100; id++) {
            cache.remove("k", id);
        }
        assertTrue(cache.addIfAbsent("k", 5_000));
        assertTrue(cache.holdsBits(), "the page took in 100 ids: dense, however many are left");
    }

    @Test
    void aBatchLostAfterStartingOverForgetsWhatItAddedSince() {
        RedisLongMemberCache cache = new RedisLongMemberCache(64);
        for (long id = 0; id < 100; id++) {
            cache.addIfAbsent("k", id);
        }
        cache.batchWritten();
        cache.addIfAbsent("k", 200); // pending
        cache.addIfAbsent("k", 5_000); // starts over: 0..99 and 200 forgotten, 5,000 pending
        cache.addIfAbsent("k", 5_001);
        cache.batchLost();
        assertEquals(0, cache.size());
        for (long id : new long[] {0, 99, 200, 5_000, 5_001}) {
            assertFalse(cache.contains("k", id), "" + id);
            assertTrue(cache.addIfAbsent("k", id), "sent again: " + id);
        }
    }

    @Test
    void sparseIdsMoveToTheHashedSlotsForGood() {
        RedisLongMemberCache cache = new RedisLongMemberCache(64);
        assertTrue(cache.addIfAbsent("k", 3));
        assertTrue(cache.addIfAbsent("k", 9_000_000_000L), "a page of its own: one member a page is sparse");
        assertFalse(cache.holdsBits());
        assertTrue(cache.contains("k", 9_000_000_000L));
        assertFalse(cache.contains("k", 3), "forgotten with the bits");
        assertTrue(cache.addIfAbsent("k", 3));
        assertFalse(cache.addIfAbsent("k", 3));
        cache.batchLost();
        assertEquals(0, cache.size(), "a lost batch forgets the slots' pending pairs");
        for (long id = 0; id < 10_000; id++) {
            cache.addIfAbsent("k", id);
        }
        assertFalse(cache.holdsBits(), "dense ids later do not bring the bits back");
        assertEquals(64, cache.size());
    }

    @Test
    void roundsItsRoomDownToWholeSets() {
        assertEquals(8, new RedisLongMemberCache(10).capacity());
        assertEquals(1, new RedisLongMemberCache(1).capacity());
        assertEquals(100_000, new RedisLongMemberCache(100_000).capacity());
    }

    @Test
    void needsRoomForAnEntry() {
        assertThrows(IllegalArgumentException.class, () -> new RedisLongMemberCache(0));
    }
}
