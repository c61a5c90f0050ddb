package dev.uvpv.redis;

import static org.junit.jupiter.api.Assertions.fail;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import java.util.UUID;

/**
 * The real Redis the tests write to: 127.0.0.1:6379 (another port with -Duvpv.test.redis.port=N), database {@value #DATABASE}, keys under a
 * prefix of their own per test. Nothing else is touched: no FLUSHDB, and {@link #close} deletes only
 * the keys under the prefix. When Redis cannot be reached the test FAILS (it is never skipped).
 */
final class TestRedis implements AutoCloseable {
    static final String HOST = "127.0.0.1";
    /** 6379, or the port given with {@code -Duvpv.test.redis.port=N}. */
    static final int PORT = Integer.getInteger("uvpv.test.redis.port", 6379);
    static final String ADDRESS = HOST + ":" + PORT;
    static final int DATABASE = 14;

    private final Jedis jedis;
    private final String prefix;

    private TestRedis(Jedis jedis) {
        this.jedis = jedis;
        this.prefix = "uvpv-connector-test:" + UUID.randomUUID() + ":";
    }

    static TestRedis open() {
        Jedis jedis = null;
        try {
            jedis = new Jedis(new HostAndPort(HOST, PORT),
                    DefaultJedisClientConfig.builder().database(DATABASE).timeoutMillis(2000).build());
            jedis.ping();
            return new TestRedis(jedis);
        } catch (RuntimeException e) {
            if (jedis != null) {
                jedis.close();
            }
            return fail("These tests need a Redis server without a password on " + ADDRESS + " (they use database "
                    + DATABASE + "; another port: -Duvpv.test.redis.port=N). It could not be reached: " + e, e);
        }
    }

    /** The sink's connection settings for this Redis. */
    static RedisConnectionConfig connection() {
        return new RedisConnectionConfig(HOST, PORT, null, DATABASE, 2000);
    }

    /** A key of this test's own. */
    String key(String name) {
        return prefix + name;
    }

    String prefix() {
        return prefix;
    }

    Jedis jedis() {
        return jedis;
    }

    @Override
    public void close() {
        try {
            ScanParams match = new ScanParams().match(prefix + "*").count(1000);
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, match);
                if (!page.getResult().isEmpty()) {
                    jedis.del(page.getResult().toArray(new String[0]));
                }
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        } finally {
            jedis.close();
        }
    }
}
