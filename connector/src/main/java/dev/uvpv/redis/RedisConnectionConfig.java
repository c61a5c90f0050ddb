package dev.uvpv.redis;

import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;

/**
 * Where the sink connects to. {@link #toString()} never shows the password, and no message built
 * here contains it.
 */
final class RedisConnectionConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Connection attempts before the writer gives up, and the pause after the first failure (doubled each time). */
    static final int CONNECT_ATTEMPTS = 3;

    static final long CONNECT_BACKOFF_MS = 200;

    private final String host;
    private final int port;
    private final String password;
    private final int database;
    private final int timeoutMs;

    RedisConnectionConfig(String host, int port, String password, int database, int timeoutMs) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.password = password == null || password.isEmpty() ? null : password;
        this.database = database;
        this.timeoutMs = timeoutMs;
    }

    String address() {
        return host + ":" + port;
    }

    int database() {
        return database;
    }

    /**
     * Opens a connection (AUTH and SELECT included). A refused or timed-out connection is tried
     * again {@link #CONNECT_ATTEMPTS} times in all; any other error (a wrong password, a database
     * out of range) fails at once.
     */
    Connection connect() throws IOException {
        DefaultJedisClientConfig.Builder config =
                DefaultJedisClientConfig.builder().database(database).timeoutMillis(timeoutMs);
        if (password != null) {
            config.password(password);
        }
        HostAndPort hostAndPort = new HostAndPort(host, port);
        long backoffMs = CONNECT_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                return new Connection(hostAndPort, config.build());
            } catch (JedisConnectionException e) {
                if (attempt >= CONNECT_ATTEMPTS) {
                    throw failure(attempt, e);
                }
            } catch (JedisException e) {
                throw failure(attempt, e);
            }
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
        return new IOException(
                String.format("Failed to connect to Redis at %s (database %d) after %d attempt%s: %s",
                        address(), database, attempts, attempts == 1 ? "" : "s", rootMessage(e)),
                e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    /** host:port/database, and whether a password is set; never the password itself. */
    @Override
    public String toString() {
        return address() + "/" + database + (password == null ? "" : " (password set)");
    }
}
