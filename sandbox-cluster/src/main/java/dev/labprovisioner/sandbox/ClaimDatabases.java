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
     * The learner's SQL and the service's checks run as the volume's own role, never as a superuser: what the
     * learner writes (functions, search_path tricks) then runs with no more rights than the learner has.
     */
    private static final String CHECK_OPTIONS = "-c search_path=pg_catalog,pg_temp";
    /** The most a result may hold in the driver's memory: a learner's {@code repeat('x', 5e8)} fails, not the JVM. */
    static final String MAX_RESULT_BUFFER = "16M";
    private static final int CONNECTION_LIMIT = 4;

    private final String serverUrl;
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Set<String> created = ConcurrentHashMap.newKeySet();
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
                st.execute("DROP ROLE IF EXISTS " + db);
            } catch (SQLException e) {
                LOG.warnf("Sandbox volume database %s could not be dropped: %s", db, e.getMessage());
            }
        });
    }

    /** How to reach a volume's database: its JDBC URL, the role to connect as (no password) and the connection options. */
    public record Access(String url, String user, String options) {
    }

    /**
     * How the service's checks reach the database behind a claim (created on first use): as the volume's own
     * unprivileged role, with only {@code pg_catalog} on the search path (checks name tables in full), so nothing the
     * learner defined can stand in for a built-in function. For the learner's SQL ({@code asLearner}): the volume's own
     * role, nothing more (what {@code psql} in the pod would be).
     */
    public Access access(String claimUid, boolean asLearner) throws SQLException {
        return new Access(ensure(claimUid), databaseName(claimUid), asLearner ? "" : CHECK_OPTIONS);
    }

    /** A connection for the service's checks (see {@link #access}). */
    public Connection open(String claimUid) throws SQLException {
        return connect(access(claimUid, false));
    }

    /** A connection for the learner's SQL (see {@link #access}). */
    public Connection openAsLearner(String claimUid) throws SQLException {
        return connect(access(claimUid, true));
    }

    private static Connection connect(Access access) throws SQLException {
        var props = new java.util.Properties();
        props.setProperty("user", access.user());
        props.setProperty("password", "");
        props.setProperty("maxResultBuffer", MAX_RESULT_BUFFER);
        if (!access.options().isEmpty()) {
            props.setProperty("options", access.options());
        }
        return DriverManager.getConnection(access.url(), props);
    }

    /**
     * The volume's database and its role, made once: the database belongs to {@code postgres} and only that
     * role may connect to it; the role owns the {@code public} schema and may create schemas and temporary
     * tables there, and nothing else on the server (no superuser, no other database, a connection limit).
     */
    private String ensure(String claimUid) throws SQLException {
        if (deleted.contains(claimUid)) {
            throw new SQLException("The volume of claim " + claimUid + " was deleted, and its data with it");
        }
        String db = databaseName(claimUid);
        String url = serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1) + db;
        if (!created.contains(claimUid)) {
            try (Connection c = admin(); var st = c.createStatement()) {
                try {
                    st.execute("CREATE ROLE " + db + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS"
                            + " CONNECTION LIMIT " + CONNECTION_LIMIT);
                } catch (SQLException e) {
                    if (!DUPLICATE_OBJECT.equals(e.getSQLState())) {
                        throw e;
                    }
                }
                try {
                    st.execute("CREATE DATABASE " + db);
                } catch (SQLException e) {
                    if (!DUPLICATE_DATABASE.equals(e.getSQLState())) {
                        throw e;
                    }
                }
                st.execute("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
                st.execute("GRANT CONNECT, TEMPORARY, CREATE ON DATABASE " + db + " TO " + db);
            }
            try (Connection c = DriverManager.getConnection(url, "postgres", ""); var st = c.createStatement()) {
                st.execute("ALTER SCHEMA public OWNER TO " + db);
            }
            created.add(claimUid);
        }
        return url;
    }

    private Connection admin() throws SQLException {
        return DriverManager.getConnection(serverUrl, "postgres", "");
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
