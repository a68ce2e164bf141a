package dev.labprovisioner.webhook;

import dev.labprovisioner.Api;
import dev.labprovisioner.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.inject.Inject;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.labprovisioner.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * Webhooks end to end: a real HTTP receiver in this JVM subscribes through the API, labs live their lives through
 * the API, and what arrives is checked as an LMS would check it (signature, order, ids), along with what the
 * deliveries endpoint says. Retries are milliseconds apart in the test profile.
 */
@QuarkusTest
class WebhookTests {

    private static final Duration ARRIVES = Duration.ofSeconds(20);

    private static ExtractableResponse<Response> subscribe(String lms, String url, List<String> events) {
        var body = new java.util.HashMap<String, Object>();
        body.put("url", url);
        if (events != null) {
            body.put("events", events);
        }
        return as(lms).body(body).post("/api/v1/webhooks").then().statusCode(201).extract();
    }

    private static List<Receiver.Received> ofLab(Receiver receiver, String labId) {
        return receiver.received().stream().filter(r -> labId.equals(r.json().getString("data.lab.id"))).toList();
    }

    @Test
    void aWholeLabLifeArrivesInOrderSignedAndOnce() {
        try (var receiver = new Receiver()) {
            String lms = Api.lmsClient();
            var subscription = subscribe(lms, receiver.url(), null);
            String secret = subscription.path("secret");
            assertThat(secret).startsWith("whsec_");
            assertThat(subscription.<List<String>>path("events")).containsExactly("lab.ready", "lab.failed", "lab.expiring", "lab.deleted",
                    "checkpoint.passed", "checkpoint.failed", "lab.completed");
            String webhookId = subscription.path("id");

            String lab = Api.createLab(lms, Api.unique("learner"), "webhooks", "one-checkpoint").statusCode(202).extract().path("id");
            Api.awaitState(lms, lab, "READY");
            as(lms).post("/api/v1/labs/" + lab + "/checkpoints/write-data/validate").then().statusCode(200).body("status", equalTo("FAILED"));
            as(lms).post("/api/v1/labs/" + lab + "/checkpoints/stable-identity/validate").then().statusCode(200).body("status", equalTo("PASSED"));
            // Passing again is no news: no second checkpoint.passed, no second lab.completed.
            as(lms).post("/api/v1/labs/" + lab + "/checkpoints/stable-identity/validate").then().statusCode(200).body("status", equalTo("PASSED"));
            as(lms).delete("/api/v1/labs/" + lab).then().statusCode(202);
            Api.awaitState(lms, lab, "DELETED");

            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).stream().anyMatch(r -> r.type().equals("lab.deleted")));
            List<Receiver.Received> events = ofLab(receiver, lab);
            assertThat(events).extracting(Receiver.Received::type)
                    .containsExactly("lab.ready", "checkpoint.failed", "checkpoint.passed", "lab.completed", "lab.deleted");
            assertThat(events).allSatisfy(r -> {
                assertThat(Receiver.verifies(secret, r)).as("signature of %s", r.type()).isTrue();
                assertThat(r.id()).startsWith("msg_");
                assertThat(r.json().getString("timestamp")).isNotBlank();
            });
            assertThat(events).extracting(Receiver.Received::id).doesNotHaveDuplicates();
            assertThat(events.get(0).json().getString("data.lab.state")).isEqualTo("READY");
            assertThat(events.get(0).json().getString("data.lab.learnerUrl")).contains("/learn/");
            assertThat(events.get(1).json().getString("data.checkpoint.id")).isEqualTo("write-data");
            assertThat(events.get(1).json().getString("data.checkpoint.status")).isEqualTo("FAILED");
            assertThat(events.get(2).json().getString("data.checkpoint.id")).isEqualTo("stable-identity");
            assertThat(events.get(2).json().getString("data.checkpoint.passedAt")).isNotBlank();
            assertThat(events.get(3).json().getBoolean("data.progress.completed")).isTrue();
            assertThat(events.get(3).json().getInt("data.progress.score")).isEqualTo(10);
            assertThat(events.get(4).json().getString("data.lab.state")).isEqualTo("DELETED");
            assertThat(events.get(4).json().getString("data.lab.learnerUrl")).isNull();

            // Newest first, each delivered at its first attempt, which the receiver answered 200.
            as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().statusCode(200)
                    .body("total", equalTo(5))
                    .body("items.type", contains("lab.deleted", "lab.completed", "checkpoint.passed", "checkpoint.failed", "lab.ready"))
                    .body("items.state", contains("DELIVERED", "DELIVERED", "DELIVERED", "DELIVERED", "DELIVERED"))
                    .body("items[0].webhookId", equalTo(events.get(4).id()))
                    .body("items[0].attempts", hasSize(1))
                    .body("items[0].attempts[0].status", equalTo(200))
                    .body("items[0].attempts[0].response", equalTo("{\"received\":200}"));
        }
    }

    @Inject
    Outbox outbox;

    @Test
    void anEventWhoseTransactionRollsBackIsNeverSentAndOneThatCommitsIs() {
        try (var receiver = new Receiver()) {
            String lms = Api.lmsClient();
            String webhookId = subscribe(lms, receiver.url(), null).path("id");
            String key = java.util.UUID.randomUUID().toString();
            assertThatThrownBy(() -> QuarkusTransaction.requiringNew().run(() -> {
                outbox.append("lab.ready", key, "{\"rolled\":\"back\"}", WebhookEvents.CHANNEL, List.of(webhookId));
                throw new IllegalStateException("the change failed after its event was written");
            })).hasMessageContaining("the change failed");
            QuarkusTransaction.requiringNew().run(() ->
                    outbox.append("lab.ready", key, "{\"committed\":true}", WebhookEvents.CHANNEL, List.of(webhookId)));

            await().atMost(ARRIVES).until(() -> receiver.received().size() == 1);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().size() == 1);
            assertThat(receiver.received().get(0).body()).isEqualTo("{\"committed\":true}");
            as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().body("total", equalTo(1));
        }
    }

    @Inject
    dev.labprovisioner.outbox.OutboxWorker worker;
    @Inject
    dev.labprovisioner.reconcile.HeldLeases replica;

    @Test
    void aRestartSendsWhatItsEarlierRunWasSendingAtOnceNotWhenTheLeaseRunsOut() {
        try (var receiver = new Receiver()) {
            String lms = Api.lmsClient();
            String webhookId = subscribe(lms, receiver.url(), null).path("id");
            // Two deliveries being sent, each under a lease that would last an hour: one by this replica's earlier run
            // (it was killed mid-send), one by another replica.
            String ours = java.util.UUID.randomUUID().toString();
            String theirs = java.util.UUID.randomUUID().toString();
            QuarkusTransaction.requiringNew().run(() -> {
                outbox.append("lab.ready", ours, "{\"run\":\"earlier\"}", WebhookEvents.CHANNEL, List.of(webhookId));
                outbox.append("lab.ready", theirs, "{\"run\":\"other replica\"}", WebhookEvents.CHANNEL, List.of(webhookId));
                lease(ours, replica.replica() + "/earlier0");
                lease(theirs, "another-replica/a1b2c3d4");
            });
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().isEmpty());

            worker.releaseEarlierRuns(); // what the restarted replica runs at start

            await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received().size() == 1);
            assertThat(receiver.received().get(0).body()).isEqualTo("{\"run\":\"earlier\"}");
            // Another replica's lease is its own until it runs out.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().size() == 1);
            as(lms).delete("/api/v1/webhooks/" + webhookId).then().statusCode(204);
        }
    }

    private void lease(String orderingKey, String owner) {
        em.createNativeQuery("UPDATE outbox_deliveries SET lease_owner = :owner, lease_until = now() + interval '1 hour' WHERE ordering_key LIKE :key")
                .setParameter("owner", owner).setParameter("key", "webhook:%:" + orderingKey).executeUpdate();
    }

    private static double oldestPendingAgeSeconds(String credential) {
        String metrics = as(credential).accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("labs_outbox_oldest_pending_age_seconds "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no labs_outbox_oldest_pending_age_seconds in /q/metrics"));
    }

    @Test
    void theAgeOfTheOldestUndeliveredEventIsAMetric() {
        String lms = Api.lmsClient();
        int port = Receiver.freePort();
        String webhookId = subscribe(lms, Receiver.url(port), null).path("id");
        QuarkusTransaction.requiringNew().run(() -> outbox.append("lab.ready", java.util.UUID.randomUUID().toString(),
                "{\"waiting\":true}", WebhookEvents.CHANNEL, List.of(webhookId)));
        Instant written = Instant.now();
        // The receiver is down: the event waits, and the gauge is at least its age, growing.
        await().atMost(ARRIVES).until(() -> Duration.between(written, Instant.now()).toSeconds() >= 3);
        double age = oldestPendingAgeSeconds(lms);
        assertThat(age).isGreaterThanOrEqualTo(2.9);
        await().atMost(ARRIVES).until(() -> oldestPendingAgeSeconds(lms) >= age + 1);
        try (var receiver = new Receiver(port)) {
            await().atMost(ARRIVES).until(() -> receiver.received().size() == 1);
        }
        as(lms).delete("/api/v1/webhooks/" + webhookId).then().statusCode(204);
    }

    @Test
    void aReceiverThatFailsThreeTimesGetsTheSameEventAgainUntilItAcceptsAndOnlyThen() {
        try (var receiver = new Receiver().answering(500, 500, 500)) {
            String lms = Api.lmsClient();
            var subscription = subscribe(lms, receiver.url(), List.of("lab.ready"));
            String secret = subscription.path("secret");
            String webhookId = subscription.path("id");
            String lab = Api.createLab(lms, Api.unique("learner"), "webhooks").statusCode(202).extract().path("id");

            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).size() >= 4);
            // Accepted at the fourth attempt: nothing more comes.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> ofLab(receiver, lab).size() == 4);
            List<Receiver.Received> attempts = ofLab(receiver, lab);
            assertThat(attempts).extracting(Receiver.Received::id).containsOnly(attempts.get(0).id());
            assertThat(attempts).extracting(Receiver.Received::body).containsOnly(attempts.get(0).body());
            assertThat(attempts).allSatisfy(r -> assertThat(Receiver.verifies(secret, r)).isTrue());

            var delivery = as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().statusCode(200)
                    .body("total", equalTo(1))
                    .body("items[0].state", equalTo("DELIVERED"))
                    .body("items[0].webhookId", equalTo(attempts.get(0).id()))
                    .body("items[0].attempts.status", contains(500, 500, 500, 200))
                    .body("items[0].lastError", nullValue())
                    .extract();

            // Redelivered on request, with the same webhook-id.
            int deliveryId = delivery.path("items[0].id");
            as(lms).post("/api/v1/webhooks/" + webhookId + "/deliveries/" + deliveryId + "/redeliver").then().statusCode(202)
                    .body("webhookId", equalTo(attempts.get(0).id()));
            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).size() == 5);
            assertThat(ofLab(receiver, lab).get(4).id()).isEqualTo(attempts.get(0).id());
            as(lms).post("/api/v1/webhooks/" + webhookId + "/deliveries/999999999/redeliver").then().statusCode(404);
        }
    }

    @Test
    void retryAfterIsHonoured() {
        try (var receiver = new Receiver().answeringWithRetryAfter(429, 2)) {
            String lms = Api.lmsClient();
            subscribe(lms, receiver.url(), List.of("lab.ready"));
            String lab = Api.createLab(lms, Api.unique("learner"), "webhooks").statusCode(202).extract().path("id");
            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).size() == 2);
            var attempts = ofLab(receiver, lab);
            // The schedule alone would have retried after about 100 ms.
            assertThat(Duration.between(attempts.get(0).at(), attempts.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        }
    }

    @Test
    void aLabThatCannotBeMadeIsAnnouncedAsFailedWithItsReason() {
        try (var receiver = new Receiver()) {
            String lms = Api.lmsClient();
            String secret = subscribe(lms, receiver.url(), List.of("lab.failed")).path("secret");
            String lab = Api.createLab(lms, Api.unique("learner"), "webhooks", "broken-image").statusCode(202).extract().path("id");
            Api.awaitState(lms, lab, "FAILED");
            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).size() == 1);
            var failed = ofLab(receiver, lab).get(0);
            assertThat(failed.type()).isEqualTo("lab.failed");
            assertThat(failed.json().getString("data.lab.failureReason")).isNotBlank()
                    .isEqualTo(as(lms).get("/api/v1/labs/" + lab).then().extract().path("failureReason"));
            assertThat(Receiver.verifies(secret, failed)).isTrue();
        }
    }

    @Test
    void a410DisablesTheSubscriptionAndNothingMoreIsSent() {
        try (var receiver = new Receiver().answering(410)) {
            String lms = Api.lmsClient();
            String webhookId = subscribe(lms, receiver.url(), null).path("id");
            String lab = Api.createLab(lms, Api.unique("learner"), "webhooks").statusCode(202).extract().path("id");

            await().atMost(ARRIVES).until(() -> !as(lms).get("/api/v1/webhooks/" + webhookId).then().statusCode(200)
                    .extract().<Boolean>path("enabled"));
            as(lms).get("/api/v1/webhooks/" + webhookId).then().body("disabledReason", startsWith("The destination answered 410"))
                    .body("secret", nullValue());
            as(lms).delete("/api/v1/labs/" + lab).then().statusCode(202);
            Api.awaitState(lms, lab, "DELETED");
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> receiver.received().size() == 1);
            int deliveryId = as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().statusCode(200)
                    .body("total", equalTo(1)).body("items[0].state", equalTo("FAILED")).body("items[0].attempts[0].status", equalTo(410))
                    .extract().path("items[0].id");
            as(lms).post("/api/v1/webhooks/" + webhookId + "/deliveries/" + deliveryId + "/redeliver").then().statusCode(409)
                    .contentType("application/problem+json");
        }
    }

    @Test
    void aRotatedSecretSignsNextToTheNewOneDuringTheOverlapAndNotAfter() {
        try (var receiver = new Receiver()) {
            String lms = Api.lmsClient();
            var subscription = subscribe(lms, receiver.url(), List.of("lab.ready", "lab.deleted"));
            String oldSecret = subscription.path("secret");
            String webhookId = subscription.path("id");
            String lab = Api.createLab(lms, Api.unique("learner"), "webhooks").statusCode(202).extract().path("id");
            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).size() == 1);
            assertThat(ofLab(receiver, lab).get(0).signature().split(" ")).hasSize(1);

            // Another client cannot rotate it, nor can a read-only credential: nothing changes.
            as(Api.lmsClient()).post("/api/v1/webhooks/" + webhookId + "/rotate-secret").then().statusCode(404)
                    .contentType("application/problem+json");
            as(Api.newClient("labs:read")).post("/api/v1/webhooks/" + webhookId + "/rotate-secret").then().statusCode(403);
            as(lms).get("/api/v1/webhooks/" + webhookId).then().body("previousSecretExpiresAt", nullValue());

            var rotated = as(lms).post("/api/v1/webhooks/" + webhookId + "/rotate-secret").then().statusCode(200)
                    .body("id", equalTo(webhookId)).body("secret", startsWith("whsec_")).extract();
            String newSecret = rotated.path("secret");
            assertThat(newSecret).isNotEqualTo(oldSecret);
            Instant overlapEnds = Instant.parse(rotated.path("previousSecretExpiresAt"));
            // 5 s in the test profile (24 h by default).
            assertThat(overlapEnds).isBetween(Instant.now().plusSeconds(3), Instant.now().plusSeconds(6));
            as(lms).get("/api/v1/webhooks/" + webhookId).then().body("secret", nullValue())
                    .body("previousSecretExpiresAt", equalTo(rotated.path("previousSecretExpiresAt")));

            // During the overlap: two signatures; a receiver holding either secret verifies.
            int deliveryId = as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries").then().extract().path("items[0].id");
            as(lms).post("/api/v1/webhooks/" + webhookId + "/deliveries/" + deliveryId + "/redeliver").then().statusCode(202);
            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).size() == 2);
            var during = ofLab(receiver, lab).get(1);
            assertThat(during.at()).as("sent within the overlap").isBefore(overlapEnds);
            assertThat(during.signature().split(" ")).hasSize(2);
            assertThat(Receiver.verifies(newSecret, during)).isTrue();
            assertThat(Receiver.verifies(oldSecret, during)).isTrue();

            // After it: the new secret only.
            await().atMost(Duration.ofSeconds(15)).until(() -> Instant.now().isAfter(overlapEnds));
            as(lms).get("/api/v1/webhooks/" + webhookId).then().body("previousSecretExpiresAt", nullValue());
            as(lms).delete("/api/v1/labs/" + lab).then().statusCode(202);
            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).size() == 3);
            var after = ofLab(receiver, lab).get(2);
            assertThat(after.type()).isEqualTo("lab.deleted");
            assertThat(after.signature().split(" ")).hasSize(1);
            assertThat(Receiver.verifies(newSecret, after)).isTrue();
            assertThat(Receiver.verifies(oldSecret, after)).isFalse();

            as(lms).post("/api/v1/webhooks/00000000-0000-0000-0000-000000000000/rotate-secret").then().statusCode(404);
        }
    }

    private static String createLab(String lms, int ttlMinutes) {
        return as(lms).body(Map.of("learnerId", Api.unique("learner"), "template", "postgres-statefulset", "ttlMinutes", ttlMinutes))
                .post("/api/v1/labs").then().statusCode(202).extract().path("id");
    }

    private static List<Receiver.Received> ofLab(Receiver receiver, String labId, String type) {
        return ofLab(receiver, labId).stream().filter(r -> r.type().equals(type)).toList();
    }

    @Test
    void aLabAboutToExpireIsAnnouncedOnceAndAnExtendReArmsIt() {
        try (var receiver = new Receiver()) {
            String lms = Api.lmsClient();
            String secret = subscribe(lms, receiver.url(), List.of("lab.ready", "lab.expiring")).path("secret");
            // 10 minutes left: inside the default 15-minute window as soon as it is READY. 60 minutes: outside it.
            String soon = createLab(lms, 10);
            String later = createLab(lms, 60);
            Api.awaitState(lms, soon, "READY");
            Api.awaitState(lms, later, "READY");

            await().atMost(ARRIVES).until(() -> ofLab(receiver, soon, "lab.expiring").size() == 1);
            var warning = ofLab(receiver, soon, "lab.expiring").get(0);
            assertThat(Receiver.verifies(secret, warning)).isTrue();
            String expiresAt = as(lms).get("/api/v1/labs/" + soon).then().extract().path("expiresAt");
            assertThat(warning.json().getString("data.lab.expiresAt")).isEqualTo(expiresAt);
            assertThat(warning.json().getString("data.lab.state")).isEqualTo("READY");
            // After lab.ready, in order; and once: the scans that follow (every 500 ms here) send nothing more.
            assertThat(ofLab(receiver, soon)).extracting(Receiver.Received::type).containsExactly("lab.ready", "lab.expiring");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> ofLab(receiver, soon, "lab.expiring").size() == 1);

            // An extend moves expiresAt: warned again (still inside the window), about the new expiry.
            String extended = as(lms).body(Map.of("minutes", 1)).post("/api/v1/labs/" + soon + "/extend").then().statusCode(200)
                    .extract().path("expiresAt");
            assertThat(extended).isNotEqualTo(expiresAt);
            await().atMost(ARRIVES).until(() -> ofLab(receiver, soon, "lab.expiring").size() == 2);
            assertThat(ofLab(receiver, soon, "lab.expiring").get(1).json().getString("data.lab.expiresAt")).isEqualTo(extended);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> ofLab(receiver, soon, "lab.expiring").size() == 2);

            assertThat(ofLab(receiver, later)).extracting(Receiver.Received::type).containsExactly("lab.ready");
        }
    }

    @Inject
    LabExpiryWarnings expiryWarnings;
    @Inject
    jakarta.persistence.EntityManager em;

    @Test
    void replicasScanningAtOnceAnnounceALabAboutToExpireOnce() throws Exception {
        try (var receiver = new Receiver()) {
            String lms = Api.lmsClient();
            subscribe(lms, receiver.url(), List.of("lab.expiring"));
            String lab = createLab(lms, 60);
            Api.awaitState(lms, lab, "READY");
            int scanners = 4;
            var start = new java.util.concurrent.CountDownLatch(1);
            var pool = java.util.concurrent.Executors.newFixedThreadPool(scanners);
            try {
                // Each scan is what one replica's scheduler runs, with its own transactions; the service's own scheduler runs too.
                var scans = java.util.stream.IntStream.range(0, scanners).mapToObj(i -> pool.submit(() -> {
                    start.await();
                    int sent = 0;
                    for (int round = 0; round < 5; round++) {
                        sent += expiryWarnings.scan();
                    }
                    return sent;
                })).toList();
                // The lab's time passes: 10 minutes left, inside the window.
                QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                                "UPDATE labs SET expires_at = now() + interval '10 minutes' WHERE id = :id")
                        .setParameter("id", java.util.UUID.fromString(lab)).executeUpdate());
                start.countDown();
                int sent = 0;
                for (var scan : scans) {
                    sent += scan.get(30, java.util.concurrent.TimeUnit.SECONDS);
                }
                assertThat(sent).isLessThanOrEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
            await().atMost(ARRIVES).until(() -> ofLab(receiver, lab).size() == 1);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> ofLab(receiver, lab).size() == 1);
        }
    }

    /** The 50. */
    private static final int LABS_WHILE_DOWN = 50;

    @Test
    void aReceiverThatIsDownWhileLabsLiveGetsEveryEventInOrderPerLabOnceItIsUp() {
        String lms = Api.lmsClient();
        int port = Receiver.freePort();
        var subscription = subscribe(lms, Receiver.url(port), List.of("lab.ready", "lab.deleted"));
        String secret = subscription.path("secret");
        String webhookId = subscription.path("id");

        List<String> labs = java.util.stream.IntStream.range(0, LABS_WHILE_DOWN).mapToObj(i -> createLab(lms, 60)).toList();
        labs.forEach(lab -> Api.awaitState(lms, lab, "READY", Duration.ofSeconds(60)));
        labs.forEach(lab -> as(lms).delete("/api/v1/labs/" + lab).then().statusCode(202));
        labs.forEach(lab -> Api.awaitState(lms, lab, "DELETED", Duration.ofSeconds(60)));
        // Nothing could be delivered: every lab's lab.ready has been tried and refused, and waits with its lab.deleted.
        await().atMost(ARRIVES).until(() -> as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries?size=100").then().statusCode(200)
                .extract().<List<List<Object>>>path("items.findAll { it.type == 'lab.ready' }.attempts").stream()
                .filter(attempts -> !attempts.isEmpty()).count() == LABS_WHILE_DOWN);
        as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries?size=100").then()
                .body("total", equalTo(2 * LABS_WHILE_DOWN))
                .body("items.findAll { it.state != 'PENDING' }", hasSize(0))
                .body("items.findAll { it.type == 'lab.deleted' }.attempts.flatten()", hasSize(0));

        try (var receiver = new Receiver(port)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> labs.stream().allMatch(lab -> ofLab(receiver, lab, "lab.deleted").size() >= 1));
            for (String lab : labs) {
                List<Receiver.Received> events = ofLab(receiver, lab);
                assertThat(events).as("lab %s", lab).extracting(Receiver.Received::type).containsExactly("lab.ready", "lab.deleted");
                assertThat(events).allSatisfy(r -> assertThat(Receiver.verifies(secret, r)).isTrue());
            }
            as(lms).get("/api/v1/webhooks/" + webhookId + "/deliveries?size=100").then()
                    .body("items.state.unique()", contains("DELIVERED"));
        }
    }

    @Test
    void anotherClientsSubscriptionIsAbsentAndAdminSeesAll() {
        String owner = Api.lmsClient();
        String other = Api.lmsClient();
        String id = subscribe(owner, "http://127.0.0.1:9/hook", List.of("lab.ready")).path("id");

        as(other).get("/api/v1/webhooks/" + id).then().statusCode(404).contentType("application/problem+json");
        as(other).get("/api/v1/webhooks/" + id + "/deliveries").then().statusCode(404);
        as(other).post("/api/v1/webhooks/" + id + "/deliveries/1/redeliver").then().statusCode(404);
        as(other).delete("/api/v1/webhooks/" + id).then().statusCode(404);
        as(other).get("/api/v1/webhooks").then().statusCode(200).body("id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(id)));
        as(owner).get("/api/v1/webhooks").then().statusCode(200).body("id", contains(id)).body("[0].secret", nullValue());
        Api.asAdmin().get("/api/v1/webhooks").then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(id));
        Api.asAdmin().get("/api/v1/webhooks/" + id).then().statusCode(200).body("url", equalTo("http://127.0.0.1:9/hook"));

        as(owner).delete("/api/v1/webhooks/" + id).then().statusCode(204);
        as(owner).get("/api/v1/webhooks/" + id).then().statusCode(404);
    }

    @Test
    void badSubscriptionsAre400AndCreateNothing() {
        String lms = Api.lmsClient();
        for (Object body : List.<Object>of(Map.of(), Map.of("url", "ftp://example.com/x"), Map.of("url", "https://user:pw@example.com/x"),
                Map.of("url", "https://example.com/x", "events", List.of("lab.exploded")),
                Map.of("url", "https://example.com/x", "events", List.of()), Map.of("url", 42))) {
            as(lms).body(body).post("/api/v1/webhooks").then().statusCode(400).contentType("application/problem+json");
        }
        as(lms).get("/api/v1/webhooks").then().statusCode(200).body("", hasSize(0));
        as(Api.newClient("labs:read")).body(Map.of("url", "https://example.com/x")).post("/api/v1/webhooks").then().statusCode(403);
    }
}
