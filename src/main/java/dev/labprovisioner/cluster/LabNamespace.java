package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;

/** The learner's own namespace, labelled for Pod Security admission. */
public final class LabNamespace {

    private LabNamespace() {
    }

    public static Namespace desired(LabSpec lab) {
        String level = lab.podSecurityLevel();
        return new NamespaceBuilder()
                .withNewMetadata()
                .withName(lab.namespace())
                .addToLabels(lab.labels())
                // https://kubernetes.io/docs/concepts/security/pod-security-admission/
                .addToLabels("pod-security.kubernetes.io/enforce", level)
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .addToLabels("pod-security.kubernetes.io/warn", level)
                .addToLabels("pod-security.kubernetes.io/audit", level)
                .endMetadata()
                .build();
    }
}
