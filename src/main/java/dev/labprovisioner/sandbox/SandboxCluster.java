package dev.labprovisioner.sandbox;

import dev.labprovisioner.config.LabsConfig;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.regex.Pattern;

/** In sandbox mode, runs the simulated controllers against the in-process Kubernetes API. */
@ApplicationScoped
public class SandboxCluster {

    private static final Logger LOG = Logger.getLogger(SandboxCluster.class);

    private final LabsConfig config;
    private final KubernetesClient client;
    private StatefulSetSimulator simulator;
    private ClaimDatabases databases;
    private KubernetesClient simulatorClient;

    SandboxCluster(LabsConfig config, KubernetesClient client) {
        this.config = config;
        this.client = client;
    }

    void start(@Observes @Priority(5) StartupEvent ignored) {
        if (config.mode() != LabsConfig.Mode.SANDBOX) {
            return;
        }
        SandboxRuntime runtime = SandboxRuntime.current()
                .orElseThrow(() -> new IllegalStateException("labs.mode=sandbox but the sandbox runtime did not start"));
        var sandbox = config.sandbox();
        Pattern unpullable = Pattern.compile(sandbox.unpullableImages());
        databases = new ClaimDatabases(runtime.jdbcUrl("postgres"));
        simulatorClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withUserAgent(SandboxKubernetesApi.SIMULATOR_USER_AGENT).withRequestRetryBackoffLimit(3).build()).build();
        simulator = new StatefulSetSimulator(simulatorClient, new StatefulSetSimulator.Settings(
                sandbox.podReadyDelay(), sandbox.nodeCpuCores(), image -> unpullable.matcher(image).matches()), databases);
        simulator.start();
        LOG.warnf("SANDBOX MODE: simulated StatefulSet controller and kubelet running against %s (pods Ready after %s)",
                runtime.apiUrl(), sandbox.podReadyDelay());
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (simulator != null) {
            simulator.close();
        }
        if (databases != null) {
            databases.close();
        }
        if (simulatorClient != null) {
            simulatorClient.close();
        }
    }
}
