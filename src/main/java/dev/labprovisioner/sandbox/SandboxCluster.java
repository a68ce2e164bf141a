package dev.labprovisioner.sandbox;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.sandbox.controlplane.NodeAgent;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Pattern;

/**
 * In sandbox mode, runs what the sandbox's cluster lacks: on upstream's control plane, the node agent (as the
 * sandbox's administrator, never with the service's identity); on the imitation, the simulated controllers.
 */
@ApplicationScoped
public class SandboxCluster {

    private static final Logger LOG = Logger.getLogger(SandboxCluster.class);

    private final LabsConfig config;
    private final KubernetesClient client;
    private final LabClusterWatch watch;
    private StatefulSetSimulator simulator;
    private ClaimDatabases databases;
    private KubernetesClient simulatorClient;
    private NodeAgent nodeAgent;
    private KubernetesClient agentClient;

    SandboxCluster(LabsConfig config, KubernetesClient client, LabClusterWatch watch) {
        this.config = config;
        this.client = client;
        this.watch = watch;
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
        if (runtime.engine() == SandboxRuntime.Engine.CONTROL_PLANE) {
            agentClient = new KubernetesClientBuilder().withConfig(runtime.nodeAgentConfig()).build();
            nodeAgent = new NodeAgent(agentClient, new NodeAgent.Settings(sandbox.podReadyDelay(), sandbox.podTerminationDelay(),
                    sandbox.nodeCpuCores(), image -> !unpullable.matcher(image).matches() && NodeAgent.registryHas(image)), databases);
            nodeAgent.start();
            LOG.warnf("SANDBOX MODE: upstream's control plane at %s with a simulated node (pods Ready after %s)",
                    runtime.apiUrl(), sandbox.podReadyDelay());
            return;
        }
        simulatorClient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
                .withUserAgent(SandboxKubernetesApi.SIMULATOR_USER_AGENT).withRequestRetryBackoffLimit(3).build()).build();
        simulator = new StatefulSetSimulator(simulatorClient, new StatefulSetSimulator.Settings(
                sandbox.podReadyDelay(), sandbox.nodeCpuCores(), image -> unpullable.matcher(image).matches()), databases);
        simulator.start();
        LOG.warnf("SANDBOX MODE: simulated StatefulSet controller and kubelet running against %s (pods Ready after %s)",
                runtime.apiUrl(), sandbox.podReadyDelay());
    }

    /**
     * The database behind a pod's data volume: the claim its {@code data} volume names, by that claim's UID.
     * {@code asLearner}: connect as the learner's unprivileged role.
     */
    public Connection openVolume(Pod pod, boolean asLearner) throws SQLException {
        if (databases == null) {
            throw new IllegalStateException("Not in sandbox mode");
        }
        String name = pod.getMetadata().getName();
        String claimName = LabObservation.claimOf(pod).orElseThrow(() -> new SQLException("Pod " + name + " has no PersistentVolumeClaim: it has no data to read"));
        PersistentVolumeClaim claim = watch.claim(pod.getMetadata().getNamespace(), claimName)
                .orElseThrow(() -> new SQLException("The claim " + claimName + " of pod " + name + " does not exist"));
        String uid = claim.getMetadata().getUid();
        return asLearner ? databases.openAsLearner(uid) : databases.open(uid);
    }

    public boolean active() {
        return databases != null;
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (simulator != null) {
            simulator.close();
        }
        if (nodeAgent != null) {
            nodeAgent.close();
            agentClient.close();
        }
        if (databases != null) {
            databases.close();
        }
        if (simulatorClient != null) {
            simulatorClient.close();
        }
    }
}
