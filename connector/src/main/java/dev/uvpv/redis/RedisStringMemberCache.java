package dev.uvpv.redis;

/** The member cache (see {@link RedisMemberCache}) of a member written as it is read: a string. */
final class RedisStringMemberCache extends RedisMemberCache {
    /** Two per slot: the key and the member; null for an empty slot. */
    private final String[] pairs;
    /** The pair being looked up. */
    private String probeKey;
    private String probeMember;

    /** @param maxEntries 1 or more: the most (key, member) pairs held at once */
    RedisStringMemberCache(int maxEntries) {
        super(maxEntries, 0);
        this.pairs = new String[2 * capacity()];
    }

    /** Whether the pair was written or is pending; a hit makes it the most recently used of its set. */
    boolean contains(String key, String member) {
        probe(key, member);
        return containsProbe(hash(key, member));
    }

    /** Remembers a pair queued in the open batch unless it is held already: true when the row must be sent. */
    boolean addIfAbsent(String key, String member) {
        probe(key, member);
        return addProbeIfAbsent(hash(key, member));
    }

    /** Forgets a pair (its member is being removed from the key). */
    void remove(String key, String member) {
        probe(key, member);
        removeProbe(hash(key, member));
    }

    private void probe(String key, String member) {
        probeKey = key;
        probeMember = member;
    }

    @Override
    boolean holdsProbe(int slot) {
        return probeMember.equals(pairs[2 * slot + 1]) && probeKey.equals(pairs[2 * slot]);
    }

    @Override
    void storeProbe(int slot) {
        pairs[2 * slot] = probeKey;
        pairs[2 * slot + 1] = probeMember;
    }

    @Override
    void clearPair(int slot) {
        pairs[2 * slot] = null;
        pairs[2 * slot + 1] = null;
    }

    private static int hash(String key, String member) {
        return mix(key.hashCode(), member.hashCode());
    }
}
