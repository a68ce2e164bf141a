package dev.labprovisioner.sandbox;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a sandbox killed outright ({@code kill -9}: no shutdown hook ran) left behind: its PostgreSQL, etcd, kube-apiserver
 * and kube-controller-manager keep running, adopted by init. The next sandbox on the same work directory stops them
 * before it starts: a process is taken for an orphan of this directory when init (pid 1) is its parent and its command
 * line names the directory (the control plane's files) or the data directory the last PostgreSQL recorded. A sandbox that
 * is still alive keeps its children, which are never init's.
 */
final class Orphans {

    private static final Logger LOG = Logger.getLogger(Orphans.class);
    static final String POSTGRES_DATA_RECORD = "postgres-data-directory";

    private Orphans() {
    }

    static void reap(Path engineDir) {
        List<String> markers = new java.util.ArrayList<>(List.of(engineDir.toString() + "/"));
        recorded(engineDir).ifPresent(markers::add);
        ProcessHandle.allProcesses()
                .filter(p -> p.parent().map(parent -> parent.pid() == 1).orElse(true))
                .filter(p -> p.info().commandLine().map(line -> markers.stream().anyMatch(line::contains)).orElse(false))
                .forEach(p -> {
                    LOG.warnf("Stopping process %d, left running by a sandbox that was killed (%s)", p.pid(),
                            p.info().command().orElse("?"));
                    p.destroyForcibly();
                    p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> p).join();
                });
    }

    /** Remembers the PostgreSQL data directory (zonky puts it under the system's temporary directory, not the work directory). */
    static void record(Path engineDir, Path postgresDataDirectory) {
        try {
            Files.createDirectories(engineDir);
            Files.writeString(engineDir.resolve(POSTGRES_DATA_RECORD), postgresDataDirectory.toString());
        } catch (IOException e) {
            LOG.debugf("Could not record the PostgreSQL data directory: %s", e.getMessage());
        }
    }

    private static Optional<String> recorded(Path engineDir) {
        try {
            String dir = Files.readString(engineDir.resolve(POSTGRES_DATA_RECORD)).strip();
            return dir.isEmpty() ? Optional.empty() : Optional.of(dir);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
