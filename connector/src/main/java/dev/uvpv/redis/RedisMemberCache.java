package dev.uvpv.redis;

import java.util.Arrays;

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
 * <p>This class is that policy, for either kind of member: {@link RedisStringMemberCache} holds a
 * member as its string, {@link RedisLongMemberCache} an integral column's member as a long (no string
 * per row). A variant stores the pairs; it looks one up by setting it as its probe and calling
 * {@link #containsProbe}, {@link #addProbeIfAbsent} or {@link #removeProbe} with the pair's hash, which
 * ask it {@link #holdsProbe} for the slots whose hash matches and {@link #storeProbe} for a new one.
 *
 * <p>Set-associative: a pair's mixed hash picks one set of up to {@link #WAYS} slots, and a new pair
 * replaces the set's least recently used one. A lookup is a few array reads with no allocation and no
 * relinking. Java's hash maps spent 10–15% of the source task on hash bins that had turned into trees,
 * because user ids as decimal strings have closely packed {@code String.hashCode}s: this cache, and the
 * pending state instead of a per-batch {@code HashSet} of queued members, avoid them. Holds
 * at most {@code maxEntries} pairs (a multiple of the ways, rounded down). Not thread-safe: only the
 * writer's task thread uses it.
 *
 * <p>A slot's fields sit side by side (its hash, batch and last use, and a variant's own longs, in
 * {@code meta}; its key and member in the variant's arrays), so a lookup and an insert touch two or
 * three cache lines rather than one per field: with most members new, as in a bench of 1M users, the
 * cache's memory reads were 16% of the source task when each field had an array of its own.
 */
abstract class RedisMemberCache {
    static final int WAYS = 4;

    private final int ways;
    private final int sets;
    /** Longs per slot in {@link #meta}: the two of this class, then the variant's own. */
    private final int stride;
    /**
     * Per slot: the pair's mixed hash (high 32 bits) and the batch that queued it (low 32 bits, pending
     * while it is {@link #batch}'s, written before); then when it was last used (a tick of this cache;
     * 0 for an empty slot); then the variant's own longs. Null until {@link #allocateSlots} for a variant
     * that may never use its slots.
     */
    private long[] meta;
    private long tick;
    /** The open batch: pairs added now are pending until it is written or lost. */
    private int batch = 1;
    private int size;

    /**
     * @param maxEntries 1 or more: the most (key, member) pairs held at once
     * @param ownLongs the longs a variant keeps per slot beside the hash, batch and last use
     */
    RedisMemberCache(int maxEntries, int ownLongs) {
        this(maxEntries, ownLongs, true);
    }

    /**
     * @param slotsNow false: the slots are allocated by {@link #allocateSlots}, which must come before
     *     any lookup; until then the cache holds no pair
     */
    RedisMemberCache(int maxEntries, int ownLongs, boolean slotsNow) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("A member cache needs room for 1 entry or more, not " + maxEntries);
        }
        this.ways = Math.min(WAYS, maxEntries);
        this.sets = maxEntries / ways;
        this.stride = 2 + ownLongs;
        if (slotsNow) {
            allocateSlots();
        }
    }

    /** Allocates the slots, empty, unless they are. */
    final void allocateSlots() {
        if (meta == null) {
            meta = new long[stride * sets * ways];
        }
    }

    /** Whether the slot holds the probe: the pair the variant is looking up. Only asked of a slot whose hash matches. */
    abstract boolean holdsProbe(int slot);

    /** Stores the probe in the slot (empty, or its pair evicted). */
    abstract void storeProbe(int slot);

    /** Drops the slot's pair, so that it holds no reference. */
    abstract void clearPair(int slot);

    /** Whether the probe was written or is pending; a hit makes it the most recently used of its set. */
    final boolean containsProbe(int hash) {
        int slot = find(firstSlot(hash), hash);
        if (slot < 0) {
            return false;
        }
        meta[stride * slot + 1] = ++tick;
        return true;
    }

    /**
     * Remembers the probe as queued in the open batch, unless it is held already (written, or pending in
     * this batch): true when the row must be sent. A new pair replaces its set's least recently used one
     * when the set is full.
     */
    final boolean addProbeIfAbsent(int hash) {
        int first = firstSlot(hash);
        int slot = find(first, hash);
        if (slot >= 0) {
            meta[stride * slot + 1] = ++tick;
            return false;
        }
        slot = first;
        for (int i = first + 1; i < first + ways; i++) {
            if (meta[stride * i + 1] < meta[stride * slot + 1]) {
                slot = i; // an empty slot (0) is the least recent of all
            }
        }
        if (meta[stride * slot + 1] == 0) {
            size++;
        }
        storeProbe(slot);
        meta[stride * slot] = ((long) hash << 32) | (batch & 0xffffffffL);
        meta[stride * slot + 1] = ++tick;
        return true;
    }

    /** Forgets the probe (its member is being removed from the key). */
    final void removeProbe(int hash) {
        int slot = find(firstSlot(hash), hash);
        if (slot >= 0) {
            clear(slot);
        }
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
        for (int i = 0; meta != null && i < capacity(); i++) {
            if (meta[stride * i + 1] != 0 && (int) meta[stride * i] == batch) {
                clear(i);
            }
        }
        batch++;
    }

    private void clear(int slot) {
        clearPair(slot);
        Arrays.fill(meta, stride * slot, stride * (slot + 1), 0L);
        size--;
    }

    int size() {
        return size;
    }

    /** The most pairs held at once: {@code maxEntries} rounded down to a multiple of the ways. */
    final int capacity() {
        return sets * ways;
    }

    /** The variant's own long {@code i} of the slot. */
    final long ownLong(int slot, int i) {
        return meta[stride * slot + 2 + i];
    }

    final void setOwnLong(int slot, int i, long value) {
        meta[stride * slot + 2 + i] = value;
    }

    /** The slot of the set starting at {@code first} that holds the probe, or -1. An empty slot never does. */
    private int find(int first, int hash) {
        for (int i = first; i < first + ways; i++) {
            if ((int) (meta[stride * i] >>> 32) == hash && meta[stride * i + 1] != 0 && holdsProbe(i)) {
                return i;
            }
        }
        return -1;
    }

    /** The set's first slot: the hash's high bits scaled to the number of sets (no modulo, any count). */
    private int firstSlot(int hash) {
        return (int) (((hash & 0xffffffffL) * sets) >>> 32) * ways;
    }

    /** A pair's hashes, mixed (murmur3's finalizer) so that packed hashes spread over every set. */
    static int mix(int keyHash, int memberHash) {
        int h = keyHash * 31 + memberHash;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
