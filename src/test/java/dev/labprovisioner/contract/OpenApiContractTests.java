package dev.labprovisioner.contract;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static dev.labprovisioner.Api.ADMIN_TOKEN;
import static dev.labprovisioner.Api.as;
import static dev.labprovisioner.Api.asAdmin;
import static dev.labprovisioner.Api.awaitState;
import static dev.labprovisioner.Api.newClient;
import static dev.labprovisioner.Api.unique;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The document is the truth: a walkthrough drives every operation of {@code /q/openapi}, through its successes and
 * its usual failures, and every answer (status, media type, body) must be one the document describes. A generated
 * client trusts the document; this is what makes that safe.
 */
@QuarkusTest
class OpenApiContractTests {

    private static OpenApiContract contract;

    /** Quarkus gives REST Assured the service's port only once the test instance runs: not in a static set-up. */
    private static void judgeEveryAnswer() {
        String doc = given().auth().oauth2(ADMIN_TOKEN).accept(ContentType.JSON).get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString();
        contract = new OpenApiContract(doc);
        RestAssured.filters(contract);
    }

    @AfterAll
    static void stopJudging() {
        RestAssured.replaceFiltersWith(List.of());
    }

    @Test
    void everyOperationAnswersAsDocumented() {
        judgeEveryAnswer();
        String lms = newClient("labs:read", "labs:write");
        String reader = newClient("labs:read");
        String course = unique("course");
        String learner = unique("learner");

        // Templates and API clients
        as(lms).get("/api/v1/templates").then().statusCode(200);
        String clientId = asAdmin().body(Map.of("name", unique("c"), "scopes", List.of("labs:read")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract().path("id");
        asAdmin().body(Map.of("name", "x", "scopes", List.of("labs:fly"))).post("/api/v1/admin/clients").then().statusCode(400);
        as(lms).body(Map.of("name", "x", "scopes", List.of("labs:read"))).post("/api/v1/admin/clients").then().statusCode(403);
        given().contentType(ContentType.JSON).body(Map.of("name", "x", "scopes", List.of("labs:read")))
                .post("/api/v1/admin/clients").then().statusCode(401);
        asAdmin().get("/api/v1/admin/clients").then().statusCode(200);
        asAdmin().post("/api/v1/admin/clients/" + clientId + "/rotate").then().statusCode(200);
        asAdmin().delete("/api/v1/admin/clients/" + clientId).then().statusCode(200);
        asAdmin().post("/api/v1/admin/clients/" + clientId + "/rotate").then().statusCode(409);
        asAdmin().delete("/api/v1/admin/clients/00000000-0000-0000-0000-000000000000").then().statusCode(404);

        // Webhooks: subscribe (the receiver refuses connections: deliveries are retried), list, deliveries, redeliver
        var hook = as(lms).body(Map.of("url", "http://127.0.0.1:9/hook", "events", List.of("lab.ready", "lab.deleted")))
                .post("/api/v1/webhooks").then().statusCode(201).extract();
        String hookId = hook.path("id");
        as(lms).body(Map.of("url", "ftp://example.com/hook")).post("/api/v1/webhooks").then().statusCode(400);
        as(reader).body(Map.of("url", "http://127.0.0.1:9/hook")).post("/api/v1/webhooks").then().statusCode(403);
        as(lms).get("/api/v1/webhooks").then().statusCode(200);
        as(lms).get("/api/v1/webhooks/" + hookId).then().statusCode(200);
        as(lms).get("/api/v1/webhooks/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        as(lms).get("/api/v1/webhooks/" + hookId + "/deliveries?size=0").then().statusCode(400);
        as(lms).post("/api/v1/webhooks/" + hookId + "/rotate-secret").then().statusCode(200);
        as(lms).post("/api/v1/webhooks/00000000-0000-0000-0000-000000000000/rotate-secret").then().statusCode(404);
        as(reader).post("/api/v1/webhooks/" + hookId + "/rotate-secret").then().statusCode(403);

        // The LMS's lab: create, idempotency, READY, progress, checks, extend
        var body = Map.of("learnerId", learner, "courseId", course, "template", "postgres-statefulset", "ttlMinutes", 60);
        String labId = as(lms).header("Idempotency-Key", unique("k")).body(body).post("/api/v1/labs")
                .then().statusCode(202).extract().path("id");
        as(lms).body(body).post("/api/v1/labs").then().statusCode(200);
        String key = unique("k");
        as(lms).header("Idempotency-Key", key).body(Map.of("learnerId", unique("l"), "template", "postgres-statefulset")).post("/api/v1/labs").then().statusCode(202);
        as(lms).header("Idempotency-Key", key).body(Map.of("learnerId", unique("l"), "template", "postgres-statefulset")).post("/api/v1/labs").then().statusCode(422);
        as(lms).body(Map.of("learnerId", "../etc", "template", "postgres-statefulset")).post("/api/v1/labs").then().statusCode(400);
        as(reader).body(body).post("/api/v1/labs").then().statusCode(403);
        as(lms).contentType(ContentType.TEXT).body("learnerId=a").post("/api/v1/labs").then().statusCode(415);
        as(lms).accept(ContentType.HTML).get("/api/v1/labs/" + labId).then().statusCode(406);
        given().get("/api/v1/labs/" + labId).then().statusCode(401);
        as(lms).get("/api/v1/labs/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        as(lms).get("/api/v1/labs/not-a-uuid").then().statusCode(404);
        as(lms).queryParam("courseId", course).get("/api/v1/labs").then().statusCode(200);
        as(lms).queryParam("page", -1).get("/api/v1/labs").then().statusCode(400);
        as(lms).queryParam("learnerId", "a".repeat(5000)).get("/api/v1/labs").then().statusCode(414);
        as(lms).header("X-Padding", "p".repeat(25_000)).get("/api/v1/labs").then().statusCode(431);
        as(lms).body(Map.of("learnerId", "x".repeat(1_100_000), "template", "postgres-statefulset")).post("/api/v1/labs").then().statusCode(413);
        as(lms).urlEncodingEnabled(false).get("/api/v1/labs/%FF").then().statusCode(400);
        String learnerUrl = as(lms).get("/api/v1/labs/" + labId).then().statusCode(200).extract().path("learnerUrl");
        String learnerPath = learnerUrl.substring(learnerUrl.indexOf("/learn/"));
        awaitState(lms, labId, "READY");

        as(lms).get("/api/v1/labs/" + labId + "/events").then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> as(lms).get("/api/v1/webhooks/" + hookId + "/deliveries")
                .then().statusCode(200).extract().<Integer>path("total") > 0);
        long deliveryId = as(lms).get("/api/v1/webhooks/" + hookId + "/deliveries").then().extract().<Number>path("items[0].id").longValue();
        as(lms).post("/api/v1/webhooks/" + hookId + "/deliveries/" + deliveryId + "/redeliver").then().statusCode(202);
        as(lms).post("/api/v1/webhooks/" + hookId + "/deliveries/999999999/redeliver").then().statusCode(404);
        as(lms).get("/api/v1/labs/" + labId + "/progress").then().statusCode(200);
        as(lms).post("/api/v1/labs/" + labId + "/validate").then().statusCode(200);
        as(lms).post("/api/v1/labs/" + labId + "/checkpoints/stable-identity/validate").then().statusCode(200);
        as(lms).post("/api/v1/labs/" + labId + "/checkpoints/stable-identity/validate?act=true").then().statusCode(400);
        as(lms).post("/api/v1/labs/" + labId + "/checkpoints/no-such-checkpoint/validate").then().statusCode(404);
        as(lms).body(Map.of("minutes", 30)).post("/api/v1/labs/" + labId + "/extend").then().statusCode(200);
        as(lms).body(Map.of("minutes", 480)).post("/api/v1/labs/" + labId + "/extend").then().statusCode(200);
        as(lms).body(Map.of("minutes", 480)).post("/api/v1/labs/" + labId + "/extend").then().statusCode(200);
        as(lms).body(Map.of("minutes", 480)).post("/api/v1/labs/" + labId + "/extend").then().statusCode(422); // past 24 h
        as(lms).body(Map.of("minutes", "30")).post("/api/v1/labs/" + labId + "/extend").then().statusCode(400);
        as(lms).post("/api/v1/labs/" + labId + "/retry").then().statusCode(409);

        // The learner's link: page, kubeconfig, progress, checks, SQL (the sandbox)
        given().accept(ContentType.HTML).get(learnerPath).then().statusCode(200);
        given().get(learnerPath + "/kubeconfig").then().statusCode(200);
        given().accept(ContentType.JSON).get(learnerPath + "/progress").then().statusCode(200);
        given().accept(ContentType.JSON).post(learnerPath + "/checkpoints/stable-identity/validate").then().statusCode(200);
        given().accept(ContentType.JSON).post(learnerPath + "/checkpoints/stable-identity/validate?act=true").then().statusCode(400);
        given().redirects().follow(false).post(learnerPath + "/checkpoints/stable-identity/check").then().statusCode(303);
        given().contentType(ContentType.TEXT).accept(ContentType.JSON).body("CREATE TABLE notes (id int)")
                .post(learnerPath + "/pods/postgres-0/sql").then().statusCode(200);
        given().contentType(ContentType.TEXT).accept(ContentType.JSON).body("SELEC nothing")
                .post(learnerPath + "/pods/postgres-0/sql").then().statusCode(400);
        given().accept(ContentType.JSON).get("/learn/not-a-real-token/progress").then().statusCode(404);
        given().accept(ContentType.HTML).get("/learn/not-a-real-token").then().statusCode(404);

        // A lab that cannot become ready: FAILED, then retried
        String broken = as(lms).body(Map.of("learnerId", unique("l"), "template", "broken-image")).post("/api/v1/labs")
                .then().statusCode(202).extract().path("id");
        String brokenUrl = as(lms).get("/api/v1/labs/" + broken).then().extract().path("learnerUrl");
        awaitState(lms, broken, "FAILED", Duration.ofSeconds(20));
        given().get(brokenUrl.substring(brokenUrl.indexOf("/learn/")) + "/kubeconfig").then().statusCode(409);
        as(lms).post("/api/v1/labs/" + broken + "/validate").then().statusCode(409);
        as(lms).post("/api/v1/labs/" + broken + "/retry").then().statusCode(200);

        // The instructor's side
        asAdmin().get("/api/v1/admin/labs?courseId=" + course).then().statusCode(200);
        asAdmin().get("/api/v1/admin/labs?size=1000").then().statusCode(400);
        asAdmin().get("/api/v1/admin/stats").then().statusCode(200);
        as(lms).get("/api/v1/admin/stats").then().statusCode(403);
        asAdmin().get("/api/v1/admin/courses/" + course + "/progress").then().statusCode(200);
        asAdmin().accept("text/csv").get("/api/v1/admin/courses/" + course + "/progress").then().statusCode(200);
        asAdmin().get("/api/v1/admin/courses/" + unique("empty") + "/progress").then().statusCode(404);
        asAdmin().body(Map.of("template", "postgres-statefulset", "learnerIds", List.of(unique("ann"), unique("bob"))))
                .post("/api/v1/admin/courses/" + course + "/labs").then().statusCode(200);
        asAdmin().body(Map.of("template", "postgres-statefulset", "learnerIds", List.of("../x")))
                .post("/api/v1/admin/courses/" + course + "/labs").then().statusCode(400);
        asAdmin().body(Map.of("minutes", 15)).post("/api/v1/admin/courses/" + course + "/extend").then().statusCode(200);
        String fresh = asAdmin().body(Map.of()).post("/api/v1/admin/labs/" + labId + "/reset").then().statusCode(202).extract().path("id");
        asAdmin().body(Map.of()).post("/api/v1/admin/labs/" + labId + "/reset").then().statusCode(200);
        asAdmin().post("/api/v1/admin/labs/00000000-0000-0000-0000-000000000000/reset").then().statusCode(404);
        asAdmin().delete("/api/v1/admin/labs/" + fresh).then().statusCode(202);
        asAdmin().delete("/api/v1/admin/labs/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        asAdmin().get("/api/v1/admin/audit").then().statusCode(200);
        asAdmin().get("/api/v1/admin/audit?page=x").then().statusCode(400);

        as(lms).delete("/api/v1/webhooks/" + hookId).then().statusCode(204);
        as(lms).delete("/api/v1/webhooks/" + hookId).then().statusCode(404);

        // LTI 1.3: a platform registered, its login, launches (learner, instructor, deep linking, refused), the keys
        try (var platform = new dev.labprovisioner.lti.FakePlatform()) {
            var lti = new java.util.HashMap<String, Object>(Map.of("name", "LMS", "issuer", platform.issuer, "clientId", platform.clientId,
                    "deploymentIds", List.of(dev.labprovisioner.lti.FakePlatform.DEPLOYMENT), "authLoginUrl", platform.url("/auth"),
                    "accessTokenUrl", platform.url("/token"), "jwksUrl", platform.url("/jwks"), "template", "postgres-statefulset"));
            String registration = platform.ensureRegistered("postgres-statefulset");
            asAdmin().body(lti).post("/api/v1/admin/lti/platforms").then().statusCode(409);
            asAdmin().body(Map.of("name", "x")).post("/api/v1/admin/lti/platforms").then().statusCode(400);
            var insecure = new java.util.HashMap<>(lti);
            insecure.put("clientId", "other");
            insecure.put("jwksUrl", "http://lms.example.edu/jwks");
            asAdmin().body(insecure).post("/api/v1/admin/lti/platforms").then().statusCode(422);
            as(lms).get("/api/v1/admin/lti/platforms").then().statusCode(403);
            asAdmin().get("/api/v1/admin/lti/platforms").then().statusCode(200);
            asAdmin().get("/api/v1/admin/lti/keys").then().statusCode(200);
            asAdmin().post("/api/v1/admin/lti/keys/rotate").then().statusCode(200);
            given().get("/lti/jwks").then().statusCode(200);
            given().redirects().follow(false).queryParam("iss", platform.issuer).queryParam("login_hint", "h")
                    .queryParam("client_id", platform.clientId).get("/lti/login").then().statusCode(302);
            given().redirects().follow(false).get("/lti/login").then().statusCode(400);
            given().redirects().follow(false).formParam("iss", "https://unknown.example").formParam("login_hint", "h").post("/lti/login")
                    .then().statusCode(400);
            String ltiCourse = unique("lti-course");
            platform.login(platform.resourceLink(unique("sub"), ltiCourse)).post().then().statusCode(303);
            platform.login(platform.resourceLink(unique("t"), ltiCourse, dev.labprovisioner.lti.LtiClaims.ROLE_INSTRUCTOR)).post()
                    .then().statusCode(200);
            var expired = new java.util.HashMap<>(platform.resourceLink(unique("sub"), ltiCourse));
            expired.put("exp", java.util.Date.from(java.time.Instant.now().minusSeconds(600)));
            platform.login(expired).post().then().statusCode(401);
            given().formParam("id_token", "x").formParam("state", "unknown").post("/lti/launch").then().statusCode(400);
            String catalog = platform.login(platform.deepLinking(unique("t"), ltiCourse, platform.url("/return"), "d"))
                    .post("/lti/deep-link").then().statusCode(200).extract().asString();
            given().formParam("id_token", "x").formParam("state", "unknown").post("/lti/deep-link").then().statusCode(400);
            String request = dev.labprovisioner.lti.FakePlatform.input(catalog, "request");
            given().formParam("request", request).formParam("template", "postgres-statefulset").post("/lti/deep-link/choose").then().statusCode(200);
            given().formParam("request", request).formParam("template", "postgres-statefulset").post("/lti/deep-link/choose").then().statusCode(400);
            try (var down = new dev.labprovisioner.lti.FakePlatform()) {
                down.ensureRegistered("postgres-statefulset");
                var form = down.login(down.resourceLink(unique("sub"), ltiCourse));
                down.close(); // its JWKS cannot be fetched any more
                form.post().then().statusCode(503);
                asAdmin().delete("/api/v1/admin/lti/platforms/" + down.registrationId()).then().statusCode(204);
            }
            asAdmin().delete("/api/v1/admin/lti/platforms/" + registration).then().statusCode(204);
            asAdmin().delete("/api/v1/admin/lti/platforms/" + registration).then().statusCode(404);
        }

        // LTI Names and Role Provisioning: labs for a course's roster, read from the fake LMS's memberships (two pages)
        try (var ags = new dev.labprovisioner.lti.ags.FakeAgsPlatform()) {
            String registration = ags.register("postgres-statefulset");
            String ltiCourse = unique("nrps");
            String rosterLabs = "/api/v1/admin/lti/platforms/" + registration + "/contexts/" + ltiCourse + "/roster-labs";
            asAdmin().post(rosterLabs).then().statusCode(409); // no launch from the course yet
            asAdmin().post("/api/v1/admin/lti/platforms/00000000-0000-0000-0000-000000000000/contexts/" + ltiCourse + "/roster-labs")
                    .then().statusCode(404);
            asAdmin().post("/api/v1/admin/lti/platforms/" + registration + "/contexts/bad id!/roster-labs").then().statusCode(400);
            as(lms).post(rosterLabs).then().statusCode(403);
            String sub = unique("sub");
            ags.lms.login(ags.lms.resourceLink(sub, ltiCourse)).post().then().statusCode(303);
            ags.members(ltiCourse, List.of(dev.labprovisioner.lti.ags.FakeAgsPlatform.member(sub, "Active", dev.labprovisioner.lti.LtiClaims.ROLE_LEARNER)),
                    List.of(dev.labprovisioner.lti.ags.FakeAgsPlatform.member(unique("sub"), "Active", dev.labprovisioner.lti.LtiClaims.ROLE_LEARNER)));
            asAdmin().body(Map.of("ttlMinutes", 60)).post(rosterLabs).then().statusCode(200);
            asAdmin().body(Map.of("template", "no-such-lab")).post(rosterLabs).then().statusCode(400);
            ags.answerMembershipsWith(403);
            asAdmin().post(rosterLabs).then().statusCode(502);
            ags.answerMembershipsWith(503);
            asAdmin().post(rosterLabs).then().statusCode(503);

            // LTI grades: the launched learner's first check makes a score; the admin lists score deliveries and sends one again
            String ltiLab = asAdmin().queryParam("courseId", ltiCourse).queryParam("learnerId", sub).get("/api/v1/labs").then().statusCode(200)
                    .extract().path("items[0].id");
            awaitState(ADMIN_TOKEN, ltiLab, "READY");
            asAdmin().post("/api/v1/labs/" + ltiLab + "/checkpoints/stable-identity/validate").then().statusCode(200);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> asAdmin().queryParam("state", "DELIVERED")
                    .get("/api/v1/admin/lti/deliveries").then().statusCode(200).extract().<List<String>>path("items.labId").contains(ltiLab));
            long scoreDelivery = asAdmin().get("/api/v1/admin/lti/deliveries").then().statusCode(200).extract().<Number>path("items[0].id").longValue();
            asAdmin().queryParam("state", "LOST").get("/api/v1/admin/lti/deliveries").then().statusCode(400);
            asAdmin().queryParam("size", 0).get("/api/v1/admin/lti/deliveries").then().statusCode(400);
            as(lms).get("/api/v1/admin/lti/deliveries").then().statusCode(403);
            asAdmin().post("/api/v1/admin/lti/deliveries/" + scoreDelivery + "/redeliver").then().statusCode(202);
            asAdmin().post("/api/v1/admin/lti/deliveries/999999999/redeliver").then().statusCode(404);
            as(lms).post("/api/v1/admin/lti/deliveries/" + scoreDelivery + "/redeliver").then().statusCode(403);
        }

        // The end of a lab
        as(lms).delete("/api/v1/labs/" + broken).then().statusCode(202);
        as(lms).delete("/api/v1/labs/00000000-0000-0000-0000-000000000000").then().statusCode(404);
        as(lms).body(Map.of("minutes", 30)).post("/api/v1/labs/" + broken + "/extend").then().statusCode(409);
        awaitState(lms, labId, "DELETED");
        given().accept(ContentType.JSON).get(learnerPath + "/progress").then().statusCode(410);
        given().accept(ContentType.HTML).get(learnerPath).then().statusCode(410);

        assertThat(contract.violations()).as("answers that /q/openapi does not describe").isEmpty();
        // A Java type leaking into the contract (a Jackson JsonNode field) breaks generated clients: JsonNode clashes there.
        var schemaNames = new TreeSet<String>();
        contract.document().path("components").path("schemas").fieldNames().forEachRemaining(schemaNames::add);
        assertThat(schemaNames).as("schemas of /q/openapi").doesNotContain("JsonNode", "JsonNodeType", "Object");
        var notDriven = new TreeSet<>(contract.operations());
        notDriven.removeAll(contract.driven().keySet());
        assertThat(notDriven).as("operations of /q/openapi the walkthrough never drove").isEmpty();
    }
}
