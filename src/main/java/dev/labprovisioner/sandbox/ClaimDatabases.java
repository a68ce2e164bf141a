package dev.labprovisioner.sandbox;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The sandbox's "disks": one real PostgreSQL database per PersistentVolumeClaim (named after the claim's
 * UID), so data that survives a pod deletion in the sandbox is real data surviving, not a flag.
 * <p>
 * Thinly provisioned, like most storage classes: a claim's database is created when it is first opened,
 * not when the claim is bound. An empty volume and no database yet look the same to whoever opens it,
 * and a thousand labs nobody has written to cost nothing (a CREATE DATABASE copies a template: ~150 ms).
 */
public final class ClaimDatabases implements StatefulSetSimulator.VolumeDatabases, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ClaimDatabases.class);
    private static final String DUPLICATE_DATABASE = "42P04";

    private final String serverUrl;
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    // Off the simulator's thread: dropping a database can wait for its sessions to end.
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
        // Nothing to write yet: the database appears on first use (see open).
    }

    @Override
    public void claimDeleted(PersistentVolumeClaim pvc) {
        String uid = pvc.getMetadata().getUid();
        deleted.add(uid);
        String db = databaseName(uid);
        executor.execute(() -> {
            try (Connection c = admin(); var st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            } catch (SQLException e) {
                LOG.warnf("Sandbox volume database %s could not be dropped: %s", db, e.getMessage());
            }
        });
    }

    /**
     * A connection to the database behind a claim (created on first use), as user {@code postgres}: what
     * {@code psql} in the claim's pod would reach.
     */
    public Connection open(String claimUid) throws SQLException {
        if (deleted.contains(claimUid)) {
            throw new SQLException("The volume of claim " + claimUid + " was deleted, and its data with it");
        }
        String db = databaseName(claimUid);
        try (Connection c = admin(); var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
        } catch (SQLException e) {
            if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                throw e;
            }
        }
        return DriverManager.getConnection(serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1) + db, "postgres", "");
    }

    private Connection admin() throws SQLException {
        return DriverManager.getConnection(serverUrl, "postgres", "");
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
