package dev.labprovisioner.sandboxclient;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts the sandbox cluster as a process of its own ({@code sandbox-cluster/run}) for a service in sandbox mode, or
 * attaches to one already running ({@code labs.sandbox.attach}). A started sandbox ends with the JVM that started it
 * (it watches its parent's pid, so a {@code kill -9} of the service does not leave it behind). Quarkus may read its
 * configuration more than once per JVM (dev mode reloads, test profiles): a started sandbox is found again through a
 * system property, so labs outlive a code change.
 */
public final class SandboxProcess {

    private static final Logger LOG = Logger.getLogger(SandboxProcess.class);
    /** The first start may compile the sandbox (a fresh clone in dev mode), and the control plane takes seconds. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    /** What to start: the launcher script, and its options (name without {@code --}, value). */
    public record Request(Path launcher, Path workDir, Map<String, String> options) {

        /**
         * Which sandbox this is, for finding it again: its launcher, directory and engine. Not the other options: Quarkus
         * reads configuration at build time and again at run time, the second time with the configuration's defaults
         * filled in, and both must find the same sandbox.
         */
        String key() {
            return launcher.toAbsolutePath().normalize() + "|" + workDir.toAbsolutePath().normalize() + "|"
                    + options.getOrDefault("engine", "auto");
        }
    }

    private SandboxProcess() {
    }

    /** Attaches to the sandbox whose connection file is {@code file}; it must be running. */
    public static SandboxConnection attach(Path file) {
        SandboxConnection c = SandboxConnection.read(file).orElseThrow(() -> new IllegalStateException(
                "labs.sandbox.attach names " + file + ", which does not exist: start the sandbox with sandbox-cluster/run first"));
        if (!c.alive()) {
            throw new IllegalStateException("The sandbox of " + file + " (pid " + c.pid() + ") is not running");
        }
        return c;
    }

    /** Starts a sandbox for this JVM, or finds the one it started before with the same request. */
    public static synchronized SandboxConnection startOnce(Request request) {
        String key = "lab-provisioner.sandbox." + request.key();
        String known = System.getProperty(key);
        if (known != null) {
            Optional<SandboxConnection> running = SandboxConnection.read(Path.of(known)).filter(SandboxConnection::alive);
            if (running.isPresent()) {
                return running.get();
            }
        }
        LOG.infof("Starting the sandbox cluster: %s", request);
        SandboxConnection started = start(request);
        System.setProperty(key, started.file().toString());
        return started;
    }

    private static SandboxConnection start(Request request) {
        if (!Files.isRegularFile(request.launcher())) {
            throw new IllegalStateException("Sandbox mode starts the sandbox cluster with " + request.launcher().toAbsolutePath()
                    + ", which is not there: run the service from the project's directory, set labs.sandbox.launcher, or start "
                    + "sandbox-cluster/run yourself and set labs.sandbox.attach to its connection file");
        }
        Path workDir = request.workDir().toAbsolutePath().normalize();
        long self = ProcessHandle.current().pid();
        // One per JVM and engine: a JVM may run several (test profiles on both engines).
        String files = "sandbox-" + self + "-" + request.options().getOrDefault("engine", "auto");
        Path connection = workDir.resolve(files + ".properties");
        Path log = workDir.resolve(files + ".log");
        List<String> command = new ArrayList<>(List.of("bash", request.launcher().toAbsolutePath().toString()));
        request.options().forEach((name, value) -> {
            command.add("--" + name);
            command.add(value);
        });
        command.addAll(List.of("--work-dir", workDir.toString(), "--connection-file", connection.toString(),
                "--parent-pid", Long.toString(self)));
        long begin = System.nanoTime();
        Process process;
        try {
            Files.createDirectories(workDir);
            Files.deleteIfExists(connection);
            var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putIfAbsent("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the sandbox cluster (" + String.join(" ", command) + ")", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "sandbox-stop"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<SandboxConnection> ready = SandboxConnection.read(connection);
            if (ready.isPresent()) {
                SandboxConnection c = ready.get();
                LOG.warnf("SANDBOX MODE: the sandbox cluster runs as process %d (%s, started in %d ms; its log: %s). "
                                + "Kubernetes API %s, %s.", c.pid(), describe(c), (System.nanoTime() - begin) / 1_000_000, log,
                        c.kubernetesUrl(), "the service as its own ServiceAccount, bound to k8s/clusterrole.yaml; the administrator's kubeconfig: "
                                + c.adminKubeconfig().orElse("?"));
                return c;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("The sandbox cluster did not start (exit " + process.exitValue() + "). Its log, " + log
                        + ", ends with:\n" + tail(log));
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroy();
                throw new IllegalStateException("Interrupted while the sandbox cluster started", e);
            }
        }
        process.destroy();
        throw new IllegalStateException("The sandbox cluster did not start within " + START_TIMEOUT.toMinutes() + " min; its log: " + log);
    }

    /** Which engine runs, in words a log reader understands. */
    public static String describe(SandboxConnection c) {
        if (!c.controlPlane() || c.engine().equals(SandboxConnection.CONTROL_PLANE)) {
            return describeEngine(c);
        }
        return "the API server " + c.kubernetesUrl() + " with the sandbox's simulated node";
    }

    private static String describeEngine(SandboxConnection c) {
        return c.controlPlane()
                ? "upstream's control plane (etcd, kube-apiserver and kube-controller-manager v1.20.2) with a simulated node"
                : "the embedded imitation of Kubernetes (a fabric8 mock server and a simulator; upstream's control plane is used "
                  + "instead where sandbox-cluster/build-control-plane.sh has built it)";
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
