package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;

import java.util.Comparator;

/**
 * What a simulated kubelet (the imitation's simulator, the control plane's node agent) reports of a pod, as one string:
 * phase, conditions and container states. Equal signatures mean there is no status to write.
 */
public final class PodStatusSignature {

    private PodStatusSignature() {
    }

    public static String of(PodStatus s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(String.valueOf(s.getPhase()));
        if (s.getConditions() != null) {
            s.getConditions().stream().sorted(Comparator.comparing(PodCondition::getType))
                    .forEach(c -> b.append(' ').append(c.getType()).append('=').append(c.getStatus()).append('/').append(c.getReason()));
        }
        if (s.getContainerStatuses() != null) {
            for (ContainerStatus c : s.getContainerStatuses()) {
                b.append(' ').append(c.getName()).append(':').append(c.getReady()).append(':');
                if (c.getState() != null && c.getState().getWaiting() != null) {
                    b.append(c.getState().getWaiting().getReason());
                } else if (c.getState() != null && c.getState().getRunning() != null) {
                    b.append("running");
                }
            }
        }
        return b.toString();
    }
}
