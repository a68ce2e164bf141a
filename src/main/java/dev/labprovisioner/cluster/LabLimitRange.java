package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeItemBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

import java.util.Map;

/** Defaults for containers a learner starts without requests or limits, so the quota can admit them. */
public final class LabLimitRange {

    private LabLimitRange() {
    }

    public static LimitRange desired(LabSpec lab) {
        return new LimitRangeBuilder()
                .withNewMetadata().withName(LabNames.LIMIT_RANGE).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withNewSpec()
                .withLimits(new LimitRangeItemBuilder()
                        .withType("Container")
                        .withDefaultRequest(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("128Mi")))
                        .withDefault(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("512Mi")))
                        .withMax(Map.of("cpu", new Quantity("2"), "memory", new Quantity("2Gi")))
                        .build())
                .endSpec()
                .build();
    }
}
