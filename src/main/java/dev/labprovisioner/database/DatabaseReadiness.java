package dev.labprovisioner.database;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the service's database can be reached. The body says only that (it is unauthenticated): never the
 * server's address or the driver's error, which the log has once ({@link DatabaseAvailability}).
 */
@Readiness
@ApplicationScoped
public class DatabaseReadiness implements HealthCheck {

    private final DatabaseAvailability database;

    DatabaseReadiness(DatabaseAvailability database) {
        this.database = database;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("database").status(database.up()).build();
    }
}
