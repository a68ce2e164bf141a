package dev.labprovisioner.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The delivery rows: row leases for sending ({@code FOR UPDATE SKIP LOCKED}, the database's clock, like the labs'
 * leases), the outcome of each attempt, and what a destination's owner may see and ask for again.
 */
@ApplicationScoped
public class OutboxDeliveries {

    private final EntityManager em;
    private final jakarta.enterprise.event.Event<OutboxWritten> written;

    OutboxDeliveries(EntityManager em, jakarta.enterprise.event.Event<OutboxWritten> written) {
        this.em = em;
        this.written = written;
    }

    /** A delivery as its destination's owner sees it, with every attempt. */
    public record Delivery(long id, String messageId, String type, String state, Instant createdAt, Instant nextAttemptAt,
                           Instant deliveredAt, String lastError, List<Attempt> attempts) {
    }

    public record Attempt(Instant at, Integer status, int latencyMillis, String response, String error) {
    }

    public record Page(List<Delivery> items, long total) {
    }

    /** A delivery of a channel with where it goes and what it carries (the event's ordering key and body). */
    public record Sent(Delivery delivery, String destination, String orderingKey, String body) {
    }

    public record ChannelPage(List<Sent> items, long total) {
    }

    /**
     * Leases up to {@code limit} due deliveries that nobody holds, each the earliest PENDING one of its ordering key (so a
     * lab's later event waits while an earlier one is retried), and returns their ids.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    @SuppressWarnings("unchecked")
    public List<Long> claim(String owner, Duration lease, int limit) {
        List<Number> ids = em.createNativeQuery("""
                        UPDATE outbox_deliveries SET lease_owner = :owner, lease_until = clock_timestamp() + :millis * interval '1 millisecond'
                        WHERE id IN (SELECT d.id FROM outbox_deliveries d
                                     WHERE d.state = 'PENDING' AND d.next_attempt_at <= now()
                                       AND (d.lease_until IS NULL OR d.lease_until < now())
                                       AND NOT EXISTS (SELECT 1 FROM outbox_deliveries e
                                                       WHERE e.ordering_key = d.ordering_key AND e.state = 'PENDING' AND e.id < d.id)
                                     ORDER BY d.next_attempt_at, d.id LIMIT :limit
                                     FOR UPDATE SKIP LOCKED)
                        RETURNING id""")
                .setParameter("owner", owner).setParameter("millis", lease.toMillis()).setParameter("limit", limit)
                .getResultList();
        return ids.stream().map(Number::longValue).toList();
    }

    /**
     * Frees the delivery leases an earlier run of this replica ({@code replica/...}) held, whenever they would run out:
     * that run died mid-send, and nobody else will send them before their leases end.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int releaseEarlierRuns(String replica, String currentOwner) {
        String prefix = replica + "/";
        return em.createNativeQuery("""
                        UPDATE outbox_deliveries SET lease_owner = NULL, lease_until = NULL
                        WHERE state = 'PENDING' AND lease_owner IS NOT NULL
                          AND left(lease_owner, length(:prefix)) = :prefix AND lease_owner <> :owner""")
                .setParameter("prefix", prefix).setParameter("owner", currentOwner).executeUpdate();
    }

    /**
     * Deletes at most {@code limit} deliveries DELIVERED before {@code before}, with their attempts. A delivery requeued
     * meanwhile (a redeliver) is PENDING again when the delete re-reads it, and stays. Returns how many went.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int pruneDelivered(Instant before, int limit) {
        return em.createNativeQuery("""
                        DELETE FROM outbox_deliveries WHERE id IN (
                            SELECT id FROM outbox_deliveries WHERE state = 'DELIVERED' AND delivered_at < :before LIMIT :limit)
                          AND state = 'DELIVERED'""")
                .setParameter("before", Timestamp.from(before)).setParameter("limit", limit).executeUpdate();
    }

    /**
     * Deletes at most {@code limit} events written before {@code before} that no delivery refers to any more (all pruned,
     * or their destination deleted). An event is written with its deliveries in one transaction, so none is caught
     * between the two. Returns how many went.
     */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public int pruneOrphanEvents(Instant before, int limit) {
        return em.createNativeQuery("""
                        DELETE FROM outbox_events WHERE id IN (
                            SELECT e.id FROM outbox_events e WHERE e.created_at < :before
                              AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.event_id = e.id) LIMIT :limit)""")
                .setParameter("before", Timestamp.from(before)).setParameter("limit", limit).executeUpdate();
    }

    /** Seconds since the oldest PENDING delivery was queued; 0 when none is. */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public double oldestPendingAgeSeconds() {
        Number age = (Number) em.createNativeQuery("""
                        SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(queued_at)), 0) FROM outbox_deliveries WHERE state = 'PENDING'""")
                .getSingleResult();
        return Math.max(0, age.doubleValue());
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public Optional<OutboxDelivery> load(long id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT d.channel, d.destination, e.message_id, e.type, e.body, d.attempts
                        FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE d.id = :id""")
                .setParameter("id", id).getResultList();
        return rows.stream().findFirst().map(r -> new OutboxDelivery(id, (String) r[0], (String) r[1], (String) r[2], (String) r[3],
                (String) r[4], ((Number) r[5]).intValue()));
    }

    /**
     * Records one attempt, and the delivery's new state if this owner still holds its lease (a replica that lost it
     * records the attempt it made, and leaves the rest to the holder). Returns whether the state was written.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean attempted(long id, String owner, Outcome outcome, String state, Instant nextAttemptAt, String lastError) {
        em.createNativeQuery("""
                        INSERT INTO outbox_attempts (delivery_id, at, status, latency_ms, response, error)
                        VALUES (:id, clock_timestamp(), :status, :latency, :response, :error)""")
                .setParameter("id", id).setParameter("status", outcome.status())
                .setParameter("latency", (int) Math.min(Integer.MAX_VALUE, outcome.latencyMillis()))
                .setParameter("response", outcome.response()).setParameter("error", outcome.error()).executeUpdate();
        return update(id, owner, state, nextAttemptAt, lastError, 1);
    }

    /** The delivery's new state, without an attempt (it was dropped: its destination is gone). */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean dropped(long id, String owner, String lastError) {
        return update(id, owner, "FAILED", null, lastError, 0);
    }

    private boolean update(long id, String owner, String state, Instant nextAttemptAt, String lastError, int counted) {
        return em.createNativeQuery("""
                        UPDATE outbox_deliveries SET state = :state, attempts = attempts + :counted,
                            next_attempt_at = :next, lease_owner = NULL, lease_until = NULL,
                            delivered_at = CASE WHEN :state = 'DELIVERED' THEN clock_timestamp() ELSE delivered_at END,
                            last_error = :error
                        WHERE id = :id AND lease_owner = :owner""")
                .setParameter("state", state).setParameter("counted", counted)
                .setParameter("next", Timestamp.from(nextAttemptAt == null ? Instant.now() : nextAttemptAt))
                .setParameter("error", lastError).setParameter("id", id).setParameter("owner", owner).executeUpdate() == 1;
    }

    /** Gives up every PENDING delivery to a destination (it went away), saying why. */
    @Transactional(Transactional.TxType.MANDATORY)
    public int failPending(String channel, String destination, String reason) {
        return em.createNativeQuery("""
                        UPDATE outbox_deliveries SET state = 'FAILED', last_error = :reason, lease_owner = NULL, lease_until = NULL
                        WHERE channel = :channel AND destination = :destination AND state = 'PENDING'""")
                .setParameter("reason", reason).setParameter("channel", channel).setParameter("destination", destination).executeUpdate();
    }

    /** Forgets a destination's deliveries and their attempts (the destination was deleted). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void forget(String channel, String destination) {
        em.createNativeQuery("DELETE FROM outbox_deliveries WHERE channel = :channel AND destination = :destination")
                .setParameter("channel", channel).setParameter("destination", destination).executeUpdate();
    }

    /**
     * Sends a delivery again, with the same message id, from the start of the retry schedule. Empty if the destination
     * has no such delivery.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<Delivery> requeue(String channel, String destination, long id) {
        int updated = em.createNativeQuery("""
                        UPDATE outbox_deliveries SET state = 'PENDING', attempts = 0, next_attempt_at = clock_timestamp(), queued_at = clock_timestamp(), last_error = NULL
                        WHERE id = :id AND channel = :channel AND destination = :destination""")
                .setParameter("id", id).setParameter("channel", channel).setParameter("destination", destination).executeUpdate();
        if (updated == 0) {
            return Optional.empty();
        }
        written.fire(new OutboxWritten());
        return page(channel, destination, id, 0, 1).items().stream().findFirst();
    }

    /** A destination's deliveries, newest first, with their attempts. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Page page(String channel, String destination, int page, int size) {
        return page(channel, destination, null, page, size);
    }

    @SuppressWarnings("unchecked")
    private Page page(String channel, String destination, Long only, int page, int size) {
        String where = "d.channel = :channel AND d.destination = :destination" + (only == null ? "" : " AND d.id = :only");
        var query = em.createNativeQuery("""
                        SELECT d.id, e.message_id, e.type, d.state, d.created_at, d.next_attempt_at, d.delivered_at, d.last_error
                        FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
                        WHERE %s ORDER BY d.id DESC LIMIT :size OFFSET :offset""".formatted(where))
                .setParameter("channel", channel).setParameter("destination", destination)
                .setParameter("size", size).setParameter("offset", (long) page * size);
        var count = em.createNativeQuery("SELECT count(*) FROM outbox_deliveries d WHERE " + where)
                .setParameter("channel", channel).setParameter("destination", destination);
        if (only != null) {
            query.setParameter("only", only);
            count.setParameter("only", only);
        }
        List<Object[]> rows = query.getResultList();
        Map<Long, List<Attempt>> attempts = attempts(rows.stream().map(r -> ((Number) r[0]).longValue()).toList());
        List<Delivery> items = rows.stream().map(r -> delivery(r, attempts)).toList();
        return new Page(items, ((Number) count.getSingleResult()).longValue());
    }

    /**
     * A channel's deliveries, whatever their destination, newest first, of one {@code state} (null: any), or only delivery
     * {@code only} (null: all).
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    @SuppressWarnings("unchecked")
    public ChannelPage channelPage(String channel, String state, Long only, int page, int size) {
        String where = "d.channel = :channel" + (state == null ? "" : " AND d.state = :state") + (only == null ? "" : " AND d.id = :only");
        var query = em.createNativeQuery("""
                        SELECT d.id, e.message_id, e.type, d.state, d.created_at, d.next_attempt_at, d.delivered_at, d.last_error,
                               d.destination, e.ordering_key, e.body
                        FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
                        WHERE %s ORDER BY d.id DESC LIMIT :size OFFSET :offset""".formatted(where))
                .setParameter("channel", channel).setParameter("size", size).setParameter("offset", (long) page * size);
        var count = em.createNativeQuery("SELECT count(*) FROM outbox_deliveries d WHERE " + where).setParameter("channel", channel);
        if (state != null) {
            query.setParameter("state", state);
            count.setParameter("state", state);
        }
        if (only != null) {
            query.setParameter("only", only);
            count.setParameter("only", only);
        }
        List<Object[]> rows = query.getResultList();
        Map<Long, List<Attempt>> attempts = attempts(rows.stream().map(r -> ((Number) r[0]).longValue()).toList());
        List<Sent> items = rows.stream().map(r -> new Sent(delivery(r, attempts), (String) r[8], (String) r[9], (String) r[10])).toList();
        return new ChannelPage(items, ((Number) count.getSingleResult()).longValue());
    }

    /** Sends a channel's delivery again, as {@link #requeue(String, String, long)} does, whatever its destination. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<Sent> requeue(String channel, long id) {
        Optional<Sent> found = channelPage(channel, null, id, 0, 1).items().stream().findFirst();
        if (found.isEmpty() || requeue(channel, found.get().destination(), id).isEmpty()) {
            return Optional.empty();
        }
        return channelPage(channel, null, id, 0, 1).items().stream().findFirst();
    }

    private static Delivery delivery(Object[] r, Map<Long, List<Attempt>> attempts) {
        long id = ((Number) r[0]).longValue();
        String state = (String) r[3];
        return new Delivery(id, (String) r[1], (String) r[2], state, instant(r[4]),
                state.equals("PENDING") ? instant(r[5]) : null, instant(r[6]), (String) r[7], attempts.getOrDefault(id, List.of()));
    }

    @SuppressWarnings("unchecked")
    private Map<Long, List<Attempt>> attempts(Collection<Long> deliveryIds) {
        var byDelivery = new LinkedHashMap<Long, List<Attempt>>();
        if (deliveryIds.isEmpty()) {
            return byDelivery;
        }
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT delivery_id, at, status, latency_ms, response, error FROM outbox_attempts
                        WHERE delivery_id IN (:ids) ORDER BY id""")
                .setParameter("ids", deliveryIds).getResultList();
        for (Object[] r : rows) {
            byDelivery.computeIfAbsent(((Number) r[0]).longValue(), k -> new java.util.ArrayList<>()).add(new Attempt(instant(r[1]),
                    r[2] == null ? null : ((Number) r[2]).intValue(), ((Number) r[3]).intValue(), (String) r[4], (String) r[5]));
        }
        return byDelivery;
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof Timestamp t) {
            return t.toInstant();
        }
        throw new IllegalStateException("Unexpected timestamp type " + value.getClass());
    }
}
