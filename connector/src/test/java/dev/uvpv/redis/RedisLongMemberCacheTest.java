package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bounded cache of an integral member column alone: the same policy as with strings, members compared as longs. */
class RedisLongMemberCacheTest {

    @Test
    void holdsWhatWasAddedUntilRemoved() {
        RedisLongMemberCache cache = new RedisLongMemberCache(10);
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
        RedisLongMemberCache cache = new RedisLongMemberCache(100);
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
        RedisLongMemberCache cache = new RedisLongMemberCache(100);
        for (int i = 0; i < 10_000; i++) {
            cache.addIfAbsent("k" + (i % 7), i);
            assertTrue(cache.size() <= 100);
        }
        assertEquals(100, cache.size());
        assertTrue(cache.contains("k" + (9_999 % 7), 9_999));
    }

    @Test
    void comparesPairsInFullNotByHash() {
        // Long.hashCode folds the high half in: 0 and 2^32 + 1 hash alike, as do the keys "Aa" and "BB"
        long alike = (1L << 32) | 1;
        assertEquals(Long.hashCode(0), Long.hashCode(alike));
        RedisLongMemberCache cache = new RedisLongMemberCache(100);
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
        RedisLongMemberCache cache = new RedisLongMemberCache(100_000);
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
