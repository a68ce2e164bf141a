package dev.labprovisioner.sandbox;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a sandbox killed outright ({@code kill -9}: no shutdown hook ran) left behind: its PostgreSQL, etcd, kube-apiserver
 * and kube-controller-manager keep running, adopted by init. The next sandbox on the same work directory stops them
 * before it starts, and nothing of a sandbox still alive:
 * <ul>
 *   <li>the control plane's processes are the sandbox's own children while it lives, so only init's children whose command
 *       line names this directory's {@code control-plane/} are taken;</li>
 *   <li>PostgreSQL daemonizes (init is its parent even while its sandbox lives), so only the postmaster of a data directory
 *       recorded by a sandbox whose process is gone is taken.</li>
 * </ul>
 */
final class Orphans {

    private static final Logger LOG = Logger.getLogger(Orphans.class);
    private static final String RECORD = "postgres-data-directory.";

    private Orphans() {
    }

    static void reap(Path engineDir) {
        List<String> markers = new ArrayList<>(List.of(engineDir.resolve("control-plane") + "/"));
        List<Path> deadRecords = new ArrayList<>();
        try (Stream<Path> files = Files.isDirectory(engineDir) ? Files.list(engineDir) : Stream.empty()) {
            files.filter(f -> f.getFileName().toString().startsWith(RECORD)).forEach(f -> {
                long owner = Long.parseLong(f.getFileName().toString().substring(RECORD.length()));
                if (ProcessHandle.of(owner).map(ProcessHandle::isAlive).orElse(false)) {
                    return;
                }
                try {
                    markers.add(Files.readString(f).strip() + " ");
                    deadRecords.add(f);
                } catch (IOException e) {
                    // unreadable: nothing to reap by it
                }
            });
        } catch (IOException | NumberFormatException e) {
            LOG.debugf("Could not read the records of earlier sandboxes: %s", e.getMessage());
        }
        ProcessHandle.allProcesses()
                .filter(p -> p.parent().map(parent -> parent.pid() == 1).orElse(false))
                .filter(p -> p.info().commandLine().map(line -> markers.stream().anyMatch((line + " ")::contains)).orElse(false))
                .forEach(p -> {
                    LOG.warnf("Stopping process %d, left running by a sandbox that was killed (%s)", p.pid(), p.info().command().orElse("?"));
                    p.destroyForcibly();
                    p.onExit().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).exceptionally(e -> p).join();
                });
        for (Path record : deadRecords) {
            try {
                Files.deleteIfExists(record);
            } catch (IOException e) {
                // harmless: read again next time, its processes already gone
            }
        }
    }

    /** Remembers this sandbox's PostgreSQL data directory (zonky puts it under the temporary directory, not the work directory). */
    static void record(Path engineDir, Path postgresDataDirectory) {
        try {
            Files.createDirectories(engineDir);
            Files.writeString(engineDir.resolve(RECORD + ProcessHandle.current().pid()), postgresDataDirectory.toString());
        } catch (IOException e) {
            LOG.debugf("Could not record the PostgreSQL data directory: %s", e.getMessage());
        }
    }
}
