package dev.uvpv.redis;

/**
 * The member cache (see {@link RedisMemberCache}) of an integral member column (TINYINT, SMALLINT, INT,
 * BIGINT): the member is held as a long, in the slot's own long beside its hash, and compared exactly,
 * so a row whose pair is held costs no string at all. The decimal text Redis gets is made only for a
 * member that is sent.
 */
final class RedisLongMemberCache extends RedisMemberCache {
    /** One per slot: the key; null for an empty slot. The member is the slot's own long 0. */
    private final String[] keys;
    /** The pair being looked up. */
    private String probeKey;
    private long probeMember;

    /** @param maxEntries 1 or more: the most (key, member) pairs held at once */
    RedisLongMemberCache(int maxEntries) {
        super(maxEntries, 1);
        this.keys = new String[capacity()];
    }

    /** Whether the pair was written or is pending; a hit makes it the most recently used of its set. */
    boolean contains(String key, long member) {
        probe(key, member);
        return containsProbe(hash(key, member));
    }

    /** Remembers a pair queued in the open batch unless it is held already: true when the row must be sent. */
    boolean addIfAbsent(String key, long member) {
        probe(key, member);
        return addProbeIfAbsent(hash(key, member));
    }

    /** Forgets a pair (its member is being removed from the key). */
    void remove(String key, long member) {
        probe(key, member);
        removeProbe(hash(key, member));
    }

    private void probe(String key, long member) {
        probeKey = key;
        probeMember = member;
    }

    @Override
    boolean holdsProbe(int slot) {
        return ownLong(slot, 0) == probeMember && probeKey.equals(keys[slot]);
    }

    @Override
    void storeProbe(int slot) {
        keys[slot] = probeKey;
        setOwnLong(slot, 0, probeMember);
    }

    @Override
    void clearPair(int slot) {
        keys[slot] = null;
    }

    /** Long.hashCode folds the high half in, so two ids that differ only there still differ in hash most of the time. */
    private static int hash(String key, long member) {
        return mix(key.hashCode(), Long.hashCode(member));
    }
}
