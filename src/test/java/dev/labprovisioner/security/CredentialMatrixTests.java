package dev.labprovisioner.security;

import dev.labprovisioner.Api;
import dev.labprovisioner.lab.Lab;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint, called with every kind of credential, and the status each cell must get. On failure it
 * prints the whole matrix (expected/actual per cell), so a reviewer sees at once what is open to whom.
 */
@QuarkusTest
class CredentialMatrixTests {

    /** The columns: what the caller holds. */
    enum Credential {
        NONE, JUNK, REVOKED, READ_ONLY, OWNER, OTHER_CLIENT, ADMIN, LEARNER_THIS_LAB, LEARNER_OTHER_LAB, LEARNER_FORGED, LEARNER_EXPIRED;

        boolean learner() {
            return name().startsWith("LEARNER_");
        }
    }

    /** What an API endpoint needs. */
    enum Needs { READ, WRITE, ADMIN, ANY_CREDENTIAL, NOTHING }

    /**
     * One row. {@code target} makes the path's lab or client for a cell (fresh ones for destructive calls);
     * {@code owned}: the target belongs to the OWNER client, so another client gets 404, not 2xx.
     */
    record Row(String name, Needs needs, boolean owned, int ok, Function<Credential, Response> call) {
    }

    private String owner;
    private String other;
    private String readOnly;
    private String revoked;
    private String labA;
    private String tokenA;
    private String tokenB;
    private String labB;
    private String forged;
    private String expired;
    private final String course = Api.unique("matrix");
    private String webhook;
    /** A fake LMS whose course has a recorded launch and a roster: the roster-labs endpoint answers 200 to an admin. */
    private dev.labprovisioner.lti.ags.FakeAgsPlatform lms;
    private String ltiRegistration;
    private final String ltiCourse = Api.unique("matrix-lti");
    /** The LMS's launched learner, whose lab's first check makes an LTI score delivery (made once, when a row needs it). */
    private String ltiLearner;
    private Long ltiScoreDelivery;

    @Test
    void everyEndpointAnswersEveryCredentialAsItShould() {
        try {
            everyCell();
        } finally {
            if (lms != null) {
                lms.close();
            }
        }
    }

    private void everyCell() {
        setUp();
        List<Row> rows = apiRows();
        var learnerRows = learnerRows();
        var failures = new ArrayList<String>();
        var table = new StringBuilder(String.format("%-56s", "endpoint \\ credential"));
        for (Credential c : Credential.values()) {
            table.append(String.format(" %17s", c));
        }
        table.append('\n');
        for (Row row : rows) {
            check(row, this::expected, failures, table);
        }
        for (Row row : learnerRows) {
            check(row, this::expectedLearner, failures, table);
        }
        writeTable(table.toString());
        assertThat(failures).as("cells that answered wrongly (expected/actual):%n%s", table).isEmpty();
    }

    /** The matrix as run, for a reviewer: {@code target/credential-matrix.txt}. */
    private static void writeTable(String table) {
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of("target/credential-matrix.txt"), table);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void check(Row row, java.util.function.BiFunction<Row, Credential, Integer> expectation, List<String> failures, StringBuilder table) {
        table.append(String.format("%-56s", row.name()));
        for (Credential c : Credential.values()) {
            int expected = expectation.apply(row, c);
            int actual = row.call().apply(c).statusCode();
            table.append(String.format(" %17s", expected == actual ? Integer.toString(actual) : expected + "/" + actual + " !!"));
            if (expected != actual) {
                failures.add(row.name() + " with " + c + ": expected " + expected + ", got " + actual);
            }
        }
        table.append('\n');
    }

    /** The rule for /api/** and /q/**: authentication, then scope, then ownership. */
    private int expected(Row row, Credential c) {
        if (row.needs() == Needs.NOTHING) {
            return row.ok();
        }
        if (c == Credential.NONE || c == Credential.JUNK || c == Credential.REVOKED || c.learner()) {
            return 401;
        }
        return switch (row.needs()) {
            case ANY_CREDENTIAL -> row.ok();
            case ADMIN -> c == Credential.ADMIN ? row.ok() : 403;
            case READ -> c == Credential.ADMIN || c == Credential.OWNER || !row.owned() ? row.ok() : 404;
            case WRITE -> c == Credential.READ_ONLY ? 403 : c == Credential.OTHER_CLIENT && row.owned() ? 404 : row.ok();
            case NOTHING -> row.ok();
        };
    }

    /** The rule for /learn/**: the link is the only credential; an API credential never stands in for it. */
    private int expectedLearner(Row row, Credential c) {
        return switch (c) {
            case LEARNER_THIS_LAB, LEARNER_OTHER_LAB -> row.ok();
            case LEARNER_EXPIRED -> 410;
            default -> 404;
        };
    }

    private void setUp() {
        owner = Api.lmsClient();
        other = Api.lmsClient();
        readOnly = Api.newClient("labs:read");
        var client = Api.asAdmin().body(Map.of("name", "revoked", "scopes", List.of("labs:read", "labs:write")))
                .post("/api/v1/admin/clients").then().statusCode(201).extract();
        revoked = client.path("secret");
        Api.asAdmin().delete("/api/v1/admin/clients/" + client.path("id")).then().statusCode(200);

        lms = new dev.labprovisioner.lti.ags.FakeAgsPlatform();
        ltiRegistration = lms.register("postgres-statefulset");
        String learner = Api.unique("sub");
        ltiLearner = learner;
        lms.lms.login(lms.lms.resourceLink(learner, ltiCourse)).post().then().statusCode(303);
        lms.members(ltiCourse, List.of(dev.labprovisioner.lti.ags.FakeAgsPlatform.member(learner, "Active", "Learner")));

        // The owner's subscription, made before its lab so that the lab's READY makes a delivery (retried: nothing listens there).
        webhook = newWebhook();
        var a = Api.createLab(owner, Api.unique("a"), course).statusCode(202).extract();
        labA = a.path("id");
        tokenA = token(a.path("learnerUrl"));
        var b = Api.createLab(other, Api.unique("b"), course).statusCode(202).extract();
        labB = b.path("id");
        tokenB = token(b.path("learnerUrl"));
        var c = Api.createLab(owner, Api.unique("c"), course).statusCode(202).extract();
        expired = token(c.path("learnerUrl"));
        // One character of the signature changed where all its bits count (the last one carries unused bits).
        int at = tokenA.indexOf('.') + 1;
        forged = tokenA.substring(0, at) + (tokenA.charAt(at) == 'A' ? 'B' : 'A') + tokenA.substring(at + 1);
        Api.awaitState(owner, labA, "READY");
        Api.awaitState(other, labB, "READY");
        // Lab C's time runs out.
        QuarkusTransaction.requiringNew().run(() -> Lab.update("expiresAt = ?1 where id = ?2", Instant.now().minusSeconds(60),
                UUID.fromString(c.path("id"))));
    }

    private static String token(String url) {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    private RequestSpecification as(Credential c) {
        var spec = RestAssured.given().contentType("application/json").redirects().follow(false);
        String bearer = switch (c) {
            case NONE -> null;
            case JUNK -> "lps_" + "j".repeat(43);
            case REVOKED -> revoked;
            case READ_ONLY -> readOnly;
            case OWNER -> owner;
            case OTHER_CLIENT -> other;
            case ADMIN -> Api.ADMIN_TOKEN;
            case LEARNER_THIS_LAB -> tokenA;
            case LEARNER_OTHER_LAB -> tokenB;
            case LEARNER_FORGED -> forged;
            case LEARNER_EXPIRED -> expired;
        };
        return bearer == null ? spec : spec.auth().oauth2(bearer);
    }

    /** A lab of the OWNER client's, for a call that would end it. */
    private String freshLab() {
        return Api.createLab(owner, Api.unique("fresh"), course).statusCode(202).extract().path("id");
    }

    private String newWebhook() {
        return Api.as(owner).body(Map.of("url", "http://127.0.0.1:9/hook", "events", List.of("lab.ready"))).post("/api/v1/webhooks")
                .then().statusCode(201).extract().path("id");
    }

    private long webhookDelivery() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Api.as(owner)
                .get("/api/v1/webhooks/" + webhook + "/deliveries").then().statusCode(200).extract().<Integer>path("total") > 0);
        return Api.as(owner).get("/api/v1/webhooks/" + webhook + "/deliveries").then().extract().<Number>path("items[0].id").longValue();
    }

    private long ltiScoreDelivery() {
        if (ltiScoreDelivery == null) {
            String lab = Api.asAdmin().queryParam("courseId", ltiCourse).queryParam("learnerId", ltiLearner).get("/api/v1/labs")
                    .then().statusCode(200).extract().path("items[0].id");
            Api.awaitState(Api.ADMIN_TOKEN, lab, "READY");
            Api.asAdmin().post("/api/v1/labs/" + lab + "/checkpoints/stable-identity/validate").then().statusCode(200);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> Api.asAdmin().get("/api/v1/admin/lti/deliveries")
                    .then().statusCode(200).extract().<List<String>>path("items.labId").contains(lab));
            ltiScoreDelivery = Api.asAdmin().get("/api/v1/admin/lti/deliveries").then().extract().<Number>path("items.find { it.labId == '" + lab + "' }.id").longValue();
        }
        return ltiScoreDelivery;
    }

    private String freshClient() {
        return Api.asAdmin().body(Map.of("name", "fresh", "scopes", List.of("labs:read"))).post("/api/v1/admin/clients")
                .then().statusCode(201).extract().path("id");
    }

    private static String ltiPlatform() {
        return """
                {"name":"m","issuer":"https://lms.example.edu","clientId":"%s","deploymentIds":["1"],
                 "authLoginUrl":"https://lms.example.edu/auth","accessTokenUrl":"https://lms.example.edu/token",
                 "jwksUrl":"https://lms.example.edu/jwks","template":"postgres-statefulset"}""".formatted(UUID.randomUUID());
    }

    private String freshLtiPlatform() {
        return Api.asAdmin().body(ltiPlatform()).post("/api/v1/admin/lti/platforms").then().statusCode(201).extract().path("id");
    }

    private List<Row> apiRows() {
        String newLab = "{\"learnerId\":\"%s\",\"courseId\":\"" + course + "\",\"template\":\"postgres-statefulset\"}";
        return List.of(
                new Row("GET /api/v1/templates", Needs.READ, false, 200, c -> as(c).get("/api/v1/templates")),
                new Row("GET /api/v1/labs", Needs.READ, false, 200, c -> as(c).get("/api/v1/labs")),
                new Row("POST /api/v1/labs", Needs.WRITE, false, 202, c -> as(c).body(newLab.formatted(Api.unique("n"))).post("/api/v1/labs")),
                new Row("GET /api/v1/labs/{id}", Needs.READ, true, 200, c -> as(c).get("/api/v1/labs/" + labA)),
                new Row("GET /api/v1/labs/{id}/events", Needs.READ, true, 200, c -> as(c).get("/api/v1/labs/" + labA + "/events")),
                new Row("GET /api/v1/labs/{id}/progress", Needs.READ, true, 200, c -> as(c).get("/api/v1/labs/" + labA + "/progress")),
                new Row("POST /api/v1/labs/{id}/extend", Needs.WRITE, true, 200, c -> as(c).body("{\"minutes\":1}").post("/api/v1/labs/" + labA + "/extend")),
                new Row("POST /api/v1/labs/{id}/retry (not FAILED)", Needs.WRITE, true, 409, c -> as(c).post("/api/v1/labs/" + labA + "/retry")),
                new Row("POST /api/v1/labs/{id}/validate", Needs.WRITE, true, 200, c -> as(c).post("/api/v1/labs/" + labA + "/validate")),
                new Row("POST /api/v1/labs/{id}/checkpoints/{cp}/validate", Needs.WRITE, true, 200,
                        c -> as(c).post("/api/v1/labs/" + labA + "/checkpoints/stable-identity/validate")),
                new Row("DELETE /api/v1/labs/{id}", Needs.WRITE, true, 202, c -> as(c).delete("/api/v1/labs/" + freshLab())),
                new Row("POST /api/v1/webhooks", Needs.WRITE, false, 201,
                        c -> as(c).body("{\"url\":\"http://127.0.0.1:9/hook\"}").post("/api/v1/webhooks")),
                new Row("GET /api/v1/webhooks", Needs.READ, false, 200, c -> as(c).get("/api/v1/webhooks")),
                new Row("GET /api/v1/webhooks/{id}", Needs.READ, true, 200, c -> as(c).get("/api/v1/webhooks/" + webhook)),
                new Row("GET /api/v1/webhooks/{id}/deliveries", Needs.READ, true, 200, c -> as(c).get("/api/v1/webhooks/" + webhook + "/deliveries")),
                new Row("POST /api/v1/webhooks/{id}/deliveries/{d}/redeliver", Needs.WRITE, true, 202,
                        c -> as(c).post("/api/v1/webhooks/" + webhook + "/deliveries/" + webhookDelivery() + "/redeliver")),
                new Row("POST /api/v1/webhooks/{id}/rotate-secret", Needs.WRITE, true, 200,
                        c -> as(c).post("/api/v1/webhooks/" + webhook + "/rotate-secret")),
                new Row("DELETE /api/v1/webhooks/{id}", Needs.WRITE, true, 204, c -> as(c).delete("/api/v1/webhooks/" + newWebhook())),
                new Row("GET /api/v1/admin/clients", Needs.ADMIN, false, 200, c -> as(c).get("/api/v1/admin/clients")),
                new Row("POST /api/v1/admin/clients", Needs.ADMIN, false, 201,
                        c -> as(c).body("{\"name\":\"m\",\"scopes\":[\"labs:read\"]}").post("/api/v1/admin/clients")),
                new Row("POST /api/v1/admin/clients/{id}/rotate", Needs.ADMIN, false, 200, c -> as(c).post("/api/v1/admin/clients/" + freshClient() + "/rotate")),
                new Row("DELETE /api/v1/admin/clients/{id}", Needs.ADMIN, false, 200, c -> as(c).delete("/api/v1/admin/clients/" + freshClient())),
                new Row("GET /api/v1/admin/labs", Needs.ADMIN, false, 200, c -> as(c).get("/api/v1/admin/labs?courseId=" + course)),
                new Row("GET /api/v1/admin/courses/{c}/progress", Needs.ADMIN, false, 200, c -> as(c).get("/api/v1/admin/courses/" + course + "/progress")),
                new Row("POST /api/v1/admin/courses/{c}/labs", Needs.ADMIN, false, 200,
                        c -> as(c).body("{\"template\":\"postgres-statefulset\",\"learnerIds\":[\"roster-1\"]}").post("/api/v1/admin/courses/" + course + "/labs")),
                new Row("POST /api/v1/admin/courses/{c}/extend", Needs.ADMIN, false, 200,
                        c -> as(c).body("{\"minutes\":1}").post("/api/v1/admin/courses/" + course + "/extend")),
                new Row("DELETE /api/v1/admin/labs/{id}", Needs.ADMIN, false, 202, c -> as(c).delete("/api/v1/admin/labs/" + freshLab())),
                new Row("POST /api/v1/admin/labs/{id}/reset", Needs.ADMIN, false, 202, c -> as(c).post("/api/v1/admin/labs/" + freshLab() + "/reset")),
                new Row("GET /api/v1/admin/stats", Needs.ADMIN, false, 200, c -> as(c).get("/api/v1/admin/stats")),
                new Row("GET /api/v1/admin/audit", Needs.ADMIN, false, 200, c -> as(c).get("/api/v1/admin/audit")),
                new Row("GET /api/v1/admin/lti/platforms", Needs.ADMIN, false, 200, c -> as(c).get("/api/v1/admin/lti/platforms")),
                new Row("POST /api/v1/admin/lti/platforms", Needs.ADMIN, false, 201, c -> as(c).body(ltiPlatform()).post("/api/v1/admin/lti/platforms")),
                new Row("DELETE /api/v1/admin/lti/platforms/{id}", Needs.ADMIN, false, 204,
                        c -> as(c).delete("/api/v1/admin/lti/platforms/" + freshLtiPlatform())),
                new Row("POST /api/v1/admin/lti/platforms/{id}/contexts/{c}/roster-labs", Needs.ADMIN, false, 200,
                        c -> as(c).body("{}").post("/api/v1/admin/lti/platforms/" + ltiRegistration + "/contexts/" + ltiCourse + "/roster-labs")),
                new Row("GET /api/v1/admin/lti/deliveries", Needs.ADMIN, false, 200, c -> as(c).get("/api/v1/admin/lti/deliveries")),
                new Row("POST /api/v1/admin/lti/deliveries/{d}/redeliver", Needs.ADMIN, false, 202,
                        c -> as(c).post("/api/v1/admin/lti/deliveries/" + ltiScoreDelivery() + "/redeliver")),
                new Row("GET /api/v1/admin/lti/keys", Needs.ADMIN, false, 200, c -> as(c).get("/api/v1/admin/lti/keys")),
                new Row("POST /api/v1/admin/lti/keys/rotate", Needs.ADMIN, false, 200, c -> as(c).post("/api/v1/admin/lti/keys/rotate")),
                // The LTI endpoints take no credential (the platform's signed id_token is one): a bearer changes nothing.
                new Row("GET /lti/jwks", Needs.NOTHING, false, 200, c -> as(c).get("/lti/jwks")),
                new Row("GET /lti/login (no platform)", Needs.NOTHING, false, 400, c -> as(c).get("/lti/login")),
                new Row("POST /lti/launch (no login state)", Needs.NOTHING, false, 400,
                        c -> as(c).contentType("application/x-www-form-urlencoded").formParam("id_token", "x").formParam("state", "y").post("/lti/launch")),
                new Row("POST /lti/deep-link/choose (no catalog)", Needs.NOTHING, false, 400,
                        c -> as(c).contentType("application/x-www-form-urlencoded").formParam("request", "x").formParam("template", "y")
                                .post("/lti/deep-link/choose")),
                new Row("GET /q/metrics", Needs.ANY_CREDENTIAL, false, 200, c -> as(c).get("/q/metrics")),
                new Row("GET /q/openapi", Needs.ANY_CREDENTIAL, false, 200, c -> as(c).get("/q/openapi")),
                new Row("GET /q/health/ready", Needs.NOTHING, false, 200, c -> as(c).get("/q/health/ready")),
                new Row("GET /q/health/live", Needs.NOTHING, false, 200, c -> as(c).get("/q/health/live")));
    }

    /**
     * The learner's endpoints, where the token is in the path. A learner column puts its token there; an API
     * column sends its credential as a bearer with a forged link (it must not open anything).
     */
    private List<Row> learnerRows() {
        return List.of(
                learner("GET /learn/{token}", 200, (spec, t) -> spec.get("/learn/" + t)),
                learner("GET /learn/{token}/kubeconfig", 200, (spec, t) -> spec.get("/learn/" + t + "/kubeconfig")),
                learner("GET /learn/{token}/progress", 200, (spec, t) -> spec.get("/learn/" + t + "/progress")),
                learner("POST /learn/{token}/checkpoints/{cp}/validate", 200, (spec, t) -> spec.post("/learn/" + t + "/checkpoints/stable-identity/validate")),
                learner("POST /learn/{token}/checkpoints/{cp}/check", 303, (spec, t) -> spec.post("/learn/" + t + "/checkpoints/stable-identity/check")),
                learner("POST /learn/{token}/pods/{pod}/sql", 200, (spec, t) -> spec.contentType("text/plain").body("SELECT 1")
                        .post("/learn/" + t + "/pods/postgres-0/sql")));
    }

    private Row learner(String name, int ok, java.util.function.BiFunction<RequestSpecification, String, Response> call) {
        var tokens = new EnumMap<Credential, String>(Credential.class);
        return new Row(name, Needs.NOTHING, false, ok, c -> {
            tokens.putIfAbsent(Credential.LEARNER_THIS_LAB, tokenA);
            tokens.putIfAbsent(Credential.LEARNER_OTHER_LAB, tokenB);
            tokens.putIfAbsent(Credential.LEARNER_FORGED, forged);
            tokens.putIfAbsent(Credential.LEARNER_EXPIRED, expired);
            String path = tokens.getOrDefault(c, forged);
            var spec = c.learner() ? RestAssured.given().redirects().follow(false) : as(c);
            Response response = call.apply(spec, path);
            if (c == Credential.LEARNER_OTHER_LAB && name.endsWith("/progress")) {
                // Another lab's link reaches that lab only.
                assertThat(response.jsonPath().getString("labId")).isEqualTo(labB);
            }
            return response;
        });
    }
}
