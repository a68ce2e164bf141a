package dev.labprovisioner.cluster;

import dev.labprovisioner.config.LabsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.time.Duration;

/**
 * Ready once the informers have listed what exists (before that, answers would be guesses), and while their watches
 * are open: when the API server cannot be reached for longer than {@code labs.cluster.unreachable-after}, the replica
 * says it is not ready, so that a load balancer and an operator see it. A watch that the API server closes and the
 * informer re-opens in a moment (as API servers do every few minutes) does not count. The body says which, and nothing
 * of the error (it is unauthenticated).
 */
@Readiness
@ApplicationScoped
public class KubernetesReadiness implements HealthCheck {

    private final LabClusterWatch watch;
    private final Duration grace;
    /** When the watches were first seen closed, in nanoTime; 0 while they are open. */
    private volatile long closedSince;

    KubernetesReadiness(LabClusterWatch watch, LabsConfig config) {
        this.watch = watch;
        this.grace = config.cluster().unreachableAfter();
    }

    @Override
    public HealthCheckResponse call() {
        if (!watch.synced()) {
            return HealthCheckResponse.named("kubernetes").down().withData("informers", "syncing").build();
        }
        long now = System.nanoTime();
        if (watch.watching()) {
            closedSince = 0;
        } else if (closedSince == 0) {
            closedSince = now;
        }
        boolean reachable = closedSince == 0 || now - closedSince < grace.toNanos();
        return HealthCheckResponse.named("kubernetes").status(reachable).withData("informers", "synced")
                .withData("api", reachable ? "watching" : "unreachable").build();
    }
}
