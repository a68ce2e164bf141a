package dev.labprovisioner.cluster;

import dev.labprovisioner.config.LabsConfig;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.locks.LockSupport;

/**
 * Proves that the cluster enforces Pod Security in lab namespaces, rather than trusting their
 * {@code pod-security.kubernetes.io/enforce} labels: a learner can write any StatefulSet, and on a cluster without
 * Pod Security admission (before 1.22, or with it disabled) a privileged, hostPID, hostPath {@code /} pod runs. At start
 * and every {@code labs.cluster.pod-security-recheck}, it makes a namespace labelled as a lab's (and a lab's RoleBinding
 * for the service in it), asks for such a pod in a server-side dry run (nothing is created), and deletes the namespace.
 * Refused with "violates PodSecurity": enforced. Accepted: not enforced, and with {@code labs.cluster.pod-security-check}
 * {@code require} (the default) the service refuses to start and is not ready; {@code warn} (the sandbox) says so loudly.
 */
@Readiness
@ApplicationScoped
public class PodSecurityProbe implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(PodSecurityProbe.class);
    /** Marks a probe's namespace, which the sweeper leaves alone while the probe may still be using it. */
    public static final String PROBE_LABEL = "lab-provisioner.dev/probe";

    public enum Outcome { ENFORCED, NOT_ENFORCED, UNKNOWN }

    private final KubernetesClient client;
    private final LabsConfig config;
    private volatile Outcome last = Outcome.UNKNOWN;

    PodSecurityProbe(KubernetesClient client, LabsConfig config) {
        this.client = client;
        this.config = config;
    }

    void atStart(@Observes @Priority(15) StartupEvent ignored) {
        if (mode() == Mode.OFF) {
            LOG.warn("Pod Security enforcement is not checked (labs.cluster.pod-security-check=off)");
            return;
        }
        check();
        if (last != Outcome.ENFORCED && mode() == Mode.REQUIRE) {
            throw new IllegalStateException("This cluster does not prove that it enforces Pod Security in lab namespaces ("
                    + describe() + "): a learner could run a privileged pod. Enable Pod Security admission (Kubernetes 1.23+), or "
                    + "set labs.cluster.pod-security-check=warn (LABS_CLUSTER_POD_SECURITY_CHECK) to accept the risk. Refusing to start.");
        }
    }

    @Scheduled(every = "${labs.cluster.pod-security-recheck:10m}", delayed = "${labs.cluster.pod-security-recheck:10m}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void recheck() {
        if (mode() != Mode.OFF) {
            check();
        }
    }

    /**
     * Probes now, logs what it found when that changed, and returns what is known. A probe that could not run (the API
     * server busy for a moment) keeps the last answer: a replica that proved enforcement does not become unready for
     * ten minutes over one failed recheck.
     */
    public synchronized Outcome check() {
        Outcome before = last;
        Outcome found = probe();
        if (found == Outcome.UNKNOWN && before != Outcome.UNKNOWN) {
            LOG.warnf("Pod Security enforcement could not be rechecked just now; keeping the last answer (%s)", before);
            return before;
        }
        last = found;
        if (last != before) {
            switch (last) {
                case ENFORCED -> LOG.infof("Pod Security is enforced in lab namespaces (a privileged pod was refused in a dry run)");
                case NOT_ENFORCED -> LOG.warnf("Pod Security is NOT enforced in lab namespaces: a privileged, hostPID, hostPath / pod "
                        + "was accepted in a server-side dry run, so a learner could run one (%s)", mode() == Mode.REQUIRE
                        ? "not ready until it is" : "accepted by labs.cluster.pod-security-check=warn");
                case UNKNOWN -> LOG.warnf("Pod Security enforcement could not be checked just now; will try again");
            }
        }
        return last;
    }

    @Override
    public HealthCheckResponse call() {
        boolean up = mode() != Mode.REQUIRE || last == Outcome.ENFORCED;
        return HealthCheckResponse.named("pod-security").status(up).build();
    }

    private String describe() {
        return switch (last) {
            case ENFORCED -> "enforced";
            case NOT_ENFORCED -> "a privileged pod was accepted in a server-side dry run";
            case UNKNOWN -> "the check could not run";
        };
    }

    private Outcome probe() {
        String namespace = LabNames.NAMESPACE_PREFIX + "probe-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        var cluster = config.cluster();
        // Labelled as ours (so the admission policy of k8s/admission lets the service write there, and the sweeper
        // removes it should the service die before it does), and as a probe.
        var labels = java.util.Map.of(LabNames.MANAGED_BY_LABEL, LabNames.MANAGED_BY, PROBE_LABEL, "pod-security");
        try {
            client.resource(LabNamespace.of(namespace, labels, cluster.podSecurityLevel())).create();
            client.resource(ProvisionerRoleBinding.of(namespace, labels, cluster.serviceAccountNamespace(), cluster.serviceAccount())).create();
            return dryRunPrivilegedPod(namespace);
        } catch (KubernetesClientException e) {
            LOG.debugf("Pod Security probe failed: %d %s", e.getCode(), e.getMessage());
            return Outcome.UNKNOWN;
        } finally {
            try {
                client.namespaces().withName(namespace).delete();
            } catch (KubernetesClientException e) {
                LOG.debugf("Pod Security probe namespace %s not deleted: %s (the sweeper will)", namespace, e.getMessage());
            }
        }
    }

    private Outcome dryRunPrivilegedPod(String namespace) {
        Pod pod = new PodBuilder().withNewMetadata().withName("pod-security-probe").withNamespace(namespace).endMetadata()
                .withNewSpec().withHostPID(true)
                .addNewContainer().withName("probe").withImage("busybox").withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .addNewVolumeMount().withName("host").withMountPath("/host").endVolumeMount().endContainer()
                .addNewVolume().withName("host").withNewHostPath().withPath("/").endHostPath().endVolume()
                .endSpec().build();
        for (int attempt = 1; ; attempt++) {
            try {
                client.pods().inNamespace(namespace).resource(pod).dryRun().create();
                return Outcome.NOT_ENFORCED;
            } catch (KubernetesClientException e) {
                String message = e.getMessage() == null ? "" : e.getMessage();
                if (e.getCode() == 403 && message.contains("violates PodSecurity")) {
                    return Outcome.ENFORCED;
                }
                // Forbidden by RBAC: the RoleBinding just written is not in the API server's cache yet.
                if (e.getCode() == 403 && attempt < 10) {
                    LockSupport.parkNanos(java.time.Duration.ofMillis(100L * attempt).toNanos());
                    continue;
                }
                throw e;
            }
        }
    }

    private enum Mode { REQUIRE, WARN, OFF }

    private Mode mode() {
        return switch (config.cluster().podSecurityCheck().toLowerCase(java.util.Locale.ROOT)) {
            case "warn" -> Mode.WARN;
            case "off" -> Mode.OFF;
            default -> Mode.REQUIRE;
        };
    }
}
