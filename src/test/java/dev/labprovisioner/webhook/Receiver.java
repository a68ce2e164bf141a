package dev.labprovisioner.webhook;

import com.sun.net.httpserver.HttpServer;
import io.restassured.path.json.JsonPath;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An LMS's webhook endpoint, for real, over HTTP on 127.0.0.1: it keeps every request it gets and answers each with the
 * next scripted status (then 200), and checks signatures as a receiver would, with its own HMAC, not the service's.
 * Public for the packaged service's tests ({@code it}), which point real mode at it.
 */
public final class Receiver implements AutoCloseable {

    public record Received(Instant at, String id, String timestamp, String signature, String body) {
        public JsonPath json() {
            return JsonPath.from(body);
        }

        public String type() {
            return json().getString("type");
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<int[]> script = new ConcurrentLinkedQueue<>();

    public Receiver() {
        this(0);
    }

    /** On a given port: a receiver that comes up where one was down. */
    public Receiver(int port) {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            var headers = exchange.getRequestHeaders();
            received.add(new Received(Instant.now(), headers.getFirst("webhook-id"), headers.getFirst("webhook-timestamp"),
                    headers.getFirst("webhook-signature"), new String(body, StandardCharsets.UTF_8)));
            int[] next = script.poll();
            int status = next == null ? 200 : next[0];
            if (next != null && next.length > 1) {
                exchange.getResponseHeaders().add("Retry-After", Integer.toString(next[1]));
            }
            byte[] answer = ("{\"received\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return url(server.getAddress().getPort());
    }

    public static String url(int port) {
        return "http://127.0.0.1:" + port + "/hook";
    }

    /** A port nothing listens on (connections to it are refused) until a Receiver is made on it. */
    public static int freePort() {
        try (var socket = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next answers, in order; after them, 200. */
    Receiver answering(int... statuses) {
        for (int s : statuses) {
            script.add(new int[]{s});
        }
        return this;
    }

    Receiver answeringWithRetryAfter(int status, int seconds) {
        script.add(new int[]{status, seconds});
        return this;
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Verifies as the Standard Webhooks libraries do: some v1 signature of id.timestamp.body, and a fresh timestamp. */
    public static boolean verifies(String secret, Received r) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            byte[] expected = mac.doFinal((r.id() + "." + r.timestamp() + "." + r.body()).getBytes(StandardCharsets.UTF_8));
            boolean fresh = Math.abs(Instant.now().getEpochSecond() - Long.parseLong(r.timestamp())) < 300;
            for (String candidate : r.signature().split(" ")) {
                if (candidate.startsWith("v1,") && MessageDigest.isEqual(expected, Base64.getDecoder().decode(candidate.substring(3)))) {
                    return fresh;
                }
            }
            return false;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
