package dev.labprovisioner.database;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.problem.Problem;
import dev.labprovisioner.problem.ProblemMappers;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * While the database is known to be away, an API call is answered 503 at once, before it waits for a connection
 * that cannot come (the pool's acquisition timeout) and holds a worker thread meanwhile. Until the probe has noticed
 * (at most {@code labs.database.probe-interval}), the acquisition timeout bounds the wait and ProblemMappers answers.
 */
public class DatabaseUnavailableFilter {

    private final DatabaseAvailability database;
    private final long retryAfterSeconds;

    DatabaseUnavailableFilter(DatabaseAvailability database, LabsConfig config) {
        this.database = database;
        this.retryAfterSeconds = Math.max(1, config.database().retryAfter().toSeconds());
    }

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> whileTheDatabaseIsAway(ContainerRequestContext request) {
        if (database.up() || !request.getUriInfo().getPath().startsWith("/api/")) {
            return Optional.empty();
        }
        return Optional.of(Problem.serviceUnavailable(ProblemMappers.DATABASE_UNAVAILABLE.formatted(retryAfterSeconds), retryAfterSeconds));
    }
}
