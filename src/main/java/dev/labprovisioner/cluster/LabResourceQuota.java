package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;

/** Caps what a learner can run: enough for three PostgreSQL replicas and a spare, nothing more. */
public final class LabResourceQuota {

    private LabResourceQuota() {
    }

    public static ResourceQuota desired(LabSpec lab) {
        return new ResourceQuotaBuilder()
                .withNewMetadata().withName(LabNames.RESOURCE_QUOTA).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withNewSpec()
                .addToHard("pods", new Quantity("6"))
                .addToHard("requests.cpu", new Quantity("2"))
                .addToHard("requests.memory", new Quantity("2Gi"))
                .addToHard("limits.cpu", new Quantity("6"))
                .addToHard("limits.memory", new Quantity("4Gi"))
                .addToHard("persistentvolumeclaims", new Quantity("6"))
                .addToHard("requests.storage", new Quantity("10Gi"))
                .addToHard("services", new Quantity("4"))
                .addToHard("services.loadbalancers", new Quantity("0"))
                .addToHard("services.nodeports", new Quantity("0"))
                .endSpec()
                .build();
    }
}
