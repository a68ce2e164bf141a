package dev.labprovisioner.outbox;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.database.DatabaseAvailability;
import dev.labprovisioner.database.DatabaseOutages;
import dev.labprovisioner.reconcile.HeldLeases;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Sends what the outbox holds: every poll interval, and at once after a commit that appended to it, it leases the
 * due deliveries (one replica each), hands each to its channel for one attempt, and records the outcome: delivered,
 * retried on the schedule (with jitter, or when the destination asked), or given up.
 */
@ApplicationScoped
public class OutboxWorker {

    private static final Logger LOG = Logger.getLogger(OutboxWorker.class);

    private final OutboxDeliveries deliveries;
    private final Map<String, OutboxChannel> channels;
    private final LabsConfig.Outbox settings;
    private final HeldLeases replica;
    private final DatabaseAvailability database;
    private final MeterRegistry metrics;
    private final ExecutorService senders;
    private final ExecutorService poller;
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    OutboxWorker(OutboxDeliveries deliveries, Instance<OutboxChannel> channels, LabsConfig config, HeldLeases replica,
                 DatabaseAvailability database, MeterRegistry metrics) {
        this.deliveries = deliveries;
        this.channels = channels.stream().collect(Collectors.toMap(OutboxChannel::name, Function.identity()));
        this.settings = config.outbox();
        this.replica = replica;
        this.database = database;
        this.metrics = metrics;
        var n = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(settings.senders(), r -> daemon(r, "outbox-sender-" + n.incrementAndGet()));
        this.poller = Executors.newSingleThreadExecutor(r -> daemon(r, "outbox-poller"));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    void start(@Observes StartupEvent ignored) {
        Gauge.builder("labs.outbox.oldest.pending.age", this, OutboxWorker::oldestPendingAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest event not yet delivered (since it was written or redelivered); 0 when none waits")
                .strongReference(true).register(metrics);
        releaseEarlierRuns();
    }

    /** At each scrape, one indexed query; unknown (NaN) while the database cannot be reached. */
    private double oldestPendingAgeSeconds() {
        if (!database.up()) {
            return Double.NaN;
        }
        try {
            return deliveries.oldestPendingAgeSeconds();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * What a restart does first (a crash, an OOM kill, a rollout on the same pod name): the deliveries this replica's
     * earlier run was sending are sent again now, rather than when their leases ({@code labs.outbox.lease}) run out.
     */
    public void releaseEarlierRuns() {
        try {
            int released = deliveries.releaseEarlierRuns(replica.replica(), replica.owner());
            if (released > 0) {
                LOG.infof("Released %d outbox delivery lease(s) that replica %s held before it restarted", released, replica.replica());
                wake();
            }
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                throw e;
            }
            LOG.debugf("The database is away at start; earlier outbox leases are freed when they run out");
        }
    }

    void stop(@Observes ShutdownEvent ignored) {
        poller.shutdownNow();
        senders.shutdownNow();
    }

    void onWritten(@Observes(during = TransactionPhase.AFTER_SUCCESS) OutboxWritten ignored) {
        wake();
    }

    @Scheduled(every = "${labs.outbox.poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        poll();
    }

    /** Looks for due deliveries soon, on the poller's thread (never the committing caller's). */
    public void wake() {
        try {
            poller.execute(this::poll);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    private void poll() {
        if (!database.up()) {
            return;
        }
        again.set(true);
        if (!polling.compareAndSet(false, true)) {
            return; // the running poll goes round once more
        }
        try {
            while (again.getAndSet(false)) {
                int free = settings.senders() - inFlight.size();
                if (free <= 0) {
                    return; // a sender that finishes polls again
                }
                for (long id : deliveries.claim(replica.owner(), settings.lease(), free)) {
                    inFlight.add(id);
                    senders.execute(() -> deliver(id));
                }
            }
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                LOG.errorf(e, "Looking for due outbox deliveries failed; the next poll tries again");
            }
        } finally {
            polling.set(false);
            if (again.get()) {
                wake(); // asked for while this poll was finishing
            }
        }
    }

    private void deliver(long id) {
        try {
            var delivery = deliveries.load(id);
            if (delivery.isPresent()) {
                OutboxChannel channel = channels.get(delivery.get().channel());
                Outcome outcome = channel == null ? Outcome.dropped("no channel '" + delivery.get().channel() + "' in this version")
                        : channel.send(delivery.get());
                record(delivery.get(), channel, outcome);
            }
        } catch (RuntimeException e) {
            // The lease runs out and the delivery is tried again (at least once, never lost).
            if (DatabaseOutages.isOutage(e)) {
                LOG.debugf("Outbox delivery %d: the database went away; it is retried when its lease runs out", id);
            } else {
                LOG.errorf(e, "Outbox delivery %d failed unexpectedly; it is retried when its lease runs out", id);
            }
        } finally {
            inFlight.remove(id);
            wake(); // the next event of the same lab may be due now
        }
    }

    private void record(OutboxDelivery delivery, OutboxChannel channel, Outcome outcome) {
        String owner = replica.owner();
        metrics.counter("labs.outbox.attempts", "channel", delivery.channel(), "outcome", outcome.kind().name()).increment();
        QuarkusTransaction.requiringNew().run(() -> {
            switch (outcome.kind()) {
                case DELIVERED -> deliveries.attempted(delivery.id(), owner, outcome, "DELIVERED", null, null);
                case DROPPED -> deliveries.dropped(delivery.id(), owner, outcome.error());
                case GONE -> {
                    String reason = "The destination answered " + outcome.status() + " Gone: it is disabled";
                    deliveries.attempted(delivery.id(), owner, outcome, "FAILED", null, reason);
                    channel.destinationGone(delivery.destination(), reason);
                    deliveries.failPending(delivery.channel(), delivery.destination(), reason);
                }
                case REFUSED -> deliveries.attempted(delivery.id(), owner, outcome, "FAILED", null,
                        outcome.error() != null ? outcome.error() : "The destination refused it with " + outcome.status());
                case RETRY -> {
                    int attempts = delivery.attempts() + 1;
                    List<Duration> schedule = settings.retrySchedule();
                    String error = outcome.error() != null ? outcome.error() : "The destination answered " + outcome.status();
                    if (attempts > schedule.size()) {
                        deliveries.attempted(delivery.id(), owner, outcome, "FAILED", null,
                                "Gave up after " + attempts + " attempts: " + error);
                    } else {
                        deliveries.attempted(delivery.id(), owner, outcome, "PENDING", Instant.now().plus(wait(schedule, attempts, outcome)), error);
                    }
                }
            }
        });
    }

    /** A destination's Retry-After is honoured up to this; a longer one would park its lab's later events for too long. */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofDays(1);

    /** The schedule's wait after this many attempts, +/-20%; or the destination's Retry-After (up to a day). */
    static Duration wait(List<Duration> schedule, int attempts, Outcome outcome) {
        if (outcome.retryAfter().isPresent()) {
            Duration asked = outcome.retryAfter().get();
            return asked.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : asked;
        }
        long millis = schedule.get(attempts - 1).toMillis();
        return Duration.ofMillis(Math.round(millis * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble())));
    }
}
