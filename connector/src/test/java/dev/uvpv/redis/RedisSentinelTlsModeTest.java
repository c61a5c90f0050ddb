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

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code redis-mode} = 'sentinel' with {@code tls} against a real master, its replica and a sentinel, all
 * TLS-only (no plaintext port; replication and the sentinel's links to the data nodes over TLS too), started
 * by the test on free loopback ports. The sentinel has a password of its own, other than the data nodes',
 * so it takes option {@code sentinels.password}. The failover test runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelTlsModeTest {
    private static final String PASSWORD = "data-pw-" + UUID.randomUUID();
    private static final String SENTINELS_PASSWORD = "sentinel-pw-" + UUID.randomUUID();
    private static final String MASTER = "uvpvtlsmaster";

    private static RedisProcesses processes;
    private static Path certs;
    private static int master;
    private static int replica;
    private static int sentinel;
    private final String prefix = "t:" + UUID.randomUUID() + ":";

    @BeforeAll
    static void start() throws Exception {
        processes = new RedisProcesses();
        try {
            certs = processes.certificates();
            master = processes.tlsServer(certs, "--tls-replication", "yes", "--requirepass", PASSWORD, "--masterauth", PASSWORD);
            replica = processes.tlsServer(certs, "--tls-replication", "yes", "--requirepass", PASSWORD, "--masterauth", PASSWORD,
                    "--replicaof", RedisProcesses.HOST, String.valueOf(master));
            try (Jedis r = RedisProcesses.jedis(replica, PASSWORD, certs)) {
                RedisProcesses.await("the replica in sync over TLS", () -> r.info("replication").contains("master_link_status:up"),
                        10_000);
            }
            sentinel = processes.sentinel(MASTER, master, PASSWORD, SENTINELS_PASSWORD, certs);
            try (Jedis s = RedisProcesses.jedis(sentinel, SENTINELS_PASSWORD, certs)) {
                RedisProcesses.await("the sentinel knows the replica", () -> s.sentinelReplicas(MASTER).stream()
                        .anyMatch(r -> r.get("port").equals(String.valueOf(replica)) && r.get("flags").equals("slave")), 15_000);
            }
        } catch (Exception | Error e) {
            processes.close();
            throw e;
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (processes != null) {
            processes.close();
        }
    }

    private static RedisConnectionConfig connection(String password, String sentinelsPassword, String caFile) {
        return new RedisConnectionConfig(RedisConnectionConfig.Mode.SENTINEL, null, 0,
                List.of(RedisProcesses.HOST + ":" + sentinel), MASTER, null, password, 3, 2000,
                new RedisConnectionConfig.Tls(caFile, true), sentinelsPassword);
    }

    private static String ca() {
        return certs.resolve("ca.crt").toString();
    }

    private static String failure(RedisConnectionConfig connection) {
        IOException e = assertThrows(IOException.class, () -> writer(connection, RedisCommand.SET, null));
        String text = FactoryTestSupport.fullText(e);
        assertFalse(text.contains(PASSWORD), text);
        assertFalse(text.contains(SENTINELS_PASSWORD), text);
        return e.getMessage();
    }

    @Test
    @Order(1)
    void aSentinelThatRefusesWhatItGetsFailsAtOnceNamingOptionSentinelsPassword() {
        String at = "Failed to connect to Redis at master '" + MASTER + "' of sentinels 127.0.0.1:" + sentinel
                + " (database 3) after 1 attempt: sentinel 127.0.0.1:" + sentinel;
        String wrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
        assertEquals(at + " asks for a password (NOAUTH) and refused the data nodes' password (option 'password'): "
                        + wrongPass + " (the sentinels need a password other than the data nodes': set option 'sentinels.password')",
                failure(connection(PASSWORD, null, ca())));
        assertEquals(at + " asks for a password: NOAUTH Authentication required. (the sentinels need a password: set option "
                + "'sentinels.password')", failure(connection(null, null, ca())));
        assertEquals(at + " refused option 'sentinels.password': " + wrongPass + " (authentication to the sentinels failed: "
                + "check option 'sentinels.password')", failure(connection(PASSWORD, "wrong-" + UUID.randomUUID(), ca())));
    }

    @Test
    @Order(2)
    void aCaThatDidNotSignTheSentinelsCertificateFailsAtOnceWithTheTlsHint() {
        String otherCa = certs.resolve("other-ca.crt").toString();
        String message = failure(connection(PASSWORD, SENTINELS_PASSWORD, otherCa));
        assertTrue(message.startsWith("Failed to connect to Redis at master '" + MASTER + "' of sentinels 127.0.0.1:" + sentinel
                + " (database 3) after 1 attempt: "), message);
        assertTrue(message.contains("PKIX path building failed"), message);
        assertTrue(message.endsWith("(TLS handshake failed: check that option 'tls.ca' (" + otherCa + ") holds the CA that "
                + "signed the server's certificate, and that the certificate names the host)"), message);
    }

    @Test
    @Order(3)
    void writesLandOnTheMasterAndAfterAFailoverOnThePromotedReplica() throws Exception {
        String k = prefix + "list";
        try (RedisSinkWriter writer = writer(connection(PASSWORD, SENTINELS_PASSWORD, ca()), RedisCommand.RPUSH,
                List.of("window_end"))) {
            RedisSentinelTarget target = (RedisSentinelTarget) writer.target();
            assertEquals(new HostAndPort(RedisProcesses.HOST, master), target.currentMaster());
            writer.write(row(k, window(1)), null);
            writer.flush(false);
            try (Jedis m = RedisProcesses.jedis(master, PASSWORD, certs)) {
                m.select(3);
                assertEquals(List.of(window(1)), m.lrange(k, 0, -1));
            }

            try (Jedis s = RedisProcesses.jedis(sentinel, SENTINELS_PASSWORD, certs)) {
                s.sentinelFailover(MASTER);
            }
            // the writer follows the sentinel's +switch-master, heard over TLS with the sentinels' password
            RedisProcesses.await("the writer to follow the failover",
                    () -> target.currentMaster().equals(new HostAndPort(RedisProcesses.HOST, replica)), 20_000);
            try (Jedis promoted = RedisProcesses.jedis(replica, PASSWORD, certs)) {
                RedisProcesses.await("the replica to be master", () -> promoted.info("replication").contains("role:master"), 10_000);
            }
            writer.write(row(k, window(1)), null);
            writer.write(row(k, window(2)), null);
            writer.flush(false);
            assertEquals(1, writer.listPushesSkipped(), "window 1 is on the new master already (replicated)");
        }
        try (Jedis promoted = RedisProcesses.jedis(replica, PASSWORD, certs)) {
            promoted.select(3);
            assertEquals(List.of(window(1), window(2)), promoted.lrange(k, 0, -1));
        }
        // a writer opened after the failover (as after a restart) finds the new master through the sentinel
        String set = prefix + "set";
        try (RedisSinkWriter writer = writer(connection(PASSWORD, SENTINELS_PASSWORD, ca()), RedisCommand.SADD, null)) {
            assertEquals(new HostAndPort(RedisProcesses.HOST, replica), ((RedisSentinelTarget) writer.target()).currentMaster());
            writer.write(row(set, "m"), null);
            writer.flush(false);
        }
        try (Jedis promoted = RedisProcesses.jedis(replica, PASSWORD, certs)) {
            promoted.select(3);
            assertEquals(Set.of("m"), promoted.smembers(set));
        }
    }
}
