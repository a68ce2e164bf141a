package dev.labprovisioner.lti.ags;

import com.fasterxml.jackson.databind.JsonNode;
import dev.labprovisioner.Api;
import dev.labprovisioner.lti.LtiClaims;
import dev.labprovisioner.lti.launch.LtiLaunch;
import dev.labprovisioner.lti.services.AccessTokens;
import dev.labprovisioner.outbox.OutboxWorker;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Assignment and Grade Services end to end (issue 11, items 5 and 7): a fake LMS over real HTTP launches learners into
 * their labs, the labs are judged through the API, and what reaches the LMS's gradebook is checked as the LMS would check
 * it: the access token's client assertion against the tool's /lti/jwks, the score's media type, fields and order, one
 * token for many scores, retries, refusals, a restart between commit and delivery, and line items found or made once.
 */
@QuarkusTest
class LtiGradeTests {

    private static final Duration ARRIVES = Duration.ofSeconds(20);
    private static final List<String> AGS_SCOPES = List.of(FakeAgsPlatform.LINEITEM_SCOPE, FakeAgsPlatform.SCORE_SCOPE);

    @Inject
    EntityManager em;
    @Inject
    OutboxWorker worker;
    @Inject
    AccessTokens tokens;

    /** A learner launched from the LMS into a lab: its id and the learner page the launch redirected to. */
    private record Launched(UUID labId, String learnerPath) {
    }

    private Launched launch(FakeAgsPlatform platform, Map<String, Object> claims) {
        Response response = platform.lms.login(claims).post();
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(303);
        String location = response.header("Location");
        String sub = (String) claims.get("sub");
        @SuppressWarnings("unchecked")
        String context = ((Map<String, Object>) claims.get(LtiClaims.CONTEXT)).get("id").toString();
        UUID registration = UUID.fromString(platform.lms.registrationId());
        UUID lab = QuarkusTransaction.requiringNew().call(() -> LtiLaunch.<LtiLaunch>find("registrationId = ?1 and sub = ?2 and contextId = ?3",
                registration, sub, context).firstResult().labId);
        Api.awaitState(Api.ADMIN_TOKEN, lab.toString(), "READY");
        return new Launched(lab, location.substring(location.indexOf("/learn/")));
    }

    private static String validate(UUID lab, String checkpoint) {
        return Api.asAdmin().post("/api/v1/labs/" + lab + "/checkpoints/" + checkpoint + "/validate").then().statusCode(200).extract().path("status");
    }

    /** Checks until it passes (the informers see a READY lab's pods a moment after it is READY). */
    private static void pass(UUID lab, String checkpoint) {
        await().atMost(ARRIVES).pollInterval(Duration.ofMillis(200)).until(() -> "PASSED".equals(validate(lab, checkpoint)));
    }

    private static void writeNotes(Launched lab) {
        RestAssured.given().contentType("text/plain").accept("application/json")
                .body("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'one'), (2, 'two'), (3, 'three')")
                .post(lab.learnerPath() + "/pods/postgres-0/sql").then().statusCode(200);
    }

    private List<Object[]> deliveries(UUID lab) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                        SELECT state, attempts, last_error, lease_owner FROM outbox_deliveries
                        WHERE channel = 'lti-ags' AND ordering_key LIKE :key ORDER BY id""", Object[].class)
                .setParameter("key", "lti-ags:%:" + lab).getResultList());
    }

    @Test
    void aLaunchedLearnersPassIsPostedToTheLineItemWithTheScoreMediaTypeAndATokenWhoseAssertionVerifiesAgainstOurJwks() {
        try (var platform = new FakeAgsPlatform()) {
            platform.register("postgres-statefulset");
            String sub = "learner-" + UUID.randomUUID();
            String course = Api.unique("course");
            // A line item URL with a query string (as Moodle's has): /scores goes before the '?'.
            String lineitem = platform.lineitemsUrl(course) + "/7?type_id=3";
            Map<String, Object> claims = platform.launch(sub, course, lineitem, platform.lineitemsUrl(course), AGS_SCOPES);
            claims.put(LtiClaims.CUSTOM, Map.of("template", "one-checkpoint"));
            Launched lab = launch(platform, claims);

            Instant before = Instant.now();
            pass(lab.labId(), "stable-identity");

            await().atMost(ARRIVES).until(() -> !platform.accepted().isEmpty());
            FakeAgsPlatform.ScorePost posted = platform.accepted().get(0);
            assertThat(posted.context()).isEqualTo(course);
            assertThat(posted.lineitem()).isEqualTo("7");
            assertThat(posted.query()).isEqualTo("type_id=3");
            assertThat(posted.contentType()).isEqualTo("application/vnd.ims.lis.v1.score+json");
            JsonNode score = posted.score();
            assertThat(score.path("userId").asText()).isEqualTo(sub);
            assertThat(score.path("scoreGiven").asInt()).isEqualTo(10);
            assertThat(score.path("scoreMaximum").asInt()).isEqualTo(15);
            assertThat(score.path("activityProgress").asText()).isEqualTo("Completed");
            assertThat(score.path("gradingProgress").asText()).isEqualTo("FullyGraded");
            assertThat(score.path("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(Instant.parse(score.path("timestamp").asText())).isBetween(before.minusMillis(1), Instant.now());
            assertThat(score.path("comment").asText()).contains("1 of 2 checkpoints passed");

            // The token came by client credentials with an assertion the platform verified against /lti/jwks.
            List<FakeAgsPlatform.TokenRequest> requests = platform.tokenRequests();
            assertThat(requests).hasSize(1);
            assertThat(requests.get(0).problem()).isNull();
            assertThat(requests.get(0).form()).containsEntry("grant_type", "client_credentials")
                    .containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                    .containsEntry("scope", String.join(" ", AGS_SCOPES));
            var assertion = requests.get(0).assertion();
            assertThat(assertion.getIssuer()).isEqualTo(platform.lms.clientId);
            assertThat(assertion.getSubject()).isEqualTo(platform.lms.clientId);
            assertThat(assertion.getAudience()).containsExactly(platform.lms.url("/token"));
            assertThat(Duration.between(assertion.getIssueTime().toInstant(), assertion.getExpirationTime().toInstant()))
                    .isLessThanOrEqualTo(Duration.ofMinutes(5));
            assertThat(posted.bearer()).isEqualTo("token-1");

            await().atMost(ARRIVES).until(() -> deliveries(lab.labId()).stream().allMatch(d -> "DELIVERED".equals(d[0])));
        }
    }

    @Test
    void theScoreGrowsCheckpointByCheckpointInOrderWithOneTokenForEveryScore() {
        try (var platform = new FakeAgsPlatform()) {
            platform.register("postgres-statefulset");
            String sub = "learner-" + UUID.randomUUID();
            String course = Api.unique("course");
            Launched lab = launch(platform, platform.launch(sub, course, platform.lineitemsUrl(course) + "/1", null, AGS_SCOPES));

            assertThat(validate(lab.labId(), "write-data")).isEqualTo("FAILED");       // the first check: Started, nothing yet
            assertThat(validate(lab.labId(), "scale-up-ordered")).isEqualTo("FAILED"); // no change: no score
            pass(lab.labId(), "stable-identity");                                     // 10
            writeNotes(lab);
            pass(lab.labId(), "write-data");                                          // 25
            assertThat(validate(lab.labId(), "write-data")).isEqualTo("PASSED");       // no change: no score

            await().atMost(ARRIVES).until(() -> platform.accepted().size() >= 3);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> platform.accepted().size() == 3);
            List<JsonNode> scores = platform.accepted().stream().map(FakeAgsPlatform.ScorePost::score).toList();
            assertThat(scores).extracting(s -> s.path("scoreGiven").asInt()).containsExactly(0, 10, 25);
            assertThat(scores).extracting(s -> s.path("scoreMaximum").asInt()).containsOnly(100);
            assertThat(scores).extracting(s -> s.path("activityProgress").asText()).containsExactly("Started", "InProgress", "InProgress");
            assertThat(scores).extracting(s -> s.path("gradingProgress").asText()).containsExactly("Pending", "FullyGraded", "FullyGraded");
            assertThat(scores).extracting(s -> Instant.parse(s.path("timestamp").asText())).isSorted().doesNotHaveDuplicates();
            // One token for all of them: cached until shortly before its expires_in.
            assertThat(platform.tokenRequests()).hasSize(1);
            assertThat(platform.accepted()).extracting(FakeAgsPlatform.ScorePost::bearer).containsOnly("token-1");
        }
    }

    @Test
    void aLabAnAdminResetStillReportsToTheGradebookBeforeTheLearnerLaunchesAgain() {
        try (var platform = new FakeAgsPlatform()) {
            platform.register("postgres-statefulset");
            String sub = "learner-" + UUID.randomUUID();
            String course = Api.unique("course");
            Launched lab = launch(platform, platform.launch(sub, course, platform.lineitemsUrl(course) + "/1", null, AGS_SCOPES));
            // The first lab's first check sends its Started score.
            assertThat(validate(lab.labId(), "write-data")).isEqualTo("FAILED");
            await().atMost(ARRIVES).until(() -> platform.accepted().size() == 1);

            String replacement = Api.asAdmin().post("/api/v1/admin/labs/" + lab.labId() + "/reset").then().statusCode(202)
                    .extract().path("id");
            Api.awaitState(Api.ADMIN_TOKEN, replacement, "READY");
            // The replacement's first, empty check is not sent (a gradebook told "Pending, 0" may forget a grade it holds);
            // its first pass is, on the learner's link.
            assertThat(validate(UUID.fromString(replacement), "write-data")).isEqualTo("FAILED");
            pass(UUID.fromString(replacement), "stable-identity");
            await().atMost(ARRIVES).until(() -> platform.accepted().size() >= 2);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> platform.accepted().size() == 2);
            assertThat(platform.accepted()).extracting(s -> s.score().path("scoreGiven").asInt()).containsExactly(0, 10);
            assertThat(platform.accepted()).extracting(s -> s.score().path("gradingProgress").asText()).containsExactly("Pending", "FullyGraded");
            assertThat(platform.accepted()).allSatisfy(s -> assertThat(s.score().path("userId").asText()).isEqualTo(sub));
        }
    }

    @Test
    void aScoreThePlatformRefusesWith400IsFailedNotRetriedAndTheNextOneThrough503sIsRetriedUntilTaken() {
        try (var platform = new FakeAgsPlatform()) {
            platform.register("postgres-statefulset");
            String course = Api.unique("course");
            Launched lab = launch(platform, platform.launch("learner-" + UUID.randomUUID(), course, platform.lineitemsUrl(course) + "/1", null, AGS_SCOPES));
            platform.answerScoresWith(400, 503, 503);

            // The first check's score (Started): a 400, which these bytes will always get. Recorded with its reason, not sent again.
            assertThat(validate(lab.labId(), "write-data")).isEqualTo("FAILED");
            await().atMost(ARRIVES).until(() -> deliveries(lab.labId()).size() == 1 && "FAILED".equals(deliveries(lab.labId()).get(0)[0]));
            Object[] refused = deliveries(lab.labId()).get(0);
            assertThat(((Number) refused[1]).intValue()).isEqualTo(1);
            assertThat((String) refused[2]).contains("refused the score with 400").contains("scripted 400");

            // The next score goes on: two 503s, retried on the outbox's schedule, then taken.
            pass(lab.labId(), "stable-identity");
            await().atMost(ARRIVES).until(() -> platform.accepted().size() == 1);
            await().atMost(ARRIVES).until(() -> "DELIVERED".equals(deliveries(lab.labId()).get(1)[0]));
            assertThat(((Number) deliveries(lab.labId()).get(1)[1]).intValue()).isEqualTo(3);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> platform.scores().size() == 4);
            assertThat(platform.scores()).extracting(FakeAgsPlatform.ScorePost::answered).containsExactly(400, 503, 503, 200);
            assertThat(platform.scores()).extracting(s -> s.score().path("scoreGiven").asInt()).containsExactly(0, 10, 10, 10);
        }
    }

    @Test
    void aTokenThePlatformNoLongerTakesIsDroppedOnA401AndTheScoreSentOnceMoreWithANewOne() {
        try (var platform = new FakeAgsPlatform()) {
            platform.register("postgres-statefulset");
            String course = Api.unique("course");
            Launched lab = launch(platform, platform.launch("learner-" + UUID.randomUUID(), course, platform.lineitemsUrl(course) + "/1", null, AGS_SCOPES));
            assertThat(validate(lab.labId(), "write-data")).isEqualTo("FAILED");
            await().atMost(ARRIVES).until(() -> platform.accepted().size() == 1);

            platform.revokeTokens();
            pass(lab.labId(), "stable-identity");
            await().atMost(ARRIVES).until(() -> platform.accepted().size() == 2);
            assertThat(platform.tokenRequests()).hasSize(2).allSatisfy(t -> assertThat(t.problem()).isNull());
            assertThat(platform.accepted()).extracting(FakeAgsPlatform.ScorePost::bearer).containsExactly("token-1", "token-2");
            // The 401 and its one repeat: three posts for two scores, one attempt each in the outbox.
            assertThat(platform.requests("/contexts/" + course + "/lineitems/1/scores")).hasSize(3);
            assertThat(deliveries(lab.labId())).extracting(d -> ((Number) d[1]).intValue()).containsExactly(1, 1);
        }
    }

    @Test
    void aScoreCommittedWhenTheServiceDiesBeforeSendingItIsDeliveredAfterTheRestart() {
        try (var platform = new FakeAgsPlatform()) {
            platform.register("postgres-statefulset");
            String sub = "learner-" + UUID.randomUUID();
            String course = Api.unique("course");
            Launched lab = launch(platform, platform.launch(sub, course, platform.lineitemsUrl(course) + "/1", null, AGS_SCOPES));

            CrashAfterCommit.armedLab = lab.labId();
            try {
                pass(lab.labId(), "stable-identity");
            } finally {
                CrashAfterCommit.armedLab = null;
            }
            // Committed, and held by the run that "died": nothing reaches the platform.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> platform.scores().isEmpty());
            List<Object[]> pending = deliveries(lab.labId());
            assertThat(pending).hasSize(1);
            assertThat(pending.get(0)[0]).isEqualTo("PENDING");
            assertThat((String) pending.get(0)[3]).endsWith("/dead-run");

            // The restart: memory is gone (the token cache with it), and the new run frees what the dead run held.
            tokens.forgetAll();
            worker.releaseEarlierRuns();

            await().atMost(ARRIVES).until(() -> platform.accepted().size() == 1);
            JsonNode score = platform.accepted().get(0).score();
            assertThat(score.path("userId").asText()).isEqualTo(sub);
            assertThat(score.path("scoreGiven").asInt()).isEqualTo(10);
            assertThat(score.path("gradingProgress").asText()).isEqualTo("FullyGraded");
            await().atMost(ARRIVES).until(() -> "DELIVERED".equals(deliveries(lab.labId()).get(0)[0]));
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> platform.scores().size() == 1);
        }
    }

    @Test
    void withOnlyTheLineItemsContainerTheLineItemIsFoundOrMadeOncePerContext() {
        try (var platform = new FakeAgsPlatform()) {
            platform.register("postgres-statefulset");
            // Course A has another tool's column only: the line item is made, once, for both learners who pass at once.
            String a = Api.unique("course");
            platform.addLineItem(a, "another-tool", "Another tool's column");
            Launched ann = launch(platform, platform.launch("ann-" + UUID.randomUUID(), a, null, platform.lineitemsUrl(a), AGS_SCOPES));
            Launched bob = launch(platform, platform.launch("bob-" + UUID.randomUUID(), a, null, platform.lineitemsUrl(a), AGS_SCOPES));
            var passing = List.of(new Thread(() -> pass(ann.labId(), "stable-identity")), new Thread(() -> pass(bob.labId(), "stable-identity")));
            passing.forEach(Thread::start);
            passing.forEach(t -> {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(ARRIVES).until(() -> platform.accepted().size() == 2);
            assertThat(platform.created()).hasSize(1);
            FakeAgsPlatform.LineItem made = platform.created().get(0);
            assertThat(made.resourceId()).isEqualTo("postgres-statefulset");
            assertThat(made.scoreMaximum()).isEqualTo(100);
            assertThat(made.label()).isNotBlank();
            assertThat(platform.accepted()).extracting(s -> platform.lineitemsUrl(a) + "/" + s.lineitem()).containsOnly(made.id());
            // It was looked for first, by resource_id, following the container's pages.
            assertThat(platform.requests("/contexts/" + a + "/lineitems")).filteredOn(r -> r.method().equals("GET"))
                    .allSatisfy(r -> assertThat(r.query()).contains("resource_id=postgres-statefulset"))
                    .anySatisfy(r -> assertThat(r.header("Accept")).isEqualTo("application/vnd.ims.lis.v2.lineitemcontainer+json"));

            // Course B's column for this lab exists, on the container's second page: it is found, nothing is made.
            String b = Api.unique("course");
            platform.addLineItem(b, "another-tool", "Another tool's column");
            String existing = platform.addLineItem(b, "postgres-statefulset", "StatefulSets");
            Launched cid = launch(platform, platform.launch("cid-" + UUID.randomUUID(), b, null, platform.lineitemsUrl(b), AGS_SCOPES));
            pass(cid.labId(), "stable-identity");
            await().atMost(ARRIVES).until(() -> platform.accepted().size() == 3);
            assertThat(platform.lineitemsUrl(b) + "/" + platform.accepted().get(2).lineitem()).isEqualTo(existing);
            assertThat(platform.created()).hasSize(1);
        }
    }

    @Test
    void theAdminSeesARefusedScoreWithThePlatformsReasonAndARedeliverSendsTheSameScoreAgain() {
        try (var platform = new FakeAgsPlatform()) {
            platform.register("postgres-statefulset");
            String sub = "learner-" + UUID.randomUUID();
            String course = Api.unique("course");
            Launched lab = launch(platform, platform.launch(sub, course, platform.lineitemsUrl(course) + "/1", null, AGS_SCOPES));
            platform.answerScoresWith(400);
            assertThat(validate(lab.labId(), "write-data")).isEqualTo("FAILED");
            await().atMost(ARRIVES).until(() -> "FAILED".equals(scoreDelivery(lab.labId(), "FAILED").path("state").asText(null)));

            JsonNode failed = scoreDelivery(lab.labId(), "FAILED");
            assertThat(failed.path("lastError").asText()).contains("refused the score with 400").contains("scripted 400");
            assertThat(failed.path("registrationId").asText()).isEqualTo(platform.lms.registrationId());
            assertThat(failed.path("contextId").asText()).isEqualTo(course);
            assertThat(failed.path("lineitem").asText()).isEqualTo(platform.lineitemsUrl(course) + "/1");
            assertThat(failed.path("score").path("userId").asText()).isEqualTo(sub);
            assertThat(failed.path("attempts")).hasSize(1);
            assertThat(failed.path("attempts").get(0).path("status").asInt()).isEqualTo(400);
            // Not among the delivered ones; a state that does not exist is a problem, not an empty list.
            assertThat(scoreDelivery(lab.labId(), "DELIVERED").isMissingNode()).isTrue();
            Api.asAdmin().queryParam("state", "LOST").get("/api/v1/admin/lti/deliveries").then().statusCode(400)
                    .contentType("application/problem+json");

            // Sent again: the same score (same timestamp), taken this time.
            long id = failed.path("id").asLong();
            Api.asAdmin().post("/api/v1/admin/lti/deliveries/" + id + "/redeliver").then().statusCode(202)
                    .body("state", org.hamcrest.Matchers.equalTo("PENDING"));
            await().atMost(ARRIVES).until(() -> platform.accepted().size() == 1);
            assertThat(platform.accepted().get(0).score()).isEqualTo(platform.scores().get(0).score());
            await().atMost(ARRIVES).until(() -> "DELIVERED".equals(scoreDelivery(lab.labId(), "DELIVERED").path("state").asText(null)));
            assertThat(scoreDelivery(lab.labId(), "DELIVERED").path("attempts")).hasSize(2);
            Api.asAdmin().post("/api/v1/admin/lti/deliveries/999999999/redeliver").then().statusCode(404).contentType("application/problem+json");
        }
    }

    /** The lab's newest score delivery of {@code state} as GET /api/v1/admin/lti/deliveries lists it (missing: none). */
    private static JsonNode scoreDelivery(UUID lab, String state) {
        String body = Api.asAdmin().queryParam("state", state).queryParam("size", 100).get("/api/v1/admin/lti/deliveries")
                .then().statusCode(200).extract().asString();
        try {
            for (JsonNode item : new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).path("items")) {
                if (lab.toString().equals(item.path("labId").asText())) {
                    return item;
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
