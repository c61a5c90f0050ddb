package dev.uvpv.redis;

import org.apache.flink.table.api.ValidationException;

import redis.clients.jedis.Protocol.Command;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The commands the sink writes with, and how a row's columns (taken by position) become their
 * arguments; the same mapping as jeff-zou's connector. A DELETE row undoes what an INSERT row did
 * where Redis can (set → DEL, sadd → SREM, hset → HDEL, zadd → ZREM, incrby → DECRBY, hincrby → a
 * negative HINCRBY); lpush, rpush, pfadd and del ignore DELETE rows.
 */
enum RedisCommand {
    SET(List.of("key", "value"), true, (out, a) -> out.send(Command.SET, a[0], a[1]), (out, a) -> out.send(Command.DEL, a[0])),
    SADD(List.of("key", "member"), true, (out, a) -> out.send(Command.SADD, a[0], a[1]), (out, a) -> out.send(Command.SREM, a[0], a[1])),
    LPUSH(List.of("key", "value"), true, (out, a) -> out.send(Command.LPUSH, a[0], a[1]), null),
    RPUSH(List.of("key", "value"), true, (out, a) -> out.send(Command.RPUSH, a[0], a[1]), null),
    PFADD(List.of("key", "element"), true, (out, a) -> out.send(Command.PFADD, a[0], a[1]), null),
    HSET(List.of("key", "field", "value"), true,
            (out, a) -> out.send(Command.HSET, a[0], a[1], a[2]), (out, a) -> out.send(Command.HDEL, a[0], a[1])),
    /**
     * {@code ZADD key score member} from the columns (key, score, member), as jeff-zou's connector
     * maps them (its key, score, value); a DELETE row sends {@code ZREM key member}. The score column
     * is a number (TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL) or a CHAR/VARCHAR holding
     * one, checked when the table is planned; a string Redis cannot read as a float fails the job with
     * Redis's {@code ERR value is not a valid float}. ZADD is idempotent: adding a member again only
     * sets its score, so rows replayed after a restore from a checkpoint change nothing, and an
     * UPDATE_AFTER row moves its member to the new score.
     */
    ZADD(List.of("key", RedisCommand.SCORE, "member"), true,
            (out, a) -> out.send(Command.ZADD, a[0], a[1], a[2]), (out, a) -> out.send(Command.ZREM, a[0], a[2])),
    INCRBY(List.of("key", "increment"), true,
            (out, a) -> out.send(Command.INCRBY, a[0], a[1]), (out, a) -> out.send(Command.DECRBY, a[0], a[1])),
    HINCRBY(List.of("key", "field", "increment"), true,
            (out, a) -> out.send(Command.HINCRBY, a[0], a[1], a[2]),
            (out, a) -> out.send(Command.HINCRBY, a[0], a[1], negate(a[2]))),
    DEL(List.of("key"), false, (out, a) -> out.send(Command.DEL, a[0]), null);

    /** The name of a sorted-set score argument: its column must hold a number (see the factory). */
    static final String SCORE = "score";

    /** Where the Redis commands of one row go. */
    interface Output {
        void send(Command command, String key, String... args);
    }

    /** Turns one row's arguments into Redis commands. */
    interface Op {
        void apply(Output out, String[] args);
    }

    private final List<String> arguments;
    private final boolean expires;
    private final Op insert;
    private final Op delete;

    RedisCommand(List<String> arguments, boolean expires, Op insert, Op delete) {
        this.arguments = arguments;
        this.expires = expires;
        this.insert = insert;
        this.delete = delete;
    }

    /** Parses the {@code command} option, ignoring case. */
    static RedisCommand parse(String value) {
        for (RedisCommand c : values()) {
            if (c.optionValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new ValidationException(
                String.format("Unsupported value '%s' for option 'command'. Supported commands: %s.", value, names()));
    }

    static String names() {
        return Arrays.stream(values()).map(RedisCommand::optionValue).collect(Collectors.joining(", "));
    }

    /** The spelling used in the {@code command} option. */
    String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Argument names, one per column, in column order; extra columns are ignored. */
    List<String> arguments() {
        return arguments;
    }

    /** Whether the {@code ttl} option applies (EXPIRE after each write). */
    boolean expires() {
        return expires;
    }

    Op insert() {
        return insert;
    }

    /** What a DELETE row does; null when the command ignores DELETE rows. */
    Op delete() {
        return delete;
    }

    /** "-5" for "5" and "5" for "-5", without parsing: Redis checks that it is an integer. */
    static String negate(String integer) {
        if (integer.startsWith("-")) {
            return integer.substring(1);
        }
        return "0".equals(integer) ? integer : "-" + integer;
    }
}
