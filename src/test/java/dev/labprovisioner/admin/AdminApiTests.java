package dev.labprovisioner.admin;

import dev.labprovisioner.Api;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

import static dev.labprovisioner.Api.as;
import static dev.labprovisioner.Api.asAdmin;
import static dev.labprovisioner.Api.awaitState;
import static dev.labprovisioner.Api.createLab;
import static dev.labprovisioner.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/** The instructor's admin API, driven over HTTP as an instructor's tool (and, for the checks, an LMS) would. */
@QuarkusTest
class AdminApiTests {

    private static final String TEMPLATE = "postgres-statefulset";
    private static final List<String> CHECKPOINTS = List.of("stable-identity", "write-data", "scale-up-ordered",
            "scale-down-retains-volumes", "pod-identity-survives-deletion", "statefulset-delete-keeps-volumes",
            "parallel-pod-management", "rolling-update");

    @Inject
    KubernetesClient k8s;

    private static ValidatableResponse bulkCreate(String course, List<String> learnerIds) {
        return asAdmin().body(Map.of("template", TEMPLATE, "learnerIds", learnerIds, "ttlMinutes", 120))
                .post("/api/v1/admin/courses/" + course + "/labs").then();
    }

    private static int labsInCourse(String course) {
        return asAdmin().queryParam("courseId", course).get("/api/v1/admin/labs").then().statusCode(200).extract().path("total");
    }

    /** The audit log's actions on one target, newest first. */
    private static List<String> auditActions(String target) {
        return asAdmin().queryParam("target", target).queryParam("size", 100).get("/api/v1/admin/audit")
                .then().statusCode(200).extract().path("items.action");
    }

    private static ValidatableResponse extendCourse(String course, int minutes) {
        return asAdmin().body(Map.of("minutes", minutes)).post("/api/v1/admin/courses/" + course + "/extend").then();
    }

    @Test
    void adminListsACoursesLabsAcrossClientsByStateAndLearner() {
        String course = unique("course");
        String moodle = Api.lmsClient();
        String canvas = Api.lmsClient();
        String ann = unique("ann");
        String annLab = createLab(moodle, ann, course).statusCode(202).extract().path("id");
        createLab(canvas, unique("bob"), course).statusCode(202);
        createLab(canvas, unique("cy"), unique("other-course")).statusCode(202);
        awaitState(moodle, annLab, "READY");

        asAdmin().queryParam("courseId", course).get("/api/v1/admin/labs").then().statusCode(200)
                .body("total", equalTo(2)).body("items.courseId", everyItem(equalTo(course)));
        asAdmin().queryParam("courseId", course).queryParam("learnerId", ann).get("/api/v1/admin/labs").then().statusCode(200)
                .body("total", equalTo(1)).body("items[0].id", equalTo(annLab));
        asAdmin().queryParam("courseId", course).queryParam("state", "ready").queryParam("learnerId", ann)
                .get("/api/v1/admin/labs").then().statusCode(200).body("items.id", equalTo(List.of(annLab)));
        asAdmin().queryParam("courseId", course).queryParam("size", 1).queryParam("page", 1).get("/api/v1/admin/labs").then()
                .statusCode(200).body("total", equalTo(2)).body("items", hasSize(1));
        // A client on its own API still sees only its own.
        as(canvas).queryParam("courseId", course).get("/api/v1/labs").then().statusCode(200).body("total", equalTo(1));

        asAdmin().queryParam("state", "SLEEPING").get("/api/v1/admin/labs").then().statusCode(400).contentType("application/problem+json");
        asAdmin().queryParam("page", "abc").get("/api/v1/admin/labs").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void courseProgressIsOneRowPerLearnerAsJsonAndAsCsv() {
        String lms = Api.lmsClient();
        String course = unique("course");
        String ann = unique("ann");
        String bob = unique("bob");
        String annLab = createLab(lms, ann, course).statusCode(202).extract().path("id");
        String bobFirstLab = createLab(lms, bob, course).statusCode(202).extract().path("id");
        awaitState(lms, annLab, "READY");
        // Ann does the first step; the LMS checks it through its own API.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> "PASSED".equals(
                as(lms).post("/api/v1/labs/" + annLab + "/checkpoints/stable-identity/validate").then().statusCode(200).extract().path("status")));
        // Bob's row is his latest lab, live or not: his second one.
        as(lms).delete("/api/v1/labs/" + bobFirstLab).then().statusCode(202);
        String bobLab = createLab(lms, bob, course).statusCode(202).extract().path("id");

        asAdmin().get("/api/v1/admin/courses/" + course + "/progress").then().statusCode(200)
                .contentType(startsWith("application/json"))
                .body("courseId", equalTo(course))
                .body("template", equalTo(TEMPLATE))
                .body("checkpoints.id", equalTo(CHECKPOINTS))
                .body("checkpoints[0].title", not(empty()))
                .body("checkpoints.points", equalTo(List.of(10, 15, 15, 15, 15, 10, 10, 10)))
                .body("learners.learnerId", equalTo(List.of(ann, bob)))
                .body("learners[0].labId", equalTo(annLab))
                .body("learners[0].state", equalTo("READY"))
                .body("learners[0].score", equalTo(10))
                .body("learners[0].maxScore", equalTo(100))
                .body("learners[0].completed", equalTo(false))
                .body("learners[0].checkpoints.'stable-identity'", equalTo("PASSED"))
                .body("learners[0].checkpoints.'write-data'", equalTo("PENDING"))
                .body("learners[1].labId", equalTo(bobLab))
                .body("learners[1].score", equalTo(0));

        var csv = asAdmin().accept("text/csv").get("/api/v1/admin/courses/" + course + "/progress").then().statusCode(200)
                .contentType(startsWith("text/csv"))
                .header("Content-Disposition", containsString(course + "-progress.csv"))
                .extract().asString();
        List<String> lines = List.of(csv.split("\r\n"));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("learnerId,labId,state," + String.join(",", CHECKPOINTS) + ",score,maxScore,completed");
        assertThat(lines.get(1)).isEqualTo(ann + "," + annLab + ",READY,PASSED,PENDING,PENDING,PENDING,PENDING,PENDING,PENDING,PENDING,10,100,false");
        assertThat(lines.get(2)).startsWith(bob + "," + bobLab + ",").endsWith(",PENDING,0,100,false");

        RestAssured.given().auth().oauth2(Api.ADMIN_TOKEN).accept("*/*").get("/api/v1/admin/courses/" + course + "/progress").then()
                .statusCode(200).contentType(startsWith("application/json"));
        RestAssured.given().auth().oauth2(Api.ADMIN_TOKEN).accept("text/csv;q=0.5, application/json").get("/api/v1/admin/courses/" + course + "/progress")
                .then().statusCode(200).contentType(startsWith("application/json"));
        RestAssured.given().auth().oauth2(Api.ADMIN_TOKEN).accept("application/xml").get("/api/v1/admin/courses/" + course + "/progress").then()
                .statusCode(406).contentType("application/problem+json");
        asAdmin().get("/api/v1/admin/courses/" + unique("empty") + "/progress").then().statusCode(404).contentType("application/problem+json");
        asAdmin().queryParam("template", "no-such-lab").get("/api/v1/admin/courses/" + course + "/progress").then().statusCode(400);
        asAdmin().get("/api/v1/admin/courses/-bad/progress").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void bulkCreateForARosterIsIdempotent() {
        String course = unique("course");
        List<String> roster = List.of(unique("ann"), unique("bob"), unique("cy"));

        List<String> ids = bulkCreate(course, roster).statusCode(200)
                .body("created", equalTo(3)).body("existing", equalTo(0))
                .body("labs.learnerId", equalTo(roster))
                .body("labs.courseId", everyItem(equalTo(course)))
                .body("labs.template", everyItem(equalTo(TEMPLATE)))
                .extract().path("labs.id");
        bulkCreate(course, roster).statusCode(200)
                .body("created", equalTo(0)).body("existing", equalTo(3)).body("labs.id", equalTo(ids));
        // A roster that grew by one: only the newcomer gets a lab.
        var grown = new ArrayList<>(roster);
        grown.add(unique("dee"));
        bulkCreate(course, grown).statusCode(200).body("created", equalTo(1)).body("existing", equalTo(3));

        assertThat(labsInCourse(course)).isEqualTo(4);
        assertThat(auditActions(course)).containsExactly("LABS_BULK_CREATE", "LABS_BULK_CREATE", "LABS_BULK_CREATE");
        asAdmin().queryParam("target", course).get("/api/v1/admin/audit").then()
                .body("items[0].detail", containsString("1 labs created, 3 already there"));
    }

    @Test
    void aBadRosterIsRefusedWholeAndCreatesNothing() {
        String course = unique("course");
        String good = unique("ann");
        bulkCreate(course, List.of(good, "../etc")).statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("learnerIds[1]"));
        bulkCreate(course, List.of(good, good)).statusCode(400).body("detail", containsString("twice"));
        bulkCreate(course, List.of()).statusCode(400);
        bulkCreate(course, IntStream.range(0, 501).mapToObj(i -> "learner-" + i).toList()).statusCode(400)
                .body("detail", containsString("at most 500"));
        asAdmin().body(Map.of("template", "no-such-lab", "learnerIds", List.of(good))).post("/api/v1/admin/courses/" + course + "/labs")
                .then().statusCode(400).contentType("application/problem+json");
        asAdmin().body(Map.of("template", TEMPLATE, "learnerIds", List.of(good), "ttlMinutes", 0)).post("/api/v1/admin/courses/" + course + "/labs")
                .then().statusCode(400);
        asAdmin().body("{\"template\": ").post("/api/v1/admin/courses/" + course + "/labs").then().statusCode(400)
                .contentType("application/problem+json");
        bulkCreate("-bad", List.of(good)).statusCode(400);

        assertThat(labsInCourse(course)).isZero();
        asAdmin().queryParam("learnerId", good).get("/api/v1/admin/labs").then().body("total", equalTo(0));
        assertThat(auditActions(course)).isEmpty();
    }

    @Test
    void extendingACourseMovesEveryLiveLabsExpiryUpToTheMaximumLifetime() {
        String course = unique("course");
        bulkCreate(course, List.of(unique("ann"), unique("bob"))).statusCode(200);
        String goneLab = bulkCreate(course, List.of(unique("cy"))).statusCode(200).extract().path("labs[0].id");
        asAdmin().delete("/api/v1/admin/labs/" + goneLab).then().statusCode(202);
        String otherCourse = unique("course");
        String otherLab = bulkCreate(otherCourse, List.of(unique("dee"))).statusCode(200).extract().path("labs[0].id");
        String otherExpiry = asAdmin().get("/api/v1/labs/" + otherLab).then().extract().path("expiresAt");

        Map<String, Instant> expiries = new HashMap<>();
        asAdmin().queryParam("courseId", course).get("/api/v1/admin/labs").then().extract().jsonPath().getList("items", Map.class)
                .forEach(lab -> expiries.put((String) lab.get("id"), Instant.parse((String) lab.get("expiresAt"))));

        var extended = extendCourse(course, 60).statusCode(200)
                .body("extended", equalTo(2)).body("labs", hasSize(2)).body("limited", empty()).extract().jsonPath();
        for (Map<?, ?> lab : extended.getList("labs", Map.class)) {
            String id = (String) lab.get("id");
            Instant now = Instant.parse(asAdmin().get("/api/v1/labs/" + id).then().extract().path("expiresAt"));
            assertThat(now).isEqualTo(expiries.get(id).plus(Duration.ofMinutes(60))).isEqualTo(Instant.parse((String) lab.get("expiresAt")));
        }
        assertThat(extended.getList("labs.id")).doesNotContain(goneLab);
        asAdmin().get("/api/v1/labs/" + otherLab).then().body("expiresAt", equalTo(otherExpiry));

        // 120 + 60 + 480 + 480 = 1140 minutes; another 480 passes the 1440-minute maximum lifetime: capped and reported.
        extendCourse(course, 480).statusCode(200).body("extended", equalTo(2));
        extendCourse(course, 480).statusCode(200).body("extended", equalTo(2)).body("limited", empty());
        var limited = extendCourse(course, 480).statusCode(200).body("extended", equalTo(2)).body("limited", hasSize(2)).extract().jsonPath();
        for (Map<?, ?> entry : limited.getList("limited", Map.class)) {
            var lab = asAdmin().get("/api/v1/labs/" + entry.get("labId")).then().extract().jsonPath();
            Instant createdAt = Instant.parse(lab.getString("createdAt"));
            assertThat(Instant.parse(lab.getString("expiresAt"))).isEqualTo(createdAt.plus(Duration.ofMinutes(1440)))
                    .isEqualTo(Instant.parse((String) entry.get("expiresAt")))
                    .isBefore(Instant.parse((String) entry.get("requestedExpiresAt")));
        }
        extendCourse(course, 480).statusCode(200).body("extended", equalTo(0)).body("limited", hasSize(2));

        extendCourse(course, 0).statusCode(400).contentType("application/problem+json");
        asAdmin().body("{}").post("/api/v1/admin/courses/" + course + "/extend").then().statusCode(400);
        assertThat(auditActions(course)).startsWith("COURSE_EXTEND", "COURSE_EXTEND", "COURSE_EXTEND", "COURSE_EXTEND", "COURSE_EXTEND")
                .hasSize(5 + 2);
    }

    @Test
    void forceTeardownDeletesAnyClientsLab() {
        String lms = Api.lmsClient();
        var created = createLab(lms, unique("ann"), unique("course")).statusCode(202).extract();
        String id = created.path("id");
        String namespace = created.path("namespace");
        awaitState(lms, id, "READY");

        asAdmin().delete("/api/v1/admin/labs/" + id).then().statusCode(202).body("id", equalTo(id)).body("state", equalTo("TEARING_DOWN"));
        awaitState(lms, id, "DELETED");
        await().atMost(Duration.ofSeconds(30)).until(() -> k8s.namespaces().withName(namespace).get() == null);
        asAdmin().delete("/api/v1/admin/labs/" + id).then().statusCode(202).body("state", equalTo("DELETED"));
        asAdmin().delete("/api/v1/admin/labs/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .contentType("application/problem+json");

        assertThat(auditActions(id)).containsExactly("LAB_FORCE_TEARDOWN", "LAB_FORCE_TEARDOWN");
        asAdmin().queryParam("target", id).get("/api/v1/admin/audit").then()
                .body("items[1].detail", startsWith("was READY")).body("items[0].detail", startsWith("already DELETED"));
    }

    @Test
    void resetReplacesALearnersLabAndIsSafeToRepeat() throws Exception {
        String lms = Api.lmsClient();
        String learner = unique("ann");
        String course = unique("course");
        String old = createLab(lms, learner, course).statusCode(202).extract().path("id");
        awaitState(lms, old, "READY");
        // A bad TTL is refused before anything changes: the teardown it would have started is rolled back with it.
        asAdmin().body(Map.of("ttlMinutes", 0)).post("/api/v1/admin/labs/" + old + "/reset").then().statusCode(400)
                .contentType("application/problem+json");
        assertThat(Api.state(lms, old)).isEqualTo("READY");
        assertThat(auditActions(old)).isEmpty();

        var reset = asAdmin().post("/api/v1/admin/labs/" + old + "/reset").then().statusCode(202)
                .body("id", not(equalTo(old)))
                .body("learnerId", equalTo(learner)).body("courseId", equalTo(course)).body("template", equalTo(TEMPLATE))
                .extract();
        String fresh = reset.path("id");
        assertThat(reset.header("Location")).endsWith("/api/v1/labs/" + fresh);
        // The LMS that asked for the first lab owns the fresh one too.
        awaitState(lms, fresh, "READY");
        awaitState(lms, old, "DELETED");

        // A double click: the same fresh lab, nothing new, nothing torn down. Once as curl -X POST sends it (no body, no Content-Type).
        asAdmin().post("/api/v1/admin/labs/" + old + "/reset").then().statusCode(200)
                .header("Location", endsWith("/api/v1/labs/" + fresh)).body("id", equalTo(fresh));
        var bare = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/v1/admin/labs/" + old + "/reset"))
                .header("Authorization", "Bearer " + Api.ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bare.statusCode()).isEqualTo(200);
        assertThat(bare.body()).contains("\"id\":\"" + fresh + "\"");
        createLab(lms, learner, course).statusCode(200).body("id", equalTo(fresh));
        assertThat(Api.state(lms, fresh)).isEqualTo("READY");
        asAdmin().queryParam("courseId", course).queryParam("learnerId", learner).get("/api/v1/admin/labs").then().body("total", equalTo(2));

        assertThat(auditActions(old)).containsExactly("LAB_RESET", "LAB_RESET", "LAB_RESET");
        asAdmin().queryParam("target", old).get("/api/v1/admin/audit").then()
                .body("items[2].detail", containsString("replaced by lab " + fresh))
                .body("items[0].detail", containsString("the learner's live lab is already " + fresh));
        asAdmin().post("/api/v1/admin/labs/00000000-0000-0000-0000-000000000000/reset").then().statusCode(404);
    }

    @Test
    void statsCountLabsByStateAndTimeToReady() {
        var before = asAdmin().get("/api/v1/admin/stats").then().statusCode(200).extract().jsonPath();
        String lms = Api.lmsClient();
        String a = createLab(lms, unique("ann"), unique("course")).statusCode(202).extract().path("id");
        String b = createLab(lms, unique("bob"), unique("course")).statusCode(202).extract().path("id");
        awaitState(lms, a, "READY");
        awaitState(lms, b, "READY");

        var after = asAdmin().get("/api/v1/admin/stats").then().statusCode(200)
                .body("labsByState.keySet()", equalTo(Set.of("REQUESTED", "PROVISIONING", "READY", "TEARING_DOWN", "DELETED", "FAILED")))
                .extract().jsonPath();
        assertThat(total(after)).isEqualTo(total(before) + 2);
        assertThat(after.getLong("labsByState.READY")).isGreaterThanOrEqualTo(2);
        assertThat(after.getLong("timeToReady.count")).isGreaterThanOrEqualTo(before.getLong("timeToReady.count") + 2);
        assertThat(after.getDouble("timeToReady.p50Seconds")).isPositive();
        assertThat(after.getDouble("timeToReady.p95Seconds")).isGreaterThanOrEqualTo(after.getDouble("timeToReady.p50Seconds"));
    }

    private static long total(JsonPath stats) {
        Map<String, Integer> byState = stats.getMap("labsByState");
        return byState.values().stream().mapToLong(Integer::longValue).sum();
    }

    @Test
    void clientCreateAndRevokeAreAuditedWithoutTheSecret() {
        var created = asAdmin().body(Map.of("name", "audited-tool", "scopes", List.of("labs:read", "admin")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract();
        String clientId = created.path("id");
        String secret = created.path("secret");
        // The new admin client acts too: its own id is the actor.
        String lab = createLab(Api.lmsClient(), unique("ann"), null).statusCode(202).extract().path("id");
        as(secret).delete("/api/v1/admin/labs/" + lab).then().statusCode(202);
        asAdmin().delete("/api/v1/admin/clients/" + clientId).then().statusCode(200);

        var log = asAdmin().queryParam("target", clientId).get("/api/v1/admin/audit").then().statusCode(200)
                .body("items.action", equalTo(List.of("CLIENT_REVOKE", "CLIENT_CREATE")))
                .body("items.actor", everyItem(equalTo("admin")))
                .body("items.actorName", everyItem(equalTo("bootstrap admin")))
                .body("items[1].detail", containsString("audited-tool")).body("items[1].detail", containsString("labs:read admin"))
                .extract().asString();
        assertThat(log).doesNotContain(secret).doesNotContain(secret.substring(4));
        asAdmin().queryParam("target", lab).get("/api/v1/admin/audit").then()
                .body("items[0].actor", equalTo(clientId)).body("items[0].actorName", equalTo("audited-tool"));

        // The whole log, newest first.
        List<Integer> ids = asAdmin().queryParam("size", 10).get("/api/v1/admin/audit").then().statusCode(200)
                .body("items[0].action", equalTo("CLIENT_REVOKE")).body("items[0].target", equalTo(clientId))
                .extract().path("items.id");
        assertThat(ids).isSortedAccordingTo(Comparator.reverseOrder());
        asAdmin().queryParam("action", "LAB_FORCE_TEARDOWN").get("/api/v1/admin/audit").then().statusCode(200)
                .body("items.action", everyItem(equalTo("LAB_FORCE_TEARDOWN")));
        asAdmin().queryParam("action", "NAP").get("/api/v1/admin/audit").then().statusCode(400).contentType("application/problem+json");
        asAdmin().queryParam("size", 1000).get("/api/v1/admin/audit").then().statusCode(400);
    }

    @Test
    void onlyAdminCredentialsMayUseTheAdminApi() {
        String lms = Api.lmsClient();
        String course = unique("course");
        String lab = createLab(lms, unique("ann"), course).statusCode(202).extract().path("id");
        var roster = Map.of("template", TEMPLATE, "learnerIds", List.of(unique("bob")));

        for (var request : List.<Function<RequestSpecification, Response>>of(
                r -> r.get("/api/v1/admin/labs"),
                r -> r.get("/api/v1/admin/courses/" + course + "/progress"),
                r -> r.body(roster).post("/api/v1/admin/courses/" + course + "/labs"),
                r -> r.body(Map.of("minutes", 60)).post("/api/v1/admin/courses/" + course + "/extend"),
                r -> r.delete("/api/v1/admin/labs/" + lab),
                r -> r.post("/api/v1/admin/labs/" + lab + "/reset"),
                r -> r.get("/api/v1/admin/stats"),
                r -> r.get("/api/v1/admin/audit"))) {
            request.apply(as(lms)).then().statusCode(403).contentType("application/problem+json");
            request.apply(RestAssured.given().contentType("application/json")).then().statusCode(401);
        }
        // ... and nothing changed.
        assertThat(labsInCourse(course)).isEqualTo(1);
        assertThat(Api.state(lms, lab)).isNotIn("TEARING_DOWN", "DELETED");
        assertThat(auditActions(course)).isEmpty();
        assertThat(auditActions(lab)).isEmpty();
    }

    @Test
    void theOpenApiDocumentDescribesEveryAdminEndpoint() {
        var paths = asAdmin().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().jsonPath();
        for (String operation : List.of("'/api/v1/admin/labs'.get", "'/api/v1/admin/labs/{id}'.delete", "'/api/v1/admin/labs/{id}/reset'.post",
                "'/api/v1/admin/courses/{courseId}/progress'.get", "'/api/v1/admin/courses/{courseId}/labs'.post",
                "'/api/v1/admin/courses/{courseId}/extend'.post", "'/api/v1/admin/stats'.get", "'/api/v1/admin/audit'.get")) {
            assertThat(paths.getString("paths." + operation + ".summary")).as(operation).isNotBlank();
            Map<String, Object> responses = paths.getMap("paths." + operation + ".responses");
            assertThat(responses).as(operation).containsKeys("401", "403");
            assertThat(responses.keySet()).as(operation).anyMatch(code -> code.startsWith("2"));
        }
    }
}
