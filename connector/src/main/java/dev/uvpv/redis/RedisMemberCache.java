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
 *
 * <p>A slot's fields sit side by side (its hash, batch and last use in {@code meta}, its key and member
 * in {@code pairs}), so a lookup and an insert touch two or three cache lines rather than one per
 * field: with most members new, as in a bench of 1M users, the cache's memory reads were 16% of the
 * source task when each field had an array of its own.
 */
final class RedisMemberCache {
    static final int WAYS = 4;

    private final int ways;
    private final int sets;
    /**
     * Two longs per slot: the pair's mixed hash (high 32 bits) and the batch that queued it (low 32 bits,
     * pending while it is {@link #batch}'s, written before); then when it was last used (a tick of this
     * cache; 0 for an empty slot).
     */
    private final long[] meta;
    /** Two per slot: the key and the member; null for an empty slot. */
    private final String[] pairs;
    private long tick;
    /** The open batch: pairs added now are pending until it is written or lost. */
    private int batch = 1;
    private int size;

    /** @param maxEntries 1 or more: the most (key, member) pairs held at once */
    RedisMemberCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("A member cache needs room for 1 entry or more, not " + maxEntries);
        }
        this.ways = Math.min(WAYS, maxEntries);
        this.sets = maxEntries / ways;
        int slots = sets * ways;
        this.meta = new long[2 * slots];
        this.pairs = new String[2 * slots];
    }

    /** Whether the pair was written or is pending; a hit makes it the most recently used of its set. */
    boolean contains(String key, String member) {
        int hash = hash(key, member);
        int slot = find(firstSlot(hash), hash, key, member);
        if (slot < 0) {
            return false;
        }
        meta[2 * slot + 1] = ++tick;
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
            meta[2 * slot + 1] = ++tick;
            return false;
        }
        slot = first;
        for (int i = first + 1; i < first + ways; i++) {
            if (meta[2 * i + 1] < meta[2 * slot + 1]) {
                slot = i; // an empty slot (0) is the least recent of all
            }
        }
        if (pairs[2 * slot] == null) {
            size++;
        }
        pairs[2 * slot] = key;
        pairs[2 * slot + 1] = member;
        meta[2 * slot] = ((long) hash << 32) | (batch & 0xffffffffL);
        meta[2 * slot + 1] = ++tick;
        return true;
    }

    /** The open batch's replies were checked: its pending pairs are written. */
    void batchWritten() {
        batch++;
    }

    /**
     * The open batch failed: Redis may hold none of its pairs, so they are forgotten (a scan of every
     * slot, which only a failure pays) and sent again if a row adds them. (A pair written 2^32 batches
     * ago carries the same tag and is forgotten too: that only costs a write.)
     */
    void batchLost() {
        for (int i = 0; i < pairs.length / 2; i++) {
            if (pairs[2 * i] != null && (int) meta[2 * i] == batch) {
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
        pairs[2 * slot] = null;
        pairs[2 * slot + 1] = null;
        meta[2 * slot] = 0;
        meta[2 * slot + 1] = 0;
        size--;
    }

    int size() {
        return size;
    }

    /** The most pairs held at once: {@code maxEntries} rounded down to a multiple of the ways. */
    int capacity() {
        return pairs.length / 2;
    }

    private int find(int first, int hash, String key, String member) {
        for (int i = first; i < first + ways; i++) {
            if ((int) (meta[2 * i] >>> 32) == hash) {
                String k = pairs[2 * i];
                if (k != null && pairs[2 * i + 1].equals(member) && k.equals(key)) {
                    return i;
                }
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
