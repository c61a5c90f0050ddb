package dev.uvpv.redis;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.providers.SentineledConnectionProvider;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * {@code redis-mode} = 'sentinel': the master the sentinels name for {@code master.name}. Jedis follows
 * the sentinels' {@code +switch-master} and swaps its pool to the new master; each batch takes a
 * connection from the pool, so the batch after a failover goes to the new master. A failover during a
 * batch loses its connection or gets READONLY from the old master, and the batch fails (the job replays
 * it from its last checkpoint).
 *
 * <p>With option {@code sentinels.password}, the sentinels get that password (AUTH password). Without it,
 * they get the data nodes' user and password only if they ask for them (NOAUTH to a PING without): many
 * installs protect the data nodes and not the sentinels, others both with the same password. A sentinel
 * that refuses what it gets fails the writer at once with a {@link SentinelAuthFailure}: Jedis itself would
 * only log the refusal and report every sentinel down.
 */
final class RedisSentinelTarget implements RedisTarget {
    private final SentineledConnectionProvider provider;

    RedisSentinelTarget(RedisConnectionConfig config) throws IOException {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(2);
        pool.setMaxWait(Duration.ofMillis(config.timeoutMs()));
        List<HostAndPort> sentinels = config.nodes();
        this.provider = new SentineledConnectionProvider(config.masterName(), config.clientConfig(config.database(), true), pool,
                new LinkedHashSet<>(sentinels), sentinelConfig(config, sentinels));
    }

    /** The sentinels' client settings, as the first sentinel that answers takes them. */
    private static JedisClientConfig sentinelConfig(RedisConnectionConfig config, List<HostAndPort> sentinels) throws IOException {
        JedisConnectionException unreachable = null;
        for (HostAndPort sentinel : sentinels) {
            try {
                return sentinelConfig(config, sentinel);
            } catch (JedisConnectionException e) {
                unreachable = e;
            }
        }
        throw unreachable;
    }

    /** {@code sentinels.password}; or nothing, unless the sentinel says NOAUTH: then the data nodes' user and password. */
    private static JedisClientConfig sentinelConfig(RedisConnectionConfig config, HostAndPort sentinel) throws IOException {
        if (config.hasSentinelsPassword()) {
            JedisClientConfig own = config.sentinelsClientConfig();
            try {
                ping(sentinel, own);
                return own;
            } catch (JedisDataException e) {
                // WRONGPASS, or "ERR AUTH <password> called without any password configured" from a sentinel without one
                throw new SentinelAuthFailure(String.format("sentinel %s refused option '%s': %s", sentinel,
                        RedisOptions.SENTINELS_PASSWORD.key(), e.getMessage()));
            }
        }
        JedisClientConfig plain = config.clientConfig(0, false);
        try {
            ping(sentinel, plain);
            return plain;
        } catch (JedisDataException e) {
            if (!String.valueOf(e.getMessage()).startsWith("NOAUTH")) {
                throw e;
            }
            if (!config.hasPassword()) {
                throw new SentinelAuthFailure(String.format("sentinel %s asks for a password: %s", sentinel, e.getMessage()));
            }
        }
        JedisClientConfig dataNodes = config.clientConfig(0, true);
        try {
            ping(sentinel, dataNodes);
            return dataNodes;
        } catch (JedisDataException e) {
            throw new SentinelAuthFailure(String.format("sentinel %s asks for a password (NOAUTH) and refused the data "
                    + "nodes' password (option '%s'): %s", sentinel, RedisOptions.PASSWORD.key(), e.getMessage()));
        }
    }

    private static void ping(HostAndPort sentinel, JedisClientConfig clientConfig) {
        try (Connection c = new Connection(sentinel, clientConfig)) {
            c.ping();
        }
    }

    /** A sentinel refused the password it got, or got none and asks for one; {@link RedisConnectionConfig} adds what to set. */
    static final class SentinelAuthFailure extends JedisAccessControlException {
        private static final long serialVersionUID = 1L;

        SentinelAuthFailure(String message) {
            super(message);
        }
    }

    @Override
    public List<Object> send(List<RedisBatch.Queued> commands) throws IOException {
        HostAndPort master = provider.getCurrentMaster();
        try (Connection c = provider.getConnection()) {
            RedisTarget.write(c, commands);
            return RedisTarget.read(c, commands.size());
        } catch (JedisException e) {
            throw RedisTarget.lost(master + " (the sentinels' master)", commands.size(), e);
        }
    }

    @Override
    public List<Object> sendToEveryMaster(RedisBatch.Queued command) throws IOException {
        return send(List.of(command));
    }

    @Override
    public String addressOf(String key) {
        return String.valueOf(provider.getCurrentMaster());
    }

    /** The master the writer's next batch goes to. */
    HostAndPort currentMaster() {
        return provider.getCurrentMaster();
    }

    @Override
    public void close() {
        provider.close();
    }
}
