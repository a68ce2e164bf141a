package dev.labprovisioner.security;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The API clients whose secrets work, by secret hash. Every API call starts here, so a client found once is
 * kept in memory and the next call is answered without the database (nor a hop to a worker thread).
 * <p>
 * A revoked or rotated secret must stop working at once, on every replica. So whoever changes a client
 * calls {@link #changedInThisTransaction()}: it empties this replica's cache when the transaction ends, and
 * sends a PostgreSQL {@code NOTIFY} that every replica's listener turns into the same. While this replica is
 * not listening (starting, or its listening connection was lost), nothing is kept: every call asks the
 * database, as if there were no cache.
 */
@ApplicationScoped
public class ActiveClients {

    private static final Logger LOG = Logger.getLogger(ActiveClients.class);
    /** The PostgreSQL channel every replica listens on; a commit that changed a client notifies it. */
    public static final String CHANNEL = "lab_provisioner_api_clients";

    /** A client whose secret works: its id, name and space-separated scopes. */
    public record ActiveClient(UUID id, String name, String scopes) {
    }

    private final AgroalDataSource dataSource;
    private final TransactionSynchronizationRegistry transactions;
    private final Map<String, ActiveClient> byHash = new ConcurrentHashMap<>();
    /** Bumped by every emptying: a lookup that raced with one does not put back what it read before. */
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean listening;
    private volatile boolean stopped;
    private Thread listener;

    ActiveClients(AgroalDataSource dataSource, TransactionSynchronizationRegistry transactions) {
        this.dataSource = dataSource;
        this.transactions = transactions;
    }

    void start(@Observes StartupEvent ignored) {
        listener = new Thread(this::listen, "api-client-changes");
        listener.setDaemon(true);
        listener.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        stopped = true;
        if (listener != null) {
            listener.interrupt();
        }
    }

    /** The client with this secret hash if this replica knows it is active; empty means "ask {@link #load}". */
    public Optional<ActiveClient> cached(String secretHash) {
        return listening ? Optional.ofNullable(byHash.get(secretHash)) : Optional.empty();
    }

    /** Asks the database (blocking): one indexed query, by hash, of the clients not revoked. */
    public Optional<ActiveClient> load(String secretHash) {
        long before = generation.get();
        Optional<ActiveClient> client;
        try (Connection c = dataSource.getConnection();
             var q = c.prepareStatement("SELECT id, name, scopes FROM api_clients WHERE secret_hash = ? AND revoked_at IS NULL")) {
            q.setString(1, secretHash);
            try (var rs = q.executeQuery()) {
                client = rs.next() ? Optional.of(new ActiveClient(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot look up the API client", e);
        }
        if (client.isPresent() && listening) {
            byHash.put(secretHash, client.get());
            if (generation.get() != before) {
                // Emptied while we read: what we read may be what was just revoked.
                byHash.remove(secretHash);
            }
        }
        return client;
    }

    /**
     * A client's secret or revocation changes in the caller's transaction: every replica forgets what it
     * knows, this one when the transaction ends, the others when PostgreSQL delivers the commit's notification.
     */
    public void changedInThisTransaction() {
        try (Connection c = dataSource.getConnection(); var notify = c.prepareStatement("SELECT pg_notify(?, '')")) {
            notify.setString(1, CHANNEL);
            notify.execute();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot announce the API client change", e);
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                forgetAll();
            }
        });
    }

    private void forgetAll() {
        generation.incrementAndGet();
        byHash.clear();
    }

    /**
     * Holds one connection that LISTENs; reconnects after a loss (within 2 s of the database being back), keeping
     * nothing meanwhile. Logs a loss and a return once each, not every attempt in between.
     */
    private void listen() {
        long backoffMs = 500;
        boolean lost = false;
        while (!stopped) {
            try (Connection c = dataSource.getConnection()) {
                try (var st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                // Whatever changed before we listened is unknown: start empty.
                forgetAll();
                listening = true;
                if (lost) {
                    LOG.info("Listening for API client changes again; known secrets are answered from memory again");
                    lost = false;
                }
                backoffMs = 500;
                while (!stopped) {
                    var notifications = pg.getNotifications(1000);
                    if (notifications != null && notifications.length > 0) {
                        forgetAll();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!stopped && !lost) {
                    LOG.warnf("Not listening for API client changes (%s); secrets are checked against the database on every call until it is back",
                            e.getMessage());
                    lost = true;
                }
            } finally {
                listening = false;
                forgetAll();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(backoffMs * 2, 2_000);
        }
    }
}
