package dev.labprovisioner.lab;

/**
 * Fired synchronously, in the transaction that moves a lab to a new state, so that what observes it (the webhook
 * outbox) commits or rolls back with the change itself.
 */
public record LabTransitioned(Lab lab, LabState from) {
}
