package dev.uvpv.redis;

/**
 * The (key, member) pairs a writer has sent with SADD or PFADD, so a row that adds one of them again
 * can be skipped ({@code sink.member-cache.max-entries}). Both commands are idempotent: forgetting a
 * pair (eviction, a restart: the cache is not checkpointed) only costs a write, while remembering one
 * Redis does not hold would lose it. So a pair queued in the open batch is held as pending: a repeat
 * within the batch needs no second command, and {@link #batchLost} forgets every pending pair when
 * the batch fails, while {@link #batchWritten} keeps them once its replies are checked. A pair is
 * removed as soon as a DELETE row (SREM) is queued. Pairs are compared in full (never by hash alone),
 * so a hit is always a pair that was written or is in the open batch.
 *
 * <p>Set-associative: a pair's mixed hash picks one set of up to {@link #WAYS} slots, and a new pair
 * replaces the set's least recently used one. A lookup is a few array reads with no allocation and no
 * relinking. Java's hash maps spent 10–15% of the source task on hash bins that had turned into trees,
 * because user ids as decimal strings have closely packed {@code String.hashCode}s: this cache, and the
 * pending state instead of a per-batch {@code HashSet} of queued members, avoid them. Holds
 * at most {@code maxEntries} pairs (a multiple of the ways, rounded down). Not thread-safe: only the
 * writer's task thread uses it.
 */
final class RedisMemberCache {
    static final int WAYS = 4;

    private final int ways;
    private final int sets;
    private final String[] keys;
    private final String[] members;
    private final int[] hashes;
    /** When each slot was last used (a tick of this cache); 0 for an empty slot. */
    private final long[] lastUsed;
    /** The batch that queued each slot's pair: pending while it is {@link #batch}, written before. */
    private final long[] queuedIn;
    private long tick;
    /** The open batch: pairs added now are pending until it is written or lost. */
    private long batch = 1;
    private int size;

    /** @param maxEntries 1 or more: the most (key, member) pairs held at once */
    RedisMemberCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("A member cache needs room for 1 entry or more, not " + maxEntries);
        }
        this.ways = Math.min(WAYS, maxEntries);
        this.sets = maxEntries / ways;
        int slots = sets * ways;
        this.keys = new String[slots];
        this.members = new String[slots];
        this.hashes = new int[slots];
        this.lastUsed = new long[slots];
        this.queuedIn = new long[slots];
    }

    /** Whether the pair was written; a hit makes it the most recently used of its set. */
    boolean contains(String key, String member) {
        int hash = hash(key, member);
        int slot = find(firstSlot(hash), hash, key, member);
        if (slot < 0) {
            return false;
        }
        lastUsed[slot] = ++tick;
        return true;
    }

    /**
     * Remembers a pair being queued in the open batch, unless it is held already (written, or pending in
     * this batch): true when the row must be sent. A new pair replaces its set's least recently used one
     * when the set is full.
     */
    boolean addIfAbsent(String key, String member) {
        int hash = hash(key, member);
        int first = firstSlot(hash);
        int slot = find(first, hash, key, member);
        if (slot >= 0) {
            lastUsed[slot] = ++tick;
            return false;
        }
        slot = first;
        for (int i = first + 1; i < first + ways; i++) {
            if (lastUsed[i] < lastUsed[slot]) {
                slot = i; // an empty slot (0) is the least recent of all
            }
        }
        if (keys[slot] == null) {
            size++;
        }
        keys[slot] = key;
        members[slot] = member;
        hashes[slot] = hash;
        queuedIn[slot] = batch;
        lastUsed[slot] = ++tick;
        return true;
    }

    /** The open batch's replies were checked: its pending pairs are written. */
    void batchWritten() {
        batch++;
    }

    /**
     * The open batch failed: Redis may hold none of its pairs, so they are forgotten (a scan of every
     * slot, which only a failure pays) and sent again if a row adds them.
     */
    void batchLost() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null && queuedIn[i] == batch) {
                clear(i);
            }
        }
        batch++;
    }

    /** Forgets a pair (its member is being removed from the key). */
    void remove(String key, String member) {
        int hash = hash(key, member);
        int slot = find(firstSlot(hash), hash, key, member);
        if (slot >= 0) {
            clear(slot);
        }
    }

    private void clear(int slot) {
        keys[slot] = null;
        members[slot] = null;
        lastUsed[slot] = 0;
        size--;
    }

    int size() {
        return size;
    }

    /** The most pairs held at once: {@code maxEntries} rounded down to a multiple of the ways. */
    int capacity() {
        return keys.length;
    }

    private int find(int first, int hash, String key, String member) {
        for (int i = first; i < first + ways; i++) {
            if (hashes[i] == hash && keys[i] != null && members[i].equals(member) && keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** The set's first slot: the hash's high bits scaled to the number of sets (no modulo, any count). */
    private int firstSlot(int hash) {
        return (int) (((hash & 0xffffffffL) * sets) >>> 32) * ways;
    }

    /** Both strings' hashes, mixed (murmur3's finalizer) so that packed hashes spread over every set. */
    private static int hash(String key, String member) {
        int h = key.hashCode() * 31 + member.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
