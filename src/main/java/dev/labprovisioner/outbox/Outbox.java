package dev.labprovisioner.outbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.util.Collection;
import java.util.UUID;

/**
 * Appends events to the outbox in the caller's transaction: they are sent exactly when that transaction commits, and
 * never if it rolls back. Events with the same ordering key (a lab's id) get ids in commit order, and are sent in
 * that order to each destination.
 */
@ApplicationScoped
public class Outbox {

    private final EntityManager em;
    private final Event<OutboxWritten> written;

    Outbox(EntityManager em, Event<OutboxWritten> written) {
        this.em = em;
        this.written = written;
    }

    /**
     * Until the caller's transaction ends, no other transaction appends under {@code orderingKey} (a transaction-scoped
     * advisory lock). Callers that decide what to append from what they read take it before reading.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void lockOrder(String orderingKey) {
        em.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))) l")
                .setParameter("key", orderingKey).getSingleResult();
    }

    /**
     * One event, and one delivery of it to each destination of {@code channel}. Nothing is written without a
     * destination. Returns the event's message id (null if nothing was written).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public String append(String type, String orderingKey, String body, String channel, Collection<String> destinations) {
        if (destinations.isEmpty()) {
            return null;
        }
        lockOrder(orderingKey);
        String messageId = "msg_" + UUID.randomUUID().toString().replace("-", "");
        Number eventId = (Number) em.createNativeQuery("""
                        INSERT INTO outbox_events (message_id, type, ordering_key, body, created_at)
                        VALUES (:message, :type, :key, :body, clock_timestamp()) RETURNING id""")
                .setParameter("message", messageId).setParameter("type", type).setParameter("key", orderingKey)
                .setParameter("body", body).getSingleResult();
        for (String destination : destinations) {
            em.createNativeQuery("""
                            INSERT INTO outbox_deliveries (event_id, channel, destination, ordering_key, state, next_attempt_at, created_at, queued_at)
                            VALUES (:event, :channel, :destination, :order, 'PENDING', clock_timestamp(), clock_timestamp(), clock_timestamp())""")
                    .setParameter("event", eventId.longValue()).setParameter("channel", channel)
                    .setParameter("destination", destination)
                    .setParameter("order", channel + ":" + destination + ":" + orderingKey).executeUpdate();
        }
        written.fire(new OutboxWritten());
        return messageId;
    }
}
