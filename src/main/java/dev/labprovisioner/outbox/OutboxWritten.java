package dev.labprovisioner.outbox;

/** Fired when a transaction appended to the outbox; observed after it commits, to send without waiting for the next poll. */
public record OutboxWritten() {
}
