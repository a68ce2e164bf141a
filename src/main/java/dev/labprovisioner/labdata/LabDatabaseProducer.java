package dev.labprovisioner.labdata;

import dev.labprovisioner.sandboxclient.SandboxVolumes;
import dev.labprovisioner.sandboxclient.VolumeLabDatabase;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import java.time.Duration;

/** The lab database reader: psql through an exec in the pod, or, on a sandbox cluster (whose pods run nothing), its volumes. */
@ApplicationScoped
class LabDatabaseProducer {

    @Produces
    @ApplicationScoped
    LabDatabase labDatabase(KubernetesClient client, SandboxVolumes sandbox) {
        return sandbox.active() ? new VolumeLabDatabase(sandbox) : new ExecLabDatabase(client, Duration.ofSeconds(20));
    }
}
