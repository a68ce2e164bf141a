package dev.labprovisioner.sandbox;

import io.quarkus.runtime.configuration.DurationConverter;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The sandbox cluster as a process of its own (DESIGN §8), started by {@code sandbox-cluster/run}: by a user, by
 * {@code quarkus:dev} and the sandbox profile, or by the tests. It runs until it is stopped (SIGTERM or Ctrl-C), or,
 * with {@code --parent-pid}, until that process ends. When its servers are up it writes:
 * <ul>
 *   <li>{@code --kubeconfig FILE}: a kubeconfig for the sandbox's administrator, for kubectl;</li>
 *   <li>{@code --connection-file FILE} (default {@code <work-dir>/sandbox.properties}, mode 0600): what the service needs to
 *       use it as a plain client: the API server with the service's own ServiceAccount token, the service's database,
 *       and the volume server that stands in for a kubelet's exec.</li>
 * </ul>
 */
public final class SandboxClusterMain {

    private static final Logger LOG = Logger.getLogger(SandboxClusterMain.class);

    /** The options and their defaults: what {@code --help} prints. */
    static final Map<String, String> OPTIONS = new LinkedHashMap<>();

    static {
        OPTIONS.put("work-dir", System.getProperty("java.io.tmpdir") + "/lab-provisioner-sandbox");
        OPTIONS.put("engine", "auto");
        OPTIONS.put("api-server-kubeconfig", "");
        OPTIONS.put("kubeconfig", "");
        OPTIONS.put("connection-file", "");
        OPTIONS.put("control-plane-bin", "");
        OPTIONS.put("bind-address", "127.0.0.1");
        OPTIONS.put("kubernetes-port", "0");
        OPTIONS.put("pod-ready-delay", "1s");
        OPTIONS.put("pod-termination-delay", "1s");
        OPTIONS.put("node-cpu-cores", "4");
        OPTIONS.put("unpullable-images", ".*\\.invalid/.*");
        OPTIONS.put("postgres-restart-delay", "0s");
        OPTIONS.put("parent-pid", "");
    }

    private SandboxClusterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (options.containsKey("help")) {
            System.out.println(usage());
            return;
        }
        Path workDir = Path.of(options.get("work-dir")).toAbsolutePath().normalize();
        Path connectionFile = options.get("connection-file").isBlank() ? workDir.resolve("sandbox.properties")
                : Path.of(options.get("connection-file")).toAbsolutePath();
        // Registered before anything starts: stopped in the middle of a start, it closes what is already running.
        List<AutoCloseable> running = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            deleteIfExists(connectionFile);
            SandboxRuntime.closeAll(running);
            stopped.countDown();
        }, "sandbox-shutdown"));
        SandboxRuntime runtime;
        VolumeServer volumeServer;
        try {
            deleteIfExists(connectionFile);
            runtime = SandboxRuntime.start(new SandboxRuntime.Settings(workDir, options.get("engine"),
                    Optional.of(options.get("api-server-kubeconfig")).filter(s -> !s.isBlank()).map(Path::of),
                    Optional.of(options.get("control-plane-bin")).filter(s -> !s.isBlank()), options.get("bind-address"),
                    Integer.parseInt(options.get("kubernetes-port")), duration(options, "postgres-restart-delay"),
                    duration(options, "pod-ready-delay"), duration(options, "pod-termination-delay"),
                    Double.parseDouble(options.get("node-cpu-cores")), options.get("unpullable-images")), running);
            volumeServer = VolumeServer.start(runtime.volumes(), options.get("bind-address"));
            running.add(volumeServer);
        } catch (RuntimeException e) {
            LOG.errorf(e, "The sandbox cluster could not start: %s", e.getMessage());
            System.exit(1);
            return;
        }
        if (!options.get("parent-pid").isBlank()) {
            long parent = Long.parseLong(options.get("parent-pid"));
            ProcessHandle.of(parent).ifPresentOrElse(
                    p -> p.onExit().thenRun(() -> {
                        LOG.infof("Process %d, which started the sandbox, has ended: stopping", parent);
                        System.exit(0);
                    }),
                    () -> System.exit(0));
        }
        if (!options.get("kubeconfig").isBlank()) {
            Path kubeconfig = Path.of(options.get("kubeconfig")).toAbsolutePath();
            writePrivately(kubeconfig, adminKubeconfig(runtime));
            LOG.infof("Kubeconfig for the sandbox's administrator: %s (kubectl --kubeconfig %s get namespaces)", kubeconfig, kubeconfig);
        }
        writePrivately(connectionFile, connection(runtime, volumeServer));
        LOG.infof("Sandbox cluster ready (%s); the service's connection: %s", runtime.engine().label(), connectionFile);
        stopped.await();
    }

    /** The connection file's properties, read by the service's {@code dev.labprovisioner.sandboxclient.SandboxConnection}. */
    static String connection(SandboxRuntime runtime, VolumeServer volumes) {
        var p = new Properties();
        p.setProperty("engine", runtime.engine().label());
        p.setProperty("pid", Long.toString(ProcessHandle.current().pid()));
        p.setProperty("kubernetes.url", runtime.apiUrl());
        runtime.serviceToken().ifPresent(t -> p.setProperty("kubernetes.token", t));
        runtime.caFile().ifPresent(f -> p.setProperty("kubernetes.ca-file", f.toString()));
        runtime.adminKubeconfig().ifPresent(f -> p.setProperty("kubernetes.admin-kubeconfig", f.toString()));
        p.setProperty("database.url", runtime.postgres().jdbcUrl(EmbeddedPostgresServer.SERVICE_DATABASE));
        p.setProperty("database.user", runtime.postgres().user());
        p.setProperty("database.data-directory", runtime.postgres().dataDirectory().toString());
        p.setProperty("volumes.url", volumes.url());
        p.setProperty("volumes.token", volumes.token());
        var out = new java.io.StringWriter();
        try {
            p.store(out, "Lab Provisioner sandbox cluster: how the service reaches it (secrets: keep private)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The sandbox administrator's kubeconfig (its token and CA). */
    static String adminKubeconfig(SandboxRuntime runtime) {
        try {
            return Files.readString(runtime.adminKubeconfig().orElseThrow());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> parse(String[] args) {
        var options = new LinkedHashMap<>(OPTIONS);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                options.put("help", "");
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("Unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (!OPTIONS.containsKey(name)) {
                throw new IllegalArgumentException("Unknown option --" + name);
            }
            options.put(name, value);
        }
        return options;
    }

    static String usage() {
        var text = new StringBuilder("Usage: sandbox-cluster/run [--option value]...\n"
                + "Starts the sandbox cluster (upstream's control plane and a simulated node where sandbox-cluster/build-control-plane.sh\n"
                + "built it, else the embedded imitation) and its PostgreSQL, until stopped. With --api-server-kubeconfig, a simulated\n"
                + "node (and PostgreSQL-backed volumes) for that API server instead. Options and defaults:\n");
        OPTIONS.forEach((k, v) -> text.append("  --").append(k).append(' ').append(v.isEmpty() ? "(none)" : v).append('\n'));
        return text.toString();
    }

    private static Duration duration(Map<String, String> options, String name) {
        return DurationConverter.parseDuration(options.get(name));
    }

    static void writePrivately(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".sandbox", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + file, e);
        }
    }

    private static void deleteIfExists(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing to do: a stale file names a dead process, which its reader checks
        }
    }
}
