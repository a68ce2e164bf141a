package dev.labprovisioner.labdata;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.sandbox.SandboxCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Duration;

/** The lab database reader of the mode the service runs in. */
@ApplicationScoped
class LabDatabaseProducer {

    @Produces
    @ApplicationScoped
    LabDatabase labDatabase(LabsConfig config, KubernetesClient client, SandboxCluster sandbox) {
        return config.mode() == LabsConfig.Mode.SANDBOX
                ? new SandboxLabDatabase(sandbox)
                : new ExecLabDatabase(client, Duration.ofSeconds(20));
    }
}
