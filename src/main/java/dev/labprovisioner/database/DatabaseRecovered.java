package dev.labprovisioner.database;

import java.time.Duration;

/** Fired once when the service's database is reachable again after an outage (it lasted {@code downFor}). */
public record DatabaseRecovered(Duration downFor) {
}
