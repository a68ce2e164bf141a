package dev.labprovisioner.sandboxclient;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * What a running sandbox cluster wrote for the service ({@code sandbox-cluster/run}'s connection file): its engine, the
 * API server with the service's own credential, the service's database, and the volume server that stands in for a
 * kubelet's exec. The one thing the service knows of the sandbox.
 */
public record SandboxConnection(Path file, String engine, long pid, String kubernetesUrl, Optional<String> kubernetesToken,
                                Optional<String> kubernetesCaFile, Optional<String> adminKubeconfig, String databaseUrl,
                                String databaseUser, String databaseDataDirectory, String volumesUrl, String volumesToken) {

    /** The engines, as the connection file names them. */
    public static final String CONTROL_PLANE = "control-plane";
    public static final String IMITATION = "imitation";

    public static Optional<SandboxConnection> read(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        var p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the sandbox's connection file " + file, e);
        }
        return Optional.of(new SandboxConnection(file, required(p, file, "engine"), Long.parseLong(required(p, file, "pid")),
                required(p, file, "kubernetes.url"), Optional.ofNullable(p.getProperty("kubernetes.token")),
                Optional.ofNullable(p.getProperty("kubernetes.ca-file")), Optional.ofNullable(p.getProperty("kubernetes.admin-kubeconfig")),
                required(p, file, "database.url"), required(p, file, "database.user"), required(p, file, "database.data-directory"),
                required(p, file, "volumes.url"), required(p, file, "volumes.token")));
    }

    private static String required(Properties p, Path file, String name) {
        String v = p.getProperty(name);
        if (v == null || v.isBlank()) {
            throw new IllegalStateException("The sandbox's connection file " + file + " has no " + name);
        }
        return v;
    }

    /** The sandbox's process still runs. */
    public boolean alive() {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** A real API server (upstream's control plane, or any the sandbox's node agent was pointed at), not the imitation. */
    public boolean controlPlane() {
        return !IMITATION.equals(engine);
    }

    /**
     * The service's configuration for this sandbox: its database, and the Kubernetes client as the service's own
     * ServiceAccount (never an administrator), on either engine.
     */
    Map<String, String> serviceConfiguration() {
        var c = new HashMap<String, String>();
        c.put("labs.sandbox.connection", file.toString());
        c.put("quarkus.datasource.jdbc.url", databaseUrl);
        c.put("quarkus.datasource.username", databaseUser);
        c.put("quarkus.datasource.password", "");
        c.put("quarkus.kubernetes-client.api-server-url", kubernetesUrl);
        kubernetesToken.ifPresent(t -> c.put("quarkus.kubernetes-client.token", t));
        kubernetesCaFile.ifPresentOrElse(ca -> {
            c.put("quarkus.kubernetes-client.ca-cert-file", ca);
            c.put("quarkus.kubernetes-client.trust-certs", "false");
        }, () -> c.put("quarkus.kubernetes-client.trust-certs", "true"));
        c.put("quarkus.kubernetes-client.namespace", "lab-provisioner");
        return c;
    }

    /** The embedded PostgreSQL's process id, from its postmaster.pid: what an operator would {@code kill} (the tests do). */
    public Optional<Long> postgresPid() {
        try {
            return Optional.of(Long.parseLong(Files.readAllLines(Path.of(databaseDataDirectory).resolve("postmaster.pid")).get(0).trim()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
