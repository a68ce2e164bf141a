package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;

/** The identity in the learner's kubeconfig; its tokens come from the TokenRequest API and expire with the lab. */
public final class LearnerServiceAccount {

    private LearnerServiceAccount() {
    }

    public static ServiceAccount desired(LabSpec lab) {
        return new ServiceAccountBuilder()
                .withNewMetadata().withName(LabNames.LEARNER_ACCOUNT).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withAutomountServiceAccountToken(false)
                .build();
    }
}
