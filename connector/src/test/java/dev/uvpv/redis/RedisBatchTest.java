package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.resps.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** How a batch merges its commands, and that the merged commands leave Redis as the queued ones do (fuzzed). */
class RedisBatchTest extends WithTestRedis {

    @Test
    void runsOnOneKeyBecomeOneVariadicCommandPerCommandAndKey() {
        RedisBatch batch = new RedisBatch();
        batch.add(Command.SADD, "s", "a");
        batch.add(Command.HSET, "h", "f", "1");
        batch.add(Command.SADD, "s", "b");
        batch.add(Command.SADD, "t", "c");
        batch.add(Command.HSET, "h", "f", "2");
        batch.add(Command.ZADD, "z", "1", "m");
        batch.add(Command.PFADD, "p", "x");
        batch.add(Command.ZADD, "z", "2", "m");
        batch.add(Command.PFADD, "p", "y");
        assertEquals(List.of("SADD s a b", "HSET h f 1 f 2", "SADD t c", "ZADD z 1 m 2 m", "PFADD p x y"), sent(batch));
    }

    @Test
    void otherCommandsAreSentAloneInTheirOrderAndCutTheRuns() {
        RedisBatch batch = new RedisBatch();
        batch.add(Command.SADD, "s", "a");
        batch.add(Command.SREM, "s", "a");
        batch.add(Command.SADD, "s", "a");
        batch.add(Command.SET, "k", "1");
        batch.add(Command.SADD, "s", "b");
        batch.add(Command.LPUSH, "l", "x");
        batch.add(Command.SADD, "s", "c");
        batch.addWithArgs(Command.EVALSHA, "l", "sha", "1", "l", "L", "window_end", "{}", "");
        batch.add(Command.SADD, "s", "d");
        batch.add(Command.SADD, "s", "e");
        assertEquals(List.of("SADD s a", "SREM s a", "SADD s a", "SET k 1", "SADD s b", "LPUSH l x", "SADD s c",
                "EVALSHA sha 1 l L window_end {} ", "SADD s d e"), sent(batch));
    }

    @Test
    void aKeysExpireAfterItsAddsIsSentOnceAtTheEndOfTheRun() {
        RedisBatch batch = new RedisBatch();
        batch.add(Command.SADD, "s", "a");
        batch.add(Command.EXPIRE, "s", "60");
        batch.add(Command.SADD, "t", "x");
        batch.add(Command.EXPIRE, "t", "60");
        batch.add(Command.SADD, "s", "b");
        batch.add(Command.EXPIRE, "s", "60");
        batch.add(Command.SET, "k", "1");
        batch.add(Command.EXPIRE, "k", "60");
        batch.add(Command.SET, "k", "2");
        batch.add(Command.EXPIRE, "k", "60");
        assertEquals(List.of("SADD s a b", "SADD t x", "EXPIRE s 60", "EXPIRE t 60",
                "SET k 1", "EXPIRE k 60", "SET k 2", "EXPIRE k 60"), sent(batch));
    }

    @Test
    void anExpireOfAKeyTheRunHasNotWrittenKeepsItsPlace() {
        // the key may not exist yet: moved after the SADD that creates it, it would set a TTL that it does not
        RedisBatch batch = new RedisBatch();
        batch.add(Command.SADD, "t", "x");
        batch.add(Command.EXPIRE, "s", "60");
        batch.add(Command.SADD, "s", "a");
        assertEquals(List.of("SADD t x", "EXPIRE s 60", "SADD s a"), sent(batch));
    }

    /**
     * Random sequences of commands over a few keys shared by every type (so WRONGTYPE happens too), sent as
     * queued under one prefix and merged under another: every key ends up with the same type, contents and
     * TTL. Error replies are ignored on both sides (a sink fails the job on one).
     */
    @Test
    void mergedCommandsLeaveRedisAsTheQueuedOnesDo() {
        Random random = new Random(23);
        int roundsMerged = 0;
        for (int round = 0; round < 300; round++) {
            String individual = redis.key("one-by-one:" + round + ":");
            String batched = redis.key("merged:" + round + ":");
            List<RedisBatch.Queued> sequence = randomSequence(random, 1 + random.nextInt(40));
            RedisBatch plain = new RedisBatch();
            RedisBatch batch = new RedisBatch();
            for (RedisBatch.Queued q : sequence) {
                queue(plain, q, individual);
                queue(batch, q, batched);
            }
            List<RedisBatch.Queued> mergedCommands = batch.merged();
            sendIgnoringErrors(prefixedAsQueued(sequence, individual));
            sendIgnoringErrors(mergedCommands);
            assertEquals(contents(individual), contents(batched), "round " + round + ": " + sequence);
            roundsMerged += mergedCommands.size() < sequence.size() ? 1 : 0;
        }
        assertTrue(roundsMerged > 200, "the sequences exercise merging: fewer commands in " + roundsMerged + " of 300 rounds");
    }

    // ------------------------------------------------------------------------------------------

    private static final String[] KEYS = {"a", "b", "c", "d"};

    private static List<RedisBatch.Queued> randomSequence(Random random, int length) {
        List<RedisBatch.Queued> out = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            String key = KEYS[random.nextInt(random.nextInt(10) < 7 ? 2 : KEYS.length)];
            String item = "m" + random.nextInt(4);
            String value = "v" + random.nextInt(3);
            String score = String.valueOf(random.nextInt(5));
            int pick = random.nextInt(100);
            Command command;
            String[] args;
            if (pick < 22) {
                command = Command.SADD;
                args = new String[] {item};
            } else if (pick < 40) {
                command = Command.HSET;
                args = new String[] {item, value};
            } else if (pick < 55) {
                command = Command.ZADD;
                args = new String[] {score, item};
            } else if (pick < 63) {
                command = Command.PFADD;
                args = new String[] {item};
            } else if (pick < 75) {
                command = Command.EXPIRE;
                args = new String[] {String.valueOf(1000 * (1 + random.nextInt(3)))};
            } else if (pick < 81) {
                command = Command.SET;
                args = new String[] {value};
            } else if (pick < 87) {
                command = Command.LPUSH;
                args = new String[] {value};
            } else if (pick < 90) {
                command = Command.SREM;
                args = new String[] {item};
            } else if (pick < 93) {
                command = Command.HDEL;
                args = new String[] {item};
            } else if (pick < 96) {
                command = Command.ZREM;
                args = new String[] {item};
            } else {
                command = Command.DEL;
                args = new String[0];
            }
            String[] all = new String[args.length + 1];
            all[0] = key;
            System.arraycopy(args, 0, all, 1, args.length);
            out.add(new RedisBatch.Queued(command, key, all));
        }
        return out;
    }

    private static void queue(RedisBatch batch, RedisBatch.Queued q, String prefix) {
        String[] tail = new String[q.args.length - 1];
        System.arraycopy(q.args, 1, tail, 0, tail.length);
        batch.add(q.command, prefix + q.key, tail);
    }

    private static List<RedisBatch.Queued> prefixedAsQueued(List<RedisBatch.Queued> sequence, String prefix) {
        List<RedisBatch.Queued> out = new ArrayList<>();
        for (RedisBatch.Queued q : sequence) {
            String[] args = q.args.clone();
            args[0] = prefix + q.key;
            out.add(new RedisBatch.Queued(q.command, args[0], args));
        }
        return out;
    }

    private void sendIgnoringErrors(List<RedisBatch.Queued> commands) {
        Pipeline pipeline = redis.jedis().pipelined();
        for (RedisBatch.Queued q : commands) {
            pipeline.sendCommand(q.command, q.args);
        }
        pipeline.syncAndReturnAll();
    }

    /** Every key under the prefix (by its name after the prefix): its type, contents and TTL. */
    private Map<String, String> contents(String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (String name : KEYS) {
            String key = prefix + name;
            String type = redis.jedis().type(key);
            String value;
            switch (type) {
                case "none":
                    continue;
                case "string":
                    String text = redis.jedis().get(key);
                    // a HyperLogLog's bytes depend on its history; what it holds is its count
                    value = text.startsWith("HYLL") ? "pfcount " + redis.jedis().pfcount(key) : text;
                    break;
                case "set":
                    value = new TreeSet<>(redis.jedis().smembers(key)).toString();
                    break;
                case "hash":
                    value = new TreeMap<>(redis.jedis().hgetAll(key)).toString();
                    break;
                case "zset":
                    value = redis.jedis().zrangeWithScores(key, 0, -1).stream()
                            .map(Tuple::toString).collect(Collectors.joining(","));
                    break;
                case "list":
                    value = redis.jedis().lrange(key, 0, -1).toString();
                    break;
                default:
                    throw new IllegalStateException(type);
            }
            // TTLs of 1000, 2000 or 3000 s, read in thousands of seconds: the two sides run moments apart
            long pttl = redis.jedis().pttl(key);
            out.put(name, type + " " + value + (pttl > 0 ? ", ttl " + Math.round(pttl / 1_000_000.0) + "000 s" : ""));
        }
        return out;
    }

    private static List<String> sent(RedisBatch batch) {
        return batch.merged().stream().map(RedisBatch.Queued::toString).collect(Collectors.toList());
    }
}
