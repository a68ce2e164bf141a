package dev.labprovisioner.sandbox;

import dev.labprovisioner.sandbox.controlplane.ControlPlane;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The official client as a learner runs it: the {@code kubectl} binary ({@code LABS_KUBECTL}, else the PATH), with a
 * kubeconfig, a HOME and a discovery cache of its own. Missing, it skips the test, or fails it under
 * {@code LABS_REQUIRE_TEST_TOOLS=true} (CI; {@code build-control-plane.sh} unpacks Debian's {@code kubernetes-client}).
 */
public final class Kubectl implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

    /** What one command printed (stdout and stderr together) and its exit code. */
    public record Result(int exit, String output) {
    }

    private final Path binary;
    private final Path home;
    private final String namespace;

    private Kubectl(Path binary, Path home, String namespace) {
        this.binary = binary;
        this.home = home;
        this.namespace = namespace;
    }

    /**
     * The kubectl binary, if there is one: {@code LABS_KUBECTL}, else Debian's kubectl of the control plane's version that
     * {@code build-control-plane.sh} unpacked beside the binaries, else the first on the PATH.
     */
    public static Optional<Path> find() {
        String configured = System.getenv("LABS_KUBECTL");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        String bin = System.getenv("LABS_SANDBOX_CONTROL_PLANE_BIN");
        Path matching = (bin != null && !bin.isBlank() ? Path.of(bin) : ControlPlane.Binaries.defaultDir()).resolve("kubectl");
        if (Files.isExecutable(matching)) {
            return Optional.of(matching);
        }
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "kubectl")).filter(Files::isExecutable).findFirst();
    }

    /** For tests: kubectl or a skip (a failure where test tools are required). */
    public static Path require() {
        Optional<Path> found = find();
        if ("true".equals(System.getenv("LABS_REQUIRE_TEST_TOOLS"))) {
            assertTrue(found.isPresent(), "kubectl is required (apt-get install kubernetes-client, or set LABS_KUBECTL)");
        }
        assumeTrue(found.isPresent(), "kubectl is not on the PATH");
        return found.get();
    }

    /** kubectl with this kubeconfig, its commands in {@code namespace} unless they name another. */
    public static Kubectl with(Path binary, String kubeconfig, String namespace) {
        try {
            Path home = Files.createTempDirectory("kubectl-home");
            Files.writeString(home.resolve("kubeconfig"), kubeconfig);
            return new Kubectl(binary, home, namespace);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs kubectl and asserts it succeeded; returns what it printed, stripped. */
    public String ok(String... args) {
        return okWithInput(null, args);
    }

    public String okWithInput(String stdin, String... args) {
        Result result = run(stdin, args);
        assertEquals(0, result.exit(), "kubectl " + String.join(" ", args) + ":\n" + result.output());
        return result.output().strip();
    }

    public Result run(String stdin, String... args) {
        return runIn(namespace, stdin, args);
    }

    /** Runs kubectl with its commands in {@code namespace}. */
    public Result runIn(String namespace, String stdin, String... args) {
        try {
            Process process = builder(namespace, args).start();
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            // read while it runs, so a full pipe cannot stall it
            var output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in " + COMMAND_TIMEOUT);
            }
            return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A command left running, {@code kubectl get pods -w} in the learner's second terminal: read what it printed so far. */
    public final class Running implements AutoCloseable {
        private final Process process;
        private final Path out;

        private Running(Process process, Path out) {
            this.process = process;
            this.out = out;
        }

        public List<String> lines() {
            try {
                return Files.readAllLines(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public boolean alive() {
            return process.isAlive();
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    public Running start(String... args) {
        try {
            Path out = Files.createTempFile(home, "running", ".out");
            return new Running(builder(namespace, args).redirectOutput(out.toFile()).start(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProcessBuilder builder(String namespace, String... args) {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--namespace", namespace));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("KUBECONFIG", home.resolve("kubeconfig").toString());
        builder.environment().put("HOME", home.toString());
        builder.environment().put("KUBECACHEDIR", home.resolve("cache").toString());
        return builder;
    }

    @Override
    public void close() {
        try (var files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
