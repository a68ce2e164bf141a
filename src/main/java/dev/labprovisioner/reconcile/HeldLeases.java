package dev.labprovisioner.reconcile;

import dev.labprovisioner.config.LabsConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The lab leases this replica holds, renewed together by a heartbeat every {@code lease-renew} (one statement), so a
 * lease can be short and a dead replica's labs are taken over within seconds. Each lease's end, as this replica last
 * renewed it, is kept on the local monotonic clock: a pass goes on only while its lease has more than one renew
 * interval left, so a replica that cannot renew (database unreachable, lease lost) stops before the lease runs out
 * and before any other replica may take the lab.
 */
@ApplicationScoped
public class HeldLeases {

    private static final Logger LOG = Logger.getLogger(HeldLeases.class);

    private final LabLeases leases;
    /** This replica's stable name, and the lease owner: that name and this run's, so a restart can tell its own earlier leases. */
    private final String replica;
    private final String owner;
    private final Duration lease;
    private final Duration renewEvery;
    private final Map<UUID, Held> held = new ConcurrentHashMap<>();
    private volatile ScheduledExecutorService heartbeat;
    private volatile boolean renewFailing;

    /** When a claim was committed, and until when (local nanos) this replica surely holds the lease. */
    private static final class Held {
        final long claimedAt;
        volatile long until;
        volatile boolean lost;

        Held(long claimedAt, long until) {
            this.claimedAt = claimedAt;
            this.until = until;
        }
    }

    @Inject
    HeldLeases(LabsConfig config, LabLeases leases) {
        this(leases, replicaName(config.reconciler().replicaId()), config.reconciler().lease(),
                config.reconciler().leaseRenew().orElse(config.reconciler().lease().dividedBy(3)));
    }

    /** Another replica's view of the same table (tests run two side by side). */
    HeldLeases(LabLeases leases, String replica, Duration lease, Duration renewEvery) {
        if (renewEvery.isNegative() || renewEvery.isZero() || renewEvery.multipliedBy(2).compareTo(lease) >= 0) {
            throw new IllegalStateException("labs.reconciler.lease-renew (" + renewEvery + ") must be more than 0 and less than half of "
                    + "labs.reconciler.lease (" + lease + "), so that a lease is renewed well before it runs out. Refusing to start.");
        }
        this.leases = leases;
        this.replica = replica;
        this.owner = replica + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.lease = lease;
        this.renewEvery = renewEvery;
    }

    /** A restart (a crash, an OOM kill, a rollout on the same pod name): what this replica held before is free at once. */
    void onStart(@Observes StartupEvent ignored) {
        start();
    }

    void onStop(@Observes ShutdownEvent ignored) {
        stop();
    }

    void start() {
        int released = leases.releaseEarlierRuns(replica, owner);
        if (released > 0) {
            LOG.infof("Released %d lab lease(s) that replica %s held before it restarted", released, replica);
        }
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lab-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::renew, renewEvery.toNanos(), renewEvery.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops renewing, and releases nothing: what a process killed with SIGKILL leaves. */
    void stop() {
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
    }

    public String owner() {
        return owner;
    }

    /** This replica's stable name: {@link #owner()} is it, a slash and this run's id. */
    public String replica() {
        return replica;
    }

    /** Takes the lab's lease if nobody alive holds it. */
    public boolean claim(UUID id) {
        long sent = System.nanoTime();
        if (!leases.claim(id, owner, lease)) {
            return false;
        }
        held.put(id, new Held(System.nanoTime(), sent + lease.toNanos()));
        return true;
    }

    /** Whether this replica may still work on the lab: it holds the lease, with more than a renew interval left. */
    public boolean holds(UUID id) {
        Held h = held.get(id);
        return h != null && !h.lost && System.nanoTime() - (h.until - renewEvery.toNanos()) < 0;
    }

    public void release(UUID id) {
        held.remove(id);
        leases.release(id, owner);
    }

    /** The heartbeat: every lease held, renewed in one statement; one this replica no longer has is given up at once. */
    void renew() {
        List<UUID> ids = List.copyOf(held.keySet());
        if (ids.isEmpty()) {
            return;
        }
        long sent = System.nanoTime();
        List<UUID> renewed;
        try {
            renewed = leases.renew(ids, owner, lease);
        } catch (RuntimeException e) {
            // No renewal: each pass stops by itself when its lease gets short (holds()), the leases run out, others go on.
            if (!renewFailing) {
                renewFailing = true;
                LOG.warnf("Could not renew the %d lab lease(s) this replica holds (%s); it stops working on those labs before "
                        + "their leases run out", ids.size(), e.getClass().getSimpleName());
            }
            return;
        }
        if (renewFailing) {
            renewFailing = false;
            LOG.info("Lab leases are being renewed again");
        }
        var kept = new HashSet<>(renewed);
        held.forEach((id, h) -> {
            if (kept.contains(id)) {
                h.until = sent + lease.toNanos();
            } else if (h.claimedAt - sent < 0 && !h.lost) {
                // Claimed before this statement ran, yet not renewed: it ran out, or another replica has it now.
                h.lost = true;
                LOG.warnf("Lab %s: this replica lost its lease (it ran out before it could be renewed); it stops working on the lab", id);
            }
        });
    }

    private static String replicaName(java.util.Optional<String> configured) {
        String name = configured.filter(s -> !s.isBlank()).orElseGet(HeldLeases::hostName);
        return name.length() > 100 ? name.substring(0, 100) : name;
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "replica-" + UUID.randomUUID().toString().substring(0, 8);
        }
    }
}
