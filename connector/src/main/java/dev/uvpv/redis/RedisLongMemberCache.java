package dev.uvpv.redis;

/**
 * The member cache (see {@link RedisMemberCache}) of an integral member column (TINYINT, SMALLINT, INT,
 * BIGINT): the member is held as a long and compared exactly, so a row whose pair is held costs no
 * string at all. The decimal text Redis gets is made only for a member that is sent.
 *
 * <p>Members are first held as bits ({@link RedisMemberBitmaps}), in pages worth {@link #BITMAP_BYTES_PER_ENTRY}
 * bytes per entry of {@code maxEntries}: ids that sit close together cost a few bits each, and a lookup
 * stays in the core's cache. When a new page does not fit, the pages are judged by the members they
 * hold: dense ones (at least {@link #DENSE_MEMBERS_PER_PAGE} a page) are all dropped and filled again
 * from the rows that follow, as an LRU cache drops its oldest; sparse ones (ids scattered far apart,
 * where a page holds a member or two) are dropped for good, and from then on the pairs go into the
 * hashed slots of {@link RedisMemberCache}. Either way only what is forgotten is sent again.
 */
final class RedisLongMemberCache extends RedisMemberCache {
    /** The bitmaps' share of {@code maxEntries}: a quarter of what a hashed slot takes. */
    static final int BITMAP_BYTES_PER_ENTRY = 8;
    /** Below this many members a page, the hashed slots hold the same members in less memory. */
    static final int DENSE_MEMBERS_PER_PAGE = 16;
    private static final int PAGE_BYTES = RedisMemberBitmaps.PAGE_BITS / 8;

    /**
     * One per slot: the key; null for an empty slot. The member is the slot's own long 0. Allocated with
     * the slots, only once the bits are given up (or never taken).
     */
    private String[] keys;
    /** Null when {@code maxEntries} leaves no room for a page, or once the ids proved sparse. */
    private RedisMemberBitmaps bitmaps;
    /** The pair being looked up. */
    private String probeKey;
    private long probeMember;

    /** @param maxEntries 1 or more: the most (key, member) pairs held at once in the hashed slots */
    RedisLongMemberCache(int maxEntries) {
        this(maxEntries, true);
    }

    /** @param bits false: the hashed slots only, as for ids known to be sparse (and for tests of the slots) */
    RedisLongMemberCache(int maxEntries, boolean bits) {
        super(maxEntries, 1, false);
        long pages = (long) maxEntries * BITMAP_BYTES_PER_ENTRY / PAGE_BYTES;
        if (bits && pages >= 1) {
            bitmaps = new RedisMemberBitmaps((int) pages);
        } else {
            useSlots();
        }
    }

    /** Gives up the bits for the slots, for good. */
    private void useSlots() {
        bitmaps = null;
        allocateSlots();
        keys = new String[capacity()];
    }

    /** Whether the pair was written or is pending; a hit makes it the most recently used of its set. */
    boolean contains(String key, long member) {
        if (bitmaps != null) {
            return bitmaps.contains(key, member);
        }
        probe(key, member);
        return containsProbe(hash(key, member));
    }

    /** Remembers a pair queued in the open batch unless it is held already: true when the row must be sent. */
    boolean addIfAbsent(String key, long member) {
        if (bitmaps != null) {
            int added = bitmaps.addIfAbsent(key, member);
            if (added != RedisMemberBitmaps.FULL) {
                return added == RedisMemberBitmaps.ADDED;
            }
            // judged by what the pages took in, so that removes and lost batches do not make ids look sparse
            boolean dense = bitmaps.added() >= (long) bitmaps.pages() * DENSE_MEMBERS_PER_PAGE;
            bitmaps.clear();
            if (dense) {
                return bitmaps.addIfAbsent(key, member) == RedisMemberBitmaps.ADDED;
            }
            useSlots();
        }
        probe(key, member);
        return addProbeIfAbsent(hash(key, member));
    }

    /** Forgets a pair (its member is being removed from the key). */
    void remove(String key, long member) {
        if (bitmaps != null) {
            bitmaps.remove(key, member);
            return;
        }
        probe(key, member);
        removeProbe(hash(key, member));
    }

    @Override
    void batchWritten() {
        if (bitmaps != null) {
            bitmaps.batchWritten();
        }
        super.batchWritten();
    }

    @Override
    void batchLost() {
        if (bitmaps != null) {
            bitmaps.batchLost();
        }
        super.batchLost();
    }

    @Override
    int size() {
        return bitmaps != null ? (int) Math.min(Integer.MAX_VALUE, bitmaps.size()) : super.size();
    }

    /** Whether members are held as bits (not yet found sparse); for tests. */
    boolean holdsBits() {
        return bitmaps != null;
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
