package dev.labprovisioner.reconcile;

import dev.labprovisioner.cluster.KubernetesCalls;
import dev.labprovisioner.cluster.LabCluster;
import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.cluster.LabNamespace;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.cluster.LabSpecs;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.database.DatabaseAvailability;
import dev.labprovisioner.database.DatabaseOutages;
import dev.labprovisioner.database.DatabaseRecovered;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabChanged;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.template.LabTemplate;
import dev.labprovisioner.template.LabTemplateCatalog;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the cluster match the labs table, level-triggered: for a lab it reads the row and what the
 * informers see, does the next step, and writes what it did. A pass is short (it never waits for the
 * cluster); watch events and {@code next_attempt_at} bring the lab back. Safe to run on many replicas
 * (row leases) and to restart at any point (every step is idempotent and its result is in the row).
 */
@ApplicationScoped
public class LabReconciler {

    private static final Logger LOG = Logger.getLogger(LabReconciler.class);

    private final LabsConfig.Reconciler settings;
    private final HeldLeases leases;
    /** Where the labs due for a pass are found (the leases' table). */
    private final LabLeases dueLabs;
    private final LabProgress progress;
    private final LabCluster cluster;
    private final LabClusterWatch watch;
    private final LabTemplateCatalog catalog;
    private final LabSpecs specs;
    private final MeterRegistry metrics;
    private final WaitingCallers callers;
    private final dev.labprovisioner.cluster.ClaimBinding claimBinding;
    private final ExecutorService workers;
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<UUID> again = ConcurrentHashMap.newKeySet();
    /** Labs whose lease this run could not give back because the database had gone away: given back when it returns. */
    private final Set<UUID> unreleased = ConcurrentHashMap.newKeySet();
    private final DatabaseAvailability database;
    private volatile boolean paused;
    private volatile boolean caughtUp;

    LabReconciler(LabsConfig config, HeldLeases leases, LabLeases dueLabs, LabProgress progress, LabCluster cluster, LabClusterWatch watch,
                  LabTemplateCatalog catalog, LabSpecs specs, MeterRegistry metrics, WaitingCallers callers,
                  dev.labprovisioner.cluster.ClaimBinding claimBinding, DatabaseAvailability database) {
        this.claimBinding = claimBinding;
        this.database = database;
        this.settings = config.reconciler();
        this.leases = leases;
        this.dueLabs = dueLabs;
        this.progress = progress;
        this.cluster = cluster;
        this.watch = watch;
        this.catalog = catalog;
        this.specs = specs;
        this.metrics = metrics;
        this.callers = callers;
        var n = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "lab-reconciler-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    void stop(@Observes ShutdownEvent ignored) {
        workers.shutdownNow();
    }

    /** After a commit that changed a lab, or a watch event about its objects: look at it now. */
    void onChanged(@Observes(during = TransactionPhase.AFTER_SUCCESS) LabChanged event) {
        wake(event.labId());
    }

    @Scheduled(every = "${labs.reconciler.interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        if (paused || !watch.synced() || !database.up()) {
            return;
        }
        try {
            if (!caughtUp) {
                // Just started: the informers' first list wakes no lab, and pods may have got Ready while no replica watched
                // (all were down, or this one restarted). Every lab in progress that nobody holds is looked at once, now.
                dueLabs.unheld().forEach(this::wake);
                caughtUp = true;
            }
            for (UUID id : dueLabs.due(settings.batchSize())) {
                wake(id);
            }
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                throw e;
            }
            // DatabaseAvailability says it once; the first tick after it is back finds every lab that is due.
        }
    }

    /**
     * The database is back: the leases that passes cut short by the outage could not give back are given back now (a
     * new lab is not held up by them until they run out), and those labs are looked at again.
     */
    void onDatabaseBack(@Observes DatabaseRecovered ignored) {
        for (UUID id : Set.copyOf(unreleased)) {
            try {
                leases.release(id);
                unreleased.remove(id);
                wake(id);
            } catch (RuntimeException e) {
                if (!DatabaseOutages.isOutage(e)) {
                    throw e;
                }
                return; // gone again: the next recovery tries again
            }
        }
    }

    /** Stops taking new work (tests use it to hold a lab mid-way, as a crashed replica would leave it). */
    public void pause(boolean pause) {
        this.paused = pause;
    }

    public void wake(UUID id) {
        if (paused) {
            return;
        }
        if (!inFlight.add(id)) {
            again.add(id);
            return;
        }
        try {
            workers.execute(() -> runLeased(id));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            inFlight.remove(id);
        }
    }

    private void runLeased(UUID id) {
        try {
            callers.giveWay(settings.giveWay());
            if (!paused && watch.synced() && leases.claim(id)) {
                try {
                    reconcile(id);
                } finally {
                    release(id);
                }
            }
        } catch (RuntimeException e) {
            if (DatabaseOutages.isOutage(e)) {
                // Not a bug, and logged once by DatabaseAvailability: the lab's row says what is left to do.
                LOG.debugf("Reconciling lab %s stopped: the database cannot be reached", id);
            } else {
                LOG.errorf(e, "Reconciling lab %s failed unexpectedly; it will be retried", id);
            }
        } catch (InterruptedException e) {
            // Shutting down: the lab's row says what is left, and the next start goes on from there.
            Thread.currentThread().interrupt();
        } finally {
            inFlight.remove(id);
            if (again.remove(id)) {
                wake(id);
            }
        }
    }

    private void release(UUID id) {
        try {
            leases.release(id);
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                throw e;
            }
            unreleased.add(id);
        }
    }

    void reconcile(UUID id) {
        Lab lab = progress.load(id);
        if (lab == null) {
            return;
        }
        switch (lab.state) {
            case REQUESTED -> {
                Instant now = Instant.now();
                if (progress.transition(lab, LabState.PROVISIONING, "provisioning namespace " + lab.namespace,
                        l -> l.provisioningStartedAt = now)) {
                    provision(progress.load(id));
                }
            }
            case PROVISIONING -> provision(lab);
            case TEARING_DOWN -> tearDown(lab);
            default -> {
                // READY, FAILED, DELETED: nothing to make; expiry and deletes move them on.
            }
        }
    }

    private void provision(Lab lab) {
        Instant now = Instant.now();
        LabObservation seen = watch.observe(lab.namespace);
        boolean lost = lab.objectsAppliedAt != null && !seen.statefulSetPresent()
                && lab.objectsAppliedAt.plus(settings.recheck().multipliedBy(3)).isBefore(now);
        if (lab.objectsAppliedAt == null || lost) {
            Optional<LabTemplate> template = catalog.find(lab.template);
            if (template.isEmpty()) {
                fail(lab, "Lab template '" + lab.template + "' is no longer in the catalog");
                return;
            }
            try {
                cluster.apply(specs.of(lab, template.get()), keepLease(lab.id));
            } catch (LeaseLost e) {
                LOG.warnf("Lab %s: lease lost while applying (a slow API?); another replica goes on from here", lab.id);
                return;
            } catch (KubernetesClientException e) {
                failOrRetry(lab, "applying the lab's objects", e);
                return;
            }
            if (!progress.update(lab, l -> {
                l.objectsAppliedAt = Instant.now();
                l.attempts = 0;
                l.nextAttemptAt = Instant.now().plus(settings.recheck());
            })) {
                return;
            }
            lab = progress.load(lab.id);
            seen = watch.observe(lab.namespace);
        }
        if (seen.ready()) {
            Instant readyAt = Instant.now();
            Instant started = lab.provisioningStartedAt == null ? lab.createdAt : lab.provisioningStartedAt;
            if (progress.transition(lab, LabState.READY, "StatefulSet postgres ready (" + seen.readyReplicas() + "/"
                    + seen.desiredReplicas() + " replicas)", l -> {
                l.readyAt = readyAt;
                l.failureReason = null;
            })) {
                Timer.builder("labs.time.to.ready").publishPercentileHistogram().register(metrics)
                        .record(Duration.between(started, readyAt));
            }
        } else if (seen.failure().isPresent()) {
            fail(lab, seen.failure().get());
        } else {
            Optional<String> unbound = unbound(lab);
            if (unbound.isPresent()) {
                fail(lab, unbound.get());
            } else if (lab.provisioningStartedAt != null && lab.provisioningStartedAt.plus(settings.provisionTimeout()).isBefore(now)) {
                fail(lab, "Not ready after " + settings.provisionTimeout().toMinutes() + " minutes: " + seen.readyReplicas()
                        + " of " + Math.max(1, seen.desiredReplicas()) + " replicas Ready");
            } else {
                progress.update(lab, l -> l.nextAttemptAt = Instant.now().plus(settings.recheck()));
            }
        }
    }

    /** A volume claim of the lab Pending past the claim-bind timeout, and why (from the informers; Events only then). */
    private Optional<String> unbound(Lab lab) {
        return claimBinding.unboundTooLong(lab.namespace, settings.claimBindTimeout());
    }

    private void tearDown(Lab lab) {
        try {
            Optional<Namespace> ns = cluster.namespace(lab.namespace);
            if (ns.isPresent() && ns.get().getMetadata().getDeletionTimestamp() == null) {
                cluster.deleteNamespace(lab.namespace);
                ns = cluster.namespace(lab.namespace);
            }
            if (ns.isPresent()) {
                // Kubernetes is deleting what is inside; the namespace's watch event or the recheck brings us back. What
                // holds it up (a finalizer nobody removes, pods that do not terminate) is the lab's to show, and logged once.
                Optional<String> blockers = LabNamespace.deletionBlockers(ns.get()).map(b -> "Teardown is waiting for Kubernetes: " + b);
                if (blockers.isPresent() && !blockers.get().equals(lab.failureReason)) {
                    LOG.warnf("Lab %s: namespace %s is not gone yet. %s", lab.id, lab.namespace, blockers.get());
                }
                progress.update(lab, l -> {
                    l.nextAttemptAt = Instant.now().plus(Duration.ofSeconds(2));
                    blockers.ifPresent(b -> l.failureReason = b);
                });
                return;
            }
            Instant now = Instant.now();
            progress.transition(lab, LabState.DELETED, "namespace " + lab.namespace + " is gone", l -> {
                l.deletedAt = now;
                l.failureReason = null;
            });
        } catch (KubernetesClientException e) {
            // Teardown never gives up: the lab stays TEARING_DOWN, says why, and is retried with the longest backoff.
            int attempts = lab.attempts + 1;
            progress.update(lab, l -> {
                l.attempts = attempts;
                l.failureReason = "Teardown is being retried: " + describe(e);
                l.nextAttemptAt = Instant.now().plus(backoff(attempts));
            });
            LOG.warnf("Teardown of lab %s failed (attempt %d): %s", lab.id, attempts, describe(e));
        }
    }

    /**
     * Retries inside a pass can outlast the lease (the heartbeat renews it meanwhile): before each request to the API
     * server, the pass stops if this replica no longer holds the lab's lease safely (see {@link HeldLeases#holds}).
     */
    private Runnable keepLease(UUID id) {
        return () -> {
            if (!leases.holds(id)) {
                throw new LeaseLost();
            }
        };
    }

    private static final class LeaseLost extends RuntimeException {
        LeaseLost() {
            super(null, null, false, false);
        }
    }

    private void failOrRetry(Lab lab, String doing, KubernetesClientException e) {
        int attempts = lab.attempts + 1;
        if (KubernetesCalls.isRetryable(e) && attempts < settings.maxAttempts()) {
            LOG.infof("Lab %s: %s failed (attempt %d of %d): %s; retrying", lab.id, doing, attempts, settings.maxAttempts(), describe(e));
            progress.update(lab, l -> {
                l.attempts = attempts;
                l.nextAttemptAt = Instant.now().plus(backoff(attempts));
            });
        } else {
            fail(lab, "Kubernetes API error while " + doing + (KubernetesCalls.isRetryable(e) ? " (gave up after " + attempts + " attempts)" : "")
                    + ": " + describe(e));
        }
    }

    private void fail(Lab lab, String reason) {
        metrics.counter("labs.provisioning.failures").increment();
        progress.transition(lab, LabState.FAILED, reason, l -> l.failureReason = reason);
    }

    private Duration backoff(int attempts) {
        long base = settings.backoffBase().toMillis() << Math.min(attempts - 1, 16);
        long capped = Math.min(base, settings.backoffMax().toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private static String describe(KubernetesClientException e) {
        String message = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
        return (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + message;
    }
}
