package dev.labprovisioner.outbox;

/** One delivery as a channel sends it: the event's bytes, its message id, and where to. */
public record OutboxDelivery(long id, String channel, String destination, String messageId, String type, String body, int attempts) {
}
