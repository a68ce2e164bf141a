package dev.labprovisioner.lab.rest;

import dev.labprovisioner.lab.LabEvent;
import dev.labprovisioner.lab.LabState;

import java.time.Instant;

public record LabEventView(Instant at, LabState from, LabState to, String cause) {

    static LabEventView of(LabEvent e) {
        return new LabEventView(e.at, e.fromState, e.toState, e.cause);
    }
}
