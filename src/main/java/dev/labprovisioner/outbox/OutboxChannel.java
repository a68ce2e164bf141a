package dev.labprovisioner.outbox;

/**
 * A way out of the outbox (webhooks; LTI grade passback). The worker leases a delivery, asks its channel to send
 * it once, and records the outcome; the channel never touches the outbox's tables itself.
 */
public interface OutboxChannel {

    /** The {@code channel} column's value for its deliveries. */
    String name();

    /** One attempt; never throws for what the destination did (that is an {@link Outcome}). */
    Outcome send(OutboxDelivery delivery);

    /** In the transaction that records a {@link Outcome.Kind#GONE} outcome: stop using the destination. */
    void destinationGone(String destination, String reason);
}
