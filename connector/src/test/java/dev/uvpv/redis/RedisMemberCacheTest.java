package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bounded cache alone, with string members: what it holds, and which pair it evicts (RedisLongMemberCacheTest: long members). */
class RedisMemberCacheTest {

    @Test
    void holdsWhatWasAddedUntilRemoved() {
        RedisStringMemberCache cache = new RedisStringMemberCache(10);
        cache.addIfAbsent("k", "a");
        cache.addIfAbsent("k", "a");
        cache.addIfAbsent("other", "a");
        assertTrue(cache.contains("k", "a"));
        assertTrue(cache.contains("other", "a"));
        assertFalse(cache.contains("k", "b"));
        assertEquals(2, cache.size(), "a pair is held once");
        cache.remove("k", "a");
        cache.remove("k", "never-added");
        assertFalse(cache.contains("k", "a"));
        assertEquals(1, cache.size());
    }

    @Test
    void aPairIsSentOnceAndALostBatchForgetsOnlyItsOwnPairs() {
        RedisStringMemberCache cache = new RedisStringMemberCache(100);
        assertTrue(cache.addIfAbsent("k", "written"), "new: sent");
        cache.batchWritten();
        assertTrue(cache.addIfAbsent("k", "pending"));
        assertFalse(cache.addIfAbsent("k", "pending"), "queued in the open batch already: not sent twice");
        assertFalse(cache.addIfAbsent("k", "written"), "written by an earlier batch: a hit, and it stays written");
        cache.batchLost();
        assertFalse(cache.contains("k", "pending"), "Redis may not hold what a failed batch carried");
        assertTrue(cache.contains("k", "written"));
        assertEquals(1, cache.size());
        assertTrue(cache.addIfAbsent("k", "pending"), "sent again in the next batch");
        cache.batchWritten();
        cache.batchLost(); // an empty batch that failed
        assertTrue(cache.contains("k", "pending"));
        assertEquals(2, cache.size());
    }

    @Test
    void evictsTheLeastRecentlyUsedPairOfAFullSet() {
        // 3 entries make one set of 3 slots: least recently used first out, over every key
        RedisStringMemberCache cache = new RedisStringMemberCache(3);
        cache.addIfAbsent("k1", "a");
        cache.addIfAbsent("k1", "b");
        cache.addIfAbsent("k2", "x");
        assertTrue(cache.contains("k1", "a"), "k1 and its a are now the most recently used");
        cache.addIfAbsent("k2", "y"); // b is the least recently used pair
        assertEquals(3, cache.size());
        assertFalse(cache.contains("k1", "b"));
        assertTrue(cache.contains("k1", "a"));
        cache.addIfAbsent("k3", "z"); // x is the least recently used pair now
        assertFalse(cache.contains("k2", "x"));
        assertTrue(cache.contains("k2", "y"));
        assertTrue(cache.contains("k3", "z"));
        assertEquals(3, cache.size());
    }

    @Test
    void neverHoldsMoreThanItsBound() {
        RedisStringMemberCache cache = new RedisStringMemberCache(100);
        for (int i = 0; i < 10_000; i++) {
            cache.addIfAbsent("k" + (i % 7), "m" + i);
            assertTrue(cache.size() <= 100);
        }
        assertEquals(100, cache.size());
        assertTrue(cache.contains("k" + (9_999 % 7), "m9999"));
    }

    @Test
    void comparesPairsInFullNotByHash() {
        // "Aa" and "BB" have the same String.hashCode, so both pairs land on the same slot hash
        RedisStringMemberCache cache = new RedisStringMemberCache(100);
        cache.addIfAbsent("k", "Aa");
        assertFalse(cache.contains("k", "BB"));
        cache.addIfAbsent("Aa", "m");
        assertFalse(cache.contains("BB", "m"));
        assertTrue(cache.contains("k", "Aa"));
    }

    @Test
    void spreadsDecimalIdsOverEverySet() {
        // user ids as decimal strings have closely packed hashes. At half the cache's room, sets of 4 hold
        // 2 pairs on average and a perfectly random hash overflows 3.7% of them (Poisson); packed hashes
        // crowded into fewer sets would lose far more
        RedisStringMemberCache cache = new RedisStringMemberCache(100_000);
        for (int id = 0; id < 50_000; id++) {
            cache.addIfAbsent("userids", Integer.toString(1_000_000 + id * 7));
        }
        int held = 0;
        for (int id = 0; id < 50_000; id++) {
            held += cache.contains("userids", Integer.toString(1_000_000 + id * 7)) ? 1 : 0;
        }
        assertEquals(held, cache.size());
        assertTrue(held >= 47_750, "held " + held + " of 50,000 in a cache of 100,000");
    }

    @Test
    void roundsItsRoomDownToWholeSets() {
        assertEquals(8, new RedisStringMemberCache(10).capacity());
        assertEquals(1, new RedisStringMemberCache(1).capacity());
        assertEquals(100_000, new RedisStringMemberCache(100_000).capacity());
    }

    @Test
    void needsRoomForAnEntry() {
        assertThrows(IllegalArgumentException.class, () -> new RedisStringMemberCache(0));
    }
}
