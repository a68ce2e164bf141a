package dev.labprovisioner.cluster;

import dev.labprovisioner.template.LabTemplate;

import java.util.Map;
import java.util.UUID;

/**
 * What the cluster objects of one lab are computed from: the lab record, its template and derived secrets, and the
 * service's own ServiceAccount ({@code serviceAccountNamespace}/{@code serviceAccount}), bound in the lab's namespace.
 */
public record LabSpec(UUID labId, String courseId, String learnerId, LabTemplate template,
                      String postgresPassword, String podSecurityLevel, String serviceAccountNamespace, String serviceAccount) {

    public String namespace() {
        return LabNames.namespace(labId);
    }

    public Map<String, String> labels() {
        return LabNames.labLabels(labId, courseId, learnerId, template.id());
    }
}
