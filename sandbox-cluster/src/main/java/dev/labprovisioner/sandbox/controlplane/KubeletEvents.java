package dev.labprovisioner.sandbox.controlplane;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Core v1 Events as the scheduler and a kubelet record them: what {@code kubectl describe} and {@code get events} show. */
final class KubeletEvents {

    private static final Logger LOG = Logger.getLogger(KubeletEvents.class);

    private final KubernetesClient client;
    private final String host;

    KubeletEvents(KubernetesClient client, String host) {
        this.client = client;
        this.host = host;
    }

    void normal(HasMetadata about, String reason, String message, String component) {
        record(about, "Normal", reason, message, component);
    }

    void warning(HasMetadata about, String reason, String message, String component) {
        record(about, "Warning", reason, message, component);
    }

    private void record(HasMetadata about, String type, String reason, String message, String component) {
        String ns = about.getMetadata().getNamespace() == null ? "default" : about.getMetadata().getNamespace();
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        var event = new EventBuilder().withNewMetadata()
                .withName(about.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())).withNamespace(ns).endMetadata()
                .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion()).withKind(about.getKind())
                        .withNamespace(about.getMetadata().getNamespace()).withName(about.getMetadata().getName())
                        .withUid(about.getMetadata().getUid()).withResourceVersion(about.getMetadata().getResourceVersion()).build())
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).withHost(component.equals("kubelet") ? host : null).endSource()
                .withReportingComponent(component).withReportingInstance(host)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1).build();
        try {
            client.v1().events().inNamespace(ns).resource(event).create();
        } catch (KubernetesClientException e) {
            // An event is best effort, as the kubelet's are (a namespace being deleted refuses new ones).
            LOG.debugf("Event %s for %s not recorded: %s", reason, about.getMetadata().getName(), e.getMessage());
        }
    }
}
