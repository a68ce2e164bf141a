package dev.labprovisioner.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the in-process API's request counters and sets its write-fault injection, over HTTP. */
public final class SandboxControls {

    /** What the in-process API has served since it started; {@code requests} excludes the simulator's. */
    public record Stats(long requests, long simulatorRequests, long writes, long injectedFaults) {
    }

    private final HttpClient http;
    private final String apiUrl;
    /** The administrator's token on a secured imitation (the controls are theirs); null on the plain-HTTP one. */
    private final String adminToken;

    /** The plain-HTTP imitation ({@link SandboxKubernetesApi#start(int)}). */
    public SandboxControls(String apiUrl) {
        this.http = HttpClient.newHttpClient();
        this.apiUrl = apiUrl;
        this.adminToken = null;
    }

    /** The secured imitation: its CA (PEM) and the administrator's token ({@link SandboxKubernetesApi#adminToken()}). */
    public SandboxControls(String apiUrl, String caPem, String adminToken) {
        this.http = HttpClient.newBuilder().sslContext(SandboxCertificates.trusting(caPem)).build();
        this.apiUrl = apiUrl;
        this.adminToken = adminToken;
    }

    public Stats stats() {
        return parse(send(HttpRequest.newBuilder(URI.create(apiUrl + SandboxKubernetesApi.CONTROL_PATH + "stats")).GET()));
    }

    /** Makes {@code rate} (0..1) of writes by the service fail; 0 turns faults off. */
    public Stats injectWriteFaults(double rate, Duration delay) {
        return parse(send(HttpRequest.newBuilder(URI.create(apiUrl + SandboxKubernetesApi.CONTROL_PATH + "faults?rate=" + rate
                + "&delayMs=" + delay.toMillis())).POST(HttpRequest.BodyPublishers.noBody())));
    }

    private String send(HttpRequest.Builder request) {
        if (adminToken != null) {
            request.header("Authorization", "Bearer " + adminToken);
        }
        try {
            return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException("The sandbox Kubernetes API did not answer", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Stats parse(String json) {
        return new Stats(number(json, "requests"), number(json, "simulatorRequests"), number(json, "writes"), number(json, "injectedFaults"));
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("No " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }
}
