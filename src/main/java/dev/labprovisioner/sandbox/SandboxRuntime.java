package dev.labprovisioner.sandbox;

import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The embedded services of sandbox mode, started once per JVM before the application's configuration
 * is read (the datasource needs the embedded PostgreSQL's address). Quarkus may read configuration in
 * more than one class loader (and dev mode reloads): the servers' addresses are kept in system properties,
 * so every class loader finds the same servers and the labs outlive a code change.
 */
public final class SandboxRuntime {

    private static final Logger LOG = Logger.getLogger(SandboxRuntime.class);
    static final String JDBC_URL = "lab-provisioner.sandbox.jdbc-url";
    static final String API_URL = "lab-provisioner.sandbox.api-url";

    private static volatile SandboxRuntime current;

    private final String jdbcBaseUrl;
    private final String apiUrl;

    private SandboxRuntime(String jdbcBaseUrl, String apiUrl) {
        this.jdbcBaseUrl = jdbcBaseUrl;
        this.apiUrl = apiUrl;
    }

    static synchronized SandboxRuntime startOnce(Path workDir, int apiPort) {
        if (current != null) {
            return current;
        }
        String jdbc = System.getProperty(JDBC_URL);
        String apiUrl = System.getProperty(API_URL);
        if (jdbc != null && apiUrl != null) {
            // A dev-mode reload: the servers started by the first class loader are still running.
            current = new SandboxRuntime(jdbc, apiUrl);
            return current;
        }
        long start = System.nanoTime();
        var postgres = EmbeddedPostgresServer.start(workDir);
        var api = SandboxKubernetesApi.start(apiPort);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            api.close();
            try {
                postgres.close();
            } catch (Exception e) {
                // the JVM is going away; nothing left to do
            }
        }, "sandbox-shutdown"));
        String base = "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/";
        System.setProperty(JDBC_URL, base);
        System.setProperty(API_URL, api.url());
        LOG.warnf("SANDBOX MODE: embedded PostgreSQL on 127.0.0.1:%d and an in-process Kubernetes API at %s "
                + "(simulated cluster, nothing real is created) started in %d ms",
                postgres.port(), api.url(), (System.nanoTime() - start) / 1_000_000);
        current = new SandboxRuntime(base, api.url());
        return current;
    }

    public static Optional<SandboxRuntime> current() {
        return Optional.ofNullable(current);
    }

    /** JDBC URL of a database on the embedded server. The superuser is {@code postgres}, no password. */
    public String jdbcUrl(String database) {
        return jdbcBaseUrl + database;
    }

    public String apiUrl() {
        return apiUrl;
    }

    /** Counters and fault injection of the in-process API. */
    public SandboxControls controls() {
        return new SandboxControls(apiUrl);
    }
}
