package dev.labprovisioner.webhook;

import dev.labprovisioner.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.labprovisioner.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

/**
 * Real deliveries verified by the official Standard Webhooks library ({@code standardwebhooks} from npm; its Java
 * artifact is not on Maven Central): {@code src/test/webhook-receiver/receiver.mjs} runs its {@code Webhook.verify()}
 * on every POST of a lab's whole life, and on a rotation's two signatures.
 * <p>
 * Needs {@code node} and {@code npm ci} in {@code src/test/webhook-receiver} (what {@code .ci/run} does). Without them
 * the test is skipped, unless {@code LABS_REQUIRE_TEST_TOOLS=true} (set by CI) makes it fail.
 */
@QuarkusTest
class WebhookLibraryReceiverTests {

    private static final Path RECEIVER_DIR = Path.of("src/test/webhook-receiver");
    private static final Duration ARRIVES = Duration.ofSeconds(20);

    /** The node receiver: its stdout lines as JSON, its stdin for the secret. */
    private static final class NodeReceiver implements AutoCloseable {
        final Process process;
        final List<JsonPath> lines = new CopyOnWriteArrayList<>();
        final StringBuilder output = new StringBuilder();

        NodeReceiver() throws IOException {
            process = new ProcessBuilder("node", "receiver.mjs").directory(RECEIVER_DIR.toFile()).redirectErrorStream(true).start();
            Thread reader = new Thread(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        synchronized (output) {
                            output.append(line).append('\n');
                        }
                        if (line.startsWith("{")) {
                            lines.add(JsonPath.from(line));
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "node-receiver-output");
            reader.setDaemon(true);
            reader.start();
        }

        String url() {
            await().atMost(Duration.ofSeconds(20)).until(() -> port() != null);
            return "http://127.0.0.1:" + port() + "/hook";
        }

        private Integer port() {
            return lines.stream().filter(l -> l.get("listening") != null).map(l -> l.getInt("listening")).findFirst().orElse(null);
        }

        void secret(String secret) throws IOException {
            Writer in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            in.write(secret + "\n");
            in.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.stream().anyMatch(l -> "set".equals(l.getString("secret"))));
        }

        List<JsonPath> ofLab(String lab) {
            return lines.stream().filter(l -> lab.equals(l.getString("lab"))).toList();
        }

        List<JsonPath> rejected() {
            return lines.stream().filter(l -> Boolean.FALSE.equals(l.get("verified"))).toList();
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close(); // the receiver stops when its stdin ends
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }

        @Override
        public String toString() {
            synchronized (output) {
                return output.toString();
            }
        }
    }

    @Test
    void theOfficialLibraryVerifiesEveryDeliveryOfALabsLifeAndARotationsTwoSignatures() throws Exception {
        requireNodeAndLibrary();
        try (var receiver = new NodeReceiver()) {
            String lms = Api.lmsClient();
            var subscription = as(lms).body(java.util.Map.of("url", receiver.url())).post("/api/v1/webhooks").then().statusCode(201).extract();
            String webhookId = subscription.path("id");
            receiver.secret(subscription.path("secret"));

            String lab = Api.createLab(lms, Api.unique("learner"), "webhooks", "one-checkpoint").statusCode(202).extract().path("id");
            Api.awaitState(lms, lab, "READY");
            as(lms).post("/api/v1/labs/" + lab + "/checkpoints/write-data/validate").then().statusCode(200);
            as(lms).post("/api/v1/labs/" + lab + "/checkpoints/stable-identity/validate").then().statusCode(200);
            as(lms).delete("/api/v1/labs/" + lab).then().statusCode(202);
            await().atMost(ARRIVES).until(() -> receiver.ofLab(lab).stream().anyMatch(l -> "lab.deleted".equals(l.getString("type"))));

            List<JsonPath> verified = receiver.ofLab(lab);
            assertThat(verified).as("%s", receiver).extracting(l -> l.getString("type"))
                    .containsExactly("lab.ready", "checkpoint.failed", "checkpoint.passed", "lab.completed", "lab.deleted");
            assertThat(verified).allSatisfy(l -> assertThat(l.getBoolean("verified")).isTrue());
            assertThat(receiver.rejected()).as("%s", receiver).isEmpty();
            // The service saw the library's 204 for each.
            as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().statusCode(200)
                    .body("items.state", contains("DELIVERED", "DELIVERED", "DELIVERED", "DELIVERED", "DELIVERED"))
                    .body("items.attempts.status.flatten()", contains(204, 204, 204, 204, 204));

            // After a rotation the header holds two signatures; the library, still holding the old secret, verifies it.
            as(lms).post("/api/v1/webhooks/" + webhookId + "/rotate-secret").then().statusCode(200);
            int first = as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().extract().path("items[4].id");
            as(lms).post("/api/v1/webhooks/" + webhookId + "/deliveries/" + first + "/redeliver").then().statusCode(202);
            await().atMost(ARRIVES).until(() -> receiver.ofLab(lab).size() == 6);
            JsonPath redelivered = receiver.ofLab(lab).get(5);
            assertThat(redelivered.getString("type")).isEqualTo("lab.ready");
            assertThat(redelivered.getString("id")).isEqualTo(verified.get(0).getString("id"));
            assertThat(redelivered.getInt("signatures")).isEqualTo(2);
            assertThat(redelivered.getBoolean("verified")).isTrue();

            // The same library refuses what another secret signed: the receiver is not one that accepts anything.
            byte[] body = "{\"type\":\"lab.ready\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"data\":{}}".getBytes(StandardCharsets.UTF_8);
            long now = Instant.now().getEpochSecond();
            var forged = HttpRequest.newBuilder(URI.create(receiver.url())).header("content-type", "application/json")
                    .header("webhook-id", "msg_forged").header("webhook-timestamp", Long.toString(now))
                    .header("webhook-signature", WebhookSignature.sign(WebhookSecrets.newSecret(), "msg_forged", now, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            assertThat(HttpClient.newHttpClient().send(forged, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(400);
            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.rejected().size() == 1);
            assertThat(receiver.rejected().get(0).getString("id")).isEqualTo("msg_forged");
        }
    }

    private static void requireNodeAndLibrary() throws IOException, InterruptedException {
        boolean node;
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            node = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            node = false;
        }
        boolean library = Files.isDirectory(RECEIVER_DIR.resolve("node_modules/standardwebhooks"));
        String missing = (node ? "" : "node (apt-get install nodejs) ")
                + (library ? "" : "standardwebhooks (cd src/test/webhook-receiver && npm ci --no-audit --no-fund)");
        if ("true".equals(System.getenv("LABS_REQUIRE_TEST_TOOLS"))) {
            assertThat(missing).as("webhook library test prerequisites").isEmpty();
        }
        Assumptions.assumeTrue(missing.isEmpty(), "Skipping the Standard Webhooks library test, missing: " + missing);
    }
}
