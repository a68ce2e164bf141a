package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import jakarta.enterprise.context.ApplicationScoped;

/** Writes a lab's objects to the cluster and removes them; every call goes through {@link KubernetesCalls}. */
@ApplicationScoped
public class LabCluster {

    private final KubernetesClient client;
    private final KubernetesCalls calls;

    LabCluster(KubernetesClient client, KubernetesCalls calls) {
        this.client = client;
        this.calls = calls;
    }

    /**
     * Creates every object of the lab, or updates it if it already exists (a retry after a lost answer, or a
     * crash mid-way): one request per object on the happy path. {@code beforeEachRequest} lets the caller
     * check it may still go on (its lease) before each request, retries included.
     */
    public void apply(LabSpec lab, Runnable beforeEachRequest) {
        for (HasMetadata desired : LabObjects.desired(lab)) {
            String what = "apply " + desired.getKind() + " " + desired.getMetadata().getName() + " in " + lab.namespace();
            Runnable apply = () -> {
                beforeEachRequest.run();
                client.resource(desired).createOr(NonDeletingOperation::update);
            };
            if (desired.getMetadata().getNamespace() != null) {
                // inside the namespace the service acts by the RoleBinding it has just written there (ProvisionerRoleBinding)
                calls.runWhileGrantPropagates(what, apply);
            } else {
                calls.run(what, apply);
            }
        }
    }

    /** Asks for the namespace's deletion; Kubernetes then deletes everything in it. */
    public void deleteNamespace(String namespace) {
        calls.run("delete namespace " + namespace, () -> client.namespaces().withName(namespace).delete());
    }

    /** Reads the namespace from the API (not a cache): teardown is only done when the server says it is gone. */
    public java.util.Optional<Namespace> namespace(String namespace) {
        return java.util.Optional.ofNullable(calls.call("get namespace " + namespace, () -> {
            try {
                return client.namespaces().withName(namespace).get();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404) {
                    return null;
                }
                throw e;
            }
        }));
    }
}
