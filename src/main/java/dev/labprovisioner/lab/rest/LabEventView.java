package dev.labprovisioner.lab.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import dev.labprovisioner.lab.LabEvent;
import dev.labprovisioner.lab.LabState;

import java.time.Instant;

public record LabEventView(Instant at, @Schema(nullable = true, description = "Null for the first event: the request") LabState from, LabState to, String cause) {

    static LabEventView of(LabEvent e) {
        return new LabEventView(e.at, e.fromState, e.toState, e.cause);
    }
}
