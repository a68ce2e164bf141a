package dev.labprovisioner.lab;

import java.util.UUID;

/** Fired when a lab needs the reconciler's attention; observed after the transaction commits. */
public record LabChanged(UUID labId) {
}
