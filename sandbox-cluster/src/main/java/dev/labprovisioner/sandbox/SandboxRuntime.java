package dev.labprovisioner.sandbox;

import dev.labprovisioner.sandbox.controlplane.ControlPlane;
import dev.labprovisioner.sandbox.controlplane.NodeAgent;
import dev.labprovisioner.sandbox.controlplane.ServiceIdentity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The sandbox cluster's servers, in this process: a PostgreSQL (the service's database, and one database per volume),
 * a Kubernetes cluster, which is upstream's control plane where its binaries are present ({@link Engine#CONTROL_PLANE})
 * and the embedded imitation where they are not ({@link Engine#IMITATION}), and what that cluster lacks to run pods:
 * on the control plane the node agent, on the imitation the simulated controllers. On the control plane the service gets
 * its own ServiceAccount's token, bound to {@code k8s/clusterrole.yaml}; it never gets the administrator's.
 */
public final class SandboxRuntime implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SandboxRuntime.class);

    /** Which Kubernetes the sandbox runs. */
    public enum Engine {
        /** Upstream's kube-apiserver and kube-controller-manager, etcd, and the node agent. */
        CONTROL_PLANE,
        /** The fabric8 mock server and the StatefulSet simulator. */
        IMITATION,
        /** Any API server (its administrator's kubeconfig given), with the node agent. */
        EXTERNAL;

        static Engine choose(String setting, Optional<ControlPlane.Binaries> binaries) {
            return switch (setting.toLowerCase(Locale.ROOT)) {
                case "imitation" -> IMITATION;
                case "control-plane" -> {
                    if (binaries.isEmpty()) {
                        throw new IllegalStateException("engine control-plane, but kube-apiserver and kube-controller-manager are not in "
                                + ControlPlane.Binaries.defaultDir() + " (or LABS_SANDBOX_CONTROL_PLANE_BIN), or etcd is not on the "
                                + "PATH: run sandbox-cluster/build-control-plane.sh");
                    }
                    yield CONTROL_PLANE;
                }
                case "auto" -> binaries.isPresent() ? CONTROL_PLANE : IMITATION;
                default -> throw new IllegalStateException("the engine must be auto, control-plane or imitation, not " + setting);
            };
        }

        /** As the command line and the connection file spell it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** What the sandbox was asked for. */
    public record Settings(Path workDir, String engine, Optional<Path> apiServerKubeconfig, Optional<String> controlPlaneBin,
                           String bindAddress, int kubernetesPort,
                           Duration postgresRestartDelay, Duration podReadyDelay, Duration podTerminationDelay, double nodeCpuCores,
                           String unpullableImages) {
    }

    private final Engine engine;
    private final EmbeddedPostgresServer postgres;
    private final String apiUrl;
    private final String serviceToken;
    private final Path caFile;
    private final Path adminKubeconfig;
    private final ClaimDatabases volumes;
    private final List<AutoCloseable> running;

    private SandboxRuntime(Engine engine, EmbeddedPostgresServer postgres, String apiUrl, String serviceToken, Path caFile,
                           Path adminKubeconfig, ClaimDatabases volumes, List<AutoCloseable> running) {
        this.engine = engine;
        this.postgres = postgres;
        this.apiUrl = apiUrl;
        this.serviceToken = serviceToken;
        this.caFile = caFile;
        this.adminKubeconfig = adminKubeconfig;
        this.volumes = volumes;
        this.running = running;
    }

    /** Starts everything under {@code settings.workDir()/<engine>}; {@link #close()} stops it in reverse order. */
    public static SandboxRuntime start(Settings settings) {
        return start(settings, new ArrayList<>());
    }

    /**
     * As {@link #start(Settings)}, adding each server to {@code running} as soon as it runs: a caller stopped in the middle
     * of a start (a SIGTERM during the control plane's seconds) closes what is there.
     */
    public static SandboxRuntime start(Settings settings, List<AutoCloseable> running) {
        Optional<ControlPlane.Binaries> binaries = ControlPlane.Binaries.find(settings.controlPlaneBin());
        Engine engine = settings.apiServerKubeconfig().isPresent() ? Engine.EXTERNAL : Engine.choose(settings.engine(), binaries);
        Path workDir = settings.workDir().toAbsolutePath().normalize().resolve(engine.name().toLowerCase(Locale.ROOT));
        long start = System.nanoTime();
        Orphans.reap(workDir);
        var postgres = EmbeddedPostgresServer.start(workDir.resolve("postgres"), settings.postgresRestartDelay());
        Orphans.record(workDir, postgres.dataDirectory());
        running.add(postgres);
        var volumes = new ClaimDatabases(postgres.jdbcUrl("postgres"));
        running.add(volumes);
        Pattern unpullable = Pattern.compile(settings.unpullableImages());
        try {
            if (engine == Engine.EXTERNAL) {
                Path kubeconfig = settings.apiServerKubeconfig().orElseThrow().toAbsolutePath();
                Config admin = kubeconfig(kubeconfig);
                KubernetesClient adminClient = new KubernetesClientBuilder().withConfig(admin).build();
                running.add(adminClient);
                String token = ServiceIdentity.create(adminClient);
                Path ca = workDir.resolve("api-server-ca.crt");
                writeCa(admin, ca);
                startNodeAgent(adminClient, settings, unpullable, volumes, running);
                LOG.warnf("SANDBOX: embedded PostgreSQL on 127.0.0.1:%d and a simulated node (pods Ready after %s) for the API server at %s, "
                        + "started in %d ms. The service runs as ServiceAccount %s, bound to k8s/clusterrole.yaml.", postgres.port(),
                        settings.podReadyDelay(), admin.getMasterUrl(), (System.nanoTime() - start) / 1_000_000, ServiceIdentity.USERNAME);
                return new SandboxRuntime(engine, postgres, admin.getMasterUrl().replaceAll("/$", ""), token,
                        Files.exists(ca) ? ca : null, kubeconfig, volumes, running);
            }
            if (engine == Engine.CONTROL_PLANE) {
                Path dir = workDir.resolve("control-plane");
                ControlPlane plane = ControlPlane.start(binaries.orElseThrow(), dir, settings.bindAddress());
                running.add(plane);
                String token;
                try (var admin = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build()) {
                    token = ServiceIdentity.create(admin);
                }
                KubernetesClient agentClient = new KubernetesClientBuilder().withConfig(kubeconfig(dir.resolve(ControlPlane.NODE_AGENT_KUBECONFIG))).build();
                running.add(agentClient);
                startNodeAgent(agentClient, settings, unpullable, volumes, running);
                LOG.warnf("SANDBOX: embedded PostgreSQL on 127.0.0.1:%d and upstream's control plane %s at %s (etcd, kube-apiserver, "
                        + "kube-controller-manager, and a simulated node whose pods are Ready after %s) started in %d ms. The service "
                        + "runs as ServiceAccount %s, bound to k8s/clusterrole.yaml.", postgres.port(), ControlPlane.VERSION, plane.url(),
                        settings.podReadyDelay(), (System.nanoTime() - start) / 1_000_000, ServiceIdentity.USERNAME);
                return new SandboxRuntime(engine, postgres, plane.url(), token, plane.caCertificate(),
                        dir.resolve(ControlPlane.ADMIN_KUBECONFIG), volumes, running);
            }
            // As an API server with anonymous authentication off: HTTPS with a CA of its own, and tokens. The simulator and
            // the administrator's kubeconfig have the administrator's; the service gets its ServiceAccount's, confined by
            // k8s/clusterrole.yaml and the lab roles bound to it, as on a real cluster.
            var api = SandboxKubernetesApi.startSecured(java.net.InetAddress.getByName(settings.bindAddress()), settings.kubernetesPort());
            running.add(api);
            // This sandbox's own files (another sandbox may share the work directory), readable by its user alone.
            long self = ProcessHandle.current().pid();
            Path ca = workDir.resolve("imitation-ca-" + self + ".crt");
            Path adminKubeconfig = workDir.resolve("admin-" + self + ".kubeconfig");
            SandboxClusterMain.writePrivately(ca, api.caCertificatePem());
            SandboxClusterMain.writePrivately(adminKubeconfig, dev.labprovisioner.cluster.Kubeconfig.yaml("sandbox", api.url(),
                    api.caCertificatePem(), "sandbox-admin", api.adminToken(), "default"));
            running.add(() -> {
                Files.deleteIfExists(ca);
                Files.deleteIfExists(adminKubeconfig);
            });
            KubernetesClient simulatorClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(api.clientConfig(api.adminToken()))
                    .withUserAgent(SandboxKubernetesApi.SIMULATOR_USER_AGENT).withRequestRetryBackoffLimit(3).build()).build();
            running.add(simulatorClient);
            var simulator = new StatefulSetSimulator(simulatorClient, new StatefulSetSimulator.Settings(settings.podReadyDelay(),
                    settings.nodeCpuCores(), image -> unpullable.matcher(image).matches()), volumes);
            simulator.start();
            running.add(simulator);
            LOG.warnf("SANDBOX: embedded PostgreSQL on 127.0.0.1:%d and the embedded imitation of Kubernetes at %s (fabric8 mock "
                    + "server and a simulator whose pods are Ready after %s; nothing real is created) started in %d ms. Upstream's "
                    + "control plane is used instead where sandbox-cluster/build-control-plane.sh has built it.",
                    postgres.port(), api.url(), settings.podReadyDelay(), (System.nanoTime() - start) / 1_000_000);
            return new SandboxRuntime(engine, postgres, api.url(), api.serviceToken(), ca, adminKubeconfig, volumes, running);
        } catch (RuntimeException | IOException e) {
            new SandboxRuntime(engine, postgres, null, null, null, null, volumes, running).close();
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    private static void startNodeAgent(KubernetesClient client, Settings settings, Pattern unpullable, ClaimDatabases volumes,
                                       List<AutoCloseable> running) {
        var agent = new NodeAgent(client, new NodeAgent.Settings(settings.podReadyDelay(), settings.podTerminationDelay(),
                settings.nodeCpuCores(), image -> !unpullable.matcher(image).matches() && NodeAgent.registryHas(image)), volumes);
        agent.start();
        running.add(agent);
    }

    /** The API server's CA, from the kubeconfig (inline or a file), where the service can read it. */
    private static void writeCa(Config config, Path target) {
        try {
            Files.createDirectories(target.getParent());
            if (config.getCaCertData() != null && !config.getCaCertData().isBlank()) {
                Files.write(target, java.util.Base64.getDecoder().decode(config.getCaCertData().trim()));
            } else if (config.getCaCertFile() != null && !config.getCaCertFile().isBlank()) {
                Files.copy(Path.of(config.getCaCertFile()), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Config kubeconfig(Path file) {
        try {
            return Config.fromKubeconfig(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Engine engine() {
        return engine;
    }

    public String apiUrl() {
        return apiUrl;
    }

    /** The service's ServiceAccount token (on the imitation, one it confines the same way). */
    public Optional<String> serviceToken() {
        return Optional.ofNullable(serviceToken);
    }

    /** The API server's CA certificate. */
    public Optional<Path> caFile() {
        return Optional.ofNullable(caFile);
    }

    /** The administrator's kubeconfig. */
    public Optional<Path> adminKubeconfig() {
        return Optional.ofNullable(adminKubeconfig);
    }

    public EmbeddedPostgresServer postgres() {
        return postgres;
    }

    public ClaimDatabases volumes() {
        return volumes;
    }

    @Override
    public void close() {
        closeAll(running);
    }

    /** Closes what {@code running} holds, last started first. */
    public static void closeAll(List<AutoCloseable> running) {
        List<AutoCloseable> reversed;
        synchronized (running) {
            reversed = new ArrayList<>(running);
            running.clear();
        }
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debugf("Stopping %s: %s", c, e.getMessage());
            }
        }
    }
}
