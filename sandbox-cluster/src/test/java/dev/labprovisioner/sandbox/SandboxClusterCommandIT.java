package dev.labprovisioner.sandbox;

import dev.labprovisioner.sandbox.controlplane.ControlPlane;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The README's command, {@code sandbox-cluster/run}: the sandbox cluster as a process of its own that writes a kubeconfig
 * and the service's connection file, ends with the process that started it, and serves any API server as its node.
 */
class SandboxClusterCommandIT {

    private static final Path DIR = Path.of("target/sandbox-command");

    @Test
    void startsOnItsOwnWritesAKubeconfigAndEndsWithItsParent() throws Exception {
        Path work = DIR.resolve("imitation");
        Path kubeconfig = work.resolve("kubeconfig");
        // Its parent: a process the test can end, as a service's JVM would.
        Process parent = new ProcessBuilder("sleep", "600").start();
        Process sandbox = run(work, "--engine", "imitation", "--kubeconfig", kubeconfig.toString(), "--parent-pid", Long.toString(parent.pid()));
        try {
            Properties connection = awaitConnection(work.resolve("sandbox.properties"), sandbox);
            assertThat(connection.getProperty("engine")).isEqualTo("imitation");
            assertThat(Files.getPosixFilePermissions(work.resolve("sandbox.properties"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            // HTTPS, on loopback (--bind-address defaults to 127.0.0.1).
            assertThat(connection.getProperty("kubernetes.url")).startsWith("https://127.0.0.1:");

            // The kubeconfig works for the official client.
            try (Kubectl kubectl = Kubectl.with(Kubectl.require(), Files.readString(kubeconfig), "default")) {
                kubectl.ok("create", "namespace", "from-kubectl");
                assertThat(kubectl.ok("get", "namespaces", "-o", "name")).contains("namespace/from-kubectl");
            }
            // The parent ends: so does the sandbox, and its connection file goes with it.
            parent.destroy();
            assertThat(sandbox.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the sandbox ended with its parent").isTrue();
            assertThat(work.resolve("sandbox.properties")).doesNotExist();
        } finally {
            parent.destroyForcibly();
            // SIGTERM, so that it stops its PostgreSQL (a SIGKILL would leave it to the next sandbox to stop)
            sandbox.destroy();
            sandbox.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void aSandboxKilledOutrightHasItsLeftoversStoppedByTheNextOne() throws Exception {
        Path work = DIR.resolve("killed");
        Process first = run(work, "--engine", "imitation");
        Properties connection = awaitConnection(work.resolve("sandbox.properties"), first);
        long postmaster = Long.parseLong(Files.readAllLines(Path.of(connection.getProperty("database.data-directory"))
                .resolve("postmaster.pid")).get(0).strip());
        // kill -9: no shutdown hook runs, and its PostgreSQL is left running.
        first.destroyForcibly();
        first.waitFor();
        assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive)).as("PostgreSQL outlives a killed sandbox").contains(true);

        Files.delete(work.resolve("sandbox.properties"));
        Process second = run(work, "--engine", "imitation");
        try {
            awaitConnection(work.resolve("sandbox.properties"), second);
            assertThat(ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false))
                    .as("the next sandbox on the same directory stopped it").isFalse();
        } finally {
            second.destroy();
            second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    @EnabledIf("dev.labprovisioner.sandbox.controlplane.ControlPlaneProfile#runs")
    void servesAnyApiServerAsItsNode() throws Exception {
        var binaries = ControlPlane.Binaries.find(Optional.ofNullable(System.getenv("LABS_SANDBOX_CONTROL_PLANE_BIN")))
                .orElseThrow(() -> new AssertionError("the control plane is required: bash sandbox-cluster/build-control-plane.sh"));
        Path work = DIR.resolve("external");
        try (ControlPlane plane = ControlPlane.start(binaries, work.resolve("control-plane"), "127.0.0.1");
             KubernetesClient admin = new KubernetesClientBuilder().withConfig(plane.adminConfig()).build()) {
            Process sandbox = run(work, "--api-server-kubeconfig", work.resolve("control-plane").resolve(ControlPlane.ADMIN_KUBECONFIG).toString(),
                    "--pod-ready-delay", "200ms");
            try {
                Properties connection = awaitConnection(work.resolve("sandbox.properties"), sandbox);
                assertThat(connection.getProperty("engine")).isEqualTo("external");
                assertThat(connection.getProperty("kubernetes.url")).isEqualTo(plane.url());

                // Its node runs what the API server schedules there: Running and Ready after the delay.
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("node-check").endMetadata().build()).create();
                admin.pods().inNamespace("node-check").resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
                        .withNewSpec().addNewContainer().withName("db").withImage("postgres:16").endContainer().endSpec().build()).create();
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    Pod p = admin.pods().inNamespace("node-check").withName("p").get();
                    return p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
                            && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
                });

                // The service's credential is its own ServiceAccount's, bound to k8s/clusterrole.yaml: no Secret outside labs.
                try (KubernetesClient service = new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl(plane.url())
                        .withOauthToken(connection.getProperty("kubernetes.token")).withCaCertFile(connection.getProperty("kubernetes.ca-file"))
                        .build()).build()) {
                    assertThat(service.namespaces().list().getItems()).isNotEmpty();
                    assertThatThrownBy(() -> service.secrets().inNamespace("kube-system").list())
                            .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
                }
            } finally {
                sandbox.destroy();
                sandbox.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    private static Process run(Path work, String... options) throws IOException {
        Files.createDirectories(work);
        List<String> command = new ArrayList<>(List.of("bash", "sandbox-cluster/run", "--work-dir", work.toString()));
        command.addAll(List.of(options));
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("sandbox.log").toFile());
        builder.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return builder.start();
    }

    private static Properties awaitConnection(Path file, Process sandbox) throws IOException {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(file) || !sandbox.isAlive());
        assertThat(file).as("the connection file (the sandbox's log is next to it)").exists();
        var p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }
}
