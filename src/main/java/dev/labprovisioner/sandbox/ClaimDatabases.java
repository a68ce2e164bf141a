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
    private static final String DUPLICATE_OBJECT = "42710";
    /**
     * Who the learner's SQL runs as: owner of every volume database but no superuser, so it can do what the
     * lab's {@code postgres} user does to its own data and nothing to the server ({@code COPY ... PROGRAM},
     * other roles, files).
     */
    public static final String LEARNER_ROLE = "lab_learner";

    private final String serverUrl;
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Set<String> created = ConcurrentHashMap.newKeySet();
    private volatile boolean learnerRoleExists;
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
     * A connection to the database behind a claim (created on first use), as the superuser {@code postgres}:
     * what the service's checks read.
     */
    public Connection open(String claimUid) throws SQLException {
        return DriverManager.getConnection(ensure(claimUid), "postgres", "");
    }

    /** Like {@link #open} but as {@link #LEARNER_ROLE}: what the learner's SQL runs as. */
    public Connection openAsLearner(String claimUid) throws SQLException {
        return DriverManager.getConnection(ensure(claimUid), LEARNER_ROLE, "");
    }

    private String ensure(String claimUid) throws SQLException {
        if (deleted.contains(claimUid)) {
            throw new SQLException("The volume of claim " + claimUid + " was deleted, and its data with it");
        }
        String db = databaseName(claimUid);
        if (!created.contains(claimUid)) {
            try (Connection c = admin(); var st = c.createStatement()) {
                ensureLearnerRole(st);
                st.execute("CREATE DATABASE " + db + " OWNER " + LEARNER_ROLE);
            } catch (SQLException e) {
                if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                    throw e;
                }
            }
            created.add(claimUid);
        }
        return serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1) + db;
    }

    private void ensureLearnerRole(java.sql.Statement st) throws SQLException {
        if (learnerRoleExists) {
            return;
        }
        try {
            st.execute("CREATE ROLE " + LEARNER_ROLE + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE");
        } catch (SQLException e) {
            if (!DUPLICATE_OBJECT.equals(e.getSQLState())) {
                throw e;
            }
        }
        learnerRoleExists = true;
    }

    private Connection admin() throws SQLException {
        return DriverManager.getConnection(serverUrl, "postgres", "");
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
