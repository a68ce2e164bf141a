package dev.labprovisioner.sandbox;

import dev.labprovisioner.sandbox.controlplane.ControlPlane;
import dev.labprovisioner.sandbox.controlplane.ServiceIdentity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The embedded services of sandbox mode, started once per JVM before the application's configuration
 * is read (the datasource needs the embedded PostgreSQL's address): a PostgreSQL, and a Kubernetes cluster,
 * which is upstream's control plane where its binaries are present ({@link Engine#CONTROL_PLANE}) and the
 * embedded imitation where they are not ({@link Engine#IMITATION}). Quarkus may read configuration in
 * more than one class loader (and dev mode reloads): the servers' addresses are kept in system properties,
 * so every class loader finds the same servers and the labs outlive a code change.
 */
public final class SandboxRuntime {

    private static final Logger LOG = Logger.getLogger(SandboxRuntime.class);

    /** Which Kubernetes the sandbox runs. */
    public enum Engine {
        /** Upstream's kube-apiserver and kube-controller-manager, etcd, and the node agent. */
        CONTROL_PLANE,
        /** The fabric8 mock server and the StatefulSet simulator, in this JVM. */
        IMITATION;

        static Engine choose(String setting, Optional<ControlPlane.Binaries> binaries) {
            return switch (setting.toLowerCase(Locale.ROOT)) {
                case "imitation" -> IMITATION;
                case "control-plane" -> {
                    if (binaries.isEmpty()) {
                        throw new IllegalStateException("labs.sandbox.engine=control-plane, but kube-apiserver and "
                                + "kube-controller-manager are not in " + ControlPlane.Binaries.defaultDir()
                                + " (or LABS_SANDBOX_CONTROL_PLANE_BIN), or etcd is not on the PATH: run "
                                + "sandbox-cluster/build-control-plane.sh");
                    }
                    yield CONTROL_PLANE;
                }
                case "auto" -> binaries.isPresent() ? CONTROL_PLANE : IMITATION;
                default -> throw new IllegalStateException("labs.sandbox.engine must be auto, control-plane or imitation, not " + setting);
            };
        }
    }

    /** What the sandbox was asked for: {@code engine} auto, control-plane or imitation. */
    public record Request(Path workDir, int apiPort, String engine, Optional<String> controlPlaneBin, String bindAddress,
                          Duration postgresRestartDelay) {
    }

    private static volatile SandboxRuntime current;

    private final Engine engine;
    /** Where its servers keep their files: one runtime per engine and work directory. */
    private final Path workDir;
    private final String jdbcBaseUrl;
    private final String apiUrl;
    /** Control plane only: the service's ServiceAccount token and the CA, and the sandbox administrator's kubeconfig. */
    private final String serviceToken;
    private final String caFile;
    private final String adminKubeconfig;
    private final Path postgresDataDirectory;

    private SandboxRuntime(Engine engine, Path workDir, String jdbcBaseUrl, String apiUrl, String serviceToken, String caFile,
                           String adminKubeconfig, Path postgresDataDirectory) {
        this.engine = engine;
        this.workDir = workDir;
        this.postgresDataDirectory = postgresDataDirectory;
        this.jdbcBaseUrl = jdbcBaseUrl;
        this.apiUrl = apiUrl;
        this.serviceToken = serviceToken;
        this.caFile = caFile;
        this.adminKubeconfig = adminKubeconfig;
    }

    static synchronized SandboxRuntime startOnce(Request request) {
        Engine engine = Engine.choose(request.engine(), ControlPlane.Binaries.find(request.controlPlaneBin()));
        Path workDir = request.workDir().toAbsolutePath().normalize().resolve(engine.name().toLowerCase(Locale.ROOT));
        if (current != null && current.engine == engine && current.workDir.equals(workDir)) {
            return current;
        }
        // One set of servers per engine and work directory: a test profile with a work directory of its own gets its own.
        String prefix = "lab-provisioner.sandbox." + engine.name().toLowerCase(Locale.ROOT) + "." + workDir + ".";
        if (System.getProperty(prefix + "jdbc-url") != null) {
            // A dev-mode reload, or another test profile on the same engine: its servers are still running.
            current = new SandboxRuntime(engine, workDir, System.getProperty(prefix + "jdbc-url"), System.getProperty(prefix + "api-url"),
                    System.getProperty(prefix + "service-token"), System.getProperty(prefix + "ca-file"),
                    System.getProperty(prefix + "admin-kubeconfig"), Path.of(System.getProperty(prefix + "postgres-data")));
            return current;
        }
        long start = System.nanoTime();
        var postgres = EmbeddedPostgresServer.start(workDir.resolve("postgres"), request.postgresRestartDelay());
        String base = "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/";
        SandboxRuntime runtime;
        AutoCloseable cluster;
        if (engine == Engine.CONTROL_PLANE) {
            ControlPlane plane = ControlPlane.start(ControlPlane.Binaries.find(request.controlPlaneBin()).orElseThrow(),
                    workDir.resolve("control-plane"), request.bindAddress());
            String token;
            try (var admin = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build()) {
                token = ServiceIdentity.create(admin);
            }
            cluster = plane;
            runtime = new SandboxRuntime(engine, workDir, base, plane.url(), token, plane.caCertificate().toString(),
                    workDir.resolve("control-plane").resolve(ControlPlane.ADMIN_KUBECONFIG).toString(), postgres.dataDirectory());
            LOG.warnf("SANDBOX MODE: embedded PostgreSQL on 127.0.0.1:%d and upstream's control plane %s at %s "
                    + "(etcd, kube-apiserver, kube-controller-manager; a simulated node) started in %d ms. The service runs as "
                    + "ServiceAccount %s, bound to k8s/clusterrole.yaml; the administrator's kubeconfig is %s",
                    postgres.port(), ControlPlane.VERSION, plane.url(), (System.nanoTime() - start) / 1_000_000,
                    ServiceIdentity.USERNAME, runtime.adminKubeconfig);
        } else {
            var api = SandboxKubernetesApi.start(request.apiPort());
            cluster = api;
            runtime = new SandboxRuntime(engine, workDir, base, api.url(), null, null, null, postgres.dataDirectory());
            LOG.warnf("SANDBOX MODE: embedded PostgreSQL on 127.0.0.1:%d and the embedded imitation of Kubernetes at %s "
                    + "(fabric8 mock server and a simulator; nothing real is created) started in %d ms. Upstream's control plane "
                    + "is used instead where sandbox-cluster/build-control-plane.sh has built it.",
                    postgres.port(), api.url(), (System.nanoTime() - start) / 1_000_000);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.close();
                postgres.close();
            } catch (Exception e) {
                // the JVM is going away; nothing left to do
            }
        }, "sandbox-shutdown"));
        System.setProperty(prefix + "jdbc-url", base);
        System.setProperty(prefix + "api-url", runtime.apiUrl);
        System.setProperty(prefix + "postgres-data", runtime.postgresDataDirectory.toString());
        if (runtime.serviceToken != null) {
            System.setProperty(prefix + "service-token", runtime.serviceToken);
            System.setProperty(prefix + "ca-file", runtime.caFile);
            System.setProperty(prefix + "admin-kubeconfig", runtime.adminKubeconfig);
        }
        current = runtime;
        return current;
    }

    public static Optional<SandboxRuntime> current() {
        return Optional.ofNullable(current);
    }

    /** The imitation serves this JVM's cluster: it has no TokenRequest-backed RBAC, so learners get its own kind of token. */
    public static boolean imitationRunning() {
        SandboxRuntime r = current;
        return r != null && r.engine == Engine.IMITATION;
    }

    public Engine engine() {
        return engine;
    }

    /** How the service reaches this cluster: on the control plane, as its own ServiceAccount, never as an administrator. */
    Map<String, String> serviceClientConfiguration() {
        if (engine == Engine.CONTROL_PLANE) {
            return Map.of("quarkus.kubernetes-client.api-server-url", apiUrl,
                    "quarkus.kubernetes-client.token", serviceToken,
                    "quarkus.kubernetes-client.ca-cert-file", caFile,
                    "quarkus.kubernetes-client.trust-certs", "false",
                    "quarkus.kubernetes-client.namespace", ServiceIdentity.NAMESPACE);
        }
        return Map.of("quarkus.kubernetes-client.api-server-url", apiUrl,
                "quarkus.kubernetes-client.trust-certs", "true",
                "quarkus.kubernetes-client.namespace", "default");
    }

    /** The node agent's client configuration (control plane only; a cluster administrator, never the service's). */
    public Config nodeAgentConfig() {
        if (adminKubeconfig == null) {
            throw new IllegalStateException("The imitation has no node agent");
        }
        try {
            return Config.fromKubeconfig(java.nio.file.Files.readString(Path.of(adminKubeconfig).resolveSibling(ControlPlane.NODE_AGENT_KUBECONFIG)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Optional<Path> adminKubeconfig() {
        return Optional.ofNullable(adminKubeconfig).map(Path::of);
    }

    /**
     * The embedded PostgreSQL's process id, from the postmaster.pid of its data directory: what an operator would
     * {@code kill}; the tests kill it to take the service's database away.
     */
    public Optional<Long> postgresPid() {
        try {
            return Optional.of(Long.parseLong(java.nio.file.Files.readAllLines(postgresDataDirectory.resolve("postmaster.pid")).get(0).trim()));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** JDBC URL of a database on the embedded server. The superuser is {@code postgres}, no password. */
    public String jdbcUrl(String database) {
        return jdbcBaseUrl + database;
    }

    public String apiUrl() {
        return apiUrl;
    }

    /** Counters and fault injection of the in-process API (the imitation only). */
    public SandboxControls controls() {
        return new SandboxControls(apiUrl);
    }
}
