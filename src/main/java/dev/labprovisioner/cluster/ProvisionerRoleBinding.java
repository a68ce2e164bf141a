package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;

/**
 * Grants the service what it does inside this lab namespace (the {@code lab-provisioner-lab} ClusterRole), and only
 * here: cluster-wide it holds little more than namespaces and read-only watches (k8s/clusterrole.yaml).
 */
public final class ProvisionerRoleBinding {

    private ProvisionerRoleBinding() {
    }

    public static RoleBinding desired(LabSpec lab) {
        return of(lab.namespace(), lab.labels(), lab.serviceAccountNamespace(), lab.serviceAccount());
    }

    static RoleBinding of(String namespace, java.util.Map<String, String> labels, String serviceAccountNamespace, String serviceAccount) {
        return new RoleBindingBuilder()
                .withNewMetadata().withName(LabNames.PROVISIONER_BINDING).withNamespace(namespace).addToLabels(labels).endMetadata()
                .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName(LabNames.PROVISIONER_CLUSTER_ROLE).endRoleRef()
                .addNewSubject().withKind("ServiceAccount").withName(serviceAccount).withNamespace(serviceAccountNamespace).endSubject()
                .build();
    }
}
