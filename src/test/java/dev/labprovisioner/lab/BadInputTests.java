package dev.labprovisioner.lab;

import dev.labprovisioner.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.stream.Stream;

import static dev.labprovisioner.Api.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyOrNullString;

/** DESIGN §6: every bad input gets a clear 4xx problem+json and changes nothing. */
@QuarkusTest
class BadInputTests {

    static String lms;

    @BeforeEach
    void client() {
        if (lms == null) {
            lms = Api.lmsClient();
        }
    }

    static Stream<Arguments> badCreates() {
        return Stream.of(
                Arguments.of("unknown template", "{\"learnerId\":\"ann\",\"template\":\"mongodb-lab\"}", 400, "Unknown lab template"),
                Arguments.of("no template", "{\"learnerId\":\"ann\"}", 400, "'template' is required"),
                Arguments.of("malformed JSON", "{\"learnerId\": \"ann\", ", 400, "not valid JSON"),
                Arguments.of("not an object", "[1,2,3]", 400, "wrong type"),
                Arguments.of("wrong type", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":\"soon\"}", 400, "ttlMinutes"),
                Arguments.of("no body", "", 400, "required"),
                Arguments.of("empty learner", "{\"learnerId\":\"\",\"template\":\"postgres-statefulset\"}", 400, "must not be empty"),
                Arguments.of("blank learner", "{\"learnerId\":\"   \",\"template\":\"postgres-statefulset\"}", 400, "must not be empty"),
                Arguments.of("missing learner", "{\"template\":\"postgres-statefulset\"}", 400, "'learnerId' is required"),
                Arguments.of("too long learner", "{\"learnerId\":\"" + "a".repeat(129) + "\",\"template\":\"postgres-statefulset\"}", 400, "at most 128"),
                Arguments.of("learner with slashes", "{\"learnerId\":\"../../etc/passwd\",\"template\":\"postgres-statefulset\"}", 400, "may hold only"),
                Arguments.of("learner with spaces", "{\"learnerId\":\"Ann Smith\",\"template\":\"postgres-statefulset\"}", 400, "may hold only"),
                Arguments.of("learner with markup", "{\"learnerId\":\"<script>x</script>\",\"template\":\"postgres-statefulset\"}", 400, "may hold only"),
                Arguments.of("learner non-ASCII", "{\"learnerId\":\"émile☃\",\"template\":\"postgres-statefulset\"}", 400, "may hold only"),
                Arguments.of("bad course", "{\"learnerId\":\"ann\",\"courseId\":\"a b\",\"template\":\"postgres-statefulset\"}", 400, "'courseId'"),
                Arguments.of("ttl zero", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":0}", 400, "'ttlMinutes'"),
                Arguments.of("ttl too long", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":100000}", 400, "'ttlMinutes'"),
                // Read as written, never guessed at (issue 13): each of these was a 500 or a silent coercion.
                Arguments.of("duplicate key", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"learnerId\":\"bob\"}", 400,
                        "more than once: 'learnerId'"),
                Arguments.of("learner a number", "{\"learnerId\":42,\"template\":\"postgres-statefulset\"}", 400, "'learnerId' has a value of the wrong type"),
                Arguments.of("learner a boolean", "{\"learnerId\":true,\"template\":\"postgres-statefulset\"}", 400, "'learnerId' has a value of the wrong type"),
                Arguments.of("ttl a fraction", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":1.9}", 400, "'ttlMinutes' has a value of the wrong type"),
                Arguments.of("ttl a string", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":\"60\"}", 400, "'ttlMinutes' has a value of the wrong type"),
                Arguments.of("ttl a boolean", "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\",\"ttlMinutes\":true}", 400, "'ttlMinutes' has a value of the wrong type"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCreates")
    void aBadCreateIsRefusedAndCreatesNothing(String name, String body, int status, String detail) {
        long before = total();
        as(lms).body(body).post("/api/v1/labs").then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("title", not(emptyOrNullString()))
                .body("detail", org.hamcrest.Matchers.containsString(detail));
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void aBadIdempotencyKeyIsRefused() {
        long before = total();
        as(lms).header("Idempotency-Key", "x".repeat(201)).body("{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\"}")
                .post("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void wrongCredentialsAreRefusedAndCreateNothing() {
        long before = total();
        String body = "{\"learnerId\":\"ann\",\"template\":\"postgres-statefulset\"}";
        given().contentType(ContentType.JSON).body(body).post("/api/v1/labs").then().statusCode(401).contentType("application/problem+json");
        as("lps_not-a-real-secret").body(body).post("/api/v1/labs").then().statusCode(401).contentType("application/problem+json");
        given().header("Authorization", "Basic YTpi").contentType(ContentType.JSON).body(body).post("/api/v1/labs").then().statusCode(401);
        as(Api.newClient("labs:read")).body(body).post("/api/v1/labs").then().statusCode(403).contentType("application/problem+json");
        assertThat(total()).isEqualTo(before);
    }

    @Test
    void badPathsAndQueriesAreProblems() {
        as(lms).get("/api/v1/labs/not-a-uuid").then().statusCode(404).contentType("application/problem+json");
        as(lms).get("/api/v1/labs/00000000-0000-4000-8000-000000000000").then().statusCode(404).contentType("application/problem+json");
        as(lms).queryParam("state", "SLEEPING").get("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        as(lms).queryParam("size", 1000).get("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        as(lms).queryParam("page", "x").get("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        // Each of these was a 500 (issue 13): an offset past 2^31, a NUL byte and an over-long id in a filter.
        as(lms).queryParam("page", 107374183).get("/api/v1/labs").then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("'page' is too large"));
        Api.asAdmin().queryParam("page", 107374183).get("/api/v1/admin/labs").then().statusCode(400).contentType("application/problem+json");
        as(lms).urlEncodingEnabled(false).get("/api/v1/labs?learnerId=a%00b").then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("'learnerId' may hold only"));
        as(lms).urlEncodingEnabled(false).get("/api/v1/labs?courseId=a%00b").then().statusCode(400).contentType("application/problem+json");
        Api.asAdmin().urlEncodingEnabled(false).get("/api/v1/admin/labs?learnerId=a%00b").then().statusCode(400).contentType("application/problem+json");
        as(lms).queryParam("learnerId", "x".repeat(300)).get("/api/v1/labs").then().statusCode(400).contentType("application/problem+json");
        // An extend's minutes, and a client's body, read as strictly.
        String id = Api.createLab(lms, Api.unique("strict"), "strict").statusCode(202).extract().path("id");
        as(lms).body("{\"minutes\":1.5}").post("/api/v1/labs/" + id + "/extend").then().statusCode(400).contentType("application/problem+json");
        as(lms).body("{\"minutes\":\"60\"}").post("/api/v1/labs/" + id + "/extend").then().statusCode(400).contentType("application/problem+json");
        Api.asAdmin().body("{\"name\":\"a\",\"name\":\"b\",\"scopes\":[\"labs:read\"]}").post("/api/v1/admin/clients").then()
                .statusCode(400).contentType("application/problem+json");
        as(lms).contentType(ContentType.TEXT).body("hello").post("/api/v1/labs").then().statusCode(415).contentType("application/problem+json");
        given().get("/learn/garbage").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void badClientRequestsAreRefused() {
        Api.asAdmin().body("{\"name\":\"x\",\"scopes\":[\"root\"]}").post("/api/v1/admin/clients").then().statusCode(400)
                .contentType("application/problem+json");
        Api.asAdmin().body("{\"name\":\"\",\"scopes\":[\"admin\"]}").post("/api/v1/admin/clients").then().statusCode(400);
        as(lms).body("{\"name\":\"x\",\"scopes\":[\"admin\"]}").post("/api/v1/admin/clients").then().statusCode(403);
    }

    private static long total() {
        return Api.asAdmin().get("/api/v1/labs?size=1").then().statusCode(200).extract().<Integer>path("total").longValue();
    }
}
