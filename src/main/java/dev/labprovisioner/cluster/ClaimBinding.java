package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.Optional;

/**
 * A volume claim that stays Pending (no such StorageClass, no default one, no volume that fits) leaves its pod waiting
 * for ever. Past {@code labs.reconciler.claim-bind-timeout} that is a failure, and its reason comes from the claim's
 * latest Warning Event (the PV binder's ProvisioningFailed or FailedBinding), in Kubernetes' own words.
 */
@ApplicationScoped
public class ClaimBinding {

    private final LabClusterWatch watch;
    private final KubernetesClient client;
    private final KubernetesCalls calls;

    ClaimBinding(LabClusterWatch watch, KubernetesClient client, KubernetesCalls calls) {
        this.watch = watch;
        this.client = client;
        this.calls = calls;
    }

    /** Why a claim of this lab has been Pending for longer than {@code timeout}, if one has. */
    public Optional<String> unboundTooLong(String namespace, Duration timeout) {
        Instant before = Instant.now().minus(timeout);
        return watch.claims(namespace).stream()
                .filter(c -> c.getStatus() == null || "Pending".equals(c.getStatus().getPhase()))
                .filter(c -> c.getMetadata().getCreationTimestamp() != null
                        && OffsetDateTime.parse(c.getMetadata().getCreationTimestamp()).toInstant().isBefore(before))
                .findFirst().map(c -> describe(c, timeout));
    }

    private String describe(PersistentVolumeClaim claim, Duration timeout) {
        String name = claim.getMetadata().getName();
        String storageClass = claim.getSpec().getStorageClassName();
        String why;
        try {
            why = calls.call("events of claim " + name, () -> client.v1().events().inNamespace(claim.getMetadata().getNamespace())
                            .withField("involvedObject.name", name).list().getItems()).stream()
                    .filter(e -> "Warning".equals(e.getType()) && "PersistentVolumeClaim".equals(e.getInvolvedObject().getKind()))
                    .max(Comparator.comparing(ClaimBinding::when))
                    .map(e -> e.getReason() + ": " + e.getMessage())
                    .orElse("no Event says why (is there a volume provisioner for it?)");
        } catch (KubernetesClientException e) {
            why = "its Events could not be read (" + e.getCode() + ")";
        }
        return "Volume claim " + name + " is not bound after " + timeout.toSeconds() + " s ("
                + (storageClass == null || storageClass.isEmpty() ? "the cluster's default StorageClass" : "StorageClass '" + storageClass + "'")
                + "): " + why;
    }

    private static String when(Event e) {
        return e.getLastTimestamp() != null ? e.getLastTimestamp() : e.getEventTime() != null ? e.getEventTime().getTime()
                : e.getMetadata().getCreationTimestamp() == null ? "" : e.getMetadata().getCreationTimestamp();
    }
}
