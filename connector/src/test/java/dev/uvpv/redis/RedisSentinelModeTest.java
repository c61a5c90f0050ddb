package dev.uvpv.redis;

import static dev.uvpv.redis.ModeTestSupport.row;
import static dev.uvpv.redis.ModeTestSupport.window;
import static dev.uvpv.redis.ModeTestSupport.writer;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.util.List;
import java.util.UUID;

/**
 * {@code redis-mode} = 'sentinel' against a real master, its replica and a sentinel (each with a password),
 * started by the test on free loopback ports.
 */
class RedisSentinelModeTest {
    private static final String PASSWORD = "sentinel-pw-" + UUID.randomUUID();
    private static final String MASTER = "uvpvmaster";

    private RedisProcesses processes;
    private int master;
    private int replica;
    private int sentinel;
    private final String prefix = "t:" + UUID.randomUUID() + ":";

    @BeforeEach
    void start() throws Exception {
        processes = new RedisProcesses();
        master = processes.server("--requirepass", PASSWORD, "--masterauth", PASSWORD);
        replica = processes.server("--requirepass", PASSWORD, "--masterauth", PASSWORD,
                "--replicaof", RedisProcesses.HOST, String.valueOf(master));
        try (Jedis r = RedisProcesses.jedis(replica, PASSWORD)) {
            RedisProcesses.await("the replica in sync", () -> r.info("replication").contains("master_link_status:up"), 10_000);
        }
        sentinel = processes.sentinel(MASTER, master, PASSWORD);
        try (Jedis s = RedisProcesses.jedis(sentinel, PASSWORD)) {
            RedisProcesses.await("the sentinel knows the replica", () -> s.sentinelReplicas(MASTER).stream()
                    .anyMatch(r -> r.get("port").equals(String.valueOf(replica)) && r.get("flags").equals("slave")), 15_000);
        }
    }

    @AfterEach
    void stop() throws IOException {
        processes.close();
    }

    private RedisConnectionConfig connection() {
        return new RedisConnectionConfig(RedisConnectionConfig.Mode.SENTINEL, null, 0,
                List.of(RedisProcesses.HOST + ":" + sentinel), MASTER, null, PASSWORD, 3, 2000, null);
    }

    @Test
    void writesLandOnTheMasterAndAfterAFailoverOnTheNewMaster() throws Exception {
        String k = prefix + "list";
        try (RedisSinkWriter writer = writer(connection(), RedisCommand.RPUSH, List.of("window_end"))) {
            RedisSentinelTarget target = (RedisSentinelTarget) writer.target();
            assertEquals(new HostAndPort(RedisProcesses.HOST, master), target.currentMaster());
            writer.write(row(k, window(1)), null);
            writer.flush(false);

            try (Jedis s = RedisProcesses.jedis(sentinel, PASSWORD)) {
                s.sentinelFailover(MASTER);
            }
            // the writer follows the sentinels' +switch-master: its next batch goes to the promoted replica,
            // whose script cache is empty (NOSCRIPT, then EVAL)
            RedisProcesses.await("the writer to follow the failover",
                    () -> target.currentMaster().equals(new HostAndPort(RedisProcesses.HOST, replica)), 20_000);
            try (Jedis promoted = RedisProcesses.jedis(replica, PASSWORD)) {
                RedisProcesses.await("the replica to be master", () -> promoted.info("replication").contains("role:master"), 10_000);
            }
            writer.write(row(k, window(1)), null);
            writer.write(row(k, window(2)), null);
            writer.flush(false);
            assertEquals(1, writer.listPushesSkipped(), "window 1 is on the new master already (replicated)");
        }
        try (Jedis promoted = RedisProcesses.jedis(replica, PASSWORD)) {
            promoted.select(3);
            assertEquals(List.of(window(1), window(2)), promoted.lrange(k, 0, -1));
        }
        // a writer opened after the failover (as after a restart) finds the new master through the sentinel
        String set = prefix + "set";
        try (RedisSinkWriter writer = writer(connection(), RedisCommand.SADD, null)) {
            writer.write(row(set, "m"), null);
            writer.flush(false);
        }
        try (Jedis promoted = RedisProcesses.jedis(replica, PASSWORD)) {
            promoted.select(3);
            assertEquals(java.util.Set.of("m"), promoted.smembers(set));
        }
    }
}
