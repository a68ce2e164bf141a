package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;

/** Binds what a learner may do (the {@code lab-provisioner-learner} ClusterRole) to the learner's ServiceAccount, in the lab namespace only. */
public final class LearnerRoleBinding {

    private LearnerRoleBinding() {
    }

    public static RoleBinding desired(LabSpec lab) {
        return new RoleBindingBuilder()
                .withNewMetadata().withName(LabNames.LEARNER_ACCOUNT).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(LabNames.LEARNER_CLUSTER_ROLE).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(LabNames.LEARNER_ACCOUNT).withNamespace(lab.namespace()).endSubject()
                .build();
    }
}
