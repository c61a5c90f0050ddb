package dev.uvpv.redis;

import static dev.uvpv.redis.ModeTestSupport.row;
import static dev.uvpv.redis.ModeTestSupport.window;
import static dev.uvpv.redis.ModeTestSupport.writer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.util.JedisClusterCRC16;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code redis-mode} = 'cluster' against a real 3-master Redis Cluster with a password, started by the test
 * on free loopback ports. The last test kills a master, so it runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterModeTest {
    private static final String PASSWORD = "cluster-pw-" + UUID.randomUUID();

    private static RedisProcesses processes;
    private static int[] ports;
    private static RedisConnectionConfig connection;
    private final String prefix = "t:" + UUID.randomUUID() + ":";

    @BeforeAll
    static void startCluster() throws Exception {
        processes = new RedisProcesses();
        try {
            ports = new int[3];
            for (int i = 0; i < 3; i++) {
                ports[i] = processes.server("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000", "--requirepass", PASSWORD, "--masterauth", PASSWORD);
            }
            processes.createCluster(PASSWORD, ports);
        } catch (Exception | Error e) {
            processes.close();
            throw e;
        }
        // one seed node is enough: the others are found through it
        connection = new RedisConnectionConfig(RedisConnectionConfig.Mode.CLUSTER, null, 0,
                List.of(RedisProcesses.HOST + ":" + ports[1]), null, null, PASSWORD, 0, 2000, null);
    }

    @AfterAll
    static void stopCluster() throws IOException {
        if (processes != null) {
            processes.close();
        }
    }

    @Test
    @Order(1)
    void writesForKeysOnEveryMasterLandAndTheScriptIsLoadedOnEach() throws Exception {
        List<String> keys = keysOnEveryMaster("set", 30);
        try (RedisSinkWriter writer = writer(connection, RedisCommand.SADD, null)) {
            for (String k : keys) {
                writer.write(row(k, "a"), null);
                writer.write(row(k, "b"), null);
            }
            writer.flush(false);
        }
        for (String k : keys) {
            try (Jedis node = nodeOf(k)) {
                assertEquals(Set.of("a", "b"), node.smembers(k), k);
            }
        }
        List<String> lists = keysOnEveryMaster("lpush", 6);
        try (RedisSinkWriter writer = writer(connection, RedisCommand.LPUSH, List.of("window_end"))) {
            for (int port : ports) {
                try (Jedis node = RedisProcesses.jedis(port, PASSWORD)) {
                    assertTrue(node.scriptExists(RedisSinkWriter.LIST_SCRIPT_SHA), "loaded on " + port);
                }
            }
            for (int w : new int[] {1, 2, 2, 1, 3}) {
                for (String k : lists) {
                    writer.write(row(k, window(w)), null);
                }
            }
            writer.flush(false);
            assertEquals(2L * lists.size(), writer.listPushesSkipped());
        }
        for (String k : lists) {
            try (Jedis node = nodeOf(k)) {
                assertEquals(List.of(window(3), window(2), window(1)), node.lrange(k, 0, -1), k);
            }
        }
    }

    @Test
    @Order(2)
    void afterScriptFlushOnEveryMasterValuesGoAgainWithEval() throws Exception {
        List<String> lists = keysOnEveryMaster("rpush", 6);
        try (RedisSinkWriter writer = writer(connection, RedisCommand.RPUSH, List.of("window_end"))) {
            for (int port : ports) {
                try (Jedis node = RedisProcesses.jedis(port, PASSWORD)) {
                    node.scriptFlush();
                }
            }
            for (int w : new int[] {1, 2, 1}) {
                for (String k : lists) {
                    writer.write(row(k, window(w)), null);
                }
            }
            writer.flush(false);
            assertEquals(lists.size(), writer.listPushesSkipped());
            for (int port : ports) {
                try (Jedis node = RedisProcesses.jedis(port, PASSWORD)) {
                    assertTrue(node.scriptExists(RedisSinkWriter.LIST_SCRIPT_SHA), "EVAL cached it on " + port);
                }
            }
            for (String k : lists) {
                writer.write(row(k, window(3)), null);
            }
            writer.flush(false);
        }
        for (String k : lists) {
            try (Jedis node = nodeOf(k)) {
                assertEquals(List.of(window(1), window(2), window(3)), node.lrange(k, 0, -1), k);
            }
        }
    }

    @Test
    @Order(3)
    void aSlotMovedDuringARunFailsTheBatchAndANewWriterWritesToItsNewMaster() throws Exception {
        String k = keysOnEveryMaster("moved", 3).get(0);
        int slot = JedisClusterCRC16.getSlot(k);
        int from = portOf(k);
        int to = ports[0] == from ? ports[1] : ports[0];
        try (RedisSinkWriter writer = writer(connection, RedisCommand.SET, null)) {
            moveEmptySlot(slot, from, to);
            writer.write(row(k, "v"), null);
            IOException e = assertThrows(IOException.class, () -> writer.flush(false));
            assertTrue(e.getMessage().startsWith("Redis cluster node 127.0.0.1:" + from + " answered 'MOVED " + slot
                    + " 127.0.0.1:" + to + "' for key '" + k + "' (slot " + slot + "): the slot moved during the batch, "
                    + "so the batch is failed rather than redirected"), e.getMessage());
        }
        try (RedisSinkWriter writer = writer(connection, RedisCommand.SET, null)) {
            writer.write(row(k, "again"), null);
            writer.flush(false);
        }
        try (Jedis node = RedisProcesses.jedis(to, PASSWORD)) {
            assertEquals("again", node.get(k));
        }
    }

    @Test
    @Order(4)
    void aMasterKilledDuringARunMakesTheWriterThrowAndLosesNothingAcknowledged() throws Exception {
        List<String> keys = keysOnEveryMaster("killed", 12);
        Map<String, Integer> masters = new HashMap<>();
        keys.forEach(k -> masters.put(k, portOf(k)));
        try (RedisSinkWriter writer = writer(connection, RedisCommand.SET, null)) {
            for (String k : keys) {
                writer.write(row(k, "1"), null);
            }
            writer.flush(false);
            int killed = masters.get(keys.get(0));
            processes.kill(killed);
            for (String k : keys) {
                writer.write(row(k, "2"), null);
            }
            IOException e = assertThrows(IOException.class, () -> writer.flush(false));
            assertTrue(e.getMessage().startsWith("Lost the connection to Redis at 127.0.0.1:" + killed + " (cluster node) while writing "
                    + keys.size() + " commands: "), e.getMessage());
            assertTrue(e.getMessage().endsWith("(sink command 'set')"), e.getMessage());
            assertFalse(FactoryTestSupport.fullText(e).contains(PASSWORD));
            // the first batch, acknowledged, is on the masters that are left
            for (String k : keys) {
                if (masters.get(k) != killed) {
                    try (Jedis node = RedisProcesses.jedis(masters.get(k), PASSWORD)) {
                        assertTrue(Set.of("1", "2").contains(node.get(k)), k);
                    }
                }
            }
        }
    }

    @Test
    @Order(0)
    void aWrongPasswordOrNoSeedNodeFailsWithItsReason() throws Exception {
        String wrong = "wrong-" + UUID.randomUUID();
        RedisConnectionConfig badPassword = new RedisConnectionConfig(RedisConnectionConfig.Mode.CLUSTER, null, 0,
                List.of(RedisProcesses.HOST + ":" + ports[0]), null, null, wrong, 0, 2000, null);
        IOException e = assertThrows(IOException.class, () -> writer(badPassword, RedisCommand.SET, null));
        assertTrue(e.getMessage().startsWith("Failed to connect to Redis at cluster 127.0.0.1:" + ports[0] + " after 1 attempt: WRONGPASS"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(authentication failed: check options 'username' and 'password')"), e.getMessage());
        assertFalse(FactoryTestSupport.fullText(e).contains(wrong));

        int free;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(RedisProcesses.HOST))) {
            free = s.getLocalPort();
        }
        RedisConnectionConfig nobody = new RedisConnectionConfig(RedisConnectionConfig.Mode.CLUSTER, null, 0,
                List.of(RedisProcesses.HOST + ":" + free), null, null, PASSWORD, 0, 500, null);
        e = assertThrows(IOException.class, () -> writer(nobody, RedisCommand.SET, null));
        assertTrue(e.getMessage().startsWith("Failed to connect to Redis at cluster 127.0.0.1:" + free + " after 3 attempts: "
                + "no seed node gave the slot map: Failed to connect to 127.0.0.1:" + free), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------

    /** Keys of this test, at least n, until every master holds a slot of one. */
    private List<String> keysOnEveryMaster(String name, int n) {
        return ModeTestSupport.keysOnEveryMaster(prefix + name, n, ports.length, RedisClusterModeTest::portOf);
    }

    /** The port of the master that serves the key's slot, as the cluster says now. */
    private static int portOf(String key) {
        try (Jedis any = RedisProcesses.jedis(ports[2], PASSWORD)) {
            return ModeTestSupport.masterPortOf(any, key);
        }
    }

    private static Jedis nodeOf(String key) {
        return RedisProcesses.jedis(portOf(key), PASSWORD);
    }

    /** Moves an empty slot the way redis-cli --cluster reshard does, without keys to migrate. */
    private static void moveEmptySlot(int slot, int from, int to) throws Exception {
        try (Jedis source = RedisProcesses.jedis(from, PASSWORD); Jedis target = RedisProcesses.jedis(to, PASSWORD)) {
            assertEquals(0, source.clusterCountKeysInSlot(slot));
            String sourceId = source.clusterMyId();
            String targetId = target.clusterMyId();
            target.clusterSetSlotImporting(slot, sourceId);
            source.clusterSetSlotMigrating(slot, targetId);
            target.clusterSetSlotNode(slot, targetId);
            source.clusterSetSlotNode(slot, targetId);
        }
        RedisProcesses.await("slot " + slot + " served by " + to, () -> {
            for (int port : ports) {
                try (Jedis node = RedisProcesses.jedis(port, PASSWORD)) {
                    if (!new HostAndPort(RedisProcesses.HOST, to).equals(slotOwner(node, slot))) {
                        return false;
                    }
                }
            }
            return true;
        }, 10_000);
    }

    private static HostAndPort slotOwner(Jedis node, int slot) {
        for (Object range : node.clusterSlots()) {
            List<?> r = (List<?>) range;
            if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
                List<?> master = (List<?>) r.get(2);
                return new HostAndPort(new String((byte[]) master.get(0)), ((Long) master.get(1)).intValue());
            }
        }
        return null;
    }
}
