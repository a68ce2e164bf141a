package dev.labprovisioner.timeline;

import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.cluster.LabObservation;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Writes the timeline: the shared informers' pod, PVC and StatefulSet events in lab namespaces, in the order
 * they were seen. Informer threads only enqueue; one writer thread inserts in batches, so a thousand labs
 * starting cost a few statements, not a transaction per event. A check first waits for the writer to catch
 * up with everything seen so far ({@link #flush}).
 */
@ApplicationScoped
public class TimelineRecorder {

    private static final Logger LOG = Logger.getLogger(TimelineRecorder.class);
    private static final int BATCH = 500;
    private static final String INSERT = """
            INSERT INTO lab_timeline (lab_id, kind, name, uid, ordinal, event, at, fingerprint, replicas, policy, late)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""";
    /** A creation seen more than this after the object's creationTimestamp was not seen as it happened. */
    static final Duration LATE = Duration.ofSeconds(60);

    private record Seen(String namespace, TimelineEvent.Kind kind, String name, String uid, TimelineEvent.Type event,
                        Instant at, String fingerprint, Integer replicas, String policy, boolean late) {
    }

    private final LabClusterWatch watch;
    private final AgroalDataSource dataSource;
    private final LinkedBlockingQueue<Seen> queue = new LinkedBlockingQueue<>();
    private final AtomicLong enqueued = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Object progress = new Object();
    /** Namespace → lab id; empty for namespaces that are no lab's (looked up once). */
    private final Map<String, Optional<UUID>> labs = new ConcurrentHashMap<>();
    private final Map<String, List<PodWaiter>> podWaiters = new ConcurrentHashMap<>();
    private volatile Thread writer;

    private final Counter recorded;
    private final PodEvents pods = new PodEvents();

    TimelineRecorder(LabClusterWatch watch, AgroalDataSource dataSource, MeterRegistry metrics) {
        this.watch = watch;
        this.dataSource = dataSource;
        this.recorded = Counter.builder("labs.timeline.events").description("Timeline events written for lab namespaces").register(metrics);
    }

    void start(@Observes @Priority(20) StartupEvent ignored) {
        writer = new Thread(this::writeLoop, "lab-timeline-writer");
        writer.setDaemon(true);
        writer.start();
        watch.addTimelineHandlers(new StatefulSetEvents(), pods, new ClaimEvents());
    }

    /** A pod as an informer hands it over when it (re)lists: for tests that cannot make a cluster re-list. */
    void podListed(Pod pod) {
        pods.onAdd(pod);
    }

    void stop(@Observes ShutdownEvent ignored) {
        if (writer != null) {
            // What was seen before the shutdown is still written (a restart's re-list cannot tell its order).
            flush(Duration.ofSeconds(5));
            writer.interrupt();
        }
    }

    /** Waits until every event seen before this call is in the database (or the timeout passes). */
    public void flush(Duration timeout) {
        long target = enqueued.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (written.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warnf("Timeline writer is behind: %d of %d events written", written.get(), target);
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Completes when a pod of that name matching {@code condition} has been seen (checked against the cache at
     * once, then on each event for it, after the event is queued for the timeline, so a {@link #flush} after
     * completion covers it). Never completes by itself: callers put a timeout on it.
     */
    public CompletableFuture<Pod> whenPod(String namespace, String name, Predicate<Pod> condition) {
        var waiter = new PodWaiter(name, condition, new CompletableFuture<>());
        podWaiters.computeIfAbsent(namespace, k -> new CopyOnWriteArrayList<>()).add(waiter);
        waiter.result().whenComplete((p, e) -> podWaiters.computeIfPresent(namespace, (k, list) -> {
            list.remove(waiter);
            return list.isEmpty() ? null : list;
        }));
        watch.pod(namespace, name).ifPresent(waiter::offer);
        return waiter.result();
    }

    private record PodWaiter(String name, Predicate<Pod> condition, CompletableFuture<Pod> result) {
        void offer(Pod pod) {
            if (name.equals(pod.getMetadata().getName()) && condition.test(pod)) {
                result.complete(pod);
            }
        }
    }

    private void offerToWaiters(Pod pod) {
        var waiting = podWaiters.get(pod.getMetadata().getNamespace());
        if (waiting != null) {
            waiting.forEach(w -> w.offer(pod));
        }
    }

    private void record(HasMetadata obj, TimelineEvent.Kind kind, TimelineEvent.Type event, String fingerprint, Integer replicas, String policy) {
        String namespace = obj.getMetadata().getNamespace();
        if (namespace == null || !namespace.startsWith(LabNames.NAMESPACE_PREFIX)) {
            return;
        }
        Instant now = Instant.now();
        boolean late = event == TimelineEvent.Type.CREATED && createdBefore(obj, now.minus(LATE));
        enqueued.incrementAndGet();
        queue.add(new Seen(namespace, kind, obj.getMetadata().getName(), obj.getMetadata().getUid(), event, now,
                fingerprint, replicas, policy, late));
    }

    private void writeLoop() {
        var batch = new ArrayList<Seen>(BATCH);
        while (!Thread.currentThread().isInterrupted()) {
            try {
                batch.add(queue.take());
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // Not a database outage (those are retried): a bug; the batch cannot be written.
                LOG.errorf(e, "Could not record %d timeline events", batch.size());
            } finally {
                if (!batch.isEmpty()) {
                    written.addAndGet(batch.size());
                    batch.clear();
                    synchronized (progress) {
                        progress.notifyAll();
                    }
                }
            }
        }
    }

    /**
     * Writes one batch, retrying (with a growing pause) until the database takes it: a batch is never dropped,
     * because a check that reads a timeline with holes would judge an order it did not see.
     */
    private void write(List<Seen> batch) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection(); PreparedStatement insert = c.prepareStatement(INSERT)) {
                int rows = 0;
                for (Seen s : batch) {
                    Optional<UUID> lab = labOf(c, s.namespace());
                    if (lab.isEmpty()) {
                        continue;
                    }
                    insert.setObject(1, lab.get());
                    insert.setString(2, s.kind().name());
                    insert.setString(3, s.name());
                    insert.setString(4, s.uid());
                    setInt(insert, 5, ordinal(s.name()));
                    insert.setString(6, s.event().name());
                    insert.setTimestamp(7, Timestamp.from(s.at()));
                    insert.setString(8, s.fingerprint());
                    setInt(insert, 9, s.replicas());
                    insert.setString(10, s.policy());
                    insert.setBoolean(11, s.late());
                    insert.addBatch();
                    rows++;
                }
                if (rows > 0) {
                    insert.executeBatch();
                    recorded.increment(rows);
                }
                return;
            } catch (SQLException e) {
                if (attempt == 1) {
                    // Once per batch, not per attempt: an outage is logged by DatabaseAvailability.
                    LOG.warnf("Timeline write of %d events failed, retrying until the database takes it: %s", batch.size(), e.getMessage());
                }
                // At most a second behind the database's return: checks wait for these events (flush).
                Thread.sleep(Math.min(1_000L, 100L * attempt));
            }
        }
    }

    private Optional<UUID> labOf(Connection c, String namespace) throws SQLException {
        Optional<UUID> known = labs.get(namespace);
        if (known != null) {
            return known;
        }
        try (var q = c.prepareStatement("SELECT id FROM labs WHERE namespace = ?")) {
            q.setString(1, namespace);
            try (var rs = q.executeQuery()) {
                // A lab's row is written before its namespace exists, so "no row" is final.
                Optional<UUID> lab = rs.next() ? Optional.of(rs.getObject(1, UUID.class)) : Optional.empty();
                labs.put(namespace, lab);
                return lab;
            }
        }
    }

    private static boolean createdBefore(HasMetadata obj, Instant limit) {
        String created = obj.getMetadata().getCreationTimestamp();
        try {
            return created != null && Instant.parse(created).isBefore(limit);
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    private static void setInt(PreparedStatement st, int index, Integer value) throws SQLException {
        if (value == null) {
            st.setNull(index, Types.INTEGER);
        } else {
            st.setInt(index, value);
        }
    }

    /** The ordinal a StatefulSet gives its pods and claims: the name's last dash-separated number. */
    static Integer ordinal(String name) {
        int dash = name.lastIndexOf('-');
        if (dash < 0 || dash == name.length() - 1) {
            return null;
        }
        String tail = name.substring(dash + 1);
        return tail.length() <= 6 && tail.chars().allMatch(Character::isDigit) ? Integer.valueOf(tail) : null;
    }

    /** A digest of what a rolling update changes: the containers (image, command, args, env, resources). */
    public static String fingerprint(List<Container> containers) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            for (Container c : containers) {
                String text = String.join("\u0000", Objects.toString(c.getName()), Objects.toString(c.getImage()),
                        Objects.toString(c.getCommand()), Objects.toString(c.getArgs()), Objects.toString(c.getEnv()),
                        Objects.toString(c.getResources()));
                digest.update(text.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String fingerprint(Pod pod) {
        return pod.getSpec() == null ? null : fingerprint(pod.getSpec().getContainers());
    }

    private static String fingerprint(StatefulSet sts) {
        return sts.getSpec() == null || sts.getSpec().getTemplate() == null || sts.getSpec().getTemplate().getSpec() == null
                ? null : fingerprint(sts.getSpec().getTemplate().getSpec().getContainers());
    }

    private final class PodEvents implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            if (pod.getMetadata().getDeletionTimestamp() == null) {
                record(pod, TimelineEvent.Kind.POD, TimelineEvent.Type.CREATED, fingerprint(pod), null, null);
            }
            if (LabObservation.ready(pod)) {
                record(pod, TimelineEvent.Kind.POD, TimelineEvent.Type.READY, fingerprint(pod), null, null);
            }
            offerToWaiters(pod);
        }

        @Override
        public void onUpdate(Pod before, Pod pod) {
            boolean wasReady = LabObservation.ready(before);
            boolean ready = LabObservation.ready(pod);
            if (before.getMetadata().getDeletionTimestamp() == null && pod.getMetadata().getDeletionTimestamp() != null) {
                record(pod, TimelineEvent.Kind.POD, TimelineEvent.Type.TERMINATING, fingerprint(pod), null, null);
            }
            if (ready && !wasReady) {
                record(pod, TimelineEvent.Kind.POD, TimelineEvent.Type.READY, fingerprint(pod), null, null);
            } else if (wasReady && !ready) {
                record(pod, TimelineEvent.Kind.POD, TimelineEvent.Type.UNREADY, fingerprint(pod), null, null);
            }
            offerToWaiters(pod);
        }

        @Override
        public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
            record(pod, TimelineEvent.Kind.POD, TimelineEvent.Type.DELETED, fingerprint(pod), null, null);
        }
    }

    private final class ClaimEvents implements ResourceEventHandler<PersistentVolumeClaim> {
        @Override
        public void onAdd(PersistentVolumeClaim pvc) {
            record(pvc, TimelineEvent.Kind.CLAIM, TimelineEvent.Type.CREATED, null, null, null);
            if (bound(pvc)) {
                record(pvc, TimelineEvent.Kind.CLAIM, TimelineEvent.Type.READY, null, null, null);
            }
        }

        @Override
        public void onUpdate(PersistentVolumeClaim before, PersistentVolumeClaim pvc) {
            if (bound(pvc) && !bound(before)) {
                record(pvc, TimelineEvent.Kind.CLAIM, TimelineEvent.Type.READY, null, null, null);
            }
        }

        @Override
        public void onDelete(PersistentVolumeClaim pvc, boolean deletedFinalStateUnknown) {
            record(pvc, TimelineEvent.Kind.CLAIM, TimelineEvent.Type.DELETED, null, null, null);
        }

        private static boolean bound(PersistentVolumeClaim pvc) {
            return pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase());
        }
    }

    private final class StatefulSetEvents implements ResourceEventHandler<StatefulSet> {
        @Override
        public void onAdd(StatefulSet sts) {
            record(sts, TimelineEvent.Kind.STATEFULSET, TimelineEvent.Type.CREATED, fingerprint(sts), sts.getSpec().getReplicas(),
                    sts.getSpec().getPodManagementPolicy());
        }

        @Override
        public void onUpdate(StatefulSet before, StatefulSet sts) {
            if (!Objects.equals(before.getSpec().getReplicas(), sts.getSpec().getReplicas())) {
                record(sts, TimelineEvent.Kind.STATEFULSET, TimelineEvent.Type.SCALED, fingerprint(sts), sts.getSpec().getReplicas(),
                        sts.getSpec().getPodManagementPolicy());
            }
            if (!Objects.equals(fingerprint(before), fingerprint(sts))) {
                record(sts, TimelineEvent.Kind.STATEFULSET, TimelineEvent.Type.UPDATED, fingerprint(sts), sts.getSpec().getReplicas(),
                        sts.getSpec().getPodManagementPolicy());
            }
        }

        @Override
        public void onDelete(StatefulSet sts, boolean deletedFinalStateUnknown) {
            record(sts, TimelineEvent.Kind.STATEFULSET, TimelineEvent.Type.DELETED, fingerprint(sts), sts.getSpec().getReplicas(),
                    sts.getSpec().getPodManagementPolicy());
        }
    }
}
