package dev.uvpv.redis;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * redis-server processes of a test's own, on 127.0.0.1 and free ports, in a temporary directory: a
 * cluster, a master with a replica and a sentinel, each plain or TLS-only, and the certificates for TLS
 * (openssl). A {@code certs} argument of null means plain TCP.
 * {@link #close} kills every process it started and deletes the directory; a JVM shutdown hook does the
 * same if the test run dies first.
 */
final class RedisProcesses implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final Path dir;
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Thread hook = new Thread(this::killAll);

    RedisProcesses() throws IOException {
        this.dir = Files.createTempDirectory("uvpv-redis-test");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    Path dir() {
        return dir;
    }

    /** Starts {@code redis-server} on a free port with the extra arguments; returns once it accepts connections. */
    int server(String... args) throws Exception {
        int port = freePort();
        serverOn(port, args);
        return port;
    }

    /** Starts {@code redis-server} on the given port (see {@link #freePort}); returns once it accepts connections. */
    void serverOn(int port, String... args) throws Exception {
        Path nodeDir = Files.createDirectories(dir.resolve("node-" + port));
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind", HOST,
                "--save", "", "--appendonly", "no", "--dir", nodeDir.toString(), "--protected-mode", "no"));
        command.addAll(List.of(args));
        start(port, command, nodeDir);
    }

    /**
     * A TLS-only server (no plaintext port) on a free port, with the certificate of {@link #certificates};
     * returns its TLS port. Add {@code --tls-cluster yes} or {@code --tls-replication yes} for a cluster's
     * bus or a replica's link to its master.
     */
    int tlsServer(Path certs, String... args) throws Exception {
        int port = freePort();
        Path nodeDir = Files.createDirectories(dir.resolve("node-" + port));
        List<String> command = new ArrayList<>(List.of("redis-server", "--port", "0", "--tls-port", String.valueOf(port),
                "--bind", HOST, "--save", "", "--appendonly", "no", "--dir", nodeDir.toString()));
        tlsSettings(certs).forEach((name, value) -> command.addAll(List.of("--" + name, value)));
        command.addAll(List.of(args));
        start(port, command, nodeDir);
        return port;
    }

    /** A sentinel monitoring {@code masterName} at masterPort (quorum 1); with a password, for the data nodes and itself. */
    int sentinel(String masterName, int masterPort, String password) throws Exception {
        return sentinel(masterName, masterPort, password, password, null);
    }

    /**
     * A sentinel monitoring {@code masterName} at masterPort (quorum 1), which AUTHs to the data nodes with
     * masterPassword and asks its clients for sentinelPassword (each may be null); with certs, TLS-only and
     * talking TLS to the data nodes ({@code tls-replication yes}).
     */
    int sentinel(String masterName, int masterPort, String masterPassword, String sentinelPassword, Path certs) throws Exception {
        int port = freePort();
        Path nodeDir = Files.createDirectories(dir.resolve("sentinel-" + port));
        StringBuilder conf = new StringBuilder()
                .append(certs == null ? "port " + port : "port 0\ntls-port " + port)
                .append("\nbind ").append(HOST).append("\ndir ").append(nodeDir)
                .append("\nsentinel monitor ").append(masterName).append(' ').append(HOST).append(' ').append(masterPort).append(" 1")
                .append("\nsentinel down-after-milliseconds ").append(masterName).append(" 5000")
                .append("\nsentinel failover-timeout ").append(masterName).append(" 10000\n");
        if (masterPassword != null) {
            conf.append("sentinel auth-pass ").append(masterName).append(' ').append(masterPassword).append('\n');
        }
        if (sentinelPassword != null) {
            conf.append("requirepass ").append(sentinelPassword).append('\n');
        }
        if (certs != null) {
            tlsSettings(certs).forEach((name, value) -> conf.append(name).append(' ').append(value).append('\n'));
            conf.append("tls-replication yes\n");
        }
        Path file = nodeDir.resolve("sentinel.conf");
        Files.writeString(file, conf.toString());
        start(port, List.of("redis-server", file.toString(), "--sentinel"), nodeDir);
        return port;
    }

    /** Makes the servers one cluster, their slots split evenly (redis-cli --cluster create), and waits until it is ok. */
    void createCluster(String password, int... ports) throws Exception {
        createCluster(null, password, ports);
    }

    /** {@link #createCluster(String, int...)} of TLS-only servers (see {@link #tlsServer}) when certs is not null. */
    void createCluster(Path certs, String password, int... ports) throws Exception {
        List<String> command = new ArrayList<>(List.of("redis-cli"));
        if (certs != null) {
            command.addAll(List.of("--tls", "--cacert", certs.resolve("ca.crt").toString()));
        }
        if (password != null) {
            command.addAll(List.of("-a", password, "--no-auth-warning"));
        }
        command.addAll(List.of("--cluster", "create"));
        for (int port : ports) {
            command.add(HOST + ":" + port);
        }
        command.add("--cluster-yes");
        run(command);
        for (int port : ports) {
            try (Jedis jedis = jedis(port, password, certs)) {
                await("cluster state ok on " + port, () -> jedis.clusterInfo().contains("cluster_state:ok")
                        && jedis.clusterSlots().size() == ports.length, 20_000);
            }
        }
    }

    /** A CA, a certificate for 127.0.0.1 signed by it (server.crt, server.key), and another CA that signed nothing. */
    Path certificates() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        Path ext = certs.resolve("san.ext");
        Files.writeString(ext, "subjectAltName=IP:127.0.0.1\n");
        String ec = "ec_paramgen_curve:prime256v1";
        for (String ca : new String[] {"ca", "other-ca"}) {
            run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout",
                    certs.resolve(ca + ".key").toString(), "-out", certs.resolve(ca + ".crt").toString(), "-days", "2",
                    "-subj", "/CN=uvpv test " + ca));
        }
        run(List.of("openssl", "req", "-newkey", "ec", "-pkeyopt", ec, "-nodes", "-keyout", certs.resolve("server.key").toString(),
                "-out", certs.resolve("server.csr").toString(), "-subj", "/CN=uvpv test server"));
        run(List.of("openssl", "x509", "-req", "-in", certs.resolve("server.csr").toString(), "-CA",
                certs.resolve("ca.crt").toString(), "-CAkey", certs.resolve("ca.key").toString(), "-CAcreateserial",
                "-out", certs.resolve("server.crt").toString(), "-days", "2", "-extfile", ext.toString()));
        return certs;
    }

    /** Kills one server at once (SIGKILL), as a crash would. */
    void kill(int port) throws InterruptedException {
        Process p = processes.remove(port);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    static Jedis jedis(int port, String password) {
        return jedis(port, password, null);
    }

    /** A client of the test; with certs, over TLS, checking the server's certificate against their CA. */
    static Jedis jedis(int port, String password, Path certs) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().timeoutMillis(5000);
        if (password != null) {
            config.password(password);
        }
        if (certs != null) {
            try {
                RedisTls.configure(config, new RedisConnectionConfig.Tls(certs.resolve("ca.crt").toString(), true), "tls.ca");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Jedis(new HostAndPort(HOST, port), config.build());
    }

    /** The TLS settings of every TLS server and sentinel: the certificate of {@link #certificates}, no client certificates. */
    private static Map<String, String> tlsSettings(Path certs) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("tls-cert-file", certs.resolve("server.crt").toString());
        settings.put("tls-key-file", certs.resolve("server.key").toString());
        settings.put("tls-ca-cert-file", certs.resolve("ca.crt").toString());
        settings.put("tls-auth-clients", "no");
        return settings;
    }

    static void await(String what, BooleanSupplier done, long timeoutMs) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (true) {
            try {
                if (done.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                // not yet
            }
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("Timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private void start(int port, List<String> command, Path nodeDir) throws Exception {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(nodeDir.resolve("log.txt").toFile())
                .directory(nodeDir.toFile())
                .start();
        processes.put(port, p);
        await("redis-server on " + port + " (log: " + nodeDir.resolve("log.txt") + ")", () -> {
            if (!p.isAlive()) {
                throw new AssertionError("redis-server exited: " + read(nodeDir.resolve("log.txt")));
            }
            try (Socket s = new Socket(HOST, port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        }, 10_000);
    }

    private void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " failed: " + out);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** A free port whose cluster bus port (+10000) is free too. */
    static int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                int port = s.getLocalPort();
                if (port + 10000 > 65535) {
                    continue;
                }
                try (ServerSocket bus = new ServerSocket(port + 10000, 1, InetAddress.getByName(HOST))) {
                    return port;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
    }

    private void killAll() {
        for (Process p : processes.values()) {
            p.destroyForcibly();
        }
        for (Process p : processes.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
    }

    @Override
    public void close() throws IOException {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
