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

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * TLS and an ACL user against a real TLS-only redis-server (no plaintext port; the default user off)
 * that the test starts on a free loopback port, with a CA and a certificate for 127.0.0.1 made by openssl.
 */
class RedisTlsAclModeTest {
    private static final String PASSWORD = "acl-pw-" + UUID.randomUUID();

    private static RedisProcesses processes;
    private static Path certs;
    private static int port;
    private final String prefix = "t:" + UUID.randomUUID() + ":";

    @BeforeAll
    static void startServer() throws Exception {
        processes = new RedisProcesses();
        try {
            certs = processes.certificates();
            port = processes.tlsServer(certs, "--user", "default", "off", "--user", "uvpv", "on", ">" + PASSWORD, "~*", "+@all");
        } catch (Exception | Error e) {
            processes.close();
            throw e;
        }
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (processes != null) {
            processes.close();
        }
    }

    private static RedisConnectionConfig connection(String password, String caFile, boolean verifyPeer) {
        return new RedisConnectionConfig(RedisConnectionConfig.Mode.SINGLE, RedisProcesses.HOST, port, List.of(), null, "uvpv",
                password, 0, 2000, new RedisConnectionConfig.Tls(caFile, verifyPeer));
    }

    @Test
    void writesLandOverTlsAsTheAclUser() throws Exception {
        String set = prefix + "set";
        String list = prefix + "list";
        try (RedisSinkWriter writer = writer(connection(PASSWORD, certs.resolve("ca.crt").toString(), true), RedisCommand.SADD, null)) {
            writer.write(row(set, "a"), null);
            writer.write(row(set, "b"), null);
            writer.flush(false);
        }
        try (RedisSinkWriter writer = writer(connection(PASSWORD, certs.resolve("ca.crt").toString(), true), RedisCommand.LPUSH,
                List.of("window_end"))) {
            for (int w : new int[] {1, 2, 1}) {
                writer.write(row(list, window(w)), null);
            }
            writer.flush(false);
            assertEquals(1, writer.listPushesSkipped());
        }
        try (Jedis jedis = verifiedJedis()) {
            assertEquals(Set.of("a", "b"), jedis.smembers(set));
            assertEquals(List.of(window(2), window(1)), jedis.lrange(list, 0, -1));
            assertEquals("uvpv", jedis.aclWhoAmI());
        }
    }

    @Test
    void aCaThatDidNotSignTheCertificateFailsAtOnceWithAClearError() {
        String otherCa = certs.resolve("other-ca.crt").toString();
        IOException e = assertThrows(IOException.class, () -> writer(connection(PASSWORD, otherCa, true), RedisCommand.SET, null));
        assertTrue(e.getMessage().startsWith("Failed to connect to Redis at 127.0.0.1:" + port + " (database 0) after 1 attempt: "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(TLS handshake failed: check that option 'tls.ca' (" + otherCa + ") holds the CA "
                + "that signed the server's certificate, and that the certificate names the host)"), e.getMessage());
        assertTrue(e.getMessage().contains("PKIX path building failed"), e.getMessage());
        assertFalse(FactoryTestSupport.fullText(e).contains(PASSWORD));
    }

    @Test
    void withoutPeerVerificationAnyCertificateIsAccepted() throws Exception {
        String k = prefix + "unverified";
        try (RedisSinkWriter writer = writer(connection(PASSWORD, null, false), RedisCommand.SET, null)) {
            writer.write(row(k, "v"), null);
            writer.flush(false);
        }
        try (Jedis jedis = verifiedJedis()) {
            assertEquals("v", jedis.get(k));
        }
    }

    @Test
    void theJvmsCasDoNotTrustATestCa() {
        IOException e = assertThrows(IOException.class, () -> writer(connection(PASSWORD, null, true), RedisCommand.SET, null));
        assertTrue(e.getMessage().endsWith("(TLS handshake failed: check the server's certificate, or give its CA with option 'tls.ca')"),
                e.getMessage());
    }

    @Test
    void aWrongPasswordFailsAtOnceWithAnAuthErrorAndNeverShowsThePassword() {
        String wrong = "wrong-" + UUID.randomUUID();
        IOException e = assertThrows(IOException.class,
                () -> writer(connection(wrong, certs.resolve("ca.crt").toString(), true), RedisCommand.SET, null));
        assertEquals("Failed to connect to Redis at 127.0.0.1:" + port + " (database 0) after 1 attempt: WRONGPASS invalid "
                + "username-password pair or user is disabled. (authentication failed for user 'uvpv': check options "
                + "'username' and 'password')", e.getMessage());
        assertFalse(FactoryTestSupport.fullText(e).contains(wrong));
        assertFalse(FactoryTestSupport.fullText(e).contains(PASSWORD));
    }

    @Test
    void aMissingCaFileIsNamed() {
        String missing = certs.resolve("missing.crt").toString();
        IOException e = assertThrows(IOException.class, () -> writer(connection(PASSWORD, missing, true), RedisCommand.SET, null));
        assertTrue(e.getMessage().startsWith("Cannot read the CA certificates of option 'tls.ca' from " + missing + ": "), e.getMessage());
    }

    private static Jedis verifiedJedis() throws IOException {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().user("uvpv").password(PASSWORD);
        RedisTls.configure(config, new RedisConnectionConfig.Tls(certs.resolve("ca.crt").toString(), true), "tls.ca");
        return new Jedis(new HostAndPort(RedisProcesses.HOST, port), config.build());
    }
}
