package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sandbox's "disks": one real PostgreSQL database per PersistentVolumeClaim (named after the claim's
 * UID), so data that survives a pod deletion in the sandbox is real data surviving, not a flag.
 */
public final class ClaimDatabases implements StatefulSetSimulator.VolumeDatabases, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClaimDatabases.class);
    private final String serverUrl;
    // Off the simulator's thread: creating a database takes tens of milliseconds.
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sandbox-claim-databases");
        t.setDaemon(true);
        return t;
    });

    /** {@code serverUrl}: JDBC URL of a database on the server (its superuser {@code postgres}, no password). */
    public ClaimDatabases(String serverUrl) {
        this.serverUrl = serverUrl;
    }

    /** The database behind a claim: {@code pvc_} and the claim's UID without dashes. */
    public static String databaseName(String claimUid) {
        return "pvc_" + claimUid.replace("-", "").toLowerCase();
    }

    @Override
    public void claimCreated(PersistentVolumeClaim pvc) {
        String db = databaseName(pvc.getMetadata().getUid());
        executor.execute(() -> execute("CREATE DATABASE " + db, db));
    }

    @Override
    public void claimDeleted(PersistentVolumeClaim pvc) {
        String db = databaseName(pvc.getMetadata().getUid());
        executor.execute(() -> execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)", db));
    }

    private void execute(String sql, String db) {
        try (Connection c = DriverManager.getConnection(serverUrl, "postgres", "");
             var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // already exists: a re-delivered event
                LOG.warnf("Sandbox volume database %s: %s failed: %s", db, sql, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
