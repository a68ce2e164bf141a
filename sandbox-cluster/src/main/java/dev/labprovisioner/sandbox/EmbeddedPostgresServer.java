package dev.labprovisioner.sandbox;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real PostgreSQL server from Maven jars: the service's own database and, in sandbox, the labs' databases.
 * <p>
 * It is watched: when the server dies (killed, out of memory), it is started again after {@code restartDelay} on the
 * same data directory and the same port, so the service finds its data where it left it, as it would after a real
 * database server's restart. The first start is on a fresh data directory, and closing deletes it.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);
    public static final String SERVICE_DATABASE = "labprovisioner";
    private static final Duration WATCH_INTERVAL = Duration.ofMillis(200);

    /** The first start: it owns the data directory (deleted when it is closed); restarts reuse that directory. */
    private final EmbeddedPostgres first;
    private final Path workDir;
    private final Path dataDirectory;
    private final int port;
    private final Duration restartDelay;
    private volatile EmbeddedPostgres current;
    private volatile boolean closing;
    private final Thread watcher;

    private EmbeddedPostgresServer(EmbeddedPostgres first, Path workDir, Path dataDirectory, Duration restartDelay) {
        this.first = first;
        this.current = first;
        this.workDir = workDir;
        this.dataDirectory = dataDirectory;
        this.port = first.getPort();
        this.restartDelay = restartDelay;
        this.watcher = new Thread(this::watch, "embedded-postgres-watch");
        this.watcher.setDaemon(true);
    }

    public static EmbeddedPostgresServer start(Path workDir) {
        return start(workDir, Duration.ZERO);
    }

    /** Starts a server on a fresh data directory under {@code workDir}; a server that dies is restarted after {@code restartDelay}. */
    public static EmbeddedPostgresServer start(Path workDir, Duration restartDelay) {
        try {
            Files.createDirectories(workDir);
            var pg = configured(EmbeddedPostgres.builder().setOverrideWorkingDirectory(workDir.toFile()))
                    .setCleanDataDirectory(true)
                    // closed by whoever started it (SandboxRuntime's hook), so that a restarted server is the one stopped
                    .setRegisterShutdownHook(false)
                    .start();
            Path dataDirectory;
            try (Connection c = pg.getPostgresDatabase().getConnection(); var st = c.createStatement()) {
                st.execute("CREATE DATABASE " + SERVICE_DATABASE);
                // Where zonky put it (a directory of its own under the temporary directory): the server says.
                try (var rs = st.executeQuery("SHOW data_directory")) {
                    rs.next();
                    dataDirectory = Path.of(rs.getString(1));
                }
            }
            var server = new EmbeddedPostgresServer(pg, workDir, dataDirectory, restartDelay);
            server.watcher.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create the service database", e);
        }
    }

    private static EmbeddedPostgres.Builder configured(EmbeddedPostgres.Builder builder) {
        return builder
                .setServerConfig("max_connections", "300")
                // No fsync (what it protects against is the machine crashing, not the server), but synchronous commits
                // (zonky turns them off): without them a killed server forgets transactions it had reported committed, and
                // the service, which acted on them (a lab's 202, its namespace), would find its own labs missing.
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "on")
                // Its log goes to the service's: a failing statement (a learner's SQL) must not be echoed there.
                .setServerConfig("log_min_error_statement", "panic");
    }

    private static Optional<List<String>> postmasterPid(Path dataDirectory) {
        try {
            return Optional.of(Files.readAllLines(dataDirectory.resolve("postmaster.pid")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The running postmaster's process id, from its postmaster.pid (what {@code kill} or {@code pg_ctl} would use). */
    public Optional<Long> postmasterPid() {
        return postmasterPid(dataDirectory).filter(lines -> !lines.isEmpty()).map(lines -> Long.parseLong(lines.get(0).trim()));
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    private boolean alive() {
        return postmasterPid().map(EmbeddedPostgresServer::running).orElse(false);
    }

    private static boolean running(long pid) {
        try {
            // A killed postmaster is a zombie until its parent (init) reaps it, and the JDK calls a zombie alive.
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            int afterName = stat.lastIndexOf(')');
            return afterName > 0 && stat.length() > afterName + 2 && stat.charAt(afterName + 2) != 'Z';
        } catch (IOException e) {
            return Files.isDirectory(Path.of("/proc")) ? false : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    private void watch() {
        while (!closing) {
            try {
                Thread.sleep(WATCH_INTERVAL.toMillis());
                if (!closing && !alive()) {
                    LOG.warnf("The embedded PostgreSQL on port %d has stopped; starting it again in %d ms on the same data directory",
                            port, restartDelay.toMillis());
                    Thread.sleep(restartDelay.toMillis());
                    restart();
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Starts a server on the same directory and port, retrying while the dead one's last processes go away. */
    private void restart() throws InterruptedException {
        long started = System.nanoTime();
        for (int attempt = 1; !closing; attempt++) {
            try {
                // The dead server's handle still holds the lock on this file: a new file, a new lock.
                Files.deleteIfExists(dataDirectory.resolve("epg-lock"));
                current = configured(EmbeddedPostgres.builder().setOverrideWorkingDirectory(workDir.toFile()))
                        .setDataDirectory(dataDirectory)
                        .setPort(port)
                        .setCleanDataDirectory(false)
                        .setRegisterShutdownHook(false)
                        .start();
                LOG.infof("The embedded PostgreSQL is running again on port %d with its data (%d ms)", port,
                        (System.nanoTime() - started) / 1_000_000);
                return;
            } catch (IOException | RuntimeException e) {
                if (attempt == 1) {
                    LOG.warnf("The embedded PostgreSQL did not start again yet (%s); retrying", e.getMessage());
                }
                Thread.sleep(Math.min(2_000, 200L * attempt));
            }
        }
    }

    public int port() {
        return port;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public String user() {
        return "postgres";
    }

    @Override
    public void close() throws IOException {
        closing = true;
        watcher.interrupt();
        // The first handle stops whichever server runs on the data directory now, then deletes the directory.
        first.close();
    }
}
