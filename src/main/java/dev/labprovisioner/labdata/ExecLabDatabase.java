package dev.labprovisioner.labdata;

import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.lab.Lab;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Real mode: runs {@code psql} in the pod through a Kubernetes exec, as the lab's {@code postgres} user with
 * the password from the lab's Secret. The password goes in on stdin, never on the command line (which the
 * API server's audit log records).
 */
final class ExecLabDatabase implements LabDatabase {

    private static final String FIELD_SEPARATOR = "\u001f";
    private static final int MAX_OUTPUT = 1 << 20;
    /** $1 is the SQL; the password is the first line of stdin. */
    private static final String SCRIPT = "IFS= read -r PGPASSWORD; export PGPASSWORD; exec psql -h 127.0.0.1 -U "
            + LabNames.POSTGRES_USER + " -d " + LabNames.POSTGRES_DATABASE
            + " -X -q -A -t -v ON_ERROR_STOP=1 -F \"$(printf '\\037')\" -c \"$1\"";

    private final KubernetesClient client;
    private final Duration timeout;

    ExecLabDatabase(KubernetesClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    @Override
    public List<TableDigest> digest(Lab lab, Pod pod) throws LabDataException {
        return parse(run(lab, pod, DIGEST_SQL));
    }

    /** What runs in the pod: {@code sh -c SCRIPT sh <sql>}; the password comes on stdin. */
    static String[] command(String sql) {
        return new String[]{"sh", "-c", SCRIPT, "sh", sql};
    }

    static List<TableDigest> parse(String output) throws LabDataException {
        var tables = new ArrayList<TableDigest>();
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(FIELD_SEPARATOR, -1);
            if (f.length != 3) {
                throw new LabDataException("Unexpected psql output: " + line);
            }
            try {
                tables.add(new TableDigest(f[0], Long.parseLong(f[1].trim()), f[2].trim()));
            } catch (NumberFormatException e) {
                throw new LabDataException("Unexpected psql output: " + line);
            }
        }
        return tables;
    }

    private String run(Lab lab, Pod pod, String sql) throws LabDataException {
        String name = pod.getMetadata().getName();
        String container = pod.getSpec().getContainers().get(0).getName();
        var out = new Bounded(MAX_OUTPUT);
        var err = new Bounded(MAX_OUTPUT);
        try (ExecWatch exec = client.pods().inNamespace(lab.namespace).withName(name).inContainer(container)
                .redirectingInput().writingOutput(out).writingError(err)
                .exec(command(sql))) {
            exec.getInput().write((password(lab) + "\n").getBytes(StandardCharsets.UTF_8));
            exec.getInput().flush();
            Integer code = exec.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            // null: the connection closed before the container reported how psql ended.
            if (code == null || code != 0 || out.overflowed()) {
                throw new LabDataException("psql in " + name + " failed: " + err.toString(StandardCharsets.UTF_8).trim());
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException | ExecutionException | KubernetesClientException e) {
            throw new LabDataException("Could not run psql in " + name + " (kubectl exec " + name + " -c " + container
                    + " in namespace " + lab.namespace + "): " + why(e), e);
        } catch (TimeoutException e) {
            throw new LabDataException("psql in " + name + " did not answer within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabDataException("Interrupted while reading the database of " + name, e);
        }
    }

    /**
     * What went wrong with an exec, in words: the API server's answer (its code and message: the pod not running, exec
     * forbidden, no kubelet to reach) and the deepest cause, rather than the client's "An error has occurred."
     */
    static String why(Throwable e) {
        var parts = new java.util.LinkedHashSet<String>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.fabric8.kubernetes.client.http.WebSocketHandshakeException h) {
                int code = h.getResponse().code();
                parts.add("the API server refused the exec with HTTP " + code + switch (code) {
                    case 400 -> " (the container is not running, or the pod has no such container)";
                    case 401, 403 -> " (the service may not exec in this namespace: check its RBAC)";
                    case 404 -> " (the pod is gone)";
                    case 500, 502, 503 -> " (the API server could not reach the node's kubelet)";
                    default -> "";
                });
                break;
            }
            if (t instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
                parts.add("the API server answered " + k.getCode() + ": " + k.getStatus().getMessage());
            } else if (t instanceof KubernetesClientException k && k.getCode() > 0) {
                parts.add("the API server answered " + k.getCode());
            }
            if (t.getCause() == null || t.getCause() == t) {
                String message = t.getMessage();
                parts.add(t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message));
            }
        }
        return String.join("; ", parts);
    }

    /** Keeps at most {@code limit} bytes: a container that floods its output cannot fill the service's memory. */
    private static final class Bounded extends ByteArrayOutputStream {
        private final int limit;
        private boolean overflowed;

        Bounded(int limit) {
            this.limit = limit;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int room = Math.max(0, limit - count);
            overflowed |= len > room;
            super.write(b, off, Math.min(len, room));
        }

        @Override
        public synchronized void write(int b) {
            if (count < limit) {
                super.write(b);
            } else {
                overflowed = true;
            }
        }

        synchronized boolean overflowed() {
            return overflowed;
        }
    }

    private String password(Lab lab) throws LabDataException {
        Secret secret = client.secrets().inNamespace(lab.namespace).withName(LabNames.POSTGRES_SECRET).get();
        if (secret == null || secret.getData() == null || !secret.getData().containsKey(LabNames.POSTGRES_PASSWORD_KEY)) {
            throw new LabDataException("The Secret " + LabNames.POSTGRES_SECRET + " with the database password is missing");
        }
        return new String(Base64.getDecoder().decode(secret.getData().get(LabNames.POSTGRES_PASSWORD_KEY)), StandardCharsets.UTF_8);
    }
}
