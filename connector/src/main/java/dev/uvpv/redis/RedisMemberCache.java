package dev.uvpv.redis;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The (key, member) pairs a writer has written with SADD or PFADD and whose replies it checked, so a
 * row that adds one of them again can be skipped ({@code sink.member-cache.max-entries}). Both commands
 * are idempotent: forgetting a pair (eviction, a restart: the cache is not checkpointed) only costs a
 * write, while remembering one Redis does not hold would lose it, so a pair is added only after its
 * batch succeeded and removed as soon as a DELETE row (SREM) is queued.
 *
 * <p>Bounded in entries, least recently used first: keys are kept in access order, and each key's
 * members in access order, so eviction drops the least recently used member of the least recently
 * used key. Each member string is stored once; each key string once, however many members it has.
 * Not thread-safe: only the writer's task thread uses it.
 */
final class RedisMemberCache {
    private final int maxEntries;
    /** key → its members (the values are unused); both levels in access order. */
    private final LinkedHashMap<String, LinkedHashMap<String, Boolean>> membersByKey = new LinkedHashMap<>(16, 0.75f, true);
    private int size;

    /** @param maxEntries 1 or more: the most (key, member) pairs held at once */
    RedisMemberCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("A member cache needs room for 1 entry or more, not " + maxEntries);
        }
        this.maxEntries = maxEntries;
    }

    /** Whether the pair was written; a hit makes it the most recently used. */
    boolean contains(String key, String member) {
        Map<String, Boolean> members = membersByKey.get(key);
        return members != null && members.get(member) != null;
    }

    /** Remembers a pair whose write Redis acknowledged; evicts the least recently used pairs beyond the bound. */
    void add(String key, String member) {
        LinkedHashMap<String, Boolean> members = membersByKey.computeIfAbsent(key, k -> new LinkedHashMap<>(4, 0.75f, true));
        if (members.put(member, Boolean.TRUE) == null) {
            size++;
            while (size > maxEntries) {
                evictOne();
            }
        }
    }

    /** Forgets a pair (its member is being removed from the key). */
    void remove(String key, String member) {
        Map<String, Boolean> members = membersByKey.get(key);
        if (members != null && members.remove(member) != null) {
            size--;
            if (members.isEmpty()) {
                membersByKey.remove(key);
            }
        }
    }

    int size() {
        return size;
    }

    int maxEntries() {
        return maxEntries;
    }

    private void evictOne() {
        Iterator<Map.Entry<String, LinkedHashMap<String, Boolean>>> keys = membersByKey.entrySet().iterator();
        Map.Entry<String, LinkedHashMap<String, Boolean>> eldestKey = keys.next();
        Iterator<String> members = eldestKey.getValue().keySet().iterator();
        members.next();
        members.remove();
        size--;
        if (eldestKey.getValue().isEmpty()) {
            keys.remove();
        }
    }
}
