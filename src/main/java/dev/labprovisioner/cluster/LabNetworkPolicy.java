package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;

/**
 * Default deny in and out, except between the pods of the namespace and to cluster DNS (the stable
 * names {@code postgres-0.postgres} must resolve).
 */
public final class LabNetworkPolicy {

    private LabNetworkPolicy() {
    }

    public static NetworkPolicy desired(LabSpec lab) {
        var samePods = new NetworkPolicyPeerBuilder().withNewPodSelector().endPodSelector().build();
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(LabNames.NETWORK_POLICY).withNamespace(lab.namespace()).addToLabels(lab.labels()).endMetadata()
                .withNewSpec()
                .withNewPodSelector().endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .addNewIngress().withFrom(samePods).endIngress()
                .addNewEgress().withTo(samePods).endEgress()
                .addNewEgress()
                .addNewTo().withNewNamespaceSelector().endNamespaceSelector().endTo()
                .withPorts(new NetworkPolicyPortBuilder().withProtocol("UDP").withPort(new IntOrString(53)).build(),
                        new NetworkPolicyPortBuilder().withProtocol("TCP").withPort(new IntOrString(53)).build())
                .endEgress()
                .endSpec()
                .build();
    }
}
