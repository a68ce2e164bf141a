package dev.labprovisioner.sandboxclient;

import dev.labprovisioner.cluster.LabClusterWatch;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.config.LabsConfig;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sandbox only: the way into a pod's data, where a real cluster would exec {@code psql} in it. The sandbox's pods run
 * nothing; each volume is a real PostgreSQL database, which the sandbox's volume server hands out by claim UID.
 */
@ApplicationScoped
public class SandboxVolumes {

    private static final Pattern FIELD = Pattern.compile("\"(url|user|options)\":\"([^\"]*)\"");
    /** The most a result may hold in the driver's memory: a learner's {@code repeat('x', 5e8)} fails, not the JVM. */
    private static final String MAX_RESULT_BUFFER = "16M";

    private final Optional<SandboxConnection> connection;
    private final LabClusterWatch watch;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The volume server's answers by claim UID and role. */
    private final Map<String, String> answers = new ConcurrentHashMap<>();

    SandboxVolumes(LabsConfig config, LabClusterWatch watch) {
        this.connection = config.mode() == LabsConfig.Mode.SANDBOX
                ? config.sandbox().connection().flatMap(f -> SandboxConnection.read(Path.of(f)))
                : Optional.empty();
        this.watch = watch;
    }

    /** The service runs on a sandbox cluster (and so reads pods' data through their volumes). */
    public boolean active() {
        return connection.isPresent();
    }

    /**
     * Which engine the sandbox runs, if any: {@link SandboxConnection#IMITATION}, or {@link SandboxConnection#CONTROL_PLANE}
     * for a real API server (upstream's, or any other the sandbox's node agent serves).
     */
    public Optional<String> engine() {
        return connection.map(c -> c.controlPlane() ? SandboxConnection.CONTROL_PLANE : SandboxConnection.IMITATION);
    }

    /**
     * The database behind a pod's data volume: the claim its {@code data} volume names, by that claim's UID.
     * {@code asLearner}: as the learner would be in the pod; otherwise as the service's checks (see the sandbox's ClaimDatabases).
     */
    public Connection open(Pod pod, boolean asLearner) throws SQLException {
        SandboxConnection sandbox = connection.orElseThrow(() -> new IllegalStateException("Not in sandbox mode"));
        String name = pod.getMetadata().getName();
        String claimName = LabObservation.claimOf(pod).orElseThrow(() -> new SQLException("Pod " + name + " has no PersistentVolumeClaim: it has no data to read"));
        PersistentVolumeClaim claim = watch.claim(pod.getMetadata().getNamespace(), claimName)
                .orElseThrow(() -> new SQLException("The claim " + claimName + " of pod " + name + " does not exist"));
        String key = claim.getMetadata().getUid() + (asLearner ? "/learner" : "/check");
        // The volume server makes a claim's database once; after that its answer does not change while the claim lives.
        String body = answers.get(key);
        if (body == null) {
            body = volume(sandbox, claim.getMetadata().getUid(), asLearner);
            answers.put(key, body);
        }
        var props = new Properties();
        String url = null;
        Matcher m = FIELD.matcher(body);
        while (m.find()) {
            switch (m.group(1)) {
                case "url" -> url = m.group(2);
                case "user" -> props.setProperty("user", m.group(2));
                default -> {
                    if (!m.group(2).isEmpty()) {
                        props.setProperty("options", m.group(2));
                    }
                }
            }
        }
        if (url == null) {
            throw new SQLException("The sandbox's volume server gave no database for " + claimName);
        }
        props.setProperty("password", "");
        props.setProperty("maxResultBuffer", MAX_RESULT_BUFFER);
        try {
            return DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            answers.remove(key); // a volume deleted (its database dropped) or the sandbox restarted: ask again next time
            throw e;
        }
    }

    private String volume(SandboxConnection sandbox, String claimUid, boolean asLearner) throws SQLException {
        var request = HttpRequest.newBuilder(URI.create(sandbox.volumesUrl() + "/volumes/" + claimUid + (asLearner ? "?as=learner" : "")))
                .header("Authorization", "Bearer " + sandbox.volumesToken())
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return switch (response.statusCode()) {
                case 200 -> response.body();
                case 410 -> throw new SQLException("The volume of claim " + claimUid + " was deleted, and its data with it");
                default -> throw new SQLException("The sandbox's volume server answered " + response.statusCode() + " for claim " + claimUid);
            };
        } catch (IOException e) {
            throw new SQLException("The sandbox's volume server did not answer: " + e.getMessage(), "08001", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("Interrupted", e);
        }
    }
}
