package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;

/** All objects of a lab, in the order they are applied: the namespace first, the workload last. */
public final class LabObjects {

    private LabObjects() {
    }

    public static List<HasMetadata> desired(LabSpec lab) {
        return List.of(
                LabNamespace.desired(lab),
                // first: what the service may do in the namespace comes from this binding
                ProvisionerRoleBinding.desired(lab),
                LabResourceQuota.desired(lab),
                LabLimitRange.desired(lab),
                LabNetworkPolicy.desired(lab),
                LearnerServiceAccount.desired(lab),
                LearnerRoleBinding.desired(lab),
                PostgresSecret.desired(lab),
                PostgresHeadlessService.desired(lab),
                PostgresStatefulSet.desired(lab));
    }
}
