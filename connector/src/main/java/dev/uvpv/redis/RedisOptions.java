package dev.uvpv.redis;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The sink's table options. Names, types and meaning follow {@code io.github.jeff-zou:flink-connector-redis},
 * so a {@code CREATE TABLE ... WITH ('connector' = 'redis', ...)} written for one runs on the other.
 */
public final class RedisOptions {

    public static final ConfigOption<String> COMMAND =
            ConfigOptions.key("command")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Redis command each row is written with: " + RedisCommand.names() + ".");

    public static final ConfigOption<String> HOST =
            ConfigOptions.key("host").stringType().defaultValue("127.0.0.1").withDescription("Redis host.");

    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port").intType().defaultValue(6379).withDescription("Redis port.");

    /** A secret: never logged, and never part of a summary string or an exception message. */
    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password").stringType().noDefaultValue().withDescription("Redis password (AUTH).");

    public static final ConfigOption<Integer> DATABASE =
            ConfigOptions.key("database").intType().defaultValue(0).withDescription("Redis database number.");

    public static final ConfigOption<String> REDIS_MODE =
            ConfigOptions.key("redis-mode")
                    .stringType()
                    .defaultValue(RedisOptions.SINGLE_MODE)
                    .withDescription("Redis deployment; only 'single' (one server at host:port) is supported.");

    public static final ConfigOption<Integer> TIMEOUT =
            ConfigOptions.key("timeout")
                    .intType()
                    .defaultValue(2000)
                    .withDescription("Connect and socket timeout, in milliseconds.");

    public static final ConfigOption<Integer> TTL =
            ConfigOptions.key("ttl")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Seconds: EXPIRE is sent for the key after every write (not after a delete).");

    public static final String SINGLE_MODE = "single";

    private RedisOptions() {}
}
