package dev.labprovisioner.cluster;

import dev.labprovisioner.template.LabTemplate;

import java.util.Map;
import java.util.UUID;

/** What the cluster objects of one lab are computed from: the lab record, its template and derived secrets. */
public record LabSpec(UUID labId, String courseId, String learnerId, LabTemplate template,
                      String postgresPassword, String podSecurityLevel) {

    public String namespace() {
        return LabNames.namespace(labId);
    }

    public Map<String, String> labels() {
        return LabNames.labLabels(labId, courseId, learnerId, template.id());
    }
}
