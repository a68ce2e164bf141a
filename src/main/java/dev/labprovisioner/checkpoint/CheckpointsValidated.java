package dev.labprovisioner.checkpoint;

import dev.labprovisioner.checkpoint.rest.ProgressView;
import dev.labprovisioner.lab.Lab;

import java.util.List;

/**
 * Fired synchronously in the transaction that records validations: the lab's progress just before and just after,
 * and which checkpoints were validated. No other validation of the lab runs in between (see {@link CheckpointService}).
 */
public record CheckpointsValidated(Lab lab, ProgressView before, ProgressView after, List<String> validated) {
}
