package dev.uvpv.redis;

import redis.clients.jedis.Connection;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.util.List;

/**
 * Where a writer's commands go, in one mode of {@code redis-mode}: one server, a Redis Cluster (commands
 * routed to their slot's master) or the master that the sentinels name. Every command the sink sends
 * has one key, so a key's commands always go to one node, in order.
 */
interface RedisTarget extends AutoCloseable {

    /**
     * Pipelines the commands and reads one reply per command, in their order: an error reply is returned
     * as its {@code JedisDataException}, never thrown, so the writer checks every one. Throws when a node
     * is lost or (cluster) a slot has moved, so that nothing a batch wrote is taken as acknowledged.
     */
    List<Object> send(List<RedisBatch.Queued> commands) throws IOException;

    /** Sends one keyless command (SCRIPT LOAD) to every master; one reply per master. */
    List<Object> sendToEveryMaster(RedisBatch.Queued command) throws IOException;

    /** The node that serves {@code key} (or the targets' addresses), for messages. */
    String addressOf(String key);

    @Override
    void close();

    /** Writes the commands to a connection without waiting; {@link #read} then reads their replies. */
    static void write(Connection connection, List<RedisBatch.Queued> commands) {
        for (RedisBatch.Queued c : commands) {
            connection.sendCommand(c.command, c.args);
        }
        connection.getMany(0); // flushes: every node gets its commands before the first reply is awaited
    }

    static List<Object> read(Connection connection, int count) {
        return connection.getMany(count);
    }

    /** {@code redis-mode} = 'single': one connection to host:port, kept for the writer's life. */
    final class Single implements RedisTarget {
        private final RedisConnectionConfig config;
        private final Connection connection;

        Single(RedisConnectionConfig config) throws IOException {
            this.config = config;
            this.connection = new Connection(config.hostAndPort(), config.clientConfig(config.database(), true));
        }

        @Override
        public List<Object> send(List<RedisBatch.Queued> commands) throws IOException {
            try {
                write(connection, commands);
                return read(connection, commands.size());
            } catch (JedisException e) {
                throw lost(config.address(), commands.size(), e);
            }
        }

        @Override
        public List<Object> sendToEveryMaster(RedisBatch.Queued command) throws IOException {
            return send(List.of(command));
        }

        @Override
        public String addressOf(String key) {
            return config.address();
        }

        @Override
        public void close() {
            connection.close();
        }
    }

    static IOException lost(String address, int commands, Exception e) {
        return new IOException(String.format("Lost the connection to Redis at %s while writing %d commands: %s",
                address, commands, e.getMessage()), e);
    }
}
