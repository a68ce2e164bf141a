package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;

/** The learner's own namespace, labelled for Pod Security admission. */
public final class LabNamespace {

    private LabNamespace() {
    }

    public static Namespace desired(LabSpec lab) {
        return of(lab.namespace(), lab.labels(), lab.podSecurityLevel());
    }

    /** A namespace with these labels and the Pod Security labels of {@code level}: a lab's, or the Pod Security probe's. */
    static Namespace of(String name, java.util.Map<String, String> labels, String level) {
        return new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels(labels)
                // https://kubernetes.io/docs/concepts/security/pod-security-admission/
                .addToLabels("pod-security.kubernetes.io/enforce", level)
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .addToLabels("pod-security.kubernetes.io/warn", level)
                .addToLabels("pod-security.kubernetes.io/audit", level)
                .endMetadata()
                .build();
    }

    /**
     * Why a namespace being deleted is still there, from the conditions the namespace controller reports (content or
     * finalizers remaining, a deletion failure), in its own words; empty while nothing holds it up, or where the API
     * server reports no conditions.
     */
    public static java.util.Optional<String> deletionBlockers(Namespace namespace) {
        if (namespace.getStatus() == null || namespace.getStatus().getConditions() == null) {
            return java.util.Optional.empty();
        }
        String blockers = namespace.getStatus().getConditions().stream()
                .filter(c -> "True".equals(c.getStatus()) && c.getType() != null && c.getType().startsWith("Namespace"))
                .map(c -> c.getType() + ": " + c.getMessage())
                .collect(java.util.stream.Collectors.joining("; "));
        return blockers.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(blockers);
    }
}
