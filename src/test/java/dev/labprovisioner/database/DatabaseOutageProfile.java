package dev.labprovisioner.database;

import io.quarkus.test.junit.QuarkusTestProfile;

import java.util.Map;

/**
 * A sandbox of its own (its own embedded PostgreSQL and imitation of Kubernetes, under its own work directory), so
 * that killing its database disturbs no other test class; the sandbox waits 8 s before starting a dead PostgreSQL
 * again, long enough to watch the outage from outside.
 */
public class DatabaseOutageProfile implements QuarkusTestProfile {

    static final long RETRY_AFTER_SECONDS = 7;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("labs.sandbox.work-dir", "target/sandbox-db-outage",
                "labs.sandbox.postgres-restart-delay", "8s",
                "labs.database.retry-after", RETRY_AFTER_SECONDS + "s");
    }
}
