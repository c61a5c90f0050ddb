package dev.uvpv.redis;

import redis.clients.jedis.Protocol.Command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A writer's queued commands, and the fewer commands that write the same: runs of SADD, PFADD, HSET and
 * ZADD become one variadic command per (command, key), such as {@code SADD key m1 m2} or
 * {@code HSET key f1 v1 f2 v2}.
 *
 * <p>Why that writes the same. The queue is cut into segments at every other command (SET, DEL, SREM,
 * HDEL, ZREM, INCRBY, LPUSH, EVALSHA, ...), which are sent alone and in their order. Inside a segment:
 * <ul>
 *   <li>adds to different keys commute, so grouping them per key changes nothing;
 *   <li>a group keeps its rows in order, and Redis applies a variadic command's arguments in order, so
 *       the last HSET of a field (or ZADD of a member) still wins;
 *   <li>groups go out in the order of their first row, so the command that creates a key is the same one,
 *       and a row of another type on that key gets WRONGTYPE either way (no command in a segment deletes
 *       a key);
 *   <li>an EXPIRE of a key that an earlier add of the segment wrote (or found with another type) moves to
 *       the segment's end: the key exists at both times, and the adds it moves past neither delete a key
 *       nor clear its TTL. Only a key's last EXPIRE is sent: it decides the TTL anyway. Any other EXPIRE
 *       (of a key the segment has not touched, which may not exist yet) is order-sensitive. A sink's
 *       EXPIRE always follows its row's write.
 * </ul>
 * One difference: Redis checks all of a ZADD's scores before adding any, so a score it cannot read fails
 * the whole merged command rather than that row alone. Either way the reply fails the job.
 */
final class RedisBatch {
    /** The commands whose runs on one key merge, each taking its argument groups after the key. */
    private static final Set<Command> VARIADIC = Set.of(Command.SADD, Command.PFADD, Command.HSET, Command.ZADD);

    /** A command as sent: its arguments, and the key an error message names. */
    static final class Queued {
        final Command command;
        final String key;
        final String[] args;

        Queued(Command command, String key, String[] args) {
            this.command = command;
            this.key = key;
            this.args = args;
        }

        @Override
        public String toString() {
            return command + " " + String.join(" ", args);
        }
    }

    /** In order: {@link Queued} commands, and {@link Run}s of one variadic command on one key. */
    private final List<Object> queue = new ArrayList<>();
    /** The run the last add went to, while nothing was queued after it. */
    private Run lastRun;

    /** Queues {@code command key args...}. */
    void add(Command command, String key, String... args) {
        if (VARIADIC.contains(command)) {
            // a sink's rows mostly repeat one key: they join the run, with no command object per row
            if (lastRun == null || lastRun.command != command || !lastRun.key.equals(key)) {
                lastRun = new Run(command, key);
                queue.add(lastRun);
            }
            lastRun.append(args);
            return;
        }
        String[] all = new String[args.length + 1];
        all[0] = key;
        System.arraycopy(args, 0, all, 1, args.length);
        queue.add(new Queued(command, key, all));
        lastRun = null;
    }

    /** Queues a command whose key is not its first argument (EVALSHA); it is never merged. */
    void addWithArgs(Command command, String key, String... args) {
        queue.add(new Queued(command, key, args));
        lastRun = null;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    void clear() {
        queue.clear();
        lastRun = null;
    }

    /** The queued commands as they are to be sent, merged as described above. */
    List<Queued> merged() {
        List<Queued> out = new ArrayList<>();
        Segment segment = new Segment();
        for (Object entry : queue) {
            if (entry instanceof Run) {
                segment.add((Run) entry);
                continue;
            }
            Queued q = (Queued) entry;
            if (q.command == Command.EXPIRE && segment.touched(q.key)) {
                segment.expire(q);
            } else {
                segment.drainTo(out);
                out.add(q);
            }
        }
        segment.drainTo(out);
        return out;
    }

    /** Consecutive rows of one variadic command on one key: their arguments after the key, in row order. */
    private static final class Run {
        final Command command;
        final String key;
        final List<String> args = new ArrayList<>();

        Run(Command command, String key) {
            this.command = command;
            this.key = key;
        }

        void append(String[] rowArgs) {
            for (String arg : rowArgs) {
                args.add(arg);
            }
        }
    }

    /** The mergeable commands between two order-sensitive ones. */
    private static final class Segment {
        /** One variadic command per (command, key), in the order of each one's first row. */
        private final Map<List<Object>, Group> groups = new LinkedHashMap<>();
        /** The last EXPIRE of each key. */
        private final Map<String, Queued> expires = new LinkedHashMap<>();
        /** The keys of the groups. */
        private final Set<String> keys = new HashSet<>();
        void add(Run run) {
            keys.add(run.key);
            groups.computeIfAbsent(Arrays.asList(run.command, run.key), g -> new Group(run.command, run.key)).args.addAll(run.args);
        }

        /** Whether an add of the segment has this key. */
        boolean touched(String key) {
            return keys.contains(key);
        }

        void expire(Queued q) {
            expires.put(q.key, q);
        }

        void drainTo(List<Queued> out) {
            for (Group group : groups.values()) {
                out.add(group.toQueued());
            }
            out.addAll(expires.values());
            groups.clear();
            expires.clear();
            keys.clear();
        }
    }

    /** The rows of one variadic command: the key, then every row's arguments after the key, in row order. */
    private static final class Group {
        private final Command command;
        private final List<String> args = new ArrayList<>();

        Group(Command command, String key) {
            this.command = command;
            this.args.add(key);
        }

        Queued toQueued() {
            return new Queued(command, args.get(0), args.toArray(new String[0]));
        }
    }
}
