package dev.uvpv.redis;

import org.apache.flink.metrics.Counter;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

import javax.net.ssl.SSLException;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where and how the sink connects: one server ({@code single}), a Redis Cluster's seed nodes, or the
 * sentinels of a master; an optional ACL user, password, sentinels' password and TLS. {@link #toString()}
 * never shows a password, and no message built here or in a {@link RedisTarget} contains one.
 */
final class RedisConnectionConfig implements Serializable {
    /** Unchanged since the single-mode build: a sink it serialized reads null for the new fields (single mode, no user, no TLS). */
    private static final long serialVersionUID = 1L;

    /** Connection attempts before the writer gives up, and the pause after the first failure (doubled each time). */
    static final int CONNECT_ATTEMPTS = 3;

    static final long CONNECT_BACKOFF_MS = 200;

    /** The deployments of option {@code redis-mode}, spelled as its values. */
    enum Mode {
        SINGLE, CLUSTER, SENTINEL;

        String optionValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** TLS to every node: the CA's PEM file (null: the JVM's CAs), and whether the certificate and name are checked. */
    static final class Tls implements Serializable {
        private static final long serialVersionUID = 1L;
        final String caFile;
        final boolean verifyPeer;

        Tls(String caFile, boolean verifyPeer) {
            this.caFile = caFile;
            this.verifyPeer = verifyPeer;
        }
    }

    /** Null in a sink serialized by a build without modes: it is then {@link Mode#SINGLE}. */
    private final Mode mode;
    private final String host;
    private final int port;
    /** cluster: the seed nodes; sentinel: the sentinels. */
    private final ArrayList<String> nodes;
    private final String masterName;
    private final String username;
    private final String password;
    private final int database;
    private final int timeoutMs;
    private final Tls tls;
    /** Option {@code sentinels.password}: the sentinels' own (sentinel mode only); null in a sink serialized before it. */
    private final String sentinelsPassword;

    /** One server, without a user or TLS. */
    RedisConnectionConfig(String host, int port, String password, int database, int timeoutMs) {
        this(Mode.SINGLE, host, port, List.of(), null, null, password, database, timeoutMs, null);
    }

    /**
     * @param nodes cluster: the seed nodes; sentinel: the sentinels; each {@code host:port} (checked by the factory)
     * @param masterName sentinel only
     * @param tls null for plain TCP
     */
    RedisConnectionConfig(Mode mode, String host, int port, List<String> nodes, String masterName, String username,
            String password, int database, int timeoutMs, Tls tls) {
        this(mode, host, port, nodes, masterName, username, password, database, timeoutMs, tls, null);
    }

    /** @param sentinelsPassword sentinel only: the sentinels' own password; null: see {@link RedisSentinelTarget} */
    RedisConnectionConfig(Mode mode, String host, int port, List<String> nodes, String masterName, String username,
            String password, int database, int timeoutMs, Tls tls, String sentinelsPassword) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.host = host;
        this.port = port;
        this.nodes = new ArrayList<>(nodes);
        this.masterName = masterName;
        this.username = username == null || username.isEmpty() ? null : username;
        this.password = password == null || password.isEmpty() ? null : password;
        this.database = database;
        this.timeoutMs = timeoutMs;
        this.tls = tls;
        this.sentinelsPassword = sentinelsPassword == null || sentinelsPassword.isEmpty() ? null : sentinelsPassword;
        if (this.sentinelsPassword != null && this.mode != Mode.SENTINEL) {
            throw new IllegalArgumentException("a sentinels' password needs sentinel mode");
        }
        if (this.mode == Mode.SINGLE) {
            Objects.requireNonNull(host, "host");
        } else if (this.nodes.isEmpty()) {
            throw new IllegalArgumentException(mode.optionValue() + " mode needs nodes");
        }
    }

    Mode mode() {
        return mode == null ? Mode.SINGLE : mode;
    }

    /** The server, the seed nodes or the sentinels, for messages. */
    String address() {
        switch (mode()) {
            case CLUSTER:
                return "cluster " + String.join(",", nodes);
            case SENTINEL:
                return "master '" + masterName + "' of sentinels " + String.join(",", nodes);
            default:
                return host + ":" + port;
        }
    }

    int database() {
        return database;
    }

    int timeoutMs() {
        return timeoutMs;
    }

    String masterName() {
        return masterName;
    }

    List<HostAndPort> nodes() {
        List<HostAndPort> out = new ArrayList<>();
        for (String node : nodes) {
            out.add(HostAndPort.from(node));
        }
        return out;
    }

    HostAndPort hostAndPort() {
        return new HostAndPort(host, port);
    }

    /**
     * The client settings for a data node (the server, a cluster node, the master), or a sentinel that asks
     * for the data nodes' user and password; without {@code auth}, a sentinel without a password.
     */
    JedisClientConfig clientConfig(int databaseNumber, boolean auth) throws IOException {
        return auth ? clientConfig(databaseNumber, username, password) : clientConfig(databaseNumber, null, null);
    }

    /** The client settings for a sentinel with option {@code sentinels.password} (AUTH password, no user). */
    JedisClientConfig sentinelsClientConfig() throws IOException {
        return clientConfig(0, null, sentinelsPassword);
    }

    private JedisClientConfig clientConfig(int databaseNumber, String user, String secret) throws IOException {
        DefaultJedisClientConfig.Builder config =
                DefaultJedisClientConfig.builder().database(databaseNumber).timeoutMillis(timeoutMs);
        if (user != null) {
            config.user(user);
        }
        if (secret != null) {
            config.password(secret);
        }
        if (tls != null) {
            RedisTls.configure(config, tls, RedisOptions.TLS_CA.key());
        }
        return config.build();
    }

    boolean hasPassword() {
        return password != null;
    }

    boolean hasSentinelsPassword() {
        return sentinelsPassword != null;
    }

    /**
     * Opens the target of this mode (AUTH and SELECT included). A refused or timed-out connection is
     * tried again {@link #CONNECT_ATTEMPTS} times in all; any other error (a wrong password, an untrusted
     * certificate, a database out of range) fails at once.
     *
     * @param retries counts each attempt to be made again
     */
    RedisTarget open(Counter retries) throws IOException {
        long backoffMs = CONNECT_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                switch (mode()) {
                    case CLUSTER:
                        return new RedisClusterTarget(this);
                    case SENTINEL:
                        return new RedisSentinelTarget(this);
                    default:
                        return new RedisTarget.Single(this);
                }
            } catch (JedisConnectionException e) {
                if (attempt >= CONNECT_ATTEMPTS || tlsFailure(e) != null) {
                    throw failure(attempt, e);
                }
            } catch (JedisException e) {
                throw failure(attempt, e);
            }
            retries.inc();
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("Interrupted while connecting to Redis at " + address(), e);
            }
            backoffMs *= 2;
        }
    }

    private IOException failure(int attempts, JedisException e) {
        String where = mode() == Mode.CLUSTER ? address() : address() + " (database " + database + ")";
        return new IOException(
                String.format("Failed to connect to Redis at %s after %d attempt%s: %s%s",
                        where, attempts, attempts == 1 ? "" : "s", rootMessage(e), hint(e)),
                e);
    }

    /** What to check, for the failures a setting causes. */
    private String hint(JedisException e) {
        if (e instanceof RedisSentinelTarget.SentinelAuthFailure) {
            String option = RedisOptions.SENTINELS_PASSWORD.key();
            return sentinelsPassword != null
                    ? " (authentication to the sentinels failed: check option '" + option + "')"
                    : password == null
                            ? " (the sentinels need a password: set option '" + option + "')"
                            : " (the sentinels need a password other than the data nodes': set option '" + option + "')";
        }
        if (e instanceof JedisAccessControlException || String.valueOf(e.getMessage()).startsWith("NOAUTH")) {
            return String.format(" (authentication failed%s: check options 'username' and 'password')",
                    username == null ? "" : " for user '" + username + "'");
        }
        SSLException ssl = tlsFailure(e);
        if (ssl != null) {
            return tls != null && tls.caFile != null
                    ? String.format(" (TLS handshake failed: check that option '%s' (%s) holds the CA that signed the "
                            + "server's certificate, and that the certificate names the host)", RedisOptions.TLS_CA.key(), tls.caFile)
                    : " (TLS handshake failed: check the server's certificate, or give its CA with option '"
                            + RedisOptions.TLS_CA.key() + "')";
        }
        return "";
    }

    private static SSLException tlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return (SSLException) t;
            }
        }
        return null;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    /** The mode, where, the database, the user and whether passwords and TLS are set; never a password itself. */
    @Override
    public String toString() {
        String where = mode() == Mode.CLUSTER ? address() : address() + "/" + database;
        return where + (username == null ? "" : " (user " + username + ")") + (password == null ? "" : " (password set)")
                + (sentinelsPassword == null ? "" : " (sentinels password set)")
                + (tls == null ? "" : tls.verifyPeer ? " (tls)" : " (tls, peer not verified)");
    }
}
