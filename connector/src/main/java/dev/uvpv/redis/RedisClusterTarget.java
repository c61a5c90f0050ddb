package dev.uvpv.redis;

import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code redis-mode} = 'cluster': each command goes to the master of its key's slot, in one pipeline per
 * master (a key's commands stay in their order), every pipeline written before any reply is read.
 *
 * <p>Jedis's own cluster pipeline follows MOVED and retries after a lost node; here neither is done
 * inside a batch. A MOVED or ASK reply (a slot moved since the slot map was read) or a master lost
 * mid-batch fails the batch: the commands other masters applied are idempotent or replayed as Flink
 * replays any failed batch, from the last checkpoint, while a command redirected or retried here could
 * land after a later command of its key, or twice. The slot map is read again after a MOVED or ASK, and
 * by the next writer after a restart.
 */
final class RedisClusterTarget implements RedisTarget {
    private static final int SLOTS = 16384;

    private final ClusterConnectionProvider provider;

    RedisClusterTarget(RedisConnectionConfig config) throws IOException {
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(2);
        pool.setMaxWait(Duration.ofMillis(config.timeoutMs()));
        // the seed nodes are asked for the slot map (CLUSTER SLOTS) at once, so a bad setting fails here
        try {
            this.provider = new ClusterConnectionProvider(new LinkedHashSet<>(config.nodes()), config.clientConfig(0, true), pool);
        } catch (JedisClusterOperationException e) {
            // "Could not initialize cluster slots cache.": no seed node answered; the first one's failure is kept
            // as a suppressed exception. A connection failure, so it is tried again, and its cause is shown.
            // An authentication or TLS failure is thrown as it is: it fails at once.
            Throwable first = e.getSuppressed().length > 0 ? e.getSuppressed()[0] : e;
            if (first instanceof JedisException && !(first instanceof JedisConnectionException)) {
                throw (JedisException) first;
            }
            throw new JedisConnectionException("no seed node gave the slot map: " + first.getMessage(), first);
        }
    }

    @Override
    public List<Object> send(List<RedisBatch.Queued> commands) throws IOException {
        Map<HostAndPort, List<Integer>> byNode = new LinkedHashMap<>();
        HostAndPort[] sentTo = new HostAndPort[commands.size()];
        for (int i = 0; i < commands.size(); i++) {
            sentTo[i] = nodeOf(commands.get(i).key);
            byNode.computeIfAbsent(sentTo[i], n -> new ArrayList<>()).add(i);
        }
        Map<HostAndPort, Connection> connections = new LinkedHashMap<>();
        Object[] replies = new Object[commands.size()];
        HostAndPort node = null;
        try {
            for (Map.Entry<HostAndPort, List<Integer>> e : byNode.entrySet()) {
                node = e.getKey();
                Connection c = provider.getConnection(node);
                connections.put(node, c);
                List<RedisBatch.Queued> part = new ArrayList<>();
                for (int i : e.getValue()) {
                    part.add(commands.get(i));
                }
                RedisTarget.write(c, part);
            }
            for (Map.Entry<HostAndPort, List<Integer>> e : byNode.entrySet()) {
                node = e.getKey();
                List<Object> read = RedisTarget.read(connections.get(node), e.getValue().size());
                for (int n = 0; n < read.size(); n++) {
                    replies[e.getValue().get(n)] = read.get(n);
                }
            }
        } catch (JedisException e) {
            // replies still unread on the other nodes' connections: none may go back to the pool
            connections.values().forEach(Connection::setBroken);
            throw RedisTarget.lost(node + " (cluster node)", commands.size(), e);
        } finally {
            connections.values().forEach(Connection::close);
        }
        for (int i = 0; i < replies.length; i++) {
            if (replies[i] instanceof JedisRedirectionException) {
                JedisRedirectionException moved = (JedisRedirectionException) replies[i];
                provider.renewSlotCache();
                throw new IOException(String.format(
                        "Redis cluster node %s answered '%s' for key '%s' (slot %d): the slot moved during the batch, "
                                + "so the batch is failed rather than redirected, and Flink replays it from its last checkpoint",
                        sentTo[i], moved.getMessage(), commands.get(i).key, moved.getSlot()),
                        moved);
            }
        }
        return List.of(replies);
    }

    /** SCRIPT LOAD on each master that serves a slot: a script call runs on the master of its key. */
    @Override
    public List<Object> sendToEveryMaster(RedisBatch.Queued command) throws IOException {
        List<Object> replies = new ArrayList<>();
        for (HostAndPort master : masters()) {
            try (Connection c = provider.getConnection(master)) {
                RedisTarget.write(c, List.of(command));
                replies.addAll(RedisTarget.read(c, 1));
            } catch (JedisException e) {
                throw RedisTarget.lost(master + " (cluster node)", 1, e);
            }
        }
        return replies;
    }

    Set<HostAndPort> masters() {
        Set<HostAndPort> masters = new LinkedHashSet<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            HostAndPort master = provider.getNode(slot);
            if (master != null) {
                masters.add(master);
            }
        }
        return masters;
    }

    private HostAndPort nodeOf(String key) throws IOException {
        int slot = JedisClusterCRC16.getSlot(key);
        HostAndPort node = provider.getNode(slot);
        if (node == null) {
            throw new IOException(String.format("No Redis cluster node serves slot %d (key '%s'): the cluster does not "
                    + "cover every slot (CLUSTER SLOTS)", slot, key));
        }
        return node;
    }

    @Override
    public String addressOf(String key) {
        return String.valueOf(provider.getNode(JedisClusterCRC16.getSlot(key)));
    }

    @Override
    public void close() {
        provider.close();
    }
}
