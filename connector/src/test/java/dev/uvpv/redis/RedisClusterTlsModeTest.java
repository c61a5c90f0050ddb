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
import org.junit.jupiter.api.Test;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * {@code redis-mode} = 'cluster' with {@code tls} against a real 3-master Redis Cluster of TLS-only nodes
 * (no plaintext port; the cluster bus over TLS too) with a password, started by the test on free loopback
 * ports, with a CA and a certificate for 127.0.0.1 made by openssl.
 */
class RedisClusterTlsModeTest {
    private static final String PASSWORD = "cluster-tls-pw-" + UUID.randomUUID();

    private static RedisProcesses processes;
    private static Path certs;
    private static int[] ports;
    /** A TLS client of each master, which checks its certificate, and the slot map (no slot moves here). */
    private static final Map<Integer, Jedis> nodes = new HashMap<>();
    private static List<Object> slots;
    private final String prefix = "t:" + UUID.randomUUID() + ":";

    @BeforeAll
    static void startCluster() throws Exception {
        processes = new RedisProcesses();
        try {
            certs = processes.certificates();
            ports = new int[3];
            for (int i = 0; i < 3; i++) {
                ports[i] = processes.tlsServer(certs, "--tls-cluster", "yes", "--tls-replication", "yes",
                        "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000",
                        "--requirepass", PASSWORD, "--masterauth", PASSWORD);
            }
            processes.createCluster(certs, PASSWORD, ports);
            for (int port : ports) {
                nodes.put(port, RedisProcesses.jedis(port, PASSWORD, certs));
            }
            slots = nodes.get(ports[2]).clusterSlots();
        } catch (Exception | Error e) {
            processes.close();
            throw e;
        }
    }

    @AfterAll
    static void stopCluster() throws IOException {
        nodes.values().forEach(Jedis::close);
        if (processes != null) {
            processes.close();
        }
    }

    /** One seed node: the others are found through its CLUSTER SLOTS. */
    private static RedisConnectionConfig connection(String password, String caFile) {
        return new RedisConnectionConfig(RedisConnectionConfig.Mode.CLUSTER, null, 0,
                List.of(RedisProcesses.HOST + ":" + ports[1]), null, null, password, 0, 2000,
                new RedisConnectionConfig.Tls(caFile, true));
    }

    private static String ca() {
        return certs.resolve("ca.crt").toString();
    }

    @Test
    void theSlotMapOverTlsNamesTheTlsPortsAndTheWritesLandOnTheirMasters() throws Exception {
        Set<HostAndPort> tlsPorts = Arrays.stream(ports).mapToObj(p -> new HostAndPort(RedisProcesses.HOST, p))
                .collect(Collectors.toSet());
        List<String> sets = keysOnEveryMaster("set", 30);
        try (RedisSinkWriter writer = writer(connection(PASSWORD, ca()), RedisCommand.SADD, null)) {
            // the nodes have no plaintext port: a slot map with other ports could not be written to
            assertEquals(tlsPorts, ((RedisClusterTarget) writer.target()).masters());
            for (String k : sets) {
                writer.write(row(k, "a"), null);
                writer.write(row(k, "b"), null);
            }
            writer.flush(false);
        }
        List<String> lists = keysOnEveryMaster("lpush", 6);
        try (RedisSinkWriter writer = writer(connection(PASSWORD, ca()), RedisCommand.LPUSH, List.of("window_end"))) {
            for (int w : new int[] {1, 2, 2, 1, 3}) {
                for (String k : lists) {
                    writer.write(row(k, window(w)), null);
                }
            }
            writer.flush(false);
            assertEquals(2L * lists.size(), writer.listPushesSkipped());
        }
        for (String k : sets) {
            assertEquals(Set.of("a", "b"), nodeOf(k).smembers(k), k);
        }
        for (String k : lists) {
            assertEquals(List.of(window(3), window(2), window(1)), nodeOf(k).lrange(k, 0, -1), k);
            assertTrue(nodeOf(k).scriptExists(RedisSinkWriter.LIST_SCRIPT_SHA), "loaded on the master of " + k);
        }
    }

    @Test
    void aCaThatDidNotSignTheCertificateFailsAtOnceWithTheTlsHint() {
        String otherCa = certs.resolve("other-ca.crt").toString();
        IOException e = assertThrows(IOException.class, () -> writer(connection(PASSWORD, otherCa), RedisCommand.SET, null));
        assertTrue(e.getMessage().startsWith("Failed to connect to Redis at cluster 127.0.0.1:" + ports[1] + " after 1 attempt: "
                + "no seed node gave the slot map: "), e.getMessage());
        assertTrue(e.getMessage().contains("PKIX path building failed"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(TLS handshake failed: check that option 'tls.ca' (" + otherCa + ") holds the CA "
                + "that signed the server's certificate, and that the certificate names the host)"), e.getMessage());
        assertFalse(FactoryTestSupport.fullText(e).contains(PASSWORD));
    }

    @Test
    void aWrongPasswordFailsAtOnceWithAnAuthErrorAndNeverShowsThePassword() {
        String wrong = "wrong-" + UUID.randomUUID();
        IOException e = assertThrows(IOException.class, () -> writer(connection(wrong, ca()), RedisCommand.SET, null));
        assertEquals("Failed to connect to Redis at cluster 127.0.0.1:" + ports[1] + " after 1 attempt: WRONGPASS invalid "
                + "username-password pair or user is disabled. (authentication failed: check options 'username' and "
                + "'password')", e.getMessage());
        assertFalse(FactoryTestSupport.fullText(e).contains(wrong));
        assertFalse(FactoryTestSupport.fullText(e).contains(PASSWORD));
    }

    // ------------------------------------------------------------------------------------------

    private List<String> keysOnEveryMaster(String name, int n) {
        return ModeTestSupport.keysOnEveryMaster(prefix + name, n, ports.length, RedisClusterTlsModeTest::portOf);
    }

    private static int portOf(String key) {
        return ModeTestSupport.masterPortOf(slots, key);
    }

    private static Jedis nodeOf(String key) {
        return nodes.get(portOf(key));
    }
}
