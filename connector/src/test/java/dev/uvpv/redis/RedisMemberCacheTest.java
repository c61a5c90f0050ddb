package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bounded cache alone: what it holds, and which pair it evicts. */
class RedisMemberCacheTest {

    @Test
    void holdsWhatWasAddedUntilRemoved() {
        RedisMemberCache cache = new RedisMemberCache(10);
        cache.add("k", "a");
        cache.add("k", "a");
        cache.add("other", "a");
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
    void evictsTheLeastRecentlyUsedMemberOfTheLeastRecentlyUsedKey() {
        RedisMemberCache cache = new RedisMemberCache(3);
        cache.add("k1", "a");
        cache.add("k1", "b");
        cache.add("k2", "x");
        assertTrue(cache.contains("k1", "a"), "k1 and its a are now the most recently used");
        cache.add("k2", "y"); // k2 is the most recent key, and k1's least recent member is b
        assertEquals(3, cache.size());
        assertFalse(cache.contains("k1", "b"));
        assertTrue(cache.contains("k1", "a"));
        cache.add("k3", "z"); // k2 (x, y) is the least recent key now
        assertFalse(cache.contains("k2", "x"));
        assertTrue(cache.contains("k2", "y"));
        assertTrue(cache.contains("k3", "z"));
        assertEquals(3, cache.size());
    }

    @Test
    void neverHoldsMoreThanItsBound() {
        RedisMemberCache cache = new RedisMemberCache(100);
        for (int i = 0; i < 10_000; i++) {
            cache.add("k" + (i % 7), "m" + i);
            assertTrue(cache.size() <= 100);
        }
        assertEquals(100, cache.size());
        assertTrue(cache.contains("k" + (9_999 % 7), "m9999"));
    }

    @Test
    void needsRoomForAnEntry() {
        assertThrows(IllegalArgumentException.class, () -> new RedisMemberCache(0));
    }
}
