package dev.labprovisioner.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Not ready until the informers have listed what exists: before that, readiness answers would be guesses. */
@Readiness
@ApplicationScoped
public class KubernetesReadiness implements HealthCheck {

    private final LabClusterWatch watch;

    KubernetesReadiness(LabClusterWatch watch) {
        this.watch = watch;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("kubernetes-informers").status(watch.synced()).build();
    }
}
