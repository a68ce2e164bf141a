package dev.labprovisioner.database;

import dev.labprovisioner.Api;
import dev.labprovisioner.sandboxclient.RunningSandbox;
import dev.labprovisioner.security.ActiveClients;
import dev.labprovisioner.security.SecretHashes;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service's own PostgreSQL is killed (SIGKILL to the postmaster, as the OOM killer or a crash would) while an LMS
 * keeps calling: every call is answered at once with 503 problem+json and Retry-After, readiness goes DOWN saying
 * nothing of the error, the log gets a few lines rather than one per request; and once the sandbox has started the
 * database again on its data, everything works again without a restart of the service.
 */
@QuarkusTest
@TestProfile(DatabaseOutageProfile.class)
class DatabaseOutageTests {

    private static final Path LOG = Path.of("target/test-service.log");

    @Inject
    AgroalDataSource dataSource;
    @Inject
    ActiveClients activeClients;

    /** One answer the load got: when it was sent (ms since the kill, negative before), its status and how long it took. */
    record Answer(long sentAtMs, int status, String contentType, Optional<String> retryAfter, long tookMs, String body) {
    }

    private static long timed(Runnable call) {
        long start = System.nanoTime();
        call.run();
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void theDatabaseGoesAwayAndComesBack() throws Exception {
        String lms = Api.lmsClient();
        String before = Api.createLab(lms, Api.unique("before"), "db-101").statusCode(202).extract().path("id");
        Api.awaitState(lms, before, "READY");
        RestAssured.given().get("/q/health/ready").then().statusCode(200);

        // Load: an LMS listing, reading and creating labs, four callers at once, until told to stop.
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://localhost:" + RestAssured.port;
        var answers = new ConcurrentLinkedQueue<Answer>();
        Set<String> created = ConcurrentHashMap.newKeySet();
        var stop = new AtomicBoolean();
        long[] killedAt = {Long.MAX_VALUE};
        var creates = new AtomicInteger();
        // Each caller sends its next request 20 ms after the last one was sent (never two of its own at once).
        ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
        List<HttpRequest.Builder> kinds = List.of(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/labs?courseId=db-101")).GET(),
                HttpRequest.newBuilder(URI.create(base + "/api/v1/labs/" + before)).GET(),
                HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/clients")).GET());
        for (int t = 0; t < 4; t++) {
            int caller = t;
            load.scheduleAtFixedRate(() -> {
                if (!stop.get()) {
                    HttpRequest request;
                    if (caller == 3) {
                        String body = "{\"learnerId\":\"load-" + creates.incrementAndGet() + "-" + System.nanoTime() + "\",\"courseId\":\"db-101\","
                                + "\"template\":\"postgres-statefulset\"}";
                        request = HttpRequest.newBuilder(URI.create(base + "/api/v1/labs")).header("Content-Type", "application/json")
                                .header("Authorization", "Bearer " + lms).POST(HttpRequest.BodyPublishers.ofString(body))
                                .timeout(Duration.ofSeconds(20)).build();
                    } else {
                        String secret = caller == 2 ? Api.ADMIN_TOKEN : lms;
                        request = kinds.get(caller).copy().header("Authorization", "Bearer " + secret).timeout(Duration.ofSeconds(20)).build();
                    }
                    long sent = System.nanoTime();
                    try {
                        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        long took = (System.nanoTime() - sent) / 1_000_000;
                        answers.add(new Answer((sent - killedAt[0]) / 1_000_000, response.statusCode(),
                                response.headers().firstValue("Content-Type").orElse(""), response.headers().firstValue("Retry-After"),
                                took, response.body()));
                        if (caller == 3 && response.statusCode() == 202) {
                            created.add(response.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1"));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() > 20);

        long logFrom = Files.size(LOG);
        long pid = RunningSandbox.connection().postgresPid().orElseThrow();
        killedAt[0] = System.nanoTime();
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).as("SIGKILL sent to the postmaster").isTrue();

        // Readiness goes DOWN, and its body (no credential needed) names neither the server nor the driver's error.
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> RestAssured.given().get("/q/health/ready").statusCode() == 503);
        String port = ":" + RunningSandbox.connection().databaseUrl().replaceAll(".*:(\\d+)/.*$", "$1");
        String readiness = RestAssured.given().get("/q/health/ready").then().statusCode(503).extract().asString();
        assertThat(readiness).contains("\"database\"").contains("DOWN");
        assertThat(readiness).doesNotContainIgnoringCase("jdbc").doesNotContainIgnoringCase("postgres")
                .doesNotContainIgnoringCase("refused").doesNotContainIgnoringCase("connection").doesNotContain("127.0.0.1")
                .doesNotContain(port);

        // The LMS, while the database is away: 503 problem+json with Retry-After, at once, for reads, creates and admin calls.
        String retryAfter = String.valueOf(DatabaseOutageProfile.RETRY_AFTER_SECONDS);
        long[] took = new long[3];
        took[0] = timed(() -> Api.as(lms).get("/api/v1/labs/" + before).then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", retryAfter)
                .body("status", org.hamcrest.Matchers.equalTo(503)).body("detail", org.hamcrest.Matchers.containsString("try again")));
        took[1] = timed(() -> Api.createLab(lms, Api.unique("during"), "db-101").statusCode(503)
                .contentType("application/problem+json").header("Retry-After", retryAfter));
        took[2] = timed(() -> Api.asAdmin().get("/api/v1/admin/clients").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", retryAfter));
        System.out.printf("DatabaseOutageTests: read, create and admin call answered 503 in %d, %d and %d ms%n", took[0], took[1], took[2]);
        assertThat(java.util.Arrays.stream(took).max().orElseThrow()).as("each answered within the acquisition timeout (1 s)").isLessThanOrEqualTo(1_000);

        // The sandbox starts it again on the same data (after 4 s); readiness comes back by itself.
        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(100))
                .until(() -> RestAssured.given().get("/q/health/ready").statusCode() == 200);
        long backAfterMs = (System.nanoTime() - killedAt[0]) / 1_000_000;
        await().atMost(Duration.ofSeconds(10)).until(() -> answers.stream().filter(a -> a.sentAtMs() > backAfterMs && a.status() == 200).count() > 10);
        stop.set(true);
        load.shutdown();
        assertThat(load.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        var during = answers.stream().filter(a -> a.sentAtMs() >= 0).toList();
        var unavailable = during.stream().filter(a -> a.status() == 503).toList();
        System.out.printf("DatabaseOutageTests: %d answers after the kill, %d of them 503 (slowest %d ms), readiness back after %d ms%n",
                during.size(), unavailable.size(), unavailable.stream().mapToLong(Answer::tookMs).max().orElse(0), backAfterMs);
        assertThat(during).as("nothing but 2xx and 503: no 500 flood").allSatisfy(a -> assertThat(a.status()).as(a.body()).isIn(200, 202, 503));
        assertThat(unavailable).as("the outage was seen by the load").hasSizeGreaterThan(20);
        assertThat(unavailable).allSatisfy(a -> {
            assertThat(a.contentType()).startsWith("application/problem+json");
            assertThat(a.retryAfter()).contains(String.valueOf(DatabaseOutageProfile.RETRY_AFTER_SECONDS));
            assertThat(a.tookMs()).as("answered within the acquisition timeout (1 s)").isLessThanOrEqualTo(1_000);
        });

        // The log: a few lines about the outage, no stack trace, not a line per failed request.
        String log;
        try (var file = java.nio.channels.FileChannel.open(LOG)) {
            var buffer = java.nio.ByteBuffer.allocate((int) (file.size() - logFrom));
            file.read(buffer, logFrom);
            log = new String(buffer.array(), StandardCharsets.UTF_8);
        }
        List<String> lines = log.lines().toList();
        System.out.println("DatabaseOutageTests: log during the outage (" + lines.size() + " lines):\n" + log);
        assertThat(lines).as("no stack trace").noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by"));
        // What the service says about it: not the embedded server's own log (a real one has its own), nor the labs' lives.
        var service = lines.stream().filter(l -> !l.contains("[io.zon.") && !l.contains("[dev.lab.lab.LabHistory]")).toList();
        assertThat(service).as("one line per state change, not per request (%d 503s)", unavailable.size()).hasSizeLessThan(12);
        assertThat(log).contains("The service's database cannot be reached").contains("The service's database is reachable again");
        assertThat(log).as("no lab forgotten by the restarted database, so no namespace of one swept").doesNotContain("Swept namespace");

        // Everything works again, without a restart: what was there is there, and an authenticated LMS is served.
        Api.as(lms).get("/api/v1/labs/" + before).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("READY"));
        String after = Api.createLab(lms, Api.unique("after"), "db-101").statusCode(202).extract().path("id");
        Api.awaitState(lms, after, "READY");
        // Labs accepted around the outage are provisioned too (the reconciler and the informers' work caught up).
        for (String id : created) {
            Api.awaitState(lms, id, "READY", Duration.ofSeconds(60));
        }

        // The NOTIFY listener is back: a secret answered from memory stops working when another replica revokes it.
        var reader = Api.asAdmin().body(java.util.Map.of("name", "after-outage", "scopes", List.of("labs:read")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract();
        String secret = reader.path("secret");
        await().atMost(Duration.ofSeconds(10)).until(() -> Api.as(secret).get("/api/v1/labs").statusCode() == 200
                && activeClients.cached(SecretHashes.sha256Hex(secret)).isPresent());
        try (Connection c = dataSource.getConnection(); var st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("UPDATE api_clients SET revoked_at = now() WHERE id = '" + reader.path("id") + "'");
            st.execute("SELECT pg_notify('" + ActiveClients.CHANNEL + "', '')");
            c.commit();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                Api.as(secret).get("/api/v1/labs").then().statusCode(401).contentType("application/problem+json"));
    }
}
