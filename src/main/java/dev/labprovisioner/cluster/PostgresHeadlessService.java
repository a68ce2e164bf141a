package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;

/** The StatefulSet's network identity: {@code postgres-<i>.postgres.<namespace>.svc} resolves to pod i. */
public final class PostgresHeadlessService {

    private PostgresHeadlessService() {
    }

    public static Service desired(LabSpec lab) {
        return new ServiceBuilder()
                .withNewMetadata().withName(LabNames.HEADLESS_SERVICE).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withNewSpec()
                .withClusterIP("None")
                .withSelector(LabNames.postgresSelector())
                // Pods get DNS records before they are Ready, so a learner can reach a replica that is starting.
                .withPublishNotReadyAddresses(true)
                .addNewPort().withName("postgres").withPort(5432).withTargetPort(new IntOrString("postgres")).withProtocol("TCP").endPort()
                .endSpec()
                .build();
    }
}
