package dev.uvpv.redis;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
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
 * <p>The sentinels get the user and password only if they ask for them (NOAUTH to a PING without): many
 * installs protect the data nodes and not the sentinels, others both with the same password.
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

    /** Without AUTH, unless the first sentinel that answers says NOAUTH. */
    private static JedisClientConfig sentinelConfig(RedisConnectionConfig config, List<HostAndPort> sentinels) throws IOException {
        JedisClientConfig plain = config.clientConfig(0, false);
        JedisConnectionException unreachable = null;
        for (HostAndPort sentinel : sentinels) {
            try (Connection c = new Connection(sentinel, plain)) {
                c.ping();
                return plain;
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).startsWith("NOAUTH")) {
                    return config.clientConfig(0, true);
                }
                throw e;
            } catch (JedisConnectionException e) {
                unreachable = e;
            }
        }
        throw unreachable;
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
