package dev.uvpv.redis;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The integral members a writer has sent with SADD or PFADD, as one bit per possible member: for ids
 * that sit close together (user ids counted up from 1, say), the fastest member cache there is. A
 * key's members are split into pages of {@link #PAGE_BITS} consecutive ids, made on first use; 50,000
 * users take 13 pages (6.5 KB), which stay in the core's own cache, where the hashed cache of the
 * same members ({@link RedisMemberCache}) is read from main memory, a few cache lines per row.
 *
 * <p>It follows the hashed cache's policy: a member set in the open batch is pending, and
 * {@link #batchLost} clears the bits of every pending member, while {@link #batchWritten} keeps them;
 * {@link #remove} clears a bit at once. It holds at most {@code maxPages} pages over all keys: when a
 * new page does not fit, {@link #addIfAbsent} answers {@link #FULL} and changes nothing, and the owner
 * decides (see {@link RedisLongMemberCache}). Not thread-safe: only the writer's task thread uses it.
 */
final class RedisMemberBitmaps {
    /** Ids per page: 64 longs, 512 bytes. */
    static final int PAGE_BITS = 4096;
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE_LONGS = PAGE_BITS / 64;

    /** {@link #addIfAbsent}: the member was not held, and is now pending in the open batch. */
    static final int ADDED = 0;
    /** {@link #addIfAbsent}: the member was written, or is pending in the open batch. */
    static final int HELD = 1;
    /** {@link #addIfAbsent}: the member needs a new page, and every page allowed is in use. */
    static final int FULL = 2;

    private final int maxPages;
    private final Map<String, KeyPages> byKey = new HashMap<>();
    /** The key of the last lookup, and its pages: rows mostly repeat their key. */
    private String lastKey;
    private KeyPages lastPages;
    private int pages;
    private long size;
    /** Members set since the pages were last cleared, removed ones included: how full they were filled. */
    private long added;

    /** The members set in the open batch, to clear if it is lost. */
    private KeyPages[] pendingKeys = new KeyPages[64];
    private long[] pendingMembers = new long[64];
    private int pendingCount;

    /** @param maxPages 1 or more: the most pages held at once, over all keys */
    RedisMemberBitmaps(int maxPages) {
        if (maxPages < 1) {
            throw new IllegalArgumentException("Member bitmaps need room for 1 page or more, not " + maxPages);
        }
        this.maxPages = maxPages;
    }

    /** {@link #ADDED}, {@link #HELD} or {@link #FULL}; see there. */
    int addIfAbsent(String key, long member) {
        KeyPages of = pagesOf(key, false);
        long[] page = of == null ? null : of.page(member >> PAGE_SHIFT);
        if (page == null) {
            if (pages >= maxPages) {
                return FULL;
            }
            of = of == null ? pagesOf(key, true) : of;
            page = of.newPage(member >> PAGE_SHIFT);
            pages++;
        }
        int word = (int) (member >>> 6) & (PAGE_LONGS - 1);
        long bit = 1L << member;
        if ((page[word] & bit) != 0) {
            return HELD;
        }
        page[word] |= bit;
        size++;
        added++;
        pending(of, member);
        return ADDED;
    }

    /** Whether the member is held (written, or pending in the open batch). */
    boolean contains(String key, long member) {
        KeyPages of = pagesOf(key, false);
        long[] page = of == null ? null : of.page(member >> PAGE_SHIFT);
        return page != null && (page[(int) (member >>> 6) & (PAGE_LONGS - 1)] & (1L << member)) != 0;
    }

    /** Forgets a member (it is being removed from the key). */
    void remove(String key, long member) {
        KeyPages of = pagesOf(key, false);
        if (of != null) {
            clearBit(of, member);
        }
    }

    /** The open batch's replies were checked: its pending members are written. */
    void batchWritten() {
        Arrays.fill(pendingKeys, 0, pendingCount, null);
        pendingCount = 0;
    }

    /** The open batch failed: Redis may hold none of its members, so their bits are cleared. */
    void batchLost() {
        for (int i = 0; i < pendingCount; i++) {
            clearBit(pendingKeys[i], pendingMembers[i]);
        }
        batchWritten();
    }

    /** Forgets every member of every key, and frees every page. */
    void clear() {
        byKey.clear();
        lastKey = null;
        lastPages = null;
        pages = 0;
        size = 0;
        added = 0;
        batchWritten();
    }

    /** Members held (written or pending). */
    long size() {
        return size;
    }

    /** Pages in use. */
    int pages() {
        return pages;
    }

    /** Members set since the last {@link #clear}, even if removed or lost since: how densely the pages were filled. */
    long added() {
        return added;
    }

    /** Keys with pages. */
    int keys() {
        return byKey.size();
    }

    private KeyPages pagesOf(String key, boolean create) {
        if (key == lastKey) {
            return lastPages;
        }
        KeyPages of = byKey.get(key);
        if (of == null) {
            if (!create) {
                return null;
            }
            of = new KeyPages();
            byKey.put(key, of);
        }
        lastKey = key;
        lastPages = of;
        return of;
    }

    private void clearBit(KeyPages of, long member) {
        long[] page = of.page(member >> PAGE_SHIFT);
        int word = (int) (member >>> 6) & (PAGE_LONGS - 1);
        if (page != null && (page[word] & (1L << member)) != 0) {
            page[word] &= ~(1L << member);
            size--;
        }
    }

    private void pending(KeyPages of, long member) {
        if (pendingCount == pendingMembers.length) {
            pendingKeys = Arrays.copyOf(pendingKeys, pendingCount * 2);
            pendingMembers = Arrays.copyOf(pendingMembers, pendingCount * 2);
        }
        pendingKeys[pendingCount] = of;
        pendingMembers[pendingCount++] = member;
    }

    /** One key's pages, by page number (an open-addressing table, at most half full). */
    private static final class KeyPages {
        private long[] numbers = new long[16];
        private long[][] pages = new long[16][];
        private int count;

        long[] page(long number) {
            int mask = numbers.length - 1;
            for (int i = slot(number, mask); ; i = (i + 1) & mask) {
                long[] page = pages[i];
                if (page == null || numbers[i] == number) {
                    return page;
                }
            }
        }

        long[] newPage(long number) {
            if (2 * (count + 1) > numbers.length) {
                grow();
            }
            long[] page = new long[PAGE_LONGS];
            put(number, page);
            count++;
            return page;
        }

        private void put(long number, long[] page) {
            int mask = numbers.length - 1;
            int i = slot(number, mask);
            while (pages[i] != null) {
                i = (i + 1) & mask;
            }
            numbers[i] = number;
            pages[i] = page;
        }

        private void grow() {
            long[] oldNumbers = numbers;
            long[][] oldPages = pages;
            numbers = new long[oldNumbers.length * 2];
            pages = new long[oldNumbers.length * 2][];
            for (int i = 0; i < oldNumbers.length; i++) {
                if (oldPages[i] != null) {
                    put(oldNumbers[i], oldPages[i]);
                }
            }
        }

        /** Page numbers of neighbouring ids are consecutive: mixed, so they do not cluster in the table. */
        private static int slot(long number, int mask) {
            long h = number * 0x9E3779B97F4A7C15L;
            return (int) (h >>> 40) & mask;
        }
    }
}
