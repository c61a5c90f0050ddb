package dev.uvpv.redis;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A test against the real Redis on 127.0.0.1:6379, opened before and closed after each test (see TestRedis). */
abstract class WithTestRedis {
    protected TestRedis redis;

    @BeforeEach
    void openRedis() {
        redis = TestRedis.open();
    }

    @AfterEach
    void closeRedis() {
        if (redis != null) {
            redis.close();
        }
    }
}
