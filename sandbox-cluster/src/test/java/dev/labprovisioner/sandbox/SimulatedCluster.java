package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.util.List;

/** The sandbox's in-process API with the simulator running against it, and a log of pod events: what the sandbox tests drive. */
final class SimulatedCluster implements AutoCloseable {

    final SandboxKubernetesApi api;
    final KubernetesClient client;
    final StatefulSetSimulator simulator;
    final PodEventLog pods;

    private SimulatedCluster(StatefulSetSimulator.Settings settings, StatefulSetSimulator.VolumeDatabases volumes) {
        // wired as the sandbox process wires it: TLS, and the simulator as the sandbox's administrator
        api = SandboxKubernetesApi.startSecured(0);
        client = new KubernetesClientBuilder().withConfig(api.clientConfig(api.adminToken())).build();
        simulator = new StatefulSetSimulator(client, settings, volumes);
        simulator.start();
        pods = PodEventLog.watching(client);
    }

    static SimulatedCluster start(StatefulSetSimulator.Settings settings, StatefulSetSimulator.VolumeDatabases volumes) {
        return new SimulatedCluster(settings, volumes);
    }

    /** Volumes without databases, noting the UIDs of claims created and deleted (either list may be null). */
    static StatefulSetSimulator.VolumeDatabases noting(List<String> created, List<String> deleted) {
        return new StatefulSetSimulator.VolumeDatabases() {
            @Override
            public void claimCreated(PersistentVolumeClaim pvc) {
                if (created != null) {
                    created.add(pvc.getMetadata().getUid());
                }
            }

            @Override
            public void claimDeleted(PersistentVolumeClaim pvc) {
                if (deleted != null) {
                    deleted.add(pvc.getMetadata().getUid());
                }
            }
        };
    }

    @Override
    public void close() {
        pods.close();
        simulator.close();
        client.close();
        api.close();
    }
}
