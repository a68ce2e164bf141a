package dev.labprovisioner.checkpoint;

public enum CheckpointStatus { PENDING, PASSED, FAILED }
