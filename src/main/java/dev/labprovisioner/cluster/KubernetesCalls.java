package dev.labprovisioner.cluster;

import dev.labprovisioner.config.LabsConfig;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The one retry policy for Kubernetes API calls: 409, 429, 5xx, timeouts and I/O errors are retried with
 * exponential backoff and jitter; anything else (400, 403, 404, 422) is the caller's to handle. The fabric8
 * client's own retries are off ({@code request-retry-backoff-limit=0}) so that this is the only one.
 */
@ApplicationScoped
public class KubernetesCalls {

    private static final Logger LOG = Logger.getLogger(KubernetesCalls.class);
    private final LabsConfig.Reconciler settings;
    private final MeterRegistry metrics;

    KubernetesCalls(LabsConfig config, MeterRegistry metrics) {
        this.settings = config.reconciler();
        this.metrics = metrics;
    }

    public <T> T call(String what, Supplier<T> call) {
        return call(what, call, false);
    }

    /**
     * Like {@link #call}, and a 403 is retried too: for the first writes in a namespace whose RoleBinding was just
     * created. The API server's RBAC authorizer reads bindings from a cache that catches up a moment later (seen on
     * kube-apiserver 1.20: a 403 on the ResourceQuota written right after the binding).
     */
    public void runWhileGrantPropagates(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        }, true);
    }

    private <T> T call(String what, Supplier<T> call, boolean forbiddenIsTransient) {
        int attempts = settings.callAttempts();
        long backoffNanos = settings.callBackoff().toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (KubernetesClientException e) {
                if (!(isRetryable(e) || forbiddenIsTransient && e.getCode() == 403) || attempt >= attempts) {
                    throw e;
                }
                metrics.counter("labs.kubernetes.retries", "code", Integer.toString(e.getCode())).increment();
                LOG.debugf("%s failed (attempt %d of %d, code %d): %s; retrying", what, attempt, attempts, e.getCode(), e.getMessage());
                long jittered = backoffNanos / 2 + ThreadLocalRandom.current().nextLong(backoffNanos / 2 + 1);
                LockSupport.parkNanos(jittered);
                if (Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                backoffNanos = Math.min(backoffNanos * 2, TimeUnit.SECONDS.toNanos(5));
            }
        }
    }

    public void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    public static boolean isRetryable(KubernetesClientException e) {
        int code = e.getCode();
        if (code == 409 || code == 429 || code >= 500) {
            return true;
        }
        if (e instanceof KubernetesClientTimeoutException) {
            return true;
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException || t instanceof InterruptedIOException) {
                return true;
            }
        }
        return code <= 0;
    }
}
